"""Membership dates: GATT contracting parties (to 1994) and EU/EEC/EC member states, as
compiled by S. Miller in the stevedata R package.

Both are read from the R originals under ``macro/original/`` (the CSVs are conversions).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._schema import Column, Schema
from polecon.sources.cepii import (
    check_unique,
    code_column,
    date_column,
    read_rda,
    require_columns,
    source_name,
)

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

GATT_SCHEMA = Schema(
    name="gatt_members",
    description="GATT contracting parties by accession date (128 parties, 1948-1994).",
    key=("iso3c",),
    columns=(
        Column("country", "string", "name"),
        Column("iso3c", "string", "ISO3 (today's code; YUG for Yugoslavia)", nullable=False),
        Column("date", "date", "date of joining GATT", nullable=False, min=1947, max=1995),
    ),
)
EU_SCHEMA = Schema(
    name="eu_members",
    description="EEC/EC/EU member states by accession date (EU-28; no exit dates).",
    key=("iso2c",),
    columns=(
        Column("country", "string", "name"),
        Column("iso2c", "string", "ISO alpha-2", nullable=False),
        Column("date", "date", "accession date", nullable=False, min=1950, max=2030),
    ),
)


def _parse(path: Path | str, code: str, pattern: str, schema: Schema) -> pd.DataFrame:
    src = source_name(path)
    raw = read_rda(path)
    require_columns(raw, ["country", code, "date"], src)
    out = pd.DataFrame(
        {
            "country": code_column(raw, "country", src, nullable=True),
            code: code_column(raw, code, src, pattern=pattern),
            "date": date_column(
                raw.assign(date=raw["date"].astype("string")), "date", src, nullable=False
            ),
        }
    )
    check_unique(out, [code], src)
    return schema.validate(out, source=src)


def parse_gatt(path: Path | str) -> pd.DataFrame:
    """Parse ``gatt_members.rda``: one row per contracting party (128 rows)."""
    return _parse(path, "iso3c", r"[A-Z]{3}", GATT_SCHEMA)


def parse_eu(path: Path | str) -> pd.DataFrame:
    """Parse ``eustates.rda``: one row per member state (28 rows)."""
    return _parse(path, "iso2c", r"[A-Z]{2}", EU_SCHEMA)


__all__ = ["CITATION", "EU_SCHEMA", "GATT_SCHEMA", "parse_eu", "parse_gatt"]
