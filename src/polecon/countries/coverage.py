"""Crosswalk coverage: every country identifier that appears in every source file.

Each extractor reads one raw file through the registry and returns the identifier columns it
holds (``IdColumn``: source, column, scheme, one value per row, optional years).  ``coverage_table``
maps them all and counts, per column: distinct identifiers, mapped, documented exceptions
(deliberately ``<NA>``) and unaccounted (neither).  ``replicate_stage`` writes the table to
``reports/country_coverage.md``.  The tests fail if anything is unaccounted.

``split_unctad_parties`` (the ", "-separated UNCTAD ``parties`` field) and ``unctad_title_parties``
(the " - "-separated short title) are shared with the UNCTAD parser.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from polecon._io import atomic_write_text
from polecon.countries._tables import read_r
from polecon.countries.crosswalk import (
    _NOT_FOUND,
    SCHEMES,
    _exception_index,
    _is_missing,
    _resolve_one,
    _unctad2020_map,
    normalize_name,
)
from polecon.registry import fetch

__all__ = [
    "IdColumn",
    "classify",
    "consistency_table",
    "coverage_table",
    "extract_all",
    "replicate_stage",
    "split_unctad_parties",
    "unctad_title_parties",
]


@dataclass(frozen=True)
class IdColumn:
    """One identifier column of one source file (values: one per row, as in the file)."""

    source: str
    column: str
    scheme: str
    values: pd.Series
    years: pd.Series | None = None


# --------------------------------------------------------------------------------------------
# Helpers shared with parsers
# --------------------------------------------------------------------------------------------

_TITLE_SUFFIX = re.compile(r"\s*(?:\bBIT\b)?\s*(?:\(\d{4}\))?\s*$")
# Continuations of names that contain ", " ("Korea, Republic of", "Hong Kong, China SAR",
# "Venezuela, Bolivarian Republic of", "Saint Helena, Ascension and Tristan da Cunha").
_CONTINUATION = re.compile(
    r"Republic of|Dem\. People's Rep\. of|Democratic Republic of the|Democratic Republic of|"
    r"Islamic Republic of|United Republic of|Bolivarian Republic of|Plurinational State of|"
    r"Federated States of|The former Yugoslav Republic(?: of)?|China SAR|Province of China|"
    r"Kingdom of|People's Republic of|Ascension and Tristan da Cunha|British|U\.S\.|"
    r"with respect to .*"
)


def _cepii_dots(s: pd.Series) -> pd.Series:
    """CEPII writes '.' for a missing value."""
    return s[s.notna() & (s.astype(str).str.strip() != ".")]


def split_names(cell: object, sep: str = ", ") -> list[str]:
    """Split a ``sep``-separated list of country names without breaking names that contain it.

    A piece is glued to the previous one when it is a known name continuation (``Republic of``,
    ``China SAR``, ``Bolivarian Republic of``, ...) or while a parenthesis is open
    (``ACP (African, Caribbean and Pacific Group of States)``).
    """
    if _is_missing(cell):
        return []
    out: list[str] = []
    for tok in (t.strip() for t in str(cell).split(sep)):
        if not tok:
            continue
        if out and (_CONTINUATION.fullmatch(tok) or out[-1].count("(") > out[-1].count(")")):
            out[-1] = f"{out[-1]}{sep}{tok}"
        else:
            out.append(tok)
    return out


def unctad_title_parties(short_title: str) -> list[str]:
    """Party names of a bilateral UNCTAD short title: strip " BIT (yyyy)" / " (yyyy)", split on " - ".

    ``"Japan - Zambia BIT (2025)"`` -> ``["Japan", "Zambia"]``.  The three titles without spaces
    around the hyphen (``China-Tajikistan BIT (2024)``, ...) are split on the one hyphen that
    separates two names found in the UNCTAD crosswalk.
    """
    core = _TITLE_SUFFIX.sub("", str(short_title)).strip()
    parts = [p.strip() for p in core.split(" - ")]
    if len(parts) == 1 and "-" in core:
        known = set(_unctad2020_map()) | {"russia", "russian federation"}
        for i in [m.start() for m in re.finditer("-", core)]:
            a, b = core[:i].strip(), core[i + 1 :].strip()
            if normalize_name(a) in known and normalize_name(b) in known:
                return [a, b]
    return parts


def split_unctad_parties(parties: str) -> list[str]:
    """Split UNCTAD's ", "-separated ``parties`` field (see ``split_names``)."""
    return split_names(parties, ", ")


def _wto_split(cell: object) -> list[str]:
    if _is_missing(cell):
        return []
    return [p.strip() for p in str(cell).split(";") if p.strip()]


_WTO_SPECIFIC = re.compile(r"^(.*?)\s*\((?:[^()]*)\)\s*$")


