"""Fixed-effect demeaning (within transformation) by accelerated alternating projections.

CONTRACT (stable; separation and estimation code rely on it):

    demean(x, fe, weights=None, tol=1e-8, maxiter=10_000, init=None) -> (xd, converged)

- ``x``: float64 array, shape (n,) or (n, k), the variables to demean.
- ``fe``: int64 array, shape (n, g): g fixed-effect factors as dense codes 0..G_f-1.
- ``weights``: float64 array, shape (n,), non-negative, or None for equal weights.
- ``init``: optional starting guess for the *fixed-effect part* (x - xd), same shape as x,
  used to warm-start across IRLS iterations.
- returns ``xd`` (same shape as x): the residual of the weighted projection of x on the
  fixed-effect dummies, and ``converged`` (bool).

Algorithm. The projection is computed in the space of fixed-effect *coefficients*
(stacked, length ``sum_f G_f``), not of observations: one sweep updates each factor's
coefficients in turn (Gauss-Seidel), ``a_f = (S_f - sum_{i in level} w_i sum_{h != f} a_h) / W_f``,
where ``S_f`` and ``W_f`` are the weighted level sums of x and of the weights, computed once.
Sweeps are accelerated by Irons & Tuck (1969) extrapolation, as in fixest (Bergé 2018).
Stopping rule (fixest's): every coefficient changed by at most ``tol`` in absolute value or
relative to ``0.1 + |a|``. The engine uses :class:`FixedEffects` and :func:`solve_fe`
directly, which return the coefficients so that IRLS can warm-start from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from polecon.models._core import _kernels as K


@dataclass
class FixedEffects:
    """Factorised fixed effects of n rows.

    ``codes``: int32 (n, Q) C-contiguous dense codes; ``sizes``: int64 (Q,) levels per factor;
    ``off``: int64 (Q + 1,) offsets of each factor in a stacked coefficient vector.
    """

    codes: np.ndarray
    sizes: np.ndarray
    off: np.ndarray = field(init=False)
    nblocks: int = field(init=False)
    bounds: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.codes = np.ascontiguousarray(self.codes, dtype=np.int32)
        if self.codes.ndim == 1:
            self.codes = self.codes[:, None]
        self.sizes = np.asarray(self.sizes, dtype=np.int64)
        self.off = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.nblocks = K._n_blocks(self.n)
        self.bounds = K._block_bounds(self.n, self.nblocks)

    @classmethod
    def from_codes(cls, fe: np.ndarray) -> FixedEffects:
        """Build from any integer codes (n, Q) or (n,); codes are re-densified per column."""
        fe = np.asarray(fe)
        if fe.ndim == 1:
            fe = fe[:, None]
        cols, sizes = [], []
        for q in range(fe.shape[1]):
            col = fe[:, q]
            if (
                col.size
                and np.issubdtype(col.dtype, np.integer)
                and col.min() >= 0
                and col.max() < 4 * col.size
            ):
                # O(n) re-densification of non-negative integer codes
                used = np.bincount(col, minlength=int(col.max()) + 1) > 0
                remap = (np.cumsum(used) - 1).astype(np.int32)
                cols.append(remap[col])
                sizes.append(int(used.sum()))
            else:
                uniq, inv = np.unique(col, return_inverse=True)
                cols.append(inv.astype(np.int32))
                sizes.append(len(uniq))
        codes = np.column_stack(cols) if cols else np.empty((fe.shape[0], 0), np.int32)
        return cls(codes, np.asarray(sizes, dtype=np.int64))

    @property
    def n(self) -> int:
        return int(self.codes.shape[0])

    @property
    def n_fe(self) -> int:
        return int(self.codes.shape[1])

    @property
    def gtot(self) -> int:
        return int(self.off[-1])

    def residual_into(self, x: np.ndarray, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``out[:] = x - D a`` (x, out: (n, k), any memory layout); returns ``out``."""
        K.subtract_fe_into(
            self.codes, self.off, np.ascontiguousarray(a, dtype=np.float64), x, out, self.bounds
        )
        return out

    def residual(self, x: np.ndarray, a: np.ndarray) -> np.ndarray:
        """``x - D a`` for x (n, k) and coefficients a (k, Gtot), as a new array."""
        x = np.asarray(x, dtype=np.float64)
        return self.residual_into(x, a, np.empty(x.shape))


def _converged(old: np.ndarray, new: np.ndarray, tol: float) -> bool:
    d = np.abs(new - old)
    return bool(np.all((d <= tol) | (d <= tol * (0.1 + np.abs(new)))))


def solve_fe(
    fes: FixedEffects,
    x: np.ndarray,
    w: np.ndarray,
    tol: float = 1e-8,
    maxiter: int = 10_000,
    init: np.ndarray | None = None,
) -> tuple[np.ndarray, bool, int]:
    """Coefficients of the weighted projection of x on the fixed effects.

    ``x``: (n, k) float64; ``w``: (n,) float64 > 0; ``init``: (k, Gtot) warm start or None.
    Returns (a of shape (k, Gtot), converged, number of sweeps). The demeaned variables are
    ``fes.residual(x, a)``.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    w = np.ascontiguousarray(w, dtype=np.float64)
    k = x.shape[1]
    s, wsum = K.weighted_group_sums(fes.codes, fes.off, x, w)
    with np.errstate(divide="ignore"):
        inv_w = np.where(wsum > 0, 1.0 / wsum, 0.0)
    if fes.n_fe == 1:
        return s * inv_w, True, 1
    a = np.zeros((k, fes.gtot)) if init is None else np.array(init, dtype=np.float64, order="C")
    args = (fes.codes, fes.off)
    acc = np.empty((fes.nblocks, k, int(fes.sizes.max())))
    tail = (s, inv_w, w, fes.bounds, acc)
    sweeps = 0
    while sweeps < maxiter:
        gx = K.fe_map(*args, a, *tail)
        sweeps += 1
        if _converged(a, gx, tol):
            return gx, True, sweeps
        ggx = K.fe_map(*args, gx, *tail)
        sweeps += 1
        if _converged(gx, ggx, tol):
            return ggx, True, sweeps
        d1 = ggx - gx
        d2 = d1 - (gx - a)
        ssq = np.einsum("ij,ij->i", d2, d2)
        vprod = np.einsum("ij,ij->i", d1, d2)
        coef = np.divide(vprod, ssq, out=np.zeros(k), where=ssq > 0)
        a = ggx - coef[:, None] * d1
    return a, False, sweeps


def demean(
    x: np.ndarray,
    fe: np.ndarray,
    weights: np.ndarray | None = None,
    tol: float = 1e-8,
    maxiter: int = 10_000,
    init: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """Weighted within transformation of ``x`` on the factors ``fe`` (see the module CONTRACT)."""
    x = np.asarray(x, dtype=np.float64)
    one_d = x.ndim == 1
    xm = x[:, None] if one_d else x
    fe = np.asarray(fe)
    if fe.ndim == 1:
        fe = fe[:, None]
    if fe.shape[0] != xm.shape[0]:
        raise ValueError(f"demean: x has {xm.shape[0]} rows but fe has {fe.shape[0]}")
    if fe.shape[1] == 0:
        return x.copy(), True
    n = xm.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (n,) or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("demean: weights must be finite, non-negative, shape (n,)")
    fes = FixedEffects.from_codes(fe)
    base = xm if init is None else xm - (np.asarray(init)[:, None] if one_d else np.asarray(init))
    a, converged, _ = solve_fe(fes, base, w, tol=tol, maxiter=maxiter)
    out = fes.residual(base, a)
    return (out[:, 0] if one_d else out), converged
