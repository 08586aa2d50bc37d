"""Fast integer-keyed lookups for the panel steps.

Country codes are encoded against one sorted category list, and (code, code, year) keys packed
into one int64, so each lookup is a single hash-index probe instead of a pandas string merge.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

YEAR0 = 1500
YEAR_SPAN = 1024


def categories(*columns: pd.Series | np.ndarray) -> np.ndarray:
    """Sorted union of the distinct non-missing codes of ``columns``."""
    uniq = []
    for c in columns:
        u = pd.Series(pd.unique(pd.Series(c)))
        uniq.append(u.dropna().astype(str).to_numpy(dtype=object))
    return np.unique(np.concatenate(uniq)) if uniq else np.array([], dtype=object)


def encode(codes: pd.Series | np.ndarray, cats: np.ndarray) -> np.ndarray:
    """Integer code of each value in ``cats`` (-1 when absent or missing), int64."""
    s = pd.Series(codes)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    local, uniques = pd.factorize(s, use_na_sentinel=True)
    mapping = pd.Index(cats).get_indexer(np.asarray(uniques, dtype=object).astype(str))
    mapping = np.r_[mapping, -1].astype(np.int64)  # local == -1 (missing) -> -1
    return mapping[np.where(local >= 0, local, len(mapping) - 1)]


def pack(*parts: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Pack non-negative integer arrays into one int64 key (mixed radix); -1 if any part is < 0."""
    key = np.zeros(len(parts[0]), dtype=np.int64)
    bad = np.zeros(len(parts[0]), dtype=bool)
    for part, size in zip(parts, sizes, strict=True):
        p = np.asarray(part, dtype=np.int64)
        bad |= (p < 0) | (p >= size)
        key = key * size + p
    key[bad] = -1
    return key


class DyadKeys:
    """Packed (i, j, year) keys of a panel, reused across lookups."""

    def __init__(
        self,
        i: pd.Series,
        j: pd.Series,
        year: pd.Series | np.ndarray,
        cats: np.ndarray | None = None,
    ):
        self.cats = categories(i, j) if cats is None else cats
        self.n = max(len(self.cats), 1)
        self.i = encode(i, self.cats)
        self.j = encode(j, self.cats)
        self.year = np.asarray(year, dtype=np.int64) - YEAR0

    def key(self, swap: bool = False) -> np.ndarray:
        a, b = (self.j, self.i) if swap else (self.i, self.j)
        return pack(a, b, self.year, sizes=(self.n, self.n, YEAR_SPAN))

    def country_key(self, side: str) -> np.ndarray:
        c = self.i if side == "i" else self.j
        return pack(c, self.year, sizes=(self.n, YEAR_SPAN))

    def table_key(self, a: pd.Series, b: pd.Series, year: pd.Series) -> np.ndarray:
        return pack(
            encode(a, self.cats),
            encode(b, self.cats),
            np.asarray(year, dtype=np.int64) - YEAR0,
            sizes=(self.n, self.n, YEAR_SPAN),
        )

    def table_country_key(self, code: pd.Series, year: pd.Series) -> np.ndarray:
        return pack(
            encode(code, self.cats),
            np.asarray(year, dtype=np.int64) - YEAR0,
            sizes=(self.n, YEAR_SPAN),
        )


def take(
    table_keys: np.ndarray, values: np.ndarray, wanted: np.ndarray, what: str = "table"
) -> np.ndarray:
    """Positions-free lookup: ``values`` at ``wanted`` keys (NaN / NA where absent).

    ``table_keys`` must be unique among valid (>= 0) keys; raises ValueError otherwise.
    Returns a float64 array for numeric values, else an object array with None.
    """
    valid = table_keys >= 0
    tk = table_keys[valid]
    vals = np.asarray(values)[valid]
    index = pd.Index(tk)
    if not index.is_unique:
        dup = index[index.duplicated()][:5].tolist()
        raise ValueError(f"duplicated keys in the {what} (packed keys e.g. {dup})")
    pos = index.get_indexer(wanted)
    pos[wanted < 0] = -1
    hit = pos >= 0
    if vals.dtype.kind in "fiub":
        out = np.full(len(wanted), np.nan)
        out[hit] = vals[pos[hit]].astype(np.float64)
        return out
    out_obj = np.full(len(wanted), None, dtype=object)
    out_obj[hit] = vals[pos[hit]]
    return out_obj


