"""Cox proportional hazards on counting-process (start, stop] data.

``cox()`` reproduces R survival's ``coxph(Surv(start, stop, event) ~ x + strata(s) +
cluster(g))``: Efron (default) or Breslow ties, Newton-Raphson from 0 with step-halving and R's
stopping rule (relative change of the log partial likelihood <= ``tol``), and the Lin-Wei robust
variance ``V S'S V`` from score residuals summed by cluster (no small-sample factor, as R).
The numerical core is in ``_cox_math``; memory is O(n k).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from polecon.models.survival._cox_math import (
    CoxEval,
    RiskSetIndex,
    _tie_fractions,
    cluster_scores,
    cox_eval,
    risk_set_index,
)
from polecon.models.survival._design import ModelInputError, build_design, split_formula
from polecon.models.survival._results import SurvivalResults

__all__ = ["cox"]


def _binary(values: pd.Series, name: str, model: str) -> np.ndarray:
    v = pd.to_numeric(values, errors="coerce") if values.dtype != bool else values
    bad = ~np.isin(np.asarray(v, dtype=float), (0.0, 1.0))
    if bad.any():
        shown = sorted(pd.unique(values[bad]).tolist(), key=str)[:5]
        raise ModelInputError(
            f"{model}: {name!r} must be 0/1 (or boolean); {int(bad.sum())} rows hold other "
            f"values, e.g. {shown} (recode it, e.g. R's lung status 1/2 -> 0/1)"
        )
    return np.asarray(v, dtype=float) == 1.0


def _codes(data: pd.DataFrame, cols: str | list[str] | None) -> tuple[np.ndarray, int]:
    if cols is None:
        return np.zeros(len(data), dtype=np.int64), 1
    cols = [cols] if isinstance(cols, str) else list(cols)
    if len(cols) == 1:
        codes, uniq = pd.factorize(data[cols[0]], sort=True)
    else:
        codes, uniq = pd.factorize(pd.MultiIndex.from_frame(data[cols]), sort=True)
    return codes.astype(np.int64), len(uniq)


def _newton(
    x: np.ndarray,
    w: np.ndarray,
    delta: np.ndarray,
    idx: RiskSetIndex,
    frac: np.ndarray,
    init: np.ndarray,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, CoxEval, float, int, bool]:
    """R coxfit6's iteration: Newton steps, halving a step that lowers the likelihood, stop when
    |1 - ll_old / ll_new| <= tol after a full step. Returns beta, its evaluation, the log
    partial likelihood at ``init``, the iteration count and convergence."""
    beta = init.copy()
    ev = cox_eval(x, beta, w, delta, idx, frac)
    if not np.isfinite(ev.loglik):
        raise ModelInputError("cox: the log partial likelihood is not finite at the start values")
    ll0 = ll = ev.loglik
    newbeta = beta + np.linalg.solve(ev.info, ev.score)
    halving = False
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        ev_new = cox_eval(x, newbeta, w, delta, idx, frac)
        ll_new = ev_new.loglik
        if np.isfinite(ll_new) and not halving and abs(1 - ll / ll_new) <= tol:
            converged = True
            break
        if it == max_iter:
            break
        if not np.isfinite(ll_new) or ll_new < ll:
            halving = True
            newbeta = (newbeta + beta) / 2
        else:
            halving = False
            ll = ll_new
            beta = newbeta
            newbeta = newbeta + np.linalg.solve(ev_new.info, ev_new.score)
    if not np.isfinite(ev_new.loglik):
        ev_new = cox_eval(x, beta, w, delta, idx, frac)
        newbeta = beta
    return newbeta, ev_new, ll0, it, converged


def cox(
    formula: str,
    data: pd.DataFrame,
    *,
    stop: str,
    event: str | None = None,
    start: str | None = None,
    ties: str = "efron",
    cluster: str | None = None,
    strata: str | list[str] | None = None,
    weights: str | None = None,
    robust: bool = False,
    tol: float = 1e-9,
    max_iter: int = 20,
) -> SurvivalResults:
    """Fit a Cox model on (start, stop] intervals.

    ``formula``: ``"event ~ x1 + x2"`` or ``"~ x1 + x2"`` with ``event=`` (0/1 or bool); no
    intercept (the baseline hazard absorbs it); ``C(g)`` for categorical covariates. ``stop``
    (required) and ``start`` (optional; omitted = at risk from the origin) name the interval
    columns: a row is at risk at event times t with start < t <= stop, so yearly rows
    (t-1, t] give the same fit as one row per spell. ``strata``: separate baseline hazards per
    level (column or list of columns). ``cluster``: Lin-Wei robust covariance with score
    residuals summed by cluster and no small-sample factor (R ``cluster()``, Stata's ``stcox,
    vce(cluster)`` multiplies by G/(G-1)); ``robust=True`` without a cluster treats each row as
    its own cluster (R ``robust=TRUE``). ``weights``: case weights (R ``weights=``).
    ``tol``/``max_iter``: R's ``coxph.control(eps, iter.max)``.

    Rows with a missing value in any used column are dropped with a warning. Errors name the
    cause for a non-binary event, stop <= start, no events, a covariate constant in the sample
    or collinear; a warning flags coefficients that diverge (perfect prediction).
    """
    model = "cox"
    if ties not in ("efron", "breslow"):
        raise ModelInputError(f"cox: ties={ties!r}; use 'efron' or 'breslow'")
    lhs, rhs = split_formula(formula)
    if lhs is not None and event is not None and lhs != event:
        raise ModelInputError(f"cox: formula names event {lhs!r} but event={event!r}")
    event = event or lhs
    if event is None:
        raise ModelInputError("cox: name the event column (event= or 'event ~ x')")
    strata_cols = [strata] if isinstance(strata, str) else list(strata or [])
    other = [stop, event, start, cluster, weights, *strata_cols]
    design = build_design(data, rhs, other, model=model, intercept=False)
    sub = data.loc[design.keep] if not design.keep.all() else data
    n = len(sub)

    delta = _binary(sub[event], event, model)
    t1 = pd.to_numeric(sub[stop], errors="coerce").to_numpy(float)
    t0 = (
        np.full(n, -np.inf)
        if start is None
        else pd.to_numeric(sub[start], errors="coerce").to_numpy(float)
    )
    for name, t in ((stop, t1), (start, t0)):
        if name is not None and not np.all(np.isfinite(t)):
            raise ModelInputError(f"cox: time column {name!r} has non-numeric or infinite values")
    bad = t1 <= t0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelInputError(
            f"cox: stop <= start in {int(bad.sum())} rows (first: row {sub.index[i]!r}, "
            f"{start}={t0[i]!r}, {stop}={t1[i]!r}); intervals must be (start, stop] with "
            "start < stop"
        )
    if weights is None:
        w = np.ones(n)
    else:
        w = pd.to_numeric(sub[weights], errors="coerce").to_numpy(float)
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ModelInputError(f"cox: weights {weights!r} must be finite and >= 0")
    if not delta.any():
        raise ModelInputError(f"cox: no events ({event!r} is 0 in all {n} rows)")

    s_codes, n_strata = _codes(sub, strata_cols or None)
    idx = risk_set_index(t0, t1, delta, s_codes, w)
    x = design.x
    x -= x.mean(axis=0)  # centring in place: same fit, less cancellation
    frac = _tie_fractions(idx, ties == "efron")
    k = x.shape[1]
    beta, ev, ll0, iters, converged = _newton(
        x, w, delta.astype(float), idx, frac, np.zeros(k), tol, max_iter
    )
    names = design.names
    if not converged:
        warnings.warn(
            f"cox: no convergence in {max_iter} iterations (raise max_iter)", stacklevel=2
        )
    vnaive = np.linalg.inv(ev.info)
    # R's check for a coefficient that goes to infinity (monotone likelihood)
    step = np.abs(vnaive @ ev.score)
    infinite = [
        nm for nm, s_, b in zip(names, step, beta, strict=True) if s_ > 1e-4 and s_ > 1e-4 * abs(b)
    ]
    if infinite:
        warnings.warn(
            f"cox: the partial likelihood keeps rising along {infinite}: the coefficient(s) may "
            "be infinite (perfect prediction: events only in one group of that covariate)",
            stacklevel=2,
        )

    n_clusters: dict[str, int] = {}
    if cluster is not None or robust:
        if cluster is not None:
            cl, g = _codes(sub, cluster)
            n_clusters = {cluster: g}
            vtype = f"Lin-Wei robust, clustered by {cluster} (R survival cluster(); no G/(G-1))"
        else:
            cl, g = np.arange(n, dtype=np.int64), n
            vtype = "Lin-Wei robust, by observation (R survival robust=TRUE)"
        sc = cluster_scores(x, w, delta, idx, ev, cl, g)
        vcov = vnaive @ (sc.T @ sc) @ vnaive
    else:
        vtype = "model-based (inverse information)"
        vcov = vnaive
    df = lambda m: pd.DataFrame(m, index=names, columns=names)  # noqa: E731
    return SurvivalResults(
        model=model,
        formula=formula,
        params=pd.Series(beta, index=names),
        vcov=df(vcov),
        vcov_naive=df(vnaive),
        nobs=n,
        depvar=event,
        vcov_type=vtype,
        loglik=ev.loglik,
        loglik_null=ll0,
        n_events=int(delta.sum()),
        iterations=iters,
        converged=converged,
        n_clusters=n_clusters,
        info={
            "ties": ties,
            "strata": strata_cols,
            "n_strata": n_strata,
            "start": start,
            "stop": stop,
            "dropped": design.dropped,
            "summary_items": {"ties": ties, "strata": n_strata},
        },
    )
