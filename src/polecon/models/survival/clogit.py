"""Conditional logit (exact conditional likelihood by group), with clustered SEs.

For a group of n rows with m events the likelihood conditions on m:

    L_g = exp(sum_{y=1} x'b) / sum_{|S| = m} exp(sum_{i in S} x_i'b)

The denominator is the elementary symmetric polynomial e_m(r_1..r_n), r_i = exp(x_i'b), computed
by the recursion e_j(1..i) = e_j(1..i-1) + r_i e_{j-1}(1..i-1) (Gail, Lubin and Rubinstein 1981)
in logs; its gradient and Hessian are the mean and second moment of sum_{i in S} x_i under the
conditional distribution of S, carried along the same recursion as weighted averages (stable,
no overflow). Cost O(n m k^2) per group; groups with m > n/2 use the complement (n - m events
with -x). Groups where the outcome does not vary carry no information and are dropped (counted
in ``info["groups_dropped"]``, as Stata's note; R keeps them with a zero contribution).

The same likelihood as Stata ``clogit``, R ``survival::clogit(method="exact")`` and statsmodels
``ConditionalLogit``. Clustered covariance: ``H^-1 (sum_c s_c s_c') H^-1`` with s_c the score
summed over the groups of cluster c (a cluster must contain whole groups). Default: no
small-sample factor (R ``clogit(..., cluster=)`` = coxph's robust variance);
``small_sample=True`` multiplies by G/(G-1) (Stata ``clogit, vce(cluster)``).
"""

from __future__ import annotations

import warnings

import numba
import numpy as np
import pandas as pd

from polecon.models.survival._design import ModelInputError, build_design, split_formula
from polecon.models.survival._newton import newton
from polecon.models.survival._results import SurvivalResults
from polecon.models.survival.cox import _binary, _codes

__all__ = ["clogit"]


@numba.njit(cache=True, nogil=True)
def _group_terms(x, eta, m):  # pragma: no cover - numba
    """log e_m, E[sum_S x] (k,), E[(sum_S x)(sum_S x)'] (k, k) for one group."""
    n, k = x.shape
    le = np.full(m + 1, -np.inf)
    le[0] = 0.0
    g = np.zeros((m + 1, k))
    h = np.zeros((m + 1, k, k))
    for i in range(n):
        lo = max(1, m - (n - 1 - i))  # e_j for j < lo can no longer reach e_m
        for j in range(min(i + 1, m), lo - 1, -1):
            a = eta[i] + le[j - 1]
            if a == -np.inf:
                continue
            b = le[j]
            new = max(a, b) + np.log1p(np.exp(-abs(a - b))) if b > -np.inf else a
            p = np.exp(a - new)
            q = 1.0 - p
            for u in range(k):
                gu = g[j - 1, u] + x[i, u]
                for v in range(k):
                    h[j, u, v] = q * h[j, u, v] + p * (
                        h[j - 1, u, v]
                        + x[i, u] * g[j - 1, v]
                        + g[j - 1, u] * x[i, v]
                        + x[i, u] * x[i, v]
                    )
                g[j, u] = q * g[j, u] + p * gu
            le[j] = new
    return le[m], g[m], h[m]


@numba.njit(cache=True, nogil=True)
def _clogit_eval(x, beta, y, bounds, m_of, flip):  # pragma: no cover - numba
    """Sum over groups of loglik, per-group scores (G, k) and the information (k, k).
    Rows are sorted by group; x centred within group."""
    n_g = len(bounds) - 1
    k = x.shape[1]
    ll = 0.0
    scores = np.zeros((n_g, k))
    info = np.zeros((k, k))
    for gi in range(n_g):
        a, b = bounds[gi], bounds[gi + 1]
        sgn = -1.0 if flip[gi] else 1.0
        xg = sgn * x[a:b]
        eta = xg @ beta
        yg = y[a:b] if not flip[gi] else 1.0 - y[a:b]
        lem, gm, hm = _group_terms(xg, eta, m_of[gi])
        ll += np.dot(yg, eta) - lem
        scores[gi] = yg @ xg - gm  # d/d beta: the sign of x is already in xg
        info += hm - np.outer(gm, gm)
    return ll, scores, info