def _wto_specific_names(cell: object) -> list[str]:
    names = []
    for part in _wto_split(cell):
        m = _WTO_SPECIFIC.match(part)
        names.append(m.group(1).strip() if m else part)
    return names


def _explode(series: pd.Series, splitter: Callable[[object], list[str]]) -> pd.Series:
    return pd.Series([x for cell in series for x in splitter(cell)], dtype=object)


# --------------------------------------------------------------------------------------------
# Raw files (read once per process)
# --------------------------------------------------------------------------------------------

_CSV_OPTIONS: dict[str, dict[str, object]] = {
    "ptas/desta_v2.3/desta_list_of_treaties_02_03_dyads.csv": {
        "encoding": "cp1252",
        "low_memory": False,
    },
    "ptas/desta_v2.3/desta_dyadic_withdrawal_02_03.csv": {
        "encoding": "cp1252",
        "low_memory": False,
    },
    "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv": {"encoding": "cp1252", "low_memory": False},
    "migration/un_desa_ims2019_bilateral_stocks_wide.csv": {"dtype": str},
    "macro/wb_gdp_current_usd.csv": {"dtype": {"Country Code": str}, "keep_default_na": False},
    "macro/wb_population.csv": {"dtype": {"Country Code": str}, "keep_default_na": False},
}


@cache
def _raw(key: str, sheet: str | None = None) -> pd.DataFrame:
    """One raw source table, read with the options its PROVENANCE.md prescribes."""
    if key.endswith((".rda", ".rds")):
        return read_r(key)
    path = fetch(key)
    if key.endswith(".dta"):
        return pd.read_stata(path, convert_categoricals=False)
    if key.endswith((".xlsx", ".xls")):
        with warnings.catch_warnings():  # pandas 3 deprecates xlrd; it still reads CEPII's .xls
            warnings.filterwarnings("ignore", message=".*xlrd.*")
            return pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str)
    return pd.read_csv(path, **_CSV_OPTIONS.get(key, {}))  # type: ignore[arg-type]


def _cat(d: pd.DataFrame, *cols: str) -> pd.Series:
    return pd.concat([d[c] for c in cols], ignore_index=True)


def _decode_escapes(s: pd.Series) -> pd.Series:
    """penppml stores non-ASCII names as literal ``\\uXXXX`` escapes."""
    return s.astype(str).map(
        lambda v: re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), v)
    )


# --------------------------------------------------------------------------------------------
# Extractors (one per source file)
# --------------------------------------------------------------------------------------------

_UNCTAD25 = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
_UNCTAD20 = "bits/unctad_iia_navigator_2020-01/BIT-origin.dta"
_UNCTAD_CW = "bits/unctad_iia_navigator_2020-01/ISO3-CountryName-UNTACD.dta"
_DESTA = "ptas/desta_v2.3/"
_WTO = "ptas/wto_rta_database_2026-02/WTO_RTA_AllRTAs.xlsx"
_CW = "blas/chilton_woda_2022/"
_CW_MATCH = "blas/chilton_woda_2022/countries_match.xlsx"


def _unctad() -> list[IdColumn]:
    b = _raw(_UNCTAD25)
    bits, tips = b[b["type"] == "BITs"], b[b["type"] == "TIPs"]
    d = _raw(_UNCTAD20)
    cw = _raw(_UNCTAD_CW)
    semi = lambda c: [p.strip() for p in str(c).split(";") if p.strip()]  # noqa: E731
    return [
        IdColumn(
            _UNCTAD25,
            "short_title of BITs (split on ' - ')",
            "unctad_name",
            _explode(bits["short_title"], unctad_title_parties),
        ),
        IdColumn(
            _UNCTAD25,
            "parties of BITs (split on ', ')",
            "unctad_name",
            _explode(bits["parties"], split_unctad_parties),
        ),
        IdColumn(
            _UNCTAD25,
            "parties of TIPs (split on ', ')",
            "unctad_name",
            _explode(tips["parties"], split_unctad_parties),
        ),
        IdColumn(_UNCTAD20, "Parties (split on ';')", "unctad_name", _explode(d["Parties"], semi)),
        IdColumn(
            _UNCTAD20,
            "Shorttitle (split on ' - ')",
            "unctad_name",
            _explode(d["Shorttitle"], unctad_title_parties),
        ),
        IdColumn(_UNCTAD_CW, "CountryName", "unctad_name", cw["CountryName"]),
        IdColumn(_UNCTAD_CW, "CountryCode", "unctad_code", cw["CountryCode"]),
    ]


