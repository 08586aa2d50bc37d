"""Tests of Gordon's (2010) hypotheses H1-H5 (HYPOTHESES s.4) and the claims ledger (s.6).

Each hypothesis module returns :class:`~polecon.hypotheses.result.HypothesisResult` objects
whose verdict is computed by a :class:`~polecon.hypotheses.result.DecisionRule` declared in
the module before any estimate is seen. Grids of specifications run through
:mod:`polecon.hypotheses.runner` on any ``concurrent.futures.Executor``.
"""

from __future__ import annotations

from polecon.hypotheses.result import (
    DecisionRule,
    HypothesisResult,
    decide,
    not_testable,
    to_frame,
)

__all__ = ["DecisionRule", "HypothesisResult", "decide", "not_testable", "to_frame"]