def clogit(
    formula: str,
    data: pd.DataFrame,
    *,
    group: str | list[str],
    cluster: str | None = None,
    small_sample: bool = False,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> SurvivalResults:
    """Conditional logit ``"y ~ x1 + x2"`` (y 0/1 or bool) conditioning on the number of events
    in each ``group`` (column or list of columns, e.g. a pair). No intercept; covariates
    constant within every group are not identified (error). ``cluster``: a column constant
    within groups (e.g. a country when groups are pairs of it, or the group itself); the
    convention is named in ``vcov_type``. Rows with missing values are dropped with a warning.
    """
    model = "clogit"
    lhs, rhs = split_formula(formula)
    if lhs is None:
        raise ModelInputError(f"clogit: formula {formula!r} needs an outcome left of '~'")
    groups = [group] if isinstance(group, str) else list(group)
    design = build_design(data, rhs, [lhs, cluster, *groups], model=model, intercept=False)
    sub = data.loc[design.keep] if not design.keep.all() else data
    y_all = _binary(sub[lhs], lhs, model).astype(float)
    gcode, n_groups = _codes(sub, groups)
    order = np.argsort(gcode, kind="stable")
    gs = gcode[order]
    counts = np.bincount(gs, minlength=n_groups)
    m_all = np.bincount(gs, weights=y_all[order], minlength=n_groups).astype(np.int64)
    informative = (m_all > 0) & (m_all < counts)
    if not informative.any():
        raise ModelInputError(
            f"clogit: the outcome {lhs!r} does not vary within any group of {groups}: no "
            "information (every group is all 0 or all 1)"
        )
    keep_rows = informative[gs]
    order = order[keep_rows]
    gs = gs[keep_rows]
    x = design.x[order]
    y = y_all[order]
    # new group codes 0..G'-1 in sorted order, and boundaries
    starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    bounds = np.r_[starts, len(gs)].astype(np.int64)
    sizes = np.diff(bounds)
    m = np.add.reduceat(y, starts).astype(np.int64)
    flip = m > sizes - m
    m_eff = np.where(flip, sizes - m, m)
    gid = np.repeat(np.arange(len(starts)), sizes)
    means = np.add.reduceat(x, starts, axis=0) / sizes[:, None]
    x -= means[gid]  # the conditional likelihood is invariant to within-group shifts
    names = design.names
    within = np.sqrt(np.add.reduceat(x**2, starts, axis=0).sum(axis=0))
    scale = np.maximum(np.abs(design.x).max(axis=0), 1.0)
    nowithin = [nm for nm, s, c in zip(names, within, scale, strict=True) if s <= 1e-10 * c]
    if nowithin:
        raise ModelInputError(
            f"clogit: covariate(s) {nowithin} constant within every informative group of "
            f"{groups}: not identified by the conditional likelihood; drop them"
        )

    k = x.shape[1]

    def evaluate(beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        ll, scores, info = _clogit_eval(x, beta, y, bounds, m_eff, flip)
        return ll, scores.sum(axis=0), info

    res = newton(evaluate, np.zeros(k), tol=tol, max_iter=max_iter)
    _, scores, info = _clogit_eval(x, res.beta, y, bounds, m_eff, flip)
    beta, ll, ll0, it, converged = res.beta, res.loglik, res.loglik0, res.iterations, res.converged
    if res.diverging:
        warnings.warn(
            f"clogit: the conditional likelihood keeps rising along "
            f"{[names[j] for j in res.diverging]}: coefficient(s) may be infinite (perfect "
            "prediction within groups)",
            stacklevel=2,
        )
    elif not converged:
        warnings.warn(f"clogit: no convergence in {max_iter} iterations", stacklevel=2)
    vnaive = np.linalg.inv(info)
    n_clusters: dict[str, int] = {}
    if cluster is not None:
        cl_rows = _codes(sub, cluster)[0][order]
        first = cl_rows[starts]
        if np.any(cl_rows != first[gid]):
            raise ModelInputError(
                f"clogit: cluster {cluster!r} varies within a group of {groups}; a cluster must "
                "hold whole groups (the likelihood is a product over groups)"
            )
        codes, uniq = pd.factorize(first)
        g = len(uniq)
        sc = np.zeros((g, k))
        np.add.at(sc, codes, scores)
        meat = sc.T @ sc * (g / (g - 1) if small_sample else 1.0)
        vcov = vnaive @ meat @ vnaive
        n_clusters = {cluster: g}
        vtype = (
            f"clustered by {cluster} ("
            + (
                "G/(G-1), as Stata clogit vce(cluster)"
                if small_sample
                else "no small-sample factor, as R clogit cluster()"
            )
            + ")"
        )
    else:
        vcov = vnaive
        vtype = "model-based (inverse information)"
    df = lambda a: pd.DataFrame(a, index=names, columns=names)  # noqa: E731
    n_dropped_groups = int((~informative).sum())
    return SurvivalResults(
        model=model,
        formula=formula,
        params=pd.Series(beta, index=names),
        vcov=df(vcov),
        vcov_naive=df(vnaive),
        nobs=len(y),
        depvar=lhs,
        vcov_type=vtype,
        loglik=float(ll),
        loglik_null=float(ll0),
        n_events=int(y.sum()),
        iterations=it,
        converged=converged,
        n_clusters=n_clusters,
        fixef_names=groups,  # conditioned out: the conditional (fixed-effects) logit
        info={
            "groups": groups,
            "n_groups": len(starts),
            "groups_dropped": n_dropped_groups,
            "rows_dropped_in_groups": int((~keep_rows).sum()),
            "summary_items": {
                "groups used": len(starts),
                "groups without outcome variation dropped": n_dropped_groups,
            },
        },
    )
