"""COLDAT, the Colonial Dates Dataset (Becker 2019), long (dyad) form.

``geo/coldat_dyads.csv`` is the upstream CSV byte for byte, so it is read directly.
One row per (present-day country, European empire): 195 x 8 = 1,560 rows. Country
names are CLDR-style English names (no codes); empires are lower-case names mapped
here to ISO3 (:data:`EMPIRE_ISO3`).
"""

from __future__ import annotations

import pandas as pd

from polecon.sources._decl import RawIdentifier, SourceDecl
from polecon.sources._readers import ReadOptions
from polecon.sources._schema import Column, Schema, SourceError

CITATION = (
    "Becker, Bastian (2019). Introducing COLDAT: The Colonial Dates Dataset. SSRN Working "
    "Paper; data: Harvard Dataverse doi:10.7910/DVN/T9SDEW (via ramera03/colonizations@816cc99)."
)

DYADS_KEY = "geo/coldat_dyads.csv"

#: COLDAT's eight European empires -> ISO3 of the metropole
EMPIRE_ISO3: dict[str, str] = {
    "belgium": "BEL",
    "britain": "GBR",
    "france": "FRA",
    "germany": "DEU",
    "italy": "ITA",
    "netherlands": "NLD",
    "portugal": "PRT",
    "spain": "ESP",
}

SCHEMA = Schema(
    name="coldat_dyads",
    description="COLDAT long form: one row per (colony country name, empire).",
    key=("country", "colonizer"),
    columns=(
        Column("country", "string", "colony, present-day country name (COLDAT spelling)",
               nullable=False),
        Column("colonizer", "string", "empire (lower-case English name)", nullable=False,
               allowed=frozenset(EMPIRE_ISO3)),
        Column("col", "int", "1 if ever a colony of that empire", unit="0/1", nullable=False,
               allowed=frozenset({0, 1})),
        Column("colstart_max", "Int", "start year, max aggregation across sources", unit="year",
               min=1000, max=2030),
        Column("colend_max", "Int", "end year, max aggregation", unit="year", min=1000,
               max=2030),
        Column("colstart_mean", "float", "start year, mean across sources", unit="year",
               min=1000, max=2030),
        Column("colend_mean", "float", "end year, mean across sources", unit="year", min=1000,
               max=2030),
    ),
)  # fmt: skip


def _check_spells(out: pd.DataFrame, src: str) -> pd.DataFrame:
    """Empires lower-cased and known; a tie has a start year; no spell ends before it starts."""
    out = out.assign(colonizer=out["colonizer"].str.lower())
    unknown = ~out["colonizer"].isin(list(EMPIRE_ISO3))
    if unknown.any():
        raise SourceError(
            src,
            f"unknown empire(s) {sorted(set(out.loc[unknown, 'colonizer']))}",
            column="colonizer",
            rows=out.index[unknown].tolist(),
        )
    # a colonial tie must have a start year; a non-tie must not have dates
    nostart = (out["col"] == 1) & out["colstart_max"].isna()
    if nostart.any():
        raise SourceError(
            src, "colonial tie without a start year", column="colstart_max",
            rows=out.index[nostart].tolist(),
        )  # fmt: skip
    inverted = (out["colend_max"] < out["colstart_max"]).fillna(False)
    if inverted.any():
        raise SourceError(
            src, "colonial spell ends before it starts", column="colend_max",
            rows=out.index[inverted.to_numpy()].tolist(),
        )  # fmt: skip
    return out


#: text read as is; "NA" and empty cells are missing
READ = ReadOptions("csv", na_values=("NA", ""))
DECL = SourceDecl(
    (DYADS_KEY,),
    SCHEMA,
    CITATION,
    READ,
    tuple(RawIdentifier(DYADS_KEY, c, "coldat_name") for c in ("country", "colonizer")),
    finish=_check_spells,
)


#: parse ``COLDAT_dyads.csv`` (1,560 rows); years are calendar years (CE)
parse = DECL.parse


__all__ = ["CITATION", "DECL", "EMPIRE_ISO3", "SCHEMA", "parse"]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = DECL.identifiers
