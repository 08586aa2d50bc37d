"""Attribute successor territories to their predecessor state in years before they existed.

Some sources report on today's borders for every year (World Bank and UN DESA migrant stocks,
CEPII geography): e.g. a 1980 stock for Croatia, which was then part of Yugoslavia (``SRB``).
``predecessor`` maps such (code, year) pairs to the state that held the territory, following the
reviewed table ``datasets/countries/succession.csv`` (successor, predecessor, from_year, to_year,
reason).  A row applies in year t when ``from_year <= t <= to_year`` **and** the successor is not
a member of the chosen state system in t, so the switch year follows the system (Macedonia:
COW 1993, GW 1991) and the inter-war Baltic states stay themselves.

Not corrected (documented): unified Germany (``DEU``) figures before 1991 in today's-borders
sources include the territory of East Germany (``DDR``), unified Yemen (``YEM``) before 1990 that
of South Yemen (``YMD``), and Vietnam (``VNM``) before 1976 that of South Vietnam (``RVN``): the
sources give no split, so the values stay with the continuator and ``DDR``/``YMD``/``RVN`` get none.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from polecon.countries._tables import TABLES_DIR

__all__ = ["predecessor", "succession_table"]


@cache
def succession_table() -> pd.DataFrame:
    """The reviewed succession table (successor, predecessor, from_year, to_year, reason, reviewed_by)."""
    path = TABLES_DIR / "succession.csv"
    df = pd.read_csv(
        path, dtype={"successor": str, "predecessor": str, "from_year": int, "to_year": int}
    )
    if df["successor"].duplicated().any():
        raise ValueError(
            f"{path}: duplicated successor rows {list(df.index[df['successor'].duplicated()] + 2)}"
        )
    if (df["from_year"] > df["to_year"]).any() or df["reason"].isna().any():
        raise ValueError(f"{path}: each row needs from_year <= to_year and a reason")
    return df


def predecessor(
    codes: pd.Series | Sequence[str],
    years: pd.Series | Sequence[int],
    system: Literal["cow", "gw"] = "cow",
) -> pd.Series:
    """The state that held each (canonical code, year): the predecessor before the successor
    existed (see the module docstring), otherwise the code itself.

    Returns a ``"string"`` Series aligned with ``codes``; compare it with ``codes`` to flag the
    re-attributed rows.
    """
    from polecon.countries.system import state_system

    # to_numpy, not list(): iterating an Arrow-backed column in Python costs seconds per million
    c = pd.Series(pd.array(np.asarray(codes, dtype=object), dtype="string"))
    y = pd.Series(pd.to_numeric(pd.Series(np.asarray(years)), errors="raise")).astype("Int64")
    if len(c) != len(y):
        raise ValueError(f"predecessor: {len(c)} codes but {len(y)} years")
    tab = succession_table()
    out = c.copy()
    cand = c.isin(list(tab["successor"])).fillna(False).to_numpy(dtype=bool)
    if cand.any():
        cs, ys = c[cand], y[cand]
        end = max(2020, int(ys.max())) if ys.notna().any() else 2020
        members = state_system(system, carry_forward=True, end=end)
        member_idx = pd.MultiIndex.from_arrays([members["code"].astype(object), members["year"]])
        is_member = pd.MultiIndex.from_arrays([cs.astype(object), ys.astype(object)]).isin(
            member_idx
        )
        new = cs.copy()
        for succ, pred, a, b in tab[
            ["successor", "predecessor", "from_year", "to_year"]
        ].itertuples(index=False):
            sel = ((cs == succ) & (ys >= a) & (ys <= b)).fillna(False).to_numpy(dtype=bool)
            new[sel & ~is_member] = pred
        out[cand] = new.to_numpy()
    if isinstance(codes, pd.Series):
        out.index = codes.index
    return out
