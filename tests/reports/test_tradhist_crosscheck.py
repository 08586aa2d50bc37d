"""analyses/tradhist_crosscheck.py: TRADHIST's West German trade against COW and penppml."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from polecon import registry
from polecon.sources import load

pytestmark = pytest.mark.realdata

SCRIPT = Path(__file__).resolve().parents[2] / "analyses" / "tradhist_crosscheck.py"


def test_report_lines() -> None:
    spec = importlib.util.spec_from_file_location("tradhist_crosscheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw = {key: registry.fetch(key) for key in (module.COW_KEY, module.PENPPML_KEY)}
    lines = module.cross_check(load("tradhist_deu"), raw)
    assert len(lines) == 5
    assert lines[0].startswith(
        "Cross-check TRADHIST vs COW 4.0, 1955-1959: 704 common positive flows, 541 >= 10M USD; "
        "median ratio 0.9996"
    )
    assert "1,682 common positive flows" in lines[1] and "1,924 common positive flows" in lines[2]
    assert "242 of 4,419 COW state-system dyad-years" in lines[3]
    assert lines[4].endswith("min 163 (1975), max 177 (1990).")
