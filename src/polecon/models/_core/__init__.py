"""Shared model core: formulas and model data, fixed-effect projections, sandwich covariances
with small-sample presets, the results protocol and linear-hypothesis (Wald) tests.

Every estimator builds on it: :mod:`polecon.models.glm` (PPML, logit, cloglog, OLS, LPM) and
the adoption and survival models (their results classes derive from :class:`ModelResults`).
"""

from polecon.models._core.covariance import FewClustersWarning, VcovSpec, parse_vcov, sandwich
from polecon.models._core.formula import FormulaError, ModelFormula, parse_formula
from polecon.models._core.hypotheses import (
    HypothesisError,
    WaldTestStatistic,
    parse_restrictions,
    wald_test,
)
from polecon.models._core.results import TIDY_COLUMNS, ModelResults

__all__ = [
    "TIDY_COLUMNS",
    "FewClustersWarning",
    "FormulaError",
    "HypothesisError",
    "ModelFormula",
    "ModelResults",
    "VcovSpec",
    "WaldTestStatistic",
    "parse_formula",
    "parse_restrictions",
    "parse_vcov",
    "sandwich",
    "wald_test",
]
