"""Flows on the panel: trade, migrant stocks (two series), and two-way (reciprocity) indices.

Values are NA outside each source's coverage and never 0 there (HYPOTHESES s.1, s.3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from polecon.panel._keys import DyadKeys, gather, group_order, positions, require_directed, take

#: migration series in the source table -> column suffix in the panel
MIGRATION_SERIES: dict[str, str] = {
    "wb": "wb",
    "undesa2019": "undesa",
    "undesa2020": "undesa2020",
    "undesa2024": "undesa2024",
}


def _lookup_directed(
    keys: DyadKeys,
    table: pd.DataFrame,
    src_cols: tuple[str, str],
    value: str,
    reverse: bool = False,
) -> np.ndarray:
    """Values of ``table[value]`` at (i, j, year) (or (j, i, year) if ``reverse``) for each panel row."""
    tk = keys.table_key(table[src_cols[0]], table[src_cols[1]], table["year"])
    vals = table[value].to_numpy(dtype=np.float64, na_value=np.nan)
    return take(tk, vals, keys.key(swap=reverse), f"flow table ({value})")


def add_trade(
    panel: pd.DataFrame,
    trade: pd.DataFrame | None = None,
    fill: pd.DataFrame | None = None,
    fill_country: str = "DEU",
    fill_years: tuple[int, int] = (1960, 1990),
) -> pd.DataFrame:
    """Add ``exports_ij`` and ``exports_ji`` (current USD) from COW dyadic trade (1870-2014),
    with per-cell source flags ``exports_ij_source`` / ``exports_ji_source`` ("cow",
    "tradhist", <NA> = missing).

    ``trade`` defaults to ``polecon.load("trade_flows")`` (columns exporter, importer, year,
    value_usd). Zeros stay zeros; missing and uncovered years (after 2014) stay NA. ``fill``
    (e.g. ``polecon.load("tradhist_deu")``, same columns) fills the cells that COW leaves
    missing in dyads of ``fill_country`` in ``fill_years`` (inclusive): West Germany 1960-1990,
    which COW 4.0 has trading only with Belgium and Luxembourg (issue 11 B).
    """
    require_directed(panel, "add_trade")
    if trade is None:
        from polecon.sources import load

        trade = load("trade_flows")
    out = panel.copy(deep=False)
    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    year = panel["year"].to_numpy()
    in_window = (year >= fill_years[0]) & (year <= fill_years[1])
    for col, reverse in (("exports_ij", False), ("exports_ji", True)):
        v = _lookup_directed(keys, trade, ("exporter", "importer"), "value_usd", reverse=reverse)
        src = np.where(np.isnan(v), None, "cow").astype(object)
        if fill is not None and len(fill):
            f = _lookup_directed(keys, fill, ("exporter", "importer"), "value_usd", reverse=reverse)
            party = (panel["i"] == fill_country) | (panel["j"] == fill_country)
            use = np.isnan(v) & ~np.isnan(f) & in_window & party.to_numpy(dtype=bool)
            v = np.where(use, f, v)
            src[use] = "tradhist"
        out[col] = v
        out[f"{col}_source"] = pd.array(src, dtype="string")
    return out


def aggregate_successors(stocks: pd.DataFrame) -> pd.DataFrame:
    """Sum successor territories into their predecessor state in years before they existed.

    Sources on today's borders (World Bank, UN DESA) report e.g. Croatia in 1960; HYPOTHESES s.1
    sums such territories into the predecessor (Yugoslavia = SRB). Returns the table with
    columns ``origin, destination, year, stock, series, successor_summed`` (flag).
    """
    from polecon.countries import predecessor

    s = stocks.copy()
    o = predecessor(s["origin"], s["year"])
    d = predecessor(s["destination"], s["year"])
    changed = (o.to_numpy() != s["origin"].to_numpy()) | (
        d.to_numpy() != s["destination"].to_numpy()
    )
    s["origin"] = o.to_numpy()
    s["destination"] = d.to_numpy()
    s["successor_summed"] = changed
    s = s.loc[s["origin"] != s["destination"]]
    if not changed.any():
        return s.reset_index(drop=True)
    g = s.groupby(["origin", "destination", "year", "series"], sort=True, observed=True)
    agg = pd.DataFrame(
        {"stock": g["stock"].sum(min_count=1), "successor_summed": g["successor_summed"].any()}
    )
    return agg.reset_index()


def _interpolate_within(keys: DyadKeys, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation in year within each dyad, between observed waves only.

    Returns the filled values (aligned with the panel) and a mask of the cells that were filled.
    """
    order, gid = group_order(keys)
    year = keys.year[order].astype(np.float64)
    v = np.asarray(values, dtype=np.float64)[order]
    obs = ~np.isnan(v)
    idx = np.arange(len(v))
    prev_pos = np.maximum.accumulate(np.where(obs, idx, -1))
    next_pos = np.minimum.accumulate(np.where(obs, idx, len(v))[::-1])[::-1]
    ok = (~obs) & (prev_pos >= 0) & (next_pos < len(v))
    ok[ok] &= (gid[prev_pos[ok]] == gid[ok]) & (gid[next_pos[ok]] == gid[ok])
    filled = v.copy()
    p, q = prev_pos[ok], next_pos[ok]
    filled[ok] = v[p] + (year[ok] - year[p]) / (year[q] - year[p]) * (v[q] - v[p])
    out = np.empty_like(filled)
    out[order] = filled
    mask = np.zeros(len(v), dtype=bool)
    mask[order[ok]] = True
    return out, mask


