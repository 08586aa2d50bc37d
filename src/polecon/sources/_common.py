"""Helpers shared by the source parsers."""

from __future__ import annotations

import re

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
) -> pd.Series:
    """Canonical country codes for ``values`` (:func:`polecon.countries.to_canonical`): the one
    country-mapping path of every source parser.

    Unknown identifiers raise a :class:`SourceError` naming the source, the column, every
    unmapped value with its count, and the rows that hold them (``rows``: the source row label
    of each value; default the index of ``values``).
    """
    from polecon.countries import UnmappedCountryError, to_canonical

    try:
        return to_canonical(values, scheme, source=source, years=years)
    except UnmappedCountryError as exc:
        labels = {re.sub(r" in \d{4}$", "", str(v)).strip().casefold() for v, _ in exc.unmapped}
        hit = values.astype(str).str.strip().str.casefold().isin(labels).to_numpy(dtype=bool)
        where = values.index[hit] if rows is None else sorted(set(rows[hit].tolist()), key=str)
        raise SourceError(
            source,
            f"unknown country identifier(s) (scheme {scheme!r}): {exc.unmapped}",
            column=column,
            rows=where,
        ) from exc


def codes_of(
    values: pd.Series, scheme: str, source: str, years: pd.Series | None = None
) -> pd.Series:
    """:func:`canonical_codes` with the column named by ``values.name``."""
    return canonical_codes(values, scheme, source=source, column=str(values.name), years=years)