def _desta() -> list[IdColumn]:
    out = []
    for fname in ("desta_list_of_treaties_02_03_dyads.csv", "desta_dyadic_withdrawal_02_03.csv"):
        d = _raw(_DESTA + fname)
        out.append(IdColumn(_DESTA + fname, "iso1+iso2", "iso3n", _cat(d, "iso1", "iso2")))
        out.append(
            IdColumn(
                _DESTA + fname, "country1+country2", "desta_name", _cat(d, "country1", "country2")
            )
        )
    key = _DESTA + "desta_list_of_treaties_02_03.csv"
    d = _raw(key)
    cols = [c for c in d.columns if re.fullmatch(r"c\d+", c)]
    out.append(IdColumn(key, f"c1..c{len(cols)}", "iso3n", _cat(d, *cols).dropna()))
    return out


def _wto() -> list[IdColumn]:
    a = _raw(_WTO, "AllRTAs")
    ch = _raw(_WTO, "RTA Changes")
    return [
        IdColumn(
            _WTO,
            "AllRTAs: Current signatories (split on ';')",
            "wto_name",
            _explode(a["Current signatories"], _wto_split),
        ),
        IdColumn(
            _WTO,
            "AllRTAs: Original signatories (split on ';')",
            "wto_name",
            _explode(a["Original signatories"], _wto_split),
        ),
        IdColumn(
            _WTO,
            "AllRTAs: Specific Entry/Exit dates (names)",
            "wto_name",
            _explode(a["Specific Entry/Exit dates"], _wto_specific_names),
        ),
        IdColumn(
            _WTO,
            "RTA Changes: Parties concerned (split on ', ')",
            "wto_name",
            _explode(ch["Parties concerned"], split_names),
        ),
    ]


def _chilton_woda() -> list[IdColumn]:
    out = []
    for fname in ("BLAs_Formation_Data.dta", "BLAs_Coding_Data.dta"):
        d = _raw(_CW + fname)
        years = _cat(d, "year", "year")
        out.append(
            IdColumn(
                _CW + fname, "countryA+countryB", "cw_name", _cat(d, "countryA", "countryB"), years
            )
        )
        out.append(
            IdColumn(_CW + fname, "codeA+codeB", "cw_code", _cat(d, "codeA", "codeB"), years)
        )
    for sheet, code_col, name_col in (
        ("CountryA", "d_iso3", "Name of country A"),
        ("CountryB", "o_iso3", "Name of country B"),
    ):
        d = _raw(_CW_MATCH, sheet)
        out.append(IdColumn(_CW_MATCH, f"{sheet}: {name_col}", "cw_name", d[name_col]))
        out.append(IdColumn(_CW_MATCH, f"{sheet}: {code_col}", "cw_iso3", d[code_col]))
    m = _raw(_CW_MATCH, "Mahesh-to-BLAs")
    out.append(IdColumn(_CW_MATCH, f"Mahesh-to-BLAs: {m.columns[0]}", "wb", m[m.columns[0]]))
    return out


def _trade() -> list[IdColumn]:
    key = "trade/cow_dyadic_trade_v4_directed_1870_2014.rds"
    out = [IdColumn(key, "ccode1+ccode2", "cow", _cat(_raw(key), "ccode1", "ccode2"))]
    for key in (
        "trade/yotov2016_agtpa_applications.rda",
        "trade/yotov2016_Chapter1Exercise1.dta",
        "trade/yotov2016_Chapter1Exercise2.dta",
    ):
        out.append(
            IdColumn(key, "exporter+importer", "yotov", _cat(_raw(key), "exporter", "importer"))
        )
    key = "trade/penppml_trade_1964_2016.rda"
    d = _raw(key)
    years = pd.to_numeric(_cat(d, "time", "time").astype(str))
    out.append(IdColumn(key, "exp+imp", "penppml", _cat(d, "exp", "imp").astype(str), years))
    out.append(
        IdColumn(
            "trade/penppml_countries.rda", "iso", "iso3", _raw("trade/penppml_countries.rda")["iso"]
        )
    )
    return out


def _migration() -> list[IdColumn]:
    key = "migration/un_desa_ims2019_bilateral_stocks_wide.csv"
    d = _raw(key)
    origins = pd.Series([c for c in d.columns if c not in ("Year", "Dest")], dtype=object)
    out = [
        IdColumn(key, "Dest", "undesa_name", d["Dest"]),
        IdColumn(key, "origin columns (one per column)", "undesa_name", origins),
    ]
    key = "migration/wb_bilateral_migrant_stocks_1960_2018.rds"
    out.append(
        IdColumn(
            key,
            "origin_code+destination_code",
            "wb",
            _cat(_raw(key), "origin_code", "destination_code"),
        )
    )
    key = "migration/wb_gbmd_by_sex_1960_2000_dcData.rda"
    out.append(
        IdColumn(
            key, "origincode+destcode", "wb", _cat(_raw(key), "origincode", "destcode").astype(str)
        )
    )
    for key in ("migration/unhcr_population_1951_2025.rda", "migration/unhcr_flows_1962_2025.rda"):
        d = _raw(key)
        out.append(IdColumn(key, "coo_iso+coa_iso", "unhcr", _cat(d, "coo_iso", "coa_iso")))
        out.append(IdColumn(key, "coo+coa (UNHCR codes)", "unhcr_code", _cat(d, "coo", "coa")))
        out.append(IdColumn(key, "coo_name+coa_name", "name", _cat(d, "coo_name", "coa_name")))
    return out


