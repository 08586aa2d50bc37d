"""Roles of the pair members (HYPOTHESES s.1): rich/poor and destination/origin."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel._keys import DyadKeys, group_order
from polecon.panel.flows import MIGRATION_SERIES

#: real GDP per capita column of country_year used for the rich/poor role (PWT, then Maddison)
GDPPC_COLUMN = "gdppc_real"


def _latest_within_pair(order: np.ndarray, gid: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Latest non-NA value at or before each row's year, within its dyad.

    ``order``/``gid`` come from :func:`polecon.panel._keys.group_order` (rows sorted by i, j, year).
    """
    v = np.asarray(values, dtype=np.float64)[order]
    idx = np.arange(len(v))
    last = np.maximum.accumulate(np.where(~np.isnan(v), idx, -1))
    valid = last >= 0
    valid[valid] &= gid[last[valid]] == gid[valid]
    filled = np.full(len(v), np.nan)
    filled[valid] = v[last[valid]]
    out = np.empty_like(filled)
    out[order] = filled
    return out


def add_roles(
    panel: pd.DataFrame,
    gdppc: str = f"{GDPPC_COLUMN}",
    destination_series: Sequence[str] = ("undesa", "wb"),
) -> pd.DataFrame:
    """Add ``i_is_rich``, ``i_is_destination`` and ``destination_from_stocks``.

    - ``i_is_rich``: i has the higher real GDP per capita (``{gdppc}_i`` vs ``{gdppc}_j``, from
      :func:`add_country_year`); NA if either is missing or they tie.
    - ``i_is_destination``: i hosts more migrants born in j than j hosts born in i, using the latest
      wave at or before t of the first series in ``destination_series`` that has both stocks;
      otherwise (missing or tied) the richer member; NA if that is unknown too.
    """
    need = [f"{gdppc}_i", f"{gdppc}_j"]
    for s in destination_series:
        if s not in MIGRATION_SERIES.values():
            raise ValueError(
                f"unknown migration series {s!r}; known: {list(MIGRATION_SERIES.values())}"
            )
        need += [f"migrants_ij_{s}", f"migrants_ji_{s}"]
    missing = [c for c in need if c not in panel.columns]
    if missing:
        raise KeyError(
            f"add_roles needs {missing}: run add_country_year() and add_migration() first"
        )
    gi = panel[f"{gdppc}_i"].to_numpy(dtype=np.float64, na_value=np.nan)
    gj = panel[f"{gdppc}_j"].to_numpy(dtype=np.float64, na_value=np.nan)
    rich_known = ~np.isnan(gi) & ~np.isnan(gj) & (gi != gj)
    rich = gi > gj

    dest = np.zeros(len(panel), dtype=bool)
    decided = np.zeros(len(panel), dtype=bool)
    order, gid = group_order(DyadKeys(panel["i"], panel["j"], panel["year"]))
    for s in destination_series:
        # born in j living in i, and the reverse
        hosted_by_i = _latest_within_pair(
            order, gid, panel[f"migrants_ji_{s}"].to_numpy(np.float64, na_value=np.nan)
        )
        hosted_by_j = _latest_within_pair(
            order, gid, panel[f"migrants_ij_{s}"].to_numpy(np.float64, na_value=np.nan)
        )
        ok = (
            ~decided
            & ~np.isnan(hosted_by_i)
            & ~np.isnan(hosted_by_j)
            & (hosted_by_i != hosted_by_j)
        )
        dest[ok] = hosted_by_i[ok] > hosted_by_j[ok]
        decided |= ok
    from_income = ~decided & rich_known
    dest[from_income] = rich[from_income]
    out = panel.copy(deep=False)
    out["i_is_rich"] = pd.arrays.BooleanArray(rich & rich_known, ~rich_known)
    known = decided | from_income
    out["i_is_destination"] = pd.arrays.BooleanArray(dest, ~known)
    out["destination_from_stocks"] = decided
    return out
