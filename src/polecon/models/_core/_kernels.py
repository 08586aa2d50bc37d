"""numba kernels shared by the estimators (fixed-effect sweeps, group sums, cluster sums).

All kernels work on plain contiguous arrays:

- ``codes``: int32, shape (n, Q), C order; column q holds dense codes 0..G_q-1 of fixed effect q.
- ``off``: int64, shape (Q + 1,): coefficient offsets; fixed effect q owns rows
  ``off[q]:off[q+1]`` of a stacked coefficient array of length ``Gtot = off[Q]``.
- coefficient arrays ``a``: float64, shape (k, Gtot) (k variables demeaned jointly).

Kernels are compiled with ``cache=True``. Row loops run over a *fixed* number of row blocks
(``prange``) with block-private accumulators summed in a fixed order, so results do not depend
on how many threads execute them (deterministic output).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import numba as nb
import numpy as np

_NB = {"cache": True, "nogil": True, "fastmath": False, "boundscheck": False}
N_BLOCKS = 2  # row blocks of the parallel loops (fixed: results independent of thread count)


def _n_blocks(n: int) -> int:
    """Number of row blocks for the parallel loops (1 for small problems)."""
    return 1 if n < 50_000 else N_BLOCKS


@contextmanager
def thread_budget(n: int) -> Iterator[int]:
    """Threads that one fit of ``n`` rows can use; yields that number.

    The parallel loops run over a fixed number of row blocks (``_n_blocks(n)``: 1 below 50,000
    rows, else ``N_BLOCKS``), so at most that many numba threads do work, and the results do not
    depend on the thread count. Nothing is measured, slept on or changed here: numba's thread
    count is the caller's setting (``numba.set_num_threads`` or ``NUMBA_NUM_THREADS``), so a
    bootstrap that calls a fit thousands of times pays nothing for this context.
    """
    yield min(nb.get_num_threads(), _n_blocks(n))


@nb.njit(**_NB)
def _block_bounds(n: int, nblocks: int) -> np.ndarray:
    b = np.empty(nblocks + 1, dtype=np.int64)
    for t in range(nblocks + 1):
        b[t] = (n * t) // nblocks
    return b


@nb.njit(parallel=True, **_NB)
def weighted_group_sums(
    codes: np.ndarray, off: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-level sums ``S[j, g] = sum_{i in g} w_i x_ij`` and ``W[g] = sum_{i in g} w_i``.

    ``x``: (n, k). Returns (S of shape (k, Gtot), W of shape (Gtot,)), all factors stacked.
    """
    n, q_n = codes.shape
    k = x.shape[1]
    gtot = off[q_n]
    s = np.zeros((k + 1, gtot))
    for j in nb.prange(k + 1):
        row = s[j]
        if j < k:
            for i in range(n):
                v = w[i] * x[i, j]
                for q in range(q_n):
                    row[off[q] + codes[i, q]] += v
        else:
            for i in range(n):
                v = w[i]
                for q in range(q_n):
                    row[off[q] + codes[i, q]] += v
    return s[:k].copy(), s[k].copy()


@nb.njit(parallel=True, **_NB)
def _pass(
    codes: np.ndarray,
    off: np.ndarray,
    a: np.ndarray,
    w: np.ndarray,
    q: int,
    bounds: np.ndarray,
    acc: np.ndarray,
) -> None:
    """acc[t, j, g] = sum over rows i of block t with level g of factor q of
    ``w_i * sum_{h != q} a[j, off[h] + c_h(i)]`` (all k variables in one pass over the rows)."""
    q_n = codes.shape[1]
    k = a.shape[0]
    nblocks = bounds.shape[0] - 1
    gq = off[q + 1] - off[q]
    for t in nb.prange(nblocks):
        for j in range(k):
            for g in range(gq):
                acc[t, j, g] = 0.0
        if q_n == 2:
            h = 1 - q
            oh = off[h]
            for i in range(bounds[t], bounds[t + 1]):
                wi = w[i]
                cq = codes[i, q]
                ch = oh + codes[i, h]
                for j in range(k):
                    acc[t, j, cq] += wi * a[j, ch]
        elif q_n == 3:
            h1 = (q + 1) % 3
            h2 = (q + 2) % 3
            o1 = off[h1]
            o2 = off[h2]
            for i in range(bounds[t], bounds[t + 1]):
                wi = w[i]
                cq = codes[i, q]
                c1 = o1 + codes[i, h1]
                c2 = o2 + codes[i, h2]
                for j in range(k):
                    acc[t, j, cq] += wi * (a[j, c1] + a[j, c2])
        else:
            for i in range(bounds[t], bounds[t + 1]):
                wi = w[i]
                cq = codes[i, q]
                for j in range(k):
                    tot = 0.0
                    for h in range(q_n):
                        if h != q:
                            tot += a[j, off[h] + codes[i, h]]
                    acc[t, j, cq] += wi * tot


