"""Separation in logit/cloglog, on both sides (y = 0 and y = 1), with and without fixed
effects; the LP's time budget exits cleanly as "undecided"."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from polecon.models.glm import SeparationUndecidedWarning, cloglog, logit
from polecon.models.glm.binary_separation import detect_binary_separation


def _data(seed: int = 0, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 30, n)})
    d["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.5 * d["x"]))).astype(float)
    d["dum"] = 0.0
    return d


@pytest.mark.parametrize("side", [1.0, 0.0])
@pytest.mark.parametrize("est", [logit, cloglog])
def test_dummy_that_predicts_the_outcome(side: float, est: object) -> None:
    """Rows with dum == 1 all have y == side: they are dropped as separated, and the fit on
    the rest equals statsmodels on the rest without the dummy."""
    d = _data()
    idx = d.index[:40]
    d.loc[idx, "dum"] = 1.0
    d.loc[idx, "y"] = side
    with pytest.warns(UserWarning, match="dum"):  # the dummy is 0 on every kept row
        r = est("y ~ x + dum", d, vcov="iid")  # type: ignore[operator]
    sep = r.dropped[r.dropped == "separation"].index
    assert sorted(sep) == list(idx)
    rest = d.drop(index=idx)
    fam = sm.families.Binomial(
        sm.families.links.Logit() if est is logit else sm.families.links.CLogLog()
    )
    s = sm.GLM(rest["y"], sm.add_constant(rest[["x"]]), family=fam).fit(tol=1e-12)
    np.testing.assert_allclose(r.params.to_numpy(), s.params.to_numpy(), atol=1e-6)
    assert r.converged


def test_fixed_effect_groups_without_variation_both_sides() -> None:
    d = _data(1)
    d.loc[d["g"] == 3, "y"] = 1.0
    d.loc[d["g"] == 7, "y"] = 0.0
    r = logit("y ~ x | g", d, vcov={"CRV1": "g"})
    n_const = int(d.groupby("g")["y"].transform("nunique").eq(1).sum())
    assert n_const >= int((d["g"].isin([3, 7])).sum())
    assert int((r.dropped == "separation").sum()) == n_const
    assert set(d.loc[r.dropped.index[r.dropped == "separation"], "g"]) >= {3, 7}


def test_joint_fixed_effect_and_regressor_separation() -> None:
    """Within group 0 a group-specific regressor splits y at 0.3: separation needs the group
    intercept (z = b (w - 0.3) there), so only the LP on [X, dummies] finds it."""
    rng = np.random.default_rng(4)
    d = _data(2)
    w = rng.uniform(-1, 1, len(d))
    g0 = d["g"] == 0
    d["xg"] = np.where(g0, w, 0.0)
    d.loc[g0, "y"] = (w[g0] > 0.3).astype(float)
    assert d.loc[g0, "y"].nunique() == 2
    res = detect_binary_separation(
        d["y"].to_numpy(), d[["x", "xg"]].to_numpy(), d[["g"]].to_numpy()
    )
    np.testing.assert_array_equal(res.separated, g0.to_numpy())
    assert res.method[g0.to_numpy()].tolist() == ["simplex"] * int(g0.sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = logit("y ~ x + xg | g", d)
    assert set(r.dropped.index[r.dropped == "separation"]) == set(d.index[g0])
    assert r.converged and np.isfinite(r.params["x"])


def test_quasi_separation_by_a_continuous_regressor() -> None:
    """y = 1[x > 0] except at x == 0 (both outcomes there): the rows with x != 0 are
    separated, the tied rows are not."""
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(size=200), np.zeros(20)])
    y = np.concatenate([(x[:200] > 0).astype(float), np.tile([0.0, 1.0], 10)])
    res = detect_binary_separation(y, np.column_stack([np.ones(220), x]), None)
    np.testing.assert_array_equal(res.separated, x != 0)


def test_lp_time_budget_exits_undecided() -> None:
    d = _data(3)
    d.loc[d.index[:30], "dum"] = 1.0
    d.loc[d.index[:30], "y"] = 1.0
    with pytest.warns(SeparationUndecidedWarning, match="undecided"):
        res = detect_binary_separation(
            d["y"].to_numpy(), d[["x", "dum"]].to_numpy(), None, time_limit=1e-9
        )
    assert res.undecided and not res.separated.any()
