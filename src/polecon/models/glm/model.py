"""GLM estimators with high-dimensional fixed effects: ``ppml()`` (Poisson), ``logit()``,
``cloglog()`` and the generic ``glm(formula, data, family)``.

One pipeline for every family: build the model data (:mod:`polecon.models._core.data`),
check the outcome's support, drop separated rows, run IRLS (:mod:`.irls`), project the
regressors at the final weights and assemble the sandwich covariance
(:mod:`polecon.models._core.covariance`). Families differ only in their mean, variance,
deviance and link (:mod:`.families`); Poisson keeps its fast path (closed-form fixed-effect
start, its own fused kernel, separation by :mod:`.separation`); the binary families use
:mod:`.binary_separation`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from polecon.models.glm._common import threaded
from polecon.models.glm._pipeline import (
    _DEFAULTS,
    BINARY_SEPARATION_METHODS,
    SEPARATION_METHODS,
    _fit,
)
from polecon.models.glm.families import CLogLog, Family, Logit, Poisson
from polecon.models.glm.results import GLMResults


@threaded
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
    separation_time_limit: float = 600.0,
) -> GLMResults:
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
    GLMResults. Non-convergence raises no error but issues a :class:`ConvergenceWarning`
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
    exact factors are documented in :mod:`polecon.models._core.covariance`.
    """
    return _fit(
        Poisson(),
        formula,
        data,
        vcov=vcov,
        weights=weights,
        offset=offset,
        separation=separation,
        ssc=ssc,
        tol=tol,
        maxiter=maxiter,
        fixef_tol=fixef_tol,
        fixef_maxiter=fixef_maxiter,
        drop_singletons=drop_singletons,
        collin_tol=collin_tol,
        separation_tol=separation_tol,
        separation_time_limit=separation_time_limit,
    )


_BINARY_DOC = """{title} with high-dimensional fixed effects: ``P(y = 1) = {mean}``.

    Parameters
    ----------
    formula : ``"y ~ x1 + x2 | pair + year"`` (fixest syntax, as :func:`ppml`); ``y`` must be
        0/1 (anything else is an error naming the rows).
    data : DataFrame with one row per observation (e.g. a pair-year risk set).
    vcov : ``"iid"``, ``"hetero"``, ``{{"CRV1": "pair"}}`` or two-way ``{{"CRV1": "pair+year"}}``
        (Cameron-Gelbach-Miller; negative eigenvalues set to 0 under ``ssc="stata"``).
    weights, offset : column names or arrays of length ``len(data)``; weights multiply each
        row's log-likelihood (rows with weight 0 are dropped).
    ssc : ``"stata"`` (default): clustered ``G/(G-1)``, robust ``N/(N-1)`` (Stata's ML
        commands; R ``sandwich::vcovCL(type = "HC0")`` for clusters); ``"fixest"``:
        ``(N-1)/(N-K) * G/(G-1)`` (fixest/pyfixest ``feglm``; ``vcovCL(type = "HC1")``).
    separation : subset of ``("fe", "simplex")``: rows separated on either side (fixed-effect
        levels whose outcome never varies; certificates from the regressors, and the fixed
        effects when the problem is small) are dropped with reason ``"separation"``
        (:mod:`polecon.models.glm.binary_separation`); ``None`` disables the checks.
    bias_correction : analytical correction of the incidental-parameter bias with one or two
        fixed effects (individual, time), as R alpaca's ``biasCorr(L = 0, "classic")``
        (Fernandez-Val & Weidner 2016); the covariance is that of the uncorrected fit.
    tol, maxiter, fixef_tol, fixef_maxiter, drop_singletons, collin_tol : as :func:`ppml`.
    separation_time_limit : seconds allowed to the separation linear programme; past it the
        check exits with a ``SeparationUndecidedWarning``.

    Returns
    -------
    GLMResults (the results protocol), with ``margins()`` for average marginal effects and
    predicted probabilities (hazards) with delta-method standard errors.
    """


def _binary(family: Family) -> Any:
    @threaded
    def estimator(
        formula: str,
        data: pd.DataFrame,
        vcov: str | dict[str, str] = "hetero",
        weights: str | np.ndarray | None = None,
        offset: str | np.ndarray | None = None,
        bias_correction: bool = False,
        separation: tuple[str, ...] | None = BINARY_SEPARATION_METHODS,
        ssc: str = "stata",
        tol: float = 1e-8,
        maxiter: int = 100,
        fixef_tol: float = 1e-8,
        fixef_maxiter: int = 10_000,
        drop_singletons: bool = True,
        collin_tol: float = 1e-10,
        separation_time_limit: float = 60.0,
    ) -> GLMResults:
        return _fit(
            type(family)(),
            formula,
            data,
            vcov=vcov,
            weights=weights,
            offset=offset,
            separation=separation,
            ssc=ssc,
            tol=tol,
            maxiter=maxiter,
            fixef_tol=fixef_tol,
            fixef_maxiter=fixef_maxiter,
            drop_singletons=drop_singletons,
            collin_tol=collin_tol,
            separation_tol=1e-8,
            separation_time_limit=separation_time_limit,
            bias_correction=bias_correction,
        )

    return estimator


logit = _binary(Logit())
logit.__name__ = logit.__qualname__ = "logit"
logit.__doc__ = _BINARY_DOC.format(title="Logit", mean="1 / (1 + exp(-eta))")
cloglog = _binary(CLogLog())
cloglog.__name__ = cloglog.__qualname__ = "cloglog"
cloglog.__doc__ = _BINARY_DOC.format(
    title="Complementary log-log (discrete-time proportional hazards)",
    mean="1 - exp(-exp(eta))",
)


@threaded
def glm(
    formula: str,
    data: pd.DataFrame,
    family: str | Family = "gaussian",
    vcov: str | dict[str, str] = "hetero",
    weights: str | np.ndarray | None = None,
    offset: str | np.ndarray | None = None,
    ssc: str = "stata",
    **options: Any,
) -> GLMResults:
    """Any family by IRLS: ``family`` in ``"poisson"``, ``"gaussian"``, ``"logit"``,
    ``"cloglog"`` or a :class:`~polecon.models.glm.families.Family` instance. ``options`` as
    :func:`ppml`. The Gaussian family gives the least-squares coefficients (IRLS converges in
    one step) with the likelihood-model ssc presets; use :func:`ols` for least-squares SEs."""
    from polecon.models.glm.families import FAMILIES

    if isinstance(family, str) and family not in FAMILIES:
        raise ValueError(f"family={family!r} unknown; use one of {sorted(FAMILIES)}")
    fam = FAMILIES[family]() if isinstance(family, str) else family
    unknown = set(options) - set(_DEFAULTS) - {"separation", "bias_correction"}
    if unknown:
        raise TypeError(f"glm() got unexpected options {sorted(unknown)}")
    opts = {**_DEFAULTS, **options}
    sep = opts.pop(
        "separation",
        SEPARATION_METHODS
        if isinstance(fam, Poisson)
        else (BINARY_SEPARATION_METHODS if fam.binary else None),
    )
    return _fit(
        fam,
        formula,
        data,
        vcov=vcov,
        weights=weights,
        offset=offset,
        separation=sep,
        ssc=ssc,
        **opts,
    )
