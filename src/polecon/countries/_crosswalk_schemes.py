"""Identifier schemes of the country crosswalk and the reviewed exception table.

``Scheme`` and ``SCHEMES`` (how each source's identifiers are normalised and resolved), the
exception table ``datasets/countries/exceptions.csv`` (``exceptions_table``,
``load_exceptions``, its index and ``known_codes``) and the resolvers that chain through a
scheme; imported back by :mod:`polecon.countries.crosswalk`; split out of that module unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from polecon.countries._crosswalk_files import (
    _iso3_set,
    cow_map,
    gw_map,
)
from polecon.countries._crosswalk_names import (
    _cw_match_map,
    _make_codelist_resolver,
    _resolve_alpha3,
    _resolve_cow,
    _resolve_gw,
    _resolve_iso3n,
    _resolve_name,
    _unctad2020_map,
    normalize_code,
    normalize_name,
)
from polecon.countries._tables import TABLES_DIR, bloc_codes


@cache
def exceptions_table() -> pd.DataFrame:
    """The reviewed exception table ``datasets/countries/exceptions.csv``.

    Columns: scheme, value, canonical (``<NA>`` = deliberately unmapped), year_from, year_to
    (inclusive, ``<NA>`` = open), reason, reviewed_by, plus ``key`` (the normalised value).
    """
    return load_exceptions(TABLES_DIR / "exceptions.csv")


def load_exceptions(path: Path) -> pd.DataFrame:
    """Read and validate an exception table (see ``exceptions_table``); errors name the rows."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    need = ["scheme", "value", "canonical", "year_from", "year_to", "reason", "reviewed_by"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    bad = df["reason"].isna() | df["scheme"].isna() | df["value"].isna()
    if bad.any():
        raise ValueError(f"{path}: rows {list(df.index[bad] + 2)} lack scheme, value or reason")
    unknown = ~df["scheme"].isin(list(SCHEMES))
    if unknown.any():
        raise ValueError(
            f"{path}: unknown scheme(s) {sorted(set(df.loc[unknown, 'scheme']))} in rows "
            f"{list(df.index[unknown] + 2)}"
        )
    for col in ("year_from", "year_to"):
        df[col] = pd.to_numeric(df[col]).astype("Int64")
    df["key"] = [SCHEMES[s].normalize(v) for s, v in zip(df["scheme"], df["value"], strict=True)]
    for (scheme, key), grp in df.groupby(["scheme", "key"], sort=False):
        if len(grp) == 1:
            continue
        lo = grp["year_from"].fillna(-(10**6)).astype(int).to_numpy()
        hi = grp["year_to"].fillna(10**6).astype(int).to_numpy()
        order = lo.argsort()
        if (
            grp["year_from"].isna().all()
            and grp["year_to"].isna().all()
            or any(lo[order][i + 1] <= hi[order][i] for i in range(len(grp) - 1))
        ):
            raise ValueError(
                f"{path}: rows {list(grp.index + 2)} ({scheme} {key!r}) repeat or overlap in years"
            )
    return df


@cache
def _exception_index() -> dict[tuple[str, str], list[tuple[int | None, int | None, str | None]]]:
    idx: dict[tuple[str, str], list[tuple[int | None, int | None, str | None]]] = {}
    df = exceptions_table()
    for s, k, c, a, b in zip(
        df["scheme"], df["key"], df["canonical"], df["year_from"], df["year_to"], strict=True
    ):
        idx.setdefault((s, k), []).append(
            (
                None if pd.isna(a) else int(a),
                None if pd.isna(b) else int(b),
                None if pd.isna(c) else str(c),
            )
        )
    return idx


@cache
def known_codes() -> frozenset[str]:
    """Every code ``to_canonical`` may return: states, ISO3 territories, bloc codes, reviewed extras."""
    ex = exceptions_table()["canonical"].dropna()
    return (
        frozenset(cow_map().values())
        | frozenset(gw_map().values())
        | _iso3_set()
        | frozenset(ex)
        | frozenset(bloc_codes())
    )


def _resolve_unctad(key: str) -> str | None:
    code = _unctad2020_map().get(key)
    if code is not None:
        hit = _resolve_via("unctad_code", code)
        if hit is not None:
            return hit
    return _resolve_name(key)


def _resolve_cw_name(key: str) -> str | None:
    code = _cw_match_map().get(key)
    if code is not None:
        hit = _resolve_via("cw_iso3", code)
        if hit is not None:
            return hit
    return _resolve_name(key)


def _resolve_via(scheme: str, value: str) -> str | None:
    """Resolve ``value`` in ``scheme`` ignoring years (used for chaining)."""
    spec = SCHEMES[scheme]
    key = spec.normalize(value)
    res, found = _lookup_exception(scheme, key, None)
    if found:
        return res
    return spec.resolve(key)


