"""The dyad-year frame: every ordered pair of states that are both in the system in year t."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

System = Literal["cow", "gw"]

KEYS = ["i", "j", "year"]


def state_years(system: System = "cow", start: int = 1946, end: int = 2020) -> pd.DataFrame:
    """State-system members by year: columns ``code, ccode, year, carried_forward``.

    Thin wrapper around :func:`polecon.countries.state_system` (COW by default; the
    COW list ends in 2016 and is carried forward to later years, flagged).
    """
    from polecon.countries import state_system

    states = state_system(system=system, start=start, end=end, carry_forward=True)
    return states.loc[:, ["code", "ccode", "year", "carried_forward"]]


def dyad_years(
    start: int = 1946,
    end: int = 2020,
    system: System = "cow",
    directed: bool = True,
    states: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Create the dyad-year frame, in the spirit of peacesciencer's ``create_dyadyears()``.

    Parameters
    ----------
    start, end : first and last year (inclusive).
    system : ``"cow"`` (default) or ``"gw"`` state-system membership.
    directed : if False, return the undirected view (a, b, year) with a < b, derived from the
        directed frame.
    states : optional state-year table (``code, ccode, year, carried_forward``) to use instead of
        the state system (for tests and counterfactual worlds).

    Returns
    -------
    DataFrame with columns ``i, j, year, ccode_i, ccode_j, system_carried_forward``, one row per
    ordered pair of distinct members of year t, sorted by (year, i, j). Shape about
    (sum_t n_t (n_t - 1), 6).
    """
    if start > end:
        raise ValueError(f"start ({start}) is after end ({end})")
    st = state_years(system, start, end) if states is None else states
    st = st[(st["year"] >= start) & (st["year"] <= end)]
    dup = st.duplicated(["code", "year"])
    if dup.any():
        raise ValueError(
            f"state table has duplicated (code, year): {st.loc[dup, ['code', 'year']].head().to_dict('records')}"
        )
    st = st.sort_values(["year", "code"]).reset_index(drop=True)
    years = st["year"].to_numpy()
    # positions of each year's block
    bounds = np.flatnonzero(np.diff(years)) + 1
    starts = np.r_[0, bounds]
    stops = np.r_[bounds, len(st)]
    left_parts, right_parts = [], []
    for s0, s1 in zip(starts, stops, strict=True):
        n = s1 - s0
        if n < 2:
            continue
        idx = np.arange(s0, s1)
        li = np.repeat(idx, n)
        ri = np.tile(idx, n)
        keep = li != ri
        left_parts.append(li[keep])
        right_parts.append(ri[keep])
    if left_parts:
        li = np.concatenate(left_parts)
        ri = np.concatenate(right_parts)
    else:
        li = ri = np.array([], dtype=np.int64)
    code = st["code"].astype("string").to_numpy()
    ccode = st["ccode"].to_numpy()
    carried = st["carried_forward"].to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "i": pd.array(code[li], dtype="string"),
            "j": pd.array(code[ri], dtype="string"),
            "year": years[li].astype(np.int16),
            "ccode_i": ccode[li].astype(np.int16),
            "ccode_j": ccode[ri].astype(np.int16),
            "system_carried_forward": carried[li] | carried[ri],
        }
    )
    return out if directed else undirected(out)


def undirected(panel: pd.DataFrame) -> pd.DataFrame:
    """Derive the undirected view from a directed panel: rows with i < j, renamed ``a, b``.

    Columns that refer to a direction keep their names (``exports_ij`` is exports from a to b).
    """
    if not {"i", "j", "year"} <= set(panel.columns):
        raise KeyError("undirected() needs a directed panel with columns i, j, year")
    out = panel.loc[panel["i"] < panel["j"]].rename(columns={"i": "a", "j": "b"})
    return out.reset_index(drop=True)


def pair_key(i: pd.Series, j: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Unordered pair (lo, hi) of two code columns, elementwise."""
    lo = i.where(i <= j, j)
    hi = j.where(i <= j, i)
    return lo, hi
