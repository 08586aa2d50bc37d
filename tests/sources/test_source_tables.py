"""Reviewed tables of the source layer (``datasets/sources/*.csv``): each is what its parser
reads, is pinned to an independent oracle in the raw data where one exists, and is part of the
table cache key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from polecon.registry import fetch
from polecon.sources import _base, _tables, cow_igo, democracy, memberships, undesa, wb_wdi
from polecon.sources import country_year as cy
from polecon.sources._schema import SourceError

ROOT = Path(__file__).resolve().parents[2]
TABLES = sorted((ROOT / "datasets" / "sources").glob("*.csv"))


# ------------------------------------------------------------------------------------------
# form: header, one row per item, a reason for each row
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", TABLES, ids=[p.name for p in TABLES])
def test_every_table_has_a_reason_for_each_row(path: Path) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert "reason" in df.columns
    assert len(df) and df["reason"].str.strip().ne("").all()
    item = [c for c in df.columns if c not in ("reason", "source")]
    assert not df.duplicated(subset=item).any()  # one row per item


def test_the_parsers_read_the_tables() -> None:
    assert _tables.SOURCES_DIR == _base.DATASETS_DIR / "sources"
    wb = pd.read_csv(_tables.SOURCES_DIR / "wb_aggregates.csv", dtype=str)
    assert frozenset(wb["code"]) == cy.WB_AGGREGATES and len(cy.WB_AGGREGATES) == 48
    un = pd.read_csv(_tables.SOURCES_DIR / "undesa_aggregates.csv", dtype=str)
    assert frozenset(un["name"]) == undesa.AGGREGATES
    assert isinstance(cy.WB_AGGREGATES, frozenset) and isinstance(undesa.AGGREGATES, frozenset)
    assert cy.VDEM_COW_OVERRIDE == {"VDR": 817}
    assert cy.VDEM_CODE_OVERRIDE == {"CZE": ("CSK", 1992)}
    assert [c[:5] for c in cy.IGO_CORRECTIONS] == [
        ("oecd", "DEU", 1961, 1989, 1),
        ("gatt", "DEU", 1990, 1990, 1),
    ]
    assert cy.MPD_NATIVE == {"SUN": ("RUS", 1990), "YUG": ("SRB", 1991), "CSK": ("CSK", 1992)}
    assert {k: v[0] for k, v in cy.UNIFIED_TERRITORY.items()} == {
        "DEU": 1989,
        "YEM": 1989,
        "VNM": 1975,
    }


def test_read_table_names_file_column_and_line(tmp_path, monkeypatch) -> None:
    (tmp_path / "t.csv").write_text("code,reason\nAAA,x\nBBB,\n")
    (tmp_path / "d.csv").write_text("code,reason\nAAA,x\nBBB,y\nAAA,z\n")
    monkeypatch.setattr(_tables, "SOURCES_DIR", tmp_path)
    _tables._read.cache_clear()
    try:
        with pytest.raises(SourceError, match=r"t\.csv, column 'reason'.*line 3"):
            _tables.read_table("t.csv", ("code", "reason"))
        with pytest.raises(SourceError, match="header"):
            _tables.read_table("t.csv", ("code", "why"))
        with pytest.raises(SourceError, match=r"duplicated value.*line 2, line 4"):
            _tables.column_set("d.csv", ("code", "reason"), "code")
    finally:
        _tables._read.cache_clear()


def test_editing_a_source_table_changes_the_code_hash(tmp_path, monkeypatch) -> None:
    copy = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets" / "countries", copy / "countries")
    shutil.copytree(ROOT / "datasets" / "sources", copy / "sources")
    monkeypatch.setattr(_base, "DATASETS_DIR", copy)
    _base._code_hash.cache_clear()
    try:
        before = _base._code_hash()
        path = copy / "sources" / "wb_aggregates.csv"
        path.write_text(path.read_text().replace("WLD,World,", "WLD,World (edited),"))
        _base._code_hash.cache_clear()
        assert _base._code_hash() != before
    finally:
        _base._code_hash.cache_clear()


# ------------------------------------------------------------------------------------------
# oracles in the raw data
# ------------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("key", [wb_wdi.GDP_KEY, wb_wdi.POP_KEY])
def test_wb_aggregates_are_the_wdi_codes_of_no_country(key: str) -> None:
    """Exactly the WDI codes that are no country's World Bank code in countrycode's codelist
    (macro PROVENANCE: 48 aggregates; XKX and CHI are economies)."""
    codelist = pd.read_csv(fetch("codes/countrycode_codelist.csv"), keep_default_na=False,
                           na_values=[""])  # fmt: skip
    countries = set(codelist["wb"].dropna())
    wdi = pd.read_csv(fetch(key), dtype=str, keep_default_na=False)
    assert set(wdi["Country Code"]) - countries == cy.WB_AGGREGATES
    assert {"XKX", "CHI"} <= set(wdi["Country Code"]) & countries


@pytest.mark.realdata
def test_undesa_aggregates_are_the_dest_rows_without_origin_column() -> None:
    """The wide table is square for countries: the aggregates are the ``Dest`` rows that have no
    origin column (migration PROVENANCE s.1), and each is a UN M49 region name."""
    wide = pd.read_csv(fetch(undesa.RAW_KEY), dtype=str, keep_default_na=False)
    assert set(wide["Dest"]) - set(wide.columns[2:]) == undesa.AGGREGATES
    codelist = pd.read_csv(fetch("codes/countrycode_codelist.csv"), keep_default_na=False)
    m49 = set(codelist["un.regionsub.name"]) | set(codelist["un.regionintermediate.name"])
    assert m49 >= undesa.AGGREGATES


@pytest.mark.realdata
def test_vdem_overrides_agree_with_vdem_and_cow() -> None:
    from polecon.countries.crosswalk import cow_system_spells

    v = democracy.parse_vdem(fetch(democracy.VDEM_KEY))
    spells = cow_system_spells()
    for unit, cc in cy.VDEM_COW_OVERRIDE.items():
        own = v.loc[v["country_text_id"] == unit, "cown"]
        assert own.isna().any()  # the override has rows to fill
        assert set(own.dropna()) == {cc}  # V-Dem gives this COW code itself in other years
        assert cc in set(spells["ccode"])
    # CZE: one V-Dem series from 1918; the last year coded CSK is the last year of COW's
    # Czechoslovakia (315), the year before the Czech Republic (316) enters
    (code, last) = cy.VDEM_CODE_OVERRIDE["CZE"]
    assert code == "CSK" and v.loc[v["country_text_id"] == "CZE", "year"].min() == 1918
    assert pd.Timestamp(spells.loc[spells["ccode"] == 315, "end"].max()).year == last
    assert pd.Timestamp(spells.loc[spells["ccode"] == 316, "start"].min()).year == last + 1


@pytest.mark.realdata
def test_igo_corrections_change_cells_and_agree_with_gatt_dates() -> None:
    igo = cow_igo.parse_state_year(fetch(cow_igo.STATE_YEAR_KEY), ("gatt", "wto", "oecd"))
    # OECD: COW codes West Germany (260) 0 in 1961-1989 (the correction is not dead) and
    # Germany (255) 1 from 1990
    frg = igo[(igo["ccode"] == 260) & igo["year"].between(1961, 1989)]
    assert len(frg) == 29 and (frg["oecd"] != 1).all()
    assert (igo.loc[(igo["ccode"] == 255) & (igo["year"] >= 1990), "oecd"] == 1).all()
    # GATT 1990: COW codes 255 as 0; stevedata's accession dates have Germany from 1951
    assert igo.loc[(igo["ccode"] == 255) & (igo["year"] == 1990), "gatt"].tolist() == [0]
    gatt = memberships.parse_gatt(fetch(memberships.GATT_KEY))
    deu = gatt.loc[gatt["iso3c"] == "DEU", "date"]
    assert len(deu) == 1 and pd.Timestamp(deu.iloc[0]).year == 1951


def _codelist() -> pd.DataFrame:
    return pd.read_csv(fetch("codes/countrycode_codelist.csv"), keep_default_na=False,
                       na_values=[""])  # fmt: skip


@pytest.mark.realdata
def test_undesa_revision_not_countries_are_the_codes_without_iso3() -> None:
    from polecon.sources import undesa_revisions as ur

    iso3 = set(_codelist()["iso3c"].dropna())
    for key, obj, _years in ur.REVISIONS.values():
        df = ur.read(fetch(key), obj)
        codes = set(df["geo"].astype(str).str.strip()) | set(df["from"].astype(str).str.strip())
        assert codes - iso3 == set(ur.NOT_COUNTRIES)


@pytest.mark.realdata
def test_unhcr_pseudo_codes_are_the_codes_without_iso3() -> None:
    from polecon.sources import unhcr
    from polecon.sources._readers import read_r_objects

    iso3 = set(_codelist()["iso3c"].dropna())
    origin: set[str] = set()
    destination: set[str] = set()
    for key in ("migration/unhcr_population_1951_2025.rda", "migration/unhcr_flows_1962_2025.rda"):
        (obj,) = read_r_objects(fetch(key)).values()
        origin |= set(obj["coo_iso"].astype(str)) - iso3
        destination |= set(obj["coa_iso"].astype(str)) - iso3
    assert origin == set(unhcr.ORIGIN_GROUPS) and destination == set(unhcr.DESTINATION_GROUPS)


@pytest.mark.realdata
def test_gbmd_legacy_codes_are_the_by_sex_codes_missing_from_the_panel() -> None:
    from polecon.sources import wb_migration as wm

    sex = wm.read_r_object(fetch(wm.BY_SEX_KEY), "MigrationFlows", ["origincode", "destcode"])
    panel = wm.parse(fetch(wm.RAW_KEY))
    in_sex = set(sex["origincode"].astype(str)) | set(sex["destcode"].astype(str))
    in_panel = set(panel["origin_code"]) | set(panel["destination_code"])
    assert in_sex - in_panel - {wm.GBMD_OTHER} == set(wm.GBMD_LEGACY_CODES)
    assert set(wm.GBMD_LEGACY_CODES.values()) <= in_panel - in_sex
    # the year labels (dcdata_year_labels.csv) are pinned by the cross-check in test_migration.py


@pytest.mark.realdata
def test_wto_blocs_are_signatories_of_the_rta_file() -> None:
    from polecon.sources import wto_rta

    df = pd.read_excel(fetch(wto_rta.RAW_KEY), sheet_name=wto_rta.SHEET)
    names = {
        " ".join(n.split()).casefold()
        for col in ("Current signatories", "Original signatories")
        for cell in df[col].dropna()
        for n in cell.split(";")
        if n.strip()
    }
    assert set(wto_rta.WTO_BLOCS) <= names


@pytest.mark.realdata
def test_bleu_names_cover_every_belgium_luxembourg_party() -> None:
    from polecon.sources import provisions

    d = pd.read_csv(fetch(provisions.MAPPING_KEY), dtype=str)
    parties = d["Parties"].dropna().str.split("\n").explode()
    parties = parties.str.replace(r"^\s*\d+\.\s*", "", regex=True).str.strip().str.casefold()
    both = {p for p in parties if "belgium" in p and "luxembourg" in p}
    assert both and both <= provisions.BLEU_NAMES


def test_desta_bloc_families_are_the_provenance_families() -> None:
    """Each bloc's DESTA family numbers are those listed in ptas PROVENANCE s.5 (where the
    blocs CAN, ALADI and AMU are named ANCOM, LAIA and UMA here)."""
    import re

    from polecon import registry
    from polecon.sources import desta_blocs

    found = [d / "ptas" / "PROVENANCE.md" for d in registry.mirror_dirs()]
    found = [p for p in found if p.is_file()]
    if not found:
        pytest.skip("no mirror with ptas/PROVENANCE.md")
    text = found[0].read_text(encoding="utf-8")
    block = text[text.index("- **Families** (DESTA `number`):") :].split("\n- ")[0]
    block = " ".join(block.split(":", 1)[1].split()).rstrip(".")
    listed = {}
    for item in block.split(";"):
        name, nums = re.fullmatch(r"\s*(.*?) ([\d, ]+)", item).groups()
        listed[name] = tuple(int(n) for n in nums.split(","))
    alias = {"ANCOM": "CAN (Andean)", "LAIA": "ALADI", "UMA": "AMU"}
    for bloc, fams in desta_blocs.FAMILIES.items():
        assert listed[alias.get(bloc, bloc)] == fams, bloc