def _geo() -> list[IdColumn]:
    key = "geo/original/cepii_dist_cepii.rda"
    out = [IdColumn(key, "iso_o+iso_d", "cepii_iso3", _cat(_raw(key), "iso_o", "iso_d"))]
    key = "geo/original/cepii_geo_cepii.xls"
    d = _raw(key)
    col_cols = [c for c in d.columns if "colonizer" in c]
    out += [
        IdColumn(key, "iso3", "cepii_iso3", d["iso3"]),
        IdColumn(key, "cnum", "cepii_num", d["cnum"]),
        IdColumn(
            key, "colonizer1-4, short_colonizer1-3", "cepii_iso3", _cepii_dots(_cat(d, *col_cols))
        ),
        IdColumn(
            "geo/coldat_colonies.csv",
            "country",
            "coldat_name",
            _raw("geo/coldat_colonies.csv")["country"],
        ),
        IdColumn(
            "geo/coldat_dyads.csv",
            "country",
            "coldat_name",
            _raw("geo/coldat_dyads.csv")["country"],
        ),
        IdColumn(
            "geo/coldat_dyads.csv",
            "colonizer",
            "coldat_name",
            _raw("geo/coldat_dyads.csv")["colonizer"],
        ),
    ]
    for key, cols, scheme in (
        ("geo/original/cow_contdir.rda", ("ccode1", "ccode2"), "cow"),
        ("geo/original/cow_mindist.rda", ("ccode1", "ccode2"), "cow"),
        ("geo/original/cow_igo_ndy.rda", ("ccode1", "ccode2"), "cow"),
        ("geo/original/cow_capitals.rda", ("ccode",), "cow"),
        ("geo/original/gw_capitals.rda", ("gwcode",), "gw"),
    ):
        out.append(IdColumn(key, "+".join(cols), scheme, _cat(_raw(key), *cols)))
    return out


def _macro() -> list[IdColumn]:
    out = []
    for key in ("macro/wb_gdp_current_usd.csv", "macro/wb_population.csv"):
        out.append(IdColumn(key, "Country Code", "wb", _raw(key)["Country Code"]))
    out.append(
        IdColumn(
            "macro/original/pwt10.01.rda",
            "isocode",
            "pwt",
            _raw("macro/original/pwt10.01.rda")["isocode"].astype(str),
        )
    )
    d = _raw("macro/original/MaddisonData.rda")
    out.append(
        IdColumn(
            "macro/original/MaddisonData.rda",
            "ISO (by year)",
            "maddison",
            d["ISO"].astype(str),
            d["year"],
        )
    )
    out.append(
        IdColumn(
            "macro/original/MaddisonCountries.rda",
            "ISO",
            "iso3",
            _raw("macro/original/MaddisonCountries.rda")["ISO"].astype(str),
        )
    )
    for key, col, scheme in (
        ("macro/original/cw_gdppop.rda", "ccode", "cow"),
        ("macro/original/gw_gdppop.rda", "gwcode", "gw"),
        ("macro/original/cw_democracy.rda", "ccode", "cow"),
        ("macro/original/gw_democracy.rda", "gwcode", "gw"),
        ("macro/original/cow_nmc.rda", "ccode", "cow"),
        ("macro/original/cow_igo_state_year_format3.rda", "ccode", "cow"),
        ("macro/original/cow_igo_sy.rda", "ccode", "cow"),
    ):
        d = _raw(key)
        out.append(IdColumn(key, col, scheme, d[col], d["year"]))
    key = "macro/original/bmr.rda"
    d = _raw(key)
    out += [
        IdColumn(key, "cown", "cow", d["cown"], d["year"]),
        IdColumn(key, "GWn", "gw", d["GWn"], d["year"]),
        IdColumn(key, "bmr_country", "name", d["bmr_country"], d["year"]),
        IdColumn(key, "abbreviation", "bmr_abbr", d["abbreviation"], d["year"]),
    ]
    key = "macro/original/polity5.rda"
    d = _raw(key)
    out += [
        IdColumn(key, "cown", "cow", d["cown"], d["year"]),
        IdColumn(key, "GWn", "gw", d["GWn"], d["year"]),
        IdColumn(key, "polity_annual_ccode", "polity", d["polity_annual_ccode"], d["year"]),
        IdColumn(key, "scode", "polity_scode", d["scode"], d["year"]),
    ]
    key = "macro/original/vdem_simple.rda"
    d = _raw(key)
    out += [
        IdColumn(key, "country_text_id (by year)", "vdem_text", d["country_text_id"], d["year"]),
        IdColumn(key, "country_id (by year)", "vdem_id", d["country_id"], d["year"]),
        IdColumn(key, "cown", "cow", d["cown"], d["year"]),
        IdColumn(key, "GWn", "gw", d["GWn"], d["year"]),
    ]
    for key, code_col, scheme in (
        ("macro/original/gatt_members.rda", "iso3c", "iso3"),
        ("macro/original/eustates.rda", "iso2c", "iso2"),
    ):
        d = _raw(key)
        out.append(IdColumn(key, code_col, scheme, d[code_col]))
        out.append(IdColumn(key, "country", "name", d["country"]))
    return out


