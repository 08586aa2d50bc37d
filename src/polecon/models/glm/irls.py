"""IRLS with high-dimensional fixed effects, shared by every GLM family.

The state is (beta, alpha) with ``eta = offset + X beta + D alpha`` (D: fixed-effect dummies).
Each iteration demeans the working residual ``u = (y - mu) / mu_eta`` and X with the IRLS
weights ``w = wt mu_eta^2 / V(mu)`` by the engine's accelerated alternating projections
(:func:`polecon.models._core.demean.solve_fe`, warm-started), solves for ``d beta`` and sets
``d alpha = a_u - A_X d beta`` (a: fixed-effect coefficients of the projections): the exact
Fisher-scoring step in (beta, alpha). The families differ only in the fused update kernel
(Poisson: ``_core._kernels.poisson_update``; others: ``glm._kernels.glm_update``) and in the
start (Poisson: closed-form fixed-effect updates; binomial: the link of the shrunken mean).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from polecon.models._core import _kernels as K
from polecon.models._core.covariance import weighted_cross as _wcross
from polecon.models._core.demean import FixedEffects, solve_fe
from polecon.models.glm import _kernels as GK
from polecon.models.glm.families import LOGIT, Family, Poisson


class ConvergenceWarning(RuntimeWarning):
    """An iterative step (IRLS, fixed-effect projection, separation check) did not converge."""


class CollinearityWarning(UserWarning):
    """Regressors collinear with other regressors or with the fixed effects were dropped."""


def collinear(
    xt: np.ndarray, x_raw: np.ndarray, w: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks (k,) of the columns to keep and of those absorbed by the fixed effects.

    Column j is dropped when the weighted sum of squares of its part orthogonal to the fixed
    effects and to the kept earlier columns is below ``tol`` times its raw weighted sum of
    squares (sequential Gram-Schmidt on ``xt' W xt``); it is *absorbed* when its part
    orthogonal to the fixed effects alone is that small (or the column is 0).
    """
    k = xt.shape[1]
    keep = np.zeros(k, dtype=bool)
    if k == 0:
        return keep, keep.copy()
    h = _wcross(xt, w)
    raw = np.diag(_wcross(x_raw, w)).copy()
    for j in range(k):
        s = np.flatnonzero(keep)
        r = h[j, j]
        if s.size:
            hs = h[np.ix_(s, s)]
            v = h[s, j]
            r = h[j, j] - v @ np.linalg.solve(hs, v)
        keep[j] = r > tol * max(raw[j], np.finfo(float).tiny) and raw[j] > 0
    absorbed = (np.diag(h) <= tol * np.maximum(raw, np.finfo(float).tiny)) | (raw <= 0)
    return keep, absorbed & ~keep


def _binary_link(family: Family, m: np.ndarray) -> np.ndarray:
    """The link function of a binary family at probabilities ``m`` in (0, 1)."""
    return np.log(m / (1 - m)) if family.kernel == LOGIT else np.log(-np.log1p(-m))


def normalise_alpha(alpha: np.ndarray, fes: FixedEffects | None) -> np.ndarray:
    """Set the first level of every factor after the first to 0, shifting into factor 0."""
    if fes is None or fes.n_fe < 2:
        return alpha
    a = alpha.copy()
    for q in range(1, fes.n_fe):
        shift = a[fes.off[q]]
        a[fes.off[q] : fes.off[q + 1]] -= shift
        a[fes.off[0] : fes.off[1]] += shift
    return a


