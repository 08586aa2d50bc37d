"""DESTA vs the WTO RTA database: bilateral FTAs matched pair by pair, counted by year.

DESTA side: DESTA's country-country bilateral FTAs (``bfta`` agreements with exactly one pair,
from the canonical ``agreements`` table); WTO side: the ``country_bilateral`` RTAs of table
``wto_rta`` with both parties mapped. A DESTA and a WTO agreement match when they cover the same
pair and their signature years differ by at most one year; matching is one-to-one, closest years
first (ties: smaller ids). Run from the repository root:

    python analyses/desta_wto_crosscheck.py

Prints the match counts and the counts by signature year (DESTA, WTO, both).
"""

from __future__ import annotations

import pandas as pd

MATCH_COLUMNS = (
    "party_a",
    "party_b",
    "desta_id",
    "desta_year",
    "desta_title",
    "wto_id",
    "wto_year",
    "wto_name",
    "match",
)


def desta_bilateral(agreements: pd.DataFrame) -> pd.DataFrame:
    """DESTA's country-country bilateral FTAs: ``bfta`` agreements with exactly one pair."""
    d = agreements[(agreements["source"] == "desta") & (agreements["type"] == "bfta")]
    one = d.groupby("agreement_id")["party_a"].transform("size") == 1
    d = d[one.to_numpy(dtype=bool)]
    return pd.DataFrame(
        {
            "party_a": d["party_a"].astype("string"),
            "party_b": d["party_b"].astype("string"),
            "desta_id": d["agreement_id"].astype("string"),
            "desta_year": d["signed"].dt.year.astype("Int64"),
            "desta_title": d["title"].astype("string"),
        }
    ).reset_index(drop=True)


def cross_check(
    agreements: pd.DataFrame, wto: pd.DataFrame, tolerance_years: int = 1
) -> pd.DataFrame:
    """Match table of bilateral FTAs, DESTA vs WTO (module docstring).

    Returns one row per matched pair of agreements (``match == "both"``) or unmatched agreement
    (``"desta_only"`` / ``"wto_only"``) with columns :data:`MATCH_COLUMNS`, sorted by pair and
    year.
    """
    d = desta_bilateral(agreements)
    w = wto[wto["country_bilateral"] & wto["party_a"].notna() & wto["party_b"].notna()]
    w = pd.DataFrame(
        {
            "party_a": w["party_a"].astype("string"),
            "party_b": w["party_b"].astype("string"),
            "wto_id": w["rta_id"].astype("Int64"),
            "wto_year": w["signed"].dt.year.astype("Int64"),
            "wto_name": w["name"].astype("string"),
        }
    ).reset_index(drop=True)
    cand = d.merge(w, on=["party_a", "party_b"], how="inner")
    diff = (cand["desta_year"] - cand["wto_year"]).abs()
    cand = cand[(diff <= tolerance_years).fillna(False).to_numpy(dtype=bool)].assign(_diff=diff)
    cand = cand.sort_values(["_diff", "desta_id", "wto_id"], kind="stable")
    used_d: set[str] = set()
    used_w: set[int] = set()
    keep = []
    for i, did, wid in zip(cand.index, cand["desta_id"], cand["wto_id"], strict=True):
        if did in used_d or int(wid) in used_w:
            continue
        used_d.add(did)
        used_w.add(int(wid))
        keep.append(i)
    both = cand.loc[keep].drop(columns="_diff").assign(match="both")
    d_only = d[~d["desta_id"].isin(list(used_d))].assign(match="desta_only")
    w_only = w[~w["wto_id"].isin(list(used_w))].assign(match="wto_only")
    out = pd.concat([both, d_only, w_only], ignore_index=True)
    for c in MATCH_COLUMNS:
        if c not in out.columns:
            out[c] = pd.NA
    out = out[list(MATCH_COLUMNS)]
    out["year"] = out["desta_year"].fillna(out["wto_year"])
    out = out.sort_values(["party_a", "party_b", "year", "desta_id", "wto_id"], kind="stable")
    return out.drop(columns="year").reset_index(drop=True)


def counts_by_year(match: pd.DataFrame) -> pd.DataFrame:
    """Per signature year: bilateral FTAs in DESTA, in WTO, and in both (from :func:`cross_check`).

    A matched pair is counted in the DESTA year.  Index: year; columns desta, wto, both.
    """
    d = match[match["desta_id"].notna()].groupby("desta_year").size().rename("desta")
    w = match[match["wto_id"].notna()].groupby("wto_year").size().rename("wto")
    b = match[match["match"] == "both"].groupby("desta_year").size().rename("both")
    out = pd.concat([d, w, b], axis=1).fillna(0).astype(int)
    out.index = out.index.astype(int)
    out.index.name = "year"
    return out.sort_index()


def main() -> None:
    import polecon

    match = cross_check(polecon.load("agreements"), polecon.load("wto_rta"))
    print(match["match"].value_counts().to_string())
    with pd.option_context("display.max_rows", 200):
        print(counts_by_year(match).to_string())


if __name__ == "__main__":
    main()
