"""H1 Reciprocity (HYPOTHESES s.4; Gordon 2010, Part II): trade flows both ways, low-wage
migration flows one way.

H1a compares, pair-year by pair-year, the two-way index of trade with that of migrant stocks
(``R = 1 - |F_ab - F_ba| / (F_ab + F_ba)``, :func:`polecon.panel.twoway_index`) across the
undirected pair-years observed for both (migration: census/estimate waves only). The estimate
is the mean paired difference ``R_trade - R_migration`` with a pair-clustered percentile
bootstrap interval (pairs resampled with replacement, seeded); the Wilcoxon signed-rank test
(scipy) is run on the per-pair mean differences, so that its units are independent.
H1b reads the reciprocity term of the stacked adoption model (:mod:`.adoption_tests`).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from polecon.hypotheses.result import DecisionRule, HypothesisResult, decide, not_testable
from polecon.panel.flows import MIGRATION_SERIES, twoway_index

#: declared before any estimate: the paired difference must be > 0, confirmed by Wilcoxon
H1A_RULE = DecisionRule("positive", alpha=0.05, p_value_max=0.05, extra_test="Wilcoxon")
H1A_PREDICTION = "R_trade - R_migration > 0 (trade is more two-way than migration)"
#: rich-poor pairs: real GDP per capita ratio above this (HYPOTHESES s.4)
RICH_POOR_RATIO = 4.0
N_BOOT = 1999
SEED = 20100101


def h1a_columns(series: str) -> list[str]:
    """Directed-panel columns H1a reads for a migration series."""
    sfx = MIGRATION_SERIES[series]
    return [
        "i",
        "j",
        "year",
        "exports_ij",
        "exports_ji",
        f"migrants_ij_{sfx}",
        f"migrants_ji_{sfx}",
        "gdppc_real_i",
        "gdppc_real_j",
    ]


def paired_frame(panel: pd.DataFrame, series: str = "wb") -> pd.DataFrame:
    """Undirected pair-years (rows i < j of the directed panel) with both indices known.

    Columns ``pair, year, r_trade, r_migration, diff, gdppc_ratio`` (ratio >= 1, NA if a GDP
    per capita is missing). The indices are recomputed from the flows.
    """
    if series not in MIGRATION_SERIES:
        raise ValueError(f"unknown migration series {series!r}; known {list(MIGRATION_SERIES)}")
    missing = [c for c in h1a_columns(series) if c not in panel.columns]
    if missing:
        raise KeyError(f"H1a needs panel columns {missing} (a directed panel from build_panel)")
    sfx = MIGRATION_SERIES[series]
    half = panel.loc[panel["i"].astype(str) < panel["j"].astype(str)]

    def f(c: str) -> np.ndarray:
        return half[c].to_numpy(dtype=np.float64, na_value=np.nan)

    r_t = twoway_index(f("exports_ij"), f("exports_ji"))
    r_m = twoway_index(f(f"migrants_ij_{sfx}"), f(f"migrants_ji_{sfx}"))
    gi, gj = f("gdppc_real_i"), f("gdppc_real_j")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.maximum(gi, gj) / np.minimum(gi, gj)
    out = pd.DataFrame(
        {
            "pair": (half["i"].astype(str) + "-" + half["j"].astype(str)).to_numpy(),
            "year": half["year"].to_numpy(dtype=np.int64),
            "r_trade": r_t,
            "r_migration": r_m,
            "gdppc_ratio": ratio,
        }
    )
    out = out.loc[out["r_trade"].notna() & out["r_migration"].notna()].reset_index(drop=True)
    out["diff"] = out["r_trade"] - out["r_migration"]
    return out


def cluster_bootstrap_mean(
    values: np.ndarray, cluster: np.ndarray, n_boot: int, seed: Sequence[int], alpha: float
) -> tuple[float, float, float]:
    """Percentile interval of the mean of ``values`` resampling whole clusters (seeded).

    Returns (standard error, low, high) over ``n_boot`` draws.
    """
    codes, uniq = pd.factorize(cluster, sort=True)
    g = len(uniq)
    sums = np.bincount(codes, weights=values, minlength=g)
    counts = np.bincount(codes, minlength=g).astype(np.float64)
    rng = np.random.default_rng(list(seed))
    draws = np.empty(n_boot)
    chunk = max(1, 2_000_000 // max(g, 1))
    for s in range(0, n_boot, chunk):
        idx = rng.integers(0, g, size=(min(chunk, n_boot - s), g))
        draws[s : s + len(idx)] = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(draws.std(ddof=1)), float(low), float(high)


def _seed(seed: int, label: str, series: str, start: int) -> tuple[int, ...]:
    return (seed, zlib.crc32(f"{label}|{series}|{start}".encode()))


def paired_test(
    frame: pd.DataFrame,
    label: str,
    series: str,
    start: int,
    n_boot: int = N_BOOT,
    seed: int = SEED,
    rule: DecisionRule = H1A_RULE,
) -> HypothesisResult:
    """H1a on the pair-years of ``frame`` (from :func:`paired_frame`, already subset)."""
    spec = (
        f"mean over undirected pair-years observed for both flows of R_trade - R_migration "
        f"({series} stocks, COW trade with TRADHIST for West Germany; years >= {start}; the "
        "subset in the test label); pair-clustered percentile bootstrap, B = "
        f"{n_boot}, seeded from ({seed}, label, series, start); Wilcoxon signed-rank "
        "(two-sided) on per-pair mean differences"
    )
    params = {"series": series, "start": start, "subset": label}
    n_pairs = frame["pair"].nunique()
    if n_pairs < 10:
        return not_testable(
            "H1a",
            label,
            H1A_PREDICTION,
            rule,
            spec,
            f"only {n_pairs} pairs observed for both flows (need 10)",
            params=params,
        )
    d = frame["diff"].to_numpy()
    se, low, high = cluster_bootstrap_mean(
        d, frame["pair"].to_numpy(), n_boot, _seed(seed, label, series, start), rule.alpha
    )
    per_pair = frame.groupby("pair", sort=True)["diff"].mean().to_numpy()
    w = stats.wilcoxon(per_pair)
    return decide(
        "H1a",
        label,
        H1A_PREDICTION,
        rule,
        spec,
        float(d.mean()),
        low,
        high,
        std_error=se,
        extra_p=float(w.pvalue),
        nobs=len(frame),
        n_clusters=n_pairs,
        statistics={
            "mean_r_trade": float(frame["r_trade"].mean()),
            "mean_r_migration": float(frame["r_migration"].mean()),
            "median_pair_diff": float(np.median(per_pair)),
            "wilcoxon_W": float(w.statistic),
            "wilcoxon_p": float(w.pvalue),
        },
        params=params,
    )


def h1a(
    panel: pd.DataFrame,
    series: str = "wb",
    start: int = 1946,
    end: int | None = None,
    rich_poor_ratio: float = RICH_POOR_RATIO,
    by_decade: bool = True,
    n_boot: int = N_BOOT,
    seed: int = SEED,
) -> list[HypothesisResult]:
    """H1a overall, for rich-poor pairs (GDP per capita ratio > ``rich_poor_ratio``) and, with
    ``by_decade``, for each decade with data (labels ``overall``, ``rich_poor``, ``1990s``...)."""
    fr = paired_frame(panel, series)
    fr = fr.loc[(fr["year"] >= start) & ((fr["year"] <= end) if end is not None else True)]
    subsets: list[tuple[str, pd.DataFrame]] = [
        ("overall", fr),
        (
            f"rich_poor (gdppc ratio > {rich_poor_ratio:g})",
            fr.loc[fr["gdppc_ratio"] > rich_poor_ratio],
        ),
    ]
    if by_decade:
        dec = fr["year"] // 10 * 10
        subsets += [(f"{d}s", fr.loc[dec == d]) for d in sorted(dec.unique())]
    return [paired_test(sub, label, series, start, n_boot, seed) for label, sub in subsets]
