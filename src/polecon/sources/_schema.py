"""Declared table schemas, checked on every load.

A :class:`Schema` lists the columns of one tidy table (name, dtype, unit, range,
allowed values), its primary key, and which columns hold canonical country codes.
:meth:`Schema.validate` checks a DataFrame against it and raises a
:class:`SchemaError` that names the source, the column and the offending rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: dtype families a column may declare
DTYPES = ("string", "int", "Int", "float", "date", "bool", "boolean", "category")


class SourceError(ValueError):
    """A raw file or parsed table is not what its parser expects.

    The message always names the source (file or table), and where known the
    column and offending rows.
    """

    def __init__(
        self,
        source: str,
        message: str,
        *,
        column: str | None = None,
        rows: Iterable[object] | None = None,
    ) -> None:
        self.source = source
        self.column = column
        self.rows = list(rows) if rows is not None else []
        where = f"{source}"
        if column is not None:
            where += f", column {column!r}"
        text = f"{where}: {message}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:10])
            more = f" (+{len(self.rows) - 10} more)" if len(self.rows) > 10 else ""
            text += f" [rows: {shown}{more}]"
        super().__init__(text)


class SchemaError(SourceError):
    """A parsed table violates its declared schema."""


@dataclass(frozen=True)
class Column:
    """One column of a tidy table.

    ``dtype`` is one of :data:`DTYPES`: ``string`` (pandas string), ``int`` (numpy
    int64, no missing), ``Int`` (nullable Int64), ``float`` (float64, NaN = missing),
    ``date`` (datetime64, NaT = missing), ``bool`` (numpy bool, no missing),
    ``boolean`` (nullable), ``category``.

    ``raw`` names the column in the raw file when it differs from ``name`` (read by
    :func:`polecon.sources._decl.parse`); ``pattern`` is a regular expression every present raw
    value of a ``string`` column must match in full (an error names the file, column and rows).
    """

    name: str
    dtype: str
    description: str
    unit: str = ""
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    allowed: frozenset[object] | None = None
    country: bool = False  # holds canonical country codes
    raw: str | None = None  # the raw file's column name (default: ``name``)
    pattern: str | None = None  # regex the raw text must match (``string`` columns)

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name!r}: unknown dtype {self.dtype!r}")
        if self.pattern is not None and self.dtype != "string":
            raise ValueError(f"column {self.name!r}: a pattern needs dtype 'string'")

    @property
    def raw_name(self) -> str:
        """The column's name in the raw file."""
        return self.raw or self.name


def _dtype_ok(series: pd.Series, dtype: str) -> bool:
    kind = series.dtype
    if dtype == "string":
        return pd.api.types.is_string_dtype(kind) and not isinstance(kind, pd.CategoricalDtype)
    if dtype == "int":
        return pd.api.types.is_integer_dtype(kind) and not pd.api.types.is_extension_array_dtype(
            kind
        )
    if dtype == "Int":
        return pd.api.types.is_integer_dtype(kind)
    if dtype == "float":
        return pd.api.types.is_float_dtype(kind)
    if dtype == "date":
        return pd.api.types.is_datetime64_any_dtype(kind)
    if dtype == "bool":
        return pd.api.types.is_bool_dtype(kind) and not pd.api.types.is_extension_array_dtype(kind)
    if dtype == "boolean":
        return pd.api.types.is_bool_dtype(kind)
    if dtype == "category":
        return isinstance(kind, pd.CategoricalDtype)
    return False


def _unconvertible(series: pd.Series, dtype: str) -> pd.Series:
    """Rows of ``series`` whose values cannot be read as ``dtype`` (for error messages)."""
    present = series.notna()
    try:
        if dtype in {"int", "Int", "float"}:
            converted = pd.to_numeric(series, errors="coerce")
            bad = present & converted.isna()
            if dtype in {"int", "Int"}:
                frac = converted.notna() & (converted % 1 != 0)
                bad |= frac
            return bad
        if dtype == "date":
            return present & pd.to_datetime(series, errors="coerce").isna()
    except (TypeError, ValueError):
        pass
    return pd.Series(False, index=series.index)


@dataclass(frozen=True)
class Schema:
    """The declared shape of one tidy table."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    extra_columns: bool = False  # allow undeclared columns
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def country_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.country]

    def validate(self, df: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
        """Check ``df`` against the schema; return it with columns in declared order.

        Raises :class:`SchemaError` naming the source, column and offending rows.
        """
        src = source or self.name
        if not isinstance(df, pd.DataFrame):
            raise SchemaError(src, f"expected a DataFrame, got {type(df).__name__}")
        missing = [c for c in self.names if c not in df.columns]
        if missing:
            raise SchemaError(src, f"missing column(s) {missing}; found {list(df.columns)}")
        extra = [c for c in df.columns if c not in self.names]
        if extra and not self.extra_columns:
            raise SchemaError(src, f"undeclared column(s) {extra}")
        for col in self.columns:
            s = df[col.name]
            if not _dtype_ok(s, col.dtype):
                bad = _unconvertible(s, col.dtype)
                example = f" (e.g. {s[bad].head(3).tolist()})" if bad.any() else ""
                raise SchemaError(
                    src,
                    f"dtype {s.dtype} does not match declared {col.dtype!r}{example}",
                    column=col.name,
                    rows=df.index[bad.to_numpy()].tolist() if bad.any() else None,
                )
            na = s.isna()
            if not col.nullable and na.any():
                raise SchemaError(
                    src,
                    "missing values in a non-nullable column",
                    column=col.name,
                    rows=df.index[na.to_numpy()].tolist(),
                )
            present = s[~na]
            if col.min is not None or col.max is not None:
                values = present
                if col.dtype == "date":
                    values = present.dt.year
                arr = values.to_numpy(dtype=np.float64)
                bad = np.zeros(len(arr), dtype=bool)
                if col.min is not None:
                    bad |= arr < col.min
                if col.max is not None:
                    bad |= arr > col.max
                if bad.any():
                    rows = present.index[bad].tolist()
                    sample = present[bad].head(5).tolist()
                    raise SchemaError(
                        src,
                        f"values outside [{col.min}, {col.max}] (e.g. {sample})",
                        column=col.name,
                        rows=rows,
                    )
            if col.allowed is not None:
                bad_mask = ~present.isin(list(col.allowed))
                if bad_mask.any():
                    sample = sorted(map(str, set(present[bad_mask].tolist())))[:10]
                    raise SchemaError(
                        src,
                        f"values not in the allowed set: {sample}",
                        column=col.name,
                        rows=present.index[bad_mask.to_numpy()].tolist(),
                    )
        if self.key:
            dup = df.duplicated(list(self.key), keep=False)
            if dup.any():
                sample = df.loc[dup, list(self.key)].head(5).to_dict("records")
                raise SchemaError(
                    src,
                    f"duplicated key {list(self.key)} (e.g. {sample})",
                    rows=df.index[dup.to_numpy()].tolist(),
                )
        ordered = self.names + [c for c in df.columns if c not in self.names]
        return df[ordered]

    def dictionary(self) -> pd.DataFrame:
        """The data dictionary: one row per column."""
        return pd.DataFrame(
            [
                {
                    "column": c.name,
                    "dtype": c.dtype,
                    "unit": c.unit,
                    "description": c.description,
                    "key": c.name in self.key,
                }
                for c in self.columns
            ]
        )
