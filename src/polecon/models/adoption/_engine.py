"""Block-structured binary GLM (logit or complementary log-log) with one fixed effect per
block, pair-clustered sandwich.

A problem is a list of blocks (one per agreement type). Block k holds its rows' outcome ``y``,
a dense covariate matrix ``X`` (n_k x m_k) whose columns map to global parameters ``cols``,
fixed-effect level codes ``fe`` (0..G_k-1) mapping to global parameters ``fe_cols``, and global
cluster codes. The Hessian and scores are accumulated block by block, so a stacked model whose
terms are all interacted with type never builds the dense stacked design: its Hessian is block
diagonal and its clustered covariance is Stata's ``suest`` (per-type scores summed by pair).

Links: ``logit`` (canonical) and ``cloglog`` (``p = 1 - exp(-exp(eta))``, the grouped-duration
hazard of a continuous-time proportional-hazards model). Newton steps and the bread use the
observed information of the link, as Stata's ``logit``/``cloglog`` (for the logit, observed and
expected information coincide).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.special import expit, log_expit

LINKS: tuple[str, ...] = ("logit", "cloglog")


@dataclass
class Block:
    y: np.ndarray  # (n,) 0/1
    X: np.ndarray  # (n, m) float64
    cols: np.ndarray  # (m,) global parameter index of each column
    fe: np.ndarray  # (n,) fixed-effect level 0..G-1
    fe_cols: np.ndarray  # (G,) global parameter index of each level
    cluster: np.ndarray  # (n,) global cluster code 0..n_clusters-1

    def __post_init__(self) -> None:
        # rows sorted by FE level (group sums by np.add.reduceat), X C-contiguous for BLAS
        x = np.ascontiguousarray(self.X, dtype=np.float64)
        if np.any(self.fe[1:] < self.fe[:-1]):
            order = np.argsort(self.fe, kind="stable")
            x, self.y, self.fe, self.cluster = (
                x[order],
                self.y[order],
                self.fe[order],
                self.cluster[order],
            )
        self.X = x
        self.y = np.asarray(self.y, dtype=np.float64)
        self.fe = np.asarray(self.fe, dtype=np.int64)
        self.cluster = np.asarray(self.cluster, dtype=np.int64)
        self.starts = np.flatnonzero(np.r_[True, self.fe[1:] != self.fe[:-1]])
        self.stops = np.r_[self.starts[1:], len(self.fe)]
        if len(self.starts) != len(self.fe_cols):
            raise ValueError("every fixed-effect level needs at least one row")

    def fe_sum(self, v: np.ndarray) -> np.ndarray:
        """Sums of ``v`` (n,) or (n, m) over the rows of each FE level."""
        if v.ndim == 1:
            return np.add.reduceat(v, self.starts)
        return np.stack([v[a:b].sum(axis=0) for a, b in zip(self.starts, self.stops, strict=True)])


@dataclass
class Fit:
    beta: np.ndarray  # (P,) all parameters, FE included
    hess_inv: np.ndarray  # (P, P) inverse of the negative Hessian
    scores: np.ndarray  # (n_clusters, P) scores summed by cluster
    loglik: float
    loglik_null: float
    nobs: int
    iterations: int


def collinear_columns(block: Block, tol: float = 1e-9) -> list[int]:
    """Local indices of the block's covariate columns that are linear combinations of the other
    columns and the fixed effects (pivoted QR of the scaled Gram matrix of [X, FE dummies])."""
    x = block.X
    cross = block.fe_sum(x)
    counts = np.diff(np.r_[block.starts, len(block.fe)]).astype(np.float64)
    gram = np.block([[x.T @ x, cross.T], [cross, np.diag(counts)]])
    scale = np.sqrt(np.maximum(np.diag(gram), 1e-300))
    g = gram / np.outer(scale, scale)
    m = x.shape[1]
    # FE first, then the covariates in order: a covariate is redundant when its scaled residual
    # variance given the FE and the covariates kept before it is below ``tol``
    kept = list(range(m, g.shape[0]))
    bad = []
    for j in range(m):
        gkk = g[np.ix_(kept, kept)]
        gkj = g[kept, j]
        coef = scipy.linalg.lstsq(gkk, gkj)[0]
        if g[j, j] - gkj @ coef < tol**0.5:
            bad.append(j)
        else:
            kept.append(j)
    return bad


def _eta(blocks: list[Block], beta: np.ndarray) -> list[np.ndarray]:
    return [b.X @ beta[b.cols] + beta[b.fe_cols][b.fe] for b in blocks]


def _check_link(link: str) -> None:
    if link not in LINKS:
        raise ValueError(f"link must be one of {LINKS}, not {link!r}")


def _loglik(blocks: list[Block], etas: list[np.ndarray], link: str = "logit") -> float:
    if link == "logit":
        return float(
            sum(
                np.sum(b.y * log_expit(e) + (1 - b.y) * log_expit(-e))
                for b, e in zip(blocks, etas, strict=True)
            )
        )
    total = 0.0
    for b, e in zip(blocks, etas, strict=True):
        lam = np.exp(np.minimum(e, 700.0))
        # log p = log(1 - exp(-lam)) = log(-expm1(-lam)); log(1 - p) = -lam
        total += float(np.sum(b.y * np.log(-np.expm1(-lam)) - (1 - b.y) * lam))
    return total


def _score_weight(y: np.ndarray, eta: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray]:
    """``r = d loglik / d eta`` and ``w = -d2 loglik / d eta2`` per row (observed information)."""
    if link == "logit":
        p = expit(eta)
        return y - p, p * (1 - p)
    lam = np.exp(np.minimum(eta, 700.0))
    em1 = np.expm1(lam)  # exp(lam) - 1
    a = y / em1 - (1 - y)  # d loglik / d lam
    r = lam * a
    # d2/deta2 = lam * a - lam^2 * y * exp(lam) / (exp(lam) - 1)^2
    w = lam**2 * y * np.exp(np.minimum(lam, 700.0)) / em1**2 - r
    return r, w


def _derivatives(
    blocks: list[Block], etas: list[np.ndarray], n_params: int, link: str = "logit"
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Gradient, negative Hessian and the score residuals d loglik / d eta of each block."""
    grad = np.zeros(n_params)
    hess = np.zeros((n_params, n_params))
    resid = []
    for b, eta in zip(blocks, etas, strict=True):
        r, w = _score_weight(b.y, eta, link)
        resid.append(r)
        grad[b.cols] += b.X.T @ r
        grad[b.fe_cols] += b.fe_sum(r)
        wx = b.X * w[:, None]
        hess[np.ix_(b.cols, b.cols)] += b.X.T @ wx
        cross = b.fe_sum(wx)  # (G, m)
        hess[np.ix_(b.fe_cols, b.cols)] += cross
        hess[np.ix_(b.cols, b.fe_cols)] += cross.T
        hess[b.fe_cols, b.fe_cols] += b.fe_sum(w)
    return grad, hess, resid


