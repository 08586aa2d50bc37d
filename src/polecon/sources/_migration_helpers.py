"""Reading helpers shared by the migration parsers (World Bank, UN DESA, UNHCR).

R-file reading with column checks, count / year / code coercion and country mapping; split
out of :mod:`polecon.sources.wb_migration` unchanged, which imports them back (the other
parsers import them from there).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._common import canonical_codes
from polecon.sources._readers import read_r_objects, read_rda, require_columns, source_name
from polecon.sources._schema import SourceError

#: cells holding these tokens are "not available" and become NaN (never 0)
MISSING_TOKENS: tuple[str, ...] = ("..", "-")


def checked_frame(df: pd.DataFrame, required: Sequence[str], source: str) -> pd.DataFrame:
    """``df`` with a fresh RangeIndex; missing columns raise SourceError naming the first."""
    require_columns(df, required, source)
    return df.reset_index(drop=True)


def read_r_object(path: str | Path, name: str | None, required: Sequence[str]) -> pd.DataFrame:
    """Read one data frame from an ``.rds``/``.rda`` file and check its columns.

    ``name`` is the R object name (``None`` for ``.rds``: the file's single object).
    Unreadable or truncated files, a missing object and missing columns raise
    :class:`SourceError` naming the file.
    """
    src = source_name(path)
    if name is None:
        objects = read_r_objects(path)
        if len(objects) != 1:
            raise SourceError(src, f"expected one R object, found {list(objects)}")
        df = next(iter(objects.values()))
    else:
        df = read_rda(path, name)
    return checked_frame(df, required, src)


def coerce_counts(
    values: pd.Series,
    *,
    source: str,
    column: str,
    row_labels: pd.Series | None = None,
    negative_ok: bool = False,
) -> pd.Series:
    """Coerce a column of person counts to float64.

    ``..`` and ``-`` (and true NA) become NaN, never 0. Any other non-numeric value, a
    non-finite number, or (unless ``negative_ok``) a negative value raises :class:`SourceError`
    naming ``source``, ``column`` and the offending rows (``row_labels`` when given, else the
    1-based row number).
    """
    labels = (
        row_labels
        if row_labels is not None
        else pd.Series(np.arange(1, len(values) + 1), index=values.index)
    )
    s = values
    if pd.api.types.is_bool_dtype(s.dtype):
        raise SourceError(
            source,
            f"expected counts, got dtype {s.dtype}",
            column=column,
            rows=labels.head(10).tolist(),
        )
    if not pd.api.types.is_numeric_dtype(s.dtype):
        text = s.astype("string").str.strip()
        s = s.mask(text.isin(MISSING_TOKENS).fillna(False).to_numpy())
        if text.eq("").fillna(False).any():
            bad = text.eq("").fillna(False).to_numpy()
            raise SourceError(
                source, "empty cell (truncated file?)", column=column, rows=labels[bad].tolist()
            )
        num = pd.to_numeric(s.astype("string"), errors="coerce")
        bad = (num.isna() & s.notna()).to_numpy()
        if bad.any():
            sample = sorted({str(v) for v in values[bad].head(20)})[:5]
            raise SourceError(
                source, f"non-numeric value(s) {sample}", column=column, rows=labels[bad].tolist()
            )
        s = num
    out = pd.Series(np.asarray(s, dtype=np.float64), index=values.index, name=values.name)
    inf = np.isinf(out.to_numpy())
    if inf.any():
        raise SourceError(source, "infinite value(s)", column=column, rows=labels[inf].tolist())
    if not negative_ok:
        neg = (out < 0).to_numpy()
        if neg.any():
            raise SourceError(
                source,
                f"negative count(s) (e.g. {out[neg].head(3).tolist()})",
                column=column,
                rows=labels[neg].tolist(),
            )
    return out


def coerce_year(
    values: pd.Series,
    *,
    source: str,
    column: str,
    allowed: Sequence[int] | None = None,
    row_labels: pd.Series | None = None,
) -> pd.Series:
    """Coerce a year column to int64; non-integer, missing or unexpected years raise SourceError."""
    labels = (
        row_labels
        if row_labels is not None
        else pd.Series(np.arange(1, len(values) + 1), index=values.index)
    )
    num = pd.to_numeric(
        values.astype("string") if values.dtype == object else values, errors="coerce"
    )
    num = pd.Series(np.asarray(num, dtype=np.float64), index=values.index)
    bad = (num.isna() | (num % 1 != 0)).to_numpy()
    if bad.any():
        sample = sorted({str(v) for v in values[bad].head(20)})[:5]
        raise SourceError(
            source,
            f"missing or non-integer year(s) {sample}",
            column=column,
            rows=labels[bad].tolist(),
        )
    years = num.astype(np.int64)
    if allowed is not None:
        off = (~years.isin(list(allowed))).to_numpy()
        if off.any():
            raise SourceError(
                source,
                f"unexpected year(s) {sorted(set(years[off].tolist()))[:10]}; "
                f"expected {list(allowed)}",
                column=column,
                rows=labels[off].tolist(),
            )
    return years


def coerce_codes(
    values: pd.Series, *, source: str, column: str, row_labels: pd.Series | None = None
) -> pd.Series:
    """Identifier column as pandas string (stripped); missing identifiers raise SourceError."""
    labels = (
        row_labels
        if row_labels is not None
        else pd.Series(np.arange(1, len(values) + 1), index=values.index)
    )
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        raise SourceError(
            source,
            f"expected text identifiers, got dtype {values.dtype}",
            column=column,
            rows=labels.head(10).tolist(),
        )
    s = values.astype("string").str.strip()
    bad = (s.isna() | s.eq("")).to_numpy()
    if bad.any():
        raise SourceError(source, "missing identifier", column=column, rows=labels[bad].tolist())
    return s


def map_countries(
    values: pd.Series,
    scheme: str,
    *,
    source: str,
    column: str,
    years: pd.Series | None = None,
    row_labels: pd.Series | None = None,
) -> pd.Series:
    """:func:`polecon.sources._common.canonical_codes` over the unique (value, year) pairs, as
    pandas strings; errors name the rows by ``row_labels`` (default: 1-based row numbers).

    Documented exceptions come back ``<NA>``.
    """
    labels = (
        row_labels
        if row_labels is not None
        else pd.Series(np.arange(1, len(values) + 1), index=values.index)
    )
    codes = canonical_codes(
        values.astype("string"),
        scheme,
        source=source,
        column=column,
        years=years,
        rows=labels,
        unique=True,
    )
    return pd.Series(codes.to_numpy(), index=values.index, dtype="string")
