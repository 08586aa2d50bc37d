"""Building blocks of the separation checks (:mod:`polecon.models.glm.separation`).

The time budget (``_Deadline``) and its warning, column scaling, the null space and rank
cut-off used by every exact step, fixed-effect re-coding, and the exact linear programme of
the ``"simplex"`` check (:func:`_simplex_check`), which the iterated rectifier's span step
also solves (:mod:`._separation_ir`). Split out of ``separation.py`` unchanged.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

# Relative singular-value cut-off for numerical rank decisions on column-scaled regressors.
_RANK_RTOL = 1e-9


class SeparationUndecidedWarning(RuntimeWarning):
    """A separation check stopped at its time or iteration budget; some rows are undecided
    (kept in the sample; rows certified before the stop are flagged)."""


class _Deadline:
    """Wall-clock budget of one :func:`detect_separation` call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def passed(self) -> bool:
        return time.monotonic() >= self.end


def _warn_undecided(method: str, rows: int, deadline: _Deadline) -> None:
    warnings.warn(
        f"separation {method!r}: stopped at its budget ({deadline.seconds:g} s) with up to "
        f"{rows} rows with y == 0 undecided; they are kept (rows certified so far are flagged). "
        "Raise separation_time_limit to decide them.",
        SeparationUndecidedWarning,
        stacklevel=4,
    )


def _scale_columns(X: np.ndarray) -> np.ndarray:
    """Divide each column by its largest absolute value and drop all-zero columns."""
    scale = np.abs(X).max(axis=0) if X.shape[0] else np.zeros(X.shape[1])
    keep = scale > 0
    return X[:, keep] / scale[keep]


def _null_space(A: np.ndarray) -> np.ndarray:
    """Orthonormal basis (k, d) of the null space of A (m, k), with a relative rank cut-off.

    A tall A (m > k) is first reduced to the (k, k) triangular factor of its QR decomposition
    (same null space and singular values), so memory and time stay O(m k) and O(m k^2): a full
    SVD of A itself would allocate an (m, m) matrix of left singular vectors.
    """
    m, k = A.shape
    if m == 0:
        return np.eye(k)
    r = np.linalg.qr(A, mode="r") if m > k else A
    # r has at most k rows: its full V' is (k, k) and its U at most (k, k)
    _, s, vt = np.linalg.svd(r, full_matrices=True)
    if s.size == 0 or s[0] == 0:
        return np.eye(k)
    # columns are scaled to max |.| = 1, so an absolute floor of the same order is meaningful
    rank = int(np.sum(s > _RANK_RTOL * max(s[0], 1.0) * max(m, k)))
    return vt[rank:].T


def _dense_codes(fe: np.ndarray) -> np.ndarray:
    """Re-code each fixed-effect column to 0..G-1 over the given rows (order preserved), O(n)."""
    out = np.empty(fe.shape, dtype=np.int64)
    for f in range(fe.shape[1]):
        col = fe[:, f]
        present = np.bincount(col) > 0 if col.size else np.zeros(0, dtype=bool)
        out[:, f] = (np.cumsum(present) - 1)[col] if col.size else col
    return out


def _simplex_check(
    y: np.ndarray, X: np.ndarray | None, active: np.ndarray, deadline: _Deadline | None = None
) -> np.ndarray | None:
    """Separation caused by the regressors alone, by linear programming (None: the LP hit
    the time budget of ``deadline``).

    Find z = X g with z = 0 on active rows with y > 0 and z >= 0 on active rows with y == 0,
    maximising sum(min(z_i, 1)) over the latter. Because the feasible z form a convex cone,
    at the optimum min(z_i, 1) equals 1 on every separable row and 0 on all others.
    """
    n = y.shape[0]
    flag = np.zeros(n, dtype=bool)
    if X is None or X.shape[1] == 0:
        return flag
    Xs = _scale_columns(X[active])
    if Xs.shape[1] == 0:
        return flag
    ya = y[active]
    interior = ya > 0
    xi = Xs[interior]
    if xi.shape[0] > 0:
        # Null space of X_I via the small Gram matrix route: SVD of R from a QR of X_I.
        r = np.linalg.qr(xi, mode="r") if xi.shape[0] > xi.shape[1] else xi
        basis = _null_space(r)
    else:
        basis = np.eye(Xs.shape[1])
    if basis.shape[1] == 0:
        return flag
    zb = Xs[~interior] @ basis  # (m, d): z on the boundary rows as a function of t
    zb[np.abs(zb) < 1e-12] = 0.0
    rows, inverse = np.unique(zb, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    nonzero = np.any(rows != 0, axis=1)
    if not nonzero.any():
        return flag
    a = rows[nonzero]
    m, d = a.shape
    # variables: t (d, free), s (m, in [0, 1]); minimise -sum(s)
    c = np.concatenate([np.zeros(d), -np.ones(m)])
    # s - z <= 0 ; -z <= 0 (sparse: the identity block would be (m, m) dense)
    neg_a = sparse.csr_matrix(-a)
    a_ub = sparse.bmat([[neg_a, sparse.identity(m, format="csr")], [neg_a, None]], format="csr")
    b_ub = np.zeros(2 * m)
    bounds = [(None, None)] * d + [(0.0, 1.0)] * m
    options = {} if deadline is None else {"time_limit": max(deadline.remaining(), 1e-3)}
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs", options=options)
    if res.status == 1 and deadline is not None:
        return None
    if res.status != 0:
        raise RuntimeError(f"separation 'simplex': linear programme failed: {res.message}")
    s_rows = np.zeros(rows.shape[0])
    s_rows[nonzero] = res.x[d:]
    sep_boundary = s_rows[inverse] > 0.5
    idx_active = np.flatnonzero(active)
    flag[idx_active[~interior][sep_boundary]] = True
    return flag
