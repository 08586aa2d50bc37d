"""Map the country identifiers of every source to the canonical country code.

The canonical code (HYPOTHESES.md s.1) is one ISO 3166-1 alpha-3 label per state that follows
the COW continuity convention (West/unified Germany ``DEU``, East Germany ``DDR``, USSR/Russia
``RUS``, Yugoslavia/Serbia ``SRB``, North Yemen/Yemen ``YEM``, South Yemen ``YMD``, North
Vietnam/Vietnam ``VNM``, South Vietnam ``RVN``, Czechoslovakia ``CSK``).  Non-state territories
keep their ISO3 code (``HKG``, ``PRI``, ...); historical states without an ISO code get their
COW/GW letter code (``BAV``, ``AUH``, ...); blocs that sign as one party get a bloc code
(``BLEU``, ``EU``, ``EFTA``, ...).

The mapping is built from the crosswalk data in ``data/codes`` (countrycode's codelist, the COW
and GW state lists, the ISO list) and from country_converter.  Only residual exceptions live in
the reviewed tables ``datasets/countries/states.csv`` (COW/GW codes that the codelist does not map)
and ``datasets/countries/exceptions.csv`` (scheme, value, canonical, year range, reason); an empty
``canonical`` there marks a value that is deliberately left unmapped (a regional aggregate,
"unknown", "other"), which returns ``<NA>``.
"""

from __future__ import annotations

import logging
import math
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from polecon.countries._tables import TABLES_DIR, bloc_codes
from polecon.registry import fetch

CODELIST_KEY = "codes/countrycode_codelist.csv"
ISO_KEY = "codes/original/country_isocodes.rda"
COW_SYSTEM_KEY = "codes/original/cw_system.rda"
GW_SYSTEM_KEY = "codes/original/gw_system.rda"
UNCTAD_NAMES_KEY = "bits/unctad_iia_navigator_2020-01/ISO3-CountryName-UNTACD.dta"
CW_MATCH_KEY = "blas/chilton_woda_2022/countries_match.xlsx"
#: Every registry key the crosswalk reads. Each canonical table's cache key covers them (every
#: table maps countries); the readers go through :func:`_fetch`, which refuses other keys.
CROSSWALK_FILES: tuple[str, ...] = (
    CODELIST_KEY,
    ISO_KEY,
    COW_SYSTEM_KEY,
    GW_SYSTEM_KEY,
    UNCTAD_NAMES_KEY,
    CW_MATCH_KEY,
)

__all__ = [
    "SCHEMES",
    "UnmappedCountryError",
    "codelist",
    "cow_system_spells",
    "exceptions_table",
    "gw_system_spells",
    "known_codes",
    "to_canonical",
]


class UnmappedCountryError(ValueError):
    """Identifiers that map to no canonical code and are not documented exceptions.

    ``unmapped`` holds ``(value, n_rows)`` pairs sorted by row count (descending), then value.
    """

    def __init__(self, source: str, scheme: str, unmapped: list[tuple[str, int]]) -> None:
        self.source = source
        self.scheme = scheme
        self.unmapped = unmapped
        listing = "; ".join(f"{v!r} ({n} row{'s' if n != 1 else ''})" for v, n in unmapped)
        super().__init__(
            f"{len(unmapped)} unmapped country identifier(s) in source {source!r} "
            f"(scheme {scheme!r}): {listing}. Add a mapping or a documented exception to "
            f"datasets/countries/exceptions.csv."
        )


# --------------------------------------------------------------------------------------------
# Raw crosswalk data (cached in memory)
# --------------------------------------------------------------------------------------------


def _fetch(key: str, declared: tuple[str, ...] = CROSSWALK_FILES) -> Path:
    """``registry.fetch(key)`` for a key in ``declared`` (the module's declared raw files)."""
    if key not in declared:
        raise RuntimeError(
            f"the country layer reads {key!r}, which is not declared among its raw files "
            f"{declared}; add it there so that cached tables depend on it"
        )
    return fetch(key)


