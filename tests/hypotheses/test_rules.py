"""Decision rules: the verdict follows from the interval exactly as declared."""

from __future__ import annotations

import math

import pytest

from polecon.hypotheses.claims import at_least, more_than, within
from polecon.hypotheses.measures import Measure
from polecon.hypotheses.result import DecisionRule, decide, not_testable


def _v(pred: str, low: float, high: float, **kw) -> str:
    rule = DecisionRule(pred, **kw)  # type: ignore[arg-type]
    return decide("H", "t", "p", rule, "spec", (low + high) / 2, low, high).verdict


@pytest.mark.parametrize(
    ("pred", "low", "high", "verdict"),
    [
        ("positive", 0.1, 0.3, "supported"),
        ("positive", -0.3, -0.1, "contradicted"),
        ("positive", -0.1, 0.3, "inconclusive"),
        ("negative", -0.3, -0.1, "supported"),
        ("negative", 0.1, 0.3, "contradicted"),
        ("negative", -0.1, 0.1, "inconclusive"),
        ("not_negative", -0.1, 0.3, "supported"),
        ("not_negative", 0.1, 0.3, "supported"),
        ("not_negative", -0.3, -0.01, "contradicted"),
        ("zero", -0.1, 0.1, "supported"),
        ("zero", 0.01, 0.1, "contradicted"),
        ("zero", -0.2, -0.01, "contradicted"),
    ],
)
def test_rule_table(pred: str, low: float, high: float, verdict: str) -> None:
    assert _v(pred, low, high) == verdict


def test_extra_test_must_agree() -> None:
    rule = DecisionRule("positive", p_value_max=0.05, extra_test="Wilcoxon")
    ok = decide("H", "t", "p", rule, "s", 0.2, 0.1, 0.3, extra_p=0.01)
    weak = decide("H", "t", "p", rule, "s", 0.2, 0.1, 0.3, extra_p=0.2)
    missing = decide("H", "t", "p", rule, "s", 0.2, 0.1, 0.3)
    assert (ok.verdict, weak.verdict, missing.verdict) == (
        "supported",
        "inconclusive",
        "inconclusive",
    )


def test_non_finite_estimate_is_not_testable() -> None:
    r = decide("H", "t", "p", DecisionRule("positive"), "s", math.nan, 0.0, 1.0)
    assert r.verdict == "not testable"
    assert math.isnan(r.estimate)


def test_not_testable_carries_reason_and_no_number() -> None:
    r = not_testable("H4", "x", "p", DecisionRule("zero"), "s", "no cloglog estimator")
    assert r.verdict == "not testable" and r.reason == "no cloglog estimator"
    assert math.isnan(r.estimate) and r.nobs is None


def test_claim_comparators() -> None:
    m = Measure(45, "", "")
    assert within(48, 0.10)(m) and not within(48, 0.05)(m)
    assert within(153, abs_=3)(Measure(150, "", "")) and not within(153, abs_=2)(
        Measure(150, "", "")
    )
    assert more_than(44)(m) and not more_than(45)(m)
    assert at_least(45)(m) and not at_least(46)(m)
    assert not within(1, 1.0)(Measure(None, "", ""))


def test_us_gulf_rule() -> None:
    from polecon.hypotheses.claims import _none_us_gulf

    zero = {c: 0.0 for c in ("USA", "SAU", "ARE", "QAT", "KWT", "BHR", "OMN")}
    assert _none_us_gulf(Measure(0, "", "", zero))
    assert not _none_us_gulf(Measure(1, "", "", {**zero, "USA": 1.0}))
    many = {**zero, "SAU": 1.0, "ARE": 1.0, "QAT": 1.0, "KWT": 1.0}  # 2 of 6 with none
    assert not _none_us_gulf(Measure(4, "", "", many))
