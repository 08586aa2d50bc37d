"""polecon.cox against R survival (reference values parsed from adoption_targets.md), against
itself on split counting-process data, and against statsmodels PHReg where PHReg is right.

Conventions named: R ``coxph`` Efron and Breslow ties; robust SE = Lin-Wei, score residuals
summed by ``cluster()``, no small-sample factor (``V S'S V``).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg

from polecon.models.survival import ModelInputError, cox

# --------------------------------------------------------------------------- R survival references


def cox_table(md: str) -> dict[str, dict[str, str]]:
    """The lung rows of the Cox table: {ties: {column: printed value}}."""
    sec = md.split("## Cox proportional hazards", 1)[1].split("\n## ", 1)[0]
    cols = ["coef_age", "coef_sex", "naive_age", "naive_sex", "robust_age", "robust_sex"]
    out = {}
    for ties in ("Efron", "Breslow"):
        row = re.search(rf"^\| {ties} \|(.+)\|\s*$", sec, flags=re.M)
        assert row, f"no {ties} row in the Cox table"
        cells = [c.strip() for c in row.group(1).split("|")]
        out[ties.lower()] = {c: v for c, v in zip(cols, cells, strict=True) if v != "–"}
    return out


def lung(cancer: dict[str, pd.DataFrame]) -> pd.DataFrame:
    d = cancer["lung"].dropna(subset=["inst"]).copy()
    d["status"] = d["status"] - 1  # 1 = censored, 2 = dead -> 0/1
    assert len(d) == 227  # the reference's sample
    return d


@pytest.mark.realdata
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_lung_matches_r_coxph_cluster_inst(cancer, targets_md, printed, ties):
    ref = cox_table(targets_md)[ties]
    fit = cox("status ~ age + sex", lung(cancer), stop="time", ties=ties, cluster="inst")
    naive = np.sqrt(np.diag(fit.vcov_naive))
    got = {
        "coef_age": fit.params["age"],
        "coef_sex": fit.params["sex"],
        "naive_age": naive[0],
        "naive_sex": naive[1],
        "robust_age": fit.bse["age"],
        "robust_sex": fit.bse["sex"],
    }
    assert len(ref) == (6 if ties == "efron" else 4)
    for col, value in ref.items():
        printed(got[col], value, f"lung {ties} {col}")
    assert fit.n_clusters == {"inst": 18}
    assert fit.nobs == 227 and fit.n_events == 164


@pytest.mark.realdata
def test_rats_matches_r_coxph_efron_cluster_litter(cancer, targets_md, printed):
    m = re.search(
        r"`rats`.*?coef (\d+\.\d+), naive SE (\d+\.\d+), robust SE (\d+\.\d+)",
        targets_md,
        flags=re.S,
    )
    assert m, "rats reference not found"
    fit = cox("status ~ rx", cancer["rats"], stop="time", cluster="litter", ties="efron")
    printed(fit.params["rx"], m.group(1), "rats coef")
    printed(float(np.sqrt(fit.vcov_naive.loc["rx", "rx"])), m.group(2), "rats naive SE")
    printed(fit.bse["rx"], m.group(3), "rats robust SE")
    assert fit.n_clusters == {"litter": 100}


@pytest.mark.realdata
@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_lung_split_at_every_event_time_equals_one_row_per_subject(cancer, ties):
    """survSplit-style episodes (start, stop] cut at every event time: each event time is the
    start of later episodes, which must NOT be at risk then. Same fit as one row per subject."""
    d = lung(cancer).reset_index(drop=True)
    d["id"] = np.arange(len(d))
    cuts = np.unique(d.loc[d.status == 1, "time"])
    rows = []
    for r in d.itertuples(index=False):
        edges = np.concatenate([[0.0], cuts[cuts < r.time], [r.time]])
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            rows.append((r.id, r.inst, r.age, r.sex, a, b, int(r.status == 1 and b == r.time)))
    split = pd.DataFrame(rows, columns=["id", "inst", "age", "sex", "t0", "t1", "status"])
    assert len(split) > 10 * len(d) and (split.t0.isin(cuts)).sum() > 0
    one = cox("status ~ age + sex", d, stop="time", ties=ties, cluster="inst")
    many = cox("status ~ age + sex", split, start="t0", stop="t1", ties=ties, cluster="inst")
    np.testing.assert_allclose(many.params, one.params, rtol=1e-10)
    np.testing.assert_allclose(many.vcov_naive, one.vcov_naive, rtol=1e-8)
    np.testing.assert_allclose(many.vcov, one.vcov, rtol=1e-8)  # scores sum within subject
    by_id = cox("status ~ age + sex", split, start="t0", stop="t1", ties=ties, cluster="id")
    per_row = cox("status ~ age + sex", d, stop="time", ties=ties, robust=True)
    np.testing.assert_allclose(by_id.vcov, per_row.vcov, rtol=1e-8)


# --------------------------------------------------------------------------- yearly start/stop


def yearly(n_units: int = 400, seed: int = 1, years: int = 25) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit-year rows (t-1, t] from a discrete-time hazard with late entry; and the same spells
    as one row per unit (entry, exit]. Integer times: many ties, and every event year is the
    start year of other units' rows."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n_units)
    x2 = rng.integers(0, 2, n_units).astype(float)
    entry = rng.integers(0, 6, n_units)
    p = 1 - np.exp(-np.exp(-2.7 + 0.5 * x1 - 0.4 * x2))
    rows, spells = [], []
    for i in range(n_units):
        for t in range(entry[i] + 1, years + 1):
            ev = rng.random() < p[i]
            rows.append((i, i // 4, x1[i], x2[i], t - 1, t, int(ev)))
            if ev:
                break
        spells.append((i, i // 4, x1[i], x2[i], entry[i], rows[-1][5], rows[-1][6]))
    cols = ["unit", "grp", "x1", "x2", "start", "stop", "event"]
    return pd.DataFrame(rows, columns=cols), pd.DataFrame(spells, columns=cols)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_yearly_rows_equal_single_interval_spells(ties):
    long, spells = yearly()
    assert long.event.sum() == spells.event.sum() > 100
    a = cox("event ~ x1 + x2", long, start="start", stop="stop", ties=ties, cluster="grp")
    b = cox("event ~ x1 + x2", spells, start="start", stop="stop", ties=ties, cluster="grp")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-10)
    np.testing.assert_allclose(a.vcov_naive, b.vcov_naive, rtol=1e-8)
    np.testing.assert_allclose(a.vcov, b.vcov, rtol=1e-8)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_yearly_rows_equal_statsmodels_phreg_with_entry_nudged(ties):
    """PHReg counts a row whose entry equals the event time as at risk; with entry + 1e-6 its
    risk sets are (start, stop] and its coefficients and naive SEs must equal ours."""
    long, _ = yearly(seed=2)
    long["x3"] = np.sin(long["stop"]) * long["x1"]  # time-varying covariate
    fit = cox("event ~ x1 + x2 + x3", long, start="start", stop="stop", ties=ties)
    ph = PHReg(
        long["stop"],
        long[["x1", "x2", "x3"]],
        status=long["event"],
        entry=long["start"] + 1e-6,
        ties=ties,
    ).fit()
    np.testing.assert_allclose(fit.params, ph.params, rtol=1e-6)
    np.testing.assert_allclose(fit.bse, ph.bse, rtol=1e-6)


def test_breslow_clustered_se_equal_statsmodels_phreg_robust():
    """With Breslow ties PHReg's grouped robust covariance is Lin-Wei as ours (its Efron robust
    covariance uses Breslow-type score residuals, so only Breslow is comparable)."""
    long, _ = yearly(seed=8)
    long["x3"] = np.cos(long["stop"]) * long["x1"]
    fit = cox(
        "event ~ x1 + x2 + x3", long, start="start", stop="stop", ties="breslow", cluster="grp"
    )
    ph = PHReg(
        long["stop"],
        long[["x1", "x2", "x3"]],
        status=long["event"],
        entry=long["start"] + 1e-6,
        ties="breslow",
    ).fit(groups=long["grp"].to_numpy())
    np.testing.assert_allclose(fit.params, ph.params, rtol=1e-6)
    np.testing.assert_allclose(fit.bse, ph.bse, rtol=1e-6)


def test_strata_equal_statsmodels_phreg():
    long, spells = yearly(seed=3)
    spells["region"] = spells["unit"] % 3
    fit = cox("event ~ x1 + x2", spells, start="start", stop="stop", strata="region")
    ph = PHReg(
        spells["stop"],
        spells[["x1", "x2"]],
        status=spells["event"],
        entry=spells["start"] + 1e-6,
        strata=spells["region"],
        ties="efron",
    ).fit()
    np.testing.assert_allclose(fit.params, ph.params, rtol=1e-6)
    np.testing.assert_allclose(fit.bse, ph.bse, rtol=1e-6)
    assert fit.info["n_strata"] == 3


def test_breslow_case_weights_equal_duplicated_rows():
    _, spells = yearly(n_units=200, seed=4)
    spells["w"] = (spells["unit"] % 3) + 1
    dup = spells.loc[spells.index.repeat(spells["w"])]
    a = cox("event ~ x1 + x2", spells, start="start", stop="stop", ties="breslow", weights="w")
    b = cox("event ~ x1 + x2", dup, start="start", stop="stop", ties="breslow")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-10)
    np.testing.assert_allclose(a.vcov_naive, b.vcov_naive, rtol=1e-8)


def test_results_protocol():
    _, spells = yearly(seed=5)
    fit = cox("event ~ x1 + C(x2)", spells, start="start", stop="stop", cluster="grp")
    t = fit.tidy()
    assert list(t.columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "conf_low",
        "conf_high",
    ]
    assert list(t.term) == ["x1", "C(x2)[T.1.0]"]
    assert list(fit.conf_int().columns) == ["conf_low", "conf_high"]
    assert fit.model == "cox" and fit.depvar == "event" and fit.fixef_names == []
    assert fit.vcov_type.startswith("Lin-Wei robust, clustered by grp")
    assert 0 < fit.pseudo_r2 < 1
    w = fit.wald_test("x1 = 0")
    assert w["statistic"] == pytest.approx(fit.tvalues["x1"] ** 2)
    assert "cox" in fit.summary()


# --------------------------------------------------------------------------- bad input


def test_bad_input_names_the_cause():
    _, d = yearly(n_units=100, seed=6)
    with pytest.raises(ModelInputError, match="'event' must be 0/1"):
        cox("x1", d.assign(event=d.event + 1), stop="stop", event="event")
    with pytest.raises(ModelInputError, match="stop <= start in 1 rows"):
        cox(
            "event ~ x1",
            d.assign(start=np.where(d.index == 7, d.stop, d.start)),
            start="start",
            stop="stop",
        )
    with pytest.raises(ModelInputError, match=r"\['k'\] constant"):
        cox("event ~ x1 + k", d.assign(k=2.0), stop="stop")
    with pytest.raises(ModelInputError, match="'x3' is collinear"):
        cox("event ~ x1 + x2 + x3", d.assign(x3=d.x1 - d.x2), stop="stop")
    with pytest.raises(ModelInputError, match="empty"):
        cox("event ~ x1", d.iloc[:0], stop="stop")
    with pytest.raises(ModelInputError, match="no events"):
        cox("event ~ x1", d.assign(event=0), stop="stop")
    with pytest.raises(ModelInputError, match="not in the data"):
        cox("event ~ x1", d, stop="stop", cluster="nope")
    with pytest.warns(UserWarning, match=r"1 of 100 rows dropped .*'x1': 1"):
        cox("event ~ x1", d.assign(x1=np.where(d.index == 3, np.nan, d.x1)), stop="stop")


def test_perfect_prediction_warns():
    _, d = yearly(n_units=200, seed=7)
    d["z"] = d["event"].astype(float)  # only the units with an event have z = 1
    with pytest.warns(UserWarning, match=r"\['z'\].*may be infinite"):
        cox("event ~ x1 + z", d, start="start", stop="stop")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cox("event ~ x1", d, start="start", stop="stop")


def test_printed_helper_can_fail(printed):
    with pytest.raises(AssertionError):
        printed(0.0170334959739, "0.0170334959729", "x")
    printed(-0.5, "\u22120.5", "minus sign U+2212")
