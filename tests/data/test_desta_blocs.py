"""Bloc memberships derived from DESTA (ptas PROVENANCE s.5) and the bloc TIPs they expand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from polecon.sources import SourceError, load
from polecon.sources import desta_blocs as db

from ._raw import fetch

pytestmark = pytest.mark.realdata

LIST = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
UNCTAD_RDA = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"


@pytest.fixture(scope="module")
def spells() -> pd.DataFrame:
    return db.spells(fetch(LIST))


def _raw_members(number: str, role: float | None = None) -> set[int]:
    raw = pd.read_csv(fetch(LIST), encoding="cp1252", dtype={"number": str}, low_memory=False)
    r = raw[raw["number"] == number].iloc[0]
    return {int(r[f"c{k}"]) for k in range(1, 92)
            if pd.notna(r[f"c{k}"]) and (role is None or r[f"mc{k}"] == role)}  # fmt: skip


def test_spells_follow_the_raw_entries(spells):
    # ASEAN FTA 64 (1992): six founders; 64+1 (1995): Vietnam (704) accedes with mc == 1
    assert len(_raw_members("64")) == 6 and _raw_members("64+1", 1.0) == {704}
    vnm = spells[(spells["bloc"] == "ASEAN") & (spells["member"] == "VNM")]
    assert vnm["start"].tolist() == [pd.Timestamp("1995-01-01")]
    # MERCOSUR 604 (1991): ARG 32, BRA 76, PRY 600, URY 858
    assert _raw_members("604") == {32, 76, 600, 858}
    assert db.members_at(spells, "MERCOSUR", pd.Timestamp("1995-06-01")) == [
        "ARG",
        "BRA",
        "PRY",
        "URY",
    ]
    # corrections: Guinea in ECOWAS, Chile out of the Andean Pact from 1977, first EAC ends 1977,
    # Venezuela's 2017 MERCOSUR "withdrawal" (604_1, mc == 1) is a suspension
    assert 324 not in _raw_members("366")
    assert "GIN" in db.members_at(spells, "ECOWAS", pd.Timestamp("1980-01-01"))
    assert "CHL" not in db.members_at(spells, "ANCOM", pd.Timestamp("1977-06-01"))
    assert db.members_at(spells, "EAC", pd.Timestamp("1985-06-01")) == []
    assert _raw_members("604_1", 1.0) == {862}
    assert "VEN" in db.members_at(spells, "MERCOSUR", pd.Timestamp("2019-06-01"))
    per_bloc = spells.groupby("bloc")["member"].nunique()
    assert per_bloc["ASEAN"] == 10 and per_bloc["ECOWAS"] == 16 and per_bloc["SADC"] == 15


@pytest.mark.slow  # cold cache: builds the agreements table
def test_asean_tip_is_expanded_to_members_at_signature(spells):
    import pyreadr

    raw = pyreadr.read_r(fetch(UNCTAD_RDA))["bits_raw"]
    row = raw[raw["short_title"] == "ASEAN - Korea, Republic of Framework Agreement (2005)"]
    assert len(row) == 1
    signed = pd.Timestamp(row["date_of_signature"].iloc[0])
    ag = load("agreements")
    ours = ag[
        (ag["source"] == "unctad2025") & (ag["source_id"] == str(int(row["treaty_id"].iloc[0])))
    ]
    members = db.members_at(spells, "ASEAN", signed)
    assert len(members) == 10
    assert sorted(set(ours["party_a"]) | set(ours["party_b"])) == sorted([*members, "KOR"])
    assert len(ours) == 10 and (ours["bloc"] == "ASEAN").all()


def _bad_corrections(tmp_path: Path, edit) -> Path:
    df = pd.read_csv(db.CORRECTIONS, dtype=str)
    edit(df)
    path = tmp_path / "desta_bloc_corrections.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("edit", "column", "row"),
    [
        (lambda df: df.pop("event"), "event", None),
        (lambda df: df.__setitem__("year", df["year"].where(df.index != 1, "late")), "year", 1),
        (
            lambda df: df.__setitem__("member", df["member"].where(df.index != 2, "QQQ")),
            "member",
            2,
        ),
    ],
    ids=["missing-column", "bad-type", "unknown-country"],
)
def test_malformed_corrections_name_file_column_rows(tmp_path, edit, column, row):
    with pytest.raises(SourceError) as exc:
        db.corrections(_bad_corrections(tmp_path, edit))
    assert "desta_bloc_corrections.csv" in str(exc.value) and exc.value.column == column
    if row is not None:
        assert exc.value.rows == [row]


def test_unknown_member_code_in_the_desta_list_is_named(tmp_path):
    src = fetch(LIST)
    dst = tmp_path / "desta_v2.3" / Path(LIST).name
    dst.parent.mkdir()
    shutil.copy(src, dst)
    df = pd.read_csv(dst, encoding="cp1252", dtype={"number": str}, low_memory=False)
    i = int(df.index[df["number"] == "604"][0])
    df.loc[i, "c1"] = 999
    df.to_csv(dst, index=False, encoding="cp1252")
    with pytest.raises(SourceError) as exc:
        db.events(dst)
    assert "desta_list_of_treaties_02_03.csv" in str(exc.value) and exc.value.column == "c1..c91"