def add_migration(
    panel: pd.DataFrame,
    stocks: pd.DataFrame | None = None,
    interpolate: bool = False,
    sum_successors: bool = True,
) -> pd.DataFrame:
    """Add migrant stocks in both directions for each series.

    Columns ``migrants_ij_wb`` (born in i, living in j), ``migrants_ji_wb``, ``migrants_ij_undesa``,
    ``migrants_ji_undesa`` (persons), ``migration_successor_summed`` and, when ``interpolate`` is
    True, ``migration_interpolated``. Values exist only in wave years unless ``interpolate``
    (linear, between waves of the same series and pair, never extrapolated).
    """
    require_directed(panel, "add_migration")
    if stocks is None:
        from polecon.sources import load

        stocks = load("migration_stocks")
    if "successor_summed" in stocks.columns:  # already aggregated by aggregate_successors()
        st = stocks
    else:
        st = (
            aggregate_successors(stocks)
            if sum_successors
            else stocks.assign(successor_summed=False)
        )
    out = panel.copy(deep=False)
    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    summed = np.zeros(len(out), dtype=bool)
    interpolated = np.zeros(len(out), dtype=bool)
    for series, suffix in MIGRATION_SERIES.items():
        sub = st.loc[st["series"] == series]
        tk = keys.table_key(sub["origin"], sub["destination"], sub["year"])
        stock = sub["stock"].to_numpy(dtype=np.float64, na_value=np.nan)
        flag = sub["successor_summed"].to_numpy(dtype=np.float64)
        for direction, reverse in (("ij", False), ("ji", True)):
            pos = positions(tk, keys.key(swap=reverse), f"migration stocks ({series})")
            out[f"migrants_{direction}_{suffix}"] = gather(stock, pos)
            summed |= gather(flag, pos) == 1.0
    if interpolate:
        for suffix in MIGRATION_SERIES.values():
            for direction in ("ij", "ji"):
                col = f"migrants_{direction}_{suffix}"
                filled, was = _interpolate_within(keys, out[col].to_numpy(dtype=np.float64))
                out[col] = filled
                interpolated |= was
        out["migration_interpolated"] = interpolated
    out["migration_successor_summed"] = summed
    return out


def twoway_index(
    f_ab: pd.Series | np.ndarray, f_ba: pd.Series | np.ndarray, missing: str = "na"
) -> np.ndarray:
    """Two-way index ``1 - |F_ab - F_ba| / (F_ab + F_ba)`` in [0, 1] (HYPOTHESES s.4, H1).

    1 for a balanced two-way flow, 0 for a one-way flow, NA when both flows are 0.
    ``missing`` says what a missing flow means: ``"na"`` (default) makes the index NA when either
    flow is missing, since a flow outside a source's coverage is unknown, not zero; ``"zero"``
    reads a missing flow as 0 when the other is known (the index is then NA only when both
    flows are 0 or missing), a literal reading of the specification that turns coverage gaps
    into one-way flows.
    """
    if missing not in ("na", "zero"):
        raise ValueError(f"missing must be 'na' or 'zero', not {missing!r}")
    a = np.asarray(f_ab, dtype=np.float64)
    b = np.asarray(f_ba, dtype=np.float64)
    if (a < 0).any() or (b < 0).any():
        raise ValueError("flows must be non-negative")
    if missing == "zero":
        both_missing = np.isnan(a) & np.isnan(b)
        a = np.where(np.isnan(a) & ~both_missing, 0.0, a)
        b = np.where(np.isnan(b) & ~both_missing, 0.0, b)
    total = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        r = 1.0 - np.abs(a - b) / total
    r[~(total > 0)] = np.nan
    return r


def add_reciprocity(panel: pd.DataFrame, missing: str = "na") -> pd.DataFrame:
    """Add ``twoway_trade``, ``twoway_migration_wb`` and ``twoway_migration_undesa``.

    Needs the columns of :func:`add_trade` and :func:`add_migration`; ``missing`` as in
    :func:`twoway_index` (default: NA when either flow is missing or both are 0).
    """
    require_directed(panel, "add_reciprocity")
    need = ["exports_ij", "exports_ji"] + [
        f"migrants_{d}_{s}" for s in MIGRATION_SERIES.values() for d in ("ij", "ji")
    ]
    absent = [c for c in need if c not in panel.columns]
    if absent:
        raise KeyError(f"add_reciprocity needs {absent}: run add_trade() and add_migration() first")
    out = panel.copy(deep=False)
    out["twoway_trade"] = twoway_index(out["exports_ij"], out["exports_ji"], missing)
    for s in MIGRATION_SERIES.values():
        out[f"twoway_migration_{s}"] = twoway_index(
            out[f"migrants_ij_{s}"], out[f"migrants_ji_{s}"], missing
        )
    return out
