"""DESTA v2.3 parser: real mirrored files and malformed copies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon import registry
from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError
from polecon.sources.agreements import desta

pytestmark = pytest.mark.realdata

DYADS = "ptas/desta_v2.3/desta_list_of_treaties_02_03_dyads.csv"
LIST = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
WITHDRAWALS = "ptas/desta_v2.3/desta_dyadic_withdrawal_02_03.csv"


def _fetch(key: str) -> Path:
    return registry.fetch(key)  # without a mirror: FileUnavailableError -> skipped (conftest)


@pytest.fixture(scope="module")
def parsed() -> tuple[pd.DataFrame, BuildLog]:
    log = BuildLog("desta")
    df = desta.parse(_fetch(DYADS), _fetch(LIST), _fetch(WITHDRAWALS), log=log)
    return df, log


def _pair(df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    lo, hi = sorted((a, b))
    return df[(df["party_a"] == lo) & (df["party_b"] == hi)]


def test_rows_keys_types(parsed):
    df, log = parsed
    assert len(df) == 18269  # 18,544 less 275 same-side accession pairs (issue 11 C)
    assert not df.duplicated(["agreement_id", "party_a", "party_b"]).any()
    assert (df["party_a"] < df["party_b"]).all()
    counts = df.groupby("type")["agreement_id"].agg(["size", "nunique"])
    # bloc-as-one-party only for BLEU, EC/EU, EFTA (CAFTA-DR and Cotonou are plurilateral)
    # issue 11 C: same-side pairs dropped; bloc_match 0.5: 1972 EC agreements bilateral
    assert counts.loc["bfta"].tolist() == [2472, 733]
    assert counts.loc["pta"].tolist() == [15797, 168]
    assert ((df["type"] == "bfta") == (df["n_parties"] == 2)).all()
    assert df["bloc"].isna().all()


def test_consolidated_dropped_and_logged(parsed):
    df, log = parsed
    cons = [d for d in log.drops if "consolidated" in d["reason"]]
    assert cons and cons[0]["rows"] == 1965
    assert not df["source_id"].str.endswith("a").any()


def test_year_coverage(parsed):
    df, _ = parsed
    assert df["signed"].dt.year.min() == 1948
    assert df["signed"].dt.year.max() == 2025
    assert df["in_force"].dt.year.min() == 1949
    assert df["in_force"].dt.year.max() == 2026
    assert (df["signed"].dt.month == 1).all() and (df["signed"].dt.day == 1).all()


def test_bilateral_count():
    """PROVENANCE: 614 bilateral base treaties (typememb 1), 466 signed by 2007, 350 in 1989-2007."""
    df = desta.parse(_fetch(DYADS), _fetch(LIST), _fetch(WITHDRAWALS))
    raw = pd.read_csv(_fetch(DYADS), encoding="cp1252")
    bilateral = raw[(raw["typememb"] == 1) & (raw["entry_type"] == "base_treaty")]
    ids = {f"desta:{b}" for b in bilateral["base_treaty"]}
    assert len(ids) == 614
    sel = df[df["agreement_id"].isin(ids)]
    assert sel["agreement_id"].nunique() == 614
    assert (sel["type"] == "bfta").all()
    first = sel.groupby("agreement_id")["signed"].min().dt.year
    assert (first <= 2007).sum() == 466
    assert first.between(1989, 2007).sum() == 350


def test_known_values(parsed):
    df, _ = parsed
    nafta = _pair(df[df["agreement_id"] == "desta:636"], "MEX", "USA")
    assert nafta["in_force"].dt.year.tolist() == [1994]
    assert nafta["signed"].dt.year.tolist() == [1992]
    assert nafta["type"].tolist() == ["pta"] and nafta["n_parties"].tolist() == [3]
    tpp = df[df["agreement_id"] == "desta:899"]
    us = tpp[(tpp["party_a"] == "USA") | (tpp["party_b"] == "USA")]
    assert len(us) == 11 and us["in_force"].isna().all()
    assert (us["signed"].dt.year == 2016).all()
    # EC enlargement 1973: DESTA codes the UK's accession to the EC (Rome) as 293+1
    ec = _pair(df[df["agreement_id"] == "desta:293"], "DEU", "GBR")
    assert ec["source_id"].tolist() == ["293+1"]
    assert ec["in_force"].dt.year.tolist() == [1973] and ec["signed"].dt.year.tolist() == [1972]
    # US bilateral FTAs signed by 2007 (PROVENANCE: 16, 15 without the 1965 auto pact)
    size = df.groupby("agreement_id")["party_a"].transform("size")
    one_pair = df[(df["type"] == "bfta") & (size == 1)]
    us_bi = one_pair[(one_pair["party_a"] == "USA") | (one_pair["party_b"] == "USA")]
    assert (us_bi["signed"].dt.year <= 2007).sum() == 16


def test_withdrawals_terminate(parsed):
    df, log = parsed
    alb = _pair(df[df["agreement_id"] == "desta:8"], "ALB", "GBR")  # EC-Albania SAA, UK exit
    assert alb["terminated"].dt.year.tolist() == [2020]
    lisbon = _pair(df[df["agreement_id"] == "desta:324"], "DEU", "GBR")
    assert lisbon["terminated"].dt.year.tolist() == [2020]
    # Venezuela left MERCOSUR in 2017: its pairs with the four founders end; DESTA's
    # withdrawal file has no Bolivia-Venezuela pair (Bolivia acceded in 2015), so that stays
    ven = df[
        (df["agreement_id"] == "desta:604") & ((df["party_a"] == "VEN") | (df["party_b"] == "VEN"))
    ]
    ended = ven.set_index("party_a")["terminated"].dt.year
    assert ended[["ARG", "BRA", "PRY", "URY"]].tolist() == [2017] * 4
    assert pd.isna(ended["BOL"])
    # 409 matched through the withdrawal file's base_treaty, plus 6 CEFTA pairs through the
    # treaty list's entry -> base treaty mapping (193_1, 193_2)
    assert (df["terminated"].notna()).sum() == 415
    assert any("1692 withdrawal pairs" in n for n in log.notes)


def test_encoding_cp1252():
    raw = desta.read_desta_csv(_fetch(DYADS), desta.DYAD_COLUMNS)
    names = set(raw["country1"]) | set(raw["country2"])
    assert "Côte d\u2019Ivoire" in names


# ---------------------------------------------------------------------------
# malformed copies
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    d = pd.read_csv(_fetch(DYADS), encoding="cp1252", dtype={"number": str})
    d = d[d["base_treaty"].isin([1, 8, 636, 293])].reset_index(drop=True)
    w = pd.read_csv(_fetch(WITHDRAWALS), encoding="cp1252", dtype={"number": str}, low_memory=False)
    w = w[w["base_treaty"] == 8].reset_index(drop=True)
    return {"dyads": d, "withdrawals": w}


def _write(
    small: dict[str, pd.DataFrame], tmp_path: Path, **replace: pd.DataFrame
) -> tuple[Path, Path, Path]:
    frames = {**small, **replace}
    dy = tmp_path / "dyads.csv"
    wd = tmp_path / "withdrawal.csv"
    frames["dyads"].to_csv(dy, index=False, encoding="cp1252")
    frames["withdrawals"].to_csv(wd, index=False, encoding="cp1252")
    return dy, _fetch(LIST), wd


def test_small_copy_parses(small, tmp_path):
    df = desta.parse(*_write(small, tmp_path))
    assert set(df["agreement_id"]) == {"desta:1", "desta:8", "desta:636", "desta:293"}
    assert _pair(df, "ALB", "GBR")["terminated"].dt.year.tolist() == [2020]


def test_missing_column(small, tmp_path):
    with pytest.raises(SourceError, match="iso2") as exc:
        desta.parse(*_write(small, tmp_path, dyads=small["dyads"].drop(columns="iso2")))
    assert exc.value.column == "iso2" and "dyads.csv" in str(exc.value)


def test_wrong_type(small, tmp_path):
    bad = small["dyads"].copy()
    bad["year"] = bad["year"].astype(object)
    bad.loc[3, "year"] = "nineteen-ninety"
    with pytest.raises(SourceError, match="whole numbers") as exc:
        desta.parse(*_write(small, tmp_path, dyads=bad))
    assert exc.value.column == "year" and exc.value.rows == [3]


def test_implausible_year(small, tmp_path):
    bad = small["dyads"].copy()
    bad.loc[2, "entryforceyear"] = 2997
    with pytest.raises(SourceError, match="outside") as exc:
        desta.parse(*_write(small, tmp_path, dyads=bad))
    assert exc.value.column == "entryforceyear" and exc.value.rows == [2]


def test_unknown_country(small, tmp_path):
    bad = small["dyads"].copy()
    bad.loc[4, "iso1"] = 999
    with pytest.raises(SourceError, match="999") as exc:
        desta.parse(*_write(small, tmp_path, dyads=bad))
    assert exc.value.column == "iso1/iso2" and exc.value.rows == [4]


def test_duplicated_key(small, tmp_path):
    bad = pd.concat([small["dyads"], small["dyads"].iloc[[7]]], ignore_index=True)
    with pytest.raises(SourceError, match="duplicated key") as exc:
        desta.parse(*_write(small, tmp_path, dyads=bad))
    assert exc.value.rows == [7, len(bad) - 1]


def test_unexpected_entry_type(small, tmp_path):
    bad = small["dyads"].copy()
    bad.loc[1, "entry_type"] = "negotiation"
    with pytest.raises(SourceError, match="entry_type") as exc:
        desta.parse(*_write(small, tmp_path, dyads=bad))
    assert exc.value.rows == [1]


def test_truncated_file(small, tmp_path):
    dy, lst, wd = _write(small, tmp_path)
    text = dy.read_bytes()
    dy.write_bytes(text[: len(text) // 2 + 7])  # cut mid-line
    with pytest.raises(SourceError) as exc:
        desta.parse(dy, lst, wd)
    assert "dyads.csv" in str(exc.value)
    assert exc.value.column is not None and exc.value.rows


def test_cafta_dr_is_plurilateral_and_eu_deals_bilateral() -> None:
    """A group counts as one party only if it is a signing bloc (BLEU, EC/EU, EFTA)."""
    import polecon

    a = polecon.load("agreements")
    cafta = a[a["agreement_id"] == "desta:188"]
    assert set(cafta["type"]) == {"pta"} and set(cafta["n_parties"]) == {7}
    usa_bfta = a[(a["source"] == "desta") & (a["type"] == "bfta") & (a["signed"].dt.year <= 2007)]
    usa_bfta = usa_bfta[(usa_bfta["party_a"] == "USA") | (usa_bfta["party_b"] == "USA")]
    # 16 by 2007, of which one is the 1965 Canada-US automotive pact: the essay's 15 FTAs
    assert usa_bfta["agreement_id"].nunique() == 16
    eu_mex = a[(a["source"] == "desta") & (a["title"].str.contains("EC Mexico", regex=False))]
    if len(eu_mex):
        assert set(eu_mex["type"]) == {"bfta"}


def test_withdrawal_numbered_by_protocol_entry_ends_base_treaty_pairs() -> None:
    """CEFTA withdrawals 193_1/193_2 name entry 193, a protocol of base treaty 192."""
    import polecon

    a = polecon.load("agreements")
    cefta = a[a["agreement_id"] == "desta:192"].set_index(["party_a", "party_b"])
    assert cefta.loc[("BGR", "ROU"), "terminated"].year == 2007
    assert cefta.loc[("HRV", "MKD"), "terminated"].year == 2013
