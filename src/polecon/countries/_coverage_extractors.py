"""Extractors of the crosswalk coverage report: every identifier column of every source file.

One function per source file (reading it through ``_raw``), ``EXTRACTORS`` and
``extract_all``, used by :mod:`polecon.countries.coverage`; split out of that module unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import pandas as pd

from polecon.countries._coverage_sources import (
    _CW,
    _CW_MATCH,
    _DESTA,
    _UNCTAD20,
    _UNCTAD25,
    _UNCTAD_CW,
    _WTO,
    IdColumn,
    _cat,
    _cepii_dots,
    _explode,
    _raw,
    _wto_specific_names,
    _wto_split,
    split_names,
    split_unctad_parties,
    unctad_title_parties,
)

# --------------------------------------------------------------------------------------------
# Extractors (one per source file)
# --------------------------------------------------------------------------------------------


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
