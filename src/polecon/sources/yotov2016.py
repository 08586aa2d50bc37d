"""Yotov, Piermartini, Monteiro and Larch (2016) application data -> ``yotov2016``.

Raw files (``data/trade/PROVENANCE.md``):

- ``trade/yotov2016_agtpa_applications.rda`` (R object ``agtpa_applications``, R package
  ``tradepolicy`` 0.7.0): 99,981 rows = 69 exporters x 69 importers x 21 years (1986-2006),
  balanced, including 1,449 domestic (exporter == importer) rows.  Parsed *as distributed* by
  :func:`parse`: same columns, same country codes (``ROM`` for Romania, ``HKG`` and ``MAC``
  separate), plus ``exporter_iso3``/``importer_iso3`` with canonical codes (scheme
  ``cepii_iso3``: ``ROM`` -> ``ROU``).
- ``trade/yotov2016_Chapter1Exercise1.dta`` and ``..._Chapter1Exercise2.dta``: the book's Stata
  exercise files, parsed by :func:`parse_exercise1` / :func:`parse_exercise2` (column names
  lower-cased, otherwise as distributed; not a canonical table).

Units: ``trade`` is nominal manufacturing trade (domestic sales on the diagonal) in **millions**
of current US dollars.  The package documentation says "current US dollars", but the
magnitudes are millions (USA -> MEX 2006 = 110,334).  ``dist`` is population-weighted distance
in km; the other columns are 0/1 indicators.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import (
    ReadOptions,
    numeric_values,
    read_raw,
    reject_rows,
    require_columns,
    source_name,
)
from polecon.sources._schema import Column, Schema, SourceError

__all__ = [
    "CITATION",
    "EXERCISE1_KEY",
    "EXERCISE1_SCHEMA",
    "EXERCISE2_KEY",
    "EXERCISE2_SCHEMA",
    "RAW_KEY",
    "SCHEMA",
    "build",
    "parse",
    "parse_exercise1",
    "parse_exercise2",
]

CITATION = (
    "Yotov, Y. V., R. Piermartini, J.-A. Monteiro and M. Larch (2016), An Advanced Guide to "
    "Trade Policy Analysis: The Structural Gravity Model, WTO/UNCTAD (ISBN 978-92-870-4367-2), "
    "CC BY 4.0; data as packaged in the R package tradepolicy 0.7.0 by M. Vargas Sepulveda "
    "(github.com/pachadotdev/tradepolicy, data/agtpa_applications.rda, commit 344cfb66)."
)

RAW_KEY = "trade/yotov2016_agtpa_applications.rda"
EXERCISE1_KEY = "trade/yotov2016_Chapter1Exercise1.dta"
EXERCISE2_KEY = "trade/yotov2016_Chapter1Exercise2.dta"
FIRST_YEAR, LAST_YEAR = 1986, 2006

_FLAGS = (
    "cntg",
    "lang",
    "clny",
    "rta",
    "rta_lag3",
    "rta_lag4",
    "rta_lag6",
    "rta_lag8",
    "rta_lag9",
    "rta_lag12",
    "rta_lead4",
)
_FLAG_TEXT = {
    "cntg": "contiguity (common border)",
    "lang": "common official language",
    "clny": "colonial link ever",
    "rta": "regional trade agreement in force",
    "rta_lag3": "rta three years earlier",
    "rta_lag4": "rta four years earlier",
    "rta_lag6": "rta six years earlier",
    "rta_lag8": "rta eight years earlier",
    "rta_lag9": "rta nine years earlier",
    "rta_lag12": "rta twelve years earlier",
    "rta_lead4": "rta four years later",
}


def _code_columns() -> tuple[Column, ...]:
    return (
        Column(
            "exporter",
            "string",
            "exporter code as distributed (ISO3-like; ROM = Romania)",
            nullable=False,
        ),
        Column(
            "importer",
            "string",
            "importer code as distributed (ISO3-like; ROM = Romania)",
            nullable=False,
        ),
    )


def _iso_columns() -> tuple[Column, ...]:
    return (
        Column("exporter_iso3", "string", "exporter, canonical code", nullable=False, country=True),
        Column("importer_iso3", "string", "importer, canonical code", nullable=False, country=True),
    )


def _trade_column(first: int, last: int) -> tuple[Column, ...]:
    return (
        Column("year", "int", "calendar year", unit="year", nullable=False, min=first, max=last),
        Column(
            "trade",
            "float",
            "nominal manufacturing trade exporter -> importer (domestic sales when equal)",
            unit="millions of current US dollars",
            nullable=False,
            min=0,
        ),
    )


SCHEMA = Schema(
    name="yotov2016",
    description="Yotov et al. (2016) structural-gravity application panel, as distributed",
    columns=(
        *_code_columns(),
        Column("pair_id", "int", "undirected pair id as distributed", nullable=False, min=1),
        *_trade_column(FIRST_YEAR, LAST_YEAR),
        Column("dist", "float", "population-weighted distance", unit="km", nullable=False, min=0),
        *(
            Column(f, "int", _FLAG_TEXT[f], unit="0/1", nullable=False, min=0, max=1)
            for f in _FLAGS
        ),
        *_iso_columns(),
    ),
    key=("exporter", "importer", "year"),
)

EXERCISE1_SCHEMA = Schema(
    name="yotov2016_exercise1",
    description="Yotov et al. (2016) Chapter 1 Exercise 1 (WTO), columns lower-cased",
    columns=(
        *_code_columns(),
        *_trade_column(FIRST_YEAR, LAST_YEAR),
        Column("dist", "float", "population-weighted distance", unit="km", nullable=False, min=0),
        *(
            Column(f, "int", _FLAG_TEXT[f], unit="0/1", nullable=False, min=0, max=1)
            for f in ("cntg", "lang", "clny", "rta")
        ),
        Column(
            "wto", "int", "both members of the GATT/WTO", unit="0/1", nullable=False, min=0, max=1
        ),
        *_iso_columns(),
    ),
    key=("exporter", "importer", "year"),
)

EXERCISE2_SCHEMA = Schema(
    name="yotov2016_exercise2",
    description="Yotov et al. (2016) Chapter 1 Exercise 2 (MFN tariffs), columns lower-cased",
    columns=(
        *_code_columns(),
        *_trade_column(1988, LAST_YEAR),
        *(
            Column(f, "int", _FLAG_TEXT[f], unit="0/1", nullable=False, min=0, max=1)
            for f in _FLAGS[_FLAGS.index("rta") :]  # the rta flags, lags and lead
        ),
        Column(
            "mfn_tariff",
            "float",
            "importer's MFN tariff (NA on domestic rows)",
            unit="ad valorem, share",
            min=0,
        ),
        *_iso_columns(),
    ),
    key=("exporter", "importer", "year"),
)


def _read(path: Path) -> pd.DataFrame:
    """Read one .rda (its first object) or .dta file; unreadable files raise SourceError."""
    kind = "dta" if Path(path).suffix.lower() == ".dta" else "rda"
    return read_raw(path, ReadOptions(kind))


def _canonical(values: pd.Series, *, source: str, column: str) -> pd.Series:
    out = canonical_codes(values, "cepii_iso3", source=source, column=column)
    if out.isna().any():
        raise SourceError(
            source,
            "code maps to no country",
            column=column,
            rows=values.index[out.isna().to_numpy()],
        )
    return out.astype("string")


def _convert(df: pd.DataFrame, schema: Schema, rename: dict[str, str], source: str) -> pd.DataFrame:
    """Rename, check presence and types, convert to the schema's dtypes, add canonical codes."""
    df = df.rename(columns=rename).reset_index(drop=True)
    require_columns(df, [c.name for c in schema.columns if not c.name.endswith("_iso3")], source)
    out: dict[str, object] = {}
    for col in schema.columns:
        if col.name.endswith("_iso3"):
            continue
        s = df[col.name]
        if col.dtype == "string":
            if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
                raise SourceError(
                    source, f"expected text codes, found dtype {s.dtype}", column=col.name
                )
            text = s.astype("string").str.strip()
            bad = text.isna() | (text == "")
            if bad.any():
                raise SourceError(
                    source, "missing code", column=col.name, rows=df.index[bad.to_numpy()]
                )
            out[col.name] = text
            continue
        arr = numeric_values(s, source, col.name, integer=col.dtype == "int")
        out[col.name] = arr.astype(np.int64) if col.dtype == "int" else arr
    res = pd.DataFrame(out)
    for name in ("trade", "dist"):
        if name in res.columns:
            neg = ((res[name] < 0) | np.isinf(res[name])).to_numpy()
            msg = f"negative or infinite values (e.g. {res.loc[neg, name].head(5).tolist()})"
            reject_rows(neg, source, msg, column=name)
    res["exporter_iso3"] = _canonical(res["exporter"], source=source, column="exporter").to_numpy()
    res["importer_iso3"] = _canonical(res["importer"], source=source, column="importer").to_numpy()
    dup = res.duplicated(list(schema.key), keep=False)
    if dup.any():
        raise SourceError(
            source,
            f"duplicated key {list(schema.key)}",
            column="exporter",
            rows=res.index[dup.to_numpy()],
        )
    res = res.astype({"exporter_iso3": "string", "importer_iso3": "string"})
    return schema.validate(res, source=source)


