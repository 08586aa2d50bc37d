"""Average marginal effects and average predicted probabilities (hazards) of binary-outcome
GLMs, with delta-method standard errors in O(n k) memory.

For a fitted model with linear predictor ``eta_i = x_i'b + fixed effects`` and mean
``mu_i = F(eta_i)`` (weights ``wt_i``, ``W = sum wt``):

- AME of regressor j: ``m_j = (1/W) sum_i wt_i F'(eta_i) b_j``; its gradient in b is
  ``d m_j / d b_l = (1/W) sum_i wt_i [F''(eta_i) x_il b_j + F'(eta_i) 1(j = l)]``;
- average predicted probability: ``p = (1/W) sum_i wt_i F(eta_i)``, gradient
  ``(1/W) sum_i wt_i F'(eta_i) x_i``;
- with ``dummy=True``, a 0/1 regressor's effect is the average discrete change
  ``F(eta_i with x_ij = 1) - F(eta_i with x_ij = 0)``, gradient by the same chain rule.

The covariance is ``G V G'`` with the model's ``vcov`` (clustered if the fit was), the
fixed effects held at their estimates (as statsmodels' ``get_margeff`` without fixed effects;
with fixed effects this ignores their sampling error, as Stata's ``margins`` after
``xtlogit, fe``-type models). Each gradient is an (n,) weighted sum over the k columns: no
(n, k) temporary beyond the stored design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def _tidy(est: np.ndarray, vc: np.ndarray, names: list[str], alpha: float) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(vc), 0.0, None))
    z = est / se
    q = stats.norm.ppf(1 - alpha / 2)
    return pd.DataFrame(
        {
            "term": names,
            "estimate": est,
            "std_error": se,
            "statistic": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "conf_low": est - q * se,
            "conf_high": est + q * se,
        }
    )


def margins(
    res: object, kind: str = "ame", dummy: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """``kind="ame"``: average marginal effects (one row per regressor); ``kind="predict"``:
    the average predicted probability (hazard), one row ``"Pr(y=1)"``. Columns as ``tidy()``.
    ``dummy=True``: discrete changes for 0/1 regressors."""
    fam = getattr(res, "family", None)
    X = getattr(res, "_design", None)
    if fam is None or not fam.binary or X is None:
        raise ValueError(
            "margins() needs a binary-outcome GLM fit (logit or cloglog) that kept its design"
        )
    b = res.params.to_numpy()  # type: ignore[attr-defined]
    names = list(res.params.index)  # type: ignore[attr-defined]
    vcov = res.vcov.to_numpy()  # type: ignore[attr-defined]
    eta = res._fitted_link.to_numpy()  # type: ignore[attr-defined]
    if getattr(res, "bias_corrected", False):
        # eta of the fit is at the uncorrected estimate; shift it to the corrected one
        b0 = res.params_uncorrected.to_numpy()  # type: ignore[attr-defined]
        eta = eta + X @ (b - b0)
    wt = res._weights  # type: ignore[attr-defined]
    wsum = float(eta.shape[0] if wt is None else wt.sum())

    def wmean_cols(v: np.ndarray) -> np.ndarray:
        vv = v if wt is None else v * wt
        return (X.T @ vv) / wsum

    def wmean(v: np.ndarray) -> float:
        return float((v.sum() if wt is None else v @ wt) / wsum)

    k = b.shape[0]
    if kind == "predict":
        p = wmean(fam.linkinv(eta))
        grad = wmean_cols(fam.mu_eta(eta))[None, :]
        return _tidy(np.array([p]), grad @ vcov @ grad.T, ["Pr(y=1)"], alpha)
    if kind != "ame":
        raise ValueError(f"kind={kind!r}; use 'ame' or 'predict'")
    terms = [j for j, nm in enumerate(names) if nm != "Intercept"]
    d1 = fam.mu_eta(eta)
    d2 = fam.mu_eta2(eta)
    mean_d1 = wmean(d1)
    m2 = wmean_cols(d2)  # (k,)
    est = mean_d1 * b
    grad = np.outer(b, m2) + mean_d1 * np.eye(k)
    if dummy:
        for j in range(k):
            col = X[:, j]
            if not np.all((col == 0) | (col == 1)):
                continue
            base = eta - col * b[j]
            e1 = base + b[j]
            f1, f0 = fam.linkinv(e1), fam.linkinv(base)
            est[j] = wmean(f1 - f0)
            g1, g0 = fam.mu_eta(e1), fam.mu_eta(base)
            grad[j] = wmean_cols(g1 - g0)
            # x_ij is set to 1 / 0: the derivative in b_j uses those values, not X[:, j]
            grad[j, j] = wmean(g1)
    est, grad = est[terms], grad[terms]
    return _tidy(est, grad @ vcov @ grad.T, [names[j] for j in terms], alpha)
