"""Year-varying pair geography (polecon.panel.geography): contiguity pair-years from COW spells
and capital-to-capital distances from capital spells. Synthetic frames, then the real tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from polecon import panel as pp
from polecon.panel import geography as geo
from polecon.registry import fetch
from polecon.sources import gravity_years as gy
from polecon.sources._base import BuildLog, table_spec


def _spells(rows: list[tuple[str, str, int, str, str]]) -> pd.DataFrame:
    i, j, ct, st, en = zip(*rows, strict=True)
    return pd.DataFrame({"i": list(i), "j": list(j), "conttype": list(ct),
                         "start": pd.to_datetime(list(st)), "end": pd.to_datetime(list(en))})  # fmt: skip


def _capitals(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    code, st, en, lat, lng = zip(*rows, strict=True)
    return pd.DataFrame({"code": list(code), "start": pd.to_datetime(list(st)),
                         "end": pd.to_datetime(list(en)), "lat": list(lat), "lng": list(lng)})  # fmt: skip


def test_exported_from_the_panel_package() -> None:
    assert pp.contiguity_years is geo.contiguity_years
    assert pp.capital_distance is geo.capital_distance
    assert pp.haversine_km is geo.haversine_km


def test_haversine_km() -> None:
    quarter = np.pi * geo.EARTH_RADIUS_KM / 2
    d = geo.haversine_km(np.array([0.0, 0.0, 90.0, 10.0]), np.array([0.0, 0.0, 0.0, 20.0]),
                         np.array([0.0, 0.0, -90.0, 10.0]), np.array([90.0, 180.0, 0.0, 20.0]))  # fmt: skip
    np.testing.assert_allclose(d, [quarter, 2 * quarter, 2 * quarter, 0.0], atol=1e-6)


def test_contiguity_years_expands_and_ranks() -> None:
    sp = _spells([
        ("AAA", "BBB", 1, "1990-03-01", "1992-06-01"),
        ("AAA", "CCC", 0, "1991-05-01", "1991-05-31"),  # a 0-gap spell ...
        ("AAA", "CCC", 3, "1991-06-01", "1993-01-01"),  # ... then water contiguity: 3 wins
        ("AAA", "DDD", 0, "1980-01-01", "2016-12-31"),  # only 0-gaps: conttype 0
        ("AAA", "EEE", 2, "1950-01-01", "1960-01-01"),  # outside [start, end]: absent
    ])  # fmt: skip
    cy = geo.contiguity_years(1991, 1992, spells=sp)
    assert list(cy.columns) == ["i", "j", "year", "conttype"]
    assert cy.dtypes.astype(str).tolist() == ["string", "string", "int64", "int64"]
    look = cy.set_index(["i", "j", "year"])["conttype"].to_dict()
    assert look == {
        ("AAA", "BBB", 1991): 1, ("AAA", "BBB", 1992): 1,
        ("AAA", "CCC", 1991): 3, ("AAA", "CCC", 1992): 3,
        ("AAA", "DDD", 1991): 0, ("AAA", "DDD", 1992): 0,
    }  # fmt: skip


def test_contiguity_years_loads_the_table_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    sp = _spells([("AAA", "BBB", 1, "2000-01-01", "2001-12-31")])
    monkeypatch.setattr(gy, "contiguity_spells", lambda: sp)
    pd.testing.assert_frame_equal(geo.contiguity_years(), geo.contiguity_years(spells=sp))


def test_capital_distance_uses_the_capital_of_1_july() -> None:
    cap = _capitals([
        ("AAA", "1900-01-01", "1960-04-20", 0.0, 0.0),
        ("AAA", "1960-04-21", "2020-12-31", 0.0, 90.0),  # the capital moves in 1960
        ("BBB", "1900-01-01", "2020-12-31", 0.0, 180.0),
    ])  # fmt: skip
    pairs = pd.DataFrame({"i": ["AAA", "AAA", "AAA", "CCC"], "j": ["BBB", "BBB", "BBB", "BBB"],
                          "year": [1950, 1960, 2021, 1950]}, index=[10, 11, 12, 13])  # fmt: skip
    d = geo.capital_distance(pairs, cap=cap)
    quarter = np.pi * geo.EARTH_RADIUS_KM / 2
    assert d.name == "distcap_km" and d.dtype == "float64" and list(d.index) == [10, 11, 12, 13]
    np.testing.assert_allclose(d.iloc[:2], [2 * quarter, quarter])
    assert d.iloc[2:].isna().all()  # no spell covers 1 July 2021; CCC has no capital


# ------------------------------------------------------------------------------------------
# the real tables
# ------------------------------------------------------------------------------------------


def _table(name: str, func) -> pd.DataFrame:
    spec = table_spec(name)
    raw = {k: fetch(k) for k in spec.raw}
    return spec.schema.validate(func(raw, BuildLog(name)).reset_index(drop=True), source=name)


@pytest.mark.realdata
def test_contiguity_years_real() -> None:
    spells = _table("gravity_contiguity", gy.build_contiguity)
    cy = geo.contiguity_years(1946, 2016, spells=spells)
    assert not cy.duplicated(["i", "j", "year"]).any()
    assert cy["year"].between(1946, 2016).all()
    look = cy.set_index(["i", "j", "year"])["conttype"]
    assert look[("USA", "MEX", 2000)] == 1
    assert look[("DEU", "POL", 2000)] == 1
    assert look[("DDR", "POL", 1970)] == 1
    assert ("DEU", "TUR", 2000) not in look.index
    # CSK-POL 1945: a 0-gap spell (May) and a land spell (June on) in one year -> land wins
    assert look[("CSK", "POL", 1946)] == 1


@pytest.mark.realdata
def test_capital_distance_real() -> None:
    caps = _table("gravity_capitals", gy.build_capitals)
    pairs = pd.DataFrame({"i": ["USA", "DDR", "BRA", "BRA"], "j": ["MEX", "POL", "ARG", "ARG"],
                          "year": [2000, 1970, 1950, 1965]})  # fmt: skip
    d = geo.capital_distance(pairs, "cow", cap=caps[caps["system"] == "cow"])
    assert d.iloc[0] == pytest.approx(3038, rel=0.01)  # CEPII distcap USA-MEX 3,037.9 km
    assert d.iloc[1] == pytest.approx(516, rel=0.02)  # East Berlin-Warsaw
    assert d.iloc[2] != pytest.approx(d.iloc[3], rel=0.05)  # Brazil moved its capital in 1960
    assert np.isfinite(d).all()
