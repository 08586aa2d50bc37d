"""Read a registered raw file by kind into a DataFrame of its raw columns.

:func:`read_raw` reads R data (``.rda``/``.rds``, pyreadr), Stata (``.dta``), CSV (encoding,
separator, missing-value markers) and Excel (one sheet) files as :class:`ReadOptions` say.
A corrupt, truncated or unreadable file raises :class:`SourceError` labelled the one way raw
files are labelled in errors (:func:`source_name`, ``folder/file``),
never a raw library traceback. :mod:`polecon.sources.cepii` re-exports the low-level readers
(``source_name``, ``read_rda``, ``read_csv``) under their old names.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from polecon.sources._schema import SourceError

Kind = Literal["rda", "rds", "dta", "csv", "xls", "xlsx"]
KINDS: tuple[str, ...] = ("rda", "rds", "dta", "csv", "xls", "xlsx")


@dataclass(frozen=True)
class ReadOptions:
    """How to read one raw file.

    ``kind`` is the file format (the registry's ``format``); ``obj`` the object of an R file
    (default: the first); ``encoding``, ``sep``, ``na_values`` and ``keep_default_na`` apply
    to CSV files, which are read as text (``dtype=str``) unless ``text=False``; ``sheet`` is
    the Excel sheet (name or 0-based position) and ``na_values`` its missing markers too.
    """

    kind: Kind
    obj: str | None = None
    encoding: str = "utf-8"
    sep: str = ","
    na_values: tuple[str, ...] = ()
    keep_default_na: bool = False
    text: bool = True
    sheet: str | int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown raw file kind {self.kind!r}; known: {list(KINDS)}")


def source_name(path: Path | str) -> str:
    """Short name of a raw file for error messages (``folder/file``)."""
    parts = Path(path).parts
    return "/".join(parts[-3:]) if parts[-2:-1] == ("original",) else "/".join(parts[-2:])


def read_r_objects(path: Path | str) -> dict[str | None, pd.DataFrame]:
    """Every object of an R ``.rda``/``.rds`` file (pyreadr; an ``.rds`` object is keyed
    ``None``); a missing, truncated or corrupt file raises SourceError naming it."""
    import pyreadr

    try:
        return dict(pyreadr.read_r(str(path)))
    except Exception as exc:  # pyreadr raises several private error types
        raise SourceError(
            source_name(path),
            f"cannot read R data file ({type(exc).__name__}: {exc}); truncated or corrupt?",
        ) from None


def read_rda(path: Path | str, obj: str | None = None) -> pd.DataFrame:
    """One object of an R ``.rda``/``.rds`` file (``obj``; default the first) with a fresh
    index; errors become SourceError naming the file."""
    src = source_name(path)
    res = read_r_objects(path)
    if not res:
        raise SourceError(src, "R data file holds no data frame")
    if obj is not None:
        if obj not in res:
            raise SourceError(src, f"R object {obj!r} not found; objects: {list(res)}")
        df = res[obj]
    else:
        df = next(iter(res.values()))
    return df.reset_index(drop=True)


def read_csv(
    path: Path | str, *, encoding: str = "utf-8", sep: str = ",", **kwargs: object
) -> pd.DataFrame:
    """Read a delimited text file with pandas; errors become SourceError.

    Every data row must have as many fields as the header: pandas silently pads short rows
    with NaN, which is how a truncated file usually looks, so short rows are reported
    (0-based data-row positions).
    """
    src = source_name(path)
    try:
        with open(path, encoding=encoding, newline="") as fh:
            rows = csv.reader(fh, delimiter=sep)
            header = next(rows, None)
            if header is None:
                raise SourceError(src, "empty file")
            short = [i for i, r in enumerate(rows) if r and len(r) != len(header)]
        if short:
            raise SourceError(
                src,
                f"rows with a field count other than the header's {len(header)} "
                "(truncated or corrupt file?)",
                rows=short,
            )
        return pd.read_csv(path, encoding=encoding, sep=sep, **kwargs)  # type: ignore[call-overload]
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(src, f"cannot parse CSV ({type(exc).__name__}: {exc})") from None


def read_dta(path: Path | str) -> pd.DataFrame:
    """Read a Stata file (value labels not applied); errors become SourceError."""
    try:
        df = pd.read_stata(path, convert_categoricals=False, preserve_dtypes=True)
    except Exception as exc:  # pandas/stata raise several error types
        raise SourceError(
            source_name(path),
            f"cannot read Stata file ({type(exc).__name__}: {exc}); truncated or corrupt?",
        ) from None
    return df.reset_index(drop=True)


def read_excel(
    path: Path | str, sheet: str | int = 0, na_values: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Read one sheet of an Excel file (``.xls`` with xlrd); errors become SourceError."""
    engine = "xlrd" if Path(path).suffix.lower() == ".xls" else None
    try:
        with warnings.catch_warnings():
            # pandas deprecates the xlrd engine; old .xls files are only read by it
            warnings.simplefilter("ignore", category=FutureWarning)
            warnings.simplefilter("ignore", category=DeprecationWarning)
            df = pd.read_excel(path, sheet_name=sheet, engine=engine, na_values=list(na_values))
    except Exception as exc:  # xlrd/openpyxl raise their own error types
        raise SourceError(
            source_name(path), f"cannot read Excel sheet {sheet!r} ({type(exc).__name__}: {exc})"
        ) from None
    return df.reset_index(drop=True)


def require_columns(df: pd.DataFrame, columns: Iterable[str], source: str) -> None:
    """Raise SourceError naming the file, the first missing column and all missing ones if any
    of ``columns`` is absent (the columns found are listed, the first 30)."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SourceError(
            source, f"missing column(s) {missing}; found {list(df.columns)[:30]}", column=missing[0]
        )


def reject_rows(bad: object, source: str, message: str, *, column: str | None) -> None:
    """Raise SourceError(``source``, ``message``) naming ``column`` and the 0-based positions of
    the rows where the boolean mask ``bad`` is true, if there are any."""
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        raise SourceError(source, message, column=column, rows=np.flatnonzero(mask))


def not_numeric(source: str, s: pd.Series, column: str) -> SourceError:
    """Error for a column that should hold numbers: names the rows that are not numbers."""
    bad = s.notna() & pd.to_numeric(s.astype(object), errors="coerce").isna()
    rows = s.index[bad.to_numpy()] if bad.any() else s.index
    what = f"e.g. {s[bad].head(3).tolist()}" if bad.any() else "whole column stored as text"
    return SourceError(
        source, f"expected numbers, found dtype {s.dtype} ({what})", column=column, rows=rows
    )


def numeric_values(s: pd.Series, source: str, column: str, *, integer: bool) -> np.ndarray:
    """The float64 values of a numeric column (a text or boolean column raises
    :func:`not_numeric`); with ``integer``, a missing, infinite or fractional value raises SourceError
    naming its rows (labels of ``s``)."""
    if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        raise not_numeric(source, s, column)
    arr = s.to_numpy(dtype=np.float64)
    if integer:
        bad = ~np.isfinite(arr) | (arr != np.round(arr))  # inf == round(inf): test it apart
        if bad.any():
            raise SourceError(
                source, "missing, infinite or non-integer values", column=column, rows=s.index[bad]
            )
    return arr


def read_raw(path: Path | str, options: ReadOptions) -> pd.DataFrame:
    """The raw columns of ``path``, read as ``options`` say (errors name the file)."""
    kind = options.kind
    if kind in ("rda", "rds"):
        return read_rda(path, options.obj)
    if kind == "dta":
        return read_dta(path)
    if kind == "csv":
        extra: dict[str, object] = {"dtype": str} if options.text else {}
        return read_csv(
            path,
            encoding=options.encoding,
            sep=options.sep,
            keep_default_na=options.keep_default_na,
            na_values=list(options.na_values),
            **extra,
        )
    if kind in ("xls", "xlsx"):
        return read_excel(path, options.sheet, options.na_values)
    raise AssertionError(kind)


__all__ = [
    "ReadOptions",
    "not_numeric",
    "numeric_values",
    "read_csv",
    "read_dta",
    "read_excel",
    "read_r_objects",
    "read_raw",
    "reject_rows",
    "require_columns",
    "source_name",
]
