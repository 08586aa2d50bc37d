"""Constrained least-squares projectors of the iterated rectifier, and the collinearity check.

``_ExactProjector`` (explicit dummies, null-space method) serves small problems;
``_WeightedProjector`` (method of weighting with deferred correction, on the engine's
fixed-effect solver through ``_FEProjection``) large ones. ``_collinear_columns`` reports the
regressors a separation leaves collinear. Split out of ``separation.py`` unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from polecon.models._core.demean import demean
from polecon.models.glm._separation_base import _RANK_RTOL, _dense_codes, _null_space

# Weight of the rows with y > 0 in the IR's weighted least squares (method of weighting for
# the equality constraints z_i = 0 there). The violation it leaves is measured each iteration
# and enters the zero threshold, so this constant only trades accuracy for conditioning.
_IR_INTERIOR_WEIGHT = 1e3

# Deferred-correction rounds per IR step and the constraint violation that ends them.
_IR_REFINE_MAX = 200

_IR_VIOLATION_OK = 1e-12


class _ExactProjector:
    """Exact constrained least squares for small problems, with explicit FE dummies.

    ``fit(u)`` returns z in span([X, D]) with z == 0 on the interior rows (y > 0) and z on the
    boundary rows equal to the least-squares fit of u there (null-space method).
    """

    def __init__(self, xa: np.ndarray, fa: np.ndarray | None, boundary: np.ndarray) -> None:
        cols = [xa]
        if fa is not None:
            for f in range(fa.shape[1]):
                codes = fa[:, f]
                dummies = np.zeros((codes.size, int(codes.max()) + 1))
                dummies[np.arange(codes.size), codes] = 1.0
                cols.append(dummies)
        m = np.column_stack(cols) if cols else np.zeros((boundary.size, 0))
        self.m = m
        self.boundary = boundary
        basis = _null_space(m[~boundary])  # (p, d)
        a = m[boundary] @ basis
        if a.size:
            u_svd, s, _ = np.linalg.svd(a, full_matrices=False)
            keep = s > _RANK_RTOL * max(s[0] if s.size else 0.0, 1.0) * max(a.shape)
            self.q = u_svd[:, keep]
        else:
            self.q = np.zeros((int(boundary.sum()), 0))

    def fit(self, u: np.ndarray) -> tuple[np.ndarray, float]:
        z = np.zeros_like(u)
        ub = u[self.boundary]
        z[self.boundary] = self.q @ (self.q.T @ ub)
        return z, 0.0


class _FEProjection:
    """Weighted projection on fixed-effect dummies with warm starts (fixed rows and weights).

    Uses the engine's :class:`~polecon.models._core.demean.FixedEffects` / ``solve_fe`` (codes
    factorised once, coefficients reused as the next starting point) when available, and the
    stable :func:`~polecon.models._core.demean.demean` contract otherwise.
    """

    def __init__(self, fa: np.ndarray, w: np.ndarray, tol: float) -> None:
        self.fa, self.w, self.tol = fa, w, tol
        self.converged = True
        self.coef: np.ndarray | None = None
        try:
            from polecon.models._core.demean import FixedEffects, solve_fe

            self._solve = solve_fe
            codes = _dense_codes(fa)
            sizes = codes.max(axis=0) + 1 if codes.shape[0] else np.zeros(codes.shape[1], np.int64)
            self.fes: Any = FixedEffects(codes, sizes)
        except (ImportError, AttributeError, TypeError):  # pragma: no cover - older demean
            self.fes = None

    def residual(self, x: np.ndarray, warm: bool) -> np.ndarray:
        """x (n, k) minus its weighted projection on the fixed effects."""
        if self.fes is None:  # pragma: no cover
            xd, ok = demean(x, self.fa, weights=self.w, tol=self.tol)
            self.converged &= bool(ok)
            return np.asarray(xd).reshape(x.shape)
        init = (
            self.coef
            if (warm and self.coef is not None and self.coef.shape[0] == x.shape[1])
            else None
        )
        a, ok, _ = self._solve(self.fes, x, self.w, tol=self.tol, init=init)
        self.converged &= bool(ok)
        if warm:
            self.coef = a
        return self.fes.residual(x, a)


class _WeightedProjector:
    """Constrained least squares via the method of weighting with deferred correction.

    Rows with y > 0 get weight ``_IR_INTERIOR_WEIGHT``; their targets are corrected (they act
    as Lagrange multipliers) until the fit there is zero to working precision. The fixed-effect
    part uses :func:`polecon.models._core.demean.demean`, so it scales to large panels.
    """

    def __init__(
        self, xa: np.ndarray, fa: np.ndarray | None, boundary: np.ndarray, tol: float
    ) -> None:
        self.boundary = boundary
        self.interior = ~boundary
        self.w = np.where(boundary, 1.0, _IR_INTERIOR_WEIGHT)
        self.sw = np.sqrt(self.w)
        self.fe = None if fa is None else _FEProjection(fa, self.w, tol)
        has_x = self.fe is not None and xa.shape[1] > 0
        xd = self.fe.residual(xa, warm=False) if has_x and self.fe is not None else xa
        if xd.shape[1] > 0:
            u_svd, s, _ = np.linalg.svd(self.sw[:, None] * xd, full_matrices=False)
            keep = s > _RANK_RTOL * (s[0] if s.size else 0.0) * max(xd.shape)
            self.basis = u_svd[:, keep]
        else:
            self.basis = np.zeros((boundary.size, 0))
        self.target = np.zeros(int(self.interior.sum()))

    @property
    def converged(self) -> bool:
        return True if self.fe is None else self.fe.converged

    def _wls(self, v: np.ndarray) -> np.ndarray:
        vd = v if self.fe is None else self.fe.residual(v[:, None], warm=True)[:, 0]
        vw = self.sw * vd
        if self.basis.shape[1] > 0:
            vw = vw - self.basis @ (self.basis.T @ vw)
        return v - vw / self.sw

    def fit(self, u: np.ndarray) -> tuple[np.ndarray, float]:
        target = self.target  # multipliers of the previous call: a warm start
        best = np.inf
        stalled = 0
        z = np.zeros_like(u)
        for _ in range(_IR_REFINE_MAX):
            v = u.copy()
            v[self.interior] = target
            z = self._wls(v)
            violation = float(np.max(np.abs(z[self.interior]))) if self.interior.any() else 0.0
            if violation <= _IR_VIOLATION_OK:
                best = violation
                break
            stalled = stalled + 1 if violation > 0.9 * best else 0
            best = min(best, violation)
            if stalled >= 5:
                break
            target -= z[self.interior]
        return z, best


def _collinear_columns(X: np.ndarray, fe: np.ndarray | None) -> tuple[int, ...]:
    """Indices of columns of X that are zero or dependent on earlier ones after FE partialling."""
    if X.shape[0] == 0:
        return tuple(range(X.shape[1]))
    scale = np.abs(X).max(axis=0)
    xs = np.where(scale > 0, X / np.where(scale > 0, scale, 1.0), 0.0)
    if fe is not None:
        xs = _FEProjection(fe, np.ones(X.shape[0]), 1e-9).residual(xs, warm=False)
    dropped: list[int] = []
    q = np.zeros((X.shape[0], 0))
    for j in range(X.shape[1]):
        col = xs[:, j]
        norm0 = float(np.linalg.norm(X[:, j] / scale[j])) if scale[j] > 0 else 0.0
        r = col - q @ (q.T @ col)
        r = r - q @ (q.T @ r)
        nr = float(np.linalg.norm(r))
        if norm0 == 0.0 or nr <= 1e-7 * max(norm0, 1.0):
            dropped.append(j)
        else:
            q = np.column_stack([q, r / nr])
    return tuple(dropped)