def _codes() -> list[IdColumn]:
    return [
        IdColumn(
            "codes/original/cw_system.rda",
            "ccode",
            "cow",
            _raw("codes/original/cw_system.rda")["ccode"],
        ),
        IdColumn(
            "codes/original/gw_system.rda",
            "gwcode",
            "gw",
            _raw("codes/original/gw_system.rda")["gwcode"],
        ),
    ]


EXTRACTORS: dict[str, Callable[[], list[IdColumn]]] = {
    "UNCTAD IIA Navigator (2025, 2020)": _unctad,
    "DESTA 2.3": _desta,
    "WTO RTA-IS": _wto,
    "Chilton-Woda BLAs": _chilton_woda,
    "trade (COW, Yotov 2016, penppml)": _trade,
    "migration (UN DESA, World Bank, UNHCR)": _migration,
    "geography (CEPII, COLDAT, COW)": _geo,
    "macro (WB, PWT, Maddison, Fariss, democracy, NMC, IGO, GATT, EU)": _macro,
    "state lists (COW, GW)": _codes,
}


@cache
def extract_all() -> tuple[IdColumn, ...]:
    """Every identifier column of every source file (read once per process)."""
    cols: list[IdColumn] = []
    for fn in EXTRACTORS.values():
        cols.extend(fn())
    return tuple(cols)


# --------------------------------------------------------------------------------------------
# Consistency: two identifier columns of the same rows must map to the same code
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdPair:
    """Two identifier columns describing the same rows (a code and a name, two code lists)."""

    source: str
    column_a: str
    scheme_a: str
    values_a: pd.Series
    column_b: str
    scheme_b: str
    values_b: pd.Series
    years: pd.Series | None = None