@nb.njit(**_NB)
def fe_map(
    codes: np.ndarray,
    off: np.ndarray,
    a_in: np.ndarray,
    s: np.ndarray,
    inv_w: np.ndarray,
    w: np.ndarray,
    bounds: np.ndarray,
    acc: np.ndarray,
) -> np.ndarray:
    """One Gauss-Seidel sweep of alternating projections in coefficient space.

    Coefficients are stored per variable: ``a_in``, ``s``: (k, Gtot). For q = 0..Q-1:
    ``a_q[g] = (S_q[g] - sum_{i in g} w_i sum_{h != q} a_h[c_h(i)]) / W_q[g]``.
    Rows are split in ``len(bounds) - 1`` blocks processed in parallel with private
    accumulators ``acc`` (nblocks, k, max G_q), summed in a fixed order (deterministic).
    Returns the new coefficients.
    """
    k = a_in.shape[0]
    q_n = off.shape[0] - 1
    a = a_in.copy()
    nblocks = bounds.shape[0] - 1
    if q_n == 1:
        for j in range(k):
            for g in range(off[1]):
                a[j, g] = s[j, g] * inv_w[g]
        return a
    for q in range(q_n):
        _pass(codes, off, a, w, q, bounds, acc)
        oq = off[q]
        for j in range(k):
            for g in range(off[q + 1] - oq):
                tot = 0.0
                for t in range(nblocks):
                    tot += acc[t, j, g]
                a[j, oq + g] = (s[j, oq + g] - tot) * inv_w[oq + g]
    return a


