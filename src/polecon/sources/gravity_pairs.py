"""Canonical table ``gravity_pairs`` (time-invariant pair geography and colonial history) and
three auxiliary year-varying tables for the panel.

``gravity_pairs`` (keys ``i, j``): **directed**, both orders present, self-pairs kept (``i == j``
rows hold CEPII's internal distance). Built from

- CEPII GeoDist ``dist_cepii`` (:mod:`polecon.sources.cepii`): distances in km and the
  contiguity, language, colonial and same-country dummies. CEPII's 2004-era codes map to
  canonical codes with the ``cepii_iso3`` scheme (ROM->ROU, ZAR->COD, TMP->TLS, YUG->SRB,
  PAL->PSE; ANT stays ANT). The dummies are symmetric in the data; ``smctry`` is symmetric for
  99.9% of pairs and is kept as CEPII directs it.
- Geography proxies (HYPOTHESES s.1: "geography takes the continuator's value", flagged):
  CEPII has no row for Czechoslovakia, so ``CSK`` pairs take the distances of the Czech Republic
  (Prague was the capital and largest city of Czechoslovakia) and the **maximum** of the
  Czech and Slovak dummies (a border or language shared with either part), ``geo_proxy = True``.
  East Germany (DDR), South Yemen (YMD) and South Vietnam (RVN) get no CEPII rows (the sources
  give no split; use :func:`capital_distance` or :func:`contiguity_years` for them). States that
  post-date CEPII (Montenegro, South Sudan, Kosovo) have no CEPII values either.
- COLDAT (:mod:`polecon.sources.coldat`): the colonial tie between a European empire and a
  present-day country, with start and end years (max aggregation). ``coldat_colony`` is 1 for a
  tie, 0 when one member is one of COLDAT's eight empires and the other a COLDAT country without
  a tie, and ``<NA>`` when neither member is one of the eight empires (COLDAT does not code
  other colonial relationships, e.g. USA-PHL or Japan-Korea). Pairs with a COLDAT tie but no
  CEPII row (e.g. GBR-SSD) are added with CEPII columns missing.

Year-varying dyad data live in auxiliary tables (registered here; load them with the
functions below, which cache like any table):

- ``gravity_contiguity`` / :func:`contiguity_spells`, :func:`contiguity_years`: COW direct
  contiguity spells (v3.2, 1816-2016), directed, canonical codes.
- ``gravity_dyad_years`` / :func:`dyad_years`: non-directed canonical dyad-years (``i < j``)
  with CShapes 2.0 minimum distance (km, on 1 January, 1886-2019) and the number of IGOs in
  which both are full members (COW IGO v3, 1816-2014). Outside those years: NA.
- ``gravity_capitals`` / :func:`capitals`, :func:`capital_distance`: capital-city spells with
  coordinates (COW and GW systems) and great-circle capital-to-capital distances by year.

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

from polecon.sources import cepii, coldat, cow_geo, cow_igo
from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._schema import Column, Schema, SourceError

CITATION = " | ".join([cepii.CITATION, coldat.CITATION])

#: CEPII-less states whose pairs take other units' geography: code -> member codes (first =
#: source of distances; dummies = max over members)
DEFAULT_PROXIES: dict[str, tuple[str, ...]] = {"CSK": ("CZE", "SVK")}

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

_D01 = frozenset({0, 1})


def _dummy(name: str, text: str) -> Column:
    return Column(name, "Int", f"{text} (CEPII GeoDist)", unit="0/1", allowed=_D01)


SCHEMA = Schema(
    name="gravity_pairs",
    description="Directed country pairs: CEPII GeoDist geography and COLDAT colonial ties.",
    key=("i", "j"),
    columns=(
        Column("i", "string", "first country (canonical code)", nullable=False, country=True),
        Column("j", "string", "second country (canonical code)", nullable=False, country=True),
        Column("i_cepii", "string", "CEPII code whose geography i carries (<NA>: no CEPII row)"),
        Column("j_cepii", "string", "CEPII code whose geography j carries (<NA>: no CEPII row)"),
        Column("dist", "float", "great-circle distance between the most populated cities "
               "(CEPII dist; internal distance when i == j)", unit="km", min=0.0),
        Column("ldist", "float", "natural log of dist", unit="log km"),
        Column("distcap", "float", "great-circle distance between capitals (CEPII)", unit="km",
               min=0.0),
        Column("distw", "float", "population-weighted distance, theta = 1 (CEPII)", unit="km",
               min=0.0),
        Column("distwces", "float", "population-weighted distance, theta = -1 (CEPII)",
               unit="km", min=0.0),
        _dummy("contig", "1 if a common land border"),
        _dummy("comlang_off", "1 if a common official language"),
        _dummy("comlang_ethno", "1 if a language spoken by >= 9% in both"),
        _dummy("colony", "1 if ever in a colonial relationship"),
        _dummy("comcol", "1 if a common colonizer after 1945"),
        _dummy("curcol", "1 if in a colonial relationship c. 2004"),
        _dummy("col45", "1 if in a colonial relationship after 1945"),
        _dummy("smctry", "1 if they were or are the same country"),
        Column("geo_proxy", "bool", "True if i's or j's CEPII values come from proxy units "
               "(CSK from CZE/SVK)", nullable=False),
        Column("coldat_colony", "Int", "1 if a colonial tie between a European empire and the "
               "other member (COLDAT); 0 if one member is a COLDAT empire and no tie; <NA> if "
               "neither is one of COLDAT's eight empires", unit="0/1", allowed=_D01),
        Column("coldat_colonizer", "string", "the colonizing member (canonical code) of a "
               "COLDAT tie"),
        Column("coldat_colstart", "Int", "first year of colonial rule (COLDAT, max "
               "aggregation across its sources)", unit="year"),
        Column("coldat_colend", "Int", "last year of colonial rule (COLDAT, max aggregation)",
               unit="year"),
    ),
)  # fmt: skip


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _to_canonical(
    values: pd.Series, scheme: str, source: str, years: pd.Series | None = None
) -> pd.Series:
    return canonical_codes(values, scheme, source=source, column=str(values.name), years=years)


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
    i = _to_canonical(df["ccode1"].rename("ccode1"), "cow", source, years)
    j = _to_canonical(df["ccode2"].rename("ccode2"), "cow", source, years)
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
# gravity_pairs
# ---------------------------------------------------------------------------


def _cepii_pairs(path: Path, log: BuildLog, proxies: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    src = cepii.source_name(path)
    d = cepii.parse(path)
    codes = pd.Series(sorted(set(d["iso_o"]) | set(d["iso_d"])), name="iso_o")
    canon = _to_canonical(codes, "cepii_iso3", src)
    cmap = dict(zip(codes, canon, strict=True))
    unmapped = sorted(c for c, v in cmap.items() if pd.isna(v))
    if unmapped:
        hit = d["iso_o"].isin(unmapped) | d["iso_d"].isin(unmapped)
        log.drop(f"{src}: CEPII codes deliberately unmapped", int(hit.sum()), unmapped)
        d = d[~hit]
    canon_vals = pd.Series([v for v in cmap.values() if pd.notna(v)])
    if canon_vals.duplicated().any():
        raise SourceError(src, f"two CEPII codes map to one canonical code: "
                          f"{sorted(set(canon_vals[canon_vals.duplicated()]))}", column="iso_o")  # fmt: skip
    out = d.assign(
        i=d["iso_o"].map(cmap).astype("string"),
        j=d["iso_d"].map(cmap).astype("string"),
        i_cepii=d["iso_o"],
        j_cepii=d["iso_d"],
        geo_proxy=False,
    ).drop(columns=["iso_o", "iso_d"])
    changed = {k: v for k, v in cmap.items() if v != k}
    log.note(f"{src}: CEPII codes recoded {changed}")
    for code, members in proxies.items():
        if code in set(out["i"]):
            raise SourceError(src, f"proxy {code} already has CEPII rows", column="iso_o")
        missing = [m for m in members if m not in set(out["i"])]
        if missing:
            raise SourceError(src, f"proxy members {missing} of {code} are not in CEPII")
        head = members[0]
        rows = out[out["i"].isin(members) & ~out["j"].isin(members)]
        dums = rows.groupby("j")[list(cepii.DUMMIES)].max()
        dist = rows[rows["i"] == head].set_index("j")[list(cepii.DISTANCES)]
        new = dums.join(dist).reset_index()
        new = new.assign(i=code, i_cepii="+".join(members), j_cepii=new["j"].map(
            dict(zip(out["j"], out["j_cepii"], strict=False))), geo_proxy=True)  # fmt: skip
        rev = new.rename(columns={"i": "j", "j": "i", "i_cepii": "j_cepii", "j_cepii": "i_cepii"})
        out = pd.concat([out, new, rev], ignore_index=True)
        log.note(
            f"{src}: {code} has no CEPII row; its {len(new)} x 2 directed pairs take {head}'s "
            f"distances and the max of {'/'.join(members)}'s dummies (geo_proxy = True)"
        )
    return out


def _coldat_ties(path: Path, log: BuildLog) -> tuple[pd.DataFrame, set[str], set[str]]:
    src = cepii.source_name(path)
    c = coldat.parse(path)
    names = pd.Series(sorted(set(c["country"])), name="country")
    canon = _to_canonical(names, "name", src)
    nmap = dict(zip(names, canon, strict=True))
    vals = pd.Series(list(nmap.values()))
    if vals.isna().any():
        bad = sorted(n for n, v in nmap.items() if pd.isna(v))
        log.drop(
            f"{src}: COLDAT names deliberately unmapped", int(c["country"].isin(bad).sum()), bad
        )
    if vals.dropna().duplicated().any():
        raise SourceError(src, "two COLDAT names map to one canonical code", column="country",
                          rows=[n for n, v in nmap.items() if (vals == v).sum() > 1])  # fmt: skip
    c = c.assign(code=c["country"].map(nmap), empire=c["colonizer"].map(coldat.EMPIRE_ISO3))
    c = c[c["code"].notna()]
    ties = c[c["col"] == 1]
    self_tie = ties["code"] == ties["empire"]
    if self_tie.any():
        raise SourceError(src, "a country listed as its own colonizer", column="colonizer",
                          rows=ties.index[self_tie].tolist())  # fmt: skip
    t = pd.DataFrame(
        {
            "colonizer": ties["empire"].astype("string"),
            "colony": ties["code"].astype("string"),
            "start": ties["colstart_max"].astype("Int64"),
            "end": ties["colend_max"].astype("Int64"),
        }
    )
    both = pd.concat(
        [
            t.rename(columns={"colonizer": "i", "colony": "j"}),
            t.rename(columns={"colony": "i", "colonizer": "j"}),
        ],
        ignore_index=True,
    ).assign(
        coldat_colonizer=lambda x: pd.concat([t["colonizer"], t["colonizer"]], ignore_index=True)
    )
    if both.duplicated(["i", "j"]).any():
        raise SourceError(src, "two COLDAT ties for one pair", column="country",
                          rows=both.index[both.duplicated(["i", "j"], keep=False)].tolist())  # fmt: skip
    log.note(f"{src}: {len(t)} colonial ties between {t['colonizer'].nunique()} empires and "
             f"{t['colony'].nunique()} countries")  # fmt: skip
    return both, set(c["code"]), set(coldat.EMPIRE_ISO3.values())


@register_table(
    "gravity_pairs",
    schema=SCHEMA,
    raw=(cepii.DIST_KEY, coldat.DYADS_KEY),
    citation=CITATION,
    default_options={"proxies": "default"},
)
def build(raw: dict[str, Path], log: BuildLog, proxies: Any = "default") -> pd.DataFrame:
    """Directed pair geography and colonial ties (see the module docstring).

    ``proxies``: ``"default"`` (CSK from CZE/SVK), ``"none"``, or a dict code -> members.
    """
    if proxies == "default":
        prox = DEFAULT_PROXIES
    elif proxies in ("none", None):
        prox = {}
    elif isinstance(proxies, dict):
        prox = {str(k): tuple(v) for k, v in proxies.items()}
    else:
        raise ValueError(f"proxies must be 'default', 'none' or a dict, got {proxies!r}")
    geo = _cepii_pairs(raw[cepii.DIST_KEY], log, prox)
    ties, coldat_codes, empires = _coldat_ties(raw[coldat.DYADS_KEY], log)
    out = geo.merge(
        ties.rename(columns={"start": "coldat_colstart", "end": "coldat_colend"}),
        on=["i", "j"],
        how="outer",
        validate="one_to_one",
    )
    only_coldat = out["dist"].isna() & out["i_cepii"].isna()
    log.note(f"{int(only_coldat.sum())} directed pairs have a COLDAT tie but no CEPII row")
    out["geo_proxy"] = out["geo_proxy"].astype("boolean").fillna(False).astype(bool)
    tie = out["coldat_colonizer"].notna()
    covered = (out["i"].isin(empires) & out["j"].isin(coldat_codes)) | (
        out["j"].isin(empires) & out["i"].isin(coldat_codes)
    )
    covered &= out["i"] != out["j"]
    out["coldat_colony"] = pd.Series(
        np.where(tie, 1, np.where(covered, 0, -1)), index=out.index
    ).astype("Int64")
    out.loc[out["coldat_colony"] == -1, "coldat_colony"] = pd.NA
    out["ldist"] = np.log(out["dist"])
    for c in cepii.DUMMIES:
        out[c] = out[c].astype("Int64")
    out = out.astype({"i": "string", "j": "string", "i_cepii": "string", "j_cepii": "string",
                      "coldat_colonizer": "string"})  # fmt: skip
    out = out.sort_values(["i", "j"], ignore_index=True)
    return out[SCHEMA.names]


# ---------------------------------------------------------------------------
# auxiliary year-varying tables
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
        code = _to_canonical(cap["code"].rename("code"), system, src, cap["stdate"].dt.year)
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
# public helpers for the panel
# ---------------------------------------------------------------------------


def _load(name: str, **options: Any) -> pd.DataFrame:
    from polecon.sources._base import load

    return load(name, **options)


def gravity_pairs(**options: Any) -> pd.DataFrame:
    """The ``gravity_pairs`` table (``polecon.load("gravity_pairs")``)."""
    return _load("gravity_pairs", **options)


def contiguity_spells() -> pd.DataFrame:
    """COW direct contiguity spells, canonical codes (table ``gravity_contiguity``)."""
    return _load("gravity_contiguity")


def contiguity_years(start: int = 1816, end: int = 2016) -> pd.DataFrame:
    """COW contiguity expanded to directed pair-years ``i, j, year, conttype``.

    A spell counts in every year it overlaps. With several spells in one year the closest
    contiguity wins (the smallest non-zero type; 0 only if every spell that year is a 0-gap).
    Pairs absent from the result are not contiguous in COW's coding (COW lists every dyad within
    400 miles of water or sharing a border); COW's coverage ends in 2016, so later years must be
    treated as NA, not as 0.
    """
    sp = contiguity_spells()
    y0 = np.maximum(sp["start"].dt.year.to_numpy(), start)
    y1 = np.minimum(sp["end"].dt.year.to_numpy(), end)
    n = np.clip(y1 - y0 + 1, 0, None)
    idx = np.repeat(np.arange(len(sp)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    years = y0[idx] + offs
    ct = sp["conttype"].to_numpy()[idx]
    rank = np.where(ct == 0, 99, ct)
    df = pd.DataFrame(
        {"i": sp["i"].to_numpy()[idx], "j": sp["j"].to_numpy()[idx], "year": years, "_r": rank}
    )
    g = df.groupby(["i", "j", "year"], sort=True)["_r"].min().reset_index()
    g["conttype"] = np.where(g["_r"] == 99, 0, g["_r"]).astype("int64")
    return g.drop(columns="_r").astype({"i": "string", "j": "string", "year": "int64"})


def dyad_years() -> pd.DataFrame:
    """Non-directed dyad-years with ``mindist`` (km) and ``igo_shared`` (table
    ``gravity_dyad_years``; ``i < j``)."""
    return _load("gravity_dyad_years")


def capitals(system: Literal["cow", "gw"] = "cow") -> pd.DataFrame:
    """Capital spells of ``system`` with coordinates (table ``gravity_capitals``)."""
    cap = _load("gravity_capitals")
    return cap[cap["system"] == system].reset_index(drop=True)


def haversine_km(
    lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (sphere of radius :data:`EARTH_RADIUS_KM`)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def capital_distance(
    pairs: pd.DataFrame, system: Literal["cow", "gw"] = "cow", cap: pd.DataFrame | None = None
) -> pd.Series:
    """Capital-to-capital great-circle distance (km) for rows ``i, j, year`` of ``pairs``.

    Uses the capital in office on 1 July of the year; NA where a state has no capital spell
    covering that day. Returns a float Series aligned with ``pairs``.
    """
    cap = capitals(system) if cap is None else cap
    mid = pd.to_datetime(pairs["year"].astype("int64").astype(str) + "-07-01")
    coords = []
    for side in ("i", "j"):
        q = pd.DataFrame({"code": pairs[side].astype("string").to_numpy(), "mid": mid.to_numpy(),
                          "_row": np.arange(len(pairs))})  # fmt: skip
        m = q.merge(cap[["code", "start", "end", "lat", "lng"]], on="code", how="left")
        ok = (m["start"] <= m["mid"]) & (m["mid"] <= m["end"])
        m = m[ok].drop_duplicates("_row", keep="last").set_index("_row")
        coords.append(m.reindex(np.arange(len(pairs)))[["lat", "lng"]].to_numpy(dtype=float))
    (a, b) = coords
    d = haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return pd.Series(d, index=pairs.index, name="distcap_km", dtype="float64")


__all__ = [
    "CITATION",
    "SCHEMA",
    "build",
    "capital_distance",
    "capitals",
    "contiguity_spells",
    "contiguity_years",
    "dyad_years",
    "gravity_pairs",
    "haversine_km",
]
