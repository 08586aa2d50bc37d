"""Diffusion (competition) terms in the style of Elkins, Guzman & Simmons (2006).

For country c, type k and year t: the weighted mean, over c's competitors c' (state-system members
other than c with a weight), of the number of type-k agreements c' had signed by t-1. Two weightings:

- ``export``: cosine similarity of c's and c''s export-destination share vectors (COW trade, latest
  year <= t-1 that has trade data for both; EGS 2006's export-market competition);
- ``income``: exp(-|ln gdppc_c - ln gdppc_c'|), real GDP per capita at t-1.

Weights are normalised to sum to 1 over competitors, so the term is in agreements per competitor.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel.agreements import TYPE_MEMBERS
from polecon.panel.dictionary import AGREEMENT_TYPES


def agreements_by_country(agreements: pd.DataFrame, k: str, start: int, end: int) -> pd.DataFrame:
    """Type-k agreements signed by each country by year t (cumulative; each agreement once per country).

    Returns a wide frame: index = year (start..end), columns = country codes.
    """
    sub = agreements.loc[agreements["type"].isin(TYPE_MEMBERS[k])]
    long = pd.concat(
        [
            sub[["agreement_id", "party_a", "signed"]].rename(columns={"party_a": "code"}),
            sub[["agreement_id", "party_b", "signed"]].rename(columns={"party_b": "code"}),
        ]
    )
    long = long.assign(sy=pd.to_datetime(long["signed"]).dt.year).dropna(subset=["sy"])
    first = long.groupby(["code", "agreement_id"], observed=True)["sy"].min().reset_index()
    first["sy"] = first["sy"].astype(int).clip(lower=start)
    counts = first.groupby(["sy", "code"], observed=True).size().unstack("code", fill_value=0)
    counts = counts.reindex(range(start, end + 1), fill_value=0)
    counts = counts.loc[(counts.index >= start) & (counts.index <= end)]
    return counts.cumsum().astype(float)


def export_shares(trade: pd.DataFrame) -> dict[int, pd.DataFrame]:
    """Per year, a (exporter x importer) matrix of export-destination shares (rows sum to 1)."""
    t = trade.dropna(subset=["value_usd"])
    t = t.loc[t["exporter"] != t["importer"]]
    out: dict[int, pd.DataFrame] = {}
    for year, grp in t.groupby("year", sort=True):
        m = grp.pivot_table(
            index="exporter", columns="importer", values="value_usd", aggfunc="sum", fill_value=0.0
        )
        total = m.sum(axis=1)
        m = m.loc[total > 0].div(total[total > 0], axis=0)
        out[int(year)] = m
    return out


def _cosine(shares: pd.DataFrame) -> pd.DataFrame:
    cols = shares.columns.union(shares.index)
    m = shares.reindex(columns=cols, fill_value=0.0).to_numpy()
    norm = np.linalg.norm(m, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = (m @ m.T) / np.outer(norm, norm)
    return pd.DataFrame(sim, index=shares.index, columns=shares.index)


def _weighted_mean(weights: pd.DataFrame, counts: pd.Series) -> pd.Series:
    """Row-normalised weighted mean of ``counts`` over columns (excluding the diagonal)."""
    common = weights.columns.intersection(counts.index)
    w = weights.loc[:, common].to_numpy(dtype=float).copy()
    rows = weights.index
    for r, code in enumerate(rows):
        if code in common:
            w[r, common.get_loc(code)] = 0.0
    w = np.where(np.isnan(w), 0.0, w)
    c = counts.reindex(common).to_numpy(dtype=float)
    tot = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        val = (w @ c) / tot
    val[tot <= 0] = np.nan
    return pd.Series(val, index=rows)


def diffusion_terms(
    agreements: pd.DataFrame,
    trade: pd.DataFrame | None,
    country_year: pd.DataFrame | None,
    members: pd.DataFrame,
    types: Sequence[str] = AGREEMENT_TYPES,
    gdppc: str = "gdppc_real",
) -> pd.DataFrame:
    """Country-year diffusion terms ``{k}_diffusion_export`` and ``{k}_diffusion_income``.

    ``members``: columns code, year — the competitors considered in each year (state-system members).
    Returns columns ``code, year`` and the terms; the value at t uses information up to t-1.
    """
    start, end = int(members["year"].min()), int(members["year"].max())
    counts = {k: agreements_by_country(agreements, k, start - 1, end) for k in types}
    if trade is not None:
        trade = trade.loc[(trade["year"] >= start - 30) & (trade["year"] <= end)]
    shares = export_shares(trade) if trade is not None else {}
    share_years = np.array(sorted(shares))
    gd = None
    if country_year is not None:
        gd = country_year[["code", "year", gdppc]].dropna()
        gd = gd.loc[gd[gdppc] > 0]
    frames = []
    for t in range(start, end + 1):
        codes = pd.Index(sorted(members.loc[members["year"] == t, "code"].astype(str)))
        prev = t - 1
        res = pd.DataFrame({"code": codes, "year": t})
        w_exp = None
        if len(share_years):
            usable = share_years[share_years <= prev]
            if len(usable):
                sh = shares[int(usable[-1])]
                sh = sh.loc[sh.index.intersection(codes)]
                sim = _cosine(sh)
                w_exp = sim.reindex(index=codes, columns=codes)
        w_inc = None
        if gd is not None:
            g = gd.loc[gd["year"] == prev].set_index("code")[gdppc].astype(float)
            g = g.loc[g.index.intersection(codes)]
            lg = np.log(g)
            sim = np.exp(-np.abs(lg.to_numpy()[:, None] - lg.to_numpy()[None, :]))
            w_inc = pd.DataFrame(sim, index=lg.index, columns=lg.index).reindex(
                index=codes, columns=codes
            )
        for k in types:
            c_prev = counts[k].loc[prev] if prev in counts[k].index else pd.Series(dtype=float)
            c_prev = c_prev.reindex(codes, fill_value=0.0)
            for name, w in (("export", w_exp), ("income", w_inc)):
                col = f"{k}_diffusion_{name}"
                res[col] = np.nan if w is None else _weighted_mean(w, c_prev).to_numpy()
        frames.append(res)
    return pd.concat(frames, ignore_index=True)


def add_diffusion(
    panel: pd.DataFrame,
    agreements: pd.DataFrame | None = None,
    trade: pd.DataFrame | None = None,
    country_year: pd.DataFrame | None = None,
    types: Sequence[str] = AGREEMENT_TYPES,
) -> pd.DataFrame:
    """Add ``{k}_diffusion_export_{i,j}`` and ``{k}_diffusion_income_{i,j}`` for each type k.

    Competitors in year t are the members of the panel in year t. Inputs default to
    ``polecon.load`` of ``agreements``, ``trade_flows`` and ``country_year``.
    """
    from polecon.sources import load

    agreements = load("agreements") if agreements is None else agreements
    trade = load("trade_flows") if trade is None else trade
    country_year = load("country_year") if country_year is None else country_year
    members = pd.concat(
        [
            panel[["i", "year"]].rename(columns={"i": "code"}),
            panel[["j", "year"]].rename(columns={"j": "code"}),
        ]
    ).drop_duplicates()
    terms = diffusion_terms(agreements, trade, country_year, members, types)
    terms = terms.astype({"code": object})
    out = panel.copy(deep=False)
    for side in ("i", "j"):
        keys = pd.DataFrame(
            {
                "code": panel[side].to_numpy(dtype=object),
                "year": panel["year"].to_numpy().astype(np.int64),
            }
        )
        merged = keys.merge(
            terms.assign(year=terms["year"].astype(np.int64)),
            on=["code", "year"],
            how="left",
            sort=False,
        )
        for k in types:
            for name in ("export", "income"):
                out[f"{k}_diffusion_{name}_{side}"] = merged[f"{k}_diffusion_{name}"].to_numpy(
                    dtype=float
                )
    return out