def parse(path: Path) -> pd.DataFrame:
    """Parse ``agtpa_applications`` as distributed (SCHEMA; 99,981 x 19 for the real file).

    Indicator columns become int64 0/1 (R stores them as doubles); ``trade`` stays in millions
    of current USD.  ``exporter_iso3``/``importer_iso3`` add canonical codes.
    """
    path = Path(path)
    return _convert(_read(path), SCHEMA, {}, source_name(path))


def parse_exercise1(path: Path) -> pd.DataFrame:
    """Parse ``Chapter1Exercise1.dta`` (25,350 rows = 65 x 65 x 6 years) into EXERCISE1_SCHEMA."""
    path = Path(path)
    df = _read(path)
    return _convert(df, EXERCISE1_SCHEMA, {c: c.lower() for c in df.columns}, source_name(path))


def parse_exercise2(path: Path) -> pd.DataFrame:
    """Parse ``Chapter1Exercise2.dta`` (18,928 rows = 52 x 52 x 7 years) into EXERCISE2_SCHEMA."""
    path = Path(path)
    df = _read(path)
    return _convert(df, EXERCISE2_SCHEMA, {c: c.lower() for c in df.columns}, source_name(path))


@register_table(
    "yotov2016",
    schema=SCHEMA,
    raw=(RAW_KEY,),
    citation=CITATION,
    description="Yotov et al. (2016) gravity application panel, 69 countries 1986-2006, as distributed",
)
def build(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """Build ``yotov2016``: the application panel as distributed (trade in millions USD)."""
    df = parse(raw[RAW_KEY])
    recoded = sorted(
        set(df.loc[df["exporter"] != df["exporter_iso3"], "exporter"])
        | set(df.loc[df["importer"] != df["importer_iso3"], "importer"])
    )
    log.note(
        f"{Path(raw[RAW_KEY]).name}: codes kept as distributed in exporter/importer; canonical "
        f"codes in *_iso3 differ for {recoded}; trade in millions of current USD; "
        f"{int((df['exporter'] == df['importer']).sum())} domestic rows kept"
    )
    return df


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = tuple(
    RawIdentifier(key, "exporter+importer", "yotov")
    for key in (RAW_KEY, EXERCISE1_KEY, EXERCISE2_KEY)
)
