"""Pieces shared by the GLM and least-squares entry points: argument checks, the thread
context, collinearity reporting and the results assembly."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from polecon.models._core import _kernels as K
from polecon.models._core import covariance as cov
from polecon.models._core.data import ModelData
from polecon.models._core.formula import ModelFormula, parse_formula
from polecon.models.glm.irls import CollinearityWarning
from polecon.models.glm.results import GLMResults


def threaded(fn: Any) -> Any:
    """Run an estimator under :func:`_core._kernels.thread_budget` (sized by ``len(data)``)."""

    @functools.wraps(fn)
    def wrapper(formula: str, data: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        n = len(data) if hasattr(data, "__len__") else 0
        with K.thread_budget(n):
            return fn(formula, data, *args, **kwargs)

    return wrapper


def setup(formula: str, vcov: object, ssc: str) -> tuple[ModelFormula, cov.VcovSpec]:
    """Parse the formula and the variance options (clear errors before touching the data)."""
    f = parse_formula(formula)
    vspec = cov.parse_vcov(vcov)
    if ssc not in cov.SSC_PRESETS:
        raise ValueError(f"ssc={ssc!r} not understood; use one of {cov.SSC_PRESETS}")
    return f, vspec


def split_collinear(
    md: ModelData, keep: np.ndarray, absorbed: np.ndarray, est: str
) -> tuple[list[str], list[str]]:
    """Names of the kept and of the dropped (collinear) regressors; warns about the latter,
    naming those absorbed by the fixed effects apart from those collinear with other
    regressors."""
    xnames = [nm for nm, kp in zip(md.xnames, keep, strict=True) if kp]
    collinear = [nm for nm, kp in zip(md.xnames, keep, strict=True) if not kp]
    if collinear:
        by_fe = [nm for nm, a in zip(md.xnames, absorbed, strict=True) if a]
        other = [nm for nm in collinear if nm not in by_fe]
        parts = []
        if by_fe:
            fe = ", ".join(f.name for f in md.fixef) or "the intercept"
            parts.append(
                f"{by_fe} {'is' if len(by_fe) == 1 else 'are'} absorbed by the fixed effects "
                f"({fe}): constant within their levels in the estimation sample"
            )
        if other:
            parts.append(f"{other} perfectly collinear with other regressors")
        warnings.warn(
            f"{est}: regressors dropped: " + "; ".join(parts) + ". Their effects are not "
            "identified in this specification.",
            CollinearityWarning,
            stacklevel=4,
        )
    if not xnames and md.xnames:
        warnings.warn(
            f"{est}: every regressor was dropped as collinear; only fixed effects are fitted",
            CollinearityWarning,
            stacklevel=4,
        )
    return xnames, collinear


def make_results(
    model: str,
    formula: str,
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
    resid: np.ndarray,
    **extra: Any,
) -> GLMResults:
    names = list(params.index)
    return GLMResults(
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
        depvar=md.yname,
        n_clusters={c.name: c.size for c in md.clusters} if vspec.kind == "CRV1" else {},
        nobs_input=md.n_input,
        resid=pd.Series(resid, index=md.index, name="resid"),
        _fixef=md.fixef,
        _alpha=alpha,
        _rhs_spec=md.rhs_spec,
        _fitted_link=pd.Series(fitted_link, index=md.index),
        **extra,
    )
