"""Shared data for the model tests: the peer reference files of the shared snapshot (sha256
checked against its PROVENANCE.md, skipped with a reason when absent) and small simulated
binary panels."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _mirrors() -> list[Path]:
    lines = (ROOT / "datasets" / "mirrors.txt").read_text().splitlines()
    return [(ROOT / s.strip()).resolve() for s in lines if s.strip() and not s.startswith("#")]


def shared_file(relpath: str) -> Path:
    """``relpath`` under the first mirror that holds it, else skip the test."""
    for m in _mirrors():
        if (m / relpath).is_file():
            return m / relpath
    pytest.skip(f"shared snapshot file {relpath!r} not found in {[str(m) for m in _mirrors()]}")


def reference_data(name: str) -> Path:
    """A file of ``tests/adoption_references/``, its sha256 checked against PROVENANCE.md."""
    path = shared_file(f"tests/adoption_references/{name}")
    prov = (path.parents[1] / "PROVENANCE.md").read_text()
    m = re.search(rf"`{re.escape(name)}` \| `([0-9a-f]{{64}})`", prov)
    assert m, f"{name} not listed in PROVENANCE.md"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == m.group(1), f"{name}: sha256 differs"
    return path


def reference_text(name: str) -> str:
    """A file of the shared ``reference/`` folder (beside the data mirror), else skip."""
    for m in _mirrors():
        path = m.parent / "reference" / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"reference file {name!r} not found beside {[str(m) for m in _mirrors()]}")


def binary_panel(
    n_pairs: int = 300,
    n_years: int = 12,
    beta: tuple[float, float] = (0.6, -0.4),
    link: str = "logit",
    fe_sd: float = 0.8,
    seed: int = 0,
) -> pd.DataFrame:
    """Pair-year panel with pair and year effects, two regressors (x1 normal, x2 a pair-level
    draw plus noise), a cluster id and weights; ``y`` from the ``link`` model."""
    rng = np.random.default_rng(seed)
    pair = np.repeat(np.arange(n_pairs), n_years)
    year = np.tile(np.arange(n_years), n_pairs)
    a = rng.normal(-1.0, fe_sd, n_pairs)
    g = rng.normal(0, 0.3, n_years)
    x1 = rng.normal(size=pair.size) + 0.3 * a[pair]
    x2 = rng.normal(size=n_pairs)[pair] + 0.5 * rng.normal(size=pair.size)
    eta = beta[0] * x1 + beta[1] * x2 + a[pair] + g[year]
    p = 1 / (1 + np.exp(-eta)) if link == "logit" else -np.expm1(-np.exp(eta))
    return pd.DataFrame(
        {
            "pair": pair,
            "year": year,
            "x1": x1,
            "x2": x2,
            "y": (rng.uniform(size=pair.size) < p).astype(float),
            "wt": rng.uniform(0.5, 2.0, pair.size),
            "region": pair % 23,
        }
    )


@pytest.fixture(scope="session")
def bpanel() -> pd.DataFrame:
    return binary_panel()


@pytest.fixture(scope="session")
def cross_section() -> pd.DataFrame:
    """4,000 rows without fixed effects: a logit outcome, 40 clusters, a second cluster."""
    rng = np.random.default_rng(7)
    n = 4000
    d = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "d": (rng.uniform(size=n) < 0.3).astype(float),
            "g": rng.integers(0, 40, n),
            "h": rng.integers(0, 25, n),
            "wt": rng.uniform(0.5, 2.0, n),
        }
    )
    eta = -0.7 + 0.8 * d.x1 - 0.5 * d.x2 + 0.6 * d.d + rng.normal(0, 0.5, 40)[d.g]
    d["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return d
