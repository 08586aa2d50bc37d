"""Detection of separated observations in Poisson (PPML) models with fixed effects.

An observation is *separated* when ``y_i == 0`` and some linear combination ``z`` of the
regressors and fixed-effect dummies satisfies ``z_i > 0`` there, ``z_j >= 0`` wherever
``y_j == 0`` and ``z_j == 0`` wherever ``y_j > 0``. Its conditional mean is zero at the
(pseudo-)MLE, some coefficients diverge, and a correct estimator drops such rows before
fitting (Correia, Guimarães & Zylkin 2019, "Verifying the existence of maximum likelihood
estimates for generalized linear models", arXiv:1903.01633; ppmlhdfe, Stata Journal 2020).

Three checks, applied in the order given (each sees only the rows not yet flagged):

- ``"fe"``: every fixed-effect group in which all outcomes are zero (its dummy is a certificate).
- ``"simplex"``: a linear programme on the regressors alone (fixed effects ignored), exact for
  separation caused by ``X``; solved with HiGHS via :func:`scipy.optimize.linprog`.
- ``"ir"``: the iterated rectifier. Repeated least squares of the rectified outcome ``u`` (start:
  1 where y == 0) on the regressors and the fixed effects, subject to a fitted value of zero
  where y > 0, with ``u <- max(fit, 0)`` on the y == 0 rows, until no fitted value there is
  negative: the fit is then a certificate and its positive rows are separated. It handles
  separation caused jointly by regressors and fixed effects. Implementation details:

  * rows are flagged only from such a certificate; when instead no *residual* is negative, the
    rows with a clearly positive residual are proved non-separated (normal equations) and become
    constraints; each such decision starts a new round on the undecided rows, until none is left;
  * small problems (rows x columns <= 2e6, <= 400 columns, <= 1e5 rows) use an exact
    null-space projector on explicit dummies (QR-reduced, so memory is O(rows x columns)),
    and an exact LP decides a round that has not settled in 200 iterations;
  * large problems use the method of weighting (weight 1e3 where y > 0) with deferred correction
    of the targets, on the engine's fixed-effect solver
    (:mod:`polecon.models._core.demean`), warm-started. They are first screened: random
    elements of span([X, D]) (two draws, one fixed-effect solve on the y > 0 rows only) are
    fitted on the y > 0 rows; on the y == 0 rows where their residuals vanish no certificate
    can be non-zero, so those rows are settled at once (not separated); when that holds on all
    of them the rectifier is skipped (``ir_stop="rank"``). Otherwise the residuals span, almost
    surely, every possible certificate on the few remaining rows once there are more draws than
    that span's dimension (redrawn with one draw more than candidates if needed, up to
    ``_SPAN_MAX_DRAWS`` and ``_SPAN_MAX_CELLS``); an exact small LP on that span then gives
    every separated row at once (``ir_stop="span-lp"``, the rectifier is skipped). Only when
    the span stays undecided does the rectifier run, with the remaining rows as candidates.

Contract: ``detect_separation(y, X, fe, weights=None, methods=("fe", "simplex", "ir"), tol=1e-8,
maxiter=1000) -> SeparationResult``. This module never drops singletons nor modifies inputs.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from polecon.models._core._kernels import col_absmax
from polecon.models._core.demean import FixedEffects, demean, solve_fe

__all__ = ["METHODS", "SeparationResult", "SeparationUndecidedWarning", "detect_separation"]

METHODS: tuple[str, ...] = ("fe", "simplex", "ir")

# Weight of the rows with y > 0 in the IR's weighted least squares (method of weighting for
# the equality constraints z_i = 0 there). The violation it leaves is measured each iteration
# and enters the zero threshold, so this constant only trades accuracy for conditioning.
_IR_INTERIOR_WEIGHT = 1e3
# Deferred-correction rounds per IR step and the constraint violation that ends them.
_IR_REFINE_MAX = 200
_IR_VIOLATION_OK = 1e-12
# Floor of the zero threshold on the 0..1 scale of the rectified outcome.
_IR_ZERO_FLOOR = 1e-7
# A candidate row is cleared (not separated) when its residual exceeds this fraction of the scale.
_IR_CLEAR_REL = 1e-3
# Relative residual below which the random screen declares that no separation is possible.
_SCREEN_TOL = 1e-6
# Random draws of the first screen; when the candidates it leaves are fewer than
# _SPAN_MAX_DRAWS, a second screen with one draw more than candidates is allowed. The span of
# the draws on the candidates then decides by an exact small LP (see _span_certificate).
_SCREEN_DRAWS = 2
_SPAN_MAX_DRAWS = 64
# ... provided the redraw's matrix (rows x (draws + regressors)) has at most this many cells.
_SPAN_MAX_CELLS = 30_000_000
# The numerical rank of the draws is trusted only when no singular value lies between
# _SPAN_GAP times the screen threshold and the threshold itself (noise is far below both).
_SPAN_GAP = 1e-3
# On the exact (small-problem) path, rectifier iterations per round before the exact LP decides.
# On the weighted path, iterations allowed with the screened candidates before falling back to
# all y == 0 rows as candidates.
_IR_SCREENED_BUDGET = 200
_IR_EXACT_LP_AFTER = 200
# Relative singular-value cut-off for numerical rank decisions on column-scaled regressors.
_RANK_RTOL = 1e-9
# Problems with at most this many cells (rows x (regressors + FE levels)) and columns use the
# exact dense projector in the IR; larger ones the weighted demeaning projector.
_IR_DENSE_MAX_CELLS = 2_000_000
_IR_DENSE_MAX_COLS = 400
# ... and at most this many rows (above it the weighted projector, whose per-iteration cost is
# a fixed-effect sweep, is used even for a few columns).
_IR_DENSE_MAX_ROWS = 100_000


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


@dataclass(frozen=True)
class SeparationResult:
    """Outcome of :func:`detect_separation`.

    Attributes:
        separated: bool (n,), True where the row is separated and must be dropped.
        method: object (n,), the first method that flagged the row ("fe", "simplex", "ir"),
            "" where the row is kept.
        converged: False only when the iterated rectifier reached ``maxiter``.
        diagnostics: counts per method, IR iterations, threshold and stopping rule.
        dropped_regressors: (property) column indices of ``X`` that are zero or linearly
            dependent (after partialling out the fixed effects) on the kept rows; empty when
            nothing is separated. Advisory (the estimator re-checks collinearity itself), so it
            is computed on first access only.
    """

    separated: np.ndarray
    method: np.ndarray
    converged: bool = True
    diagnostics: dict[str, Any] = field(default_factory=dict)
    _X: np.ndarray | None = field(default=None, repr=False, compare=False)
    _fe: np.ndarray | None = field(default=None, repr=False, compare=False)
    _dropped: list[tuple[int, ...]] = field(default_factory=list, repr=False, compare=False)

    @property
    def n_separated(self) -> int:
        """Number of separated rows."""
        return int(self.separated.sum())

    @property
    def dropped_regressors(self) -> tuple[int, ...]:
        """Regressors made collinear (or all-zero) by dropping the separated rows."""
        if not self._dropped:
            X, fe, keep = self._X, self._fe, ~self.separated
            if X is None or X.shape[1] == 0 or keep.all():
                self._dropped.append(())
            else:
                self._dropped.append(_collinear_columns(X[keep], None if fe is None else fe[keep]))
        return self._dropped[0]


def detect_separation(
    y: np.ndarray,
    X: np.ndarray | None,
    fe: np.ndarray | None,
    weights: np.ndarray | None = None,
    methods: tuple[str, ...] = METHODS,
    tol: float = 1e-8,
    maxiter: int = 1000,
    time_limit: float = 600.0,
) -> SeparationResult:
    """Flag the observations separated in a Poisson model ``E[y] = exp(X b + fixed effects)``.

    Args:
        y: outcome, shape (n,), finite and >= 0.
        X: regressors, shape (n, k) (k may be 0) or None. Include an intercept column when the
            model has no fixed effects; collinear or duplicated columns are harmless.
        fe: fixed-effect codes, int array of shape (n, g) (or (n,)), or None.
        weights: observation weights, shape (n,), > 0, or None. They do not change which rows
            are separated and are only validated.
        methods: subset of ("fe", "simplex", "ir"), applied in the given order.
        tol: relative accuracy of the IR's inner fixed-effect projections.
        maxiter: maximum number of IR iterations.
        time_limit: wall-clock seconds for the whole check. When it runs out (or maxiter is
            reached) the check stops cleanly: rows certified so far are flagged, the others
            are kept as *undecided*, ``converged`` is False and a
            :class:`SeparationUndecidedWarning` names the count.

    Returns:
        A :class:`SeparationResult`.

    Raises:
        ValueError: on invalid input (naming the argument and offending rows).
    """
    y, X, fe = _validate(y, X, fe, weights, methods, tol, maxiter)
    if not time_limit > 0:
        raise ValueError(f"detect_separation: time_limit must be > 0, got {time_limit}")
    deadline = _Deadline(time_limit)
    n = y.shape[0]
    separated = np.zeros(n, dtype=bool)
    method = np.full(n, "", dtype=object)
    diagnostics: dict[str, Any] = {
        "n_fe": 0,
        "n_simplex": 0,
        "n_ir": 0,
        "ir_iterations": 0,
        "ir_threshold": float("nan"),
        "ir_stop": "skipped",
    }
    converged = True
    if n == 0 or bool(np.all(y > 0)):
        return SeparationResult(separated, method, True, diagnostics, X, fe)

    for name in methods:
        active = ~separated
        if not np.any(active & (y == 0)):
            break
        if name == "fe":
            flag = _fe_check(y, fe, active)
        elif name == "simplex":
            lp = _simplex_check(y, X, active, deadline)
            if lp is None:
                converged = False
                diagnostics["simplex_stop"] = "budget"
                _warn_undecided("simplex", int(np.sum(active & (y == 0))), deadline)
                lp = np.zeros(n, dtype=bool)
            flag = lp
        else:
            flag, info = _ir_check(y, X, fe, active, tol, maxiter, deadline)
            diagnostics.update(info)
            converged = converged and info["ir_stop"] not in ("maxiter", "budget")
        flag &= active
        separated |= flag
        method[flag] = name
        diagnostics[f"n_{name}"] = int(flag.sum())

    return SeparationResult(separated, method, converged, diagnostics, X, fe)


# --------------------------------------------------------------------------- validation


def _validate(
    y: np.ndarray,
    X: np.ndarray | None,
    fe: np.ndarray | None,
    weights: np.ndarray | None,
    methods: tuple[str, ...],
    tol: float,
    maxiter: int,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"detect_separation: y must have shape (n,), got {y.shape}")
    n = y.shape[0]
    bad = np.flatnonzero(~np.isfinite(y) | (y < 0))
    if bad.size:
        raise ValueError(
            f"detect_separation: y must be finite and >= 0; bad rows {bad[:10].tolist()} "
            f"(values {y[bad[:10]].tolist()})"
        )
    if X is not None:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[0] != n:
            raise ValueError(f"detect_separation: X must have shape ({n}, k), got {X.shape}")
        bad_rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
        if bad_rows.size:
            raise ValueError(
                f"detect_separation: X has non-finite values in rows {bad_rows[:10].tolist()}"
            )
    if fe is not None:
        fe_arr = np.asarray(fe)
        if fe_arr.ndim == 1:
            fe_arr = fe_arr[:, None]
        if fe_arr.ndim != 2 or fe_arr.shape[0] != n:
            raise ValueError(f"detect_separation: fe must have shape ({n}, g), got {fe_arr.shape}")
        if fe_arr.size and not np.issubdtype(fe_arr.dtype, np.integer):
            raise ValueError(f"detect_separation: fe must hold integer codes, got {fe_arr.dtype}")
        if fe_arr.size and fe_arr.min() < 0:
            rows = np.flatnonzero((fe_arr < 0).any(axis=1))
            raise ValueError(
                f"detect_separation: fe has negative codes in rows {rows[:10].tolist()}"
            )
        fe = fe_arr.astype(np.int64, copy=False) if fe_arr.shape[1] > 0 else None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,):
            raise ValueError(f"detect_separation: weights must have shape ({n},), got {w.shape}")
        bad = np.flatnonzero(~np.isfinite(w) | (w <= 0))
        if bad.size:
            raise ValueError(
                f"detect_separation: weights must be finite and > 0; bad rows {bad[:10].tolist()}"
            )
    unknown = [m for m in methods if m not in METHODS]
    if unknown or isinstance(methods, str):
        raise ValueError(
            f"detect_separation: unknown method(s) {unknown or methods}; use {METHODS}"
        )
    if not (0 < tol < 1):
        raise ValueError(f"detect_separation: tol must be in (0, 1), got {tol}")
    if maxiter < 1:
        raise ValueError(f"detect_separation: maxiter must be >= 1, got {maxiter}")
    return y, X, fe


# --------------------------------------------------------------------------- methods


def _fe_check(y: np.ndarray, fe: np.ndarray | None, active: np.ndarray) -> np.ndarray:
    """Rows of fixed-effect groups whose active rows all have y == 0."""
    flag = np.zeros(y.shape[0], dtype=bool)
    if fe is None:
        return flag
    positive = (active & (y > 0)).astype(np.float64)
    for f in range(fe.shape[1]):
        codes = fe[:, f]
        n_pos = np.bincount(codes, weights=positive)
        flag |= n_pos[codes] == 0
    return flag & active


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


def _warn_undecided(method: str, rows: int, deadline: _Deadline) -> None:
    warnings.warn(
        f"separation {method!r}: stopped at its budget ({deadline.seconds:g} s) with up to "
        f"{rows} rows with y == 0 undecided; they are kept (rows certified so far are flagged). "
        "Raise separation_time_limit to decide them.",
        SeparationUndecidedWarning,
        stacklevel=4,
    )


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


def _dense_codes(fe: np.ndarray) -> np.ndarray:
    """Re-code each fixed-effect column to 0..G-1 over the given rows (order preserved), O(n)."""
    out = np.empty(fe.shape, dtype=np.int64)
    for f in range(fe.shape[1]):
        col = fe[:, f]
        present = np.bincount(col) > 0 if col.size else np.zeros(0, dtype=bool)
        out[:, f] = (np.cumsum(present) - 1)[col] if col.size else col
    return out


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


def _separation_possible(
    xa: np.ndarray, fa: np.ndarray | None, boundary: np.ndarray, tol: float
) -> bool:
    """Cheap screen: can any z in span([X, D]) with z == 0 where y > 0 be non-zero where y == 0?
    (True when :func:`_screen_candidates` leaves any row.)"""
    return bool(_screen_candidates(xa, fa, boundary, tol).any())


def _screen_candidates(
    xa: np.ndarray, fa: np.ndarray | None, boundary: np.ndarray, tol: float
) -> np.ndarray:
    """Rows (bool mask, subset of ``boundary``) on which some z in span([X, D]) with z == 0
    where y > 0 can be non-zero: the only rows a certificate can flag (see :func:`_screen`)."""
    return _screen(xa, fa, boundary, tol)[0]


def _screen(
    xa: np.ndarray,
    fa: np.ndarray | None,
    boundary: np.ndarray,
    tol: float,
    n_draws: int = 1,
    seed: int = 20190304,
) -> tuple[np.ndarray, np.ndarray]:
    """Random screen of the y == 0 rows, with ``n_draws`` independent draws.

    Each draw ``v = [X, D] g`` (Gaussian g, fixed seed) is fitted on the rows with y > 0 only
    (weights 0 elsewhere); its residual ``r = v - fit`` is ``[X, D](g - g_hat)`` with
    ``g - g_hat`` in the null space of ``[X, D]_I``, i.e. an element of the space S of all
    z in span([X, D]) with z == 0 where y > 0, and the map g -> r is onto S. Hence, for almost
    every draw, r vanishes on a y == 0 row exactly when every element of S does there: such rows
    cannot be separated, and when that holds on all of them no certificate exists.

    Returns ``(candidates, span)``: ``candidates`` (bool (n,), subset of ``boundary``) are the
    rows where some draw's residual exceeds ``_SCREEN_TOL`` times the draw's scale; ``span``
    (float (n_candidates, n_draws)) holds the residuals there, each draw divided by its scale.
    With ``n_draws`` larger than the dimension of S restricted to the candidates, the columns
    of ``span`` span that restriction (almost surely). When the fixed-effect projection did not
    converge, every boundary row is returned with an empty ``span`` (shape (n_b, 0)).
    """
    if not boundary.any():
        return np.zeros(boundary.shape, dtype=bool), np.zeros((0, n_draws))
    rng = np.random.default_rng(seed)
    interior = ~boundary
    k = xa.shape[1]
    gx = rng.normal(size=(k, n_draws))
    # Rows with y > 0 (I) and y == 0 (B) are kept apart: the fit uses I alone (weight 0 on B,
    # so it is solved on I only; levels without rows in I keep a zero coefficient either way),
    # and only the residuals on B are needed besides. Columns: n_draws draws, then X.
    parts = []
    for rows in (interior, boundary):
        part = np.empty((int(rows.sum()), n_draws + k))
        if k:
            part[:, n_draws:] = xa[rows]
            np.matmul(part[:, n_draws:], gx, out=part[:, :n_draws])
        else:
            part[:, :n_draws] = 0.0
        parts.append(part)
    both_i, both_b = parts
    if fa is not None:
        codes = np.ascontiguousarray(fa, dtype=np.int32)
        sizes = codes.max(axis=0).astype(np.int64) + 1
        fes_i = FixedEffects(codes[interior], sizes)
        fes_b = FixedEffects(codes[boundary], sizes)
        del codes
        # v = X gx + D g_fe, the fixed-effect draws added in place (x - D a with a = -g_fe)
        g_fe = -rng.normal(size=(n_draws, int(fes_i.gtot)))
        for fes, part in ((fes_i, both_i), (fes_b, both_b)):
            draws = part[:, :n_draws]
            fes.residual_into(draws, g_fe, draws)
    scale = np.ones(n_draws)
    for part in parts:
        scale = np.maximum(scale, col_absmax(part, n_draws))
    if fa is not None:
        coef_fe, ok, _ = solve_fe(fes_i, both_i, np.ones(fes_i.n), tol=tol)
        if not ok:
            return boundary.copy(), np.zeros((int(boundary.sum()), 0))
        fes_i.residual_into(both_i, coef_fe, both_i)
        fes_b.residual_into(both_b, coef_fe, both_b)
    vd_b = both_b[:, :n_draws]
    if k and both_i.shape[0]:
        # least squares of the draws on the partialled-out X over I (Householder QR of the
        # tall factor, then a rank-revealing solve of the small triangular system)
        q, r = np.linalg.qr(both_i[:, n_draws:])
        coef = np.linalg.lstsq(r, q.T @ both_i[:, :n_draws], rcond=None)[0]
        del q
        vd_b = vd_b - both_b[:, n_draws:] @ coef
    big = (np.abs(vd_b) > _SCREEN_TOL * scale).any(axis=1)
    cand = np.zeros(boundary.shape, dtype=bool)
    cand[np.flatnonzero(boundary)[big]] = True
    return cand, vd_b[big] / scale


def _span_certificate(span: np.ndarray, deadline: _Deadline | None = None) -> np.ndarray | None:
    """Separated rows among the screen's candidates, from the span of the draws there.

    ``span`` (m, d): d screen draws on the m candidate rows (elements of S restricted to them;
    every z in S vanishes on the other rows). When the draws span that restriction, the exact
    LP of :func:`_simplex_check` on an orthonormal basis of it (all rows ``z >= 0``, maximise
    ``sum(min(z, 1))``) gives every separated row at once. Returns a bool (m,) mask, or None
    when undecided: numerical rank == d (more draws are needed) or no clear gap between the
    singular values of the signal and of the solver noise.
    """
    m, d = span.shape
    if m == 0:
        return np.zeros(0, dtype=bool)
    if d == 0:
        return None
    u, s, _ = np.linalg.svd(span, full_matrices=False)
    hi = _SCREEN_TOL * np.sqrt(max(m, d))
    rank = int(np.sum(s > hi))
    if rank >= d or np.any((s > _SPAN_GAP * hi) & (s <= hi)):
        return None
    if rank == 0:
        return np.zeros(m, dtype=bool)
    return _simplex_check(np.zeros(m), u[:, :rank], np.ones(m, dtype=bool), deadline)


def _ir_check(
    y: np.ndarray,
    X: np.ndarray | None,
    fe: np.ndarray | None,
    active: np.ndarray,
    tol: float,
    maxiter: int,
    deadline: _Deadline,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Iterated rectifier on the active rows (regressors and fixed effects together).

    Rounds of the rectifier run on a shrinking set of *candidate* rows (y == 0, undecided):

    - when no candidate has a negative fit, the fit ``z`` is a certificate: candidates with
      ``z > 0`` are separated; they are removed and a new round starts (a certificate of the
      reduced problem extends to the full one by adding a multiple of ``z``);
    - when no candidate has a negative residual, the normal equations imply that every
      certificate is zero where the residual is positive: those rows are not separated and
      become equality constraints (``z == 0``) for the next round.

    Each round decides at least one row, so the procedure terminates; only certificates flag
    rows, so a flagged row is separated up to the numerical threshold.
    """
    n = y.shape[0]
    flag = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(active)
    boundary = y[idx] == 0
    info: dict[str, Any] = {
        "ir_iterations": 0,
        "ir_rounds": 0,
        "ir_threshold": float("nan"),
        "ir_stop": "skipped",
    }
    if not boundary.any():
        return flag, info
    xa = _scale_columns(X[idx]) if X is not None and X.shape[1] > 0 else np.zeros((idx.size, 0))
    fa = None if fe is None else fe[idx]
    n_levels = 0 if fa is None else int(sum(int(fa[:, f].max()) + 1 for f in range(fa.shape[1])))
    p = xa.shape[1] + n_levels
    exact = (
        idx.size * p <= _IR_DENSE_MAX_CELLS
        and p <= _IR_DENSE_MAX_COLS
        and idx.size <= _IR_DENSE_MAX_ROWS
    )
    if exact and fa is not None:
        fa = _dense_codes(fa)
        p = xa.shape[1] + int(sum(int(fa[:, f].max()) + 1 for f in range(fa.shape[1])))
    info["ir_solver"] = "exact" if exact else "weighted-demean"

    def rectify(cand: np.ndarray, budget: int) -> tuple[np.ndarray, np.ndarray, int, float, bool]:
        """Rounds of the rectifier from the candidate rows ``cand`` (modified), at most
        ``budget`` iterations; returns (separated rows, undecided rows, iterations, largest
        zero threshold, inner projections converged)."""
        alive = np.ones(idx.size, dtype=bool)  # rows still in the problem (not flagged)
        separated_local = np.zeros(idx.size, dtype=bool)
        inner_ok = True
        worst_delta = _IR_ZERO_FLOOR
        total = 0
        while cand.any():
            info["ir_rounds"] += 1
            rows = np.flatnonzero(alive)
            c = cand[rows]
            fa_r = None if fa is None else fa[rows]
            projector: _ExactProjector | _WeightedProjector = (
                _ExactProjector(xa[rows], fa_r, c)
                if exact
                else _WeightedProjector(xa[rows], fa_r, c, tol)
            )
            u = c.astype(np.float64)
            decided = False
            it_round = 0
            while total < budget:
                if deadline.passed():
                    info["ir_stop"] = "budget"
                    break
                if isinstance(projector, _ExactProjector) and it_round >= _IR_EXACT_LP_AFTER:
                    # slow rectifier convergence on a small problem: decide every candidate at
                    # once with the exact linear programme on [X, dummies] (cleared rows and
                    # y > 0 rows are equality constraints)
                    yfake = np.where(c, 0.0, 1.0)
                    lp = _simplex_check(
                        yfake, projector.m, np.ones(rows.size, dtype=bool), deadline
                    )
                    if lp is None:
                        info["ir_stop"] = "budget"
                        break
                    hit = rows[lp]
                    separated_local[hit] = True
                    alive[hit] = False
                    cand[:] = False
                    info["ir_stop"] = "lp"
                    decided = True
                    break
                total += 1
                it_round += 1
                z, violation = projector.fit(u)
                e = u - z
                # thresholds relative to the current scale of the rectified outcome
                scale = float(u[c].max())
                if scale <= 0.0:
                    info["ir_stop"] = "no-negative-fit"
                    cand[:] = False
                    decided = True
                    break
                delta = max(_IR_ZERO_FLOOR, 10.0 * violation / scale)
                worst_delta = max(worst_delta, delta)
                zc = z[c] / scale
                zc = np.where((zc > -0.1 * delta) & (zc < delta), 0.0, zc)
                if np.all(zc >= 0):
                    pos = zc > 0
                    info["ir_stop"] = "no-negative-fit"
                    if not pos.any():
                        cand[:] = False  # no certificate with positive support remains
                    else:
                        hit = rows[np.flatnonzero(c)[pos]]
                        separated_local[hit] = True
                        alive[hit] = False
                        cand[hit] = False
                    decided = True
                    break
                ec = e[c] / scale
                if np.all(ec >= -0.1 * delta):
                    # residuals that are clearly positive (not merely converging to zero)
                    clear = ec > max(_IR_CLEAR_REL, 100.0 * delta)
                    if clear.any():
                        info["ir_stop"] = "no-negative-residual"
                        cand[rows[np.flatnonzero(c)[clear]]] = False
                        decided = True
                        break
                u[c] = np.maximum(z[c], 0.0)
            if isinstance(projector, _WeightedProjector):
                inner_ok &= projector.converged
            if not decided:
                break
        return separated_local, cand, total, worst_delta, inner_ok

    full = boundary.copy()  # undecided rows with y == 0
    if exact:
        separated_local, cand, total, worst_delta, inner_ok = rectify(full, maxiter)
    else:
        screened, span = _screen(xa, fa, boundary, tol, _SCREEN_DRAWS)
        info["ir_screened_candidates"] = int(screened.sum())
        if not screened.any():
            info["ir_stop"] = "rank"
            return flag, info
        decided = _span_certificate(span, deadline)
        n_cand = span.shape[0]
        if (
            decided is None
            and span.shape[1] > 0
            and n_cand < _SPAN_MAX_DRAWS
            and (n_cand + 1 + xa.shape[1]) * idx.size <= _SPAN_MAX_CELLS
        ):
            # the first draws may not span S on the candidates: redraw with more of them
            # (one more than the candidates, so the rank is necessarily deficient)
            screened2, span = _screen(xa, fa, boundary, tol, n_cand + 1, seed=20190305)
            # both screens must agree on the candidates (they do almost surely)
            if np.array_equal(screened2, screened):
                decided = _span_certificate(span, deadline)
        if decided is not None:
            # exact LP on the span of every possible certificate: the rectifier is not needed
            info["ir_stop"] = "span-lp"
            flag[idx[np.flatnonzero(screened)[decided]]] = True
            return flag, info
        separated_local, cand, total, worst_delta, inner_ok = rectify(
            screened, min(maxiter, _IR_SCREENED_BUDGET)
        )
        if (
            cand.any()
            and info["ir_stop"] != "budget"
            and int(info["ir_screened_candidates"]) < int(full.sum())
        ):
            # the reduced problem did not settle quickly: redo it with every y == 0 row as a
            # candidate (the original procedure), within the remaining iteration budget
            info["ir_screen_fallback"] = True
            used = total
            separated_local, cand, total, worst_delta, inner_ok = rectify(
                full, max(1, maxiter - used)
            )
            total += used
    info["ir_iterations"] = total
    info["ir_threshold"] = worst_delta
    if cand.any() and info["ir_stop"] == "budget":
        _warn_undecided("ir", int(cand.sum()), deadline)
    elif cand.any():
        info["ir_stop"] = "maxiter"
        warnings.warn(
            f"separation 'ir': no convergence after {maxiter} iterations; {int(cand.sum())} rows "
            "with y == 0 are undecided and kept (rows certified so far are flagged)",
            SeparationUndecidedWarning,
            stacklevel=3,
        )
    if not exact:
        info["ir_inner_converged"] = bool(inner_ok)
        if not inner_ok or worst_delta > 1e-4:
            warnings.warn(
                "separation 'ir': the weighted fixed-effect projections did not reach the "
                f"requested accuracy (zero threshold {worst_delta:.2e}); the separation check "
                "may be inexact",
                RuntimeWarning,
                stacklevel=3,
            )
    flag[idx[separated_local]] = True
    return flag, info


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
