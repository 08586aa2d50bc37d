"""Risk sets on hand-built panels with known answers, and their column documentation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import pytest

from polecon.panel import data_dictionary
from polecon.panel.spells import COVARIATES, _source_columns, restricted_cubic_spline, risk_set


def directed(
    rows: list[tuple[str, str, int, dict[str, float]]], kind: str = "blma"
) -> pd.DataFrame:
    """A directed panel from undirected rows (a, b, year, values), mirrored to (b, a)."""
    cols = _source_columns(kind, "wb")
    recs = []
    for a, b, year, vals in rows:
        base = {c: np.nan for c in cols}
        base.update({f"{kind}_new": 0, f"{kind}_count": 0, "pta_in_force": 0.0})
        base.update(vals)
        recs.append({"i": a, "j": b, "year": year, **base})
        mirror = dict(base)
        for c in cols:  # swap member-specific columns and flow directions
            if c.endswith("_i"):
                mirror[c] = base[c[:-2] + "_j"]
                mirror[c[:-2] + "_j"] = base[c]
        for x, y in (("exports_ij", "exports_ji"), ("migrants_ij_wb", "migrants_ji_wb")):
            mirror[x], mirror[y] = base[y], base[x]
        recs.append({"i": b, "j": a, "year": year, **mirror})
    df = pd.DataFrame(recs)
    df["i"] = df["i"].astype("string")
    df["j"] = df["j"].astype("string")
    return df


def spell_panel() -> pd.DataFrame:
    rows = []
    for y in range(1950, 1961):  # A-B: exists 1950-1960, first signs in 1955
        rows.append(("A", "B", y, {"blma_first_year": 1955, "blma_new": int(y == 1955)}))
    for y in range(1950, 1961):  # A-C: signed in 1940, before it entered the window
        rows.append(("A", "C", y, {"blma_first_year": 1940}))
    for y in range(1952, 1958):  # B-C: enters in 1952, never signs
        rows.append(("B", "C", y, {}))
    return directed(rows)


def test_first_event_spells_exact() -> None:
    rs = risk_set(spell_panel(), "blma", covariates=False, spline_knots=0)
    ab = rs.loc[rs["pair"] == "A-B"]
    assert ab["year"].tolist() == list(range(1950, 1956))  # event year kept, later years dropped
    assert ab["event"].tolist() == [0, 0, 0, 0, 0, 1]
    assert ab["t_risk"].tolist() == [1, 2, 3, 4, 5, 6]
    assert np.allclose(ab["t_risk2"], np.arange(1, 7) ** 2 / 10)
    assert np.allclose(ab["t_risk3"], np.arange(1, 7) ** 3 / 100)
    assert "A-C" not in set(rs["pair"])  # already signed before entering the risk set
    bc = rs.loc[rs["pair"] == "B-C"]
    assert bc["year"].tolist() == list(range(1952, 1958)) and bc["event"].sum() == 0
    assert bc["t_risk"].tolist() == [1, 2, 3, 4, 5, 6]
    assert len(rs) == 6 + 6 and rs["event"].sum() == 1


def test_start_year_moves_entry_and_attrs() -> None:
    rs = risk_set(spell_panel(), "blma", start=1953, end=1956, covariates=False, spline_knots=0)
    ab = rs.loc[rs["pair"] == "A-B"]
    assert ab["year"].tolist() == [1953, 1954, 1955] and ab["t_risk"].tolist() == [1, 2, 3]
    assert rs.loc[rs["pair"] == "B-C", "year"].tolist() == [1953, 1954, 1955, 1956]
    assert rs.attrs == {
        "kind": "risk_set",
        "type": "blma",
        "start": 1953,
        "end": 1956,
        "repeated": False,
        "lag": 1,
        "migration": "wb",
        "flow_max_age": 10,
        "spline_knots": [],
        "events_outside_panel": 0,
    }


def test_repeated_events_restart_the_clock() -> None:
    new = {1952: 2, 1955: 1}
    rows = [
        (
            "A",
            "B",
            y,
            {"blma_new": new.get(y, 0), "blma_count": sum(v for k, v in new.items() if k <= y)},
        )
        for y in range(1950, 1958)
    ]
    rs = risk_set(directed(rows), "blma", repeated=True, covariates=False, spline_knots=0)
    assert rs["year"].tolist() == list(range(1950, 1958))
    assert rs["event"].tolist() == [0, 0, 2, 0, 0, 1, 0, 0]
    assert rs["t_risk"].tolist() == [1, 2, 3, 1, 2, 3, 1, 2]
    assert rs["prior_events"].tolist() == [0, 0, 0, 2, 2, 2, 3, 3]
    assert rs.attrs["repeated"] is True


def test_event_in_a_year_outside_the_panel_is_counted() -> None:
    rows = [("A", "B", y, {"blma_first_year": 1953}) for y in (1950, 1951, 1954, 1955)]
    rs = risk_set(directed(rows), "blma", covariates=False, spline_knots=0)
    assert rs["year"].tolist() == [1950, 1951] and rs["event"].sum() == 0
    assert rs.attrs["events_outside_panel"] == 1


def test_covariates_lagged_roles_and_latest_flow_wave() -> None:
    rows = []
    for y in range(1958, 1964):
        v = {
            "gdppc_real_i": 1000.0 + y,  # A poorer until 1960, richer from 1961
            "gdppc_real_j": 2960.0,
            "pop_pwt_i": 10.0,
            "pop_mpd_j": 20.0,
            "polyarchy_i": 0.1,
            "polyarchy_j": 0.9,
            "ldist": 7.0,
            "contig": 1.0,
        }
        if y == 1960:  # the only migration wave: 30 born in A live in B, 10 the reverse
            v.update({"migrants_ij_wb": 30.0, "migrants_ji_wb": 10.0})
        if y in (1958, 1959):
            v.update({"exports_ij": 5.0, "exports_ji": 5.0})
        rows.append(("A", "B", y, v))
    rs = risk_set(directed(rows), "blma", spline_knots=0, flow_max_age=3).set_index("year")
    # year 1958 has no t-1 row: NA; 1959 uses 1958 values (A = 2958 < 2960 is poor)
    assert np.isnan(rs.loc[1958, "lgdp_rich"])
    assert rs.loc[1959, "lgdp_rich"] == pytest.approx(np.log(2960.0 * 20.0))
    assert rs.loc[1959, "lgdp_poor"] == pytest.approx(np.log(2958.0 * 10.0))
    assert rs.loc[1959, "dem_rich"] == 0.9 and rs.loc[1959, "dem_poor"] == 0.1
    assert rs.loc[1962, "dem_rich"] == 0.1  # 1961 values: A = 2961 is rich
    assert rs.loc[1962, "lgdppc_ratio"] == pytest.approx(np.log(2961.0 / 2960.0))
    assert rs.loc[1958, "ldist"] == 7.0 and rs.loc[1958, "contig"] == 1.0  # time-invariant
    # migration: the 1960 wave is used from 1961 (t-1 >= 1960) on
    assert np.isnan(rs.loc[1960, "lmigrants"])
    for y in (1961, 1962, 1963):
        assert rs.loc[y, "lmigrants"] == pytest.approx(np.log1p(40.0))
        assert rs.loc[y, "twoway_migration"] == pytest.approx(1 - 20 / 40)
        assert rs.loc[y, "twoway_governing"] == rs.loc[y, "twoway_migration"]
    # trade: latest year 1959, at most 3 years old -> 1960..1962, NA from 1963
    assert rs.loc[1962, "ltrade"] == pytest.approx(np.log1p(10.0))
    assert rs.loc[1962, "twoway_trade"] == 1.0
    assert np.isnan(rs.loc[1963, "ltrade"])


def test_every_risk_set_column_is_documented() -> None:
    rs = risk_set(spell_panel(), "blma", spline_knots=3)
    assert set(COVARIATES) <= set(rs.columns)
    dd = data_dictionary(rs)
    assert dd["column"].tolist() == rs.columns.tolist()


def test_spline_spans_the_natural_cubic_spline_space() -> None:
    x = np.linspace(0.0, 60.0, 200)
    knots = np.array([3.0, 13.0, 24.0, 38.0, 59.0])
    ours = np.column_stack([np.ones_like(x), restricted_cubic_spline(x, knots)])
    # patsy's natural cubic regression spline with the same knots (an independent construction)
    theirs = np.asarray(
        patsy.dmatrix(
            "cr(x, knots=inner, lower_bound=3.0, upper_bound=59.0) - 1",
            {"x": np.clip(x, 3.0, 59.0), "inner": knots[1:-1]},
        )
    )
    inside = (x >= 3.0) & (x <= 59.0)
    coef, *_ = np.linalg.lstsq(ours[inside], theirs[inside], rcond=None)
    assert np.abs(ours[inside] @ coef - theirs[inside]).max() < 1e-8
    assert ours.shape[1] == theirs.shape[1] == 5
    # linear beyond the boundary knots
    assert np.allclose(
        np.diff(restricted_cubic_spline(np.array([60.0, 61, 62, 63]), knots), 2, axis=0), 0
    )


def test_bad_kind_and_missing_columns() -> None:
    with pytest.raises(ValueError, match="unknown risk-set type 'fta'"):
        risk_set(spell_panel(), "fta")
    with pytest.raises(KeyError, match="bit_first_year"):
        risk_set(spell_panel(), "bit", covariates=False)
