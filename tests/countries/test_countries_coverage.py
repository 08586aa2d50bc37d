"""Acceptance: every country identifier in every source file maps or is a documented exception.

Reads the real files through the registry (mirror), prints the coverage table and fails on any
unaccounted identifier or any unexpected code/name disagreement.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from polecon.sources import _splitters, wto_rta
from polecon.sources._coverage_pairs import _pairs
from polecon.sources._coverage_read import read_file
from polecon.sources.agreements import unctad
from polecon.sources.coverage import (
    EXPECTED_DISAGREEMENTS,
    consistency_table,
    coverage_table,
    declarations,
    extract_all,
    replicate_stage,
)

pytestmark = pytest.mark.realdata


@pytest.mark.slow
def test_every_source_is_covered() -> None:
    cols = extract_all()
    sources = {c.source.split("/")[0] for c in cols}
    assert sources == {"bits", "ptas", "blas", "trade", "migration", "geo", "macro", "codes"}
    assert len(cols) >= 80


def test_covered_columns_are_the_declared_ones() -> None:
    """The report covers exactly the (file, column) identifiers the parsers declare."""
    _, detail = coverage_table()
    declared = {(d.key, d.name) for d in declarations()}
    assert len(declared) == len(declarations())  # no column declared twice
    assert set(detail) == declared


#: raw column names that look like country identifiers (an oracle independent of the
#: declarations: the files' own headers)
_ID_LIKE = re.compile(
    r"(?i)(iso|ccode|gwcode|cown|gwn|^code|code$|countr|name$|^name|exporter|importer|origin|"
    r"dest|partner|part(y|ies)|signator|reporter|member|colon|^exp$|^imp$|^coo|^coa|abbrev|"
    r"scode|_id$|cnum|state)"
)
_CW, _CEPII = "blas/chilton_woda_2022/", "geo/original/cepii_geo_cepii.xls"
_NAMES_NOT_READ = "a country-name column no parser reads (the parser maps the code column)"
#: (file, column) -> why a column that looks like an identifier is not certified
NOT_IDENTIFIERS = {
    ("bits/unctad_iia_navigator_2025-02/bits_raw.rda", "treaty_id"): "treaty id",
    **{
        (f"ptas/desta_v2.3/{f}.csv", c): "treaty name / WTO treaty name"
        for f in ("desta_list_of_treaties_02_03_dyads", "desta_list_of_treaties_02_03",
                  "desta_dyadic_withdrawal_02_03")
        for c in ("name", "wto_name")
    },
    ("ptas/desta_v2.3/desta_dyadic_withdrawal_02_03.csv", "coded"): "0/1 coding flag",
    ("ptas/wto_rta_database_2026-02/WTO_RTA_AllRTAs.xlsx", "RTA Name"): "agreement name",
    ("ptas/wto_rta_database_2026-02/WTO_RTA_AllRTAs.xlsx", "All Parties WTO members?"): "yes/no",
    (_CW + "BLAs_Formation_Data.dta", "dataset_original"): "source dataset label",
    **{(_CW + "BLAs_Coding_Data.dta", c): "provision text or coding" for c in
       ("coded_orig_lang", "coded_google_translation", "labor_union_dest")},
    (_CW + "countries_match.xlsx", "o_iso3 combined"): "concatenation of the o_iso3 codes",
    ("migration/unhcr_population_1951_2025.rda", "stateless"): "population count",
    ("trade/yotov2016_agtpa_applications.rda", "pair_id"): "pair index",
    ("geo/original/cepii_dist_cepii.rda", "colony"): "0/1 colonial-link dummy",
    (_CEPII, "iso2"): "ISO2 beside the certified iso3/cnum; no parser reads it",
    **{(f"geo/original/{f}.rda", "statenme"): _NAMES_NOT_READ
       for f in ("cow_capitals", "gw_capitals")},
    ("macro/original/bmr.rda", "bmr_ccode"): "BMR's own COW code copy; cown is certified",
    ("macro/original/bmr.rda", "abbreviation_undp"): "UNDP abbreviation; no parser reads it",
    ("macro/original/vdem_simple.rda", "vdem_cowcode"): "V-Dem's COW copy; cown is certified",
    **{(f"macro/original/{f}.rda", c): _NAMES_NOT_READ for f, c in (
        ("bmr", "extended_country_name"), ("polity5", "polity_annual_country"),
        ("polity5", "extended_country_name"), ("vdem_simple", "vdem_country_name"),
        ("vdem_simple", "histname"), ("vdem_simple", "extended_country_name"),
        ("cow_igo_state_year_format3", "state"))},
    ("codes/original/gw_system.rda", "gw_name"): _NAMES_NOT_READ,
    ("codes/original/gw_system.rda", "microstate"): "0/1 flag",
}  # fmt: skip


@pytest.mark.slow
def test_every_identifier_like_column_is_declared_or_excused() -> None:
    """Each raw column whose name looks like a country identifier is certified (declared, or
    checked against a code column in the consistency table) or listed in NOT_IDENTIFIERS with a
    reason; no excuse is stale."""
    declared: dict[tuple[str, object], set[str]] = {}
    patterns: dict[tuple[str, object], list[str]] = {}
    options = {}
    for d in declarations():
        f = (d.key, d.options.sheet)
        options[f] = d.options
        if d.pattern is not None:
            patterns.setdefault(f, []).append(d.pattern)
        else:
            declared.setdefault(f, set()).update(d.column.split("+"))
    paired = {  # "name (escapes decoded)" is the name column, decoded
        (p.source, c.split(" (")[0])
        for p in _pairs()
        for col in (p.column_a, p.column_b)
        for c in col.split("+")
    }
    looks: set[tuple[str, str]] = set()
    undeclared = []
    for f, opts in options.items():
        for c in map(str, read_file(f[0], opts).columns):
            if not _ID_LIKE.search(c) or any(re.fullmatch(p, c) for p in patterns.get(f, ())):
                continue
            looks.add((f[0], c))
            certified = c in declared.get(f, set()) or (f[0], c) in paired
            if not certified and (f[0], c) not in NOT_IDENTIFIERS:
                undeclared.append((f[0], c))
    assert undeclared == []
    assert set(NOT_IDENTIFIERS) <= looks  # every excuse names a real, identifier-like column
    excused_and_declared = {
        (k, c) for (k, sheet), cols in declared.items() for c in cols if (k, c) in NOT_IDENTIFIERS
    }
    assert excused_and_declared == set() and not set(NOT_IDENTIFIERS) & paired


def test_declared_splitters_are_the_parsers_own() -> None:
    """The declaration names the very function the parser calls, not a copy."""
    by_name = {(d.key, d.name): d for d in declarations()}
    bits = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
    title = by_name[(bits, "short_title of BITs (split on ' - ')")]
    tips = by_name[(bits, "parties of TIPs (split on ', ')")]
    assert title.split is unctad.split_title is _splitters.split_title
    assert tips.split is unctad.split_parties is _splitters.split_parties
    wto = [d for d in declarations() if d.key == wto_rta.RAW_KEY and "signatories" in d.name]
    assert len(wto) == 2
    assert all(d.split is wto_rta._names is _splitters.split_semicolons for d in wto)
    parties_2020 = by_name[(unctad.UNCTAD_2020_KEY, "Parties (split on ';')")]
    assert parties_2020.split is unctad.split_semicolons is _splitters.split_semicolons


def test_no_identifier_is_unaccounted() -> None:
    table, detail = coverage_table()
    with pd.option_context(
        "display.width", 250, "display.max_rows", 200, "display.max_colwidth", 50
    ):
        print(table.drop(columns=["n_rows"]).to_string(index=False))
    unaccounted = {
        f"{s} [{c}]": list(
            zip(
                d.loc[d.status == "unaccounted", "value"],
                d.loc[d.status == "unaccounted", "n_rows"],
                strict=True,
            )
        )
        for (s, c), d in detail.items()
        if (d["status"] == "unaccounted").any()
    }
    assert not unaccounted, unaccounted
    assert (table["n_distinct"] == table["n_mapped"] + table["n_exceptions"]).all()
    # spot checks on real identifiers
    rows = {(s, c): d.set_index("value") for (s, c), d in detail.items()}
    unctad = rows[
        ("bits/unctad_iia_navigator_2025-02/bits_raw.rda", "short_title of BITs (split on ' - ')")
    ]
    assert unctad.loc["BLEU (Belgium-Luxembourg Economic Union)", "canonical"] == "BLEU"
    assert unctad.loc["BLEU (Belgium-Luxembourg Economic Union)", "n_rows"] == 101
    assert unctad.loc["Türkiye", "canonical"] == "TUR"
    cow = rows[("trade/cow_dyadic_trade_v4_directed_1870_2014.rds", "ccode1+ccode2")]
    assert cow.loc["260.0", "canonical"] == "DEU" and cow.loc["730.0", "canonical"] == "KOR"
    desa = rows[("migration/un_desa_ims2019_bilateral_stocks_wide.csv", "Dest")]
    assert desa.loc["Micronesia", "status"] == "exception"


def test_code_and_name_columns_agree() -> None:
    c = consistency_table()
    keys = set(zip(c["source"], c["value_a"], c["value_b"], strict=True))
    unexpected = keys - set(EXPECTED_DISAGREEMENTS)
    assert not unexpected, c[
        [k in unexpected for k in zip(c["source"], c["value_a"], c["value_b"], strict=True)]
    ]


def test_replicate_stage_writes_report(tmp_path: Path) -> None:
    summary = replicate_stage(tmp_path)
    text = (tmp_path / "country_coverage.md").read_text()
    assert "0 unaccounted" in summary and "\n" not in summary
    assert "| source | column | scheme |" in text and "## Unaccounted identifiers\n\nNone." in text
