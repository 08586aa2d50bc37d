"""Auxiliary year-varying dyad tables for the panel (COW and CShapes via peacesciencer), each
loaded with the function beside it (cached like any table):

- ``gravity_contiguity`` / :func:`contiguity_spells`: COW direct contiguity spells (v3.2,
  1816-2016), directed, canonical codes (expanded to pair-years by
  :func:`polecon.panel.geography.contiguity_years`).
- ``gravity_dyad_years`` / :func:`dyad_years`: non-directed canonical dyad-years (``i < j``)
  with CShapes 2.0 minimum distance (km, on 1 January, 1886-2019) and the number of IGOs in
  which both are full members (COW IGO v3, 1816-2014). Outside those years: NA.
- ``gravity_capitals`` / :func:`capitals`: capital-city spells with coordinates (COW and GW
  systems; capital-to-capital distances by year:
  :func:`polecon.panel.geography.capital_distance`).

The time-invariant pair geography is the table ``gravity_pairs``
(:mod:`polecon.sources.gravity_pairs`).

COW codes map with the ``cow`` scheme (``gw`` for GW capitals). Two COW codes that map to one
canonical code in the same year (West Germany 260 and Germany 255; North Yemen 678 and Yemen
679) are resolved by keeping the code whose COW system spell covers 1 July of the year, else
the code ``polecon.countries.state_system`` assigns (logged); pairs that collapse to a
self-pair after mapping are dropped (logged).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from polecon.sources import cepii, cow_geo, cow_igo
from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import codes_of
from polecon.sources._schema import Column, Schema, SourceError

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _map_cow_pair_years(
    df: pd.DataFrame,
    source: str,
    log: BuildLog,
    year_col: str = "year",
    key_col: str | None = None,
) -> pd.DataFrame:
    """Add canonical ``i``/``j`` for ccode1/ccode2 and resolve duplicates (module docstring).

    Duplicates are checked on ``(i, j, key_col or year_col)``.
    """
    from polecon.countries import state_system
    from polecon.countries.crosswalk import cow_system_spells

    years = df[year_col]
    i = codes_of(df["ccode1"].rename("ccode1"), "cow", source, years)
    j = codes_of(df["ccode2"].rename("ccode2"), "cow", source, years)
    out = df.assign(i=i.to_numpy(), j=j.to_numpy())
    na = out["i"].isna() | out["j"].isna()
    if na.any():
        log.drop(f"{source}: COW codes deliberately unmapped", int(na.sum()),
                 sorted(set(out.loc[na, "ccode1"]) | set(out.loc[na, "ccode2"])))  # fmt: skip
        out = out[~na]
    self_pair = out["i"] == out["j"]
    if self_pair.any():
        log.drop(
            f"{source}: pairs of two COW codes of one canonical state (self-pairs after mapping)",
            int(self_pair.sum()),
            sorted(
                {
                    f"{a}-{b} {y}"
                    for a, b, y in out.loc[self_pair, ["ccode1", "ccode2", year_col]].itertuples(
                        index=False
                    )
                }
            ),
        )
        out = out[~self_pair]
    key = ["i", "j", key_col or year_col]
    dup = out.duplicated(key, keep=False)
    if not dup.any():
        return out
    d = out[dup]
    spells = cow_system_spells()
    mid = pd.to_datetime(d[year_col].astype(str) + "-07-01").to_numpy()
    score = np.zeros(len(d), dtype=np.int64)
    for side in ("ccode1", "ccode2"):
        cc = d[side].to_numpy()
        alive = np.zeros(len(d), dtype=bool)
        for code, st, en in spells[["ccode", "start", "end"]].itertuples(index=False):
            alive |= (cc == code) & (mid >= np.datetime64(st)) & (mid <= np.datetime64(en))
        score += alive
    system = state_system("cow", start=1816, end=int(d[year_col].max()) + 1, carry_forward=True)
    sysmap = dict(
        zip(zip(system["code"], system["year"], strict=True), system["ccode"], strict=True)
    )
    for side, code_col in (("ccode1", "i"), ("ccode2", "j")):
        want = [sysmap.get((c, y)) for c, y in zip(d[code_col], d[year_col], strict=True)]
        score = score * 2 + (
            d[side].to_numpy() == np.array([w if w is not None else -1 for w in want])
        )
    d = d.assign(_score=score)
    best = d.groupby(key)["_score"].transform("max")
    chosen = d[d["_score"] == best]
    if chosen.duplicated(key).any():
        raise SourceError(
            source,
            "duplicated canonical dyad-year after mapping that the COW system rule cannot resolve",
            column="ccode1",
            rows=chosen.index[chosen.duplicated(key, keep=False)].tolist(),
        )
    dropped = d.drop(chosen.index)
    log.drop(
        f"{source}: two COW codes map to one canonical state in a dyad-year; kept the code "
        "whose system spell covers 1 July (else the state_system code)",
        len(dropped),
        [
            f"{a}-{b} {y}"
            for a, b, y in dropped[["ccode1", "ccode2", year_col]].itertuples(index=False)
        ],
    )
    return pd.concat([out[~dup], chosen.drop(columns="_score")]).sort_index()


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------

CONTIGUITY_SCHEMA = Schema(
    name="gravity_contiguity",
    description="COW direct contiguity spells (v3.2), directed, canonical codes.",
    key=("i", "j", "start"),
    columns=(
        Column("i", "string", "first state (canonical)", nullable=False, country=True),
        Column("j", "string", "second state (canonical)", nullable=False, country=True),
        Column("ccode1", "int", "COW code of i in the source", nullable=False),
        Column("ccode2", "int", "COW code of j in the source", nullable=False),
        Column("conttype", "int", cow_geo.CONTTYPE_TEXT, nullable=False,
               allowed=frozenset(range(6))),
        Column("start", "date", "spell start (COW month; day meaningless)", nullable=False),
        Column("end", "date", "spell end (COW month; day meaningless)", nullable=False),
    ),
)  # fmt: skip


@register_table(
    "gravity_contiguity",
    schema=CONTIGUITY_SCHEMA,
    raw=(cow_geo.CONTDIR_KEY,),
    citation=cow_geo.CITATION_CONTDIR + " " + cow_geo.CITATION_PEACESCIENCER,
)
def build_contiguity(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """COW direct contiguity spells with canonical codes (directed, 1816-2016)."""
    src = cepii.source_name(raw[cow_geo.CONTDIR_KEY])
    c = cow_geo.parse_contdir(raw[cow_geo.CONTDIR_KEY])
    c = c.assign(year=c["stdate"].dt.year)
    m = _map_cow_pair_years(c, src, log, key_col="stdate")
    out = m.rename(columns={"stdate": "start", "enddate": "end"})
    out = out.astype({"i": "string", "j": "string"}).sort_values(
        ["i", "j", "start"], ignore_index=True
    )
    return out[CONTIGUITY_SCHEMA.names]


DYAD_YEARS_SCHEMA = Schema(
    name="gravity_dyad_years",
    description="Non-directed canonical dyad-years (i < j): minimum distance and shared IGOs.",
    key=("i", "j", "year"),
    columns=(
        Column("i", "string", "first state (canonical; i < j)", nullable=False, country=True),
        Column("j", "string", "second state (canonical)", nullable=False, country=True),
        Column("year", "int", "year", nullable=False, min=1816, max=2030),
        Column("mindist", "float", "minimum distance between the territories on 1 January "
               "(CShapes 2.0 via peacesciencer cow_mindist; 0 = contiguous; 1886-2019)",
               unit="km", min=0.0),
        Column("igo_shared", "Int", "IGOs in which both are full members (COW IGO v3 via "
               "peacesciencer cow_igo_ndy; 1816-2014)", unit="count", min=0),
    ),
)  # fmt: skip


def _order_pairs(df: pd.DataFrame) -> pd.DataFrame:
    swap = df["i"] > df["j"]
    i = df["i"].where(~swap, df["j"])
    j = df["j"].where(~swap, df["i"])
    return df.assign(i=i, j=j)


@register_table(
    "gravity_dyad_years",
    schema=DYAD_YEARS_SCHEMA,
    raw=(cow_geo.MINDIST_KEY, cow_igo.NDY_KEY),
    citation=cow_geo.CITATION_MINDIST + " " + cow_igo.CITATION,
)
def build_dyad_years(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """Minimum distance and shared IGO memberships by non-directed canonical dyad-year."""
    parts = []
    for key, parser, col, new in (
        (cow_geo.MINDIST_KEY, cow_geo.parse_mindist, "mindist", "mindist"),
        (cow_igo.NDY_KEY, cow_igo.parse_ndy, "dyadigos", "igo_shared"),
    ):
        src = cepii.source_name(raw[key])
        df = parser(raw[key])
        m = _order_pairs(_map_cow_pair_years(df, src, log))
        dup = m.duplicated(["i", "j", "year"], keep=False)
        if dup.any():
            raise SourceError(src, "duplicated canonical dyad-year after ordering", column="ccode1",
                              rows=m.index[dup].tolist())  # fmt: skip
        parts.append(m[["i", "j", "year", col]].rename(columns={col: new}))
    out = parts[0].merge(parts[1], on=["i", "j", "year"], how="outer")
    out = out.astype({"i": "string", "j": "string", "year": "int64", "igo_shared": "Int64"})
    return out.sort_values(["i", "j", "year"], ignore_index=True)[DYAD_YEARS_SCHEMA.names]


CAPITALS_SCHEMA = Schema(
    name="gravity_capitals",
    description="Capital-city spells with coordinates, COW and GW systems, canonical codes.",
    key=("system", "code", "start"),
    columns=(
        Column("system", "string", "state system of the source list", nullable=False,
               allowed=frozenset({"cow", "gw"})),
        Column("code", "string", "state (canonical)", nullable=False, country=True),
        Column("scode", "int", "COW ccode or GW gwcode in the source", nullable=False),
        Column("capital", "string", "capital city", nullable=False),
        Column("start", "date", "first day as capital", nullable=False),
        Column("end", "date", "last day as capital", nullable=False),
        Column("lat", "float", "latitude", unit="degrees", nullable=False, min=-90, max=90),
        Column("lng", "float", "longitude", unit="degrees", nullable=False, min=-180, max=180),
    ),
)  # fmt: skip


@register_table(
    "gravity_capitals",
    schema=CAPITALS_SCHEMA,
    raw=(cow_geo.COW_CAPITALS_KEY, cow_geo.GW_CAPITALS_KEY),
    citation=cow_geo.CITATION_PEACESCIENCER,
)
def build_capitals(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """Capital spells (COW and GW lists) with canonical codes."""
    parts = []
    for system, key in (("cow", cow_geo.COW_CAPITALS_KEY), ("gw", cow_geo.GW_CAPITALS_KEY)):
        src = cepii.source_name(raw[key])
        cap = cow_geo.parse_capitals(raw[key])
        code = codes_of(cap["code"].rename("code"), system, src, cap["stdate"].dt.year)
        cap = cap.assign(system=system, scode=cap["code"], code=code)
        na = cap["code"].isna()
        if na.any():
            log.drop(f"{src}: codes deliberately unmapped", int(na.sum()),
                     sorted(set(cap.loc[na, "scode"])))  # fmt: skip
        parts.append(cap[~na])
    out = pd.concat(parts, ignore_index=True).rename(columns={"stdate": "start", "enddate": "end"})
    # two source codes of one canonical state with spells starting the same day (GW 340 Serbia
    # and 345 Yugoslavia, both Belgrade from 1878): keep the longer spell
    out = out.sort_values(["system", "code", "start", "end"], kind="stable")
    dup = out.duplicated(["system", "code", "start"], keep="last")
    if dup.any():
        same_city = (
            out[out.duplicated(["system", "code", "start"], keep=False)]
            .groupby(["system", "code", "start"])["capital"]
            .nunique()
        )
        if (same_city > 1).any():
            raise SourceError("gravity_capitals", "two different capitals start on one day for "
                              "one state", column="capital", rows=out.index[dup].tolist())  # fmt: skip
        log.drop(
            "capital spells of two source codes of one state starting the same day in the same "
            "city: kept the longer spell",
            int(dup.sum()),
            [
                f"{a}:{b} {c}"
                for a, b, c in out.loc[dup, ["system", "scode", "capital"]].itertuples(index=False)
            ],
        )
        out = out[~dup]
    out = out.astype({"system": "string", "code": "string"})
    return out.sort_values(["system", "code", "start"], ignore_index=True)[CAPITALS_SCHEMA.names]


# ---------------------------------------------------------------------------
# loaders
# ---------------------------------------------------------------------------


def _load(name: str, **options: Any) -> pd.DataFrame:
    from polecon.sources._base import load

    return load(name, **options)


def contiguity_spells() -> pd.DataFrame:
    """COW direct contiguity spells, canonical codes (table ``gravity_contiguity``)."""
    return _load("gravity_contiguity")


def dyad_years() -> pd.DataFrame:
    """Non-directed dyad-years with ``mindist`` (km) and ``igo_shared`` (table
    ``gravity_dyad_years``; ``i < j``)."""
    return _load("gravity_dyad_years")


def capitals(system: Literal["cow", "gw"] = "cow") -> pd.DataFrame:
    """Capital spells of ``system`` with coordinates (table ``gravity_capitals``)."""
    cap = _load("gravity_capitals")
    return cap[cap["system"] == system].reset_index(drop=True)


__all__ = [
    "CAPITALS_SCHEMA",
    "CONTIGUITY_SCHEMA",
    "DYAD_YEARS_SCHEMA",
    "build_capitals",
    "build_contiguity",
    "build_dyad_years",
    "capitals",
    "contiguity_spells",
    "dyad_years",
]
