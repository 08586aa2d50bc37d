"""Membership dates: GATT contracting parties (to 1994) and EU/EEC/EC member states, as
compiled by S. Miller in the stevedata R package.

Both are read from the R originals under ``macro/original/`` (the CSVs are conversions).
"""

from __future__ import annotations

from polecon.sources._decl import RawIdentifier, SourceDecl
from polecon.sources._schema import Column, Schema

CITATION_GATT = (
    "World Trade Organization, 'The 128 countries that had signed GATT by 1994'; Miller, S. V., "
    "stevedata R package 1.8.9 (gatt_members; svmiller/stevedata@a3cc3dd)."
)
CITATION_EU = (
    "European Union, member-state accession dates; Miller, S. V., stevedata R package 1.8.9 "
    "(eustates, 'current as of 2019'; svmiller/stevedata@a3cc3dd)."
)
CITATION = "; ".join([CITATION_GATT, CITATION_EU])

GATT_KEY = "macro/original/gatt_members.rda"
EU_KEY = "macro/original/eustates.rda"


def _decl(
    key: str, name: str, description: str, code: Column, date: Column, cite: str, scheme: str
) -> SourceDecl:
    """A stevedata membership list: one row per member (``country``, ``code``, ``date``)."""
    columns = (Column("country", "string", "name"), code, date)
    schema = Schema(name=name, description=description, key=(code.name,), columns=columns)
    ids = (RawIdentifier(key, code.raw_name, scheme), RawIdentifier(key, "country", "name"))
    return SourceDecl((key,), schema, cite, identifiers=ids)


GATT_DECL = _decl(
    GATT_KEY, "gatt_members",
    "GATT contracting parties by accession date (128 parties, 1948-1994).",
    Column("iso3c", "string", "ISO3 (today's code; YUG for Yugoslavia)", nullable=False,
           pattern=r"[A-Z]{3}"),
    Column("date", "date", "date of joining GATT", nullable=False, min=1947, max=1995),
    CITATION_GATT, "iso3",
)  # fmt: skip
EU_DECL = _decl(
    EU_KEY, "eu_members",
    "EEC/EC/EU member states by accession date (EU-28; no exit dates).",
    Column("iso2c", "string", "ISO alpha-2", nullable=False, pattern=r"[A-Z]{2}"),
    Column("date", "date", "accession date", nullable=False, min=1950, max=2030),
    CITATION_EU, "iso2",
)  # fmt: skip
GATT_SCHEMA = GATT_DECL.schema
EU_SCHEMA = EU_DECL.schema

#: parse ``gatt_members.rda``: one row per contracting party (128 rows)
parse_gatt = GATT_DECL.parse
#: parse ``eustates.rda``: one row per member state (28 rows)
parse_eu = EU_DECL.parse


__all__ = [
    "CITATION",
    "EU_DECL",
    "EU_SCHEMA",
    "GATT_DECL",
    "GATT_SCHEMA",
    "parse_eu",
    "parse_gatt",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (*GATT_DECL.identifiers, *EU_DECL.identifiers)
