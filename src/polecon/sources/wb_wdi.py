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

from polecon.sources._schema import Column, Schema
from polecon.sources.cepii import (
    check_unique,
    code_column,
    float_column,
    int_column,
    read_csv,
    require_columns,
    source_name,
)

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
            Column("wb_code", "string", "World Bank code (ISO3 for economies)", nullable=False),
            Column("wb_name", "string", "World Bank name"),
            Column("year", "int", "year", nullable=False, min=1900, max=2100),
            Column("value", "float", f"WDI {indicator}", unit=UNITS[indicator], nullable=False,
                   min=0.0),
        ),
    )  # fmt: skip


def parse(path: Path | str, indicator: Literal["gdp", "pop"] = "gdp") -> pd.DataFrame:
    """Parse a datahub WDI CSV (``Country Name, Country Code, Year, Value``).

    Values must be present and non-negative; (code, year) must be unique.
    """
    if indicator not in UNITS:
        raise ValueError(f"indicator must be one of {sorted(UNITS)}, got {indicator!r}")
    src = source_name(path)
    raw = read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    require_columns(raw, ["Country Name", "Country Code", "Year", "Value"], src)
    out = pd.DataFrame(
        {
            "wb_code": code_column(raw, "Country Code", src, pattern=r"[A-Z0-9]{3}"),
            "wb_name": code_column(raw, "Country Name", src, nullable=True),
            "year": int_column(raw, "Year", src, min=1900, max=2100).astype("int64"),
            "value": float_column(raw, "Value", src, min=0.0, nullable=False),
        }
    )
    check_unique(out, ["wb_code", "year"], src)
    return schema(indicator).validate(out, source=src)


__all__ = ["CITATION", "GDP_KEY", "POP_KEY", "parse", "schema"]
