"""Synthetic data for the gravity-engine tests (small, deterministic)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_panel(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Rows with three crossed factors (f1: 30, f2: 20, f3: 6 levels), two regressors, a
    Poisson outcome ``y`` (about 30% zeros), a linear outcome ``yl``, a cluster id ``cl``
    (60 levels), positive weights ``wt`` and an offset ``lexp``."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "f1": rng.integers(0, 30, n),
            "f2": rng.integers(0, 20, n),
            "f3": rng.integers(0, 6, n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "cl": rng.integers(0, 60, n),
            "wt": rng.uniform(0.5, 2.0, n),
            "lexp": rng.normal(0, 0.3, n),
        }
    )
    a1 = rng.normal(0, 0.5, 30)
    a2 = rng.normal(0, 0.5, 20)
    a3 = rng.normal(0, 0.3, 6)
    eta = 0.4 * d.x1 - 0.3 * d.x2 + a1[d.f1] + a2[d.f2] + a3[d.f3] - 0.2
    d["y"] = rng.poisson(np.exp(eta + d.lexp)).astype(float)
    d["yl"] = eta + rng.normal(size=n)
    # string labels for one factor, to exercise factorisation of objects
    d["f2s"] = "g" + d["f2"].astype(str)
    return d


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    return make_panel()


@pytest.fixture(scope="session")
def small_panel() -> pd.DataFrame:
    """Small enough for explicit dummy regressions in statsmodels."""
    return make_panel(n=400, seed=3)