def _pairs() -> list[IdPair]:
    out: list[IdPair] = []
    for fname in ("desta_list_of_treaties_02_03_dyads.csv", "desta_dyadic_withdrawal_02_03.csv"):
        d = _raw(_DESTA + fname)
        out.append(
            IdPair(
                _DESTA + fname,
                "iso1+iso2",
                "iso3n",
                _cat(d, "iso1", "iso2"),
                "country1+country2",
                "desta_name",
                _cat(d, "country1", "country2"),
            )
        )
    for fname in ("BLAs_Formation_Data.dta", "BLAs_Coding_Data.dta"):
        d = _raw(_CW + fname)
        out.append(
            IdPair(
                _CW + fname,
                "countryA+countryB",
                "cw_name",
                _cat(d, "countryA", "countryB"),
                "codeA+codeB",
                "cw_code",
                _cat(d, "codeA", "codeB"),
                _cat(d, "year", "year"),
            )
        )
    for sheet, code_col, name_col in (
        ("CountryA", "d_iso3", "Name of country A"),
        ("CountryB", "o_iso3", "Name of country B"),
    ):
        d = _raw(_CW_MATCH, sheet)
        out.append(
            IdPair(_CW_MATCH, name_col, "cw_name", d[name_col], code_col, "cw_iso3", d[code_col])
        )
    cw = _raw(_UNCTAD_CW)
    out.append(
        IdPair(
            _UNCTAD_CW,
            "CountryName",
            "name",
            cw["CountryName"],
            "CountryCode",
            "unctad_code",
            cw["CountryCode"],
        )
    )
    g = _raw("geo/original/cepii_geo_cepii.xls")
    out.append(
        IdPair(
            "geo/original/cepii_geo_cepii.xls",
            "iso3",
            "cepii_iso3",
            g["iso3"],
            "cnum",
            "cepii_num",
            g["cnum"],
        )
    )
    out.append(
        IdPair(
            "geo/original/cepii_geo_cepii.xls",
            "iso3",
            "cepii_iso3",
            g["iso3"],
            "country",
            "name",
            g["country"],
        )
    )
    v = _raw("macro/original/vdem_simple.rda")
    for col, scheme in (("country_id", "vdem_id"), ("cown", "cow"), ("GWn", "gw")):
        out.append(
            IdPair(
                "macro/original/vdem_simple.rda",
                "country_text_id",
                "vdem_text",
                v["country_text_id"],
                col,
                scheme,
                v[col],
                v["year"],
            )
        )
    p = _raw("macro/original/polity5.rda")
    for col, scheme in (("polity_annual_ccode", "polity"), ("cown", "cow")):
        out.append(
            IdPair(
                "macro/original/polity5.rda",
                "scode",
                "polity_scode",
                p["scode"],
                col,
                scheme,
                p[col],
                p["year"],
            )
        )
    b = _raw("macro/original/bmr.rda")
    for col, scheme in (("cown", "cow"), ("bmr_country", "name")):
        out.append(
            IdPair(
                "macro/original/bmr.rda",
                "abbreviation",
                "bmr_abbr",
                b["abbreviation"],
                col,
                scheme,
                b[col],
                b["year"],
            )
        )
    for key in ("macro/wb_gdp_current_usd.csv", "macro/wb_population.csv"):
        w = _raw(key)
        out.append(
            IdPair(
                key,
                "Country Code",
                "wb",
                w["Country Code"],
                "Country Name",
                "name",
                w["Country Name"],
            )
        )
    for key in ("migration/unhcr_population_1951_2025.rda", "migration/unhcr_flows_1962_2025.rda"):
        u = _raw(key)
        out.append(
            IdPair(
                key,
                "coo_iso+coa_iso",
                "unhcr",
                _cat(u, "coo_iso", "coa_iso"),
                "coo_name+coa_name",
                "name",
                _cat(u, "coo_name", "coa_name"),
            )
        )
        out.append(
            IdPair(
                key,
                "coo_iso+coa_iso",
                "unhcr",
                _cat(u, "coo_iso", "coa_iso"),
                "coo+coa",
                "unhcr_code",
                _cat(u, "coo", "coa"),
            )
        )
    pw = _raw("macro/original/pwt10.01.rda")
    out.append(
        IdPair(
            "macro/original/pwt10.01.rda",
            "isocode",
            "pwt",
            pw["isocode"].astype(str),
            "country",
            "name",
            pw["country"].astype(str),
        )
    )
    m = _raw("macro/original/MaddisonCountries.rda")
    out.append(
        IdPair(
            "macro/original/MaddisonCountries.rda",
            "ISO",
            "iso3",
            m["ISO"].astype(str),
            "country",
            "name",
            m["country"].astype(str),
        )
    )
    pc = _raw("trade/penppml_countries.rda")
    out.append(
        IdPair(
            "trade/penppml_countries.rda",
            "iso",
            "iso3",
            pc["iso"],
            "name (escapes decoded)",
            "name",
            _decode_escapes(pc["name"]),
        )
    )
    for key, code_col, scheme in (
        ("macro/original/gatt_members.rda", "iso3c", "iso3"),
        ("macro/original/eustates.rda", "iso2c", "iso2"),
    ):
        d = _raw(key)
        out.append(IdPair(key, code_col, scheme, d[code_col], "country", "name", d["country"]))
    cs = _raw("codes/original/cw_system.rda")
    out.append(
        IdPair(
            "codes/original/cw_system.rda",
            "ccode",
            "cow",
            cs["ccode"],
            "cw_name",
            "name",
            cs["cw_name"],
        )
    )
    for key in ("codes/original/cw_gw_panel.rda", "codes/original/gw_cw_panel.rda"):
        d = _raw(key)
        out.append(IdPair(key, "ccode", "cow", d["ccode"], "gwcode", "gw", d["gwcode"], d["year"]))
    return out


# Disagreements between two identifier columns that are understood and accepted (with reasons).
EXPECTED_DISAGREEMENTS: dict[tuple[str, str, str], str] = {
    ("geo/original/cepii_geo_cepii.xls", "BEL", "Belgium and Luxembourg"): (
        "CEPII names its BEL row 'Belgium and Luxembourg' although LUX has its own row; the name "
        "alone means the BLEU bloc"
    ),
    ("macro/original/vdem_simple.rda", "CZE", "316.0"): (
        "V-Dem's CZE series covers Czechoslovakia 1918-1992 (mapped to CSK by year); democracyData's "
        "cown/GWn columns say 316 (Czech Republic) for those years"
    ),
    ("macro/original/vdem_simple.rda", "VDR", "815.0"): (
        "V-Dem's 'Republic of Vietnam' 1945-1954 (State of Vietnam) is mapped to RVN; democracyData's "
        "GWn says 815 (Vietnam/Annam)"
    ),
}


