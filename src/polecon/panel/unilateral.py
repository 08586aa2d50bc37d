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

from polecon.panel.flows import MIGRATION_SERIES


def destination_measures(stocks: pd.DataFrame, min_migrants: float = 1_000.0) -> pd.DataFrame:
    """Per (destination, wave year, series): ``diversity, n_origins, total``.

    ``stocks``: columns origin, destination, year, stock, series (canonical codes, persons).
    Origins equal to the destination are ignored; NA stocks are ignored.
    """
    s = stocks.loc[(stocks["origin"] != stocks["destination"]) & stocks["stock"].notna()]
    g = s.groupby(["series", "destination", "year"], sort=True, observed=True)["stock"]
    total = g.transform("sum")
    share = (s["stock"] / total).where(total > 0)
    tmp = s.assign(share2=share**2, big=(s["stock"] >= min_migrants))
    agg = tmp.groupby(["series", "destination", "year"], sort=True, observed=True).agg(
        hhi=("share2", lambda x: x.sum(min_count=1)),
        n_origins=("big", "sum"),
        total=("stock", "sum"),
    )
    agg["diversity"] = 1.0 - agg["hhi"]
    agg.loc[agg["total"] <= 0, "diversity"] = np.nan
    return agg.reset_index()[["series", "destination", "year", "diversity", "n_origins", "total"]]


def _asof(
    keys: pd.DataFrame, table: pd.DataFrame, by: list[str], value_cols: list[str]
) -> pd.DataFrame:
    """For each row of ``keys`` (by + year), the latest row of ``table`` with year <= key year.

    Computed on the distinct keys, then broadcast back; returns ``value_cols`` aligned with ``keys``.
    """
    k = keys.astype({c: object for c in by}).assign(year=keys["year"].astype(np.int64))
    uniq = k.drop_duplicates().sort_values("year", kind="stable")
    t = table.astype({c: object for c in by}).assign(year=table["year"].astype(np.int64))
    t = t.sort_values("year", kind="stable")[[*by, "year", *value_cols]]
    found = pd.merge_asof(uniq, t, on="year", by=by, direction="backward")
    back = k.merge(found, on=[*by, "year"], how="left", sort=False)
    return back[value_cols]


