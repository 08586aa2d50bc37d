"""Fused IRLS update of the non-Poisson families (one pass over the rows, row blocks in
parallel, block sums added in a fixed order: deterministic whatever the thread count).

Array conventions as in :mod:`polecon.models._core._kernels`. Family codes: 0 logit,
1 cloglog, 2 gaussian (identity link), see :mod:`polecon.models.glm.families`.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from polecon.models._core._kernels import _NB

_CLIP = 30.0


@nb.njit(parallel=True, **_NB)
def glm_update(
    family: int,
    codes: np.ndarray,
    off: np.ndarray,
    alpha: np.ndarray,
    X: np.ndarray,
    beta: np.ndarray,
    offset: np.ndarray,
    y: np.ndarray,
    wt: np.ndarray,
    eta: np.ndarray,
    mu: np.ndarray,
    w: np.ndarray,
    u: np.ndarray,
    bounds: np.ndarray,
) -> float:
    """``eta = offset + X beta + sum_q alpha_q[c_q]``, ``mu = linkinv(eta)``, IRLS weight
    ``w = wt mu_eta^2 / V(mu)`` and working residual ``u = (y - mu) / mu_eta``, in place;
    returns the deviance (binary y: ``-2 sum wt loglik``; gaussian: ``sum wt (y - mu)^2``).

    The binomial links evaluate mu and the weights at eta clipped to [-30, 30] (logit) or
    [-30, log 30] (cloglog), where mu is within ~1e-13 of 0 or 1. ``offset`` and ``wt`` may be
    empty arrays, meaning 0 and 1.
    """
    n, q_n = codes.shape
    k = beta.shape[0]
    has_off = offset.shape[0] == n
    has_wt = wt.shape[0] == n
    nblocks = bounds.shape[0] - 1
    dev_loc = np.zeros(nblocks)
    hi_cll = math.log(_CLIP)
    for t in nb.prange(nblocks):
        d = 0.0
        for i in range(bounds[t], bounds[t + 1]):
            v = offset[i] if has_off else 0.0
            for j in range(k):
                v += X[i, j] * beta[j]
            for q in range(q_n):
                v += alpha[off[q] + codes[i, q]]
            eta[i] = v
            wi = wt[i] if has_wt else 1.0
            yi = y[i]
            if family == 0:
                vc = min(max(v, -_CLIP), _CLIP)
                m = 1.0 / (1.0 + math.exp(-vc))
                dm = m * (1.0 - m)
                mu[i] = m
                w[i] = wi * dm
                u[i] = (yi - m) / dm
                # log-likelihood y v - log(1 + e^v), stable for either sign of v
                if v > 0:
                    ll = yi * v - v - math.log1p(math.exp(-v))
                else:
                    ll = yi * v - math.log1p(math.exp(v))
                d -= 2.0 * wi * ll
            elif family == 1:
                vc = min(max(v, -_CLIP), hi_cll)
                e = math.exp(vc)
                m = -math.expm1(-e)
                dm = e * math.exp(-e)
                mu[i] = m
                w[i] = wi * dm * dm / (m * (1.0 - m))
                u[i] = (yi - m) / dm
                ev = math.exp(min(v, 700.0))
                ll = math.log(-math.expm1(-max(ev, 1e-300))) if yi > 0 else -ev
                d -= 2.0 * wi * ll
            else:
                mu[i] = v
                w[i] = wi
                u[i] = yi - v
                d += wi * (yi - v) * (yi - v)
        dev_loc[t] = d
    return dev_loc.sum()