def _read_r_path(path: Path, label: str) -> pd.DataFrame:
    """The single R object in the ``.rda``/``.rds`` file ``path`` (``label`` names it in errors)."""
    import pyreadr

    result = pyreadr.read_r(str(path))
    if len(result) != 1:
        raise ValueError(f"{label}: expected one R object, found {list(result)}")
    return next(iter(result.values()))


def _read_r(key: str, declared: tuple[str, ...] = CROSSWALK_FILES) -> pd.DataFrame:
    """The R object in the registered file ``key``, which must be in ``declared``."""
    return _read_r_path(_fetch(key, declared), key)


@cache
def codelist() -> pd.DataFrame:
    """countrycode's codelist (292 rows), every column as string (``<NA>`` when empty)."""
    df = pd.read_csv(
        _fetch(CODELIST_KEY),
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    return df


@cache
def _iso_list() -> pd.DataFrame:
    """ISO 3166-1 list (249 rows: iso2c, iso3c, iso3n, name) from the original .rda."""
    df = _read_r(ISO_KEY)
    return df.astype(str)


def _spells(key: str, code_col: str, abb_col: str, name_col: str) -> pd.DataFrame:
    df = _read_r(key)
    out = pd.DataFrame(
        {
            "ccode": df[code_col].astype(int),
            "abb": df[abb_col].astype(str),
            "name": df[name_col].astype(str),
            "start": pd.to_datetime(df["start"]),
            "end": pd.to_datetime(df["end"]),
        }
    )
    if out[["start", "end"]].isna().any().any():
        raise ValueError(f"{key}: missing spell dates")
    return out


@cache
def cow_system_spells() -> pd.DataFrame:
    """COW state-system membership spells (v2016): ccode, abb, name, start, end (dates)."""
    return _spells(COW_SYSTEM_KEY, "ccode", "cw_abb", "cw_name")


@cache
def gw_system_spells() -> pd.DataFrame:
    """Gleditsch-Ward state-system spells (to 2020): ccode, abb, name, start, end (dates)."""
    return _spells(GW_SYSTEM_KEY, "gwcode", "gw_abb", "gw_name")


@cache
def _states_table() -> pd.DataFrame:
    path = TABLES_DIR / "states.csv"
    df = pd.read_csv(path, dtype={"system": str, "ccode": int, "canonical": str})
    dup = df.duplicated(["system", "ccode"])
    if dup.any():
        raise ValueError(f"{path}: duplicated (system, ccode) in rows {list(df.index[dup] + 2)}")
    return df


def _codelist_int_map(column: str) -> dict[int, str]:
    """codelist ``column`` (numeric code) -> iso3c, for rows that have both."""
    cl = codelist().dropna(subset=[column, "iso3c"])
    return {int(float(k)): v for k, v in zip(cl[column], cl["iso3c"], strict=True)}


@cache
def cow_map() -> dict[int, str]:
    """COW numeric code -> canonical code (codelist ``cown`` plus ``states.csv`` overrides)."""
    out = _codelist_int_map("cown")
    st = _states_table()
    out.update(
        dict(
            zip(
                st.loc[st.system == "cow", "ccode"],
                st.loc[st.system == "cow", "canonical"],
                strict=True,
            )
        )
    )
    return out


@cache
def gw_map() -> dict[int, str]:
    """GW numeric code -> canonical code (codelist ``gwn`` plus ``states.csv`` overrides)."""
    out = _codelist_int_map("gwn")
    st = _states_table()
    out.update(
        dict(
            zip(
                st.loc[st.system == "gw", "ccode"],
                st.loc[st.system == "gw", "canonical"],
                strict=True,
            )
        )
    )
    return out


@cache
def _iso3_set() -> frozenset[str]:
    return frozenset(codelist()["iso3c"].dropna()) | frozenset(_iso_list()["iso3c"])


@cache
def _iso3n_map() -> dict[int, str]:
    out = _codelist_int_map("iso3n")
    iso = _iso_list()
    for n, a in zip(iso["iso3n"], iso["iso3c"], strict=True):
        out.setdefault(int(n), a)
    return out


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


def _resolve_unctad(key: str) -> str | None:
    code = _unctad2020_map().get(key)
    if code is not None:
        hit = _resolve_via("unctad_code", code)
        if hit is not None:
            return hit
    return _resolve_name(key)


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


def _needs_year(scheme: str, key: str) -> bool:
    idx = _exception_index()
    for s in (scheme, *SCHEMES[scheme].parents):
        for a, b, _ in idx.get((s, key), ()):
            if a is not None or b is not None:
                return True
    return False


_NOT_FOUND = object()


@cache
def _resolve_one(scheme: str, key: str, year: int | None) -> object:
    """Canonical code, ``None`` (documented exception -> NA) or ``_NOT_FOUND``."""
    canon, found = _lookup_exception(scheme, key, year)
    if found:
        return canon
    hit = SCHEMES[scheme].resolve(key)
    if hit is None or hit not in known_codes():
        return _NOT_FOUND
    return hit


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def to_canonical(
    values: pd.Series | Sequence[object],
    scheme: str,
    *,
    source: str,
    years: pd.Series | Sequence[int] | None = None,
) -> pd.Series:
    """Map identifiers in ``scheme`` to canonical country codes.

    Parameters
    ----------
    values : identifiers (one per row); missing values (NA/empty) map to ``<NA>``.
    scheme : a key of ``SCHEMES`` (``"iso3"``, ``"cow"``, ``"unctad_name"``, ...).
    source : the source name, quoted in errors.
    years : optional year per row, used by year-dependent exceptions.

    Returns a pandas ``"string"`` Series aligned with ``values`` (same index). Documented
    exceptions with an empty canonical code give ``<NA>``; bloc names give bloc codes.

    Raises ``UnmappedCountryError`` listing every identifier that maps nowhere, with row counts.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown country scheme {scheme!r}; known: {sorted(SCHEMES)}")
    spec = SCHEMES[scheme]
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if years is not None:
        ys = years if isinstance(years, pd.Series) else pd.Series(list(years))
        if len(ys) != len(s):
            raise ValueError(f"{source}: years has {len(ys)} rows, values has {len(s)}")
        ys = pd.Series(pd.to_numeric(ys.to_numpy(), errors="coerce"), index=s.index)
    else:
        ys = None

    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    result = pd.array([pd.NA] * len(uniques), dtype="string")
    uniq_keys: list[str | None] = [None if _is_missing(u) else spec.normalize(u) for u in uniques]
    bad: dict[str, int] = {}
    raw_of: dict[str, str] = {}
    counts = pd.Series(codes[codes >= 0]).value_counts() if len(codes) else pd.Series(dtype=int)
    yearly: list[int] = []
    for j, k in enumerate(uniq_keys):
        if k is None:
            continue
        if _needs_year(scheme, k):
            yearly.append(j)
            continue
        res = _resolve_one(scheme, k, None)
        if res is _NOT_FOUND:
            raw_of.setdefault(k, str(uniques[j]).strip())
            bad[k] = bad.get(k, 0) + int(counts.get(j, 0))
        elif res is not None:
            result[j] = res
    mapped = result.take(codes, allow_fill=True) if len(codes) else result[:0]
    out = pd.Series(mapped, index=s.index, dtype="string", name=getattr(values, "name", None))
    for j in yearly:
        k = uniq_keys[j]
        assert k is not None
        rows = codes == j
        if ys is None or ys[rows].isna().any():
            first = s.index[rows & (ys.isna().to_numpy() if ys is not None else True)][0]
            raise ValueError(
                f"{source}: identifier {uniques[j]!r} (scheme {scheme!r}) maps differently by "
                f"year; pass years= (row {first!r} has none)"
            )
        for y in pd.unique(ys[rows]):
            res = _resolve_one(scheme, k, int(y))
            sel = rows & (ys == y).to_numpy()
            if res is _NOT_FOUND:
                label = f"{str(uniques[j]).strip()} in {int(y)}"
                raw_of.setdefault(f"{k}@{int(y)}", label)
                bad[f"{k}@{int(y)}"] = int(sel.sum())
            else:
                out[sel] = pd.NA if res is None else res
    if bad:
        listing = sorted(((raw_of[k], n) for k, n in bad.items()), key=lambda t: (-t[1], t[0]))
        raise UnmappedCountryError(source, scheme, listing)
    return out
