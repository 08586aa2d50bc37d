"""Identifier columns, name splitting and raw-file reading of the crosswalk coverage report.

``IdColumn``; the name splitters shared with the parsers (``split_names``,
``split_unctad_parties``, ``unctad_title_parties``); ``_raw`` (each raw file read once per
process) and the registry keys used by the extractors and the consistency pairs of
:mod:`polecon.countries.coverage`; split out of that module unchanged.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from polecon.countries.crosswalk import (
    _is_missing,
    _read_r_path,
    _unctad2020_map,
    normalize_name,
)
from polecon.registry import fetch


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
        return _read_r_path(fetch(key), key)  # a report on every source, not a table input
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


# registry keys (or folders) read by the extractors and the consistency pairs
_UNCTAD25 = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
_UNCTAD20 = "bits/unctad_iia_navigator_2020-01/BIT-origin.dta"
_UNCTAD_CW = "bits/unctad_iia_navigator_2020-01/ISO3-CountryName-UNTACD.dta"
_DESTA = "ptas/desta_v2.3/"
_WTO = "ptas/wto_rta_database_2026-02/WTO_RTA_AllRTAs.xlsx"
_CW = "blas/chilton_woda_2022/"
_CW_MATCH = "blas/chilton_woda_2022/countries_match.xlsx"
