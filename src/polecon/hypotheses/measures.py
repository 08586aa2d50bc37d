"""The quantities the claims ledger measures, each from a canonical table (``polecon.load``).

Every function returns a :class:`Measure`: the headline value, other values the verdict rule
may read, a one-line detail, and the exact data and filter used. Tables are loaded once per
process (:func:`table`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Gulf Cooperation Council states
GULF: tuple[str, ...] = ("SAU", "ARE", "QAT", "KWT", "BHR", "OMN")
#: Latin America: the Spanish-, Portuguese- and French-speaking states of the Americas
LATIN_AMERICA: tuple[str, ...] = (
    "MEX", "GTM", "HND", "SLV", "NIC", "CRI", "PAN", "CUB", "HTI", "DOM",
    "COL", "VEN", "ECU", "PER", "BRA", "BOL", "PRY", "CHL", "ARG", "URY",
)  # fmt: skip
OECD_FOUNDED = 1961
#: title tokens of DESTA entries signed by the EC/EU as a party
EU_TITLE = r"\b(?:EC|EU|EEC|European Union|European Communit\w*)\b"


@dataclass
class Measure:
    """What the data say for one claim."""

    value: float | None
    detail: str
    data: str
    values: dict[str, float] = field(default_factory=dict)


@functools.lru_cache(maxsize=8)
def table(name: str) -> pd.DataFrame:
    """A canonical source table, loaded once per process."""
    from polecon.sources import load

    return load(name)


def agreements(kind: str) -> pd.DataFrame:
    a = table("agreements")
    a = a.loc[a["type"] == kind].copy()
    a["year"] = a["signed"].dt.year
    a["end_year"] = a["terminated"].dt.year
    return a


def _involving(a: pd.DataFrame, codes: tuple[str, ...] | str) -> pd.DataFrame:
    codes = (codes,) if isinstance(codes, str) else codes
    return a.loc[a["party_a"].isin(codes) | a["party_b"].isin(codes)]


def existing(a: pd.DataFrame, year: int) -> pd.DataFrame:
    """Agreement rows signed by ``year`` and not terminated by then."""
    return a.loc[(a["year"] <= year) & ~(a["end_year"] <= year)]


def n_distinct(a: pd.DataFrame) -> int:
    return int(a["agreement_id"].nunique())


def bits_signed(first: int, last: int) -> Measure:
    b = agreements("bit")
    sub = b.loc[b["year"].between(first, last)]
    return Measure(
        n_distinct(sub),
        f"{n_distinct(sub):,} distinct BITs ({len(sub):,} pair listings)",
        f"agreements: type == 'bit' (UNCTAD IIA Navigator 2025), signed {first}-{last}, "
        "distinct agreement_id",
    )


def count_existing(kind: str, year: int, party: str | None = None, eu: bool = False) -> Measure:
    """Distinct type-``kind`` agreements signed by ``year`` and not terminated by then."""
    a = existing(agreements(kind), year)
    what = f"type == '{kind}', signed <= {year} and not terminated by {year}"
    if party is not None:
        a = _involving(a, party)
        what += f", {party} a party"
    if eu:
        a = a.loc[a["title"].astype("string").str.contains(EU_TITLE, regex=True, na=False)]
        what += f", title names the EC/EU as a party (regex {EU_TITLE!r})"
    return Measure(
        n_distinct(a),
        f"{n_distinct(a)} agreements",
        f"agreements: {what}; distinct agreement_id",
    )


def wto_members(year: int) -> Measure:
    cy = table("country_year")
    n = int((cy.loc[cy["year"] == year, "wto_member"] == 1).sum())
    return Measure(
        n,
        f"{n} states members of the WTO in {year}",
        f"country_year: year == {year}, wto_member == 1 (COW IGO; states only)",
    )


def blma_partners(
    party: str, year: int, origins_only: bool = False, since: int | None = None
) -> Measure:
    """Distinct BLMA partners of ``party`` with an agreement signed by ``year`` (from
    ``since``)."""
    a = _involving(agreements("blma"), party)
    a = a.loc[(a["year"] <= year) & (a["year"] >= (since or 0))]
    partner = np.where(a["party_a"] == party, a["party_b"], a["party_a"])
    partners = sorted(set(partner.tolist()))
    when = f"signed {since}-{year}" if since else f"signed <= {year}"
    what = f"agreements: type == 'blma' (Chilton & Woda 2022), {party} a party, {when}"
    if origins_only:
        origin = _net_senders(party, partners, year)
        partners = [p for p in partners if origin.get(p, False)]
        what += (
            f"; partner is an origin: more partner-born in {party} than {party}-born in the "
            f"partner (UN DESA 2019, latest wave <= {year}; else the poorer by real GDP pc)"
        )
    return Measure(len(partners), f"{len(partners)} partners: {', '.join(partners)}", what)


def _net_senders(dest: str, partners: list[str], year: int) -> dict[str, bool]:
    st = table("migration_stocks")
    st = st.loc[(st["series"] == "undesa2019") & (st["year"] <= year)]
    cy = table("country_year")
    g = cy.loc[cy["year"] == year].set_index("code")["gdppc_real"]
    out = {}
    for p in partners:
        inn = st.loc[(st["origin"] == p) & (st["destination"] == dest)]
        outw = st.loc[(st["origin"] == dest) & (st["destination"] == p)]
        both = inn.merge(outw, on="year", suffixes=("_in", "_out")).dropna()
        if len(both):
            last = both.sort_values("year").iloc[-1]
            out[p] = bool(last["stock_in"] > last["stock_out"])
        else:
            out[p] = bool(g.get(p, np.inf) < g.get(dest, -np.inf))
    return out


def blma_counts(codes: tuple[str, ...], year: int) -> Measure:
    """BLMAs signed by ``year`` per party code (agreements, not partners)."""
    a = agreements("blma")
    a = a.loc[a["year"] <= year]
    counts = {c: n_distinct(_involving(a, c)) for c in codes}
    return Measure(
        float(sum(counts.values())),
        ", ".join(f"{c} {n}" for c, n in counts.items()),
        f"agreements: type == 'blma' (Chilton & Woda 2022), signed <= {year}, count per party",
        values={c: float(n) for c, n in counts.items()},
    )


def blma_latin_america(year: int) -> Measure:
    a = agreements("blma")
    a = _involving(a.loc[a["year"] <= year], LATIN_AMERICA)
    both = a["party_a"].isin(LATIN_AMERICA) & a["party_b"].isin(LATIN_AMERICA)
    n = n_distinct(a)
    n_all = n_distinct(_involving(agreements("blma"), LATIN_AMERICA))
    return Measure(
        n,
        f"{n} agreements with a Latin American party ({n_distinct(a.loc[both])} intra-regional); "
        f"{n_all} in all years to 2020",
        f"agreements: type == 'blma', signed <= {year}, a party in {', '.join(LATIN_AMERICA)}",
    )


def blma_rates(periods: dict[str, tuple[int, int]]) -> Measure:
    """BLMAs signed per year in each period."""
    a = agreements("blma")
    rates = {}
    for name, (lo, hi) in periods.items():
        rates[name] = n_distinct(a.loc[a["year"].between(lo, hi)]) / (hi - lo + 1)
    return Measure(
        None,
        "; ".join(f"{k} ({lo}-{hi}): {rates[k]:.1f}/yr" for k, (lo, hi) in periods.items()),
        "agreements: type == 'blma' (Chilton & Woda 2022), distinct agreements by signature year",
        values=rates,
    )


def bit_north_south(periods: dict[str, tuple[int, int]]) -> Measure:
    """Share of BITs with no OECD member among the parties, by period; OECD membership in the
    signature year (COW IGO), in 1961 (the OECD's founding) for earlier treaties."""
    b = agreements("bit")
    b["year_oecd"] = b["year"].clip(lower=OECD_FOUNDED)
    cy = table("country_year")
    oecd = cy.loc[cy["oecd_member"] == 1, ["code", "year"]].assign(o=True)
    oecd = oecd.rename(columns={"year": "year_oecd"})
    for side in ("a", "b"):
        b = b.merge(
            oecd.rename(columns={"code": f"party_{side}", "o": f"oecd_{side}"}),
            on=[f"party_{side}", "year_oecd"],
            how="left",
        )
    b["north"] = b["oecd_a"].fillna(False).astype(bool) | b["oecd_b"].fillna(False).astype(bool)
    per = b.groupby("agreement_id").agg(year=("year", "first"), north=("north", "any"))
    shares, counts = {}, {}
    for name, (lo, hi) in periods.items():
        s = per.loc[per["year"].between(lo, hi)]
        shares[name] = float((~s["north"]).mean()) if len(s) else np.nan
        counts[name] = len(s)
    first_ss = per.loc[~per["north"], "year"].min()
    values = {f"south_south_share_{k}": v for k, v in shares.items()}
    values["first_bit_year"] = float(per["year"].min())
    values["first_south_south_year"] = float(first_ss)
    return Measure(
        None,
        "; ".join(f"{k}: {100 * shares[k]:.1f}% South-South of {counts[k]:,}" for k in periods)
        + f"; first BIT {int(per['year'].min())}, first South-South BIT {int(first_ss)}",
        "agreements: type == 'bit'; South-South = no party an OECD member in the signature year "
        f"(country_year oecd_member, COW IGO; {OECD_FOUNDED} membership before {OECD_FOUNDED})",
        values=values,
    )


def migrant_stock(origin: str, dest: str, year: int, series: str = "undesa2019") -> Measure:
    st = table("migration_stocks")
    sel = st.loc[(st["origin"] == origin) & (st["destination"] == dest) & (st["year"] == year)]
    by = sel.set_index("series")["stock"]
    v = by.get(series, np.nan)
    others = ", ".join(f"{s} {by[s] / 1e6:.2f}M" for s in sorted(by.index) if s != series)
    return Measure(
        None if pd.isna(v) else float(v),
        f"{series} {v / 1e6:.2f}M" + (f" (other series: {others})" if others else ""),
        f"migration_stocks: series == '{series}', origin == '{origin}', destination == '{dest}', "
        f"year == {year}",
        values={s: float(by[s]) for s in by.index},
    )


def stock_peak(origin: str, dest: str, series: str = "undesa2019") -> Measure:
    st = table("migration_stocks")
    sel = st.loc[(st["origin"] == origin) & (st["destination"] == dest) & (st["series"] == series)]
    sel = sel.dropna(subset=["stock"]).sort_values("year")
    peak = sel.loc[sel["stock"].idxmax()]
    waves = ", ".join(
        f"{int(y)} {s / 1e6:.2f}M" for y, s in zip(sel["year"], sel["stock"], strict=True)
    )
    return Measure(
        float(peak["year"]),
        f"peak wave {int(peak['year'])} ({peak['stock'] / 1e6:.2f}M); waves: {waves}",
        f"migration_stocks: series == '{series}', origin == '{origin}', destination == '{dest}'",
        values={"peak_stock": float(peak["stock"])},
    )


def world_stock(year: int, series: str = "undesa2019") -> Measure:
    st = table("migration_stocks")
    sel = st.loc[(st["series"] == series) & (st["year"] == year)]
    tot = float(sel["stock"].sum())
    return Measure(
        tot,
        f"{tot / 1e6:.1f}M",
        f"migration_stocks: series == '{series}', year == {year}, sum of bilateral stocks "
        "(regional and unknown-origin rows are not in the table)",
    )


def gdppc_ratio(year: int, rich: str | None = None, poor: str | None = None) -> Measure:
    """GDP per capita ratio (World Bank current USD): two named states, or the richest to the
    poorest EU member in ``year``."""
    cy = table("country_year")
    y = cy.loc[cy["year"] == year].assign(gdppc=lambda d: d["gdp_wb"] / d["pop_wb"])
    y = y.dropna(subset=["gdppc"]).set_index("code")
    if rich is None:
        eu = y.loc[y["eu_member"] == 1, "gdppc"]
        hi, lo = eu.idxmax(), eu.idxmin()
        what = f"EU members (eu_member == 1, {len(eu)} states), richest {hi} / poorest {lo}"
    else:
        hi, lo = rich, poor
        what = f"{hi} / {lo}"
    r = float(y.loc[hi, "gdppc"] / y.loc[lo, "gdppc"])
    return Measure(
        r,
        f"{hi}/{lo} = {r:.1f}",
        f"country_year: year == {year}, gdp_wb / pop_wb (current USD; a proxy for wages): {what}",
    )


def blma_oecd(year: int, since: int = 1990) -> Measure:
    """BLMAs signed by ``year`` with at least one party in the OECD in ``year`` (all eras, and
    signed from ``since``)."""
    cy = table("country_year")
    oecd = tuple(cy.loc[(cy["year"] == year) & (cy["oecd_member"] == 1), "code"].astype(str))
    a = _involving(agreements("blma"), oecd)
    a = a.loc[a["year"] <= year]
    recent = a.loc[a["year"] >= since]
    return Measure(
        n_distinct(a),
        f"{n_distinct(a)} BLMAs signed by {year} with an OECD party ({len(oecd)} members in "
        f"{year}); {n_distinct(recent)} signed {since}-{year}",
        f"agreements: type == 'blma', signed <= {year}, a party with oecd_member == 1 in {year}",
    )