def fit_blocks(
    blocks: list[Block],
    n_params: int,
    n_clusters: int,
    tol: float = 1e-8,
    max_iter: int = 50,
    link: str = "logit",
) -> Fit:
    """Newton-Raphson with step halving; returns parameters, inverse Hessian and cluster scores."""
    _check_link(link)
    beta = np.zeros(n_params)
    for b in blocks:  # start the FE at the link of each level's share of events
        cnt = np.diff(np.r_[b.starts, len(b.fe)])
        ybar = np.clip(b.fe_sum(b.y) / cnt, 1e-6, 1 - 1e-6)
        beta[b.fe_cols] = np.log(ybar / (1 - ybar)) if link == "logit" else np.log(-np.log1p(-ybar))
    etas = _eta(blocks, beta)
    ll = _loglik(blocks, etas, link)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (used after the loop)
        grad, hess, _ = _derivatives(blocks, etas, n_params, link)
        step = scipy.linalg.solve(hess, grad, assume_a="pos")
        scale = 1.0
        while True:
            new = beta + scale * step
            new_etas = _eta(blocks, new)
            ll_new = _loglik(blocks, new_etas, link)
            if ll_new >= ll - 1e-12 * abs(ll) or scale < 1e-8:
                break
            scale /= 2
        beta, etas, ll_old, ll = new, new_etas, ll, ll_new
        if np.max(np.abs(scale * step)) < tol or abs(ll - ll_old) <= tol * 0.1 * abs(ll):
            break
    else:
        raise RuntimeError(f"{link} did not converge in {max_iter} Newton iterations")
    # Hessian and scores summed by cluster at the estimate
    _, hess, resid = _derivatives(blocks, etas, n_params, link)
    scores = np.zeros((n_clusters, n_params))
    nobs = 0
    ll_null = 0.0
    for b, r in zip(blocks, resid, strict=True):
        n = len(b.y)
        cl = sp.csr_matrix((np.ones(n), (b.cluster, np.arange(n))), shape=(n_clusters, n))
        scores[:, b.cols] += np.asarray(cl @ (b.X * r[:, None]))
        pf = sp.csr_matrix((r, (b.cluster, b.fe)), shape=(n_clusters, len(b.fe_cols)))
        scores[:, b.fe_cols] += pf.toarray()
        nobs += n
        ybar = b.y.mean()
        ll_null += float(n * (ybar * np.log(ybar) + (1 - ybar) * np.log(1 - ybar)))
    hess_inv = scipy.linalg.inv(hess)
    return Fit(beta, hess_inv, scores, ll, ll_null, nobs, it)


def clustered_vcov(fit: Fit, n_params: int) -> tuple[np.ndarray, float]:
    """CRV1 sandwich with statsmodels' default factor G/(G-1) * (N-1)/(N-K); returns (V, factor)."""
    used = np.any(fit.scores != 0, axis=1)
    g = int(used.sum())
    s = fit.scores[used]
    factor = g / (g - 1) * (fit.nobs - 1) / (fit.nobs - n_params)
    meat = s.T @ s
    return factor * fit.hess_inv @ meat @ fit.hess_inv, factor
