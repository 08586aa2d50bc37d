"""Correlates of War geography, as packaged by peacesciencer: direct contiguity spells,
CShapes 2.0 minimum distances, and capitals (COW and Gleditsch-Ward systems).

All three are R ``.rda`` originals under ``geo/original/`` (the top-level CSV/parquet
files are conversions); codes are COW ``ccode`` (or ``gwcode``), not yet canonical.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._schema import Column, Schema
from polecon.sources.cepii import (
    check_unique,
    date_column,
    float_column,
    int_column,
    read_rda,
    require_columns,
    source_name,
)

CITATION_CONTDIR = (
    "Stinnett, D. M., Tir, J., Schafer, P., Diehl, P. F., & Gochman, C. (2002). The Correlates "
    "of War Project Direct Contiguity Data, Version 3. Conflict Management and Peace Science "
    "19(2): 58-66 (v3.2 via peacesciencer cow_contdir)."
)
CITATION_MINDIST = (
    "Schvitz, G. et al. (2022). Mapping the International System, 1886-2019: The CShapes 2.0 "
    "Dataset. Journal of Conflict Resolution 66(1): 144-161 (minimum distances computed by "
    "peacesciencer, cow_mindist)."
)
CITATION_PEACESCIENCER = (
    "Miller, Steven V. (2022). peacesciencer: An R Package for Quantitative Peace Science "
    "Research. Conflict Management and Peace Science 39(6): 755-779."
)
CITATION = "; ".join([CITATION_CONTDIR, CITATION_MINDIST, CITATION_PEACESCIENCER])

CONTDIR_KEY = "geo/original/cow_contdir.rda"
MINDIST_KEY = "geo/original/cow_mindist.rda"
COW_CAPITALS_KEY = "geo/original/cow_capitals.rda"
GW_CAPITALS_KEY = "geo/original/gw_capitals.rda"

CONTTYPE_TEXT = (
    "COW contiguity type: 0 not contiguous (peacesciencer gap rows), 1 land border, "
    "2 water <= 12 mi, 3 <= 24 mi, 4 <= 150 mi, 5 <= 400 mi"
)

CONTDIR_SCHEMA = Schema(
    name="cow_contdir",
    description="COW direct contiguity spells, directed (both orders present).",
    key=("ccode1", "ccode2", "stdate"),
    columns=(
        Column("ccode1", "int", "COW state code", nullable=False, min=1, max=999),
        Column("ccode2", "int", "COW state code", nullable=False, min=1, max=999),
        Column("conttype", "int", CONTTYPE_TEXT, nullable=False, allowed=frozenset(range(6))),
        Column("stdate", "date", "spell start (COW YYYYMM; day meaningless)", nullable=False),
        Column("enddate", "date", "spell end (COW YYYYMM; day meaningless)", nullable=False),
    ),
)


def parse_contdir(path: Path | str) -> pd.DataFrame:
    """Parse ``cow_contdir.rda``: one row per directed contiguity spell (1,874 rows)."""
    src = source_name(path)
    raw = read_rda(path)
    require_columns(raw, ["ccode1", "ccode2", "conttype", "stdate", "enddate"], src)
    out = pd.DataFrame(
        {
            "ccode1": int_column(raw, "ccode1", src, min=1, max=999).astype("int64"),
            "ccode2": int_column(raw, "ccode2", src, min=1, max=999).astype("int64"),
            "conttype": int_column(raw, "conttype", src, allowed=range(6)).astype("int64"),
            "stdate": date_column(raw, "stdate", src, nullable=False),
            "enddate": date_column(raw, "enddate", src, nullable=False),
        }
    )
    bad = out["enddate"] < out["stdate"]
    if bad.any():
        from polecon.sources._schema import SourceError

        raise SourceError(
            src, "spell ends before it starts", column="enddate", rows=out.index[bad].tolist()
        )
    check_unique(out, ["ccode1", "ccode2", "stdate"], src)
    return CONTDIR_SCHEMA.validate(out, source=src)


MINDIST_SCHEMA = Schema(
    name="cow_mindist",
    description="Minimum distance between COW states on 1 January (CShapes 2.0), non-directed.",
    key=("ccode1", "ccode2", "year"),
    columns=(
        Column("ccode1", "int", "COW code, the smaller of the pair", nullable=False),
        Column("ccode2", "int", "COW code, the larger of the pair", nullable=False),
        Column("year", "int", "year", nullable=False, min=1816, max=2030),
        Column("mindist", "float", "minimum distance between territories (0 = contiguous)",
               unit="km", nullable=False, min=0.0),
    ),
)  # fmt: skip


def parse_mindist(path: Path | str) -> pd.DataFrame:
    """Parse ``cow_mindist.rda``: non-directed dyad-years (952,244 rows), km."""
    src = source_name(path)
    raw = read_rda(path)
    require_columns(raw, ["ccode1", "ccode2", "year", "mindist"], src)
    out = pd.DataFrame(
        {
            "ccode1": int_column(raw, "ccode1", src, min=1, max=999).astype("int64"),
            "ccode2": int_column(raw, "ccode2", src, min=1, max=999).astype("int64"),
            "year": int_column(raw, "year", src, min=1816, max=2030).astype("int64"),
            "mindist": float_column(raw, "mindist", src, min=0.0, nullable=False),
        }
    )
    check_unique(out, ["ccode1", "ccode2", "year"], src)
    return MINDIST_SCHEMA.validate(out, source=src)


CAPITALS_SCHEMA = Schema(
    name="capitals",
    description="Capital-city spells with coordinates (peacesciencer, geocoded).",
    key=("code", "stdate"),
    columns=(
        Column("code", "int", "COW ccode or GW gwcode (see the system)", nullable=False),
        Column("statenme", "string", "state name"),
        Column("capital", "string", "capital city", nullable=False),
        Column("stdate", "date", "first day as capital", nullable=False),
        Column("enddate", "date", "last day as capital", nullable=False),
        Column("lat", "float", "latitude", unit="degrees", nullable=False, min=-90, max=90),
        Column("lng", "float", "longitude", unit="degrees", nullable=False, min=-180, max=180),
    ),
)


def parse_capitals(path: Path | str) -> pd.DataFrame:
    """Parse ``cow_capitals.rda`` or ``gw_capitals.rda`` (code column ``ccode``/``gwcode``)."""
    from polecon.sources.cepii import code_column

    src = source_name(path)
    raw = read_rda(path)
    code = "ccode" if "ccode" in raw.columns else "gwcode"
    require_columns(raw, [code, "statenme", "capital", "stdate", "enddate", "lat", "lng"], src)
    out = pd.DataFrame(
        {
            "code": int_column(raw, code, src, min=1, max=999).astype("int64"),
            "statenme": code_column(raw, "statenme", src, nullable=True),
            "capital": code_column(raw, "capital", src),
            "stdate": date_column(raw, "stdate", src, nullable=False),
            "enddate": date_column(raw, "enddate", src, nullable=False),
            "lat": float_column(raw, "lat", src, min=-90, max=90, nullable=False),
            "lng": float_column(raw, "lng", src, min=-180, max=180, nullable=False),
        }
    )
    check_unique(out, ["code", "stdate"], src)
    return CAPITALS_SCHEMA.validate(out, source=src)


__all__ = [
    "CAPITALS_SCHEMA",
    "CITATION",
    "CONTDIR_SCHEMA",
    "MINDIST_SCHEMA",
    "parse_capitals",
    "parse_contdir",
    "parse_mindist",
]
