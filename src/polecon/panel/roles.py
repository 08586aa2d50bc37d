"""Roles of the pair members (HYPOTHESES s.1): rich/poor and destination/origin."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel._keys import (
    YEAR0,
    YEAR_SPAN,
    DyadKeys,
    asof_take,
    encode,
    pack,
    require_directed,
    take,
)
from polecon.panel.flows import MIGRATION_SERIES

#: real GDP per capita column of country_year used for the rich/poor role (PWT, then Maddison)
GDPPC_COLUMN = "gdppc_real"


def add_roles(
    panel: pd.DataFrame,
    stocks: pd.DataFrame | None = None,
    gdppc: str = GDPPC_COLUMN,
    destination_series: Sequence[str] = ("undesa2019", "wb"),
) -> pd.DataFrame:
    """Add ``i_is_rich``, ``i_is_destination`` and ``destination_from_stocks``.

    - ``i_is_rich``: i has the higher real GDP per capita (``{gdppc}_i`` vs ``{gdppc}_j``, from
      :func:`add_country_year`); NA if either is missing or they tie.
    - ``i_is_destination``: i hosts more migrants born in j than j hosts born in i, at the latest
      wave at or before t in which both stocks are known, using the first series of
      ``destination_series`` that has such a wave (looked up in the stock table, so waves before
      the panel's first year count); otherwise (no wave, or a tie) the richer member; NA if that
      is unknown too.

    ``stocks`` defaults to ``polecon.load("migration_stocks")`` with successors summed into their
    predecessors (:func:`polecon.panel.flows.aggregate_successors`).
    """
    require_directed(panel, "add_roles")
    need = [f"{gdppc}_i", f"{gdppc}_j"]
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise KeyError(f"add_roles needs {missing}: run add_country_year() first")
    for s in destination_series:
        if s not in MIGRATION_SERIES:
            raise ValueError(f"unknown migration series {s!r}; known: {list(MIGRATION_SERIES)}")
    if stocks is None:
        from polecon.panel.flows import aggregate_successors
        from polecon.sources import load

        stocks = aggregate_successors(load("migration_stocks"))
    gi = panel[f"{gdppc}_i"].to_numpy(dtype=np.float64, na_value=np.nan)
    gj = panel[f"{gdppc}_j"].to_numpy(dtype=np.float64, na_value=np.nan)
    rich_known = ~np.isnan(gi) & ~np.isnan(gj) & (gi != gj)
    rich = gi > gj

    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    want_year = keys.year + YEAR0
    dest = np.zeros(len(panel), dtype=bool)
    decided = np.zeros(len(panel), dtype=bool)
    for s in destination_series:
        sub = stocks.loc[(stocks["series"] == s) & stocks["stock"].notna()]
        o = encode(sub["origin"], keys.cats)
        d = encode(sub["destination"], keys.cats)
        year = sub["year"].to_numpy(dtype=np.int64)
        stock = sub["stock"].to_numpy(dtype=np.float64)
        # waves where both directions of a pair are known: stock(o->d) and stock(d->o)
        fwd = pack(o, d, year - YEAR0, sizes=(keys.n, keys.n, YEAR_SPAN))
        rev = pack(d, o, year - YEAR0, sizes=(keys.n, keys.n, YEAR_SPAN))
        back = take(fwd, stock, rev, f"migration stocks ({s})")
        both = ~np.isnan(back) & (o >= 0) & (d >= 0)
        # table rows keyed by the ordered pair (o, d): value = hosted by d (born in o) minus hosted by o
        diff = stock - back
        group = pack(o, d, sizes=(keys.n, keys.n))
        # i hosts more born in j than j hosts born in i  <=>  stock(j->i) - stock(i->j) > 0
        val, _ = asof_take(
            group[both],
            year[both],
            diff[both],
            pack(keys.j, keys.i, sizes=(keys.n, keys.n)),
            want_year,
        )
        ok = ~decided & ~np.isnan(val) & (val != 0)
        dest[ok] = val[ok] > 0
        decided |= ok
    from_income = ~decided & rich_known
    dest[from_income] = rich[from_income]
    out = panel.copy(deep=False)
    out["i_is_rich"] = pd.arrays.BooleanArray(rich & rich_known, ~rich_known)
    known = decided | from_income
    out["i_is_destination"] = pd.arrays.BooleanArray(dest, ~known)
    out["destination_from_stocks"] = decided
    return out
