"""Gravity covariates (pair level) and country-year covariates (suffixed ``_i``/``_j``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel._keys import DyadKeys, categories, encode, pack, require_directed, take
from polecon.panel.dictionary import ColumnDoc, register_docs

#: states absent from CEPII's 2004-era geography take their continuator's geography (flagged)
GEOGRAPHY_CONTINUATOR: dict[str, str] = {"CSK": "CZE", "DDR": "DEU", "YMD": "YEM", "RVN": "VNM"}

GRAVITY_COLUMNS: tuple[str, ...] = ("ldist", "contig", "comlang_off", "colony")

register_docs(
    {
        "gravity_proxy": ColumnDoc(
            "True if a member's geography was taken from its continuator (CSK->CZE, DDR->DEU, YMD->YEM, "
            "RVN->VNM): CEPII reports on 2004 borders",
            "flag",
            "derived",
        )
    }
)


def add_gravity(
    panel: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    continuator: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Add ``ldist`` (log km), ``contig``, ``comlang_off``, ``colony`` from CEPII GeoDist.

    ``pairs`` defaults to ``polecon.load("gravity_pairs")`` (columns i, j, dist or ldist,
    contig, comlang_off, colony). Dead states without CEPII rows take their continuator's
    geography (``continuator`` mapping; flagged in ``gravity_proxy``).
    """
    require_directed(panel, "add_gravity")
    if pairs is None:
        from polecon.sources import load

        pairs = load("gravity_pairs")
    cont = GEOGRAPHY_CONTINUATOR if continuator is None else continuator
    g = pairs.copy()
    if "ldist" not in g.columns:
        if "dist" not in g.columns:
            raise KeyError("gravity pairs need a 'dist' (km) or 'ldist' column")
        with np.errstate(divide="ignore"):
            g["ldist"] = np.log(g["dist"].astype(float).where(g["dist"] > 0))
    keep = ["i", "j", *GRAVITY_COLUMNS]
    missing = [c for c in keep if c not in g.columns]
    if missing:
        raise KeyError(f"gravity pairs lack columns {missing}")
    g_full = g
    g = g[keep]
    table_proxy = (
        g_full["geo_proxy"].to_numpy(dtype=np.float64, na_value=0.0)
        if "geo_proxy" in g_full.columns
        else None
    )
    cats = categories(
        panel["i"], panel["j"], g["i"], g["j"], pd.Series(list(cont.values()), dtype=object)
    )
    n = max(len(cats), 1)
    tk = pack(encode(g["i"], cats), encode(g["j"], cats), sizes=(n, n))
    ci, cj = encode(panel["i"], cats), encode(panel["j"], cats)
    direct = take(
        tk, np.arange(len(g), dtype=np.float64), pack(ci, cj, sizes=(n, n)), "gravity pairs"
    )
    # rows without a direct pair: replace dead states by their continuator (flagged)
    gi = panel["i"].astype("string").replace(cont)
    gj = panel["j"].astype("string").replace(cont)
    via = take(
        tk,
        np.arange(len(g), dtype=np.float64),
        pack(encode(gi, cats), encode(gj, cats), sizes=(n, n)),
        "gravity pairs",
    )
    # a dead state paired with its own continuator (DDR-DEU) has no geography: leave it NA
    use_via = np.isnan(direct) & ~np.isnan(via) & (gi.to_numpy() != gj.to_numpy())
    row = np.where(use_via, via, direct)
    hit = ~np.isnan(row)
    rows = np.where(hit, row, 0).astype(np.int64)
    proxy = use_via.copy()
    if table_proxy is not None:
        proxy |= hit & (table_proxy[rows] == 1.0)
    out = panel.copy(deep=False)
    ld = g["ldist"].to_numpy(dtype=np.float64, na_value=np.nan)[rows]
    out["ldist"] = np.where(hit, ld, np.nan)
    for c in ("contig", "comlang_off", "colony"):
        vals = np.where(hit, g[c].to_numpy(dtype=np.float64, na_value=np.nan)[rows], np.nan)
        out[c] = pd.array(vals, dtype="Float64").astype("Int8")
    out["gravity_proxy"] = proxy
    return out


def add_country_year(
    panel: pd.DataFrame,
    country_year: pd.DataFrame | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Add country-year covariates for both members, suffixed ``_i`` and ``_j``.

    ``country_year`` defaults to ``polecon.load("country_year")`` (keys ``code, year``);
    ``columns`` defaults to every non-key column. NA where the source does not cover the year.
    """
    require_directed(panel, "add_country_year")
    from polecon.sources import load

    if country_year is None:
        country_year = load("country_year")
    from polecon.panel.dictionary import _ensure_country_year_docs

    _ensure_country_year_docs()
    key = ["code", "year"]
    skip = {
        "code",
        "year",
        "ccode",
    }  # keys and the source's own state code (the panel keeps its own)
    cols = [c for c in country_year.columns if c not in skip] if columns is None else list(columns)
    clash = [f"{c}_{s}" for c in cols for s in ("i", "j") if f"{c}_{s}" in panel.columns]
    if clash:
        raise ValueError(f"add_country_year would overwrite existing panel columns {clash}")
    cy = country_year[key + cols]
    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    tk = keys.table_country_key(cy["code"], cy["year"])
    index = pd.Index(tk[tk >= 0])
    if not index.is_unique:
        raise ValueError("country_year has duplicated (code, year) keys")
    out = panel.copy(deep=False)
    for side in ("i", "j"):
        pos = index.get_indexer(keys.country_key(side))
        src_rows = np.flatnonzero(tk >= 0)
        hit = pos >= 0
        rows = np.where(hit, src_rows[np.where(hit, pos, 0)], 0)
        for c in cols:
            col = cy[c].iloc[rows].reset_index(drop=True)
            col = col.where(pd.Series(hit), other=None) if not hit.all() else col
            out[f"{c}_{side}"] = col.array
    return out
