"""Democracy measures per country-year: V-Dem electoral democracy (``v2x_polyarchy``),
Polity5 ``polity2`` and the Boix-Miller-Rosato dichotomous measure, as packaged by
democracyData (X. Marquez).

All three are read from the R originals under ``macro/original/`` (the CSVs are
conversions). Each parser keeps the source's own country id, its COW code (``cown``,
added by democracyData; missing for units outside the COW list) and the year.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from polecon.sources._decl import RawIdentifier, SourceDecl
from polecon.sources._schema import Column, Schema
from polecon.sources.cepii import int_column

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


def _schema(
    name: str, id_col: str, id_raw: str, name_raw: str, id_text: str, value: Column, desc: str
) -> Schema:
    return Schema(
        name=name,
        description=desc,
        key=(id_col, "year"),
        columns=(
            Column(id_col, "string", id_text, nullable=False, raw=id_raw),
            Column("name", "string", "source country name", raw=name_raw),
            Column("cown", "Int", "COW code added by democracyData (<NA> outside the COW list)",
                   min=1, max=999),
            Column("year", "int", "year", nullable=False, min=1700, max=2100),
            value,
        ),
    )  # fmt: skip


VDEM_SCHEMA = _schema(
    "vdem_simple",
    "country_text_id",
    "country_text_id",
    "vdem_country_name",
    "V-Dem country_text_id (ISO3-like)",
    Column("v2x_polyarchy", "float", "V-Dem electoral democracy index", unit="0-1",
           min=0.0, max=1.0),
    "V-Dem high-level indices: one row per (V-Dem unit, year).",
)  # fmt: skip
POLITY_SCHEMA = _schema(
    "polity5",
    "polity_ccode",
    "polity_annual_ccode",
    "polity_annual_country",
    "Polity5 numeric country code (polity_annual_ccode), as text",
    Column("polity2", "float", "Polity5 polity2 (special codes interpolated)",
           unit="-10..10", min=-10.0, max=10.0),
    "Polity5 annual series: one row per (Polity unit, year).",
)  # fmt: skip
BMR_SCHEMA = _schema(
    "bmr",
    "bmr_ccode",
    "bmr_ccode",
    "bmr_country",
    "BMR numeric country code (COW-like), as text",
    Column("democracy", "Int", "BMR democracy dummy (<NA> when not sovereign)",
           unit="0/1", allowed=frozenset({0, 1})),
    "Boix-Miller-Rosato v4.0: one row per (BMR unit, year).",
)  # fmt: skip


def _ids_as_text(schema: Schema) -> Callable[[pd.DataFrame, str], pd.DataFrame]:
    """Numeric unit ids (Polity, BMR) are kept as text: checked as integers >= 0 first."""
    id_raw = schema.columns[0].raw_name

    def prepare(raw: pd.DataFrame, src: str) -> pd.DataFrame:
        if not pd.api.types.is_numeric_dtype(raw[id_raw].dtype):
            return raw
        return raw.assign(**{id_raw: int_column(raw, id_raw, src, min=0).astype("string")})

    return prepare


def _decl(key: str, schema: Schema, citation: str, ids: str) -> SourceDecl:
    """``ids``: the file's identifier columns as ``column:scheme`` words (all by year)."""
    idents = tuple(
        RawIdentifier(
            key, col, scheme, f"{col} (by year)" if "vdem" in scheme else "", years="year"
        )
        for col, scheme in (word.split(":") for word in ids.split())
    )
    return SourceDecl((key,), schema, citation, identifiers=idents, prepare=_ids_as_text(schema))


VDEM_DECL = _decl(
    VDEM_KEY,
    VDEM_SCHEMA,
    CITATION_VDEM,
    "country_text_id:vdem_text country_id:vdem_id cown:cow GWn:gw",
)
POLITY_DECL = _decl(
    POLITY_KEY,
    POLITY_SCHEMA,
    CITATION_POLITY,
    "cown:cow GWn:gw polity_annual_ccode:polity scode:polity_scode",
)
BMR_DECL = _decl(
    BMR_KEY, BMR_SCHEMA, CITATION_BMR, "cown:cow GWn:gw bmr_country:name abbreviation:bmr_abbr"
)


#: parse ``vdem_simple.rda`` keeping v2x_polyarchy (27,913 rows, 1789-2024)
parse_vdem = VDEM_DECL.parse
#: parse ``polity5.rda`` keeping polity2 (17,574 rows, 1776-2020)
parse_polity5 = POLITY_DECL.parse
#: parse ``bmr.rda`` keeping the democracy dummy (19,775 rows, 1800-2020)
parse_bmr = BMR_DECL.parse


__all__ = [
    "BMR_DECL",
    "BMR_SCHEMA",
    "CITATION",
    "POLITY_DECL",
    "POLITY_SCHEMA",
    "VDEM_DECL",
    "VDEM_SCHEMA",
    "parse_bmr",
    "parse_polity5",
    "parse_vdem",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (*BMR_DECL.identifiers, *POLITY_DECL.identifiers, *VDEM_DECL.identifiers)
