"""polecon: political-economy econometrics of bilateral agreements.

Data flows one way: sources -> panel -> models -> hypotheses -> reports.
Heavy submodules are imported lazily so that ``import polecon`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0.dev0"

_LAZY = {
    "load": ("polecon.sources", "load"),
    "ppml": ("polecon.models.gravity", "ppml"),
    "ols": ("polecon.models.gravity", "ols"),
    "build_panel": ("polecon.panel", "build_panel"),
    "risk_set": ("polecon.panel.spells", "risk_set"),
    "cox": ("polecon.models.survival", "cox"),
    "clogit": ("polecon.models.survival", "clogit"),
    "firth_logit": ("polecon.models.survival", "firth_logit"),
    "logit": ("polecon.models.glm", "logit"),
    "cloglog": ("polecon.models.glm", "cloglog"),
    "lpm": ("polecon.models.glm", "lpm"),
    "glm": ("polecon.models.glm", "glm"),
    "etable": ("polecon.reports", "etable"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'polecon' has no attribute {name!r}")
