"""A raw source declared once: :class:`SourceDecl`, read and checked by one :func:`parse_source`.

A declaration names the registry key(s) of the raw file, how to read it
(:class:`~polecon.sources._readers.ReadOptions`), the schema of the parsed table (each
:class:`~polecon.sources._schema.Column` with its raw column name, range, allowed values and
pattern), every country identifier column of the raw file (:class:`RawIdentifier`: crosswalk
scheme, years, the splitter when one cell holds several countries; the crosswalk coverage
report certifies exactly these) and the citation. :func:`parse_source` does the
steps every small parser used to write by hand::

    read -> required raw columns -> checks per column (pattern, numbers, ranges, allowed
    values, dates, missingness) -> rename to canonical names -> source-specific ``finish`` -> unique key -> schema validation

Every error is a :class:`~polecon.sources._schema.SourceError` naming the file
(:func:`~polecon.sources.cepii.source_name`), the column (the raw name for a cell check, the
first key column for a duplicated key) and the 0-based data rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from polecon.sources._readers import ReadOptions, read_raw, source_name
from polecon.sources._schema import Column, Schema
from polecon.sources.cepii import (
    check_unique,
    code_column,
    date_column,
    float_column,
    int_column,
    require_columns,
)

#: ``(frame, source label) -> frame``: a source-specific step of :func:`parse_source`
Transform = Callable[[pd.DataFrame, str], pd.DataFrame]


#: ``cell -> country names``: a splitter of :mod:`polecon.sources._splitters`
Splitter = Callable[[str], list[str]]


@dataclass(frozen=True)
class RawIdentifier:
    """A column of country identifiers in a raw file, as the crosswalk coverage report reads it.

    Declared once, next to the parser that reads the file (a module-level ``COUNTRY_IDS``
    tuple; :mod:`polecon.sources.coverage` collects them all). ``column`` is the raw column,
    or several joined by ``+`` whose values are stacked (``"ccode1+ccode2"``); ``pattern``
    instead selects every column whose name matches it (with ``header``, the column names are
    the identifiers). ``scheme`` is the crosswalk scheme; ``split`` the splitter the parser
    calls on the cell (the same function object); ``years`` the raw column of years (for
    year-dependent schemes); ``where`` a ``(column, value)`` row filter; ``text`` maps the
    values as text; ``read`` the reader options the parser uses (default: by file suffix,
    :class:`~polecon.sources._readers.ReadOptions`); ``label`` names the column in the report
    (default ``column``).
    """

    key: str
    column: str
    scheme: str
    label: str = ""
    split: Splitter | None = None
    years: str | None = None
    where: tuple[str, str] | None = None
    text: bool = False
    read: ReadOptions | None = None
    pattern: str | None = None
    header: bool = False

    @property
    def name(self) -> str:
        """The column's name in the coverage report."""
        return self.label or self.column

    @property
    def options(self) -> ReadOptions:
        """How the raw file is read (``read``, else the kind of the key's suffix)."""
        if self.read is not None:
            return self.read
        return ReadOptions(Path(self.key).suffix.lstrip(".").lower())  # type: ignore[arg-type]


@dataclass(frozen=True)
class SourceDecl:
    """One raw source: registry key(s), schema, citation, reader options and identifiers.

    ``read`` defaults to the kind of the file named by the first key (its suffix: ``.rda``,
    ``.csv``, ...). ``prepare`` rewrites the raw frame after the required-columns check;
    ``finish`` checks or rewrites the canonical frame before the key and schema checks
    (source-specific logic only). :meth:`parse` is the source's parser.
    """

    keys: tuple[str, ...]
    schema: Schema
    citation: str
    read: ReadOptions = None  # type: ignore[assignment]  # set in __post_init__
    identifiers: tuple[RawIdentifier, ...] = ()
    prepare: Transform | None = None
    finish: Transform | None = None

    def __post_init__(self) -> None:
        if self.read is None:
            kind = Path(self.keys[0]).suffix.lstrip(".").lower()
            object.__setattr__(self, "read", ReadOptions(kind))  # type: ignore[arg-type]
        idents = []
        for ident in self.identifiers:
            if ident.key not in self.keys:
                raise ValueError(f"{self.schema.name}: identifier of {ident.key!r}, not a key")
            # an identifier of the parsed file is read with the parser's own options
            same = ident.read is None and ident.key == self.key
            idents.append(replace(ident, read=self.read) if same else ident)
        object.__setattr__(self, "identifiers", tuple(idents))

    def parse(self, path: Path | str, raw: pd.DataFrame | None = None) -> pd.DataFrame:
        """:func:`parse_source` of this declaration: the checked, validated table of ``path``."""
        return parse_source(self, path, raw)

    @property
    def key(self) -> str:
        """The (first) registry key."""
        return self.keys[0]


def read_column(raw: pd.DataFrame, column: Column, source: str) -> pd.Series:
    """Raw column ``column.raw_name`` checked and converted to ``column.dtype``."""
    name = column.raw_name
    if column.dtype == "string":
        return code_column(raw, name, source, nullable=column.nullable, pattern=column.pattern)
    if column.dtype in ("int", "Int"):
        allowed = sorted(column.allowed) if column.allowed is not None else None  # type: ignore[type-var]
        s = int_column(
            raw,
            name,
            source,
            min=column.min,
            max=column.max,
            nullable=column.dtype == "Int" and column.nullable,
            allowed=allowed,
        )
        return s.astype("int64") if column.dtype == "int" else s
    if column.dtype == "float":
        return float_column(
            raw, name, source, min=column.min, max=column.max, nullable=column.nullable
        )
    if column.dtype == "date":
        return date_column(raw, name, source, nullable=column.nullable)
    raise ValueError(f"column {column.name!r}: dtype {column.dtype!r} is not read from raw files")


def parse_source(
    decl: SourceDecl, path: Path | str, raw: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Read ``path`` as ``decl`` declares and return the checked, validated table.

    ``raw`` is the already-read raw frame of ``path`` when the caller had to look at it first.
    """
    src = source_name(path)
    if raw is None:
        raw = read_raw(path, decl.read)
    columns = decl.schema.columns
    require_columns(raw, [c.raw_name for c in columns], src)
    if decl.prepare is not None:
        raw = decl.prepare(raw, src)
    out = pd.DataFrame({c.name: read_column(raw, c, src) for c in columns})
    if decl.finish is not None:
        out = decl.finish(out, src)
    if decl.schema.key:
        check_unique(out, list(decl.schema.key), src)
    out = decl.schema.validate(out, source=src)
    return out


#: the generic parser under its short name
parse = parse_source

__all__ = [
    "RawIdentifier",
    "SourceDecl",
    "Splitter",
    "Transform",
    "parse",
    "parse_source",
    "read_column",
]
