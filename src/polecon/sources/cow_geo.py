"""Correlates of War geography, as packaged by peacesciencer: direct contiguity spells,
CShapes 2.0 minimum distances, and capitals (COW and Gleditsch-Ward systems).

All three are R ``.rda`` originals under ``geo/original/`` (the top-level CSV/parquet
files are conversions); codes are COW ``ccode`` (or ``gwcode``), not yet canonical.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._decl import RawIdentifier, SourceDecl, parse_source
from polecon.sources._readers import ReadOptions, read_raw
from polecon.sources._schema import Column, Schema, SourceError

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


def _check_spells(out: pd.DataFrame, src: str) -> pd.DataFrame:
    """No contiguity spell ends before it starts."""
    bad = out["enddate"] < out["stdate"]
    if bad.any():
        raise SourceError(
            src, "spell ends before it starts", column="enddate", rows=out.index[bad].tolist()
        )
    return out


#: both members of a COW dyad
def cow_dyad(key: str) -> tuple[RawIdentifier, ...]:
    """The COW code pair ``ccode1``, ``ccode2`` of a dyadic file."""
    return (RawIdentifier(key, "ccode1+ccode2", "cow"),)


CONTDIR_DECL = SourceDecl(
    (CONTDIR_KEY,),
    CONTDIR_SCHEMA,
    CITATION_CONTDIR,
    identifiers=cow_dyad(CONTDIR_KEY),
    finish=_check_spells,
)


#: parse ``cow_contdir.rda``: one row per directed contiguity spell (1,874 rows)
parse_contdir = CONTDIR_DECL.parse


#: the key columns of a non-directed COW dyad-year table
COW_DYAD_YEAR: tuple[Column, ...] = (
    Column("ccode1", "int", "COW code, the smaller of the pair", nullable=False, min=1, max=999),
    Column("ccode2", "int", "COW code, the larger of the pair", nullable=False, min=1, max=999),
    Column("year", "int", "year", nullable=False, min=1816, max=2030),
)

MINDIST_SCHEMA = Schema(
    name="cow_mindist",
    description="Minimum distance between COW states on 1 January (CShapes 2.0), non-directed.",
    key=("ccode1", "ccode2", "year"),
    columns=(
        *COW_DYAD_YEAR,
        Column("mindist", "float", "minimum distance between territories (0 = contiguous)",
               unit="km", nullable=False, min=0.0),
    ),
)  # fmt: skip


MINDIST_DECL = SourceDecl(
    (MINDIST_KEY,), MINDIST_SCHEMA, CITATION_MINDIST, identifiers=cow_dyad(MINDIST_KEY)
)


#: parse ``cow_mindist.rda``: non-directed dyad-years (952,244 rows), km
parse_mindist = MINDIST_DECL.parse


def _capitals_schema(code: str) -> Schema:
    """Capitals with the state code in raw column ``code`` (``ccode`` or ``gwcode``)."""
    return Schema(
        name="capitals",
        description="Capital-city spells with coordinates (peacesciencer, geocoded).",
        key=("code", "stdate"),
        columns=(
            Column("code", "int", "COW ccode or GW gwcode (see the system)", nullable=False,
                   min=1, max=999, raw=code),
            Column("statenme", "string", "state name"),
            Column("capital", "string", "capital city", nullable=False),
            Column("stdate", "date", "first day as capital", nullable=False),
            Column("enddate", "date", "last day as capital", nullable=False),
            Column("lat", "float", "latitude", unit="degrees", nullable=False, min=-90, max=90),
            Column("lng", "float", "longitude", unit="degrees", nullable=False, min=-180,
                   max=180),
        ),
    )  # fmt: skip


CAPITALS_SCHEMA = _capitals_schema("ccode")

#: capitals files by the raw name of their code column
CAPITALS_DECLS: dict[str, SourceDecl] = {
    code: SourceDecl(
        (key,),
        _capitals_schema(code),
        CITATION_PEACESCIENCER,
        identifiers=(RawIdentifier(key, code, s),),
    )
    for code, key, s in (("ccode", COW_CAPITALS_KEY, "cow"), ("gwcode", GW_CAPITALS_KEY, "gw"))
}


def parse_capitals(path: Path | str) -> pd.DataFrame:
    """Parse ``cow_capitals.rda`` or ``gw_capitals.rda`` (code column ``ccode``/``gwcode``)."""
    raw = read_raw(path, ReadOptions("rda"))
    code = "ccode" if "ccode" in raw.columns else "gwcode"
    return parse_source(CAPITALS_DECLS[code], path, raw)


__all__ = [
    "CAPITALS_DECLS",
    "CAPITALS_SCHEMA",
    "CITATION",
    "CONTDIR_DECL",
    "CONTDIR_SCHEMA",
    "MINDIST_DECL",
    "MINDIST_SCHEMA",
    "parse_capitals",
    "parse_contdir",
    "parse_mindist",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = tuple(
    ident
    for decl in (CONTDIR_DECL, MINDIST_DECL, *CAPITALS_DECLS.values())
    for ident in decl.identifiers
)
