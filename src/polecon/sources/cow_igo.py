"""COW Intergovernmental Organizations v3.0: shared memberships per dyad-year
(peacesciencer ``cow_igo_ndy``) and state-year membership status in selected IGOs
(igoR ``state_year_format3``).

Both are R ``.rda`` originals (the top-level parquet/CSV are conversions). Codes are
COW ``ccode``; coverage 1816-2014.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from polecon.sources import cow_geo
from polecon.sources._decl import RawIdentifier, SourceDecl, parse_source
from polecon.sources._schema import Column, Schema

CITATION = (
    "Pevehouse, J. C. W., Nordstrom, T., McManus, R. W., & Jamison, A. S. (2020). Tracking "
    "organizations in the world: The Correlates of War IGO Version 3.0 datasets. Journal of "
    "Peace Research 57(3): 492-503 (dyad-year summary via peacesciencer cow_igo_ndy; state-year "
    "format via igoR state_year_format3)."
)

NDY_KEY = "geo/original/cow_igo_ndy.rda"
STATE_YEAR_KEY = "macro/original/cow_igo_state_year_format3.rda"

#: IGO columns read from the state-year file by default
SELECTED_IGOS: tuple[str, ...] = ("gatt", "wto", "oecd", "eec", "eu", "efta")

#: COW IGO membership status codes
STATUS_CODES = frozenset({1, 2, 3, 0, -1, -9})

NDY_SCHEMA = Schema(
    name="cow_igo_ndy",
    description="Number of IGOs in which both states are full members, non-directed dyad-years.",
    key=("ccode1", "ccode2", "year"),
    columns=(
        *cow_geo.COW_DYAD_YEAR,
        Column("dyadigos", "int", "IGOs with both states full members", unit="count",
               nullable=False, min=0),
    ),
)  # fmt: skip


NDY_DECL = SourceDecl((NDY_KEY,), NDY_SCHEMA, CITATION, identifiers=cow_geo.cow_dyad(NDY_KEY))


#: parse ``cow_igo_ndy.rda`` (917,695 non-directed dyad-years, 1816-2014)
parse_ndy = NDY_DECL.parse


def state_year_schema(igos: Sequence[str] = SELECTED_IGOS) -> Schema:
    """Schema of :func:`parse_state_year` for the IGO columns ``igos``."""
    status = (
        "COW IGO status: 1 full member, 2 associate, 3 observer, 0 not a member, "
        "-1 state not in system or IGO not in existence, -9 missing"
    )
    return Schema(
        name="cow_igo_state_year",
        description="COW IGO v3 state-year membership status in selected IGOs.",
        key=("ccode", "year"),
        columns=(
            Column("ccode", "int", "COW code", nullable=False, min=1, max=999),
            Column("year", "int", "year", nullable=False, min=1816, max=2030),
            Column("state", "string", "COW IGO short state name"),
            *(
                Column(g, "int", f"{g}: {status}", nullable=False, allowed=STATUS_CODES)
                for g in igos
            ),
        ),
    )


def state_year_decl(igos: Sequence[str] = SELECTED_IGOS) -> SourceDecl:
    """Declaration of igoR's ``state_year_format3.rda`` keeping the IGO columns ``igos``."""
    ids = (RawIdentifier(STATE_YEAR_KEY, "ccode", "cow", years="year"),)
    return SourceDecl((STATE_YEAR_KEY,), state_year_schema(igos), CITATION, identifiers=ids)


def parse_state_year(path: Path | str, igos: Sequence[str] = SELECTED_IGOS) -> pd.DataFrame:
    """Parse igoR's ``state_year_format3.rda`` (15,557 state-years), keeping ``igos``."""
    return parse_source(state_year_decl(igos), path)


__all__ = [
    "CITATION",
    "NDY_DECL",
    "NDY_SCHEMA",
    "SELECTED_IGOS",
    "parse_ndy",
    "parse_state_year",
    "state_year_decl",
    "state_year_schema",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (*NDY_DECL.identifiers, *state_year_decl().identifiers)
