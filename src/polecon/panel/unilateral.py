"""The destination's unilateral option (HYPOTHESES s.4, H2).

For the pair's destination member d (from :func:`polecon.panel.roles.add_roles`) at year t:

- ``dest_origin_diversity``: 1 - HHI_d, HHI_d = sum_o s_od^2, s_od = o's share of d's immigrant
  stock (latest wave at or before t);
- ``dest_n_origins``: origins with at least ``min_migrants`` (1,000) migrants in d;
- ``dest_labour_pool``: sum of pop_o over countries o with real GDP per capita < gdppc_d / 4 (year t);
- ``dest_labour_pool_dw``: the same, each pop_o divided by dist_od in km;
- ``origin_share``: s_od for the pair's origin member (indispensability).

Columns are symmetric in the directed panel: (i, j) and (j, i) carry the same values.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel._keys import YEAR0, YEAR_SPAN, DyadKeys, encode, pack, require_directed, take
from polecon.panel.flows import MIGRATION_SERIES


def destination_measures(stocks: pd.DataFrame, min_migrants: float = 1_000.0) -> pd.DataFrame:
    """Per (series, destination, wave year): ``diversity, n_origins, total``.

    ``stocks``: columns origin, destination, year, stock, series (canonical codes, persons).
    Origins equal to the destination and NA stocks are ignored. ``diversity`` = 1 - sum_o s_od^2,
    NA when the destination's total stock is 0.
    """
    s = stocks.loc[(stocks["origin"] != stocks["destination"]) & stocks["stock"].notna()]
    keys = ["series", "destination", "year"]
    g = s.groupby(keys, sort=True, observed=True)["stock"]
    total = g.transform("sum")
    share = (s["stock"] / total).where(total > 0)
    tmp = s.assign(share2=share**2, big=(s["stock"] >= min_migrants).astype(np.int64))
    g2 = tmp.groupby(keys, sort=True, observed=True)
    agg = pd.DataFrame(
        {"hhi": g2["share2"].sum(), "n_origins": g2["big"].sum(), "total": g2["stock"].sum()}
    )
    agg["diversity"] = (1.0 - agg["hhi"]).where(agg["total"] > 0)
    return agg.reset_index()[[*keys, "diversity", "n_origins", "total"]]


def _latest_grid(
    codes: np.ndarray, years: np.ndarray, n_codes: int, y0: int, n_years: int
) -> np.ndarray:
    """Dense (n_codes, n_years) array of the latest wave year <= t per code (NaN if none)."""
    grid = np.full((n_codes, n_years), np.nan)
    ok = (codes >= 0) & (years >= y0) & (years < y0 + n_years)
    early = (codes >= 0) & (years < y0)
    for c, y in zip(codes[early], years[early], strict=True):  # waves before the panel start
        grid[c, 0] = y if np.isnan(grid[c, 0]) else max(grid[c, 0], y)
    grid[codes[ok], years[ok] - y0] = years[ok]
    # forward fill along years
    idx = np.where(~np.isnan(grid), np.arange(n_years)[None, :], -1)
    last = np.maximum.accumulate(idx, axis=1)
    filled = np.take_along_axis(grid, np.maximum(last, 0), axis=1)
    filled[last < 0] = np.nan
    return filled


def labour_pool(
    country_year: pd.DataFrame,
    pairs: pd.DataFrame | None,
    members: pd.DataFrame | None = None,
    gdppc: str = "gdppc_real",
    population: Sequence[str] = ("pop_wb", "pop_pwt", "pop_mpd"),
    ratio: float = 4.0,
) -> pd.DataFrame:
    """Per (destination code, year): the labour pool and the distance-weighted pool.

    ``labour_pool`` = sum of pop_o over origins o != d with gdppc_o < gdppc_d / ``ratio``;
    ``labour_pool_dw`` = the same sum of pop_o / dist_od (km), over the origins with a known
    distance; ``labour_pool_dw_complete`` says whether every counted origin had one.
    Origins (and destinations) are restricted to ``members`` (columns code, year: e.g. the
    state-system members of each year); None uses every country-year row. Population comes from
    the first available of ``population`` (persons): World Bank, then PWT, then Maddison.
    """
    pop = pd.Series(np.nan, index=country_year.index)
    for col in population:
        if col in country_year.columns:
            pop = pop.fillna(country_year[col].astype(float))
    cy = country_year[["code", "year", gdppc]].assign(pop=pop).dropna()
    cy = cy.astype({"code": object})
    if members is not None:
        m = members[["code", "year"]].astype({"code": object}).drop_duplicates()
        cy = cy.merge(m, on=["code", "year"], how="inner")
    dist_lookup = None
    if pairs is not None:
        d = pairs[["i", "j", "dist"]].dropna()
        dist_lookup = d.astype({"i": object, "j": object}).set_index(["i", "j"])["dist"]
    rows = []
    for year, grp in cy.groupby("year", sort=True):
        codes = grp["code"].to_numpy()
        g = grp[gdppc].to_numpy(dtype=float)
        pop_o = grp["pop"].to_numpy(dtype=float)
        poor = g[None, :] < (g[:, None] / ratio)  # [d, o]
        np.fill_diagonal(poor, False)
        pool = poor @ pop_o
        pool_dw = np.full(len(codes), np.nan)
        complete = np.zeros(len(codes), dtype=bool)
        if dist_lookup is not None:
            idx = pd.MultiIndex.from_arrays(
                [np.repeat(codes, len(codes)), np.tile(codes, len(codes))]
            )
            dist = dist_lookup.reindex(idx).to_numpy(dtype=float).reshape(len(codes), len(codes))
            has = dist > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                contrib = np.where(poor & has, pop_o[None, :] / dist, 0.0)
            pool_dw = contrib.sum(axis=1)
            complete = ~(poor & ~has).any(axis=1)
        rows.append(
            pd.DataFrame(
                {
                    "code": codes,
                    "year": year,
                    "labour_pool": pool,
                    "labour_pool_dw": pool_dw,
                    "labour_pool_dw_complete": complete,
                }
            )
        )
    if not rows:
        return pd.DataFrame(
            columns=["code", "year", "labour_pool", "labour_pool_dw", "labour_pool_dw_complete"]
        )
    return pd.concat(rows, ignore_index=True)


def add_unilateral_option(
    panel: pd.DataFrame,
    stocks: pd.DataFrame | None = None,
    country_year: pd.DataFrame | None = None,
    pairs: pd.DataFrame | None = None,
    series: Sequence[str] = ("undesa2019", "wb"),
    min_migrants: float = 1_000.0,
    ratio: float = 4.0,
) -> pd.DataFrame:
    """Add the unilateral-option measures for each pair's destination member.

    ``series`` gives the migrant-stock series in priority order: for each destination and year
    the latest wave at or before t of the first series that has one is used. Needs
    ``i_is_destination`` (run :func:`add_roles` first). Inputs default to ``polecon.load(...)``
    of ``migration_stocks`` (successors summed into predecessors), ``country_year`` and
    ``gravity_pairs``.
    """
    require_directed(panel, "add_unilateral_option")
    if "i_is_destination" not in panel.columns:
        raise KeyError("add_unilateral_option needs i_is_destination: run add_roles() first")
    from polecon.panel.flows import aggregate_successors
    from polecon.sources import load

    stocks = aggregate_successors(load("migration_stocks")) if stocks is None else stocks
    country_year = load("country_year") if country_year is None else country_year
    pairs = load("gravity_pairs") if pairs is None else pairs
    for s in series:
        if s not in MIGRATION_SERIES:
            raise ValueError(f"unknown series {s!r}; known {list(MIGRATION_SERIES)}")
    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    dest_is_i = panel["i_is_destination"].to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(dest_is_i)
    d = np.where(dest_is_i == 1.0, keys.i, keys.j)
    o = np.where(dest_is_i == 1.0, keys.j, keys.i)
    n = len(panel)
    year_abs = keys.year + YEAR0
    y0 = int(min(year_abs.min(initial=2100), 1900))
    n_years = int(year_abs.max(initial=1900)) - y0 + 1
    t_idx = year_abs - y0
    diversity = np.full(n, np.nan)
    n_origins = np.full(n, np.nan)
    share = np.full(n, np.nan)
    done = np.zeros(n, dtype=bool)
    measures = destination_measures(stocks, min_migrants)
    for s in series:
        m = measures.loc[measures["series"] == s]
        md = encode(m["destination"], keys.cats)
        my = m["year"].to_numpy(dtype=np.int64)
        wave_grid = _latest_grid(md, my, keys.n, y0, n_years)
        wave = np.where(d >= 0, wave_grid[np.maximum(d, 0), t_idx], np.nan)
        take_rows = ~done & known & ~np.isnan(wave)
        if not take_rows.any():
            continue
        wave_key = pack(
            np.where(take_rows, d, -1),
            np.nan_to_num(wave, nan=-1).astype(np.int64) - YEAR0,
            sizes=(keys.n, YEAR_SPAN),
        )
        mk = pack(md, my - YEAR0, sizes=(keys.n, YEAR_SPAN))
        diversity[take_rows] = take(
            mk, m["diversity"].to_numpy(dtype=float), wave_key, "destination measures"
        )[take_rows]
        n_origins[take_rows] = take(
            mk, m["n_origins"].to_numpy(dtype=float), wave_key, "destination measures"
        )[take_rows]
        st = stocks.loc[
            (stocks["series"] == s)
            & stocks["stock"].notna()
            & (stocks["origin"] != stocks["destination"])
        ]
        tot = st.groupby(["destination", "year"], observed=True)["stock"].transform("sum")
        sh = (st["stock"] / tot).where(tot > 0).to_numpy(dtype=float)
        sk = keys.table_key(st["origin"], st["destination"], st["year"])
        want = pack(
            np.where(take_rows, o, -1),
            np.where(take_rows, d, -1),
            np.nan_to_num(wave, nan=-1).astype(np.int64) - YEAR0,
            sizes=(keys.n, keys.n, YEAR_SPAN),
        )
        got = take(sk, sh, want, "migrant-stock shares")
        # an origin absent from the destination's wave has a share of 0 in that wave
        share[take_rows] = np.nan_to_num(got[take_rows], nan=0.0)
        done |= take_rows
    members = pd.DataFrame(
        {
            "code": np.concatenate([keys.cats[keys.i], keys.cats[keys.j]]),
            "year": np.concatenate([year_abs, year_abs]),
        }
    ).drop_duplicates()
    pool = labour_pool(country_year, pairs, members=members, ratio=ratio)
    pk = keys.table_country_key(pool["code"], pool["year"])
    want = pack(np.where(known, d, -1), keys.year, sizes=(keys.n, YEAR_SPAN))
    out = panel.copy(deep=False)
    out["dest_origin_diversity"] = diversity
    out["dest_n_origins"] = pd.array(n_origins, dtype="Float64").astype("Int32")
    out["dest_labour_pool"] = take(
        pk, pool["labour_pool"].to_numpy(dtype=float), want, "labour pool"
    )
    out["dest_labour_pool_dw"] = take(
        pk, pool["labour_pool_dw"].to_numpy(dtype=float), want, "labour pool"
    )
    out["origin_share"] = share
    return out
