"""The shared core: clustered-SE conventions against R sandwich's reference values (parsed
from ``reference/adoption_targets.md``), Wald tests against statsmodels, the results
protocol on a minimal subclass, the eigenvalue fix of multi-way matrices."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from polecon.models._core import TIDY_COLUMNS, ModelResults, wald_test
from polecon.models._core.covariance import FewClustersWarning, fix_psd, sandwich
from polecon.models._core.hypotheses import HypothesisError, parse_restrictions
from polecon.models.glm import logit, ols

from .conftest import reference_data, reference_text

_NUM = r"(-?\d+\.\d+)"


@pytest.fixture(scope="module")
def petersen() -> pd.DataFrame:
    pyreadr = pytest.importorskip("pyreadr")
    d = pyreadr.read_r(str(reference_data("sandwich_PetersenCL.rda")))["PetersenCL"]
    d["yb"] = (d["y"] > 0).astype(float)
    return d


@pytest.fixture(scope="module")
def targets() -> dict[str, object]:
    """R sandwich 3.0-2 values for PetersenCL, parsed from the reference file."""
    text = reference_text("adoption_targets.md")
    sec = text[text.index("## Clustered-SE conventions") : text.index("## Firth")]
    ols_coef = re.search(rf"OLS `y ~ x`: coefficients {_NUM}, {_NUM}", sec)
    rows = dict(
        (m.group(1), (float(m.group(2)), float(m.group(3))))
        for m in re.finditer(rf"\| (firm|year|firm \+ year) \| {_NUM} \| {_NUM} \|", sec)
    )
    lg = re.search(
        rf"Logit .*?coefficients {_NUM}, {_NUM}; firm-clustered SE of x:\s+{_NUM} \(HC0.*?"
        rf"and {_NUM} \(HC1\)",
        sec,
        re.S,
    )
    assert ols_coef and lg and len(rows) == 3
    return {
        "ols_coef": (float(ols_coef.group(1)), float(ols_coef.group(2))),
        "ols_se": rows,
        "logit_coef": (float(lg.group(1)), float(lg.group(2))),
        "logit_se_hc0": float(lg.group(3)),
        "logit_se_hc1": float(lg.group(4)),
    }


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("cluster", "key", "ssc"),
    [
        # vcovCL(lm) defaults: HC1 and G/(G-1); one-way equals fixest's convention
        ("firm", "firm", "fixest"),
        ("firm", "firm", "r-sandwich"),
        ("year", "year", "fixest"),
        ("year", "year", "r-sandwich"),
        # two-way: each term of the CGM sum with its own G_S/(G_S-1), no eigenvalue fix
        ("firm+year", "firm + year", "r-sandwich"),
    ],
)
def test_ols_clustered_conventions_match_r_sandwich(
    petersen: pd.DataFrame, targets: dict, cluster: str, key: str, ssc: str
) -> None:
    r = ols("y ~ x", petersen, vcov={"CRV1": cluster}, ssc=ssc)
    np.testing.assert_allclose(r.params.to_numpy(), targets["ols_coef"], rtol=1e-10)
    np.testing.assert_allclose(r.bse.to_numpy(), targets["ols_se"][key], rtol=1e-9)


@pytest.mark.realdata
def test_two_way_min_g_convention_differs_from_r(petersen: pd.DataFrame, targets: dict) -> None:
    """fixest/reghdfe scale the whole two-way sum by min(G)/(min(G)-1): larger than R's."""
    r = ols("y ~ x", petersen, vcov={"CRV1": "firm+year"}, ssc="fixest")
    assert np.all(r.bse.to_numpy() > np.asarray(targets["ols_se"]["firm + year"]) * 1.02)


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("ssc", "key"),
    [("stata", "logit_se_hc0"), ("r-sandwich", "logit_se_hc0"), ("fixest", "logit_se_hc1")],
)
def test_logit_clustered_conventions_match_r_sandwich(
    petersen: pd.DataFrame, targets: dict, ssc: str, key: str
) -> None:
    """glm default HC0 x G/(G-1) = ssc "stata" / "r-sandwich"; HC1 = ssc "fixest".

    Tolerance 1e-6 relative: R's glm stops at a relative deviance change of 1e-8, so its
    estimate (and the SE evaluated there) carries errors of a few 1e-8; HC0 and HC1 differ by
    1e-4 relative, far outside it."""
    r = logit("yb ~ x", petersen, vcov={"CRV1": "firm"}, ssc=ssc)
    np.testing.assert_allclose(r.params.to_numpy(), targets["logit_coef"], rtol=1e-8)
    assert r.bse["x"] == pytest.approx(targets[key], rel=1e-6)


