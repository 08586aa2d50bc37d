"""UNCTAD IIA Navigator parser: real mirrored files and malformed copies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon import registry
from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError
from polecon.sources.agreements import unctad

pytestmark = pytest.mark.realdata

KEY_2025 = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
KEY_2020 = "bits/unctad_iia_navigator_2020-01/BIT-origin.dta"


def _fetch(key: str) -> Path:
    return registry.fetch(key)  # without a mirror: FileUnavailableError -> skipped (conftest)


@pytest.fixture(scope="module")
def parsed_2025() -> tuple[pd.DataFrame, BuildLog]:
    log = BuildLog("unctad2025")
    df = unctad.parse(_fetch(KEY_2025), log=log)
    return unctad.attach_termination_type(df, _fetch(KEY_2020), log=log), log


@pytest.fixture(scope="module")
def parsed_2020() -> tuple[pd.DataFrame, BuildLog]:
    log = BuildLog("unctad2020")
    return unctad.parse_2020(_fetch(KEY_2020), log=log), log


def _pair(df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    lo, hi = sorted((a, b))
    return df[(df["party_a"] == lo) & (df["party_b"] == hi)]


# ---------------------------------------------------------------------------
# real data: 2025 scrape
# ---------------------------------------------------------------------------


def test_2025_rows_keys_and_types(parsed_2025):
    df, _ = parsed_2025
    assert len(df) == 6679  # + KGZ-LUX (issue 11 C: BLEU listing expanded)
    assert (df["type"] == "bit").sum() == 3526
    assert (df["type"] == "tip").sum() == 3153
    assert not df.duplicated(["agreement_id", "party_a", "party_b"]).any()
    assert (df["party_a"] < df["party_b"]).all()
    bits = df[df["type"] == "bit"]
    assert (bits["n_parties"] == 2).all()
    # 3,425 BIT rows in the file, one second listing of a pair dropped (Russia-FRY 1995)
    assert bits["source_id"].nunique() == 3424
    assert bits["agreement_id"].nunique() == 3374  # Sweden-Yugoslavia 1978 once (issue 11 C)


def test_2025_year_coverage(parsed_2025):
    df, _ = parsed_2025
    bits = df[df["type"] == "bit"]
    assert bits["signed"].min() == pd.Timestamp("1959-11-25")  # Germany-Pakistan
    assert bits["signed"].max() == pd.Timestamp("2025-02-12")
    assert bits["in_force"].min() == pd.Timestamp("1962-04-28")
    assert bits["terminated"].max() == pd.Timestamp("2025-01-27")


def test_2025_bits_signed_1989_2007(parsed_2025):
    """PROVENANCE: 2,495 BIT rows signed 1989-2007 (every status).  The table keeps 2,494 of
    those source rows (Russia-FRY 1995 is listed twice for the same pair) and they form 2,448
    distinct agreements (successor-state and BLEU listings merged)."""
    df, _ = parsed_2025
    bits = df[(df["type"] == "bit") & df["signed"].dt.year.between(1989, 2007)]
    assert bits["source_id"].nunique() == 2494
    assert bits["agreement_id"].nunique() == 2448


def test_2025_us_bits(parsed_2025):
    df, _ = parsed_2025
    bits = df[df["type"] == "bit"]
    us = bits[(bits["party_a"] == "USA") | (bits["party_b"] == "USA")]
    assert len(us) == 47  # 47 listed by UNCTAD
    assert us["agreement_id"].nunique() == 46  # US-Czechoslovakia 1991 listed as CZE and SVK
    assert (us["signed"].dt.year <= 2007).sum() == 46  # the 47th is Rwanda 2008
    cze, svk = _pair(bits, "CZE", "USA"), _pair(bits, "SVK", "USA")
    assert len(cze) == len(svk) == 1
    assert cze["agreement_id"].iloc[0] == svk["agreement_id"].iloc[0]
    assert cze["signed"].iloc[0] == pd.Timestamp("1991-10-22")
    ecu = _pair(bits, "ECU", "USA")
    assert ecu["terminated"].dt.year.tolist() == [2018]


def test_2025_bleu_expanded(parsed_2025):
    df, _ = parsed_2025
    bits = df[df["type"] == "bit"]
    for party in ("BEL", "LUX"):
        chn = _pair(bits, party, "CHN")
        assert sorted(chn["signed"].dt.year) == [1984, 2005]
        assert (chn["bloc"] == "BLEU").all()
        assert chn["title"].str.startswith("BLEU").all()
    assert not (bits["party_a"] == "BLEU").any() and not (bits["party_b"] == "BLEU").any()


def test_2025_bleu_ussr_and_successors(parsed_2025):
    df, log = parsed_2025
    bits = df[df["type"] == "bit"]
    ussr = bits[bits["title"].str.contains("Belgium/Luxembourg", regex=False)]
    assert ussr["agreement_id"].nunique() == 1  # one BLEU-USSR treaty, 9 listings
    assert len(ussr) == 10  # 9 listings; the Kyrgyz one expands to BEL and LUX (issue 11 C)
    assert set(zip(ussr["party_a"], ussr["party_b"], strict=True)) >= {
        ("BEL", "RUS"),
        ("LUX", "RUS"),
        ("BEL", "KGZ"),
    }
    assert ((ussr["party_a"] == "KGZ") & (ussr["party_b"] == "LUX")).sum() == 1  # via BLEU
    # Belarus' Belgian and Luxembourgish entries keep their own entry-into-force dates
    assert _pair(ussr, "BEL", "BLR")["in_force"].iloc[0] == pd.Timestamp("1991-08-02")
    assert _pair(ussr, "BLR", "LUX")["in_force"].iloc[0] == pd.Timestamp("1991-08-18")
    # Spain-USSR 1990, listed for 8 successor states: one agreement
    spain = bits[(bits["party_a"] == "ESP") | (bits["party_b"] == "ESP")]
    spain90 = spain[spain["signed"] == pd.Timestamp("1990-10-26")]
    assert len(spain90) == 8 and spain90["agreement_id"].nunique() == 1
    # Russia-FRY 1995 listed under "Yugoslavia (former)" and "Serbia": one pair kept
    assert len(_pair(bits[bits["signed"] == pd.Timestamp("1995-10-11")], "RUS", "SRB")) == 1
    # RUS-SRB, and 8 BLEU-USSR pairs given by both the Belgian and the Luxembourgish listing
    assert any("second listing" in d["reason"] and d["rows"] == 9 for d in log.drops)


def test_2025_title_quirks(parsed_2025):
    df, _ = parsed_2025
    bits = df[df["type"] == "bit"]
    for a, b, year in (
        ("CHN", "TJK", 2024),
        ("KAZ", "KGZ", 2024),
        ("KHM", "RUS", 2015),
        ("CPV", "GNQ", 2019),
    ):
        assert year in set(_pair(bits, a, b)["signed"].dt.year), (a, b)
    assert len(_pair(bits, "MLI", "ZAF")) == 1  # "Mali - South Africa BIT" (no year)


def test_2025_termination_type_from_2020(parsed_2025):
    df, _ = parsed_2025
    tt = df["termination_type"].dropna()
    assert set(tt) <= {
        "Unilaterally denounced",
        "Replaced by new treaty",
        "Terminated by consent",
        "Expired",
    }
    assert len(tt) == 340
    assert df.loc[df["type"] == "tip", "termination_type"].isna().all()


def test_2025_tips(parsed_2025):
    df, log = parsed_2025
    tips = df[df["type"] == "tip"]
    assert tips["agreement_id"].nunique() == 399
    nafta = tips[tips["title"].str.startswith("NAFTA")]
    assert {"CAN", "MEX", "USA"} == set(nafta["party_a"]) | set(nafta["party_b"])
    # EU TIPs are expanded to the members at signature (bloc "EU")
    assert (tips["bloc"].fillna("").str.contains("EU")).sum() > 1000
    dropped = [d for d in log.drops if "cannot be expanded" in d["reason"]]
    assert dropped and dropped[0]["rows"] == 101


def test_split_helpers():
    assert unctad.split_title("Japan - Zambia BIT (2025)") == ["Japan", "Zambia"]
    assert unctad.split_title("China-Tajikistan BIT (2024)") == ["China", "Tajikistan"]
    assert unctad.split_title("Cabo Verde - Equatorial Guinea  (2019)") == [
        "Cabo Verde",
        "Equatorial Guinea",
    ]
    assert unctad.split_title("Guinea-Bissau - Morocco BIT (2015)") == ["Guinea-Bissau", "Morocco"]
    assert unctad.split_parties("Korea, Republic of, Serbia") == ["Korea, Republic of", "Serbia"]
    assert unctad.split_parties("Costa Rica, Dominican Republic") == [
        "Costa Rica",
        "Dominican Republic",
    ]
    assert unctad.split_parties(
        "ACP (African, Caribbean and Pacific Group of States), EU (European Union)"
    ) == [
        "ACP (African, Caribbean and Pacific Group of States)",
        "EU (European Union)",
    ]


# ---------------------------------------------------------------------------
# real data: 2020 file
# ---------------------------------------------------------------------------


def test_2020_rows_and_known_values(parsed_2020):
    df, log = parsed_2020
    assert len(df) == 3402
    assert df["agreement_id"].nunique() == 3252  # Sweden-Yugoslavia 1978 once (issue 11 C)
    assert not df.duplicated(["agreement_id", "party_a", "party_b"]).any()
    assert df["signed"].min() == pd.Timestamp("1959-11-25")
    assert df["signed"].max() == pd.Timestamp("2019-09-25")
    sel = df[df["signed"].dt.year.between(1989, 2007)]
    assert (
        sel["source_id"].nunique() == 2494
    )  # PROVENANCE: 2,495 listings in the 2025 file (2,494 in 2020); one 2025 listing (Russia-Serbia 1995) repeats another and is dropped
    assert sel["agreement_id"].nunique() == 2448
    assert len(_pair(df, "BEL", "CHN")) == len(_pair(df, "CHN", "LUX")) == 2
    assert any("In negotiation" in d["reason"] and d["rows"] == 1 for d in log.drops)
    bol = _pair(df, "BOL", "USA")
    assert bol["termination_type"].tolist() == ["Unilaterally denounced"]


# ---------------------------------------------------------------------------
# malformed copies
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_2025() -> pd.DataFrame:
    import pyreadr

    df = pyreadr.read_r(str(_fetch(KEY_2025)))["bits_raw"].reset_index(drop=True)
    keep = df[df["type"] == "BITs"].head(12)
    bleu = df[df["short_title"].str.startswith("BLEU") & (df["type"] == "BITs")].head(1)
    return pd.concat([keep, bleu], ignore_index=True)


def _write_rda(df: pd.DataFrame, path: Path) -> Path:
    import pyreadr

    out = df.copy()
    for c in ("date_of_signature", "date_of_entry_into_force", "termination_date"):
        if c in out.columns:
            out[c] = out[c].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    pyreadr.write_rdata(str(path), out, df_name="bits_raw")
    return path


def test_small_copy_parses(raw_2025, tmp_path):
    df = unctad.parse(_write_rda(raw_2025, tmp_path / "bits_raw.rda"))
    assert (df["bloc"] == "BLEU").sum() == 2
    assert df["source_id"].nunique() == len(raw_2025)


def test_missing_column(raw_2025, tmp_path):
    path = _write_rda(raw_2025.drop(columns="short_title"), tmp_path / "bits_raw.rda")
    with pytest.raises(SourceError, match="short_title") as exc:
        unctad.parse(path)
    assert exc.value.column == "short_title" and "bits_raw.rda" in str(exc.value)


def test_wrong_type_date(raw_2025, tmp_path):
    bad = raw_2025.copy()
    bad["date_of_signature"] = bad["date_of_signature"].astype(object)
    bad.loc[3, "date_of_signature"] = "signed last spring"
    with pytest.raises(SourceError, match="not dates") as exc:
        unctad.parse(_write_rda(bad, tmp_path / "bits_raw.rda"))
    assert exc.value.column == "date_of_signature" and exc.value.rows == [3]


def test_implausible_year(raw_2025, tmp_path):
    bad = raw_2025.copy()
    bad["date_of_signature"] = bad["date_of_signature"].astype(object)
    bad.loc[5, "date_of_signature"] = "2997-05-02"
    with pytest.raises(SourceError, match="outside") as exc:
        unctad.parse(_write_rda(bad, tmp_path / "bits_raw.rda"))
    assert exc.value.column == "date_of_signature" and exc.value.rows == [5]


def test_unknown_country(raw_2025, tmp_path):
    bad = raw_2025.copy()
    bad.loc[2, "short_title"] = "Atlantis - France BIT (2001)"
    with pytest.raises(SourceError, match="Atlantis") as exc:
        unctad.parse(_write_rda(bad, tmp_path / "bits_raw.rda"))
    assert exc.value.column == "short_title" and exc.value.rows == [2]


def test_title_without_two_parties(raw_2025, tmp_path):
    bad = raw_2025.copy()
    bad.loc[1, "short_title"] = "Some Treaty (2001)"
    with pytest.raises(SourceError, match="exactly two parties") as exc:
        unctad.parse(_write_rda(bad, tmp_path / "bits_raw.rda"))
    assert exc.value.rows == [1]


def test_duplicated_key(raw_2025, tmp_path):
    bad = raw_2025.copy()
    bad.loc[5, "treaty_id"] = bad.loc[4, "treaty_id"]
    with pytest.raises(SourceError, match="duplicated treaty_id") as exc:
        unctad.parse(_write_rda(bad, tmp_path / "bits_raw.rda"))
    assert exc.value.column == "treaty_id" and exc.value.rows == [4, 5]


def test_truncated_rda(tmp_path):
    data = _fetch(KEY_2025).read_bytes()
    path = tmp_path / "bits_raw.rda"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="truncated or corrupt") as exc:
        unctad.parse(path)
    assert "bits_raw.rda" in str(exc.value)


@pytest.fixture(scope="module")
def raw_2020() -> pd.DataFrame:
    return pd.read_stata(_fetch(KEY_2020)).head(15)


def test_2020_unknown_country_and_bad_date(raw_2020, tmp_path):
    bad = raw_2020.copy()
    bad.loc[4, "Parties"] = "Atlantis; Germany;"
    path = tmp_path / "BIT-origin.dta"
    bad.to_stata(path, write_index=False, version=118)
    with pytest.raises(SourceError, match="Atlantis") as exc:
        unctad.parse_2020(path)
    assert exc.value.column == "Parties" and exc.value.rows == [4]
    bad = raw_2020.copy()
    bad.loc[6, "Dateofsignature"] = "31feb2001"
    bad.to_stata(path, write_index=False, version=118)
    with pytest.raises(SourceError, match="not dates") as exc:
        unctad.parse_2020(path)
    assert exc.value.column == "Dateofsignature" and exc.value.rows == [6]


def test_2020_missing_column_and_truncated(raw_2020, tmp_path):
    path = tmp_path / "BIT-origin.dta"
    raw_2020.drop(columns="Parties").to_stata(path, write_index=False, version=118)
    with pytest.raises(SourceError, match="Parties") as exc:
        unctad.parse_2020(path)
    assert exc.value.column == "Parties"
    data = _fetch(KEY_2020).read_bytes()
    path.write_bytes(data[:5000])
    with pytest.raises(SourceError, match="truncated or corrupt"):
        unctad.parse_2020(path)
