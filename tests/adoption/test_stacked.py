"""The adoption logit and the stacked model against statsmodels and against each other."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from polecon.models.adoption import fit, stacked

TYPES = ("bit", "bfta", "blma")


def simulate(seed: int = 0, n_pairs: int = 120, years: int = 12) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = {}
    pair_effect = rng.normal(0, 0.7, n_pairs)  # shared across types: cross-type correlation
    for k, t in enumerate(TYPES):
        pair = np.repeat(np.arange(n_pairs), years)
        year = np.tile(np.arange(2000, 2000 + years), n_pairs)
        x1 = rng.normal(size=len(pair))
        x2 = (rng.random(len(pair)) < 0.3).astype(float)
        eta = -1.5 + 0.5 * x1 - (0.4 + 0.3 * k) * x2 + pair_effect[pair] + 0.05 * (year - 2000)
        y = (rng.random(len(pair)) < 1 / (1 + np.exp(-eta))).astype(int)
        df = pd.DataFrame(
            {"pair": [f"P{p}" for p in pair], "year": year, "event": y, "x1": x1, "x2": x2}
        )
        df.attrs = {"kind": "risk_set", "type": t}
        out[t] = df
    return out


def stacked_design(sets: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The dense stacked design: every term and year dummy interacted with type, plus the
    outcome ``event`` and the ``pair`` labels."""
    cols = []
    for t, df in sets.items():
        d = pd.DataFrame(index=df.index)
        for c in ("x1", "x2"):
            d[f"{c}:{t}"] = df[c]
        for y in sorted(df["year"].unique()):
            d[f"fe_{t}_{y}"] = (df["year"] == y).astype(float)
        cols.append(d.assign(event=df["event"], pair=df["pair"]))
    return pd.concat(cols, ignore_index=True).fillna(0.0)


def statsmodels_stacked(sets: dict[str, pd.DataFrame]) -> tuple[pd.Series, pd.Series]:
    """A direct dense stacked fit with statsmodels' Logit, clustered by pair."""
    big = stacked_design(sets)
    x = big.drop(columns=["event", "pair"])
    groups = pd.factorize(big["pair"])[0]
    res = sm.Logit(big["event"], x).fit(
        disp=0, method="newton", tol=1e-12, cov_type="cluster", cov_kwds={"groups": groups}
    )
    names = [f"{c}:{t}" for t in sets for c in ("x1", "x2")]
    return res.params[names], res.bse[names]


def test_stacked_suest_equals_joint_and_statsmodels() -> None:
    sets = simulate()
    a = stacked(sets, covariates=["x1", "x2"], time=(), method="suest")
    b = stacked(sets, covariates=["x1", "x2"], time=(), method="joint")
    pd.testing.assert_series_equal(a.params, b.params, rtol=1e-8, atol=1e-10)
    pd.testing.assert_frame_equal(a.vcov, b.vcov, rtol=1e-6, atol=1e-12)
    params, bse = statsmodels_stacked(sets)
    np.testing.assert_allclose(a.params[params.index], params, rtol=0, atol=1e-6)
    np.testing.assert_allclose(a.bse[bse.index], bse, rtol=0, atol=1e-5)
    # cross-type covariance is non-zero (pairs shared across types)
    assert abs(a.vcov.loc["x1:bit", "x1:blma"]) > 0


def test_separate_fit_equals_statsmodels_and_its_block_of_the_stack() -> None:
    sets = simulate(1)
    one = fit(sets["blma"], terms=["x1", "x2"])
    df = sets["blma"]
    x = pd.concat([df[["x1", "x2"]], pd.get_dummies(df["year"], dtype=float)], axis=1)
    x.columns = x.columns.astype(str)
    ref = sm.Logit(df["event"], x).fit(
        disp=0,
        method="newton",
        tol=1e-12,
        cov_type="cluster",
        cov_kwds={"groups": pd.factorize(df["pair"])[0]},
    )
    np.testing.assert_allclose(one.params, ref.params[["x1", "x2"]], atol=1e-6)
    np.testing.assert_allclose(one.bse, ref.bse[["x1", "x2"]], atol=1e-5)
    st = stacked(sets, covariates=["x1", "x2"], time=())
    np.testing.assert_allclose(st.params[["x1:blma", "x2:blma"]], one.params, atol=1e-8)


def test_wald_equality_and_type_effects() -> None:
    sets = simulate(2)
    st = stacked(sets, covariates=["x1", "x2"], time=())
    w = st.equal_across_types("x2")
    names = ["x2:bit", "x2:bfta", "x2:blma"]
    r = np.array([[1, -1, 0], [1, 0, -1]], dtype=float)
    b = st.params[names].to_numpy()
    v = st.vcov.loc[names, names].to_numpy()
    stat = (r @ b) @ np.linalg.solve(r @ v @ r.T, r @ b)
    assert w["df"] == 2 and w["statistic"] == pytest.approx(stat, rel=1e-10)
    te = st.type_effects()
    assert te.columns[:4].tolist() == ["term", "type", "estimate", "std_error"]
    assert len(te) == 6 and set(te["type"]) == set(TYPES)
    assert (
        te.loc[(te.term == "x2") & (te.type == "bfta"), "estimate"].item() == st.params["x2:bfta"]
    )


