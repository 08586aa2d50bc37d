"""Analytical bias correction of binary-choice models with individual and time fixed effects
(Fernandez-Val & Weidner 2016, "Individual and time effects in nonlinear panel models with
large N, T", J. Econometrics 192; the ``panel.structure = "classic"`` correction of R alpaca's
``biasCorr(L = 0)``).

With fixed effects for i (first factor) and, optionally, t (second factor), the MLE has an
incidental-parameter bias of order 1/T + 1/N. The plug-in correction is

    beta_bc = beta - H^{-1} B,   B = - sum_f sum_{g in levels of f}
                                     (sum_{r in g} xt_r z_r) / (2 sum_{r in g} w_r),

with ``H = xt' W xt`` (the bread's inverse), ``w`` the IRLS weights, ``xt`` the regressors
demeaned on the fixed effects with weights ``w``, and ``z = wt d2mu/deta2`` times
``mu_eta / V(mu)`` for non-canonical links (``h`` in alpaca). The sign of ``B``: the third
derivative of the log-likelihood in the index is ``-z`` and its second ``-w``, so FW's
``B = -(1/2) sum E[d_beta d_pi^2 l] / sum E[d_pi^2 l]`` is minus the group sums above (the
ML estimate is biased away from zero; tests/models/test_monte_carlo.py checks that the
corrected estimate moves towards the truth). ``L = 0``: no spectral term, so
the regressors are assumed strictly exogenous (no lagged outcomes).
"""

from __future__ import annotations

import numpy as np

from polecon.models._core.data import ModelData
from polecon.models.glm.families import Family, Logit


def logit_bias_correction(
    family: Family,
    md: ModelData,
    eta: np.ndarray,
    xt: np.ndarray,
    w: np.ndarray,
    bread: np.ndarray,
) -> np.ndarray:
    """The correction ``H^{-1} B`` (k,) to subtract from the estimate (module docstring).

    ``eta`` (n,) fitted linear predictor; ``xt`` (n, k) demeaned regressors; ``w`` (n,) IRLS
    weights; ``bread`` (k, k) = ``(xt' W xt)^{-1}``.
    """
    assert md.fes is not None
    k = xt.shape[1]
    if k == 0:
        return np.zeros(0)
    wt = 1.0 if md.weights is None else md.weights
    z = wt * family.mu_eta2(eta)
    if not isinstance(family, Logit):
        mu = family.linkinv(eta)
        z = z * family.mu_eta(eta) / family.variance(mu)
    b = np.zeros(k)
    for q in range(min(md.fes.n_fe, 2)):
        codes = md.fes.codes[:, q]
        g = int(md.fes.sizes[q])
        wsum = np.bincount(codes, weights=w, minlength=g)
        for j in range(k):
            num = np.bincount(codes, weights=xt[:, j] * z, minlength=g)
            b[j] += np.sum(num / wsum) / 2.0
    return -(bread @ b)
