"""The standard panel built from the real mirrored sources: invariants and known facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from polecon import panel as pp
from polecon import registry

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

# Oracles: the raw source files read directly with pandas/pyreadr (not the canonical tables).
CW_FORMATION = "blas/chilton_woda_2022/BLAs_Formation_Data.dta"
COW_TRADE = "trade/cow_dyadic_trade_v4_directed_1870_2014.rds"
WB_STOCKS = "migration/wb_bilateral_migrant_stocks_1960_2018.rds"
UN_STOCKS = "migration/un_desa_ims2019_bilateral_stocks_wide.csv"
# float sums over ~230 origins in another order than the panel's: agreement to 1e-12 relative
REL = 1e-12


def _rds(key: str) -> pd.DataFrame:
    import pyreadr

    return next(iter(pyreadr.read_r(registry.fetch(key)).values()))


@pytest.fixture(scope="module")
def cw_raw() -> pd.DataFrame:
    return pd.read_stata(registry.fetch(CW_FORMATION))


@pytest.fixture(scope="module")
def un_raw() -> pd.DataFrame:
    un = pd.read_csv(registry.fetch(UN_STOCKS))
    values = un.drop(columns=["Year", "Dest"]).apply(pd.to_numeric, errors="coerce")
    return pd.concat([un[["Year", "Dest"]], values], axis=1)


def _cw_years(cw: pd.DataFrame, code_a: int, code_b: int) -> pd.Series:
    """Signature years of the raw Chilton-Woda rows between two distributed codes."""
    pair = ((cw["codeA"] == code_a) & (cw["codeB"] == code_b)) | (
        (cw["codeA"] == code_b) & (cw["codeB"] == code_a)
    )
    return cw.loc[pair, "year"].astype(int)


def _twoway(a: float, b: float) -> float:
    return 1.0 - abs(a - b) / (a + b)


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    df = pp.build_panel(cache=True)
    return df


def _pair(panel: pd.DataFrame, i: str, j: str) -> pd.DataFrame:
    return panel.loc[(panel["i"] == i) & (panel["j"] == j)].set_index("year")


def test_keys_unique_and_span(panel: pd.DataFrame) -> None:
    assert not panel.duplicated(["i", "j", "year"]).any()
    assert panel["year"].min() == 1946 and panel["year"].max() == 2020
    assert (panel["i"] != panel["j"]).all()


def test_pairs_only_while_both_states_exist(panel: pd.DataFrame) -> None:
    from polecon.countries import state_system

    members = state_system("cow", 1946, 2020, carry_forward=True)[["code", "year"]]
    keys = set(zip(members["code"], members["year"].astype(int), strict=True))
    sample = panel.sample(20_000, random_state=1)
    assert all(
        (i, int(t)) in keys and (j, int(t)) in keys
        for i, j, t in zip(sample["i"], sample["j"], sample["year"], strict=True)
    )
    # DDR and DEU coexist until 1990; no DDR after
    assert not (panel["i"] == "DDR").loc[panel["year"] > 1990].any()


def test_agreements_symmetric_and_in_force_implies_signed(panel: pd.DataFrame) -> None:
    cols = [c for c in panel.columns if c.endswith(("_signed", "_in_force", "_count", "_new"))]
    fwd = panel.set_index(["i", "j", "year"])[cols].sort_index()
    rev = panel.rename(columns={"i": "j", "j": "i"}).set_index(["i", "j", "year"])[cols]
    pd.testing.assert_frame_equal(fwd, rev.loc[fwd.index])
    for k in ("bit", "tip", "bfta", "pta", "blma"):
        assert not (panel[f"{k}_in_force"] & ~panel[f"{k}_signed"]).any()


def test_trade_after_2014_is_na_not_zero(panel: pd.DataFrame) -> None:
    late = panel.loc[panel["year"] > 2014, ["exports_ij", "exports_ji"]]
    assert late.isna().all().all()
    assert (panel.loc[panel["year"] <= 2014, "exports_ij"] == 0).any()  # true zeros are kept


def test_migration_is_na_outside_waves(panel: pd.DataFrame) -> None:
    wb_waves = set(panel.loc[panel["migrants_ij_wb"].notna(), "year"].unique())
    un_waves = set(panel.loc[panel["migrants_ij_undesa"].notna(), "year"].unique())
    assert wb_waves == set(_rds(WB_STOCKS)["year"].astype(int))
    assert wb_waves == {1960, 1970, 1980, 1990, 2000, 2010, 2013, 2018}
    assert un_waves == set(pd.read_csv(registry.fetch(UN_STOCKS), usecols=["Year"])["Year"])
    assert panel.loc[panel["year"] == 1993, "migrants_ij_undesa"].isna().all()


def test_twoway_index_na_exactly_when_a_flow_is_missing_or_both_zero(panel: pd.DataFrame) -> None:
    for idx, a, b in (
        ("twoway_trade", "exports_ij", "exports_ji"),
        ("twoway_migration_wb", "migrants_ij_wb", "migrants_ji_wb"),
        ("twoway_migration_undesa", "migrants_ij_undesa", "migrants_ji_undesa"),
    ):
        fa, fb = panel[a], panel[b]
        expect = fa.isna() | fb.isna() | ((fa == 0) & (fb == 0))
        assert (panel[idx].isna() == expect).all(), idx


def test_usa_mex_nafta_from_1994(panel: pd.DataFrame) -> None:
    p = _pair(panel, "USA", "MEX")
    assert not p.loc[1993, "pta_in_force"] and p.loc[1994, "pta_in_force"]


def test_usa_mex_bracero_blmas(panel: pd.DataFrame, cw_raw: pd.DataFrame) -> None:
    """blma_count = BLMAs signed by t (no termination dates in Chilton-Woda): the raw rows of
    the pair (COW codes 2 and 70) counted by signature year, every year of the panel."""
    p = _pair(panel, "USA", "MEX")
    years = _cw_years(cw_raw, 2, 70)
    expected = pd.Series([int((years <= t).sum()) for t in p.index], index=p.index)
    assert p["blma_count"].astype(int).equals(expected)
    assert p.loc[1961, "blma_count"] == 31  # the Bracero agreements, 1947-1961


def test_deu_tur_blmas_per_year(panel: pd.DataFrame, cw_raw: pd.DataFrame) -> None:
    """blma_new = BLMAs signed in t; raw rows of West Germany / Germany (255) and Turkey (640)."""
    p = _pair(panel, "DEU", "TUR")
    per_year = _cw_years(cw_raw, 255, 640).value_counts()
    expected = pd.Series([int(per_year.get(t, 0)) for t in p.index], index=p.index)
    assert p["blma_new"].astype(int).equals(expected)
    assert p.loc[1961, "blma_new"] == 1 and p.loc[1961, "blma_signed"]
    assert not p.loc[1960, "blma_signed"]


def test_gbr_deu_pta_from_1973(panel: pd.DataFrame) -> None:
    p = _pair(panel, "GBR", "DEU")
    assert not p.loc[1972, "pta_in_force"] and p.loc[1973, "pta_in_force"]


def test_bleu_china_bit_on_both_members(panel: pd.DataFrame) -> None:
    bel, lux = _pair(panel, "BEL", "CHN"), _pair(panel, "LUX", "CHN")
    assert bel["bit_first_year"].dropna().iloc[0] == lux["bit_first_year"].dropna().iloc[0]
    assert bel.loc[2000, "bit_signed"] and lux.loc[2000, "bit_signed"]


def test_mex_usa_2000_reciprocity(panel: pd.DataFrame, un_raw: pd.DataFrame) -> None:
    """Two-way indices of MEX-USA 2000 from the raw cells of COW, World Bank and UN DESA."""
    p = _pair(panel, "MEX", "USA").loc[2000]
    cow = _rds(COW_TRADE)
    cell = cow.loc[(cow["ccode1"] == 2) & (cow["ccode2"] == 70) & (cow["year"] == 2000)]
    # flow1 = imports of ccode1 (USA) from ccode2 (MEX), in millions of current USD
    mex_to_usa, usa_to_mex = float(cell["flow1"].iloc[0]), float(cell["flow2"].iloc[0])
    assert p["exports_ij"] == mex_to_usa * 1e6 and p["exports_ji"] == usa_to_mex * 1e6
    assert p["twoway_trade"] == pytest.approx(_twoway(mex_to_usa, usa_to_mex), rel=REL)
    wb = _rds(WB_STOCKS).set_index(["origin_code", "destination_code", "year"])["outward_stock"]
    wb_mu, wb_um = wb[("MEX", "USA", 2000.0)], wb[("USA", "MEX", 2000.0)]
    assert (p["migrants_ij_wb"], p["migrants_ji_wb"]) == (wb_mu, wb_um)
    assert p["twoway_migration_wb"] == pytest.approx(_twoway(wb_mu, wb_um), rel=REL)
    un = un_raw.loc[un_raw["Year"] == 2000].set_index("Dest")
    un_mu, un_um = (
        un.loc["United States of America", "Mexico"],
        un.loc["Mexico", "United States of America"],
    )
    assert (p["migrants_ij_undesa"], p["migrants_ji_undesa"]) == (un_mu, un_um)
    assert p["twoway_migration_undesa"] == pytest.approx(_twoway(un_mu, un_um), rel=REL)


def test_roles_mex_usa(panel: pd.DataFrame, un_raw: pd.DataFrame) -> None:
    p = _pair(panel, "USA", "MEX").loc[2000]
    assert bool(p["i_is_rich"]) and bool(p["i_is_destination"])
    q = _pair(panel, "MEX", "USA").loc[2000]
    assert not bool(q["i_is_rich"]) and not bool(q["i_is_destination"])
    assert q["dest_origin_diversity"] == p["dest_origin_diversity"]
    # UN DESA 2000 wave (the first series): shares of the US row of the raw wide file
    us = un_raw.loc[(un_raw["Year"] == 2000) & (un_raw["Dest"] == "United States of America")]
    stocks = us.drop(columns=["Year", "Dest"]).iloc[0]
    shares = stocks / stocks.sum()
    assert p["origin_share"] == pytest.approx(shares["Mexico"], rel=REL)
    assert p["dest_origin_diversity"] == pytest.approx(1.0 - (shares**2).sum(), rel=REL)


def test_every_column_documented(panel: pd.DataFrame) -> None:
    dd = pp.data_dictionary(panel)
    assert len(dd) == panel.shape[1]
    assert dd["description"].str.len().gt(0).all()


def test_two_writes_are_byte_identical(panel: pd.DataFrame, tmp_path: Path) -> None:
    a = pp.write_panel(panel, tmp_path / "a.parquet")
    b = pp.write_panel(panel.copy(), tmp_path / "b.parquet")
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "a.md").read_text() == (tmp_path / "b.md").read_text()


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    small = [pp.build_panel(start=1995, end=1998) for _ in range(2)]
    a = pp.write_panel(small[0], tmp_path / "x.parquet")
    b = pp.write_panel(small[1], tmp_path / "y.parquet")
    assert a.read_bytes() == b.read_bytes()
    assert np.array_equal(small[0]["i"].to_numpy(), small[1]["i"].to_numpy())


def test_treaties_of_dissolved_states_reach_the_predecessor(panel: pd.DataFrame) -> None:
    """UNCTAD lists the 1991 US-Czechoslovakia BIT as CZE-USA and SVK-USA; CSK-USA carries it."""
    csk = _pair(panel, "CSK", "USA")
    assert csk.loc[1991, "bit_signed"] and csk.loc[1992, "bit_signed"]
    assert _pair(panel, "CZE", "USA").loc[1993, "bit_signed"]
    assert _pair(panel, "SVK", "USA").loc[1993, "bit_signed"]
