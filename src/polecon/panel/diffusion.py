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

from polecon.panel._keys import YEAR0, DyadKeys, encode, require_directed, take
from polecon.panel.agreements import TYPE_MEMBERS
from polecon.panel.dictionary import AGREEMENT_TYPES


def agreements_by_country(
    agreements: pd.DataFrame, k: str, cats: np.ndarray, y0: int, n_years: int
) -> np.ndarray:
    """Dense (n_years, n_codes) count of type-k agreements each country had signed by each year.

    Each agreement counts once per country; signatures before ``y0`` count from ``y0``.
    """
    sub = agreements.loc[agreements["type"].isin(TYPE_MEMBERS[k])]
    sy = pd.to_datetime(sub["signed"]).dt.year.to_numpy(dtype=float, na_value=np.nan)
    codes = np.concatenate([encode(sub["party_a"], cats), encode(sub["party_b"], cats)])
    ids = np.concatenate([sub["agreement_id"].to_numpy(dtype=object)] * 2)
    years = np.concatenate([sy, sy])
    frame = pd.DataFrame({"code": codes, "id": ids, "sy": years})
    frame = frame.loc[(frame["code"] >= 0) & frame["sy"].notna()]
    first = frame.groupby(["code", "id"], sort=False)["sy"].min().reset_index()
    grid = np.zeros((n_years + 1, len(cats)))
    col = np.clip(first["sy"].to_numpy(dtype=np.int64) - y0, 0, n_years)
    np.add.at(grid, (col, first["code"].to_numpy(dtype=np.int64)), 1.0)
    return np.cumsum(grid[:n_years], axis=0)


def export_share_matrices(
    trade: pd.DataFrame, cats: np.ndarray, years: range
) -> dict[int, np.ndarray]:
    """Per year, a dense (n_codes, n_codes) matrix of export-destination shares (rows sum to 1 or 0)."""
    t = trade.loc[
        trade["year"].isin(list(years)) & trade["value_usd"].notna() & (trade["value_usd"] > 0)
    ]
    ex = encode(t["exporter"], cats)
    im = encode(t["importer"], cats)
    ok = (ex >= 0) & (im >= 0) & (ex != im)
    yr = t["year"].to_numpy(dtype=np.int64)[ok]
    ex, im = ex[ok], im[ok]
    val = t["value_usd"].to_numpy(dtype=float)[ok]
    out: dict[int, np.ndarray] = {}
    n = len(cats)
    for y in np.unique(yr):
        sel = yr == y
        m = np.zeros((n, n))
        np.add.at(m, (ex[sel], im[sel]), val[sel])
        total = m.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[int(y)] = np.where(total > 0, m / total, 0.0)
    return out


def _cosine(shares: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(shares, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = (shares @ shares.T) / np.outer(norm, norm)
    sim[~np.isfinite(sim)] = np.nan
    return sim


def _weighted_mean(
    weights: np.ndarray, counts: np.ndarray, rows: np.ndarray, members: np.ndarray
) -> np.ndarray:
    """Weighted mean of ``counts`` over each row country's competitors.

    ``weights``: (n_codes, n_codes) similarities; ``rows``: the codes to compute for; competitors
    are the ``members`` (bool mask over codes) other than the row country itself. Weights are
    normalised to sum to 1; NA when no competitor has a weight.
    """
    w = np.where(np.isnan(weights[rows]), 0.0, weights[rows]) * members[None, :]
    w[np.arange(len(rows)), rows] = 0.0
    tot = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        val = (w @ counts) / tot
    val[tot <= 0] = np.nan
    return val


def diffusion_terms(
    agreements: pd.DataFrame,
    trade: pd.DataFrame | None,
    country_year: pd.DataFrame | None,
    members: pd.DataFrame,
    types: Sequence[str] = AGREEMENT_TYPES,
    gdppc: str = "gdppc_real",
) -> pd.DataFrame:
    """Country-year diffusion terms ``{k}_diffusion_export`` and ``{k}_diffusion_income``.

    ``members``: columns code, year: the countries in the system in each year; competitors of c
    in year t are the other members of year t. The value at t uses information up to t-1.
    Returns columns ``code, year`` and the terms, one row per member-year.
    """
    cats = np.unique(members["code"].astype(str).to_numpy(dtype=object))
    n = len(cats)
    start, end = int(members["year"].min()), int(members["year"].max())
    y0 = start - 1
    n_years = end - y0 + 1
    counts = {k: agreements_by_country(agreements, k, cats, y0, n_years) for k in types}
    member_grid = np.zeros((n_years, n), dtype=bool)
    mc = encode(members["code"], cats)
    member_grid[members["year"].to_numpy(dtype=np.int64) - y0, mc] = True
    shares: dict[int, np.ndarray] = {}
    if trade is not None:
        shares = export_share_matrices(trade, cats, range(start - 30, end + 1))
    share_years = np.array(sorted(shares))
    lg_grid = None
    if country_year is not None:
        gd = country_year[["code", "year", gdppc]].dropna()
        gd = gd.loc[(gd[gdppc] > 0) & (gd["year"] >= y0) & (gd["year"] <= end)]
        lg_grid = np.full((n_years, n), np.nan)
        gc = encode(gd["code"], cats)
        ok = gc >= 0
        lg_grid[gd["year"].to_numpy(dtype=np.int64)[ok] - y0, gc[ok]] = np.log(
            gd[gdppc].to_numpy(dtype=float)[ok]
        )
    frames = []
    for t in range(start, end + 1):
        row = t - y0
        prev = row - 1
        present = member_grid[row]
        codes_t = np.flatnonzero(present)
        res = {"code": cats[codes_t], "year": np.full(len(codes_t), t)}
        w_exp = None
        usable = share_years[share_years <= t - 1] if len(share_years) else share_years
        if len(usable):
            w_exp = _cosine(shares[int(usable[-1])])
        w_inc = None
        if lg_grid is not None:
            lg = lg_grid[prev]
            w_inc = np.exp(-np.abs(lg[:, None] - lg[None, :]))
        for k in types:
            c_prev = counts[k][prev]
            for name, w in (("export", w_exp), ("income", w_inc)):
                col = f"{k}_diffusion_{name}"
                if w is None:
                    res[col] = np.full(len(codes_t), np.nan)
                else:
                    res[col] = _weighted_mean(w, c_prev, codes_t, present)
        frames.append(pd.DataFrame(res))
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
    require_directed(panel, "add_diffusion")
    from polecon.sources import load

    agreements = load("agreements") if agreements is None else agreements
    trade = load("trade_flows") if trade is None else trade
    country_year = load("country_year") if country_year is None else country_year
    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    members = pd.DataFrame(
        {
            "code": np.concatenate([keys.cats[keys.i], keys.cats[keys.j]]),
            "year": np.concatenate([keys.year, keys.year]) + YEAR0,
        }
    ).drop_duplicates()
    terms = diffusion_terms(agreements, trade, country_year, members, types)
    tk = keys.table_country_key(terms["code"], terms["year"])
    out = panel.copy(deep=False)
    for side in ("i", "j"):
        want = keys.country_key(side)
        for k in types:
            for name in ("export", "income"):
                col = f"{k}_diffusion_{name}"
                out[f"{col}_{side}"] = take(
                    tk, terms[col].to_numpy(dtype=float), want, "diffusion terms"
                )
    return out
