"""Code agreements onto the dyad-year panel (HYPOTHESES s.2).

Per pair-year and type ``k``:

- ``k_signed``: at least one type-k agreement signed by t;
- ``k_in_force``: at least one type-k agreement entered into force by t and not terminated by t
  (an agreement terminated in year t is not in force in t; one with no entry-into-force date is
  never in force; BLMAs carry their in-force date from the source table);
- ``k_count``: agreements signed by t and not terminated by t;
- ``k_new``: agreements signed in t;
- ``k_first_year``: year of the first type-k signature.

``pta`` covers every trade agreement between the pair, bilateral FTAs (``bfta``) included.
The coding is on unordered pairs, so it is symmetric in the directed panel by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel.dictionary import AGREEMENT_TYPES
from polecon.panel.dyads import pair_key

#: types whose rows also count towards another type's coding
TYPE_MEMBERS: dict[str, tuple[str, ...]] = {
    "bit": ("bit",),
    "tip": ("tip",),
    "bfta": ("bfta",),
    "pta": ("pta", "bfta"),
    "blma": ("blma",),
}


def _agreement_years(agreements: pd.DataFrame, k: str) -> pd.DataFrame:
    """One row per (agreement, unordered pair) of type k with signature/in-force/termination years."""
    sub = agreements.loc[agreements["type"].isin(TYPE_MEMBERS[k])]
    lo, hi = pair_key(sub["party_a"].astype("string"), sub["party_b"].astype("string"))
    out = pd.DataFrame(
        {
            "agreement_id": sub["agreement_id"].to_numpy(),
            "a": lo.to_numpy(),
            "b": hi.to_numpy(),
            "sy": pd.to_datetime(sub["signed"]).dt.year.to_numpy(dtype="float64", na_value=np.nan),
            "fy": pd.to_datetime(sub["in_force"]).dt.year.to_numpy(
                dtype="float64", na_value=np.nan
            ),
            "ty": pd.to_datetime(sub["terminated"]).dt.year.to_numpy(
                dtype="float64", na_value=np.nan
            ),
        }
    )
    out = out.loc[out["a"] != out["b"]]
    # an agreement listed for the same pair twice (e.g. via two blocs) counts once: earliest dates
    out = out.groupby(["agreement_id", "a", "b"], sort=True, as_index=False).agg(
        sy=("sy", "min"), fy=("fy", "min"), ty=("ty", "max")
    )
    return out


def _cumulative(
    events: pd.DataFrame,
    year_col: str,
    pair_codes: pd.Series,
    years: np.ndarray,
    n_pairs: int,
    y0: int,
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """Dense (n_pairs, n_years) counts of events with year <= t (cumulative) per pair."""
    n_years = len(years)
    grid = np.zeros((n_pairs, n_years + 1), dtype=np.int32)
    ev_year = events[year_col].to_numpy()
    ok = ~np.isnan(ev_year)
    col = np.clip(ev_year[ok].astype(np.int64) - y0, 0, n_years)  # before y0 -> column 0
    w = np.ones(ok.sum(), dtype=np.int32) if weight is None else weight[ok]
    np.add.at(grid, (pair_codes.to_numpy()[ok], col), w)
    return np.cumsum(grid[:, :n_years], axis=1)


def code_agreements(
    agreements: pd.DataFrame, start: int, end: int, types: Sequence[str] = AGREEMENT_TYPES
) -> pd.DataFrame:
    """Undirected pair-year coding ``(a, b, year, k_*)`` for pairs with at least one agreement.

    Pairs/years absent from the result have no agreement of any type (all zeros/False).
    """
    years = np.arange(start, end + 1)
    frames = []
    for k in types:
        if k not in TYPE_MEMBERS:
            raise ValueError(f"unknown agreement type {k!r}; known: {list(TYPE_MEMBERS)}")
        ev = _agreement_years(agreements, k)
        if ev.empty:
            continue
        pairs = ev[["a", "b"]].drop_duplicates().sort_values(["a", "b"]).reset_index(drop=True)
        pairs["pid"] = np.arange(len(pairs))
        ev = ev.merge(pairs, on=["a", "b"], how="left")
        n = len(pairs)
        signed_cum = _cumulative(ev, "sy", ev["pid"], years, n, start)
        # a termination counts against the count only if it is on or after the signature
        term = ev.loc[ev["sy"].notna() & ev["ty"].notna() & (ev["ty"] >= ev["sy"])]
        term_cum = _cumulative(term, "ty", term["pid"], years, n, start)
        # in force from the entry-into-force year until the year before termination; an agreement
        # terminated in or before its entry-into-force year is never in force
        fe = ev.loc[ev["fy"].notna() & (ev["ty"].isna() | (ev["ty"] > ev["fy"]))]
        inforce_cum = _cumulative(fe, "fy", fe["pid"], years, n, start)
        fe_term = fe.loc[fe["ty"].notna()]
        inforce_cum = inforce_cum - _cumulative(fe_term, "ty", fe_term["pid"], years, n, start)
        new = np.zeros((n, len(years)), dtype=np.int32)
        sy = ev["sy"].to_numpy()
        inside = ~np.isnan(sy) & (sy >= start) & (sy <= end)
        np.add.at(new, (ev["pid"].to_numpy()[inside], sy[inside].astype(np.int64) - start), 1)
        first = ev.groupby("pid")["sy"].min().reindex(range(n)).to_numpy()
        frame = pd.DataFrame(
            {
                "a": np.repeat(pairs["a"].to_numpy(), len(years)),
                "b": np.repeat(pairs["b"].to_numpy(), len(years)),
                "year": np.tile(years, n).astype(np.int16),
                f"{k}_signed": (signed_cum > 0).ravel(),
                f"{k}_in_force": (inforce_cum > 0).ravel(),
                f"{k}_count": (signed_cum - term_cum).ravel().astype(np.int16),
                f"{k}_new": new.ravel().astype(np.int16),
                f"{k}_first_year": pd.array(np.repeat(first, len(years)), dtype="Float64").astype(
                    "Int16"
                ),
            }
        )
        frames.append(frame.set_index(["a", "b", "year"]))
    if not frames:
        return pd.DataFrame(columns=["a", "b", "year"])
    out = pd.concat(frames, axis=1, join="outer", sort=True)
    return out.reset_index()


def add_agreements(
    panel: pd.DataFrame,
    agreements: pd.DataFrame | None = None,
    types: Sequence[str] = AGREEMENT_TYPES,
    **load_options: object,
) -> pd.DataFrame:
    """Add ``k_signed, k_in_force, k_count, k_new, k_first_year`` for each type ``k``.

    ``agreements`` defaults to ``polecon.load("agreements", **load_options)``. Pairs never party
    to a type-k agreement get False/0 and NA first year. Symmetric in (i, j) by construction.
    """
    if agreements is None:
        from polecon.sources import load

        agreements = load("agreements", **load_options)
    if len(panel):
        start, end = int(panel["year"].min()), int(panel["year"].max())
        coded = code_agreements(agreements, start, end, types)
    else:
        coded = pd.DataFrame(
            {
                "a": pd.Series(dtype="string"),
                "b": pd.Series(dtype="string"),
                "year": pd.Series(dtype=np.int16),
            }
        )
    lo, hi = pair_key(panel["i"], panel["j"])
    keys = pd.DataFrame({"a": lo.to_numpy(), "b": hi.to_numpy(), "year": panel["year"].to_numpy()})
    merged = keys.merge(coded, on=["a", "b", "year"], how="left", sort=False)
    out = panel.copy(deep=False)
    for k in types:
        if f"{k}_signed" not in merged:
            merged[f"{k}_signed"] = False
            merged[f"{k}_in_force"] = False
            merged[f"{k}_count"] = 0
            merged[f"{k}_new"] = 0
            merged[f"{k}_first_year"] = pd.array([pd.NA] * len(merged), dtype="Int16")
        out[f"{k}_signed"] = merged[f"{k}_signed"].fillna(False).to_numpy(dtype=bool)
        out[f"{k}_in_force"] = merged[f"{k}_in_force"].fillna(False).to_numpy(dtype=bool)
        out[f"{k}_count"] = merged[f"{k}_count"].fillna(0).to_numpy(dtype=np.int16)
        out[f"{k}_new"] = merged[f"{k}_new"].fillna(0).to_numpy(dtype=np.int16)
        out[f"{k}_first_year"] = pd.array(merged[f"{k}_first_year"], dtype="Int16")
    return out
