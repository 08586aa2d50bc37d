"""logit, cloglog and lpm against peers called live (statsmodels, pyfixest, linearmodels).

Small-sample conventions named in each test:

- statsmodels ``cov_type="cluster"`` (``use_correction=True``): ``G/(G-1) * (N-1)/(N-K)`` =
  our ``ssc="fixest"`` without fixed effects; our default ``ssc="stata"`` is ``G/(G-1)`` only.
- statsmodels two-way clustering (``groups`` with two columns): each of the three terms of
  the Cameron-Gelbach-Miller sum scaled by its own ``G_S/(G_S-1)`` and by ``(N-1)/(N-K)`` =
  our ``ssc="r-sandwich"`` (per-term G, ``HC0`` for likelihood models) times ``(N-1)/(N-K)``.
- pyfixest ``feglm`` (default ssc ``k_fixef="nonnested"``): our ``ssc="fixest"``.
- linearmodels ``PanelOLS(entity_effects, time_effects).fit(cov_type="clustered",
  cluster_entity=True, group_debias=True)``: ``(N-1)/(N-K) * G/(G-1)`` with K counting every
  effect level = our ``ssc="r-sandwich"``; without ``group_debias`` (the default)
  ``N/(N-K)``, i.e. ours times ``(G-1)/G * N/(N-1)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from polecon.models.glm import cloglog, logit, lpm

CLOGLOG = sm.families.Binomial(sm.families.links.CLogLog())


def _sm_design(d: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    x = sm.add_constant(d[cols])
    return x.rename(columns={"const": "Intercept"})


@pytest.mark.parametrize("ssc", ["fixest", "stata"])
def test_logit_matches_statsmodels_clustered(cross_section: pd.DataFrame, ssc: str) -> None:
    d = cross_section
    r = logit("y ~ x1 + x2 + d", d, vcov={"CRV1": "g"}, ssc=ssc)
    x = _sm_design(d, ["x1", "x2", "d"])
    s = sm.Logit(d["y"], x).fit(disp=0, cov_type="cluster", cov_kwds={"groups": d["g"]}, tol=1e-12)
    np.testing.assert_allclose(r.params.to_numpy(), s.params.to_numpy(), rtol=0, atol=1e-6)
    n, k = len(d), 4
    factor = 1.0 if ssc == "fixest" else np.sqrt((n - k) / (n - 1))
    np.testing.assert_allclose(r.bse.to_numpy(), s.bse.to_numpy() * factor, rtol=1e-4)
    np.testing.assert_allclose(r.loglik, s.llf, rtol=1e-10)
    np.testing.assert_allclose(r.pseudo_r2, s.prsquared, rtol=1e-8)
    assert r.n_clusters == {"g": 40} and r.model == "logit" and r.depvar == "y"


def test_logit_two_way_clustering_matches_statsmodels(cross_section: pd.DataFrame) -> None:
    d = cross_section
    r = logit("y ~ x1 + x2", d, vcov={"CRV1": "g+h"}, ssc="r-sandwich")
    x = _sm_design(d, ["x1", "x2"])
    groups = np.column_stack([d["g"].to_numpy(), d["h"].to_numpy()])
    s = sm.Logit(d["y"], x).fit(disp=0, cov_type="cluster", cov_kwds={"groups": groups})
    n, k = len(d), 3
    np.testing.assert_allclose(
        r.bse.to_numpy() * np.sqrt((n - 1) / (n - k)), s.bse.to_numpy(), rtol=1e-4
    )


def test_logit_weights_match_statsmodels_glm(cross_section: pd.DataFrame) -> None:
    d = cross_section
    r = logit("y ~ x1 + x2", d, vcov="iid", weights="wt")
    x = _sm_design(d, ["x1", "x2"])
    s = sm.GLM(d["y"], x, family=sm.families.Binomial(), var_weights=d["wt"]).fit(tol=1e-12)
    np.testing.assert_allclose(r.params.to_numpy(), s.params.to_numpy(), atol=1e-6)
    np.testing.assert_allclose(r.bse.to_numpy(), s.bse.to_numpy(), rtol=1e-4)


@pytest.mark.parametrize("vcov", ["hetero", {"CRV1": "g"}])
def test_cloglog_matches_statsmodels_glm(cross_section: pd.DataFrame, vcov: object) -> None:
    """Bread: the observed information, as statsmodels GLM (and Stata's ML commands)."""
    d = cross_section
    r = cloglog("y ~ x1 + x2 + d", d, vcov=vcov, ssc="fixest")
    x = _sm_design(d, ["x1", "x2", "d"])
    kw = (
        {"cov_type": "HC0"}
        if vcov == "hetero"
        else {"cov_type": "cluster", "cov_kwds": {"groups": d["g"]}}
    )
    s = sm.GLM(d["y"], x, family=CLOGLOG).fit(tol=1e-13, **kw)
    np.testing.assert_allclose(r.params.to_numpy(), s.params.to_numpy(), rtol=0, atol=1e-6)
    n, k = len(d), 4
    # hetero: statsmodels HC0 has no factor; ours ("fixest") N/(N-K)
    factor = np.sqrt(n / (n - k)) if vcov == "hetero" else 1.0
    np.testing.assert_allclose(r.bse.to_numpy(), s.bse.to_numpy() * factor, rtol=1e-4)
    np.testing.assert_allclose(r.loglik, s.llf, rtol=1e-9)


def test_fe_logit_matches_pyfixest_feglm(bpanel: pd.DataFrame) -> None:
    """pair + year fixed effects, pair-clustered; pairs whose outcome never varies are dropped
    by both (here as "separation"). Both projections at 1e-8."""
    pf = pytest.importorskip("pyfixest")
    r = logit("y ~ x1 + x2 | pair + year", bpanel, vcov={"CRV1": "pair"}, ssc="fixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = pf.feglm(
            "y ~ x1 + x2 | pair + year",
            bpanel,
            family="logit",
            vcov={"CRV1": "pair"},
            fixef_tol=1e-8,
        )
    assert r.nobs == p._N
    constant = bpanel.groupby("pair")["y"].transform(lambda s: s.nunique() == 1)
    assert int((r.dropped == "separation").sum()) == int(constant.sum())
    np.testing.assert_allclose(r.params.to_numpy(), p.coef().to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(r.bse.to_numpy(), p.se().to_numpy(), rtol=1e-4)
    assert r.fixef_names == ["pair", "year"]


def test_fe_logit_equals_dummy_logit(bpanel: pd.DataFrame) -> None:
    """Fixed effects by projection equal explicit dummies in statsmodels (varying pairs)."""
    d = bpanel[bpanel.groupby("pair")["y"].transform("nunique") > 1].reset_index(drop=True)
    r = logit("y ~ x1 + x2 | pair + year", d, vcov="iid")
    x = pd.get_dummies(d[["pair", "year"]].astype(str), drop_first=False, dtype=float)
    x = pd.concat([d[["x1", "x2"]], x.drop(columns="year_0")], axis=1)
    s = sm.Logit(d["y"], x).fit(disp=0, method="newton", maxiter=100, tol=1e-12)
    np.testing.assert_allclose(r.params.to_numpy(), s.params[["x1", "x2"]].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(r.bse.to_numpy(), s.bse[["x1", "x2"]].to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(r.loglik, s.llf, rtol=1e-9)


@pytest.mark.parametrize("dummy", [False, True])
def test_margins_match_statsmodels(cross_section: pd.DataFrame, dummy: bool) -> None:
    d = cross_section
    r = logit("y ~ x1 + x2 + d", d, vcov={"CRV1": "g"}, ssc="fixest")
    x = _sm_design(d, ["x1", "x2", "d"])
    s = sm.Logit(d["y"], x).fit(disp=0, cov_type="cluster", cov_kwds={"groups": d["g"]}, tol=1e-12)
    me = s.get_margeff(at="overall", method="dydx", dummy=dummy)
    m = r.margins(dummy=dummy)
    assert list(m["term"]) == ["x1", "x2", "d"]
    np.testing.assert_allclose(m["estimate"].to_numpy(), me.margeff, rtol=1e-6)
    np.testing.assert_allclose(m["std_error"].to_numpy(), me.margeff_se, rtol=1e-4)


@pytest.mark.parametrize("est", [logit, cloglog])
def test_predicted_hazard_delta_method(cross_section: pd.DataFrame, est: object) -> None:
    """Average predicted probability and its SE against a finite-difference delta method."""
    d = cross_section
    r = est("y ~ x1 + x2", d, vcov={"CRV1": "g"})  # type: ignore[operator]
    x = _sm_design(d, ["x1", "x2"]).to_numpy()
    b = r.params.to_numpy()

    def avg(bb: np.ndarray) -> float:
        return float(np.mean(r.family.linkinv(x @ bb)))

    h = 1e-6
    grad = np.array([(avg(b + h * e) - avg(b - h * e)) / (2 * h) for e in np.eye(b.size)])
    se = float(np.sqrt(grad @ r.vcov.to_numpy() @ grad))
    m = r.margins(kind="predict")
    assert m["term"].tolist() == ["Pr(y=1)"]
    assert m["estimate"].iloc[0] == pytest.approx(d["y"].mean() if est is logit else avg(b), 1e-8)
    assert m["std_error"].iloc[0] == pytest.approx(se, rel=1e-5)


def test_lpm_matches_linearmodels_panelols(bpanel: pd.DataFrame) -> None:
    lm = pytest.importorskip("linearmodels")
    r = lpm("y ~ x1 + x2 | pair + year", bpanel, vcov={"CRV1": "pair"}, ssc="r-sandwich")
    dd = bpanel.set_index(["pair", "year"])
    mod = lm.PanelOLS(dd["y"], dd[["x1", "x2"]], entity_effects=True, time_effects=True)
    ref = mod.fit(cov_type="clustered", cluster_entity=True, group_debias=True)
    np.testing.assert_allclose(r.params.to_numpy(), ref.params.to_numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(r.bse.to_numpy(), ref.std_errors.to_numpy(), rtol=1e-8)
    default = mod.fit(cov_type="clustered", cluster_entity=True)
    n, g = len(bpanel), bpanel["pair"].nunique()
    np.testing.assert_allclose(
        r.bse.to_numpy() * np.sqrt((g - 1) / g * n / (n - 1)),
        default.std_errors.to_numpy(),
        rtol=1e-8,
    )
    # the default ("stata"): G/(G-1) only
    rs = lpm("y ~ x1 + x2 | pair + year", bpanel, vcov={"CRV1": "pair"})
    k = 2 + bpanel["pair"].nunique() + bpanel["year"].nunique() - 1
    np.testing.assert_allclose(
        rs.bse.to_numpy() * np.sqrt((n - 1) / (n - k)), r.bse.to_numpy(), rtol=1e-10
    )
    assert r.model == "lpm" and r.r2 is not None


def test_bias_correction_matches_dummy_formula(bpanel: pd.DataFrame) -> None:
    """The correction equals Fernandez-Val & Weidner's formula computed from an explicit-dummy
    statsmodels fit (H from the dummy Hessian's Schur complement, group sums by pandas)."""
    d = bpanel[bpanel.groupby("pair")["y"].transform("nunique") > 1].reset_index(drop=True)
    r = logit("y ~ x1 + x2 | pair + year", d, vcov="iid", bias_correction=True)
    x = pd.get_dummies(d[["pair", "year"]].astype(str), dtype=float).drop(columns="year_0")
    full = pd.concat([d[["x1", "x2"]], x], axis=1)
    s = sm.Logit(d["y"], full).fit(disp=0, method="newton", maxiter=100, tol=1e-12)
    mu = s.predict()
    w = mu * (1 - mu)
    z = w * (1 - 2 * mu)
    hess = full.to_numpy().T @ (full.to_numpy() * w[:, None])
    h_bb = np.linalg.inv(np.linalg.inv(hess)[:2, :2])  # Schur complement: X~'WX~
    # X~: residual of the w-weighted projection of x on the dummies
    dm = x.to_numpy()
    coef = np.linalg.lstsq(
        dm * np.sqrt(w)[:, None], d[["x1", "x2"]].to_numpy() * np.sqrt(w)[:, None], rcond=None
    )[0]
    xt = d[["x1", "x2"]].to_numpy() - dm @ coef
    b = np.zeros(2)
    for fe in ("pair", "year"):
        num = pd.DataFrame(xt * z[:, None]).groupby(d[fe].to_numpy()).sum().to_numpy()
        den = pd.Series(w).groupby(d[fe].to_numpy()).sum().to_numpy()
        b += (num / den[:, None]).sum(axis=0) / 2
    # FW (2016): B = -b (the third index derivative of the logit likelihood is -z), and
    # beta_bc = beta - H^{-1} B; the Monte Carlo test checks the direction against the truth
    expected = s.params[["x1", "x2"]].to_numpy() + np.linalg.solve(h_bb, b)
    np.testing.assert_allclose(r.params.to_numpy(), expected, atol=1e-6)
    np.testing.assert_allclose(
        r.params_uncorrected.to_numpy(), s.params[["x1", "x2"]].to_numpy(), atol=1e-6
    )
    assert r.bias_corrected
