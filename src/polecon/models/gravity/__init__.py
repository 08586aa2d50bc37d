"""Gravity models: PPML and OLS with high-dimensional fixed effects.

``ppml(formula, data, ...)`` and ``ols(formula, data, ...)`` take fixest-style formulas
``y ~ x1 + x2 | fe1 + fe2^fe3`` and are the GLM engine's entry points
(:mod:`polecon.models.glm`); the Yotov et al. (2016) replication lives in
:mod:`polecon.reports.yotov2016`.
"""

from polecon.models.glm import CollinearityWarning, ConvergenceWarning, ols, ppml

__all__ = ["CollinearityWarning", "ConvergenceWarning", "ols", "ppml"]