def labour_pool(
    country_year: pd.DataFrame,
    pairs: pd.DataFrame | None,
    gdppc: str = "gdppc_real",
    population: str = "pop",
    ratio: float = 4.0,
) -> pd.DataFrame:
    """Per (destination code, year): labour pool and distance-weighted pool.

    ``country_year`` needs ``code, year, {gdppc}, {population}`` (population in persons);
    ``pairs`` needs ``i, j, dist`` (km) for the weighted pool (None: weighted pool is NA).
    """
    cy = country_year[["code", "year", gdppc, population]].dropna()
    cy = cy.astype({"code": object})
    rows = []
    dist_lookup = None
    if pairs is not None:
        d = pairs[["i", "j", "dist"]].dropna()
        dist_lookup = d.astype({"i": object, "j": object}).set_index(["i", "j"])["dist"]
    for year, grp in cy.groupby("year", sort=True):
        codes = grp["code"].to_numpy()
        g = grp[gdppc].to_numpy(dtype=float)
        pop = grp[population].to_numpy(dtype=float)
        poor = g[None, :] < (g[:, None] / ratio)  # [d, o]
        np.fill_diagonal(poor, False)
        pool = poor @ pop
        if dist_lookup is not None:
            idx = pd.MultiIndex.from_arrays(
                [np.repeat(codes, len(codes)), np.tile(codes, len(codes))]
            )
            dist = dist_lookup.reindex(idx).to_numpy(dtype=float).reshape(len(codes), len(codes))
            with np.errstate(divide="ignore", invalid="ignore"):
                contrib = np.where(poor & (dist > 0), pop[None, :] / dist, 0.0)
            missing_dist = poor & ~(dist > 0)
            pool_dw = contrib.sum(axis=1)
            pool_dw[missing_dist.any(axis=1)] = np.nan  # a poor origin without a distance: unknown
        else:
            pool_dw = np.full(len(codes), np.nan)
        rows.append(
            pd.DataFrame(
                {"code": codes, "year": year, "labour_pool": pool, "labour_pool_dw": pool_dw}
            )
        )
    if not rows:
        return pd.DataFrame(columns=["code", "year", "labour_pool", "labour_pool_dw"])
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

    ``series`` gives the migrant-stock series in priority order: for each year the latest wave
    at or before t of the first series that has one for d is used. Needs ``i_is_destination``
    (run :func:`add_roles` first). Inputs default to ``polecon.load(...)`` of ``migration_stocks``
    (successors summed into predecessors), ``country_year`` and ``gravity_pairs``.
    """
    if "i_is_destination" not in panel.columns:
        raise KeyError("add_unilateral_option needs i_is_destination: run add_roles() first")
    from polecon.panel.flows import aggregate_successors

    if stocks is None:
        from polecon.sources import load

        stocks = aggregate_successors(load("migration_stocks"))
    if country_year is None:
        from polecon.sources import load

        country_year = load("country_year")
    if pairs is None:
        from polecon.sources import load

        pairs = load("gravity_pairs")
    for s in series:
        if s not in MIGRATION_SERIES:
            raise ValueError(f"unknown series {s!r}; known {list(MIGRATION_SERIES)}")
    dest_is_i = panel["i_is_destination"].to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(dest_is_i)
    d_code = np.where(
        dest_is_i == 1.0, panel["i"].to_numpy(dtype=object), panel["j"].to_numpy(dtype=object)
    )
    o_code = np.where(
        dest_is_i == 1.0, panel["j"].to_numpy(dtype=object), panel["i"].to_numpy(dtype=object)
    )
    years = panel["year"].to_numpy().astype(np.int64)
    n = len(panel)
    diversity = np.full(n, np.nan)
    n_origins = np.full(n, np.nan)
    share = np.full(n, np.nan)
    done_d = np.zeros(n, dtype=bool)
    done_s = np.zeros(n, dtype=bool)
    measures = destination_measures(stocks, min_migrants)
    for s in series:
        m = measures.loc[measures["series"] == s]
        keys = pd.DataFrame({"destination": d_code, "year": years})
        got = _asof(
            keys, m.assign(wave=m["year"]), ["destination"], ["diversity", "n_origins", "wave"]
        )
        take = ~done_d & known & got["diversity"].notna().to_numpy()
        diversity[take] = got["diversity"].to_numpy(dtype=float)[take]
        n_origins[take] = got["n_origins"].to_numpy(dtype=float)[take]
        done_d |= take
        st = stocks.loc[(stocks["series"] == s) & stocks["stock"].notna()]
        st = st.loc[st["origin"] != st["destination"]]
        tot = st.groupby(["destination", "year"], observed=True)["stock"].transform("sum")
        st = st.assign(share=(st["stock"] / tot).where(tot > 0))
        keys2 = pd.DataFrame({"origin": o_code, "destination": d_code, "year": years})
        # an origin absent from a destination's wave has share 0 in that wave: take d's latest wave
        wave = got["wave"].to_numpy(dtype=float, na_value=np.nan)
        keys2["year"] = np.where(np.isnan(wave), -1, wave).astype(np.int64)
        look = keys2.merge(
            st[["origin", "destination", "year", "share"]].astype(
                {"origin": object, "destination": object}
            ),
            on=["origin", "destination", "year"],
            how="left",
            sort=False,
        )["share"].to_numpy(dtype=float, na_value=np.nan)
        has_wave = ~np.isnan(wave)
        look = np.where(has_wave & np.isnan(look), 0.0, look)
        take_s = ~done_s & known & has_wave
        share[take_s] = look[take_s]
        done_s |= take_s
    pool = labour_pool(country_year, pairs, ratio=ratio)
    keys = pd.DataFrame({"code": d_code, "year": years})
    merged = keys.merge(pool.astype({"code": object}), on=["code", "year"], how="left", sort=False)
    out = panel.copy(deep=False)
    out["dest_origin_diversity"] = diversity
    out["dest_n_origins"] = pd.array(n_origins, dtype="Float64").astype("Int32")
    lp = merged["labour_pool"].to_numpy(dtype=float, na_value=np.nan)
    lpdw = merged["labour_pool_dw"].to_numpy(dtype=float, na_value=np.nan)
    lp[~known] = np.nan
    lpdw[~known] = np.nan
    out["dest_labour_pool"] = lp
    out["dest_labour_pool_dw"] = lpdw
    out["origin_share"] = share
    return out
