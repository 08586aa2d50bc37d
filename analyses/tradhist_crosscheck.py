"""West Germany's TRADHIST trade (table ``tradhist_deu``) against COW and UN Comtrade.

Compares the converted TRADHIST values with COW Dyadic Trade 4.0 in 1955-1959 (where COW has
West German data) and with penppml's UN Comtrade flows (1964-1988 and 1992-2012), and lists the
West German state-system dyad-years that the panel's TRADHIST fill still leaves missing. Until
issue 11 these lines were notes in the table's build log. Run from the repository root:

    python analyses/tradhist_crosscheck.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._common import canonical_codes
from polecon.sources.tradhist import FILL_YEARS

COW_KEY = "trade/cow_dyadic_trade_v4_directed_1870_2014.rds"
PENPPML_KEY = "trade/penppml_trade_1964_2016.rda"


def compare(a: pd.DataFrame, b: pd.DataFrame, label: str, notes: list[str], floor: float) -> None:
    m = a.merge(b, on=["exporter", "importer", "year"], suffixes=("", "_ref"))
    m = m[(m["value_usd"] > 0) & (m["value_usd_ref"] > 0)]
    big = m[m["value_usd_ref"] >= floor]
    r = big["value_usd"] / big["value_usd_ref"]
    notes.append(
        f"Cross-check TRADHIST vs {label}: {len(m):,} common positive flows, {len(big):,} >= "
        f"{floor / 1e6:g}M USD; median ratio {r.median():.4f}, {(abs(r - 1) <= 0.01).mean():.1%} "
        f"within 1%, {(abs(r - 1) <= 0.05).mean():.1%} within 5%, {(abs(r - 1) > 0.25).mean():.1%} "
        "off by more than 25%."
    )


def cross_check(out: pd.DataFrame, raw: dict[str, Path]) -> list[str]:
    """Compare with COW 1955-59 (where COW has FRG data) and with penppml (1964-2012); list
    what the fill leaves missing. Returns the report's lines."""
    from polecon.sources import cow_trade
    from polecon.sources.cepii import read_rda

    notes: list[str] = []
    cow = cow_trade.parse(raw[COW_KEY])
    cow = cow[cow["year"].between(1955, 1959)]
    cow = cow[(cow["exporter"] == "DEU") | (cow["importer"] == "DEU")]
    compare(out[out["year"].between(1955, 1959)],
             cow[["exporter", "importer", "year", "value_usd"]].rename(
                 columns={"value_usd": "value_usd_ref"}), "COW 4.0, 1955-1959", notes, 1e7)  # fmt: skip
    pen = read_rda(raw[PENPPML_KEY])
    pen = pen[(pen["exp"].astype(str) == "DEU") | (pen["imp"].astype(str) == "DEU")]
    src = "trade/penppml_trade_1964_2016.rda"
    exp_ = canonical_codes(pen["exp"].astype("string"), "penppml", source=src, column="exp")
    imp_ = canonical_codes(pen["imp"].astype("string"), "penppml", source=src, column="imp")
    pen = pd.DataFrame({
        "exporter": exp_.to_numpy(), "importer": imp_.to_numpy(),
        "year": pen["time"].astype(str).astype(int).to_numpy(),
        "value_usd_ref": pen["export"].to_numpy(dtype=float)})  # fmt: skip
    for lo, hi in ((1964, 1988), (1992, 2012)):
        compare(out[out["year"].between(lo, hi)], pen[pen["year"].between(lo, hi)],
                 f"penppml (UN Comtrade), {lo}-{hi}", notes, 1e7)  # fmt: skip
    still_missing(out, notes)
    w = out[out["year"].between(*FILL_YEARS)]
    n = w[(w["exporter"] == "DEU") & w["value_usd"].notna()].groupby("year")["importer"].nunique()
    notes.append(
        f"TRADHIST DEU partners with non-missing exports, {FILL_YEARS[0]}-{FILL_YEARS[1]}: "
        f"min {int(n.min())} ({int(n.idxmin())}), max {int(n.max())} ({int(n.idxmax())})."
    )
    return notes


def still_missing(out: pd.DataFrame, notes: list[str]) -> None:
    """Log the West German state-system dyads that TRADHIST cannot fill, and what COW lacks."""
    from polecon.countries.system import state_system

    lo, hi = FILL_YEARS
    states = state_system("cow", start=lo, end=hi)
    states = states[states["code"] != "DEU"]
    have = out[(out["exporter"] == "DEU") & out["value_usd"].notna()]
    key = set(zip(have["importer"], have["year"], strict=True))
    miss = states[[(c, y) not in key for c, y in zip(states["code"], states["year"], strict=True)]]
    top = (
        miss.groupby("code")["year"]
        .agg(["min", "max", "size"])
        .sort_values("size", ascending=False)
    )
    notes.append(
        f"Still missing after the TRADHIST fill, DEU exports {lo}-{hi}: {len(miss):,} of "
        f"{len(states):,} COW state-system dyad-years; partners most often missing: "
        + ", ".join(f"{c} {r['min']}-{r['max']} ({r['size']})" for c, r in top.head(12).iterrows())
        + ". Not filled at all: Yugoslavia/Serbia (COW 345) after 1996 and Cape Verde (402) "
        "after 1996, whose COW rows are all missing (trade PROVENANCE s.7), except their DEU cells "
        "up to 1990; TRADHIST's four reporters cannot fill dyads without DEU, FRA, GBR or USA."
    )


def main() -> None:
    import polecon
    from polecon import registry

    raw = {key: registry.fetch(key) for key in (COW_KEY, PENPPML_KEY)}
    for line in cross_check(polecon.load("tradhist_deu"), raw):
        print(f"- {line}")


if __name__ == "__main__":
    main()
