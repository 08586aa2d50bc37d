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

from polecon.sources._schema import SourceError

#: cells holding these tokens are "not available" and become NaN (never 0)
MISSING_TOKENS: tuple[str, ...] = ("..", "-")


def read_r_file(path: str | Path) -> dict[str | None, object]:
    """All objects of an ``.rds``/``.rda`` file (``pyreadr.read_r``); unreadable, truncated or
    missing files raise :class:`SourceError` naming the file."""
    import pyreadr

    path = Path(path)
    src = path.name
    if not path.is_file():
        raise SourceError(src, f"file not found: {path}")
    try:
        return dict(pyreadr.read_r(str(path)))
    except Exception as exc:  # pyreadr raises several types for corrupt/truncated files
        raise SourceError(src, f"cannot read R data file (truncated or corrupt?): {exc}") from exc


def require_columns(df: object, required: Sequence[str], source: str) -> pd.DataFrame:
    """``df`` as a DataFrame with a fresh RangeIndex; missing columns raise SourceError."""
    if not isinstance(df, pd.DataFrame):
        raise SourceError(source, f"R object is a {type(df).__name__}, not a data frame")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SourceError(
            source, f"missing column(s) {missing}; found {list(df.columns)}", column=missing[0]
        )
    return df.reset_index(drop=True)


def read_r_object(path: str | Path, name: str | None, required: Sequence[str]) -> pd.DataFrame:
    """Read one data frame from an ``.rds``/``.rda`` file and check its columns.

    ``name`` is the R object name (``None`` for ``.rds``: the file's single object).
    Unreadable or truncated files, a missing object and missing columns raise
    :class:`SourceError` naming the file.
    """
    src = Path(path).name
    objects = read_r_file(path)
    if name is None:
        if len(objects) != 1:
            raise SourceError(src, f"expected one R object, found {list(objects)}")
        df = next(iter(objects.values()))
    else:
        if name not in objects:
            raise SourceError(src, f"R object {name!r} not found; objects: {list(objects)}")
        df = objects[name]
    return require_columns(df, required, src)


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
    """Map identifiers to canonical codes with :func:`polecon.countries.to_canonical`.

    Documented exceptions come back ``<NA>``. Unmapped identifiers raise :class:`SourceError`
    naming the source, column, the identifiers and their rows.
    """
    from polecon.countries import UnmappedCountryError, to_canonical

    labels = (
        row_labels
        if row_labels is not None
        else pd.Series(np.arange(1, len(values) + 1), index=values.index)
    )
    # map the unique (value, year) pairs only: fast, and errors list each value once
    frame = pd.DataFrame({"v": values.astype("string")})
    if years is not None:
        frame["y"] = years.to_numpy()
    uniq = frame.drop_duplicates().reset_index(drop=True)
    try:
        mapped = to_canonical(
            uniq["v"], scheme, source=source, years=uniq["y"] if years is not None else None
        )
    except UnmappedCountryError as exc:
        bad_values = {v for v, _ in exc.unmapped}
        bad_keys = {str(v).split(" in ")[0].strip() for v in bad_values}
        bad = values.astype("string").str.strip().isin(bad_keys | bad_values).fillna(False)
        raise SourceError(
            source,
            f"unknown country identifier(s) {sorted(bad_keys)} (scheme {scheme!r}); "
            "add a mapping or a documented exception in datasets/countries/",
            column=column,
            rows=labels[bad.to_numpy()].tolist(),
        ) from exc
    except ValueError as exc:  # e.g. a year-dependent identifier without a year
        raise SourceError(source, f"country mapping failed: {exc}", column=column) from exc
    uniq["canon"] = mapped.to_numpy()
    on = ["v", "y"] if years is not None else ["v"]
    out = frame.merge(uniq, on=on, how="left", validate="many_to_one")["canon"]
    return pd.Series(out.to_numpy(), index=values.index, dtype="string")