# --------------------------------------------------------------------------------------------
# Schemes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    """How one identifier scheme is normalised and resolved.

    ``parents`` are schemes whose exceptions also apply (checked after the scheme's own).
    """

    description: str
    normalize: Callable[[object], str]
    resolve: Callable[[str], str | None]
    parents: tuple[str, ...] = ()


def _norm_name(v: object) -> str:
    return normalize_name(str(v))


_LEGACY = ("legacy_iso3", "cepii_iso3", "iso3")

SCHEMES: dict[str, Scheme] = {
    "iso3": Scheme(
        "ISO 3166-1 alpha-3 (current, plus withdrawn SUN, YUG, CSK, DDR, ...)",
        normalize_code,
        _resolve_alpha3,
    ),
    "maddison": Scheme(
        "Maddison Project ISO (ISO3 plus SUN, YUG, CSK, continued after dissolution): year-dependent",
        normalize_code,
        _resolve_alpha3,
        ("iso3",),
    ),
    "cepii_iso3": Scheme(
        "CEPII GeoDist 2004-era alpha-3 (ROM, ZAR, TMP, YUG, PAL, ANT)",
        normalize_code,
        _resolve_alpha3,
        ("iso3",),
    ),
    "yotov": Scheme(
        "Yotov et al. (2016) exporter/importer codes (ISO3-like, ROM for Romania)",
        normalize_code,
        _resolve_alpha3,
        ("cepii_iso3", "iso3"),
    ),
    "pwt": Scheme("Penn World Table isocode (ISO3)", normalize_code, _resolve_alpha3, ("iso3",)),
    "legacy_iso3": Scheme(
        "Old UN Comtrade / World Bank 3-letter codes (SVU, VDR, YDR, KN1, ...)",
        normalize_code,
        _resolve_alpha3,
        ("cepii_iso3", "iso3"),
    ),
    "iso3n": Scheme(
        "ISO 3166-1 numeric (DESTA: 729 Sudan, 530 Neth. Antilles, 900 Kosovo)",
        normalize_code,
        _resolve_iso3n,
    ),
    "cepii_num": Scheme(
        "CEPII geo_cepii cnum (UN Comtrade numeric: 58, 251, 381, 490, ...)",
        normalize_code,
        _resolve_iso3n,
        ("iso3n",),
    ),
    "iso2": Scheme("ISO 3166-1 alpha-2", normalize_code, _make_codelist_resolver("iso2c", None)),
    "cow": Scheme("Correlates of War numeric state code", normalize_code, _resolve_cow),
    "gw": Scheme("Gleditsch-Ward numeric state code", normalize_code, _resolve_gw),
    "wb": Scheme(
        "World Bank country code (ISO3 plus CHI, KSV/XKX, ANT, SCG; aggregates)",
        normalize_code,
        _make_codelist_resolver("wb", _resolve_alpha3),
        _LEGACY,
    ),
    "unhcr": Scheme(
        "UNHCR ISO3 columns (coo_iso, coa_iso)", normalize_code, _resolve_alpha3, ("iso3",)
    ),
    "unhcr_code": Scheme(
        "UNHCR own country codes (coo, coa)",
        normalize_code,
        _make_codelist_resolver("unhcr", None),
        ("unhcr",),
    ),
    "penppml": Scheme(
        "penppml (Comtrade) codes: ISO3 plus legacy Comtrade codes",
        normalize_code,
        _resolve_alpha3,
        _LEGACY,
    ),
    "bmr_abbr": Scheme(
        "Boix-Miller-Rosato 'abbreviation' (World Bank-like, legacy codes)",
        normalize_code,
        _resolve_alpha3,
        _LEGACY,
    ),
    "unctad_code": Scheme(
        "CountryCode of the 2020 UNCTAD crosswalk (ISO3-like)",
        normalize_code,
        _resolve_alpha3,
        ("cepii_iso3", "iso3"),
    ),
    "cw_iso3": Scheme(
        "ISO3-like codes of the Chilton-Woda countries_match.xlsx crosswalk",
        normalize_code,
        _resolve_alpha3,
        ("iso3",),
    ),
    "vdem_id": Scheme(
        "V-Dem numeric country_id", normalize_code, _make_codelist_resolver("vdem", None)
    ),
    "vdem_text": Scheme(
        "V-Dem country_text_id (ISO3-like)", normalize_code, _resolve_alpha3, ("iso3",)
    ),
    "polity": Scheme(
        "Polity5 numeric ccode (p5n)", normalize_code, _make_codelist_resolver("p5n", _resolve_cow)
    ),
    "polity_scode": Scheme(
        "Polity5 letter code (scode, p5c)", normalize_code, _make_codelist_resolver("p5c", None)
    ),
    "name": Scheme(
        "English country name (countrycode regexes, then country_converter)",
        _norm_name,
        _resolve_name,
    ),
    "unctad_name": Scheme(
        "UNCTAD IIA Navigator English short names", _norm_name, _resolve_unctad, ("name",)
    ),
    "undesa_name": Scheme(
        "UN DESA International Migrant Stock names", _norm_name, _resolve_name, ("name",)
    ),
    "cw_name": Scheme("Chilton-Woda BLA country names", _norm_name, _resolve_cw_name, ("name",)),
    "cw_code": Scheme(
        "Chilton-Woda BLA codes (COW plus ad-hoc codes)", normalize_code, _resolve_cow, ("cow",)
    ),
    "wto_name": Scheme("WTO RTA-IS signatory names", _norm_name, _resolve_name, ("name",)),
    "coldat_name": Scheme(
        "COLDAT country names (today's countries)", _norm_name, _resolve_name, ("name",)
    ),
    "desta_name": Scheme(
        "DESTA country names (countrycode short names)", _norm_name, _resolve_name, ("name",)
    ),
}


def _lookup_exception(scheme: str, key: str, year: int | None) -> tuple[str | None, bool]:
    """(canonical, found) from the exception table for ``scheme`` and its parents."""
    idx = _exception_index()
    for s in (scheme, *SCHEMES[scheme].parents):
        rows = idx.get((s, key))
        if not rows:
            continue
        for a, b, canon in rows:
            if a is None and b is None:
                return canon, True
            if year is None:
                continue
            if (a is None or year >= a) and (b is None or year <= b):
                return canon, True
        # year-specific rows exist but none matched: fall through to the next scheme/base
    return None, False
