"""pta_design (DESTA design coding) and bit_provisions (UNCTAD IIA Mapping): raw cells and errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from polecon.sources import BuildLog, SourceError, load
from polecon.sources import provisions as pv

from ._raw import fetch

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def design() -> pd.DataFrame:
    fetch(pv.DESIGN_KEY)
    return load("pta_design")


@pytest.fixture(scope="module")
def mapping() -> pd.DataFrame:
    fetch(pv.MAPPING_KEY)
    return load("bit_provisions")


def test_pta_design_cells_equal_the_raw_file(design):
    raw = pd.read_csv(fetch(pv.DESIGN_KEY), dtype={"number": str}, low_memory=False)
    ind = pd.read_csv(fetch(pv.INDICES_KEY), dtype={"number": str})
    assert len(design) == len(raw) == 781
    d = design.set_index("number")
    r = raw.set_index("number")
    for number in ("636", "604", "687"):  # NAFTA, MERCOSUR 1991, US-Vietnam 2000
        for rawc, ours in pv.DS_COLUMNS.items():
            assert d.at[number, ours] == bool(r.at[number, rawc]), (number, rawc)
        assert d.at[number, "agreement_id"] == f"desta:{int(r.at[number, 'base_treaty'])}"
    assert d.at["636", "ds_arbitration"] and not d.at["604", "ds_arbitration"]
    i = ind.set_index("number")
    for number in ("636", "604"):
        for c in pv.INDEX_COLUMNS:
            assert d.at[number, c] == pytest.approx(float(i.at[number, c]))
    assert int(design["depth_index"].notna().sum()) == len(ind) == 692
    assert int(design["ds_provisions"].isna().sum()) == 54  # PROVENANCE s.3a


@pytest.mark.slow  # cold cache: parses the 2025 UNCTAD list for the join
def test_bit_provisions_cells_equal_the_raw_file(mapping):
    raw = pd.read_csv(fetch(pv.MAPPING_KEY))
    ids = Path(fetch(pv.URLS_KEY)).read_text().split("\n")
    assert len(mapping) == len(raw) == len(ids) == 2577
    m = mapping.set_index("unctad_id")
    for row in (0, 1, 1000, 2576):
        uid = int(ids[row].split("/treaties/")[1].split("/")[1])
        isds = raw.at[row, pv.MAPPING_COLUMNS["isds"]]
        assert m.at[uid, "isds"] == {"Yes": True, "No": False}.get(isds, pd.NA)
        assert m.at[uid, "initial_term"] == raw.at[row, pv.MAPPING_COLUMNS["initial_term"]]
        assert m.at[uid, "ssds"] == (raw.at[row, pv.MAPPING_COLUMNS["ssds"]] == "Yes")
    bits = mapping[mapping["type"] == "bit"]
    assert int(bits["isds"].sum()) == 2417 and int((bits["isds"] == False).sum()) == 121  # noqa: E712
    assert int(bits["ssds"].sum()) == 2523
    assert int(bits["agreement_id"].notna().sum()) == 2536  # PROVENANCE s.4: 2,536 of 2,539
    afg = m.loc[1]
    assert (afg["party_a"], afg["party_b"], afg["signed"]) == (
        "AFG",
        "DEU",
        pd.Timestamp("2005-04-20"),
    )


def _copy(tmp_path: Path, key: str) -> Path:
    dst = tmp_path / Path(key).parent.name / Path(key).name
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(fetch(key), dst)
    return dst


def _design_raw(tmp_path: Path) -> dict[str, Path]:
    keys = (pv.DESIGN_KEY, pv.INDICES_KEY, pv.DESTA_DYADS_KEY)
    return {k: _copy(tmp_path, k) for k in keys}


def _mapping_raw(tmp_path: Path) -> dict[str, Path]:
    keys = (pv.MAPPING_KEY, pv.URLS_KEY, pv.UNCTAD_2025_KEY, pv.DESTA_LIST_KEY)
    return {k: _copy(tmp_path, k) for k in keys}


def _rewrite(path: Path, edit, **read) -> None:
    df = pd.read_csv(path, low_memory=False, **read)
    edit(df)
    df.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("edit", "column", "rows"),
    [
        (lambda df: df.pop("ds_del_arb"), "ds_del_arb", None),
        (
            lambda df: df.__setitem__(
                "ds_sanc_prov", df["ds_sanc_prov"].astype(object).where(df.index != 5, "yes")
            ),
            "ds_sanc_prov",
            [5],
        ),
        (lambda df: df.__setitem__("c1", df["c1"].where(df.index != 7, 999)), "c1..c91", [7]),
    ],
    ids=["missing-column", "bad-type", "unknown-country"],
)
def test_malformed_design_file_names_file_column_rows(tmp_path, edit, column, rows):
    raw = _design_raw(tmp_path)
    _rewrite(raw[pv.DESIGN_KEY], edit, dtype={"number": str})
    with pytest.raises(SourceError) as exc:
        pv.build_pta_design(raw, BuildLog("pta_design"))
    assert "desta_version_02_03.csv" in str(exc.value)
    assert exc.value.column == column
    if rows is not None:
        assert exc.value.rows == rows


ISDS = pv.MAPPING_COLUMNS["isds"]


@pytest.mark.parametrize(
    ("edit", "column", "row"),
    [
        (lambda df: df.pop(ISDS), ISDS, None),
        (lambda df: df.__setitem__(ISDS, df[ISDS].where(df.index != 3, "Maybe")), ISDS, 3),
        (
            lambda df: df.__setitem__(
                "Parties", df["Parties"].where(df.index != 4, "1. Atlantis\n2. Germany")
            ),
            "Parties",
            4,
        ),
    ],
    ids=["missing-column", "bad-type", "unknown-country"],
)
def test_malformed_mapping_file_names_file_column_rows(tmp_path, edit, column, row):
    raw = _mapping_raw(tmp_path)
    _rewrite(raw[pv.MAPPING_KEY], edit)
    with pytest.raises(SourceError) as exc:
        pv.build_bit_provisions(raw, BuildLog("bit_provisions"))
    assert "data.csv" in str(exc.value)
    assert exc.value.column == column
    if row is not None:
        assert row in exc.value.rows
