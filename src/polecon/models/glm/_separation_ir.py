"""The iterated rectifier (``"ir"``) of :func:`polecon.models.glm.separation.detect_separation`.

The random screen of the y == 0 rows (:func:`_screen`), the exact LP on the span of its draws
(:func:`_span_certificate`) and the rectifier rounds (:func:`_ir_check`); the algorithm is
described in the docstring of :mod:`polecon.models.glm.separation`. Split out of
``separation.py`` unchanged.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from polecon.models._core._kernels import col_absmax
from polecon.models._core.demean import FixedEffects, solve_fe
from polecon.models.glm._separation_base import (
    SeparationUndecidedWarning,
    _Deadline,
    _dense_codes,
    _scale_columns,
    _simplex_check,
    _warn_undecided,
)
from polecon.models.glm._separation_projectors import _ExactProjector, _WeightedProjector

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
# Problems with at most this many cells (rows x (regressors + FE levels)) and columns use the
# exact dense projector in the IR; larger ones the weighted demeaning projector.
_IR_DENSE_MAX_CELLS = 2_000_000
_IR_DENSE_MAX_COLS = 400
# ... and at most this many rows (above it the weighted projector, whose per-iteration cost is
# a fixed-effect sweep, is used even for a few columns).
_IR_DENSE_MAX_ROWS = 100_000


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
