"""GLMs with high-dimensional fixed effects on one IRLS engine.

``ppml`` (Poisson), ``logit``, ``cloglog`` (binary; discrete-time hazards), ``glm`` (any
family), and the least-squares entry points ``ols`` and ``lpm`` (linear probability model).
Formulas are fixest-style, ``y ~ x1 + x2 | fe1 + fe2^fe3``; every fit returns
:class:`GLMResults` (the results protocol of :mod:`polecon.models._core`).
"""

from polecon.models.glm.binary_separation import SeparationUndecidedWarning
from polecon.models.glm.families import CLogLog, Family, Gaussian, Logit, Poisson
from polecon.models.glm.irls import CollinearityWarning, ConvergenceWarning
from polecon.models.glm.model import cloglog, glm, logit, ppml
from polecon.models.glm.ols import lpm, ols
from polecon.models.glm.results import GLMResults

__all__ = [
    "CLogLog",
    "CollinearityWarning",
    "ConvergenceWarning",
    "Family",
    "GLMResults",
    "Gaussian",
    "Logit",
    "Poisson",
    "SeparationUndecidedWarning",
    "cloglog",
    "glm",
    "logit",
    "lpm",
    "ols",
    "ppml",
]
