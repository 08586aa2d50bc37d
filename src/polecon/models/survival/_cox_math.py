"""Cox partial likelihood on counting-process (start, stop] data: the numerical core.

Layout (no sorting of the n rows is needed): the distinct event times are ranked within strata
(``n_et`` of them, stratum-major); each row carries ``i0`` and ``i1``, the index of the last
event time <= its start and <= its stop in that order (-1 if none). A row is at risk at the
event times with index in ``(i0, i1]``, i.e. at times t with start < t <= stop: a row whose
start equals an event time is *not* at risk then (R survival's convention).

Risk-set sums S0(t) = sum w r, S1(t) = sum w r x over the rows at risk are difference arrays
over the event-time index followed by a cumulative sum (O(n k) time, O(n_et k) memory).
With d deaths at t, ``l = 0..d-1`` and ``f_l = l/d`` (Efron) or 0 (Breslow):

    phi_l = S0 - f_l D0,  a_l = (S1 - f_l D1) / phi_l,  h_l = wbar / phi_l,

(D0, D1: the sums over the deaths at t, wbar their mean weight) and

    loglik = sum_deaths w eta - sum_t sum_l wbar log phi_l
    U      = X'(w delta - v),   v_i = w_i r_i (Lambda_i - delta_i B_i)
    I      = X' diag(v) X - sum_t sum_l wbar a_l a_l'

with Lambda_i = sum of A(t) = sum_l h_l over the event times at which row i is at risk and
B(t) = sum_l f_l h_l (a death is at risk with weight 1 - f_l in the l-th Efron term). These are
R survival's ``agreg`` formulas (coxph with Surv(start, stop, event)). Score residuals follow
R's ``coxscore``/``agscore3``: L_i = delta_i (x_i - mean_l a_l) - r_i sum_t sum_l c_il h_l
(x_i - a_l), c_il = 1 - f_l for the deaths at t, 1 otherwise; sum_i w_i L_i = U.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np


@dataclass
class RiskSetIndex:
    """Event-time structure of a Cox data set (independent of the coefficients)."""

    i0: np.ndarray  # (n,) int64: last event time <= start (same stratum), -1 if none
    i1: np.ndarray  # (n,) int64: last event time <= stop
    dead: np.ndarray  # (n_dead,) int64 row positions of the events
    et_dead: np.ndarray  # (n_dead,) event-time index of each event, sorted ascending
    n_dead_t: np.ndarray  # (n_et,) number of events at each event time
    wsum_t: np.ndarray  # (n_et,) sum of the weights of those events
    n_et: int


def risk_set_index(
    start: np.ndarray, stop: np.ndarray, event: np.ndarray, strata: np.ndarray, w: np.ndarray
) -> RiskSetIndex:
    """``start`` may hold -inf (at risk from the origin); ``strata`` are int codes 0..S-1."""
    vals = np.unique(stop[event])
    # rank of each time among the event times: number of event times <= t
    r_stop = np.searchsorted(vals, stop, side="right")
    r_start = np.searchsorted(vals, start, side="right")
    m = len(vals) + 1
    s = strata.astype(np.int64)
    key_stop = s * m + r_stop
    key_start = s * m + r_start
    ev_keys = np.unique(key_stop[event])
    i1 = np.searchsorted(ev_keys, key_stop, side="right") - 1
    i0 = np.searchsorted(ev_keys, key_start, side="right") - 1
    # a row of stratum s with no event time <= start lands on the previous stratum's last
    # event time, which is below every event time of s: (i0, i1] stays inside stratum s
    dead = np.flatnonzero(event)
    order = np.argsort(i1[dead], kind="stable")
    dead = dead[order]
    et_dead = i1[dead]
    n_et = len(ev_keys)
    return RiskSetIndex(
        i0=i0.astype(np.int64),
        i1=i1.astype(np.int64),
        dead=dead,
        et_dead=et_dead.astype(np.int64),
        n_dead_t=np.bincount(et_dead, minlength=n_et),
        wsum_t=np.bincount(et_dead, weights=w[dead], minlength=n_et),
        n_et=n_et,
    )


@numba.njit(cache=True, nogil=True)
def _risk_sums(x, wr, i0, i1, n_et):  # pragma: no cover - numba
    n, k = x.shape
    s0 = np.zeros(n_et + 1)
    s1 = np.zeros((n_et + 1, k))
    for i in range(n):
        a = i0[i] + 1
        b = i1[i] + 1
        if a >= b:
            continue
        v = wr[i]
        s0[a] += v
        s0[b] -= v
        for j in range(k):
            t = v * x[i, j]
            s1[a, j] += t
            s1[b, j] -= t
    for e in range(1, n_et):
        s0[e] += s0[e - 1]
        for j in range(k):
            s1[e, j] += s1[e - 1, j]
    return s0[:n_et], s1[:n_et]


@numba.njit(cache=True, nogil=True)
def _cluster_scores(
    x, w, r, delta, i0, i1, lam_minus, abar, cum_g, gb, cl, n_cl
):  # pragma: no cover - numba
    """Sum of w_i L_i by cluster (n_cl, k); L_i the Cox score residual (module docstring)."""
    n, k = x.shape
    out = np.zeros((n_cl, k))
    for i in range(n):
        c = cl[i]
        a = i0[i] + 1
        b = i1[i] + 1
        wi = w[i]
        ri = r[i]
        for j in range(k):
            gam = cum_g[b, j] - cum_g[a, j]
            val = -ri * (x[i, j] * lam_minus[i] - gam)
            if delta[i]:
                e = i1[i]
                val += x[i, j] - abar[e, j] - ri * gb[e, j]
            out[c, j] += wi * val
    return out


@dataclass
class CoxEval:
    loglik: float
    score: np.ndarray | None = None  # (k,)
    info: np.ndarray | None = None  # (k, k)
    # kept for the score residuals
    r: np.ndarray | None = None
    a: np.ndarray | None = None  # (n_dead, k) the a_l
    h: np.ndarray | None = None  # (n_dead,) the h_l
    frac: np.ndarray | None = None  # (n_dead,) the f_l
    lam_minus: np.ndarray | None = None  # (n,) Lambda_i - delta_i B_i


def _tie_fractions(idx: RiskSetIndex, efron: bool) -> np.ndarray:
    """f_l = l / d for the l-th (0-based) of the d events at each event time (0 for Breslow)."""
    nd = len(idx.dead)
    if not efron or nd == 0:
        return np.zeros(nd)
    first = np.concatenate([[0], np.cumsum(idx.n_dead_t)[:-1]])
    rank = np.arange(nd) - first[idx.et_dead]
    return rank / idx.n_dead_t[idx.et_dead]


def cox_eval(
    x: np.ndarray,
    beta: np.ndarray,
    w: np.ndarray,
    delta: np.ndarray,
    idx: RiskSetIndex,
    frac: np.ndarray,
    *,
    derivatives: bool = True,
) -> CoxEval:
    """Log partial likelihood (and score, information) at ``beta``; ``x`` centred (n, k)."""
    eta = x @ beta
    c = float(eta.max()) if len(eta) else 0.0  # the likelihood is invariant to a shift of eta
    r = np.exp(eta - c)
    wr = w * r
    s0, s1 = _risk_sums(x, wr, idx.i0, idx.i1, idx.n_et)
    et = idx.et_dead
    d0 = np.bincount(et, weights=wr[idx.dead], minlength=idx.n_et)
    wbar = (idx.wsum_t / np.maximum(idx.n_dead_t, 1))[et]
    phi = s0[et] - frac * d0[et]
    if np.any(phi <= 0):
        return CoxEval(loglik=-np.inf)
    loglik = float(np.dot(w[idx.dead], eta[idx.dead] - c) - np.dot(wbar, np.log(phi)))
    if not derivatives:
        return CoxEval(loglik=loglik)
    xd = x[idx.dead]
    d1 = np.zeros((idx.n_et, x.shape[1]))
    np.add.at(d1, et, wr[idx.dead, None] * xd)
    a = (s1[et] - frac[:, None] * d1[et]) / phi[:, None]
    h = wbar / phi
    lam_t = np.bincount(et, weights=h, minlength=idx.n_et)
    b_t = np.bincount(et, weights=frac * h, minlength=idx.n_et)
    cum = np.concatenate([[0.0], np.cumsum(lam_t)])
    lam_minus = cum[idx.i1 + 1] - cum[idx.i0 + 1]
    lam_minus[idx.dead] -= b_t[et]
    v = wr * lam_minus
    score = (w * delta - v) @ x
    info = weighted_crossprod(x, v) - (a * wbar[:, None]).T @ a
    return CoxEval(loglik, score, info, r, a, h, frac, lam_minus)


def weighted_crossprod(x: np.ndarray, v: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """X' diag(v) X in row chunks (BLAS; memory O(chunk k))."""
    k = x.shape[1]
    out = np.zeros((k, k))
    for s in range(0, len(x), chunk):
        xc = x[s : s + chunk]
        out += (xc * v[s : s + chunk, None]).T @ xc
    return out


def cluster_scores(
    x: np.ndarray,
    w: np.ndarray,
    delta: np.ndarray,
    idx: RiskSetIndex,
    ev: CoxEval,
    cl: np.ndarray,
    n_cl: int,
) -> np.ndarray:
    """Score residuals w_i L_i summed by cluster code ``cl`` (n_cl, k)."""
    k = x.shape[1]
    et = idx.et_dead
    cnt = np.maximum(idx.n_dead_t, 1)[:, None]
    abar = np.zeros((idx.n_et, k))
    np.add.at(abar, et, ev.a)
    abar /= cnt
    g = np.zeros((idx.n_et, k))
    np.add.at(g, et, ev.h[:, None] * ev.a)
    gb = np.zeros((idx.n_et, k))
    np.add.at(gb, et, (ev.frac * ev.h)[:, None] * ev.a)
    cum_g = np.vstack([np.zeros((1, k)), np.cumsum(g, axis=0)])
    return _cluster_scores(
        x, w, ev.r, delta, idx.i0, idx.i1, ev.lam_minus, abar, cum_g, gb, cl, n_cl
    )
