"""H1b, H2a, H2b and H4 from the stacked adoption model (HYPOTHESES s.4-5).

One stacked logit (:func:`polecon.models.adoption.stacked`: BIT, BFTA and BLMA risk sets, every
covariate interacted with type, type-by-year fixed effects, SEs clustered by pair) answers:

- H1b: the hazard of type k rises with the two-way index of the flow it governs
  (``twoway_governing:k`` > 0; trade for BIT/BFTA, migration for BLMA);
- H2a: the BLMA hazard falls with the destination's origin diversity, number of origins and
  labour pool, and rises with the origin's share of its immigrants;
- H2b: the destination's alternatives lower the BLMA hazard more than the BIT/BFTA hazard
  (``x:blma - x:bit`` < 0);
- H4: colonial ties and contiguity raise the BLMA hazard more than the BIT/BFTA hazard, and a
  trade agreement in force does not predict a BLMA (``pta_in_force:blma`` covers 0).

Each test is a linear combination of the stacked coefficients with its Wald (normal) interval.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from polecon.hypotheses.result import DecisionRule, HypothesisResult, decide, not_testable

TYPES: tuple[str, ...] = ("bit", "bfta", "blma")
POSITIVE = DecisionRule("positive")
NEGATIVE = DecisionRule("negative")
ZERO = DecisionRule("zero")
UNILATERAL = ("dest_origin_diversity", "ldest_n_origins", "ldest_labour_pool")

#: (hypothesis, label, linear combination {term: weight}, rule, prediction), declared
TESTS: tuple[tuple[str, str, dict[str, float], DecisionRule, str], ...] = (
    *(
        (
            "H1b",
            f"twoway_governing:{k}",
            {f"twoway_governing:{k}": 1.0},
            POSITIVE,
            f"the {k} hazard rises with the two-way index of the flow it governs",
        )
        for k in TYPES
    ),
    *(
        (
            "H2a",
            f"{x}:blma",
            {f"{x}:blma": 1.0},
            NEGATIVE,
            f"the BLMA hazard falls with the destination's {x}",
        )
        for x in UNILATERAL
    ),
    (
        "H2a",
        "origin_share:blma",
        {"origin_share:blma": 1.0},
        POSITIVE,
        "the BLMA hazard rises with the origin's share of the destination's immigrants",
    ),
    *(
        (
            "H2b",
            f"{x}: blma - {k}",
            {f"{x}:blma": 1.0, f"{x}:{k}": -1.0},
            NEGATIVE,
            f"the destination's {x} lowers the BLMA hazard more than the {k} hazard",
        )
        for x in UNILATERAL
        for k in ("bit", "bfta")
    ),
    *(
        (
            "H4",
            f"{x}: blma - {k}",
            {f"{x}:blma": 1.0, f"{x}:{k}": -1.0},
            POSITIVE,
            f"{x} raises the BLMA hazard more than the {k} hazard",
        )
        for x in ("colony", "contig")
        for k in ("bit", "bfta")
    ),
    (
        "H4",
        "pta_in_force:blma",
        {"pta_in_force:blma": 1.0},
        ZERO,
        "a trade agreement in force does not predict a BLMA",
    ),
)


def adoption_columns(migration: str = "wb") -> list[str]:
    from polecon.panel.spells import _source_columns

    cols = {"i", "j", "year"}
    for k in TYPES:
        cols |= set(_source_columns(k, migration))
    return sorted(cols)


def reassign_roles(
    panel: pd.DataFrame, roles: str = "stocks", series: Sequence[str] = ("undesa2019", "wb")
) -> pd.DataFrame:
    """Recompute the destination measures (``dest_*``, ``origin_share``) with the destination
    chosen by migrant stocks (the panel's ``i_is_destination``) or by income (``roles="gdppc"``:
    the richer member is the destination), from the stock ``series`` given."""
    from polecon.panel import add_unilateral_option

    if roles not in ("stocks", "gdppc"):
        raise ValueError(f"roles must be 'stocks' or 'gdppc', not {roles!r}")
    p = panel
    if roles == "gdppc":
        p = panel.assign(i_is_destination=panel["i_is_rich"])
    return add_unilateral_option(p, series=tuple(series))


def fit_stacked(
    panel: pd.DataFrame, start: int = 1946, migration: str = "wb", link: str = "logit"
):  # -> StackedResults
    """The default stacked model on risk sets from ``start`` (flows from ``migration``), with a
    logit or complementary log-log (``link``) hazard."""
    from polecon.models.adoption import stacked
    from polecon.panel.spells import risk_set

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # FE levels without events: in dropped
        sets = {k: risk_set(panel, k, start=start, migration=migration) for k in TYPES}
        return stacked(sets, link=link)


def combination(res, weights: dict[str, float], alpha: float) -> tuple[float, float, float, float]:
    """Estimate, SE and (1 - alpha) normal interval of ``sum(w * b)``."""
    names = list(weights)
    w = np.array([weights[n] for n in names])
    est = float(w @ res.params[names].to_numpy())
    se = float(math.sqrt(w @ res.vcov.loc[names, names].to_numpy() @ w))
    z = stats.norm.ppf(1 - alpha / 2)
    return est, se, est - z * se, est + z * se


def tests_from(res, spec: str, params: dict[str, object]) -> list[HypothesisResult]:
    """Every test of :data:`TESTS` on a fitted stacked model."""
    out = []
    for hyp, label, weights, rule, prediction in TESTS:
        missing = [t for t in weights if t not in res.params.index]
        if missing:
            out.append(
                not_testable(
                    hyp,
                    label,
                    prediction,
                    rule,
                    spec,
                    f"terms {missing} not in the model",
                    params=params,
                )
            )
            continue
        est, se, lo, hi = combination(res, weights, rule.alpha)
        out.append(
            decide(
                hyp,
                label,
                prediction,
                rule,
                spec,
                est,
                lo,
                hi,
                std_error=se,
                nobs=int(res.nobs),
                n_clusters=int(res.n_clusters.get("pair", 0)) or None,
                statistics={
                    "z": est / se,
                    "p_value": float(2 * stats.norm.sf(abs(est / se))),
                    **{f"events_{k}": float(v) for k, v in res.n_events.items()},
                },
                params=params,
            )
        )
    return out


def adoption_hypotheses(
    panel: pd.DataFrame,
    start: int = 1946,
    migration: str = "wb",
    roles: str = "stocks",
    model: str = "logit",
    timing: str = "signed",
) -> list[HypothesisResult]:
    """H1b, H2a, H2b and H4 under one specification (see the module doc)."""
    params = {"start": start, "migration": migration, "roles": roles, "model": model}
    if timing != "signed":
        params["timing"] = timing
    spec = (
        f"stacked {model} (BIT, BFTA, BLMA first-signature risk sets from {start}; covariates "
        f"x type; type-by-year FE; C&S cubic; SE clustered by pair); flows {migration}; "
        f"destination by {'migrant stocks' if roles == 'stocks' else 'GDP per capita'}"
    )
    if timing != "signed":
        why = (
            "the risk sets (polecon.panel.spells.risk_set) end at the first signature; no "
            "entry-into-force event is built"
        )
        return [not_testable(h, lab, pr, r, spec, why, params=params) for h, lab, _, r, pr in TESTS]
    if model not in ("logit", "cloglog"):
        why = {
            "cox": "no stacked Cox model: polecon.cox fits one risk set, and the cross-type "
            "covariance of three Cox fits (suest-style, from per-type score residuals summed by "
            "pair) is not built",
        }.get(model, f"unknown model {model!r}")
        return [not_testable(h, lab, pr, r, spec, why, params=params) for h, lab, _, r, pr in TESTS]
    if roles != "stocks" or migration != "wb":
        series = ("undesa2019", "wb") if migration == "wb" else (migration,)
        panel = reassign_roles(panel, roles, series)
    try:
        res = fit_stacked(panel, start, migration, link=model)
    except (ValueError, KeyError, np.linalg.LinAlgError) as e:
        return [
            not_testable(h, lab, pr, r, spec, f"model failed: {e}", params=params)
            for h, lab, _, r, pr in TESTS
        ]
    return tests_from(res, spec, params)
