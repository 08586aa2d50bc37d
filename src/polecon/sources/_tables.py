"""Reviewed tables of the source layer: ``datasets/sources/*.csv``.

Lists of codes and documented corrections that the parsers apply (World Bank aggregate codes,
UN DESA aggregate rows, COW IGO corrections, V-Dem overrides) live in CSV files with a header
row, one row per item and a ``reason`` column saying why the row is there. They are part of the
table cache key (:func:`polecon.sources._base._code_hash`). Each table is read here, checked for
its columns and for blank cells, and returned as text.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from polecon._paths import DATASETS_DIR
from polecon.sources._schema import SourceError

SOURCES_DIR = DATASETS_DIR / "sources"


@cache
def _read(name: str) -> pd.DataFrame:
    path = SOURCES_DIR / name
    src = f"datasets/sources/{name}"
    if not path.is_file():
        raise SourceError(src, f"reviewed table not found: {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def read_table(name: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """The reviewed table ``datasets/sources/<name>`` (all cells text, ``""`` for blank).

    Its header must be exactly ``columns``; every column except those in ``optional`` must be
    filled in every row. Errors name the file, the column and the CSV line.
    """
    src = f"datasets/sources/{name}"
    df = _read(name).copy()
    if tuple(df.columns) != tuple(columns):
        raise SourceError(src, f"header {list(df.columns)} != expected {list(columns)}")
    for col in columns:
        if col in optional:
            continue
        blank = df[col].str.strip().eq("").to_numpy()
        if blank.any():
            lines = [f"line {i + 2}" for i in blank.nonzero()[0]]
            raise SourceError(src, "blank cell in a required column", column=col, rows=lines)
    return df


def column_set(name: str, columns: tuple[str, ...], key: str) -> frozenset[str]:
    """The values of column ``key`` of a reviewed table, which must be distinct."""
    df = read_table(name, columns)
    dup = df[key].duplicated(keep=False).to_numpy()
    if dup.any():
        lines = [f"line {i + 2}" for i in dup.nonzero()[0]]
        raise SourceError(f"datasets/sources/{name}", "duplicated value", column=key, rows=lines)
    return frozenset(df[key])


__all__ = ["SOURCES_DIR", "column_set", "read_table"]
