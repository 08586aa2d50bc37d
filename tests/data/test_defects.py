"""Issue 11 part C: the four agreement-coding defects, each pinned to its raw rows."""

from __future__ import annotations

import pandas as pd
import pytest

from polecon.countries import members_on
from polecon.panel.agreements import add_agreements
from polecon.panel.dyads import dyad_years
from polecon.sources import load

from ._raw import fetch

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

DESTA_LIST = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
DESTA_DYADS = "ptas/desta_v2.3/desta_list_of_treaties_02_03_dyads.csv"
UNCTAD_RDA = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
CW_FORMATION = "blas/chilton_woda_2022/BLAs_Formation_Data.dta"


@pytest.fixture(scope="module")
def agreements() -> pd.DataFrame:
    fetch(DESTA_LIST)
    return load("agreements")


def _unctad_raw() -> pd.DataFrame:
    import pyreadr

    raw = pyreadr.read_r(fetch(UNCTAD_RDA))["bits_raw"]
    raw["date_of_signature"] = pd.to_datetime(raw["date_of_signature"]).dt.strftime("%Y-%m-%d")
    return raw


def _panel(agreements: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    p = dyad_years(start, end, system="cow", directed=True)
    return add_agreements(p, agreements, types=("bfta", "bit", "blma"))


def _cell(panel: pd.DataFrame, i: str, j: str, year: int, col: str):
    r = panel[(panel["i"] == i) & (panel["j"] == j) & (panel["year"] == year)]
    assert len(r) == 1, (i, j, year)
    return r[col].iloc[0]


def test_eea_2003_accession_keeps_only_cross_side_pairs(agreements):
    raw = pd.read_csv(fetch(DESTA_LIST), encoding="cp1252", dtype={"number": str}, low_memory=False)
    entry = raw[raw["number"] == "437+2"].iloc[0]
    members = [
        (int(entry[f"c{k}"]), int(entry[f"mc{k}"]))
        for k in range(1, 92)
        if pd.notna(entry[f"c{k}"])
    ]
    new = {c for c, m in members if m == 1}
    assert len(new) == 10  # the ten 2004 entrants
    dy = pd.read_csv(fetch(DESTA_DYADS), encoding="cp1252", dtype={"number": str}, low_memory=False)
    raw_pairs = dy[dy["number"] == "437+2"]
    # EFTA side of the EEA in 2003: Iceland 352, Liechtenstein 438, Norway 578 (ISO numeric)
    efta = {352, 438, 578}
    cross = raw_pairs[raw_pairs["iso1"].isin(efta) | raw_pairs["iso2"].isin(efta)]
    ours = agreements[agreements["source_id"] == "437+2"]
    assert len(raw_pairs) > len(cross)  # DESTA lists the intra-EU pairs too
    assert len(ours) == len(cross) == 30
    pairs = set(zip(ours["party_a"], ours["party_b"], strict=True))
    assert ("NOR", "POL") in pairs and ("DEU", "POL") not in pairs
    assert ("GBR", "MLT") not in pairs and ("CZE", "FRA") not in pairs


def test_no_bfta_accession_pair_inside_the_eu(agreements):
    acc = agreements[
        (agreements["type"] == "bfta") & agreements["source_id"].str.contains("+", regex=False)
    ]
    bad = []
    for (year, sid), grp in acc.groupby([acc["signed"].dt.year, "source_id"]):
        for lag in (0, 1):
            eu = set(members_on("EU", int(year) + lag))
            both = grp["party_a"].isin(eu) & grp["party_b"].isin(eu)
            bad += [
                (sid, a, b)
                for a, b in grp.loc[both, ["party_a", "party_b"]].itertuples(index=False)
            ]
    assert bad == []


def test_successor_blma_leaves_the_predecessor(agreements):
    raw = pd.read_stata(fetch(CW_FORMATION))
    row = raw[raw["treatyID"] == 613].iloc[0]
    assert (row["countryA"], row["countryB"], int(row["year"])) == ("Italy", "Slovenia", 1991)
    assert str(row["datesigned"]).strip() == ""  # year-only
    p = _panel(agreements, 1991, 1993)
    assert _cell(p, "ITA", "SRB", 1991, "blma_count") == 1  # Slovenia not yet a COW state
    assert _cell(p, "ITA", "SRB", 1992, "blma_count") == 0
    assert _cell(p, "ITA", "SVN", 1992, "blma_count") == 1


def test_sweden_yugoslavia_bit_counted_once(agreements):
    raw = _unctad_raw()
    sel = raw["short_title"].str.contains("Sweden BIT (1978)", regex=False) & raw[
        "short_title"
    ].str.contains("Serbia|Croatia|Slovenia|Bosnia")
    rows = raw[sel]
    assert sorted(rows["date_of_signature"].astype(str)) == ["1978-11-10"] * 3 + ["1978-11-11"]
    unctad = agreements[agreements["source"] == "unctad2025"]
    ours = unctad[unctad["source_id"].isin(rows["treaty_id"].astype(str))]
    assert ours["agreement_id"].nunique() == 1
    p = _panel(agreements, 1979, 1980)
    assert _cell(p, "SRB", "SWE", 1980, "bit_count") == 1


def test_bleu_listing_expands_to_both_members(agreements):
    raw = _unctad_raw()
    row = raw[raw["short_title"] == "Belgium/Luxembourg - Kyrgyzstan BIT (1989)"]
    assert row["parties"].tolist() == ["Belgium, Kyrgyzstan"]
    unctad = agreements[agreements["source"] == "unctad2025"]
    ours = unctad[unctad["source_id"] == str(int(row["treaty_id"].iloc[0]))]
    assert set(zip(ours["party_a"], ours["party_b"], strict=True)) == {
        ("BEL", "KGZ"),
        ("KGZ", "LUX"),
    }
    assert set(ours["bloc"]) == {"BLEU"}
