"""Code agreements onto the dyad-year panel (HYPOTHESES s.2).

Per pair-year and type ``k``:

- ``k_signed``: at least one type-k agreement signed by t;
- ``k_in_force``: at least one type-k agreement entered into force by t and not terminated by t
  (an agreement terminated in year t is not in force in t; one with no entry-into-force date is
  never in force; BLMAs carry their in-force date from the source table);
- ``k_count``: agreements signed by t and not terminated by t;
- ``k_new``: agreements signed in t;
- ``k_first_year``: year of the first type-k signature.

Where a source dates entry into force before signature, the signature year is taken to be the
entry-into-force year, so that ``in_force`` always implies ``signed``.

``pta`` covers every trade agreement between the pair, bilateral FTAs (``bfta``) included.
The coding is on unordered pairs, so it is symmetric in the directed panel by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel._keys import YEAR_SPAN, DyadKeys, gather, pack, positions, require_directed
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
    # an agreement in force was signed no later than its entry into force (one DESTA row,
    # AUS-GBR desta:1081, enters into force in 1956 but is dated 1957): take the earlier year
    out["sy"] = np.fmin(out["sy"].to_numpy(), out["fy"].to_numpy())
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


def _code_type(agreements: pd.DataFrame, k: str, start: int, end: int) -> pd.DataFrame | None:
    """Undirected pair-year coding of type ``k`` for pairs with at least one such agreement."""
    if k not in TYPE_MEMBERS:
        raise ValueError(f"unknown agreement type {k!r}; known: {list(TYPE_MEMBERS)}")
    years = np.arange(start, end + 1)
    ev = _agreement_years(agreements, k)
    if ev.empty:
        return None
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
    return pd.DataFrame(
        {
            "a": np.repeat(pairs["a"].to_numpy(), len(years)),
            "b": np.repeat(pairs["b"].to_numpy(), len(years)),
            "year": np.tile(years, n).astype(np.int16),
            f"{k}_signed": (signed_cum > 0).ravel(),
            f"{k}_in_force": (inforce_cum > 0).ravel(),
            f"{k}_count": (signed_cum - term_cum).ravel().astype(np.int16),
            f"{k}_new": new.ravel().astype(np.int16),
            f"{k}_first_year": np.repeat(first, len(years)),
        }
    )


def code_agreements(
    agreements: pd.DataFrame, start: int, end: int, types: Sequence[str] = AGREEMENT_TYPES
) -> pd.DataFrame:
    """Undirected pair-year coding ``(a, b, year, k_*)`` for pairs with at least one agreement.

    Pairs/years absent from the result have no agreement of any type (all zeros/False).
    """
    frames = [
        f.set_index(["a", "b", "year"])
        for k in types
        if (f := _code_type(agreements, k, start, end)) is not None
    ]
    if not frames:
        return pd.DataFrame(columns=["a", "b", "year"])
    return pd.concat(frames, axis=1, join="outer", sort=True).reset_index()


def attribute_to_predecessors(agreements: pd.DataFrame, system: str = "cow") -> pd.DataFrame:
    """Add rows for agreements that a successor territory is listed for before it existed.

    UNCTAD and others list treaties of dissolved states under their successors (the 1991
    US-Czechoslovakia BIT as CZE-USA and SVK-USA). In the years before the successor was a state,
    the treaty belonged to the predecessor (CSK-USA): a copy of the row with the party replaced
    by its predecessor at the signature year is added (once per agreement and pair), so that
    the predecessor pair carries the agreement while it exists and the successor pairs from
    their own first year. Rows without a signature date are left as they are.

    The copy never outlives the successor's independence (issue 11 C): it is terminated on
    1 January of the first year, after the signature year, in which the successor is a member of
    the state system (or earlier, if the agreement itself ends earlier). Year-only dates
    (DESTA, undated Chilton-Woda agreements, read as 1 January) are compared by year: a treaty
    dated only to year Y counts for the predecessor in the years from Y before the successor's
    first state-system year, and not at all if the successor is a state in Y (so Chilton-Woda
    613, Italy-Slovenia 1991, counts for ITA-SRB in 1991 only, SVN being a COW state from 1992).
    """
    from polecon.countries import predecessor
    from polecon.countries.system import state_system

    signed = pd.to_datetime(agreements["signed"])
    has = signed.notna().to_numpy()
    if not has.any():
        return agreements
    sub = agreements.loc[has]
    years = signed[has].dt.year.to_numpy()
    pa = predecessor(sub["party_a"].astype("string"), years, system=system).to_numpy()  # type: ignore[arg-type]
    pb = predecessor(sub["party_b"].astype("string"), years, system=system).to_numpy()  # type: ignore[arg-type]
    changed = (pa != sub["party_a"].to_numpy()) | (pb != sub["party_b"].to_numpy())
    if not changed.any():
        return agreements
    extra = sub.loc[changed].copy()
    # first state-system year of the re-attributed successor(s), after the signature year
    members = state_system(system, carry_forward=True, end=max(2020, int(years.max()) + 1))
    first = members.groupby("code")["year"].apply(lambda y: np.sort(y.to_numpy()))
    sy = years[changed]
    entry = np.full(len(extra), np.inf)
    for col, moved in (("party_a", pa[changed]), ("party_b", pb[changed])):
        orig = extra[col].to_numpy(dtype=object)
        for k in np.flatnonzero(moved != orig):
            ys = first.get(orig[k])
            if ys is not None:
                later = ys[ys > sy[k]]
                if len(later):
                    entry[k] = min(entry[k], later[0])
    ends = pd.to_datetime(
        pd.Series(np.where(np.isfinite(entry), entry, 2262), dtype="int64").astype(str) + "-01-01"
    ).where(np.isfinite(entry))
    old_end = pd.to_datetime(extra["terminated"]).reset_index(drop=True)
    new_end = old_end.where(old_end.notna() & (old_end <= ends) | ends.isna(), ends)
    extra["terminated"] = new_end.astype(agreements["terminated"].dtype).to_numpy()
    extra["party_a"] = pa[changed]
    extra["party_b"] = pb[changed]
    extra = extra.loc[extra["party_a"] != extra["party_b"]]
    lo = np.where(extra["party_a"] <= extra["party_b"], extra["party_a"], extra["party_b"])
    hi = np.where(extra["party_a"] <= extra["party_b"], extra["party_b"], extra["party_a"])
    extra["party_a"], extra["party_b"] = lo, hi
    out = pd.concat([agreements, extra], ignore_index=True)
    return out.drop_duplicates(["agreement_id", "type", "party_a", "party_b"], keep="first")


def add_agreements(
    panel: pd.DataFrame,
    agreements: pd.DataFrame | None = None,
    types: Sequence[str] = AGREEMENT_TYPES,
    predecessors: bool = True,
    **load_options: object,
) -> pd.DataFrame:
    """Add ``k_signed, k_in_force, k_count, k_new, k_first_year`` for each type ``k``.

    ``agreements`` defaults to ``polecon.load("agreements", **load_options)``. Pairs never party
    to a type-k agreement get False/0 and NA first year. Symmetric in (i, j) by construction.
    With ``predecessors`` (default), agreements listed under a successor territory before it
    existed also count for the predecessor state (:func:`attribute_to_predecessors`).
    """
    require_directed(panel, "add_agreements")
    if agreements is None:
        from polecon.sources import load

        agreements = load("agreements", **load_options)
    if predecessors and len(agreements):
        agreements = attribute_to_predecessors(agreements)
    out = panel.copy(deep=False)
    keys = DyadKeys(panel["i"], panel["j"], panel["year"])
    lo, hi = np.minimum(keys.i, keys.j), np.maximum(keys.i, keys.j)
    wanted = pack(lo, hi, keys.year, sizes=(keys.n, keys.n, YEAR_SPAN))
    start = int(panel["year"].min()) if len(panel) else 0
    end = int(panel["year"].max()) if len(panel) else -1
    for k in types:
        coded = _code_type(agreements, k, start, end) if len(panel) else None
        if coded is None:
            vals = {
                c: np.full(len(panel), np.nan)
                for c in ("signed", "in_force", "count", "new", "first_year")
            }
        else:
            pos = positions(
                keys.table_key(coded["a"], coded["b"], coded["year"]), wanted, "agreement coding"
            )
            vals = {
                c: gather(coded[f"{k}_{c}"].to_numpy(dtype=np.float64), pos)
                for c in ("signed", "in_force", "count", "new", "first_year")
            }
        out[f"{k}_signed"] = vals["signed"] == 1.0
        out[f"{k}_in_force"] = vals["in_force"] == 1.0
        out[f"{k}_count"] = np.nan_to_num(vals["count"], nan=0.0).astype(np.int16)
        out[f"{k}_new"] = np.nan_to_num(vals["new"], nan=0.0).astype(np.int16)
        out[f"{k}_first_year"] = pd.array(vals["first_year"], dtype="Float64").astype("Int16")
    return out
