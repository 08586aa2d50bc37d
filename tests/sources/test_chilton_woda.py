"""Chilton-Woda BLAs: formation file -> agreements rows, coding file -> blma_provisions."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from polecon.registry import fetch
from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError
from polecon.sources.agreements import chilton_woda as cw

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def formation_path() -> Path:
    return fetch(cw.FORMATION_KEY)


@pytest.fixture(scope="module")
def coding_path() -> Path:
    return fetch(cw.CODING_KEY)


@pytest.fixture(scope="module")
def raw_formation(formation_path: Path) -> pd.DataFrame:
    return pd.read_stata(formation_path)


@pytest.fixture(scope="module")
def built(formation_path: Path, coding_path: Path) -> tuple[pd.DataFrame, BuildLog]:
    log = BuildLog("agreements")
    return cw.blma_agreements(formation_path, log, coding_path=coding_path), log


@pytest.fixture(scope="module")
def agreements(built: tuple[pd.DataFrame, BuildLog]) -> pd.DataFrame:
    return built[0]


@pytest.fixture(scope="module")
def formation(formation_path: Path) -> pd.DataFrame:
    return cw.parse_formation(formation_path).set_index("treaty_id")


@pytest.fixture(scope="module")
def provisions(coding_path: Path) -> pd.DataFrame:
    return cw.parse_coding(coding_path)


# ------------------------------------------------------------------------------------------
# Real file: counts, keys, coverage
# ------------------------------------------------------------------------------------------


def test_1222_agreements_one_row_each(agreements: pd.DataFrame) -> None:
    assert len(agreements) == 1222
    assert agreements["agreement_id"].is_unique
    assert list(agreements.columns) == [
        "agreement_id", "type", "party_a", "party_b", "signed", "in_force", "terminated",
        "source", "source_id", "n_parties", "title", "bloc",
    ]  # fmt: skip
    assert (agreements["party_a"] < agreements["party_b"]).all()
    assert set(agreements["type"]) == {"blma"} and set(agreements["source"]) == {"chilton_woda"}
    assert (agreements["n_parties"] == 2).all()
    assert agreements["bloc"].isna().all()
    assert agreements["terminated"].isna().all()  # default: no termination dates
    assert agreements["title"].notna().sum() == 570
    assert agreements["agreement_id"].str.fullmatch(r"cw:\d+").all()
    assert (agreements["agreement_id"] == "cw:" + agreements["source_id"]).all()


def test_year_coverage_and_decades(agreements: pd.DataFrame) -> None:
    years = agreements["signed"].dt.year
    assert years.min() == 1927 and years.max() == 2020
    assert years.isna().sum() == 1  # the 9999 row
    decades = (years.dropna() // 10 * 10).astype(int).value_counts().sort_index().to_dict()
    # PROVENANCE: 1940s 48, 1950s 138, 1960s 127, 1970s 102, 1980s 57, 1990s 160, 2000s 308,
    # 2010s 275, 2020 4 (plus 1927 and 1928)
    assert decades == {
        1920: 2, 1940: 48, 1950: 138, 1960: 127, 1970: 102, 1980: 57, 1990: 160, 2000: 308,
        2010: 275, 2020: 4,
    }  # fmt: skip


def test_in_force_is_signature_or_later_ratification(agreements, formation) -> None:
    a = agreements.set_index("source_id")
    f = formation.copy()
    f.index = f.index.astype(str)
    a = a.loc[f.index]
    assert (a["in_force"] >= a["signed"]).where(a["signed"].notna(), True).all()
    later = f["ratified"].notna() & a["signed"].notna() & (f["ratified"] > a["signed"])
    assert (a.loc[later, "in_force"] == f.loc[later, "ratified"]).all()
    assert (
        a.loc[~later, "in_force"].fillna(pd.Timestamp(0))
        == a.loc[~later, "signed"].fillna(pd.Timestamp(0))
    ).all()
    assert int(later.sum()) == 237


# ------------------------------------------------------------------------------------------
# Date quirks (PROVENANCE): 9999, the 2997 typo, 7 year/date conflicts
# ------------------------------------------------------------------------------------------


def test_raw_quirk_counts(raw_formation: pd.DataFrame) -> None:
    """The raw file has the quirks PROVENANCE lists (independent of the parser)."""
    assert (raw_formation["year"] == 9999).sum() == 1
    ds = raw_formation["datesigned"].str.strip()
    assert ds.str.contains("2997").sum() == 1
    assert (ds == "").sum() == 209
    date_year = pd.to_numeric(ds.str.extract(r"/(\d{4})")[0], errors="coerce")
    conflict = date_year.notna() & (date_year != raw_formation["year"])
    assert int(conflict.sum()) == 7
    assert sorted(raw_formation.loc[conflict, "treatyID"]) == [
        420,
        612,
        659,
        1119,
        1123,
        1171,
        1268,
    ]


def test_year_9999_is_missing(formation: pd.DataFrame, agreements: pd.DataFrame) -> None:
    row = formation.loc[1079]
    assert row["year_raw"] == 9999 and pd.isna(row["year"]) and pd.isna(row["signed"])
    assert row["signed_precision"] == "none" and "year_9999_missing" in row["date_rules"]
    a = agreements.set_index("source_id").loc["1079"]
    assert pd.isna(a["signed"]) and pd.isna(a["in_force"])
    assert {a["party_a"], a["party_b"]} == {"IRL", "NZL"}


def test_2997_typo_corrected(formation: pd.DataFrame) -> None:
    row = formation.loc[659]
    assert row["datesigned_raw"] == "5/2/2997"
    assert row["signed"] == pd.Timestamp("2007-05-02") and row["year"] == 2007
    assert "datesigned_year_typo" in row["date_rules"]


CONFLICTS = {420: 1999, 612: 2009, 1119: 2017, 1123: 2019, 1171: 2011, 1268: 2018}


def test_conflicts_trust_year_by_default(formation: pd.DataFrame, agreements: pd.DataFrame) -> None:
    flagged = formation["date_rules"].fillna("").str.contains("year_date_conflict")
    assert sorted(formation.index[flagged]) == sorted(CONFLICTS)
    a = agreements.set_index("source_id")
    for tid, year in CONFLICTS.items():
        row = formation.loc[tid]
        assert row["year"] == year and pd.isna(row["signed"]) and row["signed_precision"] == "year"
        assert a.loc[str(tid), "signed"] == pd.Timestamp(f"{year}-01-01")


def test_conflicts_trust_date_option(formation_path: Path) -> None:
    log = BuildLog("agreements")
    f = cw.parse_formation(formation_path, date_conflict="date", log=log).set_index("treaty_id")
    for tid in CONFLICTS:
        raw = f.loc[tid, "datesigned_raw"]
        m, d, y = (int(v) for v in re.match(r"(\d+)/(\d+)/(\d+)", raw).groups())
        assert f.loc[tid, "signed"] == pd.Timestamp(year=y, month=m, day=d)
        assert f.loc[tid, "year"] == y
    assert any("date_conflict='date'" in n and "1171" in n for n in log.notes)


def test_other_date_rules(formation: pd.DataFrame, built) -> None:
    row = formation.loc[77]  # "1/26/1951, 4/24/1951"
    assert row["signed"] == pd.Timestamp("1951-01-26") and row["ratified"] == pd.Timestamp(
        "1951-04-24"
    )
    assert formation.loc[722, "ratified"] == pd.Timestamp("2007-05-29")  # "or sooner"
    assert formation.loc[1, "copy_languages"] == "english"
    assert formation.loc[659, "copy_languages"] == "russian"
    # 844 rows name a language, 819 have copy_available == 1 (39 + 14 disagree in the source)
    assert formation["copy_languages"].notna().sum() == 844
    early = formation["date_rules"].fillna("").str.contains("ratified_before_signed")
    assert int(early.sum()) == 18
    precision = formation["signed_precision"].value_counts().to_dict()
    assert precision == {"day": 1007, "year": 214, "none": 1}
    notes = " ".join(built[1].notes)
    for tid in ("1079", "659", "420", "1268", "77", "722"):
        assert tid in notes


def test_undated_nat_option(formation_path: Path) -> None:
    a = cw.blma_agreements(formation_path, BuildLog("agreements"), undated="nat")
    assert a["signed"].isna().sum() == 215  # 209 blank + 6 conflicts + the 9999 row


def test_duration_option(formation_path: Path, coding_path: Path, provisions) -> None:
    log = BuildLog("agreements")
    a = cw.blma_agreements(formation_path, log, coding_path=coding_path, duration="coded")
    ended = a[a["terminated"].notna()].set_index("agreement_id")
    assert len(ended) == 56
    assert (ended["terminated"] > ended["in_force"]).all()
    p = provisions.set_index("agreement_id").loc[ended.index]
    assert (p["auto_renewal"] == False).all()  # noqa: E712
    years = (ended["terminated"].dt.year - ended["in_force"].dt.year).astype(int)
    assert (years.to_numpy() == p["duration_years"].astype(int).to_numpy()).all()
    with pytest.raises(ValueError, match="coding_path"):
        cw.blma_agreements(formation_path, log, duration="coded")


# ------------------------------------------------------------------------------------------
# Known values
# ------------------------------------------------------------------------------------------


def _partners(a: pd.DataFrame, code: str) -> set[str]:
    m = (a["party_a"] == code) | (a["party_b"] == code)
    return (set(a.loc[m, "party_a"]) | set(a.loc[m, "party_b"])) - {code}


def test_usa_mexico_bracero(agreements: pd.DataFrame) -> None:
    um = agreements[(agreements["party_a"] == "MEX") & (agreements["party_b"] == "USA")]
    assert len(um) == 31
    years = um["signed"].dt.year
    assert years.min() == 1947 and years.max() == 1961
    assert (years <= 1961).sum() == 31  # HYPOTHESES: blma_count >= 31 by 1961


def test_germany_turkey_1961(agreements: pd.DataFrame, formation: pd.DataFrame) -> None:
    dt = agreements[(agreements["party_a"] == "DEU") & (agreements["party_b"] == "TUR")]
    assert pd.Timestamp("1961-10-30") in set(dt["signed"])
    assert formation.loc[540, "country_a_name"] == "West Germany"
    assert formation.loc[540, "country_a"] == "DEU"


def test_philippines_spain_usa(agreements: pd.DataFrame) -> None:
    phl = _partners(agreements, "PHL")
    assert len(phl) == 29  # 30 names: Germany and West Germany are both DEU
    assert {"SAU", "ARE", "QAT", "KWT", "JPN", "KOR", "CAN", "GBR", "DEU", "NZL"} <= phl
    assert ((agreements["party_a"] == "PHL") | (agreements["party_b"] == "PHL")).sum() == 79
    esp = _partners(agreements, "ESP")
    assert len(esp) == 32
    assert ((agreements["party_a"] == "ESP") | (agreements["party_b"] == "ESP")).sum() == 49
    assert ((agreements["party_a"] == "USA") | (agreements["party_b"] == "USA")).sum() == 48


def test_historical_and_adhoc_codes(formation: pd.DataFrame) -> None:
    by_name = dict(
        zip(
            pd.concat([formation["country_a_name"], formation["country_b_name"]]),
            pd.concat([formation["country_a"], formation["country_b"]]),
            strict=True,
        )
    )
    assert by_name["West Germany"] == "DEU" and by_name["Germany"] == "DEU"
    assert by_name["East Germany"] == "DDR"
    assert by_name["Yugoslavia"] == "SRB" and by_name["Serbia"] == "SRB"
    assert by_name["Czechoslovakia"] == "CSK"
    assert by_name["Hong Kong"] == "HKG" and by_name["Macau"] == "MAC"
    assert by_name["Timor Leste"] == by_name["Timor-Leste"] == "TLS"


# ------------------------------------------------------------------------------------------
# blma_provisions
# ------------------------------------------------------------------------------------------


def test_provisions_shape_and_join(provisions: pd.DataFrame, agreements: pd.DataFrame) -> None:
    assert len(provisions) == 570
    assert provisions["agreement_id"].is_unique
    assert provisions["agreement_id"].isin(agreements["agreement_id"]).all()
    assert provisions["year"].min() == 1928 and provisions["year"].max() == 2020
    cryptic = set(cw.PROVISIONS) - {
        "quota",
        "passport",
        "credentials",
        "remittances",
        "reintegration",
        "contract_renewal",
    }
    assert not cryptic & set(provisions.columns)
    for col in cw.CODING_SCHEMA.columns:
        assert col.description


def test_provisions_known_values(provisions: pd.DataFrame) -> None:
    p = provisions.set_index("agreement_id")
    assert p.loc["cw:4", "title"] == "Migratory Workers"
    assert bool(p.loc["cw:4", "contract_required"]) and bool(p.loc["cw:4", "replaces_previous"])
    assert p["quota"].sum() == 136 and p["quota"].isna().sum() == 1
    assert p["auto_renewal"].sum() == 234
    assert (p["duration_type"] == "The BLA is valid for a specified number of years").sum() == 231
    assert p["duration_years"].notna().sum() == 231
    assert p.loc[p["quota_text"] == "100", "quota_size"].eq(100).all()
    assert p["coded_from_translation"].sum() == 72
    assert p["dispute_resolution"].dtype == "boolean"


def test_load_provisions_through_registry(monkeypatch, tmp_path: Path) -> None:
    from polecon.sources import build_log, load

    monkeypatch.setenv("POLECON_CACHE", str(tmp_path))
    df = load("blma_provisions")
    assert len(df) == 570
    again = load("blma_provisions")
    pd.testing.assert_frame_equal(df, again)
    assert any("570 coded agreements" in n for n in build_log("blma_provisions")["notes"])


# ------------------------------------------------------------------------------------------
# Failure tests on small malformed copies
# ------------------------------------------------------------------------------------------


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_stata(path, write_index=False, version=118)
    return path


@pytest.fixture
def small(raw_formation: pd.DataFrame) -> pd.DataFrame:
    return raw_formation.iloc[:12].copy()


def test_small_copy_parses(small: pd.DataFrame, tmp_path: Path) -> None:
    out = cw.parse_formation(_write(small, tmp_path / "ok.dta"))
    assert len(out) == 12


@pytest.mark.parametrize(
    ("mutate", "column", "fragment"),
    [
        (lambda d: d.drop(columns="datesigned"), "datesigned", "missing column"),
        (
            lambda d: d.assign(codeA=np.where(d.index == 1, "USA", d["codeA"].astype(str))),
            "codeA",
            "expected numbers",
        ),
        (
            lambda d: d.assign(codeB=np.where(d.index == 3, 1, d["codeB"])),
            "codeB",
            "unknown country",
        ),
        (
            lambda d: d.assign(
                treatyID=np.where(d.index == 5, d["treatyID"].iloc[4], d["treatyID"])
            ),
            "treatyID",
            "duplicated",
        ),
        (lambda d: d.assign(year=np.where(d.index == 2, -1947, d["year"])), "year", "year outside"),
        (
            lambda d: d.assign(datesigned=np.where(d.index == 6, "13/45/1950", d["datesigned"])),
            "datesigned",
            "impossible",
        ),
        (
            lambda d: d.assign(ratified=np.where(d.index == 7, "soon", d["ratified"])),
            "ratified",
            "not a M/D/YYYY",
        ),
    ],
)
def test_formation_errors(small, tmp_path, mutate, column, fragment) -> None:
    path = _write(mutate(small), tmp_path / "bad.dta")
    with pytest.raises(SourceError) as err:
        cw.parse_formation(path)
    msg = str(err.value)
    assert "bad.dta" in msg and fragment in msg
    assert f"'{column}'" in msg and err.value.column == column
    assert ("[rows:" in msg) == (fragment != "missing column")  # a missing column has no rows


@pytest.mark.parametrize(
    ("mutate", "column", "rows"),
    [
        (lambda d: d.assign(codeB=np.where(d.index == 3, 1, d["codeB"])), "codeB", [3]),
        (
            lambda d: d.assign(codeA=np.where(d.index == 1, "USA", d["codeA"].astype(str))),
            "codeA",
            [1],
        ),
        (lambda d: d.assign(year=np.where(d.index == 2, -1947, d["year"])), "year", [2]),
    ],
)
def test_error_names_rows(small, tmp_path, mutate, column, rows) -> None:
    path = _write(mutate(small), tmp_path / "bad.dta")
    with pytest.raises(SourceError) as err:
        cw.parse_formation(path)
    assert err.value.rows == rows and err.value.column == column


def test_truncated_file(formation_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.dta"
    bad.write_bytes(formation_path.read_bytes()[:5000])
    with pytest.raises(SourceError, match="truncated.dta"):
        cw.parse_formation(bad)


def test_coding_errors(coding_path: Path, tmp_path: Path) -> None:
    raw = pd.read_stata(coding_path).iloc[:10].copy()
    assert len(cw.parse_coding(_write(raw, tmp_path / "ok.dta"))) == 10
    bad = raw.assign(wage_prot=np.where(raw.index == 4, 2, raw["wage_prot"]))
    with pytest.raises(SourceError, match=r"coding_bad.dta, column 'wage_prot'.*0/1.*rows: 4"):
        cw.parse_coding(_write(bad, tmp_path / "coding_bad.dta"))
    with pytest.raises(SourceError, match="missing column"):
        cw.parse_coding(_write(raw.drop(columns="perm_resid"), tmp_path / "coding_missing.dta"))
    bad = raw.assign(bla_duration_years=np.where(raw.index == 1, "-2", raw["bla_duration_years"]))
    with pytest.raises(SourceError, match="bla_duration_years"):
        cw.parse_coding(_write(bad, tmp_path / "coding_neg.dta"))


def test_bloc_party_is_expanded(monkeypatch, formation_path: Path) -> None:
    """No CW party is a bloc today; a bloc party would become one row per member."""
    real = cw.parse_formation(formation_path)
    fake = real.copy()
    row = fake.index[fake["agreement_id"] == "cw:540"][0]  # West Germany - Turkey 1961
    fake.loc[row, "country_a"] = "BLEU"
    monkeypatch.setattr(cw, "parse_formation", lambda *a, **k: fake)
    a = cw.blma_agreements(formation_path, BuildLog("agreements"))
    assert len(a) == 1223
    rows = a[a["agreement_id"] == "cw:540"]
    assert set(map(tuple, rows[["party_a", "party_b"]].to_numpy())) == {
        ("BEL", "TUR"),
        ("LUX", "TUR"),
    }
    assert set(rows["bloc"]) == {"BLEU"}
    assert a.loc[a["agreement_id"] != "cw:540", "bloc"].isna().all()
