"""Raw crosswalk files of the country layer, read through the checked reader ``_fetch``.

The registry keys the crosswalk reads (``CROSSWALK_FILES``), the checked readers ``_fetch`` /
``_read_r`` (which refuse an undeclared key) and the memoised tables read from those files
(codelist, ISO list, COW and GW state lists and their code maps), imported back by
:mod:`polecon.countries.crosswalk`; split out of that module unchanged.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from polecon.countries._tables import TABLES_DIR
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
