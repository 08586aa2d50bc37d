"""Newton-Raphson maximiser with step-halving and divergence detection (clogit, firth)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Evaluate = Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray]]


@dataclass
class NewtonResult:
    beta: np.ndarray
    loglik: float
    score: np.ndarray
    info: np.ndarray  # negative Hessian at beta
    loglik0: float  # at the start values
    iterations: int
    converged: bool
    diverging: list[int]  # coefficients running off to +-infinity (perfect prediction)


def newton(evaluate: Evaluate, beta0: np.ndarray, *, tol: float, max_iter: int) -> NewtonResult:
    """Maximise ``evaluate(beta) -> (loglik, score, info)`` from ``beta0``.

    Converged when the Newton step is below ``tol`` relative to ``1 + |beta|``. A step that
    lowers the likelihood is halved. When the likelihood stops rising while the steps stay
    large (a supremum at infinity), the coefficients that moved most over the last iterations
    are reported in ``diverging``.
    """
    beta = np.asarray(beta0, dtype=float).copy()
    ll, score, info = evaluate(beta)
    ll0 = ll
    history = [beta.copy()]
    converged = flat = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        step = np.linalg.solve(info, score)
        if np.max(np.abs(step) / (1.0 + np.abs(beta))) <= tol:
            converged = True
            break
        t = 1.0
        while True:
            cand = beta + t * step
            ll_c, sc_c, in_c = evaluate(cand)
            if np.isfinite(ll_c) and ll_c >= ll - 1e-12 * abs(ll):
                break
            t /= 2
            if t < 1e-10:
                break
        flat = abs(ll_c - ll) <= 1e-13 * max(abs(ll), 1.0) and np.max(np.abs(t * step)) > 1e-3
        beta, ll, score, info = cand, ll_c, sc_c, in_c
        history.append(beta.copy())
        if flat:
            break
    diverging: list[int] = []
    if not converged:
        move = np.abs(history[-1] - history[max(0, len(history) - 6)])
        if move.max() > 1.0:
            diverging = [int(j) for j in np.flatnonzero(move > 0.05 * move.max())]
    return NewtonResult(beta, ll, score, info, ll0, it, converged, diverging)