def consistency_table() -> pd.DataFrame:
    """Rows whose two identifiers map to different codes, grouped.

    Columns: source, column_a, value_a, code_a, column_b, value_b, code_b, n_rows, first_year,
    last_year.  Documented exceptions count as ``<NA>``; a pair where either side is missing in
    the file is skipped.
    """
    from polecon.countries.crosswalk import to_canonical

    rows = []
    for pr in _pairs():
        df = pd.DataFrame(
            {"a": pr.values_a.reset_index(drop=True), "b": pr.values_b.reset_index(drop=True)}
        )
        df["y"] = (
            pd.NA
            if pr.years is None
            else pd.to_numeric(pr.years.reset_index(drop=True), errors="coerce")
        )
        df = df[~df["a"].map(_is_missing).astype(bool) & ~df["b"].map(_is_missing).astype(bool)]
        ca_raw = to_canonical(
            df["a"], pr.scheme_a, source=pr.source, years=None if pr.years is None else df["y"]
        )
        df = df[ca_raw.notna().to_numpy()]  # rows whose first identifier is an exception: skip
        yrs = None if pr.years is None else df["y"]
        ca = ca_raw[ca_raw.notna()].astype(object)
        cb = (
            to_canonical(df["b"], pr.scheme_b, source=pr.source, years=yrs)
            .astype(object)
            .fillna("<NA>")
        )
        bad = df.assign(ca=ca.to_numpy(), cb=cb.to_numpy())[ca.to_numpy() != cb.to_numpy()]
        if bad.empty:
            continue
        bad = bad.assign(a=bad["a"].astype(str).str.strip(), b=bad["b"].astype(str).str.strip())
        for (a, b, x, y), grp in bad.groupby(["a", "b", "ca", "cb"], sort=True):
            rows.append(
                {
                    "source": pr.source,
                    "column_a": pr.column_a,
                    "value_a": a,
                    "code_a": x,
                    "column_b": pr.column_b,
                    "value_b": b,
                    "code_b": y,
                    "n_rows": len(grp),
                    "first_year": grp["y"].min(),
                    "last_year": grp["y"].max(),
                }
            )
    cols = [
        "source",
        "column_a",
        "value_a",
        "code_a",
        "column_b",
        "value_b",
        "code_b",
        "n_rows",
        "first_year",
        "last_year",
    ]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------------
# Classification and the coverage table
# --------------------------------------------------------------------------------------------


def _via_exception(scheme: str, key: str) -> bool:
    idx = _exception_index()
    return any((s, key) in idx for s in (scheme, *SCHEMES[scheme].parents))


def classify(col: IdColumn) -> pd.DataFrame:
    """One row per distinct identifier (and year, where the mapping is year-dependent).

    Columns: value, n_rows, canonical, status (``mapped`` | ``exception`` | ``unaccounted``),
    documented (True when the exception table decided the outcome).
    """
    from polecon.countries.crosswalk import _needs_year

    spec = SCHEMES[col.scheme]
    vals = col.values.reset_index(drop=True)
    codes, uniques = pd.factorize(vals.astype(object), use_na_sentinel=True)
    counts = pd.Series(codes[codes >= 0]).value_counts()
    by_key: dict[str, list[int]] = {}
    for j, u in enumerate(uniques):
        if _is_missing(u):
            continue
        by_key.setdefault(spec.normalize(u), []).append(j)
    years = (
        None
        if col.years is None
        else pd.to_numeric(col.years.reset_index(drop=True), errors="coerce")
    )
    rows = []
    for key in sorted(by_key):
        js = by_key[key]
        raw = str(uniques[js[0]]).strip()
        documented = _via_exception(col.scheme, key)
        if _needs_year(col.scheme, key) and years is not None:
            mask = pd.Series(codes).isin(js).to_numpy()
            per_year = [
                (int(y), int(n), _resolve_one(col.scheme, key, int(y)))
                for y, n in years[mask].value_counts().sort_index().items()
            ]
            runs: list[list] = []  # [first_year, last_year, outcome, n_rows] per run of years
            for y, n, res in per_year:
                if runs and runs[-1][2] == res:
                    runs[-1][1] = y
                    runs[-1][3] += n
                else:
                    runs.append([y, y, res, n])
            items = [
                (f"{raw} ({a}-{b})" if a != b else f"{raw} ({a})", n, res) for a, b, res, n in runs
            ]
        else:
            items = [
                (raw, int(sum(counts.get(j, 0) for j in js)), _resolve_one(col.scheme, key, None))
            ]
        for label, n, res in items:
            if res is _NOT_FOUND:
                status, canon = "unaccounted", None
            elif res is None:
                status, canon = "exception", None
            else:
                status, canon = "mapped", res
            rows.append(
                {
                    "value": label,
                    "n_rows": n,
                    "canonical": canon,
                    "status": status,
                    "documented": documented,
                }
            )
    return pd.DataFrame(rows, columns=["value", "n_rows", "canonical", "status", "documented"])


