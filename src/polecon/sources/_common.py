"""Helpers shared by the source parsers."""

from __future__ import annotations

import re

import pandas as pd

from polecon.sources._schema import SourceError


def canonical_codes(
    values: pd.Series, scheme: str, *, source: str, column: str, years: pd.Series | None = None
) -> pd.Series:
    """Canonical country codes for ``values`` (:func:`polecon.countries.to_canonical`).

    Unknown identifiers raise a :class:`SourceError` naming the source, the column, every
    unmapped value with its count, and the rows that hold them.
    """
    from polecon.countries import UnmappedCountryError, to_canonical

    try:
        return to_canonical(values, scheme, source=source, years=years)
    except UnmappedCountryError as exc:
        labels = {re.sub(r" in \d{4}$", "", str(v)).strip().casefold() for v, _ in exc.unmapped}
        rows = values.index[values.astype(str).str.strip().str.casefold().isin(labels)]
        raise SourceError(
            source,
            f"unknown country identifier(s) (scheme {scheme!r}): {exc.unmapped}",
            column=column,
            rows=rows,
        ) from exc