def irls(
    family: Family,
    y: np.ndarray,
    X: np.ndarray,
    wt: np.ndarray | None,
    offset: np.ndarray | None,
    fes: FixedEffects | None,
    has_intercept: bool,
    tol: float,
    maxiter: int,
    fixef_tol: float,
    fixef_maxiter: int,
    collin_tol: float,
) -> dict[str, Any]:
    """IRLS of ``family`` with fixed effects partialled out in coefficient space (module doc).

    Warm starts: 0 for u, the previous coefficients for X. Start: beta = 0; Poisson: alpha
    from (at most 10 sweeps of) closed-form fixed-effect updates; binomial: the first factor's
    alpha (or the intercept) at the link of the shrunken mean of y. The first projection
    is computed at ``fixef_tol`` (it feeds the collinearity check); later ones start at 1e-4
    and tighten with the deviance (inexact Newton, ``0.01 * crit``); convergence is declared
    only on a step computed at ``fixef_tol``. Step-halving guards against deviance increases.

    Work arrays (n rows): eta, mu, w and two (n, k+1) Fortran-ordered buffers, reused.
    """
    n, k = X.shape
    empty = np.zeros(0)
    wt_a = empty if wt is None else np.ascontiguousarray(wt, dtype=np.float64)
    off_a = empty if offset is None else np.ascontiguousarray(offset, dtype=np.float64)
    if fes is not None:
        codes, off, bounds = fes.codes, fes.off, fes.bounds
    else:
        codes = np.zeros((n, 0), np.int32)
        off = np.zeros(1, np.int64)
        bounds = K._block_bounds(n, K._n_blocks(n))
    beta = np.zeros(k)
    alpha = np.zeros(fes.gtot) if fes is not None else np.zeros(0)
    eta, mu, w = np.empty(n), np.empty(n), np.empty(n)
    Z = np.empty((n, k + 1), order="F")  # [u, X]
    R = np.empty((n, k + 1), order="F")  # demeaned [u, X]
    Z[:, 1:] = X
    Xf = Z[:, 1:]
    u = Z[:, 0]
    poisson = isinstance(family, Poisson)
    if poisson and fes is not None:
        mu[:] = 1.0 if offset is None else np.exp(off_a)
        K.poisson_ipf(codes, off, y, wt_a, mu, alpha, 10, 1e-3, bounds)
    elif poisson and has_intercept:
        sw = np.sum(wt_a * y) if wt is not None else np.sum(y)
        se = (
            np.sum(wt_a * np.exp(off_a) if wt is not None else np.exp(off_a))
            if offset is not None
            else (np.sum(wt_a) if wt is not None else float(n))
        )
        beta[0] = np.log(sw / se)
    elif family.binary and fes is not None:
        # start each level of the first factor at the link of its shrunken mean: Newton for a
        # logit intercept diverges from a start far from the level's mean (R glm starts at
        # mu = (y + 0.5) / 2 per row for the same reason)
        g0 = int(fes.sizes[0])
        c0 = codes[:, 0]
        wv = wt_a if wt is not None else None
        sy = np.bincount(c0, weights=y if wv is None else wv * y, minlength=g0)
        sw = np.bincount(c0, weights=wv, minlength=g0)
        alpha[: fes.off[1]] = _binary_link(family, (sy + 0.5) / (sw + 1.0))
    elif family.binary and has_intercept:
        sw = float(np.sum(wt_a)) if wt is not None else float(n)
        m0 = (float(np.sum(wt_a * y) if wt is not None else np.sum(y)) + 0.5) / (sw + 1.0)
        beta[0] = float(_binary_link(family, np.array([m0]))[0])

    if poisson:

        def update(b: np.ndarray, al: np.ndarray) -> float:
            return K.poisson_update(codes, off, al, Xf, b, off_a, y, wt_a, eta, mu, w, u, bounds)
    else:

        def update(b: np.ndarray, al: np.ndarray) -> float:
            return GK.glm_update(
                family.kernel, codes, off, al, Xf, b, off_a, y, wt_a, eta, mu, w, u, bounds
            )

    dev = update(beta, alpha)

    keep = np.ones(k, dtype=bool)
    absorbed = np.zeros(k, dtype=bool)
    gamma = np.zeros((k, fes.gtot)) if fes is not None else None

    inner_tol = fixef_tol
    crit = np.inf
    converged = False
    sweeps_total = 0
    it = 0
    a = None
    while it < maxiter:
        it += 1
        if it == 1:
            # the first projection of X is done to full accuracy: it feeds the collinearity check
            inner_tol = fixef_tol
        if fes is not None:
            init = np.zeros((k + 1, fes.gtot))
            init[1:] = gamma
            a, ok, sw = solve_fe(fes, Z, w, tol=inner_tol, maxiter=fixef_maxiter, init=init)
            sweeps_total += sw
            if not ok:
                warnings.warn(
                    f"fixed-effect projection did not converge in {fixef_maxiter} sweeps at IRLS "
                    f"iteration {it} (tol {inner_tol:g})",
                    ConvergenceWarning,
                    stacklevel=4,
                )
            fes.residual_into(Z, a, R)
            gamma = a[1:]
        if it == 1 and k:
            keep, absorbed = collinear(R[:, 1:] if fes is not None else Xf, Xf, w, collin_tol)
            if not keep.all():
                k = int(keep.sum())
                cols = np.concatenate([[0], 1 + np.flatnonzero(keep)])
                Z = np.asfortranarray(Z[:, cols])
                R = (
                    np.asfortranarray(R[:, cols])
                    if fes is not None
                    else np.empty((n, k + 1), order="F")
                )
                Xf, u = Z[:, 1:], Z[:, 0]
                beta = beta[keep]
                if fes is not None:
                    a = a[cols]
                    gamma = a[1:]
        cross = K.weighted_cross(R if fes is not None else Z, w, bounds)
        last_inner = inner_tol
        if k:
            h, g = cross[1:, 1:], cross[1:, 0]
            try:
                dbeta = np.linalg.solve(h, g)
            except np.linalg.LinAlgError:
                dbeta = np.linalg.lstsq(h, g, rcond=None)[0]
        else:
            dbeta = np.zeros(0)
        dalpha = (a[0] - gamma.T @ dbeta) if fes is not None else alpha
        step = 1.0
        for _half in range(30):
            b_new = beta + step * dbeta
            al_new = alpha + step * dalpha if fes is not None else alpha
            dev_new = update(b_new, al_new)
            if np.isfinite(dev_new) and dev_new <= dev * (1 + 1e-9) + 1e-12:
                break
            step /= 2
        else:
            warnings.warn(
                f"{family.model}: step-halving at IRLS iteration {it} found no step that lowers the "
                f"deviance after 30 halvings; accepting deviance {dev_new:.10g} (previous "
                f"{dev:.10g}, step {step * 2:.3g}). The fit may be unreliable (numerical "
                "precision limit, or separation not removed).",
                ConvergenceWarning,
                stacklevel=4,
            )
        crit = abs(dev_new - dev) / (0.1 + abs(dev_new))
        beta, alpha, dev = b_new, al_new, dev_new
        if crit < tol and last_inner <= fixef_tol * 1.0001:
            converged = True
            break
        if it == 1:
            inner_tol = max(fixef_tol, 1e-4)
        inner_tol = max(fixef_tol, min(inner_tol, 0.01 * crit))
        if crit < tol:
            inner_tol = fixef_tol
    return {
        "beta": beta,
        "alpha": alpha,
        "eta": eta,
        "mu": mu,
        "w": w,
        "deviance": dev,
        "keep": keep,
        "absorbed": absorbed,
        "gamma": gamma,
        "X": Xf,
        "u": u,
        "R": R,
        "iterations": it,
        "converged": converged,
        "crit": crit,
        "sweeps": sweeps_total,
    }
