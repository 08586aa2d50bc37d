"""Maddison Project Database 2023 (Bolt & van Zanden 2024), via the MaddisonData R package.

Reads the original ``macro/original/MaddisonData.rda`` (the CSV is a conversion). Long
format with gaps; codes are ISO3 plus the historical aggregates SUN, YUG and CSK, which
MPD reports for every year (also after those states dissolved) on their old territory.
"""

from __future__ import annotations

from polecon.sources._decl import RawIdentifier, SourceDecl
from polecon.sources._schema import Column, Schema

CITATION = (
    'Bolt, Jutta and Jan Luiten van Zanden (2024), "Maddison style estimates of the evolution '
    'of the world economy: A new 2023 update", Journal of Economic Surveys, 1-41 (MPD 2023 via '
    "the MaddisonData R package, sbgraves237/MaddisonData@4d07a45)."
)

KEY = "macro/original/MaddisonData.rda"

SCHEMA = Schema(
    name="maddison_mpd2023",
    description="MPD 2023: one row per (ISO3 or SUN/YUG/CSK, year).",
    key=("iso", "year"),
    columns=(
        Column("iso", "string", "ISO3 code, or SUN/YUG/CSK", nullable=False, raw="ISO",
               pattern=r"[A-Z]{3}"),
        Column("year", "int", "year (CE)", nullable=False, min=1, max=2030),
        Column("gdppc", "float", "real GDP per capita", unit="2011 int. $ (PPP)", min=0.0),
        Column("pop", "float", "population (mid-year)", unit="thousands", min=0.0),
    ),
)  # fmt: skip


ISO = RawIdentifier(KEY, "ISO", "maddison", "ISO (by year)", years="year", text=True)
DECL = SourceDecl((KEY,), SCHEMA, CITATION, identifiers=(ISO,))

#: parse ``MaddisonData.rda`` (23,280 rows)
parse = DECL.parse


__all__ = ["CITATION", "DECL", "KEY", "SCHEMA", "parse"]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = DECL.identifiers
