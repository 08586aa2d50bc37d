"""Mapping, de-duplication and successor-territory rules of table ``country_year``.

Rules 3 (successor territories attributed to their predecessor) and 5 (duplicates after mapping)
of :mod:`polecon.sources.country_year`, whose docstring states them; split out of that module
unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._common import codes_of
from polecon.sources._schema import SourceError

# ---------------------------------------------------------------------------
# country mapping helpers
# ---------------------------------------------------------------------------


def _map_rows(
    df: pd.DataFrame,
    id_col: str,
    scheme: str,
    source: str,
    log: BuildLog,
    year_col: str = "year",
) -> pd.DataFrame:
    """Add ``code`` (canonical) to ``df``; rows mapping to <NA> are dropped and logged."""
    codes = codes_of(df[id_col], scheme, source, df[year_col])
    df = df.assign(code=codes)
    na = df["code"].isna()
    if na.any():
        log.drop(
            f"{source}: identifiers deliberately unmapped (documented exceptions)",
            int(na.sum()),
            sorted(set(df.loc[na, id_col].astype(str))),
        )
    return df[~na]


def _system_years(end: int) -> pd.DataFrame:
    from polecon.countries import state_system

    s = state_system("cow", start=1816, end=max(end, 2016), carry_forward=True)
    return s[["code", "year", "ccode"]]


def _dedupe_by_system(
    df: pd.DataFrame, ccode_col: str, source: str, log: BuildLog, system: pd.DataFrame
) -> pd.DataFrame:
    """Resolve (code, year) duplicates of COW-coded state-year data (rule 5).

    Keeps the COW code whose system spell covers 1 July of the year (the mid-year convention
    of the membership columns: West Germany 260 in 1990, Yemen 679 in 1990); where no spell
    covers that day, the code ``state_system`` assigns to the code-year.
    """
    from polecon.countries.crosswalk import cow_system_spells

    dup = df.duplicated(["code", "year"], keep=False)
    if not dup.any():
        return df
    d = df[dup]
    spells = cow_system_spells()
    mid = pd.to_datetime(d["year"].astype(str) + "-07-01")
    alive = np.zeros(len(d), dtype=bool)
    cc = d[ccode_col].astype("int64").to_numpy()
    for code, st, en in spells[["ccode", "start", "end"]].itertuples(index=False):
        alive |= (cc == code) & (mid >= st).to_numpy() & (mid <= en).to_numpy()
    sysc = d.merge(system, on=["code", "year"], how="left")["ccode"].to_numpy()
    n_alive = pd.Series(alive, index=d.index).groupby([d["code"], d["year"]]).transform("sum")
    keep = np.where(n_alive.to_numpy() == 1, alive, cc == sysc)
    chosen = d[keep]
    if chosen.duplicated(["code", "year"]).any() or len(chosen) != len(
        d.drop_duplicates(["code", "year"])
    ):
        raise SourceError(
            source,
            "duplicated code-year after mapping that the COW system rule cannot resolve",
            column=ccode_col,
            rows=d.index.tolist(),
        )
    dropped = d[~keep]
    log.drop(
        f"{source}: two COW codes map to one canonical code-year; kept the code whose "
        "system spell covers 1 July (else the state_system code)",
        len(dropped),
        [
            f"{c} {y} (ccode {k})"
            for c, y, k in dropped[["code", "year", ccode_col]].itertuples(index=False)
        ],
    )
    return pd.concat([df[~dup], chosen]).sort_index()


def _dedupe_latest_unit(
    df: pd.DataFrame, unit_col: str, source: str, log: BuildLog
) -> pd.DataFrame:
    """Resolve (code, year) duplicates: keep the source unit whose series starts latest."""
    dup = df.duplicated(["code", "year"], keep=False)
    if not dup.any():
        return df
    # start of each unit's run of consecutive years (a unit code can be reused, e.g. Polity's
    # Germany 255 for 1871-1945 and again from 1990)
    srt = df[[unit_col, "year"]].sort_values([unit_col, "year"])
    brk = (srt[unit_col] != srt[unit_col].shift()) | (srt["year"] != srt["year"].shift() + 1)
    run_start = srt["year"].where(brk).ffill().reindex(df.index)
    d = df[dup].assign(_first=run_start[dup])
    top = d.groupby(["code", "year"])["_first"].transform("max")
    chosen = d[d["_first"] == top]
    if chosen.duplicated(["code", "year"]).any():
        raise SourceError(
            source,
            "duplicated code-year after mapping with no unique successor unit",
            column=unit_col,
            rows=chosen.index[chosen.duplicated(["code", "year"], keep=False)].tolist(),
        )
    dropped = d.drop(chosen.index)
    log.drop(
        f"{source}: two source units map to one canonical code-year; kept the unit whose "
        "current run of years starts latest (the successor)",
        len(dropped),
        [
            f"{c} {y} (unit {u})"
            for c, y, u in dropped[["code", "year", unit_col]].itertuples(index=False)
        ],
    )
    return pd.concat([df[~dup], chosen.drop(columns="_first")]).sort_index()


# ---------------------------------------------------------------------------
# successor territories (rule 3)
# ---------------------------------------------------------------------------


def _attribute_successors(
    df: pd.DataFrame, cols: list[str], source: str, log: BuildLog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-attribute successor-territory rows to their predecessor (rule 3).

    ``df`` has columns code, year and additive ``cols``. Returns the new frame (one row per
    code-year) and the (code, year) pairs whose values are sums.
    """
    from polecon.countries import predecessor

    years = np.sort(df["year"].unique())
    out_parts = []
    summed_keys = []
    base = df.copy()
    pred_rows = predecessor(base["code"], base["year"]).to_numpy()
    moved = pred_rows != base["code"].to_numpy()
    base["_pred"] = pred_rows
    for col in cols:
        universe = sorted(set(base.loc[base[col].notna(), "code"]))
        if not universe:
            continue
        grid = pd.DataFrame(
            {"code": np.repeat(universe, len(years)), "year": np.tile(years, len(universe))}
        )
        gp = predecessor(grid["code"], grid["year"]).to_numpy()
        grid["_pred"] = gp
        affected = grid.loc[grid["_pred"] != grid["code"], ["_pred", "year"]].drop_duplicates()
        if affected.empty:
            continue
        # units expected in each affected group: the predecessor (if the source reports it)
        # and every successor the source reports
        need = grid[
            grid.set_index(["_pred", "year"]).index.isin(
                affected.set_index(["_pred", "year"]).index
            )
        ]
        n_need = need.groupby(["_pred", "year"]).size().rename("need")
        have = base[base[col].notna()].groupby(["_pred", "year"])[col].agg(["size", "sum"])
        grp = affected.set_index(["_pred", "year"]).join(n_need).join(have)
        ok = grp["size"].fillna(0).to_numpy() == grp["need"].to_numpy()
        vals = pd.Series(np.where(ok, grp["sum"].to_numpy(), np.nan), index=grp.index, name=col)
        out_parts.append(vals)
        summed_keys.append(grp.index[ok].to_frame(index=False))
    if not out_parts:
        return df, pd.DataFrame(columns=["code", "year"])
    summed = pd.concat(out_parts, axis=1)  # index (_pred, year); NaN where not affected
    key_index = summed.index
    in_aff = pd.MultiIndex.from_frame(base[["_pred", "year"]]).isin(key_index) & ~moved
    own = base[in_aff].set_index(["_pred", "year"])
    parts = {str(p.name): p for p in out_parts}
    for col in cols:
        # a group affected for another column but not this one keeps the own row's value
        aff_idx = (
            parts[col].index
            if col in parts
            else pd.MultiIndex.from_tuples([], names=["_pred", "year"])
        )
        if col not in summed:
            summed[col] = np.nan
        not_aff = ~summed.index.isin(aff_idx)
        summed[col] = summed[col].where(~not_aff, own[col].reindex(summed.index))
    summed = summed.reset_index().rename(columns={"_pred": "code"})
    rest = base[~moved & ~in_aff].drop(columns="_pred")
    # successor rows in years before independence keep no values (they were moved)
    ghosts = base.loc[moved, ["code", "year"]]
    out = pd.concat([rest, summed, ghosts], ignore_index=True)
    out = out.drop_duplicates(["code", "year"], keep="first")
    sk = (
        pd.concat(summed_keys, ignore_index=True)
        .rename(columns={"_pred": "code"})
        .drop_duplicates()
    )
    log.note(
        f"{source}: {int(moved.sum())} successor-territory rows attributed to predecessors "
        f"{sorted(set(summed['code']))} ({len(sk)} predecessor-years summed; groups with a "
        "unit missing set to NA)"
    )
    return out, sk
