"""World Bank WDI country-year series: GDP (current US$, NY.GDP.MKTP.CD) and total
population (SP.POP.TOTL), as normalised by the datahub ``datasets/gdp`` and
``datasets/population`` packages.

Both CSVs are the upstream files byte for byte, so they are read directly. Long
format: one row per (World Bank code, year) with data; aggregates (WLD, EUU, HIC, ...)
are kept here and dropped by the canonical builder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from polecon.sources._decl import RawIdentifier, SourceDecl, parse_source
from polecon.sources._readers import ReadOptions
from polecon.sources._schema import Column, Schema

CITATION = (
    "World Bank, World Development Indicators: NY.GDP.MKTP.CD (GDP, current US$) and "
    "SP.POP.TOTL (population, total), via datahub.io core/gdp (datasets/gdp@822019c) and "
    "core/population (datasets/population@425fc44)."
)

GDP_KEY = "macro/wb_gdp_current_usd.csv"
POP_KEY = "macro/wb_population.csv"

UNITS = {"gdp": "current US$", "pop": "persons (mid-year)"}


def schema(indicator: Literal["gdp", "pop"]) -> Schema:
    """Schema of :func:`parse` for ``indicator``."""
    return Schema(
        name=f"wb_{indicator}",
        description=f"World Bank WDI {indicator}, long format (economies and aggregates).",
        key=("wb_code", "year"),
        columns=(
            Column("wb_code", "string", "World Bank code (ISO3 for economies)", nullable=False,
                   raw="Country Code", pattern=r"[A-Z0-9]{3}"),
            Column("wb_name", "string", "World Bank name", raw="Country Name"),
            Column("year", "int", "year", nullable=False, min=1900, max=2100, raw="Year"),
            Column("value", "float", f"WDI {indicator}", unit=UNITS[indicator], nullable=False,
                   min=0.0, raw="Value"),
        ),
    )  # fmt: skip


def decl(indicator: Literal["gdp", "pop"]) -> SourceDecl:
    """Declaration of the datahub CSV of ``indicator`` (``Country Name, Country Code, Year,
    Value``; text read as is, only empty cells missing)."""
    key = GDP_KEY if indicator == "gdp" else POP_KEY
    ids = (RawIdentifier(key, "Country Code", "wb"),)
    return SourceDecl((key,), schema(indicator), CITATION, ReadOptions("csv", na_values=("",)), ids)


def parse(path: Path | str, indicator: Literal["gdp", "pop"] = "gdp") -> pd.DataFrame:
    """Parse a datahub WDI CSV (``Country Name, Country Code, Year, Value``).

    Values must be present and non-negative; (code, year) must be unique.
    """
    if indicator not in UNITS:
        raise ValueError(f"indicator must be one of {sorted(UNITS)}, got {indicator!r}")
    return parse_source(decl(indicator), path)


__all__ = ["CITATION", "GDP_KEY", "POP_KEY", "decl", "parse", "schema"]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (*decl("gdp").identifiers, *decl("pop").identifiers)
