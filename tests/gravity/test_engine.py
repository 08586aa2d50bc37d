"""Gravity engine: estimates against pyfixest and statsmodels, bookkeeping, fixef/predict."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import statsmodels.api as sm

import polecon
from polecon.models.gravity import CollinearityWarning, ConvergenceWarning, ols, ppml

VCOVS = ["iid", "hetero", {"CRV1": "cl"}, {"CRV1": "f1+f2"}]
COEF_RTOL = 1e-6
SE_RTOL = 1e-4


def _close(a: np.ndarray, b: np.ndarray, rtol: float) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=0)


def test_top_level_aliases() -> None:
    assert polecon.ppml is ppml
    assert polecon.ols is ols


@pytest.mark.parametrize("vcov", VCOVS, ids=str)
def test_ppml_matches_pyfixest(panel: pd.DataFrame, vcov: object) -> None:
    fml = "y ~ x1 + x2 | f1 + f2 + f3"
    r = ppml(fml, panel, vcov=vcov, ssc="fixest")
    p = pf.fepois(fml, panel, vcov=vcov)
    assert r.converged
    assert r.nobs == p._N
    _close(r.params.to_numpy(), p.coef().to_numpy(), COEF_RTOL)
    _close(r.bse.to_numpy(), p.se().to_numpy(), SE_RTOL)
    # deviance, log-likelihood and McFadden pseudo R2 of the same fit
    _close(r.deviance, p.deviance, 1e-6)
    _close(r.loglik, p._loglik, 1e-8)
    _close(r.pseudo_r2, p._pseudo_r2, 1e-8)


@pytest.mark.parametrize("vcov", VCOVS, ids=str)
def test_ols_matches_pyfixest(panel: pd.DataFrame, vcov: object) -> None:
    fml = "yl ~ x1 + x2 | f1 + f2 + f3"
    r = ols(fml, panel, vcov=vcov, ssc="fixest")
    p = pf.feols(fml, panel, vcov=vcov)
    _close(r.params.to_numpy(), p.coef().to_numpy(), COEF_RTOL)
    _close(r.bse.to_numpy(), p.se().to_numpy(), SE_RTOL)
    _close(r.r2, p._r2, 1e-8)
    _close(r.r2_within, p._r2_within, 1e-8)


def test_interacted_fe_weights_offset_match_pyfixest(panel: pd.DataFrame) -> None:
    fml = "y ~ x1 + x2 | f1^f3 + f2s"
    r = ppml(fml, panel, vcov={"CRV1": "cl"}, ssc="fixest", weights="wt", offset="lexp")
    p = pf.fepois(fml, panel, vcov={"CRV1": "cl"}, weights="wt", offset="lexp")
    _close(r.params.to_numpy(), p.coef().to_numpy(), COEF_RTOL)
    _close(r.bse.to_numpy(), p.se().to_numpy(), SE_RTOL)
    fml = "yl ~ x1 + x2 | f1^f3 + f2s"
    r = ols(fml, panel, vcov={"CRV1": "cl"}, ssc="fixest", weights="wt")
    p = pf.feols(fml, panel, vcov={"CRV1": "cl"}, weights="wt")
    _close(r.params.to_numpy(), p.coef().to_numpy(), COEF_RTOL)
    _close(r.bse.to_numpy(), p.se().to_numpy(), SE_RTOL)


def test_no_fixed_effects_intercept_matches_pyfixest(panel: pd.DataFrame) -> None:
    r = ppml("y ~ x1 + x2", panel, vcov="hetero", ssc="fixest")
    p = pf.fepois("y ~ x1 + x2", panel, vcov="hetero")
    assert list(r.params.index) == ["Intercept", "x1", "x2"]
    _close(r.params.to_numpy(), p.coef().to_numpy(), COEF_RTOL)
    _close(r.bse.to_numpy(), p.se().to_numpy(), SE_RTOL)


def _dummies(d: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return pd.get_dummies(d[cols].astype(str), drop_first=True, dtype=float)


def test_ppml_matches_statsmodels_dummies(small_panel: pd.DataFrame) -> None:
    d = small_panel
    X = pd.concat([d[["x1", "x2"]], _dummies(d, ["f1", "f2"])], axis=1)
    X = sm.add_constant(X)
    glm = sm.GLM(d["y"], X, family=sm.families.Poisson(), offset=d["lexp"])
    ref_hc0 = glm.fit(cov_type="HC0", tol=1e-13)
    ref_cl = glm.fit(
        cov_type="cluster",
        cov_kwds={"groups": d["cl"].to_numpy(), "use_correction": False},
        tol=1e-13,
    )
    n, g = len(d), d["cl"].nunique()
    r = ppml("y ~ x1 + x2 | f1 + f2", d, vcov="hetero", offset="lexp", ssc="stata")
    assert r.nobs == n  # no singletons in this design
    _close(r.params.to_numpy(), ref_hc0.params[["x1", "x2"]].to_numpy(), COEF_RTOL)
    # Stata (ppmlhdfe) robust = HC0 * N/(N-1)
    _close(r.bse.to_numpy(), ref_hc0.bse[["x1", "x2"]].to_numpy() * np.sqrt(n / (n - 1)), SE_RTOL)
    rc = ppml("y ~ x1 + x2 | f1 + f2", d, vcov={"CRV1": "cl"}, offset="lexp", ssc="stata")
    # Stata (ppmlhdfe) cluster = raw CRV * G/(G-1)
    _close(rc.bse.to_numpy(), ref_cl.bse[["x1", "x2"]].to_numpy() * np.sqrt(g / (g - 1)), SE_RTOL)
    _close(r.deviance, ref_hc0.deviance, 1e-6)


def test_ols_matches_statsmodels_dummies(small_panel: pd.DataFrame) -> None:
    d = small_panel
    X = sm.add_constant(pd.concat([d[["x1", "x2"]], _dummies(d, ["f1", "f2"])], axis=1))
    ref = sm.WLS(d["yl"], X, weights=d["wt"]).fit()
    r = ols("yl ~ x1 + x2 | f1 + f2", d, vcov="iid", weights="wt", ssc="fixest")
    _close(r.params.to_numpy(), ref.params[["x1", "x2"]].to_numpy(), COEF_RTOL)
    # fixest iid = classical OLS with K = all parameters: statsmodels' nonrobust
    _close(r.bse.to_numpy(), ref.bse[["x1", "x2"]].to_numpy(), SE_RTOL)
    rh = ols("yl ~ x1 + x2 | f1 + f2", d, vcov="hetero", weights="wt", ssc="fixest")
    _close(rh.bse.to_numpy(), ref.HC1_se[["x1", "x2"]].to_numpy(), SE_RTOL)
    # Stata asymptotic preset: HC0 * N/(N-1)
    rs = ols("yl ~ x1 + x2 | f1 + f2", d, vcov="hetero", weights="wt", ssc="stata")
    n = len(d)
    _close(rs.bse.to_numpy(), ref.HC0_se[["x1", "x2"]].to_numpy() * np.sqrt(n / (n - 1)), SE_RTOL)
    _close(r.r2, ref.rsquared, 1e-8)


def test_missing_singleton_and_zero_weight_reporting(panel: pd.DataFrame) -> None:
    d = panel.copy()
    d.index = pd.RangeIndex(1000, 1000 + len(d))
    d.loc[1003, "x1"] = np.nan
    d.loc[1010, "f2"] = np.nan
    d.loc[1011, "y"] = np.nan
    d.loc[1020, "f1"] = 999  # a singleton level of f1
    d.loc[1030, "wt"] = 0.0
    r = ppml("y ~ x1 + x2 | f1 + f2", d, weights="wt")
    assert r.dropped.loc[[1003, 1010, 1011]].eq("missing").all()
    assert r.dropped.loc[1020] == "singleton"
    assert r.dropped.loc[1030] == "zero_weight"
    assert r.nobs + len(r.dropped) == len(d)
    assert not r.dropped.index.duplicated().any()
    # the log of a zero outcome is non-finite -> its own documented reason "non_finite"
    d2 = panel.assign(ypos=panel["y"] + 1.0)
    d2.loc[5, "ypos"] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ro = ols("np.log(ypos) ~ x1 | f1", d2)
    assert ro.dropped.loc[5] == "non_finite"
    assert ro.nobs == len(d2) - 1


def test_singletons_dropped_iteratively() -> None:
    # row 4 is alone in a=2; dropping it leaves row 3 alone in b=1
    d = pd.DataFrame(
        {
            "y": [1.0, 2, 3, 4, 5, 1, 2],
            "x": [0.1, 0.5, 0.2, 0.9, 0.3, 0.7, 0.4],
            "a": [0, 0, 1, 1, 2, 0, 1],
            "b": [0, 0, 0, 1, 1, 0, 0],
        }
    )
    r = ols("y ~ x | a + b", d)
    assert set(r.dropped[r.dropped == "singleton"].index) == {3, 4}


def test_fixef_and_predict_round_trip(panel: pd.DataFrame) -> None:
    for fit in (
        ppml("y ~ x1 + x2 | f1 + f2^f3", panel, offset="lexp"),
        ols("yl ~ x1 + x2 | f1 + f2^f3", panel),
    ):
        fe = fit.fixef()
        assert set(fe) == {"f1", "f2^f3"}
        assert fe["f2^f3"].iloc[0] == 0.0  # normalisation of factors after the first
        link_fit = fit.predict(type="link")
        link_new = fit.predict(panel, type="link")
        np.testing.assert_allclose(link_new.loc[link_fit.index], link_fit, rtol=1e-9, atol=1e-9)
        # by hand: x'b + fe1 + fe2^3 (+ offset)
        manual = (
            panel["x1"] * fit.params["x1"]
            + panel["x2"] * fit.params["x2"]
            + fe["f1"].loc[panel["f1"]].to_numpy()
            + fe["f2^f3"].loc[list(zip(panel["f2"], panel["f3"], strict=True))].to_numpy()
        )
        if fit.model == "ppml":
            manual = manual + panel["lexp"]
            np.testing.assert_allclose(fit.predict(panel), np.exp(manual), rtol=1e-9)
        np.testing.assert_allclose(link_new, manual, rtol=1e-9, atol=1e-9)
    # unseen level -> NaN
    new = panel.head(3).copy()
    new.loc[new.index[0], "f1"] = 12345
    p = fit.predict(new)
    assert np.isnan(p.iloc[0]) and np.isfinite(p.iloc[1:]).all()


def test_ppml_first_order_conditions(panel: pd.DataFrame) -> None:
    r = ppml("y ~ x1 + x2 | f1 + f2", panel, tol=1e-12)
    mu = r.predict()
    resid = panel.loc[mu.index, "y"] - mu
    # X'(y - mu) = 0 and, per level of each factor, sum(y - mu) = 0
    for x in ("x1", "x2"):
        assert abs(float((panel.loc[mu.index, x] * resid).sum())) < 1e-6 * float(mu.sum())
    for f in ("f1", "f2"):
        assert resid.groupby(panel.loc[mu.index, f]).sum().abs().max() < 1e-6 * float(mu.sum())


def test_non_convergence_warns(panel: pd.DataFrame) -> None:
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        r = ppml("y ~ x1 + x2 | f1 + f2", panel, maxiter=1)
    assert not r.converged


def test_collinear_regressors_dropped(panel: pd.DataFrame) -> None:
    d = panel.assign(x3=2 * panel["x1"] - panel["x2"], zf=panel["f1"] * 0.5)
    with pytest.warns(CollinearityWarning, match="x3"):
        r = ppml("y ~ x1 + x2 + x3 + zf | f1 + f2", d)
    assert r.collinear == ["x3", "zf"]
    assert list(r.params.index) == ["x1", "x2"]
    ref = ppml("y ~ x1 + x2 | f1 + f2", d)
    _close(r.params.to_numpy(), ref.params.to_numpy(), 1e-8)
    with pytest.warns(CollinearityWarning):
        ro = ols("yl ~ x1 + zf | f1", d)
    assert ro.collinear == ["zf"]


def test_results_accessors(panel: pd.DataFrame) -> None:
    r = ppml("y ~ x1 + x2 | f1 + f2", panel, vcov={"CRV1": "cl"})
    t = r.tidy()
    assert list(t.columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    ci = r.conf_int(0.1)
    z = 1.6448536269514722  # normal 95% quantile: PPML inference is asymptotic normal
    np.testing.assert_allclose(ci["conf_low"], r.params - z * r.bse, rtol=1e-12)
    np.testing.assert_allclose(ci["conf_high"], r.params + z * r.bse, rtol=1e-12)
    np.testing.assert_allclose(t["conf_low"].to_numpy(), r.conf_int()["conf_low"].to_numpy())
    assert 0 < r.pseudo_r2 < 1
    assert r.vcov.shape == (2, 2) and list(r.vcov.index) == ["x1", "x2"]
    text = r.summary()
    assert "x1" in text and "pseudo R²" in text and "CRV1 clustered by cl" in text
    assert r.n_clusters == {"cl": panel["cl"].nunique()}


def test_ppml_rejects_negative_outcome(panel: pd.DataFrame) -> None:
    d = panel.copy()
    d.loc[7, "y"] = -1.0
    with pytest.raises(ValueError, match="must be >= 0.*7"):
        ppml("y ~ x1 | f1", d)


def test_bad_vcov_and_ssc(panel: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="vcov"):
        ppml("y ~ x1 | f1", panel, vcov="HC7")
    with pytest.raises(ValueError, match="ssc"):
        ppml("y ~ x1 | f1", panel, ssc="sas")


def test_separation_rows_reported() -> None:
    # level a=3 has only zero outcomes: its rows are separated (fe check)
    rng = np.random.default_rng(1)
    n = 300
    d = pd.DataFrame(
        {"a": rng.integers(0, 4, n), "b": rng.integers(0, 5, n), "x": rng.normal(size=n)}
    )
    d["y"] = rng.poisson(np.exp(0.3 * d["x"])).astype(float)
    d.loc[d["a"] == 3, "y"] = 0.0
    r = ppml("y ~ x | a + b", d)
    sep = r.dropped[r.dropped == "separation"].index
    assert set(sep) == set(d.index[d["a"] == 3])
    assert r.converged
    assert "a" in r.fixef() and 3 not in r.fixef()["a"].index


def test_warnings_are_quiet_on_clean_fit(panel: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ppml("y ~ x1 + x2 | f1 + f2", panel, vcov={"CRV1": "cl"})


def test_results_do_not_depend_on_thread_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row blocks are fixed, so 1 and 2 numba threads give bit-identical estimates."""
    import numba

    rng = np.random.default_rng(5)
    n = 60_000
    d = pd.DataFrame(
        {"a": rng.integers(0, 300, n), "b": rng.integers(0, 200, n), "x": rng.normal(size=n)}
    )
    d["y"] = rng.poisson(np.exp(0.2 * d["x"] + 0.01 * (d["a"] % 7))).astype(float)
    prev = numba.get_num_threads()
    out = []
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            r = ppml("y ~ x | a + b", d, vcov={"CRV1": "a"})
            out.append((r.params.to_numpy(), r.bse.to_numpy()))
    finally:
        numba.set_num_threads(prev)
    assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])


def test_demean_contract_matches_least_squares() -> None:
    from polecon.models._core.demean import demean

    rng = np.random.default_rng(2)
    n = 1500
    fe = np.column_stack([rng.integers(0, 30, n), rng.integers(0, 20, n), rng.integers(5, 15, n)])
    x = rng.normal(size=(n, 2))
    w = rng.uniform(0.5, 2.0, n)
    xd, ok = demean(x, fe, w, tol=1e-12)
    dummies = np.column_stack(
        [(fe[:, j][:, None] == np.unique(fe[:, j])[None, :]).astype(float) for j in range(3)]
    )
    sw = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(dummies * sw, x * sw, rcond=None)[0]
    assert ok
    np.testing.assert_allclose(xd, x - dummies @ coef, atol=1e-9)
    # 1-d input and a warm start (the fixed-effect part of x) give the same answer
    xd1, ok1 = demean(x[:, 0], fe, w, tol=1e-12, init=(x - xd)[:, 0])
    assert ok1
    np.testing.assert_allclose(xd1, xd[:, 0], atol=1e-9)
