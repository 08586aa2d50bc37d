"""The claims ledger (HYPOTHESES s.6): one declarative table of the essay's quantitative claims.

Each :class:`Claim` states the quantity, the function that measures it
(:mod:`polecon.hypotheses.measures`), the essay's figure and where it is (Gordon 2010, "People
are Not Bananas: How Immigration Differs from Trade", 104 Nw. U. L. Rev. 1109, located by part
and footnote), and the rule that turns
our figure into a verdict, with its tolerance and why. :func:`evaluate` computes every verdict;
the report (``polecon.reports.claims``) and the tests read the same table.

Tolerances, set once for each kind of quantity:

- counts of agreements from a database of another vintage: +-10% (:data:`COUNT_TOL`). Treaty
  lists are revised as texts are found and terminations coded; two listings of the same
  population (UNCTAD's distinct agreements vs pair listings) already differ by ~5%.
- migrant stocks from another estimator: +-5% (:data:`STOCK_TOL`): census-based (UN DESA, World
  Bank) and survey-based (Pew/CPS, the essay's source) counts of one population.
- "about"/"nearly" figures and income ratios: +-10%.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from polecon.hypotheses import measures as m
from polecon.hypotheses.measures import Measure

COUNT_TOL = 0.10
STOCK_TOL = 0.05
ABOUT_TOL = 0.10
#: WTO members that are not states (Hong Kong, Macao, Chinese Taipei): a state list misses them
WTO_NON_STATES = 3

Rule = Callable[[Measure], bool]


@dataclass(frozen=True)
class Claim:
    """One claim of the essay and how the data test it."""

    id: str
    claim: str
    where: str
    essay_figure: str
    measure: Callable[[], Measure]
    rule: Rule | None
    rule_text: str
    tolerance_why: str = ""
    not_testable: str = ""


def within(target: float, rel: float = 0.0, abs_: float = 0.0) -> Rule:
    return lambda x: x.value is not None and abs(x.value - target) <= max(rel * target, abs_)


def more_than(target: float) -> Rule:
    return lambda x: x.value is not None and x.value > target


def at_least(target: float) -> Rule:
    return lambda x: x.value is not None and x.value >= target


def _lull(x: Measure) -> bool:
    v = x.values
    return v["1970-1997"] < v["1946-1969"] and v["1998-2008"] > v["1970-1997"]


def _north_first(x: Measure) -> bool:
    v = x.values
    early, late = v["south_south_share_1959-1979"], v["south_south_share_1990-2007"]
    return early < 0.5 and late > early and v["first_south_south_year"] > v["first_bit_year"]


def _none_us_gulf(x: Measure) -> bool:
    v = x.values
    return v["USA"] == 0 and sum(v[g] == 0 for g in m.GULF) >= len(m.GULF) / 2


def _twice(x: Measure) -> bool:
    return x.value is not None and x.value > 2


def _eu_vs_usmex() -> Measure:
    eu, um = m.gdppc_ratio(2007), m.gdppc_ratio(2007, "USA", "MEX")
    r = eu.value / um.value
    return Measure(r, f"EU {eu.detail}; {um.detail}; ratio of ratios {r:.1f}", eu.data, {})


LULL = {"1946-1969": (1946, 1969), "1970-1997": (1970, 1997), "1998-2008": (1998, 2008)}
BIT_ERAS = {"1959-1979": (1959, 1979), "1980-1989": (1980, 1989), "1990-2007": (1990, 2007)}
CW_WHY = (
    "Chilton & Woda's definition is broad (MOUs, exchanges of notes, youth mobility) and the "
    "data have no end dates, so 'no BLMAs' is read as 'none signed by 2010'"
)

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "bits_2000",
        "Well over two thousand BITs signed in the past twenty years",
        "Part II.A, text at n. 42",
        "> 2,000",
        lambda: m.bits_signed(1990, 2009),
        more_than(2000),
        "more than 2,000 distinct BITs signed 1990-2009",
    ),
    Claim(
        "bits_1989_2007",
        "2,265 BITs signed between 1989 and 2007 (Brummer's count)",
        "Part II.A, n. 42",
        "2,265",
        lambda: m.bits_signed(1989, 2007),
        within(2265, COUNT_TOL),
        "within 10% of 2,265",
        "counts from another database vintage",
    ),
    Claim(
        "bftas_200",
        "Bilateral trade agreements number well over 200",
        "Part II.A, text at n. 33",
        "> 200",
        lambda: m.count_existing("bfta", 2009),
        more_than(200),
        "more than 200 BFTAs signed by 2009 and not terminated",
    ),
    Claim(
        "us_bits_48",
        "The United States had negotiated 48 BITs as of 2007",
        "Part II.A, text at n. 52",
        "48",
        lambda: m.count_existing("bit", 2007, "USA"),
        within(48, COUNT_TOL),
        "within 10% of 48",
        "counts from another database vintage",
    ),
    Claim(
        "us_bftas_15",
        "The United States had concluded 15 BFTAs as of 2007",
        "Part II.A, text at n. 36 and n. 52",
        "15",
        lambda: m.count_existing("bfta", 2007, "USA"),
        within(15, COUNT_TOL),
        "within 10% of 15",
        "counts from another database vintage",
    ),
    Claim(
        "eu_ftas_32",
        "The EU had concluded 32 FTAs as of 2007",
        "Part II.A, text at n. 36",
        "32",
        lambda: m.count_existing("bfta", 2007, eu=True),
        within(32, COUNT_TOL),
        "within 10% of 32",
        "counts from another database vintage",
    ),
    Claim(
        "sgp_ftas_9",
        "Singapore had signed 9 FTAs as of 2007",
        "Part II.A, text at n. 36",
        "9",
        lambda: m.count_existing("bfta", 2007, "SGP"),
        within(9, COUNT_TOL),
        "within 10% of 9",
        "counts from another database vintage",
    ),
    Claim(
        "wto_153",
        "The WTO had 153 members (July 2008)",
        "Part II.A, text at n. 29",
        "153",
        lambda: m.wto_members(2008),
        within(153, abs_=WTO_NON_STATES),
        "within 3 of 153",
        "the state list cannot count the 3 customs-territory members",
    ),
    Claim(
        "oecd_176",
        "176 bilateral labour accords among the 30 OECD countries in 2004",
        "Part II.B, text at n. 77",
        "176",
        lambda: m.blma_oecd(2004),
        None,
        "",
        not_testable="the OECD survey counts accords in force in 2004; Chilton & Woda "
        "record no end dates, so the stock in force cannot be rebuilt",
    ),
    Claim(
        "latam_140",
        "Latin American countries have signed more than 140 BLMAs",
        "Part II.B, text at n. 79",
        "> 140",
        lambda: m.blma_latin_america(2009),
        more_than(140),
        "more than 140 BLMAs signed by 2009 with a Latin American party",
    ),
    Claim(
        "phl_14",
        "The Philippines has BLMAs with at least 14 destinations",
        "Part II.B, text at n. 81",
        ">= 14",
        lambda: m.blma_partners("PHL", 2008),
        at_least(14),
        "at least 14 distinct partners with a BLMA signed by 2008",
    ),
    Claim(
        "esp_8",
        "Spain has temporary labour agreements with 8 origin countries",
        "Part II.B, text at n. 82",
        "8",
        lambda: m.blma_partners("ESP", 2004, origins_only=True, since=1990),
        within(8, COUNT_TOL),
        "within 10% of 8 origin partners (signed 1990-2004)",
        "counts from another source; 1990-2004 because Spain's earlier agreements sent "
        "Spaniards abroad",
    ),
    Claim(
        "us_gulf_none",
        "The United States and many Gulf states have no BLMAs",
        "Part II.B, text after n. 84",
        "0",
        lambda: m.blma_counts(("USA", *m.GULF), 2010),
        _none_us_gulf,
        "the US has 0 BLMAs signed by 2010 and at least half of the 6 GCC states have 0",
        CW_WHY,
    ),
    Claim(
        "blma_lull",
        "A lull in BLMAs from the 1970s to the late 1990s, then a rise",
        "Part II.B, text at n. 76",
        "qualitative",
        lambda: m.blma_rates(LULL),
        _lull,
        "signings per year 1970-1997 below 1946-1969, and 1998-2008 above 1970-1997",
    ),
    Claim(
        "bits_north_first",
        "BITs were initiated by developed countries; South-South later",
        "Part II.A, text at n. 47",
        "qualitative",
        lambda: m.bit_north_south(BIT_ERAS),
        _north_first,
        "South-South share of BITs signed 1959-1979 below 50% and below the "
        "1990-2007 share; the first South-South BIT later than the first BIT",
    ),
    Claim(
        "mex_us_1990",
        "Mexican-born people in the US: 4.3 million in 1990",
        "Part I, text at n. 17",
        "4.3M",
        lambda: m.migrant_stock("MEX", "USA", 1990),
        within(4.3e6, STOCK_TOL),
        "within 5% (UN DESA 2019)",
        "another estimator",
    ),
    Claim(
        "mex_us_2000",
        "Mexican-born people in the US: 9.2 million in 2000",
        "Part I, text at n. 17",
        "9.2M",
        lambda: m.migrant_stock("MEX", "USA", 2000),
        within(9.2e6, STOCK_TOL),
        "within 5% (UN DESA 2019)",
        "another estimator",
    ),
    Claim(
        "mex_us_peak_2008",
        "... peaking in 2008 (at 11.6 million)",
        "Part I, text at n. 18",
        "2008",
        lambda: m.stock_peak("MEX", "USA"),
        within(2008, abs_=2.5),
        "the highest UN DESA 2019 wave is 2005 or 2010, the waves around 2008",
        "waves are 5 years apart; the 2008 level itself is not observed",
    ),
    Claim(
        "world_200m",
        "Nearly 200 million migrants worldwide",
        "Part II.B, text at n. 56",
        "~200M",
        lambda: m.world_stock(2005),
        within(200e6, ABOUT_TOL),
        "within 10% of 200M in 2005 (the year of the essay's source)",
        "'nearly'/'about'",
    ),
    Claim(
        "eu_ratio_16",
        "EU wage disparity up to 16:1 (richest to poorest member)",
        "Conclusion, text at n. 152 and n. 153",
        "16",
        lambda: m.gdppc_ratio(2007),
        within(16, ABOUT_TOL),
        "within 10% (GDP per capita, current USD, EU-27 in 2007)",
        "a ratio of a proxy (GDP per capita for wages)",
    ),
    Claim(
        "usmex_ratio_6",
        "US-Mexico wage disparity about 6:1",
        "Conclusion, n. 153",
        "6",
        lambda: m.gdppc_ratio(2007, "USA", "MEX"),
        within(6, ABOUT_TOL),
        "within 10% (GDP per capita, current USD, 2007)",
        "a ratio of a proxy",
    ),
    Claim(
        "eu_twice_usmex",
        "The EU disparity is more than twice the US-Mexico one",
        "Conclusion, text at n. 152",
        "> 2",
        _eu_vs_usmex,
        _twice,
        "EU ratio / US-Mexico ratio > 2 (GDP per capita, current USD, 2007)",
    ),
)


@dataclass
class Entry:
    claim: Claim
    measure: Measure | None
    verdict: str
    reason: str


def evaluate(claim: Claim) -> Entry:
    """Measure one claim and compute its verdict with the declared rule."""
    if claim.not_testable:  # measured for the reader, but no verdict can follow from it
        return Entry(claim, claim.measure(), "not testable", claim.not_testable)
    mes = claim.measure()
    if mes.value is None and not mes.values:
        return Entry(claim, mes, "not testable", "the data have no value for this quantity")
    ok = claim.rule(mes)  # type: ignore[misc]
    verdict = "supported" if ok else "contradicted"
    why = ("meets" if ok else "fails") + f": {claim.rule_text}"
    if claim.tolerance_why:
        why += f" (why this tolerance or reading: {claim.tolerance_why})"
    return Entry(claim, mes, verdict, why)


def ledger(claims: tuple[Claim, ...] = CLAIMS) -> list[Entry]:
    return [evaluate(c) for c in claims]


def to_frame(entries: list[Entry]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": e.claim.id,
                "claim": e.claim.claim,
                "where": e.claim.where,
                "essay": e.claim.essay_figure,
                "ours": "" if e.measure is None else e.measure.detail,
                "value": None if e.measure is None else e.measure.value,
                "data": "" if e.measure is None else e.measure.data,
                "verdict": e.verdict,
                "reason": e.reason,
            }
            for e in entries
        ]
    )
