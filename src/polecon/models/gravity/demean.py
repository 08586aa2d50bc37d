"""Fixed-effect demeaning (within transformation) by alternating projections.

CONTRACT (stable; separation and estimation code rely on it):

    demean(x, fe, weights=None, tol=1e-8, maxiter=10_000, init=None) -> (xd, converged)

- ``x``: float64 array, shape (n,) or (n, k), the variables to demean.
- ``fe``: int64 array, shape (n, g): g fixed-effect factors as dense codes 0..G_f-1.
- ``weights``: float64 array, shape (n,), non-negative, or None for equal weights.
- ``init``: optional starting guess for the *fixed-effect part* (x - xd), same shape as x,
  used to warm-start across IRLS iterations.
- returns ``xd`` (same shape as x): the residual of the weighted projection of x on the
  fixed-effect dummies, and ``converged`` (bool).

PLACEHOLDER: plain (unaccelerated) alternating projections in numpy; the engine issue
replaces the body with an accelerated kernel keeping this signature.
"""

from __future__ import annotations

import numpy as np


def demean(
    x: np.ndarray,
    fe: np.ndarray,
    weights: np.ndarray | None = None,
    tol: float = 1e-8,
    maxiter: int = 10_000,
    init: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    x = np.asarray(x, dtype=np.float64)
    one_d = x.ndim == 1
    xm = x[:, None] if one_d else x
    fe = np.asarray(fe, dtype=np.int64)
    if fe.ndim == 1:
        fe = fe[:, None]
    n, k = xm.shape
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    sizes = [int(fe[:, f].max()) + 1 for f in range(fe.shape[1])]
    wsum = [np.bincount(fe[:, f], weights=w, minlength=sizes[f]) for f in range(fe.shape[1])]
    out = xm.copy() if init is None else xm - (init[:, None] if one_d else init)
    converged = False
    for _ in range(maxiter):
        max_delta = 0.0
        for f in range(fe.shape[1]):
            codes = fe[:, f]
            for c in range(k):
                means = np.bincount(codes, weights=w * out[:, c], minlength=sizes[f])
                with np.errstate(invalid="ignore", divide="ignore"):
                    means = np.where(wsum[f] > 0, means / wsum[f], 0.0)
                out[:, c] -= means[codes]
                max_delta = max(max_delta, float(np.max(np.abs(means))) if means.size else 0.0)
        if max_delta < tol:
            converged = True
            break
    return (out[:, 0] if one_d else out), converged