def test_partially_interacted_joint_matches_statsmodels() -> None:
    sets = simulate(3)
    st = stacked(sets, covariates=["x1", "x2"], interact=["x2"], time=())
    assert st.method == "joint" and "x1" in st.params.index
    frames = []
    for t, df in sets.items():
        d = pd.DataFrame({"x1": df["x1"]})
        for u in TYPES:
            d[f"x2:{u}"] = df["x2"] * (u == t)
        for y in sorted(df["year"].unique()):
            for u in TYPES:
                d[f"fe_{u}_{y}"] = ((df["year"] == y) & (u == t)).astype(float)
        frames.append(d.assign(event=df["event"], pair=df["pair"]))
    big = pd.concat(frames, ignore_index=True)
    ref = sm.Logit(big["event"], big.drop(columns=["event", "pair"])).fit(
        disp=0,
        method="newton",
        tol=1e-12,
        cov_type="cluster",
        cov_kwds={"groups": pd.factorize(big["pair"])[0]},
    )
    np.testing.assert_allclose(st.params, ref.params[st.params.index], atol=1e-6)
    np.testing.assert_allclose(st.bse, ref.bse[st.params.index], atol=1e-5)


def test_bad_input_is_named() -> None:
    sets = simulate(4)
    empty = sets["bit"].iloc[:0]
    empty.attrs = {"type": "bit"}
    with pytest.raises(ValueError, match="risk set 'bit' is empty"):
        fit(empty, terms=["x1"])
    const = sets["bit"].assign(x2=1.0)
    const.attrs = {"type": "bit"}
    with pytest.raises(ValueError, match="covariate 'x2' is constant"):
        fit(const, terms=["x1", "x2"])
    counts = sets["blma"].assign(event=sets["blma"]["event"] * 2)
    counts.attrs = {"type": "blma"}
    with pytest.raises(ValueError, match="outcome 'event' .* is not binary"):
        fit(counts, terms=["x1"])
    flat = sets["bit"].copy()
    flat.loc[flat["year"] == 2000, "event"] = 0
    flat.attrs = {"type": "bit"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit(flat, terms=["x1"])
    assert any("year levels with no variation" in str(w.message) for w in caught)
    assert res.dropped["year_without_variation"] == 120


def test_collinear_covariate_is_named() -> None:
    sets = simulate(6)
    df = sets["bfta"].assign(x3=lambda d: 2 * d["x1"] - d["x2"])
    df.attrs = {"type": "bfta"}
    with pytest.raises(ValueError, match=r"covariates \['x3'\] are collinear .* 'bfta'"):
        fit(df, terms=["x1", "x2", "x3"])
    # a covariate that only varies between years is absorbed by the year effects
    yr = sets["bit"].assign(x4=lambda d: d["year"] * 0.5)
    yr.attrs = {"type": "bit"}
    with pytest.raises(ValueError, match=r"\['x4'\] are collinear"):
        fit(yr, terms=["x1", "x4"])


def test_perfect_prediction_is_named() -> None:
    df = simulate(7)["blma"]
    df = df.assign(x5=((df["event"] == 0) & (df["x1"] > 1.0)).astype(float))
    df.attrs = {"type": "blma"}
    with pytest.raises(
        ValueError, match=r"perfect prediction .*'x5': 'event is always 0 where x5 == 1'"
    ):
        fit(df, terms=["x1", "x5"])


def test_cloglog_suest_equals_joint_and_statsmodels_scores() -> None:
    """The cloglog link: the suest combination of per-type fits (the GLM engine's cluster score
    sums and its observed-information bread) equals the joint stacked fit, and its coefficients
    equal statsmodels' GLM with a cloglog link and type-by-year dummies."""
    sets = simulate(4)
    a = stacked(sets, covariates=["x1", "x2"], time=(), method="suest", link="cloglog")
    b = stacked(sets, covariates=["x1", "x2"], time=(), method="joint", link="cloglog")
    assert a.model == b.model == "cloglog"
    # Fisher scoring for a non-canonical link converges linearly: the separate and the joint
    # fits stop at a relative deviance change of 1e-8 at slightly different points (measured
    # difference 1.9e-6 in one coefficient)
    pd.testing.assert_series_equal(a.params, b.params, rtol=0, atol=1e-5)
    pd.testing.assert_frame_equal(a.vcov, b.vcov, rtol=1e-4, atol=1e-12)
    big = stacked_design(sets).drop(columns="pair")
    fam = sm.families.Binomial(link=sm.families.links.CLogLog())
    ref = sm.GLM(big["event"], big.drop(columns="event"), family=fam).fit(tol=1e-12)
    names = [f"{c}:{t}" for t in sets for c in ("x1", "x2")]
    np.testing.assert_allclose(a.params[names], ref.params[names], atol=1e-5)
