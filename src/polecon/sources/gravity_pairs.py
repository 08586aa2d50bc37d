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
  give no split; use :func:`polecon.panel.geography.capital_distance` or
  :func:`polecon.panel.geography.contiguity_years` for them). States that
  post-date CEPII (Montenegro, South Sudan, Kosovo) have no CEPII values either.
- COLDAT (:mod:`polecon.sources.coldat`): the colonial tie between a European empire and a
  present-day country, with start and end years (max aggregation). ``coldat_colony`` is 1 for a
  tie, 0 when one member is one of COLDAT's eight empires and the other a COLDAT country without
  a tie, and ``<NA>`` when neither member is one of the eight empires (COLDAT does not code
  other colonial relationships, e.g. USA-PHL or Japan-Korea). Pairs with a COLDAT tie but no
  CEPII row (e.g. GBR-SSD) are added with CEPII columns missing.

Year-varying dyad data (COW contiguity spells, CShapes minimum distance and shared IGOs by
dyad-year, capital-city spells) live in the auxiliary tables ``gravity_contiguity``,
``gravity_dyad_years`` and ``gravity_capitals`` of :mod:`polecon.sources.gravity_years`; the
panel quantities derived from them (contiguity pair-years, capital-to-capital distances) are in
:mod:`polecon.panel.geography`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from polecon.sources import cepii, coldat
from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import codes_of
from polecon.sources._decl import RawIdentifier
from polecon.sources._schema import Column, Schema, SourceError

CITATION = " | ".join([cepii.CITATION, coldat.CITATION])

#: CEPII-less states whose pairs take other units' geography: code -> member codes (first =
#: source of distances; dummies = max over members)
DEFAULT_PROXIES: dict[str, tuple[str, ...]] = {"CSK": ("CZE", "SVK")}

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


# ---------------------------------------------------------------------------
# gravity_pairs
# ---------------------------------------------------------------------------


def _cepii_pairs(path: Path, log: BuildLog, proxies: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    src = cepii.source_name(path)
    d = cepii.parse(path)
    codes = pd.Series(sorted(set(d["iso_o"]) | set(d["iso_d"])), name="iso_o")
    canon = codes_of(codes, "cepii_iso3", src)
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
    canon = codes_of(names, "name", src)
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
# loader
# ---------------------------------------------------------------------------


def _load(name: str, **options: Any) -> pd.DataFrame:
    from polecon.sources._base import load

    return load(name, **options)


def gravity_pairs(**options: Any) -> pd.DataFrame:
    """The ``gravity_pairs`` table (``polecon.load("gravity_pairs")``)."""
    return _load("gravity_pairs", **options)


__all__ = ["CITATION", "DEFAULT_PROXIES", "SCHEMA", "build", "gravity_pairs"]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (RawIdentifier(cepii.DIST_KEY, "iso_o+iso_d", "cepii_iso3"),)
