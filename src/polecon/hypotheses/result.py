"""Hypothesis results and the decision rules that turn an estimate into a verdict.

A :class:`DecisionRule` is declared beside each hypothesis (module constants, before any data
are read); :func:`decide` applies it to the estimate and its confidence interval. No verdict is
ever typed by hand: a result is either decided by its rule or marked "not testable" with the
reason (:func:`not_testable`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Verdict = Literal["supported", "contradicted", "inconclusive", "not testable"]
Prediction = Literal["positive", "negative", "not_negative", "zero"]

VERDICTS: tuple[str, ...] = ("supported", "contradicted", "inconclusive", "not testable")


@dataclass(frozen=True)
class DecisionRule:
    """How the verdict follows from an estimate and its (1 - alpha) interval.

    - ``positive`` / ``negative``: supported if the interval excludes 0 on the predicted side,
      contradicted if it excludes 0 on the other side, inconclusive otherwise;
    - ``not_negative``: contradicted if the interval lies below 0, supported otherwise (no
      significant negative effect; the reason says whether the effect is significantly > 0);
    - ``zero``: supported if the interval covers 0, contradicted if it excludes 0.

    ``p_value_max``: an extra test (e.g. Wilcoxon) must also have p below it, with the same
    sign, for supported/contradicted; else inconclusive.
    """

    prediction: Prediction
    alpha: float = 0.05
    p_value_max: float | None = None
    extra_test: str | None = None

    def describe(self) -> str:
        level = f"{100 * (1 - self.alpha):g}% CI"
        text = {
            "positive": f"supported if the {level} lies above 0; contradicted if below 0; "
            "else inconclusive",
            "negative": f"supported if the {level} lies below 0; contradicted if above 0; "
            "else inconclusive",
            "not_negative": f"contradicted if the {level} lies below 0; supported otherwise",
            "zero": f"supported if the {level} covers 0; contradicted if it excludes 0",
        }[self.prediction]
        if self.p_value_max is not None:
            text += (
                f"; {self.extra_test or 'the extra test'} must also have p < {self.p_value_max:g}"
            )
        return text


def _verdict(
    rule: DecisionRule, low: float, high: float, extra_p: float | None
) -> tuple[Verdict, str]:
    above, below = low > 0, high < 0
    extra_ok = rule.p_value_max is None or (extra_p is not None and extra_p < rule.p_value_max)
    side = "above 0" if above else "below 0" if below else "covers 0"
    why = f"CI [{low:.4g}, {high:.4g}] {side}"
    if rule.p_value_max is not None:
        why += (
            f"; {rule.extra_test or 'extra test'} p = {extra_p:.3g}" if extra_p is not None else ""
        )
    if rule.prediction in ("positive", "negative"):
        hit, miss = (above, below) if rule.prediction == "positive" else (below, above)
        if hit and extra_ok:
            return "supported", why
        if miss and extra_ok:
            return "contradicted", why
        return "inconclusive", why
    if rule.prediction == "not_negative":
        if below:
            return "contradicted", why
        return "supported", why + (" (significantly positive)" if above else " (not negative)")
    if rule.prediction == "zero":
        return ("supported", why) if not (above or below) else ("contradicted", why)
    raise ValueError(f"unknown prediction {rule.prediction!r}")


@dataclass
class HypothesisResult:
    """One test of one hypothesis under one specification (a row of a hypothesis table)."""

    hypothesis: str
    label: str
    prediction_text: str
    rule: DecisionRule
    specification: str
    verdict: Verdict
    reason: str
    estimate: float = math.nan
    std_error: float = math.nan
    conf_low: float = math.nan
    conf_high: float = math.nan
    nobs: int | None = None
    n_clusters: int | None = None
    statistics: dict[str, float] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)

    def row(self) -> dict[str, object]:
        """A flat dict for tables (statistics and parameters prefixed)."""
        out: dict[str, object] = {
            "hypothesis": self.hypothesis,
            "label": self.label,
            "estimate": self.estimate,
            "std_error": self.std_error,
            "conf_low": self.conf_low,
            "conf_high": self.conf_high,
            "nobs": self.nobs,
            "n_clusters": self.n_clusters,
            "verdict": self.verdict,
            "reason": self.reason,
            "specification": self.specification,
            "rule": self.rule.describe(),
        }
        out.update({f"stat_{k}": v for k, v in self.statistics.items()})
        out.update({f"param_{k}": v for k, v in self.params.items()})
        return out


def decide(
    hypothesis: str,
    label: str,
    prediction_text: str,
    rule: DecisionRule,
    specification: str,
    estimate: float,
    conf_low: float,
    conf_high: float,
    *,
    std_error: float = math.nan,
    extra_p: float | None = None,
    nobs: int | None = None,
    n_clusters: int | None = None,
    statistics: dict[str, float] | None = None,
    params: dict[str, object] | None = None,
) -> HypothesisResult:
    """Build a result whose verdict is computed by ``rule`` from the interval."""
    if not all(math.isfinite(v) for v in (estimate, conf_low, conf_high)):
        return not_testable(
            hypothesis,
            label,
            prediction_text,
            rule,
            specification,
            f"the estimate or its interval is not finite ({estimate}, [{conf_low}, {conf_high}])",
            params=params,
        )
    verdict, why = _verdict(rule, conf_low, conf_high, extra_p)
    return HypothesisResult(
        hypothesis=hypothesis,
        label=label,
        prediction_text=prediction_text,
        rule=rule,
        specification=specification,
        verdict=verdict,
        reason=why,
        estimate=float(estimate),
        std_error=float(std_error),
        conf_low=float(conf_low),
        conf_high=float(conf_high),
        nobs=nobs,
        n_clusters=n_clusters,
        statistics=dict(statistics or {}),
        params=dict(params or {}),
    )


def not_testable(
    hypothesis: str,
    label: str,
    prediction_text: str,
    rule: DecisionRule,
    specification: str,
    reason: str,
    *,
    params: dict[str, object] | None = None,
) -> HypothesisResult:
    """A result that could not be estimated: verdict "not testable" with the reason, no number."""
    return HypothesisResult(
        hypothesis=hypothesis,
        label=label,
        prediction_text=prediction_text,
        rule=rule,
        specification=specification,
        verdict="not testable",
        reason=reason,
        params=dict(params or {}),
    )


def to_frame(results: list[HypothesisResult]) -> pd.DataFrame:
    """Results as a DataFrame, one row per result, in the given order."""
    return pd.DataFrame([r.row() for r in results])
