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

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from polecon.models.glm._separation_base import (
    SeparationUndecidedWarning,
    _Deadline,
    _simplex_check,
    _warn_undecided,
)
from polecon.models.glm._separation_ir import _ir_check
from polecon.models.glm._separation_projectors import _collinear_columns

__all__ = ["METHODS", "SeparationResult", "SeparationUndecidedWarning", "detect_separation"]

METHODS: tuple[str, ...] = ("fe", "simplex", "ir")


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
