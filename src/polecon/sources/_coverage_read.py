"""The identifier columns of the crosswalk coverage report, read from the source declarations.

Every module of :mod:`polecon.sources` may declare ``COUNTRY_IDS``, a tuple of
:class:`~polecon.sources._decl.RawIdentifier` (next to the parser that reads the file, or in
:mod:`polecon.sources._other_ids` for files no parser reads). :func:`declarations` collects them
(modules discovered as the tables are, :func:`polecon.sources._base.table_modules`), ordered by
the registry manifest (``datasets/registry.toml``) and, within a file, by declaration.
:func:`id_column` reads one with :func:`~polecon.sources._readers.read_raw` (the options the
parser uses) and splits its cells with the parser's splitter; :func:`extract_all` does all.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import cache

import pandas as pd

from polecon.countries.crosswalk import _is_missing
from polecon.registry import entries, fetch
from polecon.sources._base import _discover
from polecon.sources._decl import RawIdentifier, Splitter
from polecon.sources._readers import ReadOptions, read_raw


@dataclass(frozen=True)
class IdColumn:
    """One identifier column of one source file (values: one per row, as in the file)."""

    source: str
    column: str
    scheme: str
    values: pd.Series
    years: pd.Series | None = None


@cache
def declarations() -> tuple[RawIdentifier, ...]:
    """Every declared identifier column (``COUNTRY_IDS`` of every source module)."""
    _discover()
    found = [
        ident
        for name, module in sorted(sys.modules.items())
        if name.startswith("polecon.sources.")
        for ident in getattr(module, "COUNTRY_IDS", ())
    ]
    order = {e.path: i for i, e in enumerate(entries())}
    return tuple(sorted(found, key=lambda d: order[d.key]))


@cache
def read_file(key: str, options: ReadOptions) -> pd.DataFrame:
    """The raw file ``key`` read as ``options`` say (once per process)."""
    return read_raw(fetch(key), options)


def _raw(key: str, sheet: str | None = None) -> pd.DataFrame:
    """The raw file ``key`` (Excel: ``sheet``) read with the options declared for it."""
    for d in declarations():
        if d.key == key and (sheet is None or d.options.sheet == sheet):
            return read_file(key, d.options)
    kind = key.rsplit(".", 1)[-1].lower()
    return read_file(key, ReadOptions(kind, sheet=0 if sheet is None else sheet))  # type: ignore[arg-type]


def _cat(d: pd.DataFrame, *cols: str) -> pd.Series:
    return pd.concat([d[c] for c in cols], ignore_index=True)


def _explode(series: pd.Series, splitter: Splitter) -> pd.Series:
    return pd.Series(
        [x for cell in series if not _is_missing(cell) for x in splitter(cell)], dtype=object
    )


def id_column(decl: RawIdentifier) -> IdColumn:
    """The values of one declared identifier column (split, filtered, stacked)."""
    d = read_file(decl.key, decl.options)
    if decl.where is not None:
        d = d[d[decl.where[0]] == decl.where[1]]
    cols = (
        [c for c in d.columns if re.fullmatch(decl.pattern, c)]
        if decl.pattern is not None
        else decl.column.split("+")
    )
    values = pd.Series(cols, dtype=object) if decl.header else _cat(d, *cols)
    if decl.split is not None:
        values = _explode(values, decl.split)
    if decl.text:
        values = values.astype(str)
    years = None
    if decl.years is not None:
        years = pd.to_numeric(_cat(d, *[decl.years] * len(cols)).astype(str), errors="coerce")
    return IdColumn(decl.key, decl.name, decl.scheme, values, years)


@cache
def extract_all() -> tuple[IdColumn, ...]:
    """Every identifier column of every source file (read once per process)."""
    return tuple(id_column(d) for d in declarations())


def _decode_escapes(s: pd.Series) -> pd.Series:
    """penppml stores non-ASCII names as literal ``\\uXXXX`` escapes."""
    return s.astype(str).map(
        lambda v: re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), v)
    )
