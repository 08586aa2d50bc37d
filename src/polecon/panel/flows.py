"""Flows on the panel: trade, migrant stocks (two series), and two-way (reciprocity) indices.

Values are NA outside each source's coverage and never 0 there (HYPOTHESES s.1, s.3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: migration series in the source table -> column suffix in the panel
MIGRATION_SERIES: dict[str, str] = {"wb": "wb", "undesa2019": "undesa"}


def _lookup_directed(
    panel: pd.DataFrame,
    table: pd.DataFrame,
    src_cols: tuple[str, str],
    value: str,
    reverse: bool = False,
) -> np.ndarray:
    """Values of ``table[value]`` at (i, j, year) (or (j, i, year) if ``reverse``) for each panel row."""
    a, b = ("j", "i") if reverse else ("i", "j")
    keys = pd.DataFrame(
        {
            src_cols[0]: panel[a].to_numpy(),
            src_cols[1]: panel[b].to_numpy(),
            "year": panel["year"].to_numpy().astype(np.int64),
        }
    )
    t = table[[src_cols[0], src_cols[1], "year", value]].copy()
    t["year"] = t["year"].astype(np.int64)
    for c in src_cols:
        t[c] = t[c].astype(keys[c].dtype)
    merged = keys.merge(t, on=[src_cols[0], src_cols[1], "year"], how="left", sort=False)
    if len(merged) != len(keys):
        raise ValueError(f"duplicated keys in the flow table for {value!r}")
    return merged[value].to_numpy(dtype=np.float64, na_value=np.nan)


def add_trade(panel: pd.DataFrame, trade: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add ``exports_ij`` and ``exports_ji`` (current USD) from COW dyadic trade (1870-2014).

    ``trade`` defaults to ``polecon.load("trade_flows")`` (columns exporter, importer, year,
    value_usd). Zeros stay zeros; missing and uncovered years (after 2014) stay NA.
    """
    if trade is None:
        from polecon.sources import load

        trade = load("trade_flows")
    out = panel.copy(deep=False)
    out["exports_ij"] = _lookup_directed(out, trade, ("exporter", "importer"), "value_usd")
    out["exports_ji"] = _lookup_directed(
        out, trade, ("exporter", "importer"), "value_usd", reverse=True
    )
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
    agg = s.groupby(["origin", "destination", "year", "series"], sort=True, observed=True).agg(
        stock=("stock", lambda x: x.sum(min_count=1)), successor_summed=("successor_summed", "any")
    )
    return agg.reset_index()


def _interpolate_within(frame: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """Linear interpolation of ``col`` in year within each (i, j), between observed waves only.

    Returns the filled values (aligned with ``frame``) and a mask of the cells that were filled.
    """
    order = np.lexsort((frame["year"].to_numpy(), frame["j"].to_numpy(), frame["i"].to_numpy()))
    i = frame["i"].to_numpy()[order]
    j = frame["j"].to_numpy()[order]
    year = frame["year"].to_numpy(dtype=np.float64)[order]
    v = frame[col].to_numpy(dtype=np.float64)[order]
    new_group = np.r_[True, (i[1:] != i[:-1]) | (j[1:] != j[:-1])]
    gid = np.cumsum(new_group) - 1
    obs = ~np.isnan(v)
    idx = np.arange(len(v))
    # previous and next observed position within the group
    prev_pos = np.where(obs, idx, -1)
    prev_pos = np.maximum.accumulate(prev_pos)
    next_pos = np.where(obs, idx, len(v))
    next_pos = np.minimum.accumulate(next_pos[::-1])[::-1]
    ok = (~obs) & (prev_pos >= 0) & (next_pos < len(v))
    ok[ok] &= (gid[prev_pos[ok]] == gid[ok]) & (gid[next_pos[ok]] == gid[ok])
    filled = v.copy()
    p, q = prev_pos[ok], next_pos[ok]
    frac = (year[ok] - year[p]) / (year[q] - year[p])
    filled[ok] = v[p] + frac * (v[q] - v[p])
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
    if stocks is None:
        from polecon.sources import load

        stocks = load("migration_stocks")
    st = aggregate_successors(stocks) if sum_successors else stocks.assign(successor_summed=False)
    out = panel.copy(deep=False)
    summed = np.zeros(len(out), dtype=bool)
    interpolated = np.zeros(len(out), dtype=bool)
    for series, suffix in MIGRATION_SERIES.items():
        sub = st.loc[st["series"] == series]
        for direction, reverse in (("ij", False), ("ji", True)):
            col = f"migrants_{direction}_{suffix}"
            out[col] = _lookup_directed(
                out, sub, ("origin", "destination"), "stock", reverse=reverse
            )
            flag = _lookup_directed(
                out,
                sub.assign(flag=sub["successor_summed"].astype(float)),
                ("origin", "destination"),
                "flag",
                reverse=reverse,
            )
            summed |= flag == 1.0
    if interpolate:
        for suffix in MIGRATION_SERIES.values():
            for direction in ("ij", "ji"):
                col = f"migrants_{direction}_{suffix}"
                filled, was = _interpolate_within(out, col)
                out[col] = filled
                interpolated |= was
        out["migration_interpolated"] = interpolated
    out["migration_successor_summed"] = summed
    return out


def twoway_index(f_ab: pd.Series | np.ndarray, f_ba: pd.Series | np.ndarray) -> np.ndarray:
    """Two-way index ``1 - |F_ab - F_ba| / (F_ab + F_ba)`` in [0, 1] (HYPOTHESES s.4, H1).

    NA when either flow is NA or both are 0; 1 for a balanced two-way flow, 0 for one-way.
    """
    a = np.asarray(f_ab, dtype=np.float64)
    b = np.asarray(f_ba, dtype=np.float64)
    if (a < 0).any() or (b < 0).any():
        raise ValueError("flows must be non-negative")
    total = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        r = 1.0 - np.abs(a - b) / total
    r[~(total > 0)] = np.nan
    return r


def add_reciprocity(panel: pd.DataFrame) -> pd.DataFrame:
    """Add ``twoway_trade``, ``twoway_migration_wb`` and ``twoway_migration_undesa``.

    Needs the columns of :func:`add_trade` and :func:`add_migration`.
    """
    need = ["exports_ij", "exports_ji"] + [
        f"migrants_{d}_{s}" for s in MIGRATION_SERIES.values() for d in ("ij", "ji")
    ]
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise KeyError(
            f"add_reciprocity needs {missing}: run add_trade() and add_migration() first"
        )
    out = panel.copy(deep=False)
    out["twoway_trade"] = twoway_index(out["exports_ij"], out["exports_ji"])
    for s in MIGRATION_SERIES.values():
        out[f"twoway_migration_{s}"] = twoway_index(
            out[f"migrants_ij_{s}"], out[f"migrants_ji_{s}"]
        )
    return out
