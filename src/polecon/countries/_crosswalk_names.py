"""Name and code normalisation and the base resolvers of the country crosswalk.

``normalize_name`` / ``normalize_code`` and the resolvers that need no exception table:
codelist columns and regexes, country_converter, the UNCTAD 2020 and Chilton-Woda name lists
(read through ``_fetch``); imported back by :mod:`polecon.countries.crosswalk`; split out of
that module unchanged.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Callable
from functools import cache

import pandas as pd

from polecon.countries._crosswalk_files import (
    CW_MATCH_KEY,
    UNCTAD_NAMES_KEY,
    _fetch,
    _iso3_set,
    _iso3n_map,
    codelist,
    cow_map,
    gw_map,
)

# --------------------------------------------------------------------------------------------
# Normalisation and base resolvers
# --------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00a0": " "})


def normalize_name(value: str) -> str:
    """Casefolded, NFC, straight apostrophes, single spaces."""
    v = unicodedata.normalize("NFC", str(value)).translate(_QUOTES)
    return re.sub(r"\s+", " ", v).strip().casefold()


def normalize_code(value: object) -> str:
    """Upper-case, stripped code; integral floats lose their ``.0`` (``260.0`` -> ``260``)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    v = str(value).strip().upper()
    if re.fullmatch(r"[+-]?\d+\.0+", v):
        v = v.split(".")[0]
    return v


def _as_int(key: str) -> int | None:
    return int(key) if re.fullmatch(r"\d+", key) else None


def _resolve_alpha3(key: str) -> str | None:
    return key if key in _iso3_set() else None


def _resolve_iso3n(key: str) -> str | None:
    n = _as_int(key)
    return None if n is None else _iso3n_map().get(n)


def _resolve_cow(key: str) -> str | None:
    n = _as_int(key)
    return None if n is None else cow_map().get(n)


def _resolve_gw(key: str) -> str | None:
    n = _as_int(key)
    return None if n is None else gw_map().get(n)


@cache
def _codelist_column_map(column: str) -> dict[str, str]:
    """codelist string ``column`` (upper-cased) -> canonical code of that row."""
    out: dict[str, str] = {}
    cl = codelist().dropna(subset=[column])
    for v, row_code in zip(cl[column], _codelist_row_codes().loc[cl.index], strict=True):
        if row_code is not None:
            out[normalize_code(v)] = row_code
    return out


@cache
def _codelist_row_codes() -> pd.Series:
    """Canonical code of each codelist row: iso3c, else via cown, else via gwn, else None."""
    cl = codelist()
    out: list[str | None] = []
    for iso3, cown, gwn in zip(cl["iso3c"], cl["cown"], cl["gwn"], strict=True):
        if isinstance(iso3, str):
            out.append(iso3)
        elif isinstance(cown, str):
            out.append(cow_map().get(int(float(cown))))
        elif isinstance(gwn, str):
            out.append(gw_map().get(int(float(gwn))))
        else:
            out.append(None)
    return pd.Series(out, index=cl.index, dtype=object)


def _make_codelist_resolver(column: str, fallback: Callable[[str], str | None] | None):
    def resolve(key: str) -> str | None:
        hit = _codelist_column_map(column).get(key)
        if hit is None and fallback is not None:
            return fallback(key)
        return hit

    return resolve


@cache
def _codelist_regexes() -> list[tuple[re.Pattern[str], str | None]]:
    cl = codelist()
    codes = _codelist_row_codes()
    return [
        (re.compile(rx, re.IGNORECASE), codes.loc[i])
        for i, rx in zip(cl.index, cl["country.name.en.regex"], strict=True)
        if isinstance(rx, str)
    ]


@cache
def _coco():
    """country_converter with its own table read so that Namibia's ``NA`` stays a string."""
    import country_converter as coco

    path = os.path.join(os.path.dirname(coco.__file__), "country_data.tsv")
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_values=[""])
    for col in (
        "ISOnumeric",
        "UNcode",
        "FAOcode",
        "GBDcode",
        "EURO",
        "UN",
        "UNmember",
        "obsolete",
        "GEOnumeric",
    ):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col]).astype("Int64")
    df["ISO2"] = df["ISO2"].fillna("(?!)")  # Channel Islands etc. have no ISO2: never match
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter(country_data=df, include_obsolete=True)


# country_converter codes whose canonical code differs (the USSR continues as RUS)
_COCO_FIX = {"SUN": "RUS"}


# Names of organisations and blocs: the country regexes would match a member's name inside
# them (e.g. "Southern African Customs Union" -> South Africa), so they never resolve by regex
# and must be listed in the exception table with a bloc code.
_ORGANISATION = re.compile(
    r"\b(?:communit(?:y|ies)|association|area|market|agreement|council|organi[sz]ation|members|"
    r"group|customs|common|cooperation|treaty|initiative|partnership|economic|monetary|"
    r"free trade|(?:african|arab|eurasian|european|maghreb) union)\b"
)


def _resolve_name(key: str) -> str | None:
    """English name: countrycode's regexes (unique match), then country_converter's.

    Organisation-like names (``_ORGANISATION``) never resolve here.
    """
    if _ORGANISATION.search(key):
        return None
    hits = {code for rx, code in _codelist_regexes() if rx.search(key)}
    if len(hits) == 1:
        only = next(iter(hits))
        if only is not None:
            return only
    if "czechoslovak" in key:  # country_converter maps Czechoslovakia to CZE, which is wrong here
        return None
    found = _coco().convert(key, to="ISO3", not_found="__none__")
    if not isinstance(found, str) or found == "__none__":
        return None
    return _COCO_FIX.get(found, found)


@cache
def _unctad2020_map() -> dict[str, str]:
    """UNCTAD name -> ISO3 from the 2020 UNCTAD crosswalk (``ISO3-CountryName-UNTACD.dta``)."""
    df = pd.read_stata(_fetch(UNCTAD_NAMES_KEY))
    out: dict[str, str] = {}
    for name, code in zip(df["CountryName"], df["CountryCode"], strict=True):
        if isinstance(name, str) and isinstance(code, str) and code.strip():
            out[normalize_name(name)] = code.strip().upper()
    return out


@cache
def _cw_match_map() -> dict[str, str]:
    """Chilton-Woda name -> ISO3-like code from the replication crosswalk ``countries_match.xlsx``."""
    path = _fetch(CW_MATCH_KEY)
    out: dict[str, str] = {}
    for sheet, code_col, name_col in (
        ("CountryA", "d_iso3", "Name of country A"),
        ("CountryB", "o_iso3", "Name of country B"),
    ):
        df = pd.read_excel(path, sheet_name=sheet, dtype=str)
        if code_col not in df.columns or name_col not in df.columns:
            raise ValueError(f"{path} sheet {sheet}: expected columns {code_col!r}, {name_col!r}")
        for code, name in zip(df[code_col], df[name_col], strict=True):
            if isinstance(code, str) and isinstance(name, str):
                out[normalize_name(name)] = code.strip()
    return out