def coverage_table(
    columns: tuple[IdColumn, ...] | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], pd.DataFrame]]:
    """Per-column coverage counts, and the per-value detail of every column.

    Counts: n_distinct, n_mapped (of which n_via_table through the reviewed table),
    n_exceptions (documented, deliberately NA), n_unaccounted.
    """
    cols = extract_all() if columns is None else columns
    rows, detail = [], {}
    for c in cols:
        d = classify(c)
        detail[(c.source, c.column)] = d
        rows.append(
            {
                "source": c.source,
                "column": c.column,
                "scheme": c.scheme,
                "n_rows": int(d["n_rows"].sum()),
                "n_distinct": len(d),
                "n_mapped": int((d["status"] == "mapped").sum()),
                "n_via_table": int(((d["status"] == "mapped") & d["documented"]).sum()),
                "n_exceptions": int((d["status"] == "exception").sum()),
                "n_unaccounted": int((d["status"] == "unaccounted").sum()),
            }
        )
    return pd.DataFrame(rows), detail


def _md_table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = [
        "| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
        for row in df.itertuples(index=False)
    ]
    return "\n".join([head, sep, *body])


def render_report(
    table: pd.DataFrame,
    detail: dict[tuple[str, str], pd.DataFrame],
    consistency: pd.DataFrame | None = None,
) -> str:
    """Markdown: the coverage table, the exceptions seen per column, and any unaccounted values."""
    lines = [
        "# Country crosswalk coverage",
        "",
        "Every identifier column of every source in `../shared/data`, mapped with",
        "`polecon.countries.to_canonical`. *mapped* = a canonical code (state, territory or bloc);",
        "*via table* = of those, decided by the reviewed table `datasets/countries/exceptions.csv`;",
        "*exceptions* = documented there as deliberately unmapped (`<NA>`); *unaccounted* must be 0.",
        "For year-dependent schemes (`maddison`, `vdem_text`, `vdem_id`) an identifier counts once per",
        "run of years with the same outcome (e.g. Maddison `SUN` -> RUS up to 1990 and `<NA>` from 1991).",
        "",
        _md_table(table),
        "",
        f"Totals: {int(table['n_distinct'].sum())} distinct identifiers (summed over columns), "
        f"{int(table['n_mapped'].sum())} mapped, {int(table['n_exceptions'].sum())} documented exceptions, "
        f"{int(table['n_unaccounted'].sum())} unaccounted.",
        "",
        "## Documented exceptions by column (deliberately unmapped)",
        "",
    ]
    for (src, col), d in detail.items():
        ex = d[d["status"] == "exception"]
        if len(ex):
            vals = ", ".join(f"`{v}` ({n})" for v, n in zip(ex["value"], ex["n_rows"], strict=True))
            lines.append(f"- {src} [{col}]: {vals}")
    if consistency is not None:
        lines += [
            "",
            "## Consistency between identifier columns of the same rows",
            "",
            "Where a file has two identifiers per row (a code and a name, two code lists), both must",
            "map to the same canonical code. Disagreements:",
            "",
        ]
        if consistency.empty:
            lines.append("None.")
        else:
            shown = consistency.assign(
                accepted=[
                    EXPECTED_DISAGREEMENTS.get((s, a, b), "**unexpected**")
                    for s, a, b in zip(
                        consistency["source"],
                        consistency["value_a"],
                        consistency["value_b"],
                        strict=True,
                    )
                ]
            )
            lines.append(_md_table(shown))
    un = [(s, c, d[d["status"] == "unaccounted"]) for (s, c), d in detail.items()]
    un = [(s, c, d) for s, c, d in un if len(d)]
    lines += ["", "## Unaccounted identifiers", ""]
    if not un:
        lines.append("None.")
    for s, c, d in un:
        vals = ", ".join(f"`{v}` ({n})" for v, n in zip(d["value"], d["n_rows"], strict=True))
        lines.append(f"- {s} [{c}]: {vals}")
    return "\n".join(lines) + "\n"


def replicate_stage(reports_dir: Path) -> str:
    """Compute the coverage of every source, write ``<reports_dir>/country_coverage.md``."""
    table, detail = coverage_table()
    consistency = consistency_table()
    target = Path(reports_dir) / "country_coverage.md"
    atomic_write_text(target, render_report(table, detail, consistency))
    n_un = int(table["n_unaccounted"].sum())
    unexpected = [
        (s, a, b)
        for s, a, b in zip(
            consistency["source"], consistency["value_a"], consistency["value_b"], strict=True
        )
        if (s, a, b) not in EXPECTED_DISAGREEMENTS
    ]
    summary = (
        f"{len(table)} identifier columns in {table['source'].nunique()} files: "
        f"{int(table['n_mapped'].sum())} mapped, {int(table['n_exceptions'].sum())} documented exceptions, "
        f"{n_un} unaccounted; {len(consistency)} code/name disagreements "
        f"({len(unexpected)} unexpected) -> {target}"
    )
    if n_un or unexpected:
        raise RuntimeError(
            f"country crosswalk: {n_un} unaccounted identifiers and {len(unexpected)} unexpected "
            f"code/name disagreements (see {target}); {summary}"
        )
    return summary
