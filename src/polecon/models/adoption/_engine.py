"""Block-structured logit with one fixed effect per block, pair-clustered sandwich.

A problem is a list of blocks (one per agreement type). Block k holds its rows' outcome ``y``,
a dense covariate matrix ``X`` (n_k x m_k) whose columns map to global parameters ``cols``,
fixed-effect level codes ``fe`` (0..G_k-1) mapping to global parameters ``fe_cols``, and global
cluster codes. The Hessian and scores are accumulated block by block, so a stacked model whose
terms are all interacted with type never builds the dense stacked design: its Hessian is block
diagonal and its clustered covariance is Stata's ``suest`` (per-type scores summed by pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.special import expit, log_expit


@dataclass
class Block:
    y: np.ndarray  # (n,) 0/1
    X: np.ndarray  # (n, m) float64
    cols: np.ndarray  # (m,) global parameter index of each column
    fe: np.ndarray  # (n,) fixed-effect level 0..G-1
    fe_cols: np.ndarray  # (G,) global parameter index of each level
    cluster: np.ndarray  # (n,) global cluster code 0..n_clusters-1


@dataclass
class Fit:
    beta: np.ndarray  # (P,) all parameters, FE included
    hess_inv: np.ndarray  # (P, P) inverse of the negative Hessian
    scores: np.ndarray  # (n_clusters, P) scores summed by cluster
    loglik: float
    loglik_null: float
    nobs: int
    iterations: int


def _fe_matrix(block: Block) -> sp.csr_matrix:
    n, g = len(block.fe), len(block.fe_cols)
    return sp.csr_matrix((np.ones(n), (block.fe, np.arange(n))), shape=(g, n))


def fit_blocks(
    blocks: list[Block], n_params: int, n_clusters: int, tol: float = 1e-10, max_iter: int = 50
) -> Fit:
    """Newton-Raphson with step halving; returns parameters, inverse Hessian and cluster scores."""
    beta = np.zeros(n_params)
    fe_mats = [_fe_matrix(b) for b in blocks]
    # start the FE at the log-odds of each level
    for b, d in zip(blocks, fe_mats, strict=True):
        cnt = np.asarray(d.sum(axis=1)).ravel()
        ybar = np.clip((d @ b.y) / np.maximum(cnt, 1), 1e-6, 1 - 1e-6)
        beta[b.fe_cols] = np.log(ybar / (1 - ybar))

    def loglik(bv: np.ndarray) -> float:
        total = 0.0
        for b in blocks:
            eta = b.X @ bv[b.cols] + bv[b.fe_cols][b.fe]
            total += float(np.sum(b.y * log_expit(eta) + (1 - b.y) * log_expit(-eta)))
        return total

    ll = loglik(beta)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (used after the loop)
        grad = np.zeros(n_params)
        hess = np.zeros((n_params, n_params))
        for b, d in zip(blocks, fe_mats, strict=True):
            eta = b.X @ beta[b.cols] + beta[b.fe_cols][b.fe]
            p = expit(eta)
            w = p * (1 - p)
            r = b.y - p
            grad[b.cols] += b.X.T @ r
            grad[b.fe_cols] += d @ r
            wx = b.X * w[:, None]
            hess[np.ix_(b.cols, b.cols)] += b.X.T @ wx
            cross = np.asarray(d @ wx)  # (G, m)
            hess[np.ix_(b.fe_cols, b.cols)] += cross
            hess[np.ix_(b.cols, b.fe_cols)] += cross.T
            hess[b.fe_cols, b.fe_cols] += d @ w
        step = scipy.linalg.solve(hess, grad, assume_a="pos")
        scale = 1.0
        while True:
            new = beta + scale * step
            ll_new = loglik(new)
            if ll_new >= ll - 1e-12 * abs(ll) or scale < 1e-8:
                break
            scale /= 2
        beta, ll_old, ll = new, ll, ll_new
        if np.max(np.abs(scale * step)) < tol or abs(ll - ll_old) <= tol * (abs(ll) + 1e-300):
            break
    else:
        raise RuntimeError(f"logit did not converge in {max_iter} Newton iterations")
    # final Hessian and scores at the estimate
    hess = np.zeros((n_params, n_params))
    scores = np.zeros((n_clusters, n_params))
    nobs = 0
    ll_null = 0.0
    for b, d in zip(blocks, fe_mats, strict=True):
        eta = b.X @ beta[b.cols] + beta[b.fe_cols][b.fe]
        p = expit(eta)
        w = p * (1 - p)
        r = b.y - p
        wx = b.X * w[:, None]
        hess[np.ix_(b.cols, b.cols)] += b.X.T @ wx
        cross = np.asarray(d @ wx)
        hess[np.ix_(b.fe_cols, b.cols)] += cross
        hess[np.ix_(b.cols, b.fe_cols)] += cross.T
        hess[b.fe_cols, b.fe_cols] += d @ w
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
