"""Helpers shared by the source parsers."""

from __future__ import annotations

import re
from typing import Literal

import pandas as pd

from polecon.sources._schema import SourceError


def canonical_codes(
    values: pd.Series,
    scheme: str,
    *,
    source: str,
    column: str,
    years: pd.Series | None = None,
    rows: pd.Series | None = None,
    unique: bool = False,
    unknown: Literal["raise", "na"] = "raise",
) -> pd.Series:
    """Canonical country codes for ``values`` (:func:`polecon.countries.to_canonical`): the one
    country-mapping path of every source parser.

    Unknown identifiers raise a :class:`SourceError` naming the source, the column, every
    unmapped value with its count, and the rows that hold them (``rows``: the source row label
    of each value; default the index of ``values``); a mapping that fails otherwise (e.g. a
    year-dependent identifier without a year) raises one naming the source and the column.

    ``unique=True`` maps each distinct (value, year) once and broadcasts the codes (for long
    columns with few distinct identifiers); its errors list each row label holding an unknown
    identifier once, in the order of ``values``. ``unknown="na"`` gives ``<NA>`` for every row
    of an identifier that fails to map (in any one of its years: all its rows) instead of
    raising, for sources whose parser keeps or logs such names (V-Dem units outside the COW
    list, WTO signatory names).
    """
    from polecon.countries import UnmappedCountryError, to_canonical

    keys = pd.DataFrame({"v": values.to_numpy()}, index=values.index)
    if years is not None:
        keys["y"] = years.to_numpy()
    todo, todo_years, first = values, years, None
    if unique:
        first = ~keys.duplicated().to_numpy()
        todo, todo_years = values[first], None if years is None else years[first]
    try:
        mapped = to_canonical(todo, scheme, source=source, years=todo_years)
    except UnmappedCountryError as exc:
        labels = {re.sub(r" in \d{4}$", "", str(v)).strip().casefold() for v, _ in exc.unmapped}
        hit = values.astype(str).str.strip().str.casefold().isin(labels).to_numpy(dtype=bool)
        if unknown == "na":
            out = pd.Series(pd.NA, index=values.index, dtype="string", name=values.name)
            if not hit.all():
                rest = canonical_codes(
                    values[~hit],
                    scheme,
                    source=source,
                    column=column,
                    years=None if years is None else years[~hit],
                    unique=unique,
                )
                out[~hit] = rest.to_numpy()
            return out
        if unique:
            where = pd.unique((values.index if rows is None else rows)[hit]).tolist()
        else:
            where = values.index[hit] if rows is None else sorted(set(rows[hit].tolist()), key=str)
        raise SourceError(
            source,
            f"unknown country identifier(s) (scheme {scheme!r}): {exc.unmapped}",
            column=column,
            rows=where,
        ) from exc
    except ValueError as exc:  # e.g. a year-dependent identifier without a year
        raise SourceError(source, f"country mapping failed: {exc}", column=column) from exc
    if first is None:
        return mapped
    on = list(keys.columns)
    table = keys[first].assign(canon=mapped.to_numpy())
    out = keys.merge(table, on=on, how="left", validate="many_to_one")["canon"]
    return pd.Series(out.to_numpy(), index=values.index, dtype=mapped.dtype, name=mapped.name)


def codes_of(
    values: pd.Series, scheme: str, source: str, years: pd.Series | None = None
) -> pd.Series:
    """:func:`canonical_codes` with the column named by ``values.name``."""
    return canonical_codes(values, scheme, source=source, column=str(values.name), years=years)
