"""COLDAT, the Colonial Dates Dataset (Becker 2019), long (dyad) form.

``geo/coldat_dyads.csv`` is the upstream CSV byte for byte, so it is read directly.
One row per (present-day country, European empire): 195 x 8 = 1,560 rows. Country
names are CLDR-style English names (no codes); empires are lower-case names mapped
here to ISO3 (:data:`EMPIRE_ISO3`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._schema import Column, Schema, SourceError
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
        Column("colstart_max", "Int", "start year, max aggregation across sources", unit="year"),
        Column("colend_max", "Int", "end year, max aggregation", unit="year"),
        Column("colstart_mean", "float", "start year, mean across sources", unit="year"),
        Column("colend_mean", "float", "end year, mean across sources", unit="year"),
    ),
)  # fmt: skip


def parse(path: Path | str) -> pd.DataFrame:
    """Parse ``COLDAT_dyads.csv`` (1,560 rows). Years are calendar years (CE)."""
    src = source_name(path)
    raw = read_csv(path, dtype=str, keep_default_na=False, na_values=["NA", ""])
    cols = ["country", "colonizer", "col", "colstart_max", "colend_max", "colstart_mean",
            "colend_mean"]  # fmt: skip
    require_columns(raw, cols, src)
    out = pd.DataFrame(
        {
            "country": code_column(raw, "country", src),
            "colonizer": code_column(raw, "colonizer", src).str.lower(),
            "col": int_column(raw, "col", src, allowed=(0, 1)).astype("int64"),
            "colstart_max": int_column(raw, "colstart_max", src, min=1000, max=2030, nullable=True),
            "colend_max": int_column(raw, "colend_max", src, min=1000, max=2030, nullable=True),
            "colstart_mean": float_column(raw, "colstart_mean", src, min=1000, max=2030),
            "colend_mean": float_column(raw, "colend_mean", src, min=1000, max=2030),
        }
    )
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
    check_unique(out, ["country", "colonizer"], src)
    return SCHEMA.validate(out, source=src)


__all__ = ["CITATION", "EMPIRE_ISO3", "SCHEMA", "parse"]
