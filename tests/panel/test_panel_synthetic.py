"""Property-based tests of the panel steps on small generated worlds (no real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polecon import panel as pp

CODES = ["AAA", "BBB", "CCC", "DDD", "EEE"]
TYPES = ["bit", "tip", "bfta", "pta", "blma"]
START, END = 1990, 2005


@st.composite
def worlds(draw):
    spells = {}
    for c in CODES:
        first = draw(st.integers(START - 5, END - 2))
        last = draw(st.integers(first + 1, END + 5))
        spells[c] = (first, last)
    states = pd.DataFrame(
        [
            {"code": c, "ccode": 100 + n, "year": y, "carried_forward": y > 2003}
            for n, (c, (a, b)) in enumerate(spells.items())
            for y in range(max(a, START), min(b, END) + 1)
        ],
        columns=["code", "ccode", "year", "carried_forward"],
    )
    n_agr = draw(st.integers(0, 12))
    rows = []
    for n in range(n_agr):
        a, b = draw(st.lists(st.sampled_from(CODES), min_size=2, max_size=2, unique=True))
        k = draw(st.sampled_from(TYPES))
        sy = draw(st.integers(START - 10, END + 2))
        fy = draw(st.one_of(st.none(), st.integers(sy, sy + 6)))
        ty = draw(st.one_of(st.none(), st.integers(sy, sy + 12)))
        rows.append(
            {
                "agreement_id": f"x:{n}",
                "type": k,
                "party_a": min(a, b),
                "party_b": max(a, b),
                "signed": pd.Timestamp(sy, 6, 1),
                "in_force": pd.NaT if fy is None else pd.Timestamp(fy, 7, 1),
                "terminated": pd.NaT if ty is None else pd.Timestamp(ty, 8, 1),
            }
        )
    agreements = pd.DataFrame(
        rows,
        columns=["agreement_id", "type", "party_a", "party_b", "signed", "in_force", "terminated"],
    )
    for c in ("signed", "in_force", "terminated"):
        agreements[c] = pd.to_datetime(agreements[c])
    return states, agreements


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_agreement_coding_properties(world) -> None:
    states, agreements = world
    panel = pp.dyad_years(START, END, states=states)
    # pairs only while both states exist; no duplicates
    assert not panel.duplicated(["i", "j", "year"]).any()
    members = set(zip(states["code"], states["year"], strict=True))
    assert all(
        (i, t) in members and (j, t) in members
        for i, j, t in zip(panel["i"], panel["j"], panel["year"], strict=True)
    )
    expected = sum(n * (n - 1) for n in states.groupby("year").size())
    assert len(panel) == expected
    coded = pp.add_agreements(panel, agreements)
    rev = coded.rename(columns={"i": "j", "j": "i"}).set_index(["i", "j", "year"]).sort_index()
    fwd = coded.set_index(["i", "j", "year"]).sort_index()
    for k in TYPES:
        cols = [f"{k}_signed", f"{k}_in_force", f"{k}_count", f"{k}_new", f"{k}_first_year"]
        pd.testing.assert_frame_equal(fwd[cols], rev.loc[fwd.index, cols])  # symmetric
        assert not (coded[f"{k}_in_force"] & ~coded[f"{k}_signed"]).any()  # in force implies signed
        assert (coded[f"{k}_count"] >= 0).all()
    # counts never fall unless an agreement of that type was terminated for that pair
    for k in TYPES:
        members_k = {"pta": ["pta", "bfta"]}.get(k, [k])
        sub = agreements.loc[agreements["type"].isin(members_k)]
        terminated_pairs = set(
            zip(
                sub.loc[sub["terminated"].notna(), "party_a"],
                sub.loc[sub["terminated"].notna(), "party_b"],
                strict=True,
            )
        )
        s = coded.sort_values(["i", "j", "year"])
        drop = s.groupby(["i", "j"])[f"{k}_count"].diff() < 0
        for i, j in zip(s.loc[drop, "i"], s.loc[drop, "j"], strict=True):
            assert (min(i, j), max(i, j)) in terminated_pairs


def _brute_force(agreements: pd.DataFrame, a: str, b: str, t: int, k: str) -> dict:
    members_k = {"pta": ["pta", "bfta"]}.get(k, [k])
    sub = agreements.loc[
        agreements["type"].isin(members_k)
        & (agreements["party_a"] == min(a, b))
        & (agreements["party_b"] == max(a, b))
    ]
    sy = sub["signed"].dt.year
    fy = sub["in_force"].dt.year
    ty = sub["terminated"].dt.year
    signed = sy <= t
    not_term = ty.isna() | (ty > t) | (ty < sy)
    in_force = fy.notna() & (fy <= t) & (ty.isna() | ((ty > t) & (ty > fy)))
    return {
        "signed": bool(signed.any()),
        "in_force": bool(in_force.any()),
        "count": int((signed & not_term).sum()),
        "new": int((sy == t).sum()),
    }


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(worlds())
def test_agreement_coding_matches_brute_force(world) -> None:
    states, agreements = world
    panel = pp.add_agreements(pp.dyad_years(START, END, states=states), agreements)
    sample = panel.sample(min(len(panel), 40), random_state=0) if len(panel) else panel
    for row in sample.itertuples(index=False):
        for k in TYPES:
            want = _brute_force(agreements, row.i, row.j, row.year, k)
            assert getattr(row, f"{k}_signed") == want["signed"]
            assert getattr(row, f"{k}_in_force") == want["in_force"]
            assert getattr(row, f"{k}_count") == want["count"]
            assert getattr(row, f"{k}_new") == want["new"]


def test_agreement_without_entry_into_force_is_never_in_force() -> None:
    states = pd.DataFrame(
        [
            {"code": c, "ccode": n, "year": y, "carried_forward": False}
            for n, c in enumerate(["USA", "JPN"])
            for y in range(2010, 2021)
        ]
    )
    agreements = pd.DataFrame(
        {
            "agreement_id": ["tpp"],
            "type": ["pta"],
            "party_a": ["JPN"],
            "party_b": ["USA"],
            "signed": pd.to_datetime(["2016-02-04"]),
            "in_force": pd.to_datetime([None]),
            "terminated": pd.to_datetime([None]),
        }
    )
    p = pp.add_agreements(pp.dyad_years(2010, 2020, states=states), agreements)
    row = p.loc[(p["i"] == "USA") & (p["year"] == 2018)].iloc[0]
    assert row["pta_signed"] and not row["pta_in_force"] and row["pta_count"] == 1
    assert row["pta_first_year"] == 2016
    assert p.loc[p["year"] == 2016, "pta_new"].eq(1).all()


floats = st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False), st.just(0.0))


@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=30))
def test_twoway_index_is_na_exactly_when_a_flow_is_missing_or_both_zero(pairs) -> None:
    a = np.array([np.nan if x is None else x for x, _ in pairs])
    b = np.array([np.nan if y is None else y for _, y in pairs])
    r = pp.twoway_index(a, b)
    expect_na = np.isnan(a) | np.isnan(b) | ((a == 0) & (b == 0))
    assert np.array_equal(np.isnan(r), expect_na)
    ok = ~expect_na
    assert ((r[ok] >= 0) & (r[ok] <= 1 + 1e-12)).all()
    np.testing.assert_allclose(r[ok], pp.twoway_index(b, a)[ok])


def test_twoway_index_extremes() -> None:
    np.testing.assert_allclose(pp.twoway_index([5.0, 5.0, 0.0], [5.0, 0.0, 3.0]), [1.0, 0.0, 0.0])
    with pytest.raises(ValueError):
        pp.twoway_index([-1.0], [1.0])


def _migration_world():
    states = pd.DataFrame(
        [
            {"code": c, "ccode": n, "year": y, "carried_forward": False}
            for n, c in enumerate(["AAA", "BBB"])
            for y in range(1990, 2001)
        ]
    )
    stocks = pd.DataFrame(
        {
            "origin": ["AAA", "AAA", "BBB"],
            "destination": ["BBB", "BBB", "AAA"],
            "year": [1990, 2000, 1990],
            "stock": [100.0, 200.0, 0.0],
            "series": ["wb", "wb", "wb"],
        }
    )
    return pp.dyad_years(1990, 2000, states=states), stocks


def test_migration_is_na_outside_waves_unless_interpolated(monkeypatch: pytest.MonkeyPatch) -> None:
    import polecon.countries as countries

    monkeypatch.setattr(
        countries,
        "predecessor",
        lambda codes, years: pd.Series(codes).reset_index(drop=True),
        raising=False,
    )
    panel, stocks = _migration_world()
    p = pp.add_migration(panel, stocks)
    ab = p.loc[(p["i"] == "AAA") & (p["j"] == "BBB")].set_index("year")
    assert ab.loc[1990, "migrants_ij_wb"] == 100 and ab.loc[2000, "migrants_ij_wb"] == 200
    assert ab.loc[1995, ["migrants_ij_wb"]].isna().all()
    assert ab.loc[1990, "migrants_ji_wb"] == 0.0  # a zero stays zero
    assert ab["migrants_ij_undesa"].isna().all()  # series not covered: NA, never 0
    q = pp.add_migration(panel, stocks, interpolate=True)
    ab = q.loc[(q["i"] == "AAA") & (q["j"] == "BBB")].set_index("year")
    assert ab.loc[1995, "migrants_ij_wb"] == pytest.approx(150.0)
    assert ab.loc[1995, "migration_interpolated"] and not ab.loc[1990, "migration_interpolated"]
    assert np.isnan(ab.loc[1995, "migrants_ji_wb"])  # only one wave: no interpolation


def test_lag_matches_by_year() -> None:
    panel = pd.DataFrame(
        {
            "i": ["A", "A", "A"],
            "j": ["B", "B", "B"],
            "year": [2000, 2001, 2003],
            "x": [1.0, 2.0, 3.0],
        }
    )
    out = pp.lag(panel, ["x"])
    assert (
        np.isnan(out["x_lag1"].iloc[0])
        and out["x_lag1"].iloc[1] == 1.0
        and np.isnan(out["x_lag1"].iloc[2])
    )


def test_undirected_is_derived_from_directed() -> None:
    states = pd.DataFrame(
        [
            {"code": c, "ccode": n, "year": 2000, "carried_forward": False}
            for n, c in enumerate(["A", "B", "C"])
        ]
    )
    d = pp.dyad_years(2000, 2000, states=states)
    u = pp.dyad_years(2000, 2000, states=states, directed=False)
    assert len(u) == len(d) // 2 and (u["a"] < u["b"]).all()


@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=30))
def test_twoway_index_literal_reading_reads_missing_as_zero(pairs) -> None:
    a = np.array([np.nan if x is None else x for x, _ in pairs])
    b = np.array([np.nan if y is None else y for _, y in pairs])
    r = pp.twoway_index(a, b, missing="zero")
    a0, b0 = np.nan_to_num(a), np.nan_to_num(b)
    expect_na = (a0 == 0) & (b0 == 0)  # both flows are 0 or missing
    assert np.array_equal(np.isnan(r), expect_na)
    one_missing = np.isnan(a) ^ np.isnan(b)
    assert (r[one_missing & ~expect_na] == 0).all()
