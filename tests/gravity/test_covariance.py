"""Small-sample corrections and sandwich pieces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from polecon.models._core import covariance as cov
from polecon.models.gravity import ols, ppml


def test_yotov_table3_col4_factors() -> None:
    """The worked example of the ppml docstring: K = 3,167, fixest/Stata ratio 1.061 in SE."""
    d = cov.DofInfo(
        n=28482, k=1, fe_sizes=(414, 414, 2340), fe_nested=(False, False, False), n_clusters=(2408,)
    )
    c_fix, df_fix = cov.ssc_factor("fixest", "CRV1", "ppml", d)
    c_sta, df_sta = cov.ssc_factor("stata", "CRV1", "ppml", d)
    assert c_fix == pytest.approx(28481 / (28482 - 3167) * 2408 / 2407, rel=1e-12)
    assert c_fix == pytest.approx(1.1255316, rel=1e-6)  # pyfixest 0.60 reports this _ssc
    assert c_sta == pytest.approx(2408 / 2407, rel=1e-12)
    assert np.sqrt(c_fix / c_sta) * 0.10223531 == pytest.approx(0.10844, abs=5e-5)
    assert df_fix == df_sta == 2407
    # had the pair factor been nested in the clusters, fixest would count 1 for it
    nested = cov.DofInfo(28482, 1, (414, 414, 2340), (False, False, True), (2408,))
    c_nested, _ = cov.ssc_factor("fixest", "CRV1", "ppml", nested)
    assert c_nested == pytest.approx(28481 / (28482 - (1 + 414 + 414 - 2 + 1)) * 2408 / 2407)


def test_stata_factors_ppml_and_ols() -> None:
    d = cov.DofInfo(n=1000, k=2, fe_sizes=(10, 5), fe_nested=(False, False), n_clusters=(40,))
    for model in ("ppml", "ols"):
        assert cov.ssc_factor("stata", "hetero", model, d)[0] == pytest.approx(1000 / 999)
        assert cov.ssc_factor("stata", "CRV1", model, d) == (pytest.approx(40 / 39), 39)
    assert cov.ssc_factor("stata", "iid", "ppml", d)[0] == 1.0
    assert cov.ssc_factor("stata", "iid", "ols", d)[0] == pytest.approx(1 / 999)
    # t-test degrees of freedom: N - (k + 10 + 5 - 1)
    assert cov.ssc_factor("stata", "hetero", "ols", d)[1] == 1000 - 16
    # fixest: K counts the levels; hetero uses N/(N-K)
    assert cov.ssc_factor("fixest", "hetero", "ols", d)[0] == pytest.approx(1000 / 984)
    assert cov.ssc_factor("fixest", "iid", "ols", d)[0] == pytest.approx(1 / 984)
    with pytest.raises(ValueError, match="ssc"):
        cov.ssc_factor("spss", "iid", "ols", d)


def test_multiway_meat_brute_force() -> None:
    rng = np.random.default_rng(0)
    n, k = 200, 3
    s = rng.normal(size=(n, k))
    a = rng.integers(0, 7, n)
    b = rng.integers(0, 5, n)

    def one(codes: np.ndarray) -> np.ndarray:
        m = np.zeros((k, k))
        for g in np.unique(codes):
            v = s[codes == g].sum(axis=0)
            m += np.outer(v, v)
        return m

    expect = one(a) + one(b) - one(a * 100 + b)
    got = cov.meat_cluster(s, [(a, 7), (b, 5)])
    np.testing.assert_allclose(got, expect, rtol=1e-12)
    np.testing.assert_allclose(cov.meat_cluster(s, [(np.arange(n), n)]), s.T @ s, rtol=1e-12)


def test_fix_psd_and_nesting() -> None:
    v = np.array([[1.0, 2.0], [2.0, 1.0]])
    fixed, changed = cov.fix_psd(v)
    assert changed and np.linalg.eigvalsh(fixed).min() >= -1e-12
    assert cov.is_nested(np.array([0, 0, 1, 2]), 3, np.array([5, 5, 6, 6]))
    assert not cov.is_nested(np.array([0, 0, 1]), 2, np.array([5, 6, 6]))


def test_parse_vcov() -> None:
    assert cov.parse_vcov("HC1").kind == "hetero"
    assert cov.parse_vcov({"CRV1": "a+b"}) == cov.VcovSpec("CRV1", "a+b")
    for bad in ("HC3", {"CRV3": "a"}, {"CRV1": ""}, 3):
        with pytest.raises(ValueError, match="vcov"):
            cov.parse_vcov(bad)


def test_fe_nested_in_cluster_matches_pyfixest(panel: pd.DataFrame) -> None:
    """One-way clustering on a fixed-effect factor: fixest counts 1 for the nested factor."""
    for est, pfest, y in ((ols, pf.feols, "yl"), (ppml, pf.fepois, "y")):
        fml = f"{y} ~ x1 + x2 | f1 + f2"
        r = est(fml, panel, vcov={"CRV1": "f1"}, ssc="fixest")
        p = pfest(fml, panel, vcov={"CRV1": "f1"})
        np.testing.assert_allclose(r.bse.to_numpy(), p.se().to_numpy(), rtol=1e-4)
        # Stata preset differs from fixest only by the small-sample factor
        rs = est(fml, panel, vcov={"CRV1": "f1"}, ssc="stata")
        np.testing.assert_allclose(rs.params.to_numpy(), r.params.to_numpy(), rtol=1e-12)


def test_interacted_fe_nested_in_twoway_intersection_matches_pyfixest(panel: pd.DataFrame) -> None:
    """f1^f2 is nested in the intersection of the f1 and f2 clusters (pyfixest counts it so)."""
    r = ols("yl ~ x1 + x2 | f1^f2 + f3", panel, vcov={"CRV1": "f1+f2"}, ssc="fixest")
    p = pf.feols("yl ~ x1 + x2 | f1^f2 + f3", panel, vcov={"CRV1": "f1+f2"})
    assert r.nobs == p._N
    np.testing.assert_allclose(r.bse.to_numpy(), p.se().to_numpy(), rtol=1e-4)
