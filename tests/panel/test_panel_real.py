"""The standard panel built from the real mirrored sources: invariants and known facts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from polecon import panel as pp

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


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
    assert {1960, 1970, 1980, 1990, 2000} <= wb_waves and len(wb_waves) <= 9
    assert un_waves <= {1990, 1995, 2000, 2005, 2010, 2015, 2019}
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


def test_usa_mex_bracero_blmas(panel: pd.DataFrame) -> None:
    p = _pair(panel, "USA", "MEX")
    assert p.loc[1961, "blma_count"] >= 31


def test_deu_tur_blma_1961(panel: pd.DataFrame) -> None:
    p = _pair(panel, "DEU", "TUR")
    assert p.loc[1961, "blma_new"] >= 1 and p.loc[1961, "blma_signed"]
    assert not p.loc[1960, "blma_signed"]


def test_gbr_deu_pta_from_1973(panel: pd.DataFrame) -> None:
    p = _pair(panel, "GBR", "DEU")
    assert not p.loc[1972, "pta_in_force"] and p.loc[1973, "pta_in_force"]


def test_bleu_china_bit_on_both_members(panel: pd.DataFrame) -> None:
    bel, lux = _pair(panel, "BEL", "CHN"), _pair(panel, "LUX", "CHN")
    assert bel["bit_first_year"].dropna().iloc[0] == lux["bit_first_year"].dropna().iloc[0]
    assert bel.loc[2000, "bit_signed"] and lux.loc[2000, "bit_signed"]


def test_mex_usa_2000_reciprocity(panel: pd.DataFrame) -> None:
    p = _pair(panel, "MEX", "USA").loc[2000]
    assert p["twoway_trade"] > 0.9
    assert p["twoway_migration_undesa"] < 0.1 and p["twoway_migration_wb"] < 0.1


def test_roles_mex_usa(panel: pd.DataFrame) -> None:
    p = _pair(panel, "USA", "MEX").loc[2000]
    assert bool(p["i_is_rich"]) and bool(p["i_is_destination"])
    q = _pair(panel, "MEX", "USA").loc[2000]
    assert not bool(q["i_is_rich"]) and not bool(q["i_is_destination"])
    assert q["dest_origin_diversity"] == p["dest_origin_diversity"]
    assert (
        0 < p["origin_share"] < 1 and p["origin_share"] > 0.2
    )  # Mexicans are the largest US group


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
