"""H5 Weaker agreements (HYPOTHESES s.4; Gordon 2010, Part III): BLMAs bind less than BITs and
trade agreements.

Shares of agreements with a provision, from three codings: BLMAs from Chilton & Woda's content
coding (``blma_provisions``, the 570 agreements with a text), BITs from the UNCTAD IIA Mapping
(``bit_provisions``, BITs only), trade agreements from DESTA's design coding (``pta_design``, base
treaties). Every cell is either a measured share or says why the data cannot fill it. The tests
compare the BLMA share with the BIT and trade shares (difference of proportions, Wald interval).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from polecon.hypotheses.result import DecisionRule, HypothesisResult, decide, not_testable

#: declared before any estimate: BLMA share minus the comparator's share is < 0
H5_RULE = DecisionRule("negative")
H5_PREDICTION = "BLMAs carry the provision less often than the comparator (share difference < 0)"
PERIOD = (1989, 2007)

Flag = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Cell:
    """One provision for one agreement type: a flag per agreement (NA: not coded), or a reason
    why the data cannot fill it."""

    kind: str
    provision: str
    source: str
    flag: Flag | None = None
    unavailable: str = ""


def _col(name: str) -> Flag:
    return lambda d: d[name].astype("boolean")


def _bit_fixed_term(d: pd.DataFrame) -> pd.Series:
    t = d["initial_term"].astype("string")
    return t.str.fullmatch(r"\d+ years").astype("boolean").mask(t.eq("Not mapped") | t.isna())


def _blma_fixed_term(d: pd.DataFrame) -> pd.Series:
    t = d["duration_type"].astype("string")
    return t.eq("The BLA is valid for a specified number of years").astype("boolean").mask(t.isna())


def _bit_any_ds(d: pd.DataFrame) -> pd.Series:
    return d["isds"].astype("boolean") | d["ssds"].astype("boolean")


def _enforce_positive(d: pd.DataFrame) -> pd.Series:
    return (d["enforce01"] > 0).astype("boolean").mask(d["enforce01"].isna())


CW = "Chilton & Woda (2022) coding file (blma_provisions)"
UNCTAD = "UNCTAD IIA Mapping (bit_provisions, BITs)"
DESTA = "DESTA design coding v2.3 (pta_design, base treaties)"
NO_QUOTA = "not applicable: investment and trade treaties set no quotas on people"

#: the H5 table, declared: provision x agreement type
CELLS: tuple[Cell, ...] = (
    Cell(
        "blma",
        "dispute settlement",
        CW + ": item (16) 'mechanisms for complaints and dispute resolution' (migrant-employer "
        "disputes; no state-state or binding mechanism is coded)",
        _col("dispute_resolution"),
    ),
    Cell("bit", "dispute settlement", UNCTAD + ": ISDS or state-state DS included", _bit_any_ds),
    Cell("trade", "dispute settlement", DESTA + ": ds_prov", _col("ds_provisions")),
    Cell(
        "blma",
        "investor-state / binding arbitration",
        CW,
        unavailable="not coded by Chilton & Woda: no item for arbitration or binding rulings",
    ),
    Cell("bit", "investor-state / binding arbitration", UNCTAD + ": ISDS included", _col("isds")),
    Cell(
        "trade", "investor-state / binding arbitration", DESTA + ": ds_binding", _col("ds_binding")
    ),
    Cell(
        "blma",
        "enforcement (sanctions)",
        CW,
        unavailable="not coded by Chilton & Woda: no item for sanctions or retaliation",
    ),
    Cell(
        "bit",
        "enforcement (sanctions)",
        UNCTAD,
        unavailable="not coded in the IIA Mapping (BITs enforce through awards, not sanctions)",
    ),
    Cell("trade", "enforcement (sanctions)", DESTA + ": ds_sanc_prov", _col("ds_sanctions")),
    Cell("trade", "enforcement index > 0", DESTA + ": enforce01 > 0", _enforce_positive),
    Cell("blma", "joint committee", CW + ": item (5) joint committee", _col("joint_committee")),
    Cell(
        "blma", "stated duration", CW + ": valid for a specified number of years", _blma_fixed_term
    ),
    Cell("bit", "stated duration", UNCTAD + ": fixed initial term (N years)", _bit_fixed_term),
    Cell(
        "trade",
        "stated duration",
        DESTA,
        unavailable="DESTA has no treaty-duration variable (only safeguard durations)",
    ),
    Cell("blma", "quota", CW + ": quota", _col("quota")),
    Cell("bit", "quota", UNCTAD, unavailable=NO_QUOTA),
    Cell("trade", "quota", DESTA, unavailable=NO_QUOTA),
    Cell("blma", "sectors", CW, unavailable="the Chilton & Woda coding has no sector variable"),
    Cell(
        "bit",
        "sectors",
        UNCTAD,
        unavailable="sector exclusions are not in the mapped columns loaded (bit_provisions)",
    ),
    Cell(
        "trade",
        "sectors",
        DESTA,
        unavailable="DESTA codes sector chapters (services, "
        "investment), not the sectors an agreement is limited to",
    ),
)

#: the comparisons tested (provision, comparator type)
TESTS: tuple[tuple[str, str], ...] = (
    ("dispute settlement", "bit"),
    ("dispute settlement", "trade"),
    ("stated duration", "bit"),
)


def load_codings() -> dict[str, pd.DataFrame]:
    """The three coding tables with a common ``year`` (signature year) column."""
    from polecon.sources import load

    blma = load("blma_provisions")
    bit = load("bit_provisions")
    bit = bit.loc[bit["type"] == "bit"].assign(year=bit["signed"].dt.year)
    trade = load("pta_design")
    trade = trade.loc[trade["entry_type"] == "base_treaty"]
    return {"blma": blma, "bit": bit, "trade": trade}


def _subset(frame: pd.DataFrame, period: tuple[int, int] | None) -> pd.DataFrame:
    if period is None:
        return frame
    y = frame["year"].astype("Float64")
    return frame.loc[(y >= period[0]) & (y <= period[1])]


def shares(codings: dict[str, pd.DataFrame], period: tuple[int, int] | None = None) -> pd.DataFrame:
    """The H5 table: one row per cell of :data:`CELLS` with ``n_coded, n_with, share`` or the
    reason it is empty (``note``)."""
    rows = []
    for c in CELLS:
        base = {"provision": c.provision, "kind": c.kind, "source": c.source}
        if c.flag is None:
            rows.append(
                {**base, "n_coded": pd.NA, "n_with": pd.NA, "share": np.nan, "note": c.unavailable}
            )
            continue
        f = c.flag(_subset(codings[c.kind], period)).dropna()
        n, k = len(f), int(f.sum())
        rows.append(
            {**base, "n_coded": n, "n_with": k, "share": k / n if n else np.nan, "note": ""}
        )
    out = pd.DataFrame(rows)
    out["period"] = "all" if period is None else f"{period[0]}-{period[1]}"
    return out


def _cell(provision: str, kind: str) -> Cell:
    return next(c for c in CELLS if c.provision == provision and c.kind == kind)


def h5(
    codings: dict[str, pd.DataFrame] | None = None, period: tuple[int, int] | None = None
) -> list[HypothesisResult]:
    """Tests of :data:`TESTS`: BLMA share minus comparator share, Wald 95% interval."""
    codings = load_codings() if codings is None else codings
    out = []
    for provision, other in TESTS:
        label = f"{provision}: blma - {other} ({'all' if period is None else '-'.join(map(str, period))})"
        a, b = _cell(provision, "blma"), _cell(provision, other)
        spec = (
            f"difference of shares with '{provision}': [{a.source}] minus [{b.source}]; signed "
            f"{'any year' if period is None else f'{period[0]}-{period[1]}'}; agreements not "
            "coded on the item are left out; Wald interval"
        )
        params = {
            "provision": provision,
            "comparator": other,
            "period": "all" if period is None else f"{period[0]}-{period[1]}",
        }
        if a.flag is None or b.flag is None:
            why = a.unavailable or b.unavailable
            out.append(not_testable("H5", label, H5_PREDICTION, H5_RULE, spec, why, params=params))
            continue
        fa = a.flag(_subset(codings["blma"], period)).dropna()
        fb = b.flag(_subset(codings[other], period)).dropna()
        na, nb = len(fa), len(fb)
        if min(na, nb) < 10:
            out.append(
                not_testable(
                    "H5",
                    label,
                    H5_PREDICTION,
                    H5_RULE,
                    spec,
                    f"too few coded agreements (blma {na}, {other} {nb})",
                    params=params,
                )
            )
            continue
        pa, pb = float(fa.mean()), float(fb.mean())
        se = math.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        z = stats.norm.ppf(1 - H5_RULE.alpha / 2)
        d = pa - pb
        out.append(
            decide(
                "H5",
                label,
                H5_PREDICTION,
                H5_RULE,
                spec,
                d,
                d - z * se,
                d + z * se,
                std_error=se,
                nobs=na + nb,
                statistics={"share_blma": pa, f"share_{other}": pb, "n_blma": na, f"n_{other}": nb},
                params=params,
            )
        )
    return out