def test_wald_test_matches_statsmodels() -> None:
    rng = np.random.default_rng(2)
    n = 500
    d = pd.DataFrame(
        {"x1": rng.normal(size=n), "x2": rng.normal(size=n), "g": rng.integers(0, 30, n)}
    )
    d["y"] = 1 + 0.5 * d.x1 + 0.45 * d.x2 + rng.normal(size=n)
    r = ols("y ~ x1 + x2", d, vcov={"CRV1": "g"}, ssc="fixest")
    s = sm.OLS(d.y, sm.add_constant(d[["x1", "x2"]])).fit(
        cov_type="cluster", cov_kwds={"groups": d.g}
    )
    ours = r.wald_test("x1 = x2, x1 + 2*x2 = 1.5")
    rm = np.array([[0, 1, -1], [0, 1, 2]])
    theirs = s.wald_test((rm, np.array([0, 1.5])), scalar=True, use_f=False)
    assert ours.dist_name == "F" and ours.df == 2 and ours.df_denom == 29
    assert ours.stat * 2 == pytest.approx(float(theirs.statistic), rel=1e-6)
    chi = wald_test(r.params, r.vcov, rm, [0, 1.5])
    assert chi.stat == pytest.approx(float(theirs.statistic), rel=1e-6)
    assert chi.pval == pytest.approx(float(theirs.pvalue), rel=1e-5)
    assert ours["statistic"] == ours.statistic


def test_restriction_parser() -> None:
    names = ["Intercept", "np.log(d)", "C(g)[T.b-c]", "x"]
    r, q, eqs = parse_restrictions(["2*np.log(d) - x = 1", "C(g)[T.b-c] + 0.5 = x"], names)
    np.testing.assert_array_equal(r, [[0, 2, 0, -1], [0, 0, 1, -1]])
    np.testing.assert_array_equal(q, [1, -0.5])
    assert eqs == ["2*np.log(d) - x = 1", "C(g)[T.b-c] + 0.5 = x"]
    for bad in ("z = 0", "x = x", "x +", "x = 0 = 1"):
        with pytest.raises(HypothesisError):
            parse_restrictions(bad, names)


@dataclass
class _Minimal(ModelResults):
    params: pd.Series
    vcov: pd.DataFrame
    nobs: int = 10
    depvar: str = "y"
    vcov_type: str = "iid"
    model: str = "cox"
    pseudo_r2: float | None = None
    n_clusters: dict[str, int] = field(default_factory=dict)


def test_results_protocol_on_a_minimal_subclass() -> None:
    p = pd.Series([1.0, -2.0], index=["a", "b"])
    v = pd.DataFrame([[0.25, 0.0], [0.0, 1.0]], index=p.index, columns=p.index)
    r = _Minimal(p, v)
    t = r.tidy()
    assert tuple(t.columns) == TIDY_COLUMNS
    np.testing.assert_allclose(t["std_error"], [0.5, 1.0])
    np.testing.assert_allclose(t["conf_low"], [1 - 1.959963984540054 * 0.5, -2 - 1.959963984540054])
    assert list(r.conf_int().columns) == ["conf_low", "conf_high"]
    assert r.wald_test("a = 0").stat == pytest.approx(4.0)
    assert "cox" in r.summary() and "a" in r.summary()


def test_fix_psd_and_sandwich_two_way() -> None:
    v = np.array([[1.0, 2.0], [2.0, 1.0]])
    fixed, changed = fix_psd(v)
    assert changed and np.linalg.eigvalsh(fixed).min() >= -1e-12
    rng = np.random.default_rng(0)
    s = rng.normal(size=(50, 2))
    a, b = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    out = sandwich("CRV1", np.eye(2), s, [(a, 3), (b, 3)], 1.0, psd_fix=True)
    assert np.linalg.eigvalsh(out).min() >= -1e-12


def test_few_clusters_warn_and_one_cluster_errors(cross_section: pd.DataFrame) -> None:
    d = cross_section.assign(c5=cross_section["g"] % 5, c1=0)
    with pytest.warns(FewClustersWarning, match="unreliable with fewer than 10"):
        logit("y ~ x1", d, vcov={"CRV1": "c5"})
    with pytest.raises(ValueError, match="at least 2 clusters"):
        logit("y ~ x1", d, vcov={"CRV1": "c1"})


def test_plain_column_design_equals_formulaic_design() -> None:
    """Formulas of bare numeric columns take the arrays from the frame directly (formulaic
    builds only the model spec); the design, the fit and predict() equal formulaic's path,
    forced here by writing a regressor as ``I(x2)`` (same values, not a bare name)."""
    import polecon
    from polecon.models._core.data import _plain_columns, build
    from polecon.models._core.formula import parse_formula

    rng = np.random.default_rng(3)
    n = 400
    df = pd.DataFrame(
        {
            "y": rng.poisson(2.0, n).astype(float),
            "x1": rng.normal(size=n),
            "x2": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "g": rng.integers(0, 20, n),
        }
    )
    df.loc[[3, 50], "x2"] = pd.NA
    fast, slow = parse_formula("y ~ x1 + x2 | g"), parse_formula("y ~ x1 + I(x2) | g")
    assert _plain_columns(fast, df) == ("y", ["x1", "x2"])
    assert _plain_columns(slow, df) is None
    a, b = build(fast, df), build(slow, df)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.n == b.n == n - 2 and list(a.dropped.index) == [3, 50]
    ra = polecon.ppml("y ~ x1 + x2 | g", df)
    rb = polecon.ppml("y ~ x1 + I(x2) | g", df)
    np.testing.assert_allclose(ra.params.to_numpy(), rb.params.to_numpy(), rtol=1e-12)
    new = df.head(10)
    np.testing.assert_allclose(ra.predict(new), rb.predict(new), rtol=1e-12)
