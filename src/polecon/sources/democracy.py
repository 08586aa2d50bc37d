"""Democracy measures per country-year: V-Dem electoral democracy (``v2x_polyarchy``),
Polity5 ``polity2`` and the Boix-Miller-Rosato dichotomous measure, as packaged by
democracyData (X. Marquez).

All three are read from the R originals under ``macro/original/`` (the CSVs are
conversions). Each parser keeps the source's own country id, its COW code (``cown``,
added by democracyData; missing for units outside the COW list) and the year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._schema import Column, Schema
from polecon.sources.cepii import (
    check_unique,
    code_column,
    float_column,
    int_column,
    read_rda,
    require_columns,
    source_name,
)

CITATION_VDEM = (
    "Coppedge, Michael, et al. V-Dem Country-Year Dataset (v14/v15), Varieties of Democracy "
    "Project, doi:10.23696/vdemds25; Pemstein et al. (2024) The V-Dem Measurement Model "
    "(vdem_simple via democracyData, xmarquez/democracyData@29ea0a2)."
)
CITATION_POLITY = (
    "Marshall, Monty G., and Ted Robert Gurr (2020). Polity5: Political Regime Characteristics "
    "and Transitions, 1800-2018. Center for Systemic Peace (via democracyData)."
)
CITATION_BMR = (
    "Boix, C., Miller, M., & Rosato, S. (2013). A Complete Data Set of Political Regimes, "
    "1800-2007. Comparative Political Studies 46(12): 1523-1554; v4.0 update (via democracyData)."
)
CITATION = "; ".join([CITATION_VDEM, CITATION_POLITY, CITATION_BMR])

VDEM_KEY = "macro/original/vdem_simple.rda"
POLITY_KEY = "macro/original/polity5.rda"
BMR_KEY = "macro/original/bmr.rda"


def _schema(name: str, id_col: str, id_text: str, value: Column, desc: str) -> Schema:
    return Schema(
        name=name,
        description=desc,
        key=(id_col, "year"),
        columns=(
            Column(id_col, "string", id_text, nullable=False),
            Column("name", "string", "source country name"),
            Column("cown", "Int", "COW code added by democracyData (<NA> outside the COW list)"),
            Column("year", "int", "year", nullable=False, min=1700, max=2100),
            value,
        ),
    )


VDEM_SCHEMA = _schema(
    "vdem_simple",
    "country_text_id",
    "V-Dem country_text_id (ISO3-like)",
    Column("v2x_polyarchy", "float", "V-Dem electoral democracy index", unit="0-1",
           min=0.0, max=1.0),
    "V-Dem high-level indices: one row per (V-Dem unit, year).",
)  # fmt: skip
POLITY_SCHEMA = _schema(
    "polity5",
    "polity_ccode",
    "Polity5 numeric country code (polity_annual_ccode), as text",
    Column("polity2", "float", "Polity5 polity2 (special codes interpolated)",
           unit="-10..10", min=-10.0, max=10.0),
    "Polity5 annual series: one row per (Polity unit, year).",
)  # fmt: skip
BMR_SCHEMA = _schema(
    "bmr",
    "bmr_ccode",
    "BMR numeric country code (COW-like), as text",
    Column("democracy", "Int", "BMR democracy dummy (<NA> when not sovereign)",
           unit="0/1", allowed=frozenset({0, 1})),
    "Boix-Miller-Rosato v4.0: one row per (BMR unit, year).",
)  # fmt: skip


def _common(raw: pd.DataFrame, src: str, id_col: str, name_col: str) -> pd.DataFrame:
    ids = raw[id_col]
    if pd.api.types.is_numeric_dtype(ids.dtype):
        num = int_column(raw, id_col, src, min=0)
        ids = num.astype("string")
    return pd.DataFrame(
        {
            "id": code_column(pd.DataFrame({id_col: ids}), id_col, src),
            "name": code_column(raw, name_col, src, nullable=True),
            "cown": int_column(raw, "cown", src, min=1, max=999, nullable=True),
            "year": int_column(raw, "year", src, min=1700, max=2100).astype("int64"),
        }
    )


def parse_vdem(path: Path | str) -> pd.DataFrame:
    """Parse ``vdem_simple.rda`` keeping v2x_polyarchy (27,913 rows, 1789-2024)."""
    src = source_name(path)
    raw = read_rda(path)
    require_columns(
        raw, ["country_text_id", "vdem_country_name", "cown", "year", "v2x_polyarchy"], src
    )
    out = _common(raw, src, "country_text_id", "vdem_country_name").rename(
        columns={"id": "country_text_id"}
    )
    out["v2x_polyarchy"] = float_column(raw, "v2x_polyarchy", src, min=0.0, max=1.0)
    check_unique(out, ["country_text_id", "year"], src)
    return VDEM_SCHEMA.validate(out, source=src)


def parse_polity5(path: Path | str) -> pd.DataFrame:
    """Parse ``polity5.rda`` keeping polity2 (17,574 rows, 1776-2020)."""
    src = source_name(path)
    raw = read_rda(path)
    cols = ["polity_annual_ccode", "polity_annual_country", "cown", "year", "polity2"]
    require_columns(raw, cols, src)
    out = _common(raw, src, "polity_annual_ccode", "polity_annual_country").rename(
        columns={"id": "polity_ccode"}
    )
    out["polity2"] = float_column(raw, "polity2", src, min=-10.0, max=10.0)
    check_unique(out, ["polity_ccode", "year"], src)
    return POLITY_SCHEMA.validate(out, source=src)


def parse_bmr(path: Path | str) -> pd.DataFrame:
    """Parse ``bmr.rda`` keeping the democracy dummy (19,775 rows, 1800-2020)."""
    src = source_name(path)
    raw = read_rda(path)
    require_columns(raw, ["bmr_ccode", "bmr_country", "cown", "year", "democracy"], src)
    out = _common(raw, src, "bmr_ccode", "bmr_country").rename(columns={"id": "bmr_ccode"})
    out["democracy"] = int_column(raw, "democracy", src, allowed=(0, 1), nullable=True)
    check_unique(out, ["bmr_ccode", "year"], src)
    return BMR_SCHEMA.validate(out, source=src)


__all__ = [
    "BMR_SCHEMA",
    "CITATION",
    "POLITY_SCHEMA",
    "VDEM_SCHEMA",
    "parse_bmr",
    "parse_polity5",
    "parse_vdem",
]