@nb.njit(**_NB)
def cluster_score_sums(scores: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per-cluster sums of score rows: (G, k)."""
    n, k = scores.shape
    out = np.zeros((n_clusters, k))
    for i in range(n):
        g = clusters[i]
        for j in range(k):
            out[g, j] += scores[i, j]
    return out


@nb.njit(**_NB)
def cluster_xw_sums(
    x: np.ndarray, r: np.ndarray, clusters: np.ndarray, n_clusters: int
) -> np.ndarray:
    """Per-cluster sums of the score rows ``r[i] * x[i]`` without forming them: (G, k).
    Column-major loop (x is usually Fortran-ordered)."""
    n, k = x.shape
    out = np.zeros((n_clusters, k))
    for j in range(k):
        for i in range(n):
            out[clusters[i], j] += x[i, j] * r[i]
    return out


@nb.njit(**_NB)
def drop_singletons(codes: np.ndarray, sizes: np.ndarray, keep: np.ndarray) -> int:
    """Iteratively set ``keep[i] = False`` for rows in a level with exactly one kept row.

    ``codes``: (n, Q) int32; modifies ``keep`` in place; returns the number of rows dropped.
    """
    n, q_n = codes.shape
    dropped = 0
    counts = []
    for q in range(q_n):
        c = np.zeros(sizes[q], dtype=np.int64)
        for i in range(n):
            if keep[i]:
                c[codes[i, q]] += 1
        counts.append(c)
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if not keep[i]:
                continue
            single = False
            for q in range(q_n):
                if counts[q][codes[i, q]] == 1:
                    single = True
                    break
            if single:
                keep[i] = False
                dropped += 1
                changed = True
                for q in range(q_n):
                    counts[q][codes[i, q]] -= 1
    return dropped


@nb.njit(parallel=True, **_NB)
def _ipf_level_sums(
    codes: np.ndarray,
    q: int,
    gq: int,
    v: np.ndarray,
    wt: np.ndarray,
    bounds: np.ndarray,
) -> np.ndarray:
    """``sum_{i in g} wt_i v_i`` over the levels g of factor q (row blocks in parallel)."""
    n = codes.shape[0]
    has_wt = wt.shape[0] == n
    nblocks = bounds.shape[0] - 1
    loc = np.zeros((nblocks, gq))
    for t in nb.prange(nblocks):
        for i in range(bounds[t], bounds[t + 1]):
            loc[t, codes[i, q]] += wt[i] * v[i] if has_wt else v[i]
    out = np.zeros(gq)
    for t in range(nblocks):
        out += loc[t]
    return out


@nb.njit(parallel=True, **_NB)
def _ipf_scale(codes: np.ndarray, q: int, ratio: np.ndarray, mu: np.ndarray, bounds: np.ndarray):
    nblocks = bounds.shape[0] - 1
    for t in nb.prange(nblocks):
        for i in range(bounds[t], bounds[t + 1]):
            mu[i] *= ratio[codes[i, q]]


@nb.njit(**_NB)
def poisson_ipf(
    codes: np.ndarray,
    off: np.ndarray,
    y: np.ndarray,
    wt: np.ndarray,
    mu: np.ndarray,
    alpha: np.ndarray,
    sweeps: int,
    tol: float,
    bounds: np.ndarray,
) -> int:
    """Closed-form Poisson fixed-effect updates (iterative proportional fitting).

    With the other parameters fixed, the likelihood is maximised in the levels of factor q by
    ``alpha_q[g] += log(sum_g wt y / sum_g wt mu)``. Runs up to ``sweeps`` sweeps over the
    factors, updating ``mu`` (n,) and the stacked ``alpha`` (Gtot,) in place; stops early when
    every log-ratio is below ``tol`` in absolute value. Levels with ``sum wt y = 0`` get a
    bounded step of log(1e-3). ``wt`` may be empty (unit weights). Returns the sweeps done.
    """
    q_n = codes.shape[1]
    sy = []
    for q in range(q_n):
        sy.append(_ipf_level_sums(codes, q, off[q + 1] - off[q], y, wt, bounds))
    done = 0
    for _ in range(sweeps):
        done += 1
        biggest = 0.0
        for q in range(q_n):
            o = off[q]
            g_n = off[q + 1] - o
            smu = _ipf_level_sums(codes, q, g_n, mu, wt, bounds)
            syq = sy[q]
            for g in range(g_n):
                ok = syq[g] > 0 and smu[g] > 0
                lr = np.log(syq[g] / smu[g]) if ok else np.log(1e-3)
                smu[g] = np.exp(lr)
                alpha[o + g] += lr
                biggest = max(biggest, abs(lr))
            _ipf_scale(codes, q, smu, mu, bounds)
        if biggest < tol:
            break
    return done


@nb.njit(parallel=True, **_NB)
def poisson_update(
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
    """One pass: ``eta = offset + X beta + sum_q alpha_q[c_q]``, ``mu = exp(eta)``,
    ``w = wt mu``, ``u = (y - mu) / mu``, written in place; returns the deviance
    ``2 sum wt (y log(y/mu) - (y - mu))`` (0 log 0 = 0).

    ``offset`` and ``wt`` may be empty arrays, meaning 0 and 1. ``X``: (n, k) any layout.
    """
    n, q_n = codes.shape
    k = beta.shape[0]
    has_off = offset.shape[0] == n
    has_wt = wt.shape[0] == n
    nblocks = bounds.shape[0] - 1
    dev_loc = np.zeros(nblocks)
    for t in nb.prange(nblocks):
        d = 0.0
        for i in range(bounds[t], bounds[t + 1]):
            v = offset[i] if has_off else 0.0
            for j in range(k):
                v += X[i, j] * beta[j]
            for q in range(q_n):
                v += alpha[off[q] + codes[i, q]]
            m = np.exp(v)
            wi = wt[i] if has_wt else 1.0
            yi = y[i]
            eta[i] = v
            mu[i] = m
            w[i] = wi * m
            u[i] = (yi - m) / m
            if yi > 0:
                d += wi * (yi * (np.log(yi) - v) - (yi - m))
            else:
                d += wi * m
        dev_loc[t] = d
    return 2.0 * dev_loc.sum()


@nb.njit(parallel=True, **_NB)
def subtract_fe_into(
    codes: np.ndarray,
    off: np.ndarray,
    a: np.ndarray,
    x: np.ndarray,
    out: np.ndarray,
    bounds: np.ndarray,
) -> None:
    """``out = x - sum_q a_q[c_q]`` in place: x, out (n, k) any layout; a (k, Gtot)."""
    n, q_n = codes.shape
    k = x.shape[1]
    nblocks = bounds.shape[0] - 1
    for t in nb.prange(nblocks):
        for i in range(bounds[t], bounds[t + 1]):
            for j in range(k):
                v = x[i, j]
                for q in range(q_n):
                    v -= a[j, off[q] + codes[i, q]]
                out[i, j] = v


CROSS_BLAS_MIN_COLS = 7  # from this many columns the BLAS path is faster (measured)
CROSS_CHUNK_ROWS = 1 << 15  # fixed row chunks: the sum order never depends on the threads


def weighted_cross(r: np.ndarray, w: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``r' diag(w) r`` for r (n, m) (any layout) and w (n,) -> (m, m), symmetric.

    Few columns: the numba kernel below (one pass, no temporaries). From
    ``CROSS_BLAS_MIN_COLS`` columns on, BLAS products over fixed row chunks,
    ``sum_c r_c' (w_c r_c)``: the numba kernel's per-pair row loop is O(n m^2) scalar work and
    took 2.2 s (C order) / 0.32 s (Fortran order) on 838,000 x 33 where BLAS takes 0.10 s
    (measured 2026-12-05; used by the 30-term adoption models at every IRLS iteration).
    """
    n, m = r.shape
    if m < CROSS_BLAS_MIN_COLS:
        return _weighted_cross_nb(r, w, bounds)
    out = np.zeros((m, m))
    if np.all(w >= 0):  # sw' sw with sw = sqrt(w) r: numpy calls BLAS syrk (half the flops)
        sq = np.sqrt(w)
        for s in range(0, n, CROSS_CHUNK_ROWS):
            rc = r[s : s + CROSS_CHUNK_ROWS] * sq[s : s + CROSS_CHUNK_ROWS, None]
            out += rc.T @ rc
    else:
        for s in range(0, n, CROSS_CHUNK_ROWS):
            rc = r[s : s + CROSS_CHUNK_ROWS]
            out += rc.T @ (rc * w[s : s + CROSS_CHUNK_ROWS, None])
    return (out + out.T) / 2


@nb.njit(parallel=True, **_NB)
def _weighted_cross_nb(r: np.ndarray, w: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``r' diag(w) r`` for r (n, m) (Fortran order is fastest) -> (m, m).

    One scalar accumulator per (block, a, b) with the row loop innermost (vectorisable).
    """
    n, m = r.shape
    nblocks = bounds.shape[0] - 1
    npairs = m * (m + 1) // 2
    loc = np.zeros((nblocks, npairs))
    for t in nb.prange(nblocks):
        lo, hi = bounds[t], bounds[t + 1]
        p = 0
        for a in range(m):
            for b in range(a, m):
                acc = 0.0
                for i in range(lo, hi):
                    acc += w[i] * r[i, a] * r[i, b]
                loc[t, p] = acc
                p += 1
    out = np.zeros((m, m))
    p = 0
    for a in range(m):
        for b in range(a, m):
            tot = 0.0
            for t in range(nblocks):
                tot += loc[t, p]
            out[a, b] = tot
            out[b, a] = tot
            p += 1
    return out


@nb.njit(parallel=True, **_NB)
def poisson_logliks(
    y: np.ndarray, mu: np.ndarray, mu0: float, wt: np.ndarray, bounds: np.ndarray
) -> tuple[float, float]:
    """Poisson log-likelihoods ``sum wt (y log m - m - log y!)`` at ``m = mu`` (n,) and at
    the constant ``m = mu0``; ``wt`` may be empty (unit weights)."""
    n = y.shape[0]
    has_wt = wt.shape[0] == n
    nblocks = bounds.shape[0] - 1
    loc = np.zeros((nblocks, 2))
    lmu0 = np.log(mu0)
    for t in nb.prange(nblocks):
        s1 = 0.0
        s0 = 0.0
        for i in range(bounds[t], bounds[t + 1]):
            wi = wt[i] if has_wt else 1.0
            yi = y[i]
            v1 = -mu[i]
            v0 = -mu0
            if yi > 0:
                lg = math.lgamma(yi + 1.0) if yi > 1.0 else 0.0
                v1 += yi * np.log(mu[i]) - lg
                v0 += yi * lmu0 - lg
            s1 += wi * v1
            s0 += wi * v0
        loc[t, 0] = s1
        loc[t, 1] = s0
    return loc[:, 0].sum(), loc[:, 1].sum()


@nb.njit(**_NB)
def col_absmax(x: np.ndarray, ncols: int) -> np.ndarray:
    """``max_i |x[i, j]|`` for the first ``ncols`` columns of x (n, k), any layout -> (ncols,)
    (0 for an empty x); one pass over the rows, no temporaries."""
    out = np.zeros(ncols)
    for i in range(x.shape[0]):
        for j in range(ncols):
            v = abs(x[i, j])
            if v > out[j]:
                out[j] = v
    return out
