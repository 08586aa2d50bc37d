"""H3 No substitution (HYPOTHESES s.4; Gordon 2010 on NAFTA): trade agreements did not lower
migration, and labour agreements raise it.

Migration gravity: PPML (:func:`polecon.ppml`) of the bilateral stock of people born in origin
i living in destination j, with origin-year, destination-year and directed-pair fixed effects,
SEs clustered by the undirected pair (the agreements are symmetric). One fit per migration
series (the revisions are never mixed). Effects are log points (``exp(b) - 1`` is the change in
the stock). An event study replaces the in-force dummy by bins of years since the pair's first
signing (reference: 1-4 years before).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from polecon.hypotheses.result import DecisionRule, HypothesisResult, decide, not_testable
from polecon.panel.flows import MIGRATION_SERIES

#: declared before any estimate
TRADE_RULE = DecisionRule("not_negative")
BLMA_RULE = DecisionRule("positive")
LEAD_RULE = DecisionRule("zero")
TRADE_PREDICTION = "the trade-agreement effect on the migrant stock is not negative"
BLMA_PREDICTION = "the BLMA effect on the migrant stock is positive"
LEAD_PREDICTION = "no effect before the first signing (no pre-trend)"

#: event-time bins (years since first signing, inclusive bounds); reference: -4..-1
EVENT_BINS: dict[str, tuple[float, float]] = {
    "lead_10plus": (-np.inf, -10),
    "lead_5_9": (-9, -5),
    "lag_0_4": (0, 4),
    "lag_5_9": (5, 9),
    "lag_10plus": (10, np.inf),
}


def h3_columns(series: str, trade: str = "pta", timing: str = "in_force") -> list[str]:
    sfx = MIGRATION_SERIES[series]
    return [
        "i",
        "j",
        "year",
        f"migrants_ij_{sfx}",
        f"{trade}_{timing}",
        f"blma_{timing}",
        f"{trade}_first_year",
        "blma_first_year",
    ]


def gravity_frame(
    panel: pd.DataFrame, series: str = "wb", start: int = 1946, end: int | None = None
) -> pd.DataFrame:
    """Directed pair-years with a known stock: ``origin, destination, year, stock, pair, upair``
    plus the agreement columns of the panel (origin = i, destination = j)."""
    sfx = MIGRATION_SERIES[series]
    y = f"migrants_ij_{sfx}"
    if y not in panel.columns:
        raise KeyError(f"H3 needs the panel column {y!r}")
    keep = panel[y].notna() & (panel["year"] >= start)
    if end is not None:
        keep &= panel["year"] <= end
    fr = panel.loc[keep].reset_index(drop=True)
    i, j = fr["i"].astype(str), fr["j"].astype(str)
    fr = fr.assign(
        stock=fr[y].astype(np.float64),
        origin=i,
        destination=j,
        pair=i + ">" + j,
        upair=np.where(i < j, i + "-" + j, j + "-" + i),
    )
    return fr


def _fit(formula: str, data: pd.DataFrame):  # -> GravityResults
    from polecon.models.gravity import ppml

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return ppml(formula, data, vcov={"CRV1": "upair"})


FE = "origin^year + destination^year + pair"


def h3(
    panel: pd.DataFrame,
    series: str = "wb",
    trade: str = "pta",
    timing: str = "in_force",
    start: int = 1946,
    end: int | None = None,
) -> list[HypothesisResult]:
    """Effects of ``{trade}_{timing}`` and ``blma_{timing}`` on the migrant stock (one fit)."""
    if trade not in ("pta", "bfta"):
        raise ValueError(f"trade must be 'pta' or 'bfta', not {trade!r}")
    if timing not in ("in_force", "signed"):
        raise ValueError(f"timing must be 'in_force' or 'signed', not {timing!r}")
    fr = gravity_frame(panel, series, start, end)
    t_var, b_var = f"{trade}_{timing}", f"blma_{timing}"
    for c in (t_var, b_var):
        fr[c] = fr[c].astype(np.float64)
    formula = f"stock ~ {t_var} + {b_var} | {FE}"
    spec = (
        f"PPML {formula}; {series} stocks, years {start}-{end or int(fr['year'].max())}; "
        "SE clustered by undirected pair (CRV1, G/(G-1))"
    )
    params = {"series": series, "trade": trade, "timing": timing, "start": start}
    rows = [(t_var, TRADE_RULE, TRADE_PREDICTION), (b_var, BLMA_RULE, BLMA_PREDICTION)]
    try:
        res = _fit(formula, fr)
    except (ValueError, np.linalg.LinAlgError) as e:
        return [
            not_testable("H3", v, p, r, spec, f"PPML failed: {e}", params=params)
            for v, r, p in rows
        ]
    return [_effect("H3", v, p, r, res, spec, params) for v, r, p in rows]


def _effect(hyp, term, prediction, rule, res, spec, params) -> HypothesisResult:
    if term not in res.params.index:
        return not_testable(
            hyp, term, prediction, rule, spec, f"{term} dropped ({res.collinear})", params=params
        )
    t = res.tidy(rule.alpha).set_index("term").loc[term]  # the results protocol's columns
    return decide(
        hyp,
        term,
        prediction,
        rule,
        spec,
        float(t["estimate"]),
        float(t["conf_low"]),
        float(t["conf_high"]),
        std_error=float(t["std_error"]),
        nobs=int(res.nobs),
        n_clusters=int(res.n_clusters.get("upair", 0)) or None,
        statistics={"z": float(t["statistic"]), "p_value": float(t["p_value"])},
        params=params,
    )


def event_bins(first_year: pd.Series, year: pd.Series) -> pd.DataFrame:
    """0/1 columns of :data:`EVENT_BINS` (all 0 for pairs that never signed)."""
    rel = year.astype(np.float64) - first_year.astype("Float64").astype(np.float64)
    return pd.DataFrame(
        {
            name: ((rel >= lo) & (rel <= hi)).astype(np.float64)
            for name, (lo, hi) in EVENT_BINS.items()
        },
        index=first_year.index,
    )


def h3_event_study(
    panel: pd.DataFrame,
    series: str = "wb",
    kind: str = "blma",
    start: int = 1946,
    end: int | None = None,
) -> list[HypothesisResult]:
    """Leads and lags of the pair's first ``kind`` signing (bins :data:`EVENT_BINS`)."""
    fr = gravity_frame(panel, series, start, end)
    bins = event_bins(fr[f"{kind}_first_year"], fr["year"])
    names = [f"{kind}_{c}" for c in bins.columns]
    fr[names] = bins.to_numpy()
    formula = f"stock ~ {' + '.join(names)} | {FE}"
    spec = (
        f"PPML {formula}; bins of years since the pair's first {kind} signing (reference -4..-1; "
        f"never-signers 0); {series} stocks, years >= {start}; SE clustered by undirected pair"
    )
    params = {"series": series, "kind": kind, "start": start}
    lag_rule, lag_pred = (
        (BLMA_RULE, BLMA_PREDICTION)
        if kind == "blma"
        else (
            TRADE_RULE,
            TRADE_PREDICTION,
        )
    )
    try:
        res = _fit(formula, fr)
    except (ValueError, np.linalg.LinAlgError) as e:
        return [
            not_testable(
                "H3 event", n, lag_pred, lag_rule, spec, f"PPML failed: {e}", params=params
            )
            for n in names
        ]
    out = []
    leads = [n for n in names if "lead" in n and n in res.params.index]
    for n in names:
        rule, pred = (LEAD_RULE, LEAD_PREDICTION) if "lead" in n else (lag_rule, lag_pred)
        out.append(_effect("H3 event", n, pred, rule, res, spec, params))
    if leads:
        b = res.params[leads].to_numpy()
        v = res.vcov.loc[leads, leads].to_numpy()
        w = float(b @ np.linalg.solve(v, b))
        p = float(stats.chi2.sf(w, len(leads)))
        for r in out:
            r.statistics["leads_wald_chi2"] = w
            r.statistics["leads_wald_p"] = p
    return out


def h3_all(
    panel: pd.DataFrame,
    series: Sequence[str] = tuple(MIGRATION_SERIES),
    start: int = 1946,
) -> list[HypothesisResult]:
    """The headline H3 fit for every migration series present in ``panel``."""
    out: list[HypothesisResult] = []
    for s in series:
        if f"migrants_ij_{MIGRATION_SERIES[s]}" in panel.columns:
            out += h3(panel, s, start=start)
    return out
