"""PPML and OLS with high-dimensional fixed effects: ``ppml()`` and ``ols()``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from polecon.models.gravity import _kernels as K
from polecon.models.gravity import covariance as cov
from polecon.models.gravity.data import ModelData, build, drop_singleton_rows
from polecon.models.gravity.demean import FixedEffects, solve_fe
from polecon.models.gravity.formula import parse_formula
from polecon.models.gravity.results import GravityResults

SEPARATION_METHODS = ("fe", "simplex", "ir")


def _threaded(fn: Any) -> Any:
    """Run an estimator under :func:`_kernels.thread_budget` (sized by ``len(data)``)."""
    import functools

    @functools.wraps(fn)
    def wrapper(formula: str, data: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        n = len(data) if hasattr(data, "__len__") else 0
        with K.thread_budget(n):
            return fn(formula, data, *args, **kwargs)

    return wrapper


class ConvergenceWarning(RuntimeWarning):
    """An iterative step (IRLS, fixed-effect projection, separation check) did not converge."""


class CollinearityWarning(UserWarning):
    """Regressors collinear with other regressors or with the fixed effects were dropped."""


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _wcross(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x' diag(w) x`` without a temporary (n, k) array."""
    n = x.shape[0]
    return K.weighted_cross(x, np.ascontiguousarray(w), K._block_bounds(n, K._n_blocks(n)))


def _collinear(xt: np.ndarray, x_raw: np.ndarray, w: np.ndarray, tol: float) -> np.ndarray:
    """Boolean mask of columns to keep.

    Column j is dropped when the weighted sum of squares of its part orthogonal to the fixed
    effects and to the kept earlier columns is below ``tol`` times its raw weighted sum of
    squares (sequential Gram-Schmidt on ``xt' W xt``).
    """
    k = xt.shape[1]
    keep = np.zeros(k, dtype=bool)
    if k == 0:
        return keep
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
    return keep


def _dof_info(md: ModelData, k: int, vspec: cov.VcovSpec) -> cov.DofInfo:
    sizes = tuple(f.size for f in md.fixef)
    nested: tuple[bool, ...] = (False,) * len(sizes)
    ncl: tuple[int, ...] = ()
    if vspec.kind == "CRV1":
        ncl = tuple(c.size for c in md.clusters)
        # candidate cluster partitions: each dimension and, for multi-way, their intersection
        # (as pyfixest's nesting check, which also looks at the interaction column)
        parts = [(c.codes, c.size) for c in md.clusters]
        if len(parts) > 1:
            inter = np.zeros(md.n, dtype=np.int64)
            for c in md.clusters:
                inter = inter * c.size + c.codes
            u, inv = np.unique(inter, return_inverse=True)
            parts.append((inv, len(u)))
        names = {c.name for c in md.clusters}
        nested = tuple(
            f.name in names or any(cov.is_nested(f.codes, f.size, codes) for codes, _ in parts)
            for f in md.fixef
        )
    return cov.DofInfo(n=md.n, k=k, fe_sizes=sizes, fe_nested=nested, n_clusters=ncl)


def _normalise_alpha(alpha: np.ndarray, fes: FixedEffects | None) -> np.ndarray:
    """Set the first level of every factor after the first to 0, shifting into factor 0."""
    if fes is None or fes.n_fe < 2:
        return alpha
    a = alpha.copy()
    for q in range(1, fes.n_fe):
        shift = a[fes.off[q]]
        a[fes.off[q] : fes.off[q + 1]] -= shift
        a[fes.off[0] : fes.off[1]] += shift
    return a


def _check_y_nonneg(md: ModelData) -> None:
    bad = np.flatnonzero(md.y < 0)
    if bad.size:
        rows = list(md.index[bad[:5]])
        raise ValueError(
            f"ppml: dependent variable {md.yname!r} must be >= 0; negative at rows {rows}"
            + (f" and {bad.size - 5} more" if bad.size > 5 else "")
        )


def _separation(md: ModelData, methods: tuple[str, ...], tol: float, drop_singletons: bool) -> None:
    """Drop separated rows (and the singletons this creates) until nothing changes.

    Uses :func:`polecon.models.gravity.separation.detect_separation` (contract in its module).
    """
    if not methods:
        return
    unknown = set(methods) - set(SEPARATION_METHODS)
    if unknown:
        raise ValueError(f"separation methods {sorted(unknown)} unknown; use {SEPARATION_METHODS}")
    from polecon.models.gravity.separation import detect_separation

    for _ in range(100):
        if md.n == 0 or np.all(md.y > 0):
            return
        fe = md.fes.codes if md.fes is not None else None
        res = detect_separation(md.y, md.X, fe, md.weights, methods=methods, tol=tol)
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


