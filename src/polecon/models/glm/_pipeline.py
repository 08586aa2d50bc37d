"""The one fitting pipeline of every GLM family (:func:`_fit`), behind :mod:`.model`'s estimators.

Model data -> outcome support check -> separation (Poisson: :mod:`.separation`; binary:
:mod:`.binary_separation`) -> IRLS (:mod:`.irls`) -> regressors projected at the final weights
-> sandwich covariance; plus the score sums and bread kept for stacked (suest) covariances and
the log-likelihoods. ``_DEFAULTS`` are the numerical options every estimator shares. Split out
of ``model.py`` unchanged.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from polecon.models._core import _kernels as K
from polecon.models._core import covariance as cov
from polecon.models._core.data import ModelData, build, drop_singleton_rows
from polecon.models._core.demean import solve_fe
from polecon.models.glm._common import make_results, setup, split_collinear
from polecon.models.glm.families import CLogLog, Family, Gaussian, Logit, Poisson
from polecon.models.glm.irls import ConvergenceWarning, irls, normalise_alpha
from polecon.models.glm.results import GLMResults

SEPARATION_METHODS = ("fe", "simplex", "ir")
BINARY_SEPARATION_METHODS = ("fe", "simplex")


def _poisson_separation(
    md: ModelData, methods: tuple[str, ...], tol: float, drop_singletons: bool, time_limit: float
) -> None:
    """Drop separated rows (and the singletons this creates) until nothing changes.

    Uses :func:`polecon.models.glm.separation.detect_separation` (contract in its module).
    """
    if not methods:
        return
    unknown = set(methods) - set(SEPARATION_METHODS)
    if unknown:
        raise ValueError(f"separation methods {sorted(unknown)} unknown; use {SEPARATION_METHODS}")
    from polecon.models.glm.separation import detect_separation

    for _ in range(100):
        if md.n == 0 or np.all(md.y > 0):
            return
        fe = md.fes.codes if md.fes is not None else None
        res = detect_separation(
            md.y, md.X, fe, md.weights, methods=methods, tol=tol, time_limit=time_limit
        )
        if not res.converged:
            warnings.warn(
                f"separation check did not converge (diagnostics: {res.diagnostics}); "
                "some separated rows may remain",
                ConvergenceWarning,
                stacklevel=4,
            )
        sep = np.asarray(res.separated, dtype=bool)
        if not sep.any():
            return
        md.restrict(~sep, "separation")
        if not drop_singletons or drop_singleton_rows(md) == 0:
            return
        if "ir" in methods and res.converged:
            # The rectifier finds every separated row, and dropping singleton rows cannot
            # separate others (a certificate of the reduced sample extends to the full one by
            # setting the singleton's own fixed effect so that z == 0 there), so later passes
            # only re-run the cheap checks (needed when "ir" is absent: "fe" sees all-zero
            # groups only, and a singleton drop can empty a group of its positive rows).
            methods = tuple(m for m in methods if m != "ir")
            if not methods:
                return


def _binary_separation(
    md: ModelData, methods: tuple[str, ...], drop_singletons: bool, time_limit: float
) -> None:
    """Drop rows separated on either side (y = 0 or y = 1), iterating with the singleton
    drop until nothing changes (see :mod:`.binary_separation`)."""
    if not methods:
        return
    from polecon.models.glm.binary_separation import detect_binary_separation

    for _ in range(100):
        if md.n == 0:
            return
        fe = md.fes.codes if md.fes is not None else None
        res = detect_binary_separation(md.y, md.X, fe, methods=methods, time_limit=time_limit)
        if not res.separated.any():
            return
        md.restrict(~res.separated, "separation")
        if drop_singletons:
            drop_singleton_rows(md)


def _check_outcome_varies(md: ModelData, family: Family, stage: str) -> None:
    """A likelihood model needs an outcome that is not constant (all zero for Poisson)."""
    if md.n == 0:
        raise ValueError(f"{family.model}: no rows left {stage} ({md.formula.raw!r})")
    if isinstance(family, Poisson):
        if not np.any(md.y > 0):
            raise ValueError(
                f"{family.model}: the dependent variable {md.yname!r} is 0 on every row of the "
                f"estimation sample ({md.n} rows); the Poisson (pseudo-)MLE does not exist"
            )
    elif family.binary and (np.all(md.y == md.y[0])):
        raise ValueError(
            f"{family.model}: the dependent variable {md.yname!r} is {md.y[0]:g} on every row "
            f"of the estimation sample ({md.n} rows){' ' + stage if stage else ''}; the "
            "MLE does not exist (no events, or no non-events)"
        )


def _fit(
    family: Family,
    formula: str,
    data: pd.DataFrame,
    *,
    vcov: str | dict[str, str],
    weights: str | np.ndarray | None,
    offset: str | np.ndarray | None,
    separation: tuple[str, ...] | None,
    ssc: str,
    tol: float,
    maxiter: int,
    fixef_tol: float,
    fixef_maxiter: int,
    drop_singletons: bool,
    collin_tol: float,
    separation_tol: float,
    separation_time_limit: float,
    bias_correction: bool = False,
    keep_scores: bool = False,
) -> GLMResults:
    """The shared GLM pipeline (module docstring).

    ``keep_scores`` (one-way clustered fits): keep the score rows summed by cluster, a
    DataFrame (G, k) indexed by cluster label, as ``_cluster_scores``, and the sandwich's bread
    (k, k) as ``_bread``, so that fits of several models can be combined into one clustered
    covariance (Stata's ``suest``; :func:`polecon.models.adoption.stacked`)."""
    model = family.model
    f, vspec = setup(formula, vcov, ssc)
    if bias_correction and not isinstance(family, (Logit, CLogLog)):
        raise ValueError(f"{model}: bias_correction is available for logit and cloglog only")
    md = build(
        f,
        data,
        weights=weights,
        offset=offset,
        cluster=vspec.cluster,
        drop_singletons=drop_singletons,
    )
    family.check_y(md.y, md.yname, md.index)
    _check_outcome_varies(md, family, "")
    methods = tuple(separation) if separation else ()
    if isinstance(family, Poisson):
        _poisson_separation(md, methods, separation_tol, drop_singletons, separation_time_limit)
    elif family.binary:
        _binary_separation(md, methods, drop_singletons, separation_time_limit)
    _check_outcome_varies(md, family, "after dropping separated observations")
    if bias_correction and (md.fes is None or md.fes.n_fe > 2):
        raise ValueError(
            f"{model}: the analytical bias correction (Fernandez-Val & Weidner 2016) needs one "
            f"or two fixed effects (individual, time), got {len(md.fixef)}"
        )

    n = md.n
    y_fit, off_fit, scale = md.y, md.offset, 1.0
    if isinstance(family, Poisson):
        # Scale invariance: fit y / s (s = weighted mean of y > 0), so that the deviance
        # criterion is relative whatever the units of y. E[y/s] = exp(eta - log s): the shift
        # is absorbed by the first fixed effect (undone below) or, without fixed effects,
        # passed as an offset (the intercept, if any, is then estimated in the units of y).
        scale = float(np.average(md.y, weights=md.weights))
        y_fit = md.y / scale
        if md.fes is None:
            log_s = float(np.log(scale))
            off_fit = np.full(n, -log_s) if md.offset is None else md.offset - log_s
    fit = irls(
        family,
        y_fit,
        md.X,
        md.weights,
        off_fit,
        md.fes,
        md.has_intercept,
        tol,
        maxiter,
        fixef_tol,
        fixef_maxiter,
        collin_tol,
    )
    del off_fit, y_fit
    if scale != 1.0:
        log_s = float(np.log(scale))
        fit["mu"] *= scale
        fit["w"] *= scale
        fit["eta"] += log_s
        fit["deviance"] *= scale
        if md.fes is not None:
            fit["alpha"][md.fes.off[0] : md.fes.off[1]] += log_s
    xnames, collinear = split_collinear(md, fit["keep"], fit["absorbed"], model)
    if not fit["converged"]:
        warnings.warn(
            f"{model}: IRLS did not converge in {fit['iterations']} iterations (last relative "
            f"deviance change {fit['crit']:.3g} > tol {tol:g}; deviance {fit['deviance']:.6g}). "
            "Results are unreliable; increase maxiter or check for separation.",
            ConvergenceWarning,
            stacklevel=4,
        )
    X = fit["X"]
    k = X.shape[1]
    mu, w = fit["mu"], fit["w"]
    # final projection of X at the final weights (for the variance)
    if k and md.fes is not None:
        gamma, ok, _ = solve_fe(
            md.fes, X, w, tol=fixef_tol, maxiter=fixef_maxiter, init=fit["gamma"]
        )
        if not ok:
            warnings.warn(
                f"{model}: final fixed-effect projection of the regressors did not converge",
                ConvergenceWarning,
                stacklevel=4,
            )
        xt = md.fes.residual_into(X, gamma, fit["R"][:, 1:])
    else:
        xt = X
    # score residuals wt (y - mu) mu_eta / V(mu) = w * u (u = (y - mu) / mu_eta)
    resid_w = w * fit["u"]
    rss = float(fit["deviance"]) if isinstance(family, Gaussian) and vspec.kind == "iid" else None
    xt_v, w_v = _observed_information(family, md, fit, X, xt, w, fixef_tol, fixef_maxiter)
    vc, _, df_t, bread = cov.model_vcov(md, vspec, ssc, model, xt_v, w_v, resid_w, rss)
    extra: dict[str, Any] = {}
    if keep_scores:
        extra.update(_cluster_scores(md, vspec, xt_v, resid_w, xnames, bread))
    if xt_v is not xt:
        bread = np.linalg.inv(cov.weighted_cross(xt, w)) if xt.shape[1] else bread
    del resid_w, xt_v
    beta = fit["beta"]
    if bias_correction:
        from polecon.models.glm.bias import logit_bias_correction

        extra["params_uncorrected"] = pd.Series(beta, index=xnames, dtype=float)
        beta = beta - logit_bias_correction(family, md, fit["eta"], xt, w, bread)
        extra["bias_corrected"] = True
    ll, ll0 = _logliks(family, md, mu, fit["eta"])
    return make_results(
        model,
        formula,
        md,
        vspec,
        ssc,
        pd.Series(beta, index=xnames, dtype=float),
        vc,
        df_t,
        collinear,
        iterations=fit["iterations"],
        converged=fit["converged"],
        alpha=normalise_alpha(fit["alpha"], md.fes),
        fitted_link=fit["eta"],
        resid=md.y - mu,
        deviance=float(fit["deviance"]),
        loglik=ll,
        loglik_null=ll0,
        family=family,
        _offset_name=offset if isinstance(offset, str) else None,
        _design=X if family.binary else None,
        _weights=md.weights,
        **extra,
    )


def _cluster_scores(
    md: ModelData,
    vspec: cov.VcovSpec,
    xt: np.ndarray,
    resid_w: np.ndarray,
    xnames: list[str],
    bread: np.ndarray,
) -> dict[str, Any]:
    """Score rows ``resid_w * xt`` summed by the (single) cluster dimension, and the bread."""
    if vspec.kind != "CRV1" or len(md.clusters) != 1:
        raise ValueError("keep_scores needs standard errors clustered in one dimension")
    c = md.clusters[0]
    sums = K.cluster_xw_sums(xt, np.ascontiguousarray(resid_w), c.codes, c.size)
    return {
        "_cluster_scores": pd.DataFrame(sums, index=c.levels, columns=xnames),
        "_bread": bread,
    }


def _observed_information(
    family: Family,
    md: ModelData,
    fit: dict[str, Any],
    X: np.ndarray,
    xt: np.ndarray,
    w: np.ndarray,
    fixef_tol: float,
    fixef_maxiter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Regressors and weights of the sandwich's bread: the observed information for
    non-canonical links (cloglog), as Stata's ML commands and statsmodels; the IRLS
    (expected) weights otherwise, or when an observed weight is not positive (then with a
    warning). With fixed effects the regressors are re-projected with those weights (the
    Schur complement of the full Hessian)."""
    wo = family.observed_weight(md.y, fit["eta"])
    if wo is None or X.shape[1] == 0:
        return xt, w
    if md.weights is not None:
        wo = wo * md.weights
    if not np.all(wo > 0):
        warnings.warn(
            f"{family.model}: {int(np.sum(wo <= 0))} observed-information weights are not "
            "positive; the covariance uses the expected information instead",
            RuntimeWarning,
            stacklevel=5,
        )
        return xt, w
    if md.fes is None:
        return X, wo
    gamma, ok, _ = solve_fe(md.fes, X, wo, tol=fixef_tol, maxiter=fixef_maxiter)
    if not ok:
        warnings.warn(
            f"{family.model}: fixed-effect projection at the observed information did not converge",
            ConvergenceWarning,
            stacklevel=5,
        )
    return md.fes.residual(X, gamma), wo


def _logliks(
    family: Family, md: ModelData, mu: np.ndarray, eta: np.ndarray
) -> tuple[float | None, float | None]:
    """Log-likelihood at the estimate and of the intercept-only model (None for Gaussian)."""
    ybar = float(np.average(md.y, weights=md.weights))
    n = md.n
    if isinstance(family, Poisson):
        ll, ll0 = K.poisson_logliks(
            md.y,
            mu,
            ybar,
            np.zeros(0) if md.weights is None else md.weights,
            K._block_bounds(n, K._n_blocks(n)),
        )
        return float(ll), float(ll0)
    if family.binary:
        wsum = float(n if md.weights is None else md.weights.sum())
        ll0 = wsum * (ybar * np.log(ybar) + (1 - ybar) * np.log1p(-ybar))
        return family.loglik(md.y, eta, md.weights), float(ll0)
    return None, None


_DEFAULTS: dict[str, Any] = {
    "tol": 1e-8,
    "maxiter": 100,
    "fixef_tol": 1e-8,
    "fixef_maxiter": 10_000,
    "drop_singletons": True,
    "collin_tol": 1e-10,
    "separation_tol": 1e-8,
    "separation_time_limit": 60.0,
}
