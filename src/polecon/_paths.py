"""Where the package finds its shipped data, in a checkout and when installed from a wheel.

``DATASETS_DIR`` holds the registry manifest (``registry.toml``) and the reviewed country and
source tables (``countries/*.csv``, ``sources/*.csv``). In a checkout ``src/polecon/_datasets`` is
a symlink to the repository's ``datasets/``; in a wheel or ``pip install .`` the same files are
package data. ``REPO_ROOT`` is meaningful only in a checkout (``in_checkout()``): it locates
``datasets/mirrors.txt`` and the default ``reports/`` folder, nothing else.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_ROOT.parents[1]


def in_checkout() -> bool:
    """True when running from a source checkout (``pyproject.toml`` and ``datasets/`` beside
    ``src/``), False for an installed wheel."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "datasets").is_dir()


def _datasets_dir() -> Path:
    shipped = PACKAGE_ROOT / "_datasets"
    if (shipped / "registry.toml").is_file():
        return shipped
    return REPO_ROOT / "datasets"  # a checkout without symlink support


DATASETS_DIR = _datasets_dir()


def default_reports_dir() -> Path:
    """The repository's ``reports/`` in a checkout, else ``./reports``."""
    return REPO_ROOT / "reports" if in_checkout() else Path.cwd() / "reports"
