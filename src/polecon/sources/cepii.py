"""CEPII GeoDist: bilateral distances and language/colonial dummies (``dist_cepii``).

Also home of the small reading/checking helpers shared by the geography and macro
parsers (:func:`read_rda`, :func:`read_csv`, :func:`int_column`, ...): each wraps
pandas/pyreadr so that a corrupt file, a missing column, a wrong type or a bad
value raises :class:`SourceError` naming the file, the column and the rows
(0-based data-row positions), never a raw library traceback.

Raw files: ``geo/original/cepii_dist_cepii.rda`` (the original of the top-level CSV,
which is a conversion) and ``geo/original/cepii_geo_cepii.xls`` (CEPII's own xls).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._readers import (  # noqa: F401 (re-exported)
    read_csv,
    read_rda,
    require_columns,
    source_name,
)
from polecon.sources._schema import Column, Schema, SourceError

CITATION = (
    "Mayer, T. & Zignago, S. (2011). Notes on CEPII's distances measures: the GeoDist "
    "Database. CEPII Working Paper 2011-25. (dist_cepii via the cepiigeodist R package, "
    "pachadotdev/cepiigeodist@534f171.)"
)

DIST_KEY = "geo/original/cepii_dist_cepii.rda"
GEO_KEY = "geo/original/cepii_geo_cepii.xls"

# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------


def _numeric(df: pd.DataFrame, col: str, source: str, na_values: Sequence[str] = ()) -> pd.Series:
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SourceError(source, f"expected numbers, found dtype {s.dtype}", column=col)
    if not pd.api.types.is_numeric_dtype(s.dtype):
        raw = s.astype("string").str.strip()
        if na_values:
            raw = raw.mask(raw.isin(list(na_values)))
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw != "")
        if bad.any():
            sample = raw[bad].head(5).tolist()
            raise SourceError(
                source,
                f"non-numeric values (e.g. {sample})",
                column=col,
                rows=df.index[bad.to_numpy()].tolist(),
            )
        s = num
    s = s.astype("float64")
    infinite = np.isinf(s.to_numpy())
    if infinite.any():
        raise SourceError(
            source,
            f"infinite values (e.g. {s[infinite].head(5).tolist()})",
            column=col,
            rows=df.index[infinite].tolist(),
        )
    return s


def float_column(
    df: pd.DataFrame,
    col: str,
    source: str,
    *,
    min: float | None = None,
    max: float | None = None,
    nullable: bool = True,
    na_values: Sequence[str] = (),
) -> pd.Series:
    """Column ``col`` as float64 (NaN = missing), with range and missingness checks."""
    s = _numeric(df, col, source, na_values)
    _check_range(df, s, col, source, min, max, nullable)
    return s


def int_column(
    df: pd.DataFrame,
    col: str,
    source: str,
    *,
    min: float | None = None,
    max: float | None = None,
    nullable: bool = False,
    allowed: Sequence[int] | None = None,
) -> pd.Series:
    """Column ``col`` as Int64; non-integral, out-of-range or disallowed values raise."""
    s = _numeric(df, col, source)
    present = s.notna()
    frac = present & (np.floor(s.fillna(0)) != s.fillna(0))
    if frac.any():
        raise SourceError(
            source,
            f"non-integer values (e.g. {s[frac].head(5).tolist()})",
            column=col,
            rows=df.index[frac.to_numpy()].tolist(),
        )
    _check_range(df, s, col, source, min, max, nullable)
    if allowed is not None:
        bad = present & ~s.isin(list(allowed))
        if bad.any():
            raise SourceError(
                source,
                f"values outside {sorted(allowed)} (e.g. {s[bad].head(5).tolist()})",
                column=col,
                rows=df.index[bad.to_numpy()].tolist(),
            )
    return s.astype("Int64")


def _check_range(
    df: pd.DataFrame,
    s: pd.Series,
    col: str,
    source: str,
    min: float | None,
    max: float | None,
    nullable: bool,
) -> None:
    if not nullable and s.isna().any():
        raise SourceError(
            source, "missing values", column=col, rows=df.index[s.isna().to_numpy()].tolist()
        )
    bad = pd.Series(False, index=s.index)
    if min is not None:
        bad |= s < min
    if max is not None:
        bad |= s > max
    if bad.any():
        what = "negative values" if min == 0 else f"values outside [{min}, {max}]"
        raise SourceError(
            source,
            f"{what} (e.g. {s[bad].head(5).tolist()})",
            column=col,
            rows=df.index[bad.to_numpy()].tolist(),
        )


def code_column(
    df: pd.DataFrame, col: str, source: str, *, nullable: bool = False, pattern: str | None = None
) -> pd.Series:
    """Column ``col`` as stripped pandas strings; missing or malformed codes raise."""
    s = df[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    s = s.astype("string").str.strip()
    s = s.mask(s == "")
    if not nullable and s.isna().any():
        raise SourceError(
            source, "missing codes", column=col, rows=df.index[s.isna().to_numpy()].tolist()
        )
    if pattern is not None:
        bad = s.notna() & ~s.fillna("").str.fullmatch(pattern)
        if bad.any():
            raise SourceError(
                source,
                f"malformed codes (e.g. {s[bad].head(5).tolist()}; expected {pattern})",
                column=col,
                rows=df.index[bad.to_numpy()].tolist(),
            )
    return s


def date_column(df: pd.DataFrame, col: str, source: str, *, nullable: bool = True) -> pd.Series:
    """Column ``col`` as datetime64 (NaT = missing); unparseable dates raise."""
    s = df[col]
    raw = s.astype("string").str.strip()
    raw = raw.mask(raw == "")
    out = pd.to_datetime(raw, errors="coerce", format="%Y-%m-%d")
    bad = out.isna() & raw.notna()
    if bad.any():
        raise SourceError(
            source,
            f"unparseable dates (e.g. {raw[bad].head(5).tolist()})",
            column=col,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    if not nullable and out.isna().any():
        raise SourceError(
            source, "missing dates", column=col, rows=df.index[out.isna().to_numpy()].tolist()
        )
    return out.astype("datetime64[ns]")


def check_unique(df: pd.DataFrame, keys: Sequence[str], source: str) -> None:
    """Raise SourceError listing the rows whose ``keys`` are duplicated."""
    dup = df.duplicated(list(keys), keep=False)
    if dup.any():
        sample = df.loc[dup, list(keys)].head(4).to_dict("records")
        raise SourceError(
            source,
            f"duplicated key {list(keys)} (e.g. {sample})",
            column=keys[0],
            rows=df.index[dup.to_numpy()].tolist(),
        )


# ---------------------------------------------------------------------------
# dist_cepii
# ---------------------------------------------------------------------------

DUMMIES = (
    "contig",
    "comlang_off",
    "comlang_ethno",
    "colony",
    "comcol",
    "curcol",
    "col45",
    "smctry",
)
DISTANCES = ("dist", "distcap", "distw", "distwces")

_DUMMY_TEXT = {
    "contig": "1 if the two countries share a land border",
    "comlang_off": "1 if they share a common official language",
    "comlang_ethno": "1 if a language is spoken by at least 9% of the population in both",
    "colony": "1 if the pair was ever in a colonial relationship (symmetric in the data)",
    "comcol": "1 if they had a common colonizer after 1945",
    "curcol": "1 if the pair is currently (c. 2004) in a colonial relationship",
    "col45": "1 if the pair was in a colonial relationship after 1945",
    "smctry": "1 if they were or are the same country",
}
_DIST_TEXT = {
    "dist": "great-circle distance between the most populated cities",
    "distcap": "great-circle distance between capitals",
    "distw": "population-weighted distance, theta = 1 (Head & Mayer 2002)",
    "distwces": "population-weighted distance, theta = -1",
}

SCHEMA = Schema(
    name="cepii_dist",
    description="CEPII GeoDist dist_cepii: one row per directed pair of CEPII 2004-era ISO3 codes.",
    key=("iso_o", "iso_d"),
    columns=(
        Column("iso_o", "string", "origin, CEPII 2004-era ISO3 code (ROM, ZAR, TMP, YUG, PAL, ANT)",
               nullable=False),
        Column("iso_d", "string", "destination, same scheme", nullable=False),
        *(Column(c, "Int", _DUMMY_TEXT[c], unit="0/1", nullable=False, allowed=frozenset({0, 1}))
          for c in DUMMIES),
        *(Column(c, "float", _DIST_TEXT[c], unit="km", min=0.0) for c in DISTANCES),
    ),
)  # fmt: skip


def parse(path: Path | str) -> pd.DataFrame:
    """Parse ``dist_cepii.rda`` into the :data:`SCHEMA` table (50,176 rows, 224 x 224 pairs).

    The Stata missing marker ``.`` in ``distw``/``distwces`` becomes NaN. Distances in km.
    """
    src = source_name(path)
    raw = read_rda(path)
    require_columns(raw, ["iso_o", "iso_d", *DUMMIES, *DISTANCES], src)
    out = pd.DataFrame(
        {
            "iso_o": code_column(raw, "iso_o", src, pattern=r"[A-Z]{3}"),
            "iso_d": code_column(raw, "iso_d", src, pattern=r"[A-Z]{3}"),
        }
    )
    for c in DUMMIES:
        out[c] = int_column(raw, c, src, allowed=(0, 1))
    for c in DISTANCES:
        out[c] = float_column(
            raw, c, src, min=0.0, na_values=(".",), nullable=c in {"distw", "distwces"}
        )
    check_unique(out, ["iso_o", "iso_d"], src)
    return SCHEMA.validate(out, source=src)


# ---------------------------------------------------------------------------
# geo_cepii (country file)
# ---------------------------------------------------------------------------

GEO_SCHEMA = Schema(
    name="cepii_geo",
    description="CEPII geo_cepii: one row per country (the row with cap == 1, else maincity == 1).",
    key=("iso3",),
    columns=(
        Column("iso3", "string", "CEPII 2004-era ISO3 code", nullable=False),
        Column("country", "string", "CEPII country name"),
        Column("area", "float", "land area", unit="km2", min=0.0),
        Column("dis_int", "float", "internal distance 0.67*sqrt(area/pi)", unit="km", min=0.0),
        Column("landlocked", "Int", "1 if landlocked", unit="0/1", allowed=frozenset({0, 1})),
        Column("continent", "string", "continent"),
        Column("city", "string", "capital (or main city when cap != 1 for every row)"),
        Column("lat", "float", "latitude of that city", unit="degrees", min=-90, max=90),
        Column("lon", "float", "longitude of that city", unit="degrees", min=-180, max=180),
    ),
)


def parse_geo(path: Path | str) -> pd.DataFrame:
    """Parse CEPII's ``geo_cepii.xls`` (xlrd) into one row per country (:data:`GEO_SCHEMA`)."""
    src = source_name(path)
    import warnings

    try:
        with warnings.catch_warnings():
            # pandas 3 deprecates the xlrd engine; CEPII ships .xls, which only xlrd reads here
            warnings.simplefilter("ignore", category=FutureWarning)
            warnings.simplefilter("ignore", category=DeprecationWarning)
            for w in ("Pandas4Warning",):
                cat = getattr(pd.errors, w, None)
                if cat is not None:
                    warnings.simplefilter("ignore", category=cat)
            raw = pd.read_excel(path, engine="xlrd", na_values=["."])
    except Exception as exc:  # xlrd raises its own error types
        raise SourceError(src, f"cannot read xls ({type(exc).__name__}: {exc})") from None
    cols = ["iso3", "country", "area", "dis_int", "landlocked", "continent", "city_en", "lat",
            "lon", "cap", "maincity"]  # fmt: skip
    require_columns(raw, cols, src)
    cap = int_column(raw, "cap", src, allowed=(0, 1, 2), nullable=True)
    main = int_column(raw, "maincity", src, allowed=(0, 1, 2), nullable=True)
    iso = code_column(raw, "iso3", src, pattern=r"[A-Z]{3}")
    # one row per country: the capital if flagged, else the main city
    rank = np.where(cap == 1, 0, np.where(main == 1, 1, 2))
    order = pd.DataFrame({"iso3": iso, "rank": rank, "pos": np.arange(len(raw))})
    keep = order.sort_values(["iso3", "rank", "pos"]).drop_duplicates("iso3")["pos"].to_numpy()
    sub = raw.iloc[np.sort(keep)]
    out = pd.DataFrame(
        {
            "iso3": iso.iloc[np.sort(keep)],
            "country": code_column(sub, "country", src, nullable=True),
            "area": float_column(sub, "area", src, min=0.0),
            "dis_int": float_column(sub, "dis_int", src, min=0.0),
            "landlocked": int_column(sub, "landlocked", src, allowed=(0, 1), nullable=True),
            "continent": code_column(sub, "continent", src, nullable=True),
            "city": code_column(sub, "city_en", src, nullable=True),
            "lat": float_column(sub, "lat", src, min=-90, max=90),
            "lon": float_column(sub, "lon", src, min=-180, max=180),
        }
    ).reset_index(drop=True)
    return GEO_SCHEMA.validate(out, source=src)


__all__ = ["CITATION", "GEO_SCHEMA", "SCHEMA", "parse", "parse_geo"]
