"""Gravity engine: PPML and OLS with high-dimensional fixed effects.

``ppml(formula, data, ...)`` and ``ols(formula, data, ...)`` take fixest-style formulas
``y ~ x1 + x2 | fe1 + fe2^fe3`` and return :class:`GravityResults`.
"""

from polecon.models.gravity.model import CollinearityWarning, ConvergenceWarning, ols, ppml
from polecon.models.gravity.results import GravityResults

__all__ = ["CollinearityWarning", "ConvergenceWarning", "GravityResults", "ols", "ppml"]
