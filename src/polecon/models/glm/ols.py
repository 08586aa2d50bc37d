"""Least squares with high-dimensional fixed effects: ``ols()`` and the linear probability
model ``lpm()`` (the Gaussian family solved in one within-transformation step)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from polecon.models._core import covariance as cov
from polecon.models._core.data import build
from polecon.models._core.demean import solve_fe
from polecon.models.glm._common import make_results, setup, split_collinear, threaded
from polecon.models.glm.families import Logit
from polecon.models.glm.irls import ConvergenceWarning, collinear, normalise_alpha
from polecon.models.glm.results import GLMResults


@threaded
def ols(
    formula: str,
    data: pd.DataFrame,
    vcov: str | dict[str, str] = "hetero",
    weights: str | np.ndarray | None = None,
    ssc: str = "stata",
    fixef_tol: float = 1e-8,
    fixef_maxiter: int = 10_000,
    drop_singletons: bool = True,
    collin_tol: float = 1e-10,
) -> GLMResults:
    """Least squares with high-dimensional fixed effects (within estimator).

    Same formula, ``vcov``, ``weights`` (analytic: weighted least squares) and ``ssc``
    conventions as :func:`ppml`.

    ``ssc="stata"`` (default) is the *asymptotic* convention of reghdfe's ``vce_asymptotic``
    mode: clustered VCE scaled by ``G/(G-1)`` only, robust by ``N/(N-1)``, iid with
    ``sigma^2 = RSS/(N-1)``, never ``(N-1)/(N-K)``. It is what reproduces the published OLS
    columns of Yotov et al. (2016); it is **not** the default of Stata's ``regress`` or of
    ``reghdfe`` (both also apply ``(N-1)/(N-K)``, giving larger SEs).
    ``ssc="fixest"`` reproduces fixest/pyfixest ``feols`` (and, up to the count of factors nested
    in the clusters, reghdfe's default small-sample adjustment). Reports ``r2`` (against the weighted mean of y) and
    ``r2_within`` (against the fixed-effect-demeaned y) when fixed effects are present.
    """
    return _ols(
        "ols",
        formula,
        data,
        vcov,
        weights,
        ssc,
        fixef_tol,
        fixef_maxiter,
        drop_singletons,
        collin_tol,
    )


def _ols(
    model: str,
    formula: str,
    data: pd.DataFrame,
    vcov: str | dict[str, str],
    weights: str | np.ndarray | None,
    ssc: str,
    fixef_tol: float,
    fixef_maxiter: int,
    drop_singletons: bool,
    collin_tol: float,
) -> GLMResults:
    f, vspec = setup(formula, vcov, ssc)
    md = build(f, data, weights=weights, cluster=vspec.cluster, drop_singletons=drop_singletons)
    if model == "lpm":
        Logit().check_y(md.y, md.yname, md.index, model="lpm")
    n = md.n
    wt = md.weights if md.weights is not None else np.ones(n)
    X = md.X
    k = X.shape[1]
    z = np.empty((n, k + 1))
    z[:, 0] = md.y
    z[:, 1:] = X
    converged, sweeps = True, 0
    if md.fes is not None:
        a, converged, sweeps = solve_fe(md.fes, z, wt, tol=fixef_tol, maxiter=fixef_maxiter)
        if not converged:
            warnings.warn(
                f"{model}: fixed-effect projection did not converge in {fixef_maxiter} sweeps",
                ConvergenceWarning,
                stacklevel=3,
            )
        r = md.fes.residual(z, a)
    else:
        a = None
        r = z
    yt, xt = r[:, 0], r[:, 1:]
    keep, absorbed = collinear(xt, X, wt, collin_tol)
    xnames, dropped_x = split_collinear(md, keep, absorbed, model)
    xt = np.ascontiguousarray(xt[:, keep])
    sw = np.sqrt(wt)
    beta = np.linalg.lstsq(xt * sw[:, None], yt * sw, rcond=None)[0] if xt.shape[1] else np.zeros(0)
    e = yt - xt @ beta
    rss = float(np.sum(wt * e**2))
    ybar = np.sum(wt * md.y) / np.sum(wt)
    tss = float(np.sum(wt * (md.y - ybar) ** 2))
    r2 = 1 - rss / tss if tss > 0 else np.nan
    r2_within = None
    alpha = None
    if md.fes is not None and a is not None:
        tss_w = float(np.sum(wt * yt**2))
        r2_within = 1 - rss / tss_w if tss_w > 0 else np.nan
        alpha = normalise_alpha(a[0] - a[1:][keep].T @ beta, md.fes)
    vc, _, df_t, _ = cov.model_vcov(
        md, vspec, ssc, model, xt, wt, wt * e, rss if vspec.kind == "iid" else None
    )
    fitted = md.y - e
    return make_results(
        model,
        formula,
        md,
        vspec,
        ssc,
        pd.Series(beta, index=xnames, dtype=float),
        vc,
        df_t,
        dropped_x,
        iterations=sweeps,
        converged=bool(converged),
        alpha=alpha,
        fitted_link=fitted,
        resid=e,
        r2=float(r2),
        r2_within=None if r2_within is None else float(r2_within),
    )


@threaded
def lpm(
    formula: str,
    data: pd.DataFrame,
    vcov: str | dict[str, str] = "hetero",
    weights: str | np.ndarray | None = None,
    ssc: str = "stata",
    fixef_tol: float = 1e-8,
    fixef_maxiter: int = 10_000,
    drop_singletons: bool = True,
    collin_tol: float = 1e-10,
) -> GLMResults:
    """Linear probability model: least squares of a binary (0/1) outcome, e.g.
    ``lpm("signed ~ x | pair + year", d, vcov={"CRV1": "pair"})``.

    Same engine and conventions as :func:`ols` (results labelled ``"lpm"``); a non-binary
    outcome is an error. With ``| entity + time`` fixed effects and ``vcov={"CRV1": entity}``
    the coefficients equal linearmodels' ``PanelOLS(..., entity_effects=True,
    time_effects=True)``; the clustered covariance differs only by a scalar factor
    (small-sample convention):

    - ``ssc="stata"`` (default): ``G/(G-1)``.
    - ``ssc="fixest"``: ``(N-1)/(N-K) * G/(G-1)``, ``K`` counting the regressors and the
      fixed-effect levels not nested in the clusters (fixest/pyfixest ``feols``).
    - linearmodels ``fit(cov_type="clustered", cluster_entity=True)`` defaults
      (``debiased=False``, ``group_debias=False``): factor 1, i.e. ``stata`` x ``(G-1)/G``;
      ``group_debias=True`` gives exactly ``ssc="stata"``.

    Singleton fixed-effect groups are dropped here (as fixest and reghdfe); linearmodels keeps
    them, so compare on samples without singletons (``drop_singletons=False`` keeps them too).
    """
    return _ols(
        "lpm",
        formula,
        data,
        vcov,
        weights,
        ssc,
        fixef_tol,
        fixef_maxiter,
        drop_singletons,
        collin_tol,
    )