# --------------------------------------------------------------------------------------------
# PPML
# --------------------------------------------------------------------------------------------
def _irls(
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
    """Poisson IRLS (Newton) with fixed effects partialled out in coefficient space.

    The state is (beta, alpha) with ``eta = offset + X beta + D alpha``. Each step demeans the
    working residual ``u = (y - mu)/mu`` and X with weights ``wt * mu`` (warm starts: 0 for u,
    the previous coefficients for X), solves for ``d beta``, and sets
    ``d alpha = a_u - A_X d beta`` (a: fixed-effect coefficients of the projections) -- the
    exact Newton step of the Poisson likelihood in (beta, alpha). Start: beta = 0 and alpha
    from (at most 10 sweeps of) closed-form Poisson fixed-effect updates. The first projection
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
    if fes is not None:
        mu[:] = 1.0 if offset is None else np.exp(off_a)
        K.poisson_ipf(codes, off, y, wt_a, mu, alpha, 10, 1e-3, bounds)
    elif has_intercept:
        sw = np.sum(wt_a * y) if wt is not None else np.sum(y)
        se = (
            np.sum(wt_a * np.exp(off_a) if wt is not None else np.exp(off_a))
            if offset is not None
            else (np.sum(wt_a) if wt is not None else float(n))
        )
        beta[0] = np.log(sw / se)

    def update(b: np.ndarray, al: np.ndarray) -> float:
        return K.poisson_update(codes, off, al, Xf, b, off_a, y, wt_a, eta, mu, w, u, bounds)

    dev = update(beta, alpha)

    keep = np.ones(k, dtype=bool)
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
            keep = _collinear(R[:, 1:] if fes is not None else Xf, Xf, w, collin_tol)
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
                f"ppml: step-halving at IRLS iteration {it} found no step that lowers the "
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
        "gamma": gamma,
        "X": Xf,
        "R": R,
        "iterations": it,
        "converged": converged,
        "crit": crit,
        "sweeps": sweeps_total,
    }


@_threaded
def ppml(
    formula: str,
    data: pd.DataFrame,
    vcov: str | dict[str, str] = "hetero",
    weights: str | np.ndarray | None = None,
    offset: str | np.ndarray | None = None,
    separation: tuple[str, ...] | None = SEPARATION_METHODS,
    ssc: str = "stata",
    tol: float = 1e-8,
    maxiter: int = 100,
    fixef_tol: float = 1e-8,
    fixef_maxiter: int = 10_000,
    drop_singletons: bool = True,
    collin_tol: float = 1e-10,
    separation_tol: float = 1e-8,
) -> GravityResults:
    """Poisson pseudo-maximum likelihood with high-dimensional fixed effects.

    Parameters
    ----------
    formula : ``"y ~ x1 + x2 | fe1 + fe2^fe3"`` (fixest syntax; the part before ``|`` is parsed
        by formulaic, ``a^b`` interacts factors). ``y`` must be non-negative.
    data : DataFrame with one row per observation.
    vcov : ``"iid"``, ``"hetero"`` (default; Eicker-Huber-White), ``{"CRV1": "pair"}`` or
        ``{"CRV1": "exporter+importer"}`` (multi-way, Cameron-Gelbach-Miller).
    weights, offset : column names or arrays of length ``len(data)``. Weights are analytic
        (they multiply each row's log-likelihood); rows with weight 0 are dropped.
    separation : subset of ``("fe", "simplex", "ir")`` (Correia, Guimarães & Zylkin 2019):
        rows whose MLE fitted value is 0 are detected and dropped (reported as
        ``"separation"``); ``None`` or ``()`` disables the checks.
    ssc : small-sample correction preset, ``"stata"`` (default) or ``"fixest"``.
    tol : IRLS convergence: relative deviance change ``|dev - dev_old| / (0.1 + |dev|)``,
        computed on the deviance of ``y / s`` (``s``: weighted mean of ``y``), so that the
        rule and the estimates do not depend on the units of ``y``.
    fixef_tol, fixef_maxiter : fixed-effect projection accuracy and sweep limit.
    drop_singletons : iteratively drop rows alone in a fixed-effect level (as ppmlhdfe).

    Returns
    -------
    GravityResults. Non-convergence raises no error but issues a :class:`ConvergenceWarning`
    and sets ``converged=False``; collinear regressors are dropped with a
    :class:`CollinearityWarning` and listed in ``collinear``.

    Notes
    -----
    **Small-sample corrections.** ``ssc="stata"`` is the default because the published
    benchmark estimates of the structural-gravity literature (Yotov et al. 2016, computed with
    Stata's ppmlhdfe) use it, and because for a pseudo-likelihood estimator the fixed-effect
    count has no finite-sample justification. ppmlhdfe computes its VCE in reghdfe's
    "asymptotic" mode: the clustered VCE is scaled by ``G/(G-1)`` only, the robust one by
    ``N/(N-1)``. fixest and pyfixest instead scale the clustered VCE by
    ``(N-1)/(N-K) * G/(G-1)``, where ``K`` counts the regressors plus all fixed-effect levels
    (minus one per factor after the first) except those of factors nested in a cluster
    variable (``fixef.K = "nested"``).

    Worked example, Yotov et al. (2016) Table 3 column 4 (``trade ~ rta | exp_year + imp_year
    + pair``, N = 28,482, SE clustered by ``pair_id`` with G = 2,408 clusters). The book's pair
    factor pools all 69 domestic pairs into one level (2,340 levels), so it is *not* nested in
    the ``pair_id`` clusters and fixest counts it: K = 1 + 414 + 414 + 2,340 - 2 = 3,167, and
    fixest's factor is 28,481/25,315 x 2,408/2,407 = 1.1255 against Stata's 2,408/2,407 =
    1.0004: the SE ratio sqrt(1.1255/1.0004) = 1.061 turns 0.1022 (book: 0.102) into 0.1084
    (fixest/pyfixest: 0.108). Both are reproduced here (same coefficient 0.5572). The
    exact factors are documented in :mod:`polecon.models.gravity.covariance`.
    """
    f, vspec = _setup(formula, vcov, ssc)
    md = build(
        f,
        data,
        weights=weights,
        offset=offset,
        cluster=vspec.cluster,
        drop_singletons=drop_singletons,
    )
    _check_y_nonneg(md)
    methods = tuple(separation) if separation else ()
    _separation(md, methods, separation_tol, drop_singletons)
    if md.n == 0:
        raise ValueError(f"ppml: no rows left after dropping separated observations ({formula!r})")

    n = md.n
    # Scale invariance: fit y / s (s = weighted mean of y > 0), so that the deviance criterion
    # is relative whatever the units of y. E[y/s] = exp(eta - log s): the shift is absorbed by
    # the first fixed effect (undone below) or, without fixed effects, passed as an offset
    # (the intercept, if any, is then estimated in the units of y directly).
    s_y = float(np.average(md.y, weights=md.weights))
    if not s_y > 0:
        raise ValueError(
            f"ppml: the dependent variable {md.yname!r} is 0 on every row of the estimation "
            f"sample ({n} rows); the Poisson (pseudo-)MLE does not exist"
        )
    log_s = float(np.log(s_y))
    off_fit = md.offset
    if md.fes is None:
        off_fit = np.full(n, -log_s) if md.offset is None else md.offset - log_s
    fit = _irls(
        md.y / s_y,
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
    del off_fit
    fit["mu"] *= s_y
    fit["w"] *= s_y
    fit["eta"] += log_s
    fit["deviance"] *= s_y
    if md.fes is not None:
        fit["alpha"][md.fes.off[0] : md.fes.off[1]] += log_s
    keep = fit["keep"]
    xnames, collinear = _split_collinear(md, keep, "ppml")
    if not fit["converged"]:
        warnings.warn(
            f"ppml: IRLS did not converge in {fit['iterations']} iterations (last relative "
            f"deviance change {fit['crit']:.3g} > tol {tol:g}; deviance {fit['deviance']:.6g}). "
            "Results are unreliable; increase maxiter or check for separation.",
            ConvergenceWarning,
            stacklevel=3,
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
                "ppml: final fixed-effect projection of the regressors did not converge",
                ConvergenceWarning,
                stacklevel=3,
            )
        xt = md.fes.residual_into(X, gamma, fit["R"][:, 1:])
    else:
        xt = X
    resid = md.y - mu
    if md.weights is not None:
        resid *= md.weights
    vc, dof_info, df_t = _variance(md, vspec, ssc, "ppml", xt, w, resid, None)
    del resid

    ybar = float(np.average(md.y, weights=md.weights))
    ll, ll0 = K.poisson_logliks(
        md.y,
        mu,
        ybar,
        np.zeros(0) if md.weights is None else md.weights,
        K._block_bounds(n, K._n_blocks(n)),
    )
    alpha = _normalise_alpha(fit["alpha"], md.fes)
    return _results(
        "ppml",
        formula,
        f,
        data,
        md,
        vspec,
        ssc,
        pd.Series(fit["beta"], index=xnames, dtype=float),
        vc,
        df_t,
        collinear,
        iterations=fit["iterations"],
        converged=fit["converged"],
        alpha=alpha,
        fitted_link=fit["eta"],
        deviance=float(fit["deviance"]),
        loglik=float(ll),
        loglik_null=float(ll0),
        _offset_name=offset if isinstance(offset, str) else None,
    )


def _setup(formula: str, vcov: object, ssc: str) -> tuple[Any, cov.VcovSpec]:
    """Parse the formula and the variance options (clear errors before touching the data)."""
    f = parse_formula(formula)
    vspec = cov.parse_vcov(vcov)
    if ssc not in cov.SSC_PRESETS:
        raise ValueError(f"ssc={ssc!r} not understood; use one of {cov.SSC_PRESETS}")
    return f, vspec


def _split_collinear(md: ModelData, keep: np.ndarray, est: str) -> tuple[list[str], list[str]]:
    """Names of the kept and of the dropped (collinear) regressors; warns about the latter."""
    xnames = [nm for nm, kp in zip(md.xnames, keep, strict=True) if kp]
    collinear = [nm for nm, kp in zip(md.xnames, keep, strict=True) if not kp]
    if collinear:
        warnings.warn(
            f"{est}: regressors {collinear} are collinear with the fixed effects or other "
            "regressors and were dropped",
            CollinearityWarning,
            stacklevel=4,
        )
    return xnames, collinear


def _results(
    model: str,
    formula: str,
    f: Any,
    data: pd.DataFrame,
    md: ModelData,
    vspec: cov.VcovSpec,
    ssc: str,
    params: pd.Series,
    vc: np.ndarray,
    df_t: int,
    collinear: list[str],
    *,
    iterations: int,
    converged: bool,
    alpha: np.ndarray | None,
    fitted_link: np.ndarray,
    **extra: Any,
) -> GravityResults:
    names = list(params.index)
    return GravityResults(
        model=model,
        formula=formula,
        params=params,
        vcov=pd.DataFrame(vc, index=names, columns=names),
        nobs=md.n,
        dropped=md.dropped,
        vcov_type=vspec.label,
        ssc=ssc,
        df_resid=df_t,
        iterations=iterations,
        converged=converged,
        collinear=collinear,
        n_clusters={c.name: c.size for c in md.clusters} if vspec.kind == "CRV1" else {},
        nobs_input=md.n_input,
        _fixef=md.fixef,
        _alpha=alpha,
        _rhs_spec=md.rhs_spec,
        _fitted_link=pd.Series(fitted_link, index=md.index),
        **extra,
    )


def _variance(
    md: ModelData,
    vspec: cov.VcovSpec,
    ssc: str,
    model: str,
    xt: np.ndarray,
    w: np.ndarray,
    resid_w: np.ndarray,
    rss: float | None,
) -> tuple[np.ndarray, cov.DofInfo, int]:
    """VCE from demeaned regressors ``xt``, bread weights ``w`` and score residuals
    ``resid_w`` (weight x residual)."""
    k = xt.shape[1]
    if vspec.kind == "CRV1":
        few = {c.name: c.size for c in md.clusters if c.size < 2}
        if few:
            raise ValueError(
                f"{model}: clustered variance needs at least 2 clusters per dimension; "
                f"{vspec.cluster!r} has {few} cluster(s) in the estimation sample of {md.n} rows"
            )
    dof = _dof_info(md, k, vspec)
    factor, df_t = cov.ssc_factor(ssc, vspec.kind, model, dof)
    if k == 0:
        return np.zeros((0, 0)), dof, df_t
    h = _wcross(xt, w)
    bread = np.linalg.inv(h)
    scores = xt * resid_w[:, None]
    clusters = [(c.codes, c.size) for c in md.clusters] if vspec.kind == "CRV1" else None
    v = cov.sandwich(vspec.kind, bread, scores, clusters, factor, psd_fix=(ssc == "stata"), rss=rss)
    return v, dof, df_t


# --------------------------------------------------------------------------------------------
# OLS
# --------------------------------------------------------------------------------------------
@_threaded
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
) -> GravityResults:
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
    f, vspec = _setup(formula, vcov, ssc)
    md = build(f, data, weights=weights, cluster=vspec.cluster, drop_singletons=drop_singletons)
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
                f"ols: fixed-effect projection did not converge in {fixef_maxiter} sweeps",
                ConvergenceWarning,
                stacklevel=3,
            )
        r = md.fes.residual(z, a)
    else:
        a = None
        r = z
    yt, xt = r[:, 0], r[:, 1:]
    keep = _collinear(xt, X, wt, collin_tol)
    xnames, collinear = _split_collinear(md, keep, "ols")
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
        alpha = _normalise_alpha(a[0] - a[1:][keep].T @ beta, md.fes)
    vc, dof_info, df_t = _variance(
        md, vspec, ssc, "ols", xt, wt, wt * e, rss if vspec.kind == "iid" else None
    )
    fitted = md.y - e
    return _results(
        "ols",
        formula,
        f,
        data,
        md,
        vspec,
        ssc,
        pd.Series(beta, index=xnames, dtype=float),
        vc,
        df_t,
        collinear,
        iterations=sweeps,
        converged=bool(converged),
        alpha=alpha,
        fitted_link=fitted,
        r2=float(r2),
        r2_within=None if r2_within is None else float(r2_within),
    )
