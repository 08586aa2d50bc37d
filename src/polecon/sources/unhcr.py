"""Canonical table ``refugees``: UNHCR forced displacement, apart from labour migration.

Raw files (R package ``refugees`` 2025.12.1, UNHCR Refugee Population Statistics Database):

- ``migration/unhcr_population_1951_2025.rda`` (object ``population``): end-year **stocks** by
  country of origin x country of asylum -> rows with ``measure == "stock"``.
- ``migration/unhcr_flows_1962_2025.rda`` (object ``flows``): **flows** during the year (new
  arrivals; new asylum applications) -> rows with ``measure == "flow"``.

Schema (wide, one row per origin x destination x year x measure): the UNHCR count columns are kept
under their UNHCR names, in persons. A column a file does not have is NaN for its rows
(e.g. ``idps`` for flows, ``refugee_like`` for stocks); NaN in the source (``oip`` before 2018,
unreported flows) stays NaN. Only dyads with some non-zero figure are listed upstream, so an
absent dyad means zero or not reported.

Country identifiers: the ISO columns ``coo_iso`` / ``coa_iso`` (scheme ``unhcr``), never the
UNHCR codes ``coo``/``coa`` (Egypt is ``ARE`` there). Documented exceptions, kept (not dropped)
with a ``<NA>`` code and a group flag so that destination totals stay complete:
origin ``UNK`` (population) / ``UKN`` (flows) (unknown / various) -> ``origin_group ==
"unknown"``, ``XXA`` / ``STA`` (stateless) -> ``"stateless"``, ``TIB`` (Tibetan) ->
``"tibetan"``; destination ``UNK`` / ``UKN`` -> ``destination_group == "unknown"``. Rows with origin == destination are internal displacement
(IDPs, returned IDPs, host community, others of concern, and some refugees/asylum seekers as the
source reports them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import read_r_objects, source_name
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources._tables import read_table
from polecon.sources.wb_migration import (
    checked_frame,
    coerce_codes,
    coerce_counts,
    coerce_year,
    map_countries,
)

CITATION = (
    "UNHCR, Refugee Population Statistics Database (https://www.unhcr.org/refugee-statistics/), "
    "via R package refugees 2025.12.1 (PopulationStatistics/refugees, data/population.rda and "
    "data/flows.rda, commit 8239ce0). CC BY 4.0."
)

POPULATION_KEY = "migration/unhcr_population_1951_2025.rda"
FLOWS_KEY = "migration/unhcr_flows_1962_2025.rda"

#: count columns per R object (persons)
STOCK_COLUMNS: tuple[str, ...] = (
    "refugees",
    "asylum_seekers",
    "returned_refugees",
    "idps",
    "returned_idps",
    "stateless",
    "ooc",
    "oip",
    "hst",
)
FLOW_COLUMNS: tuple[str, ...] = ("refugees", "asylum_seekers", "refugee_like", "oip")
COUNT_COLUMNS: tuple[str, ...] = (*STOCK_COLUMNS, "refugee_like")

#: UNHCR ISO-column pseudo-codes that are not countries -> group flag (documented exceptions)
#: (population.rda uses UNK/XXA, flows.rda uses UKN/STA for the same groups; reviewed table
#: ``datasets/sources/unhcr_pseudo_codes.csv``)
_PSEUDO = read_table("unhcr_pseudo_codes.csv", ("side", "code", "group", "reason"))
ORIGIN_GROUPS: dict[str, str] = {
    c: g for s, c, g in _PSEUDO[["side", "code", "group"]].itertuples(index=False) if s == "origin"
}
DESTINATION_GROUPS: dict[str, str] = {
    c: g
    for s, c, g in _PSEUDO[["side", "code", "group"]].itertuples(index=False)
    if s == "destination"
}

_OBJECTS = {"population": ("stock", STOCK_COLUMNS), "flows": ("flow", FLOW_COLUMNS)}

_DESCRIPTIONS = {
    "refugees": "stock: refugees at end of year; flow: refugee arrivals during the year",
    "asylum_seekers": "stock: asylum seekers with pending claims at end of year; flow: new "
    "asylum applications during the year",
    "returned_refugees": "stock only: refugees returned to origin during the year",
    "idps": "stock only: internally displaced persons (origin == destination)",
    "returned_idps": "stock only: IDPs returned during the year",
    "stateless": "stock only: stateless persons",
    "ooc": "stock only: others of concern to UNHCR",
    "oip": "other people in need of international protection (from 2018; NaN before)",
    "hst": "stock only: host community",
    "refugee_like": "flow only: people in refugee-like situations (arrivals)",
}


def _group_column(side: str, description: str, groups: dict[str, str]) -> Column:
    """``<side>_group``: ``country``, ``exception`` or one of the ``groups`` labels."""
    return Column(
        f"{side}_group",
        "string",
        description,
        nullable=False,
        allowed=frozenset({"country", "exception", *groups.values()}),
    )


SCHEMA = Schema(
    name="refugees",
    description="UNHCR forced displacement by origin, asylum country, year and measure.",
    columns=(
        Column(
            "origin",
            "string",
            "canonical code of the country of origin; <NA> when origin_group != 'country'",
            country=True,
        ),
        Column(
            "destination",
            "string",
            "canonical code of the country of asylum; <NA> when destination_group != 'country'",
            country=True,
        ),
        Column(
            "year",
            "int",
            "calendar year (stocks: end of year; flows: during the year)",
            unit="year",
            nullable=False,
            min=1951,
            max=2025,
        ),
        Column(
            "measure",
            "string",
            "stock (population.rda) or flow (flows.rda)",
            nullable=False,
            allowed=frozenset({"stock", "flow"}),
        ),
        _group_column(
            "origin",
            "country | unknown | stateless | tibetan | exception (crosswalk exception)",
            ORIGIN_GROUPS,
        ),
        _group_column("destination", "country | unknown | exception", DESTINATION_GROUPS),
        *(Column(c, "float", _DESCRIPTIONS[c], unit="persons", min=0) for c in COUNT_COLUMNS),
    ),
    key=("origin", "destination", "origin_group", "destination_group", "year", "measure"),
)


def parse(path: str | Path) -> pd.DataFrame:
    """Parse one UNHCR ``.rda`` (object ``population`` or ``flows``) into :data:`SCHEMA`.

    The object name decides the measure (``population`` -> ``stock``, ``flows`` -> ``flow``).
    Errors (truncated file, missing column, wrong type, unknown country, duplicated key,
    negative count) raise :class:`SourceError` naming the file, column and 1-based rows.
    """
    path = Path(path)
    src = source_name(path)
    objects = read_r_objects(path)
    obj = next((n for n in _OBJECTS if n in objects), None)
    if obj is None:
        raise SourceError(src, f"expected R object 'population' or 'flows'; found {list(objects)}")
    measure, counts = _OBJECTS[obj]
    ids = ["year", "coo_iso", "coa_iso"]
    raw = checked_frame(objects[obj], [*ids, *counts], src)
    year = coerce_year(raw["year"], source=src, column="year")
    coo = coerce_codes(raw["coo_iso"], source=src, column="coo_iso")
    coa = coerce_codes(raw["coa_iso"], source=src, column="coa_iso")
    dup = pd.DataFrame({"y": year, "o": coo, "d": coa}).duplicated(keep=False).to_numpy()
    if dup.any():
        raise SourceError(
            src,
            "duplicated key (year, coo_iso, coa_iso)",
            column="coo_iso",
            rows=(np.flatnonzero(dup) + 1).tolist(),
        )
    out = pd.DataFrame({"year": year, "measure": pd.array([measure] * len(raw), dtype="string")})
    for col, raw_col, codes, groups in (
        ("origin", "coo_iso", coo, ORIGIN_GROUPS),
        ("destination", "coa_iso", coa, DESTINATION_GROUPS),
    ):
        group = codes.map(groups).fillna("country").astype("string")
        is_country = (group == "country").to_numpy()
        canon = pd.Series(pd.NA, index=codes.index, dtype="string")
        canon[is_country] = map_countries(
            codes[is_country],
            "unhcr",
            source=src,
            column=raw_col,
            years=year[is_country],
            row_labels=pd.Series(np.flatnonzero(is_country) + 1, index=codes.index[is_country]),
        )
        # a code the crosswalk deliberately leaves unmapped: flagged, never hidden
        group[is_country & canon.isna().to_numpy()] = "exception"
        out[col] = canon
        out[f"{col}_group"] = group
    for c in COUNT_COLUMNS:
        out[c] = (
            coerce_counts(raw[c], source=src, column=c)
            if c in counts
            else pd.Series(np.nan, index=raw.index, dtype="float64")
        )
    out = out[SCHEMA.names]
    return SCHEMA.validate(out, source=src)


@register_table(
    "refugees",
    schema=SCHEMA,
    raw=(POPULATION_KEY, FLOWS_KEY),
    citation=CITATION,
    default_options={},
)
def build(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """UNHCR stocks (end-year populations) and flows (arrivals), persons, kept apart from
    labour migration."""
    parts = [parse(raw[POPULATION_KEY]), parse(raw[FLOWS_KEY])]
    df = pd.concat(parts, ignore_index=True)
    for m, part in zip(("stock", "flow"), parts, strict=True):
        for col in ("origin", "destination"):
            g = part[f"{col}_group"]
            counts = g[g != "country"].value_counts().sort_index()
            if len(counts):
                log.note(
                    f"{m}: {col} not a country, kept with {col} <NA> and {col}_group flag "
                    "(documented exception): "
                    + ", ".join(f"{k} {v} rows" for k, v in counts.items())
                )
        internal = int((part["origin"] == part["destination"]).fillna(False).sum())
        log.note(f"{m}: {internal} rows with origin == destination (internal displacement)")
    log.note(
        "refugees: units persons; stock = end-year population (population.rda), flow = "
        "arrivals/new applications during the year (flows.rda); columns a file lacks are NaN. "
        "The latest year (2025) may be provisional."
    )
    df = df.sort_values(
        ["measure", "year", "origin", "destination", "origin_group"],
        kind="stable",
        na_position="last",
    )
    return SCHEMA.validate(df.reset_index(drop=True), source="refugees")


__all__ = [
    "CITATION",
    "COUNT_COLUMNS",
    "DESTINATION_GROUPS",
    "FLOWS_KEY",
    "FLOW_COLUMNS",
    "ORIGIN_GROUPS",
    "POPULATION_KEY",
    "SCHEMA",
    "STOCK_COLUMNS",
    "build",
    "parse",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = tuple(
    RawIdentifier(key, cols, scheme, label)
    for key in (POPULATION_KEY, FLOWS_KEY)
    for cols, scheme, label in (
        ("coo_iso+coa_iso", "unhcr", ""),
        ("coo+coa", "unhcr_code", "coo+coa (UNHCR codes)"),
        ("coo_name+coa_name", "name", ""),
    )
)
