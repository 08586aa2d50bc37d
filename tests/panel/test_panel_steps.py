"""Each panel step on a tiny hand-made world, against values computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from polecon import panel as pp

CODES = ["AAA", "BBB", "CCC"]


def _states(years=range(1990, 2001), codes=CODES) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"code": c, "ccode": 10 * (n + 1), "year": y, "carried_forward": False}
            for n, c in enumerate(codes)
            for y in years
        ]
    )


def _country_year() -> pd.DataFrame:
    rows = []
    for y in range(1985, 2001):
        rows += [
            {"code": "AAA", "year": y, "ccode": 10, "gdppc_real": 40_000.0, "pop_wb": 100.0},
            {"code": "BBB", "year": y, "ccode": 20, "gdppc_real": 5_000.0, "pop_wb": 50.0},
            {"code": "CCC", "year": y, "ccode": 30, "gdppc_real": 9_000.0, "pop_wb": 20.0},
        ]
    return pd.DataFrame(rows)


def _stocks() -> pd.DataFrame:
    # BBB-born in AAA: 900 (1990), 1,200 (2000); CCC-born in AAA: 100 / 300; AAA-born in BBB: 10; CCC<->BBB: 0/5
    data = [
        ("BBB", "AAA", 1990, 900.0),
        ("CCC", "AAA", 1990, 100.0),
        ("AAA", "BBB", 1990, 10.0),
        ("CCC", "BBB", 1990, 0.0),
        ("BBB", "CCC", 1990, 5.0),
        ("AAA", "CCC", 1990, 0.0),
        ("BBB", "AAA", 2000, 1200.0),
        ("CCC", "AAA", 2000, 300.0),
        ("AAA", "BBB", 2000, 10.0),
        ("CCC", "BBB", 2000, 0.0),
        ("BBB", "CCC", 2000, 5.0),
        ("AAA", "CCC", 2000, 0.0),
    ]
    df = pd.DataFrame(data, columns=["origin", "destination", "year", "stock"])
    df["series"] = "wb"
    df["successor_summed"] = False
    return df


def _pairs() -> pd.DataFrame:
    d = {("AAA", "BBB"): 1000.0, ("AAA", "CCC"): 2000.0, ("BBB", "CCC"): 500.0}
    rows = []
    for (a, b), km in d.items():
        for i, j in ((a, b), (b, a)):
            rows.append(
                {
                    "i": i,
                    "j": j,
                    "dist": km,
                    "contig": int(km < 600),
                    "comlang_off": 0,
                    "colony": int({i, j} == {"AAA", "BBB"}),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture
def world() -> pd.DataFrame:
    p = pp.dyad_years(1990, 2000, states=_states())
    p = pp.add_migration(p, _stocks())
    p = pp.add_country_year(p, _country_year(), columns=["gdppc_real", "pop_wb"])
    return p


def _row(p: pd.DataFrame, i: str, j: str, year: int) -> pd.Series:
    return p.loc[(p["i"] == i) & (p["j"] == j) & (p["year"] == year)].iloc[0]


def test_country_year_suffixes_and_keeps_state_codes(world: pd.DataFrame) -> None:
    r = _row(world, "AAA", "BBB", 1995)
    assert r["gdppc_real_i"] == 40_000 and r["gdppc_real_j"] == 5_000
    assert r["ccode_i"] == 10 and r["ccode_j"] == 20  # not overwritten by country_year's ccode
    with pytest.raises(ValueError, match="overwrite"):
        pp.add_country_year(world, _country_year(), columns=["gdppc_real"])


def test_roles_use_latest_wave_even_before_the_panel_starts() -> None:
    stocks = _stocks()
    for start in (1990, 1995):
        p = pp.dyad_years(start, 2000, states=_states(range(start, 2001)))
        p = pp.add_country_year(p, _country_year(), columns=["gdppc_real"])
        p = pp.add_roles(p, stocks, destination_series=("wb",))
        r = _row(p, "AAA", "BBB", 1995)
        assert bool(r["i_is_rich"]) and bool(r["i_is_destination"]) and r["destination_from_stocks"]
        # BBB hosts 5 CCC-born... no: CCC hosts 5 BBB-born, BBB hosts 0 CCC-born -> CCC is the destination
        q = _row(p, "BBB", "CCC", 1995)
        assert not bool(q["i_is_destination"]) and q["destination_from_stocks"]
        assert not bool(q["i_is_rich"])


def test_roles_fall_back_to_income_without_stocks() -> None:
    p = pp.dyad_years(1990, 1992, states=_states(range(1990, 1993)))
    p = pp.add_country_year(p, _country_year(), columns=["gdppc_real"])
    p = pp.add_roles(p, _stocks().iloc[0:0], destination_series=("wb",))
    r = _row(p, "CCC", "BBB", 1991)
    assert bool(r["i_is_destination"]) and not r["destination_from_stocks"]


def test_unilateral_option_by_hand(world: pd.DataFrame) -> None:
    p = pp.add_roles(world, _stocks(), destination_series=("wb",))
    p = pp.add_unilateral_option(
        p, stocks=_stocks(), country_year=_country_year(), pairs=_pairs(), series=("wb",)
    )
    r = _row(p, "BBB", "AAA", 1995)  # destination AAA, origin BBB, latest wave 1990
    s_b, s_c = 900 / 1000, 100 / 1000
    assert r["dest_origin_diversity"] == pytest.approx(1 - (s_b**2 + s_c**2))
    assert r["dest_n_origins"] == 0  # no origin reaches 1,000 in 1990
    assert r["origin_share"] == pytest.approx(0.9)
    # pool of AAA: countries with gdppc < 40,000/4 = 10,000 -> BBB (50) and CCC (20)
    assert r["dest_labour_pool"] == pytest.approx(70.0)
    assert r["dest_labour_pool_dw"] == pytest.approx(50 / 1000 + 20 / 2000)
    r00 = _row(p, "AAA", "BBB", 2000)
    assert r00["dest_n_origins"] == 1 and r00["origin_share"] == pytest.approx(0.8)
    assert r00["dest_origin_diversity"] == _row(p, "BBB", "AAA", 2000)["dest_origin_diversity"]


def test_gravity_lookup_and_dead_state_continuator() -> None:
    states = _states(range(1990, 1991), ["AAA", "BBB", "DDR", "DEU"])
    p = pp.dyad_years(1990, 1990, states=states)
    pairs = pd.concat(
        [
            _pairs(),
            pd.DataFrame(
                [
                    {
                        "i": "DEU",
                        "j": "AAA",
                        "dist": 800.0,
                        "contig": 0,
                        "comlang_off": 1,
                        "colony": 0,
                    },
                    {
                        "i": "AAA",
                        "j": "DEU",
                        "dist": 800.0,
                        "contig": 0,
                        "comlang_off": 1,
                        "colony": 0,
                    },
                    {
                        "i": "DEU",
                        "j": "DEU",
                        "dist": 200.0,
                        "contig": 0,
                        "comlang_off": 0,
                        "colony": 0,
                    },
                ]
            ),
        ]
    )
    g = pp.add_gravity(p, pairs)
    assert _row(g, "AAA", "BBB", 1990)["ldist"] == pytest.approx(np.log(1000))
    ddr = _row(g, "DDR", "AAA", 1990)
    assert ddr["ldist"] == pytest.approx(np.log(800)) and ddr["gravity_proxy"]
    self_pair = _row(g, "DDR", "DEU", 1990)
    assert np.isnan(self_pair["ldist"]) and pd.isna(
        self_pair["contig"]
    )  # not DEU's internal distance
    assert not _row(g, "AAA", "BBB", 1990)["gravity_proxy"]


def test_diffusion_by_hand() -> None:
    states = _states(range(2000, 2003))
    p = pp.dyad_years(2000, 2002, states=states)
    agreements = pd.DataFrame(
        {
            "agreement_id": ["x1", "x2"],
            "type": ["bit", "bit"],
            "party_a": ["BBB", "BBB"],
            "party_b": ["CCC", "ZZZ"],  # ZZZ is not a member: still counts for BBB
            "signed": pd.to_datetime(["1999-05-01", "2001-05-01"]),
            "in_force": pd.to_datetime([None, None]),
            "terminated": pd.to_datetime([None, None]),
        }
    )
    trade = pd.DataFrame(
        {
            "exporter": ["AAA", "AAA", "BBB", "CCC"],
            "importer": ["BBB", "CCC", "CCC", "BBB"],
            "year": [2000, 2000, 2000, 2000],
            "value_usd": [1.0, 1.0, 2.0, 2.0],
        }
    )
    cy = _country_year().assign(year=lambda d: d["year"] + 15)  # covers 2000-2015
    out = pp.add_diffusion(p, agreements, trade, cy, types=["bit"])
    r = _row(out, "AAA", "BBB", 2002)  # uses counts by 2001: BBB 2, CCC 1
    # income weights at 2001: AAA-BBB exp(-|ln 40000 - ln 5000|), AAA-CCC exp(-|ln 40000 - ln 9000|)
    wb, wc = 5000 / 40000, 9000 / 40000
    assert r["bit_diffusion_income_i"] == pytest.approx((wb * 2 + wc * 1) / (wb + wc))
    # export shares 2000: AAA (0,.5,.5); BBB (0,0,1); CCC (0,1,0): cos(AAA,BBB)=cos(AAA,CCC)=1/sqrt2
    assert r["bit_diffusion_export_i"] == pytest.approx(1.5)
    r01 = _row(out, "AAA", "BBB", 2001)  # counts by 2000: BBB 1, CCC 1
    assert r01["bit_diffusion_export_i"] == pytest.approx(1.0)
    assert np.isnan(
        _row(out, "AAA", "BBB", 2000)["bit_diffusion_export_i"]
    )  # no trade year <= 1999


def test_undirected_view_keeps_one_row_per_pair(world: pd.DataFrame) -> None:
    u = pp.undirected(world)
    assert len(u) * 2 == len(world)
    assert set(u.columns) >= {"a", "b", "year", "migrants_ij_wb"}
    with pytest.raises(KeyError):
        pp.undirected(u)


def test_lag_keeps_dtypes() -> None:
    df = pd.DataFrame(
        {
            "i": ["A"] * 3,
            "j": ["B"] * 3,
            "year": [2000, 2001, 2002],
            "flag": [True, False, True],
            "n": np.array([1, 2, 3], dtype=np.int16),
        }
    )
    out = pp.lag(df, ["flag", "n"])
    assert str(out["flag_lag1"].dtype) == "boolean" and out["flag_lag1"].iloc[2] == np.False_
    assert str(out["n_lag1"].dtype) == "Int16" and out["n_lag1"].iloc[1] == 1