def group_order(keys: DyadKeys) -> tuple[np.ndarray, np.ndarray]:
    """Row order sorted by (i, j, year) and the group id (per dyad) of each sorted row."""
    order = np.lexsort((keys.year, keys.j, keys.i))
    pair = keys.i[order] * keys.n + keys.j[order]
    new_group = np.r_[True, pair[1:] != pair[:-1]]
    return order, np.cumsum(new_group) - 1


def asof_take(
    table_group: np.ndarray,
    table_year: np.ndarray,
    values: np.ndarray,
    want_group: np.ndarray,
    want_year: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """For each wanted (group, year): the table value of the same group at the latest year <= year.

    Groups are non-negative int64 keys (e.g. packed pairs); negative wanted groups find nothing.
    Returns (values as float64 with NaN where none, the table year found or NaN).
    """
    tg = np.asarray(table_group, dtype=np.int64)
    ty = np.asarray(table_year, dtype=np.int64) - YEAR0
    ok = (tg >= 0) & (ty >= 0) & (ty < YEAR_SPAN)
    tg, ty = tg[ok], ty[ok]
    vals = np.asarray(values, dtype=np.float64)[ok]
    tkey = tg * YEAR_SPAN + ty
    order = np.argsort(tkey, kind="stable")
    tkey, tg, ty, vals = tkey[order], tg[order], ty[order], vals[order]
    wg = np.asarray(want_group, dtype=np.int64)
    wy = np.clip(np.asarray(want_year, dtype=np.int64) - YEAR0, 0, YEAR_SPAN - 1)
    wkey = wg * YEAR_SPAN + wy
    idx = np.searchsorted(tkey, wkey, side="right") - 1
    found = (idx >= 0) & (wg >= 0)
    found[found] &= tg[idx[found]] == wg[found]
    out = np.full(len(wg), np.nan)
    year = np.full(len(wg), np.nan)
    out[found] = vals[idx[found]]
    year[found] = ty[idx[found]] + YEAR0
    return out, year


def positions(table_keys: np.ndarray, wanted: np.ndarray, what: str = "table") -> np.ndarray:
    """Row positions in the table of each wanted key (-1 where absent); reuse with :func:`gather`."""
    valid = np.flatnonzero(table_keys >= 0)
    if len(valid) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    index = pd.Index(table_keys[valid])
    if not index.is_unique:
        dup = index[index.duplicated()][:5].tolist()
        raise ValueError(f"duplicated keys in the {what} (packed keys e.g. {dup})")
    pos = index.get_indexer(wanted)
    pos[wanted < 0] = -1
    return np.where(pos >= 0, valid[np.maximum(pos, 0)], -1)


def gather(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``values[pos]`` as float64, NaN where ``pos`` is -1."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(len(pos), np.nan)
    hit = pos >= 0
    out[hit] = v[pos[hit]]
    return out


def require_directed(panel: pd.DataFrame, step: str) -> None:
    """Raise a clear error unless ``panel`` is a directed dyad-year frame (``i, j, year``)."""
    missing = [c for c in ("i", "j", "year") if c not in panel.columns]
    if missing:
        hint = (
            " (this is the undirected view: add columns to the directed panel, then call undirected())"
            if {"a", "b"} <= set(panel.columns)
            else " (start from polecon.panel.dyad_years())"
        )
        raise KeyError(
            f"{step}() needs a directed panel with columns i, j, year; missing {missing}{hint}"
        )
