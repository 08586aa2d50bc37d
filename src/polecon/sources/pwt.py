"""Penn World Table 10.01 (Feenstra, Inklaar & Timmer 2015), CRAN ``pwt10`` package.

Reads the original ``macro/original/pwt10.01.rda`` (the top-level CSV is a conversion).
Balanced frame of 183 countries x 1950-2019; many early cells are missing (NaN).
"""

from __future__ import annotations

from polecon.sources._decl import RawIdentifier, SourceDecl
from polecon.sources._schema import Column, Schema

CITATION = (
    'Feenstra, Robert C., Robert Inklaar and Marcel P. Timmer (2015), "The Next Generation of '
    'the Penn World Table", American Economic Review 105(10): 3150-3182, www.ggdc.net/pwt '
    "(PWT 10.01 via the CRAN package pwt10 10.01-0, cran/pwt10@957b298)."
)

KEY = "macro/original/pwt10.01.rda"

SCHEMA = Schema(
    name="pwt1001",
    description="PWT 10.01: one row per (ISO3, year), 1950-2019.",
    key=("isocode", "year"),
    columns=(
        Column("isocode", "string", "ISO3 code", nullable=False, pattern=r"[A-Z]{3}"),
        Column("year", "int", "year", nullable=False, min=1950, max=2030),
        Column("rgdpe", "float", "expenditure-side real GDP at chained PPPs",
               unit="million 2017 US$", min=0.0),
        Column("rgdpo", "float", "output-side real GDP at chained PPPs",
               unit="million 2017 US$", min=0.0),
        Column("pop", "float", "population", unit="millions", min=0.0),
    ),
)  # fmt: skip


DECL = SourceDecl(
    (KEY,), SCHEMA, CITATION, identifiers=(RawIdentifier(KEY, "isocode", "pwt", text=True),)
)

#: parse ``pwt10.01.rda`` keeping isocode, year, rgdpe, rgdpo, pop (12,810 rows)
parse = DECL.parse


__all__ = ["CITATION", "DECL", "KEY", "SCHEMA", "parse"]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = DECL.identifiers
