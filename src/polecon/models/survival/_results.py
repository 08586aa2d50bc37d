"""Results object of the survival-type models (cox, clogit, firth_logit).

It implements the team's results protocol (params, bse, tvalues, pvalues, vcov, conf_int, tidy,
nobs, depvar, fixef_names, vcov_type, model, pseudo_r2, r2, n_clusters, summary, wald_test) by
itself until the shared base class of ``polecon.models._core`` exists; the fields are those the
base class will need, so the switch is a change of parent class. Inference is asymptotic normal
(z statistics), as in R ``survival`` and Stata ``clogit``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

_TOKEN = re.compile(r"([+-]?)\s*([^+\-\s][^+\-]*?)\s*(?=[+-]|$)")


@dataclass
class SurvivalResults:
    """Fitted cox / clogit / firth_logit model.

    ``vcov`` is the covariance used for inference (``vcov_type`` names it); ``vcov_naive`` is the
    inverse information (model-based) covariance, kept for comparison. ``loglik`` is the
    maximised (partial, conditional or penalised) log-likelihood, ``loglik_null`` its value at
    ``params = 0``; ``pseudo_r2 = 1 - loglik / loglik_null`` (McFadden on that likelihood).
    ``n_events`` counts rows with event / outcome 1; ``info`` holds model-specific extras.
    """

    model: str
    formula: str
    params: pd.Series
    vcov: pd.DataFrame
    vcov_naive: pd.DataFrame
    nobs: int
    depvar: str
    vcov_type: str
    loglik: float
    loglik_null: float
    n_events: int
    iterations: int
    converged: bool
    n_clusters: dict[str, int] = field(default_factory=dict)
    fixef_names: list[str] = field(default_factory=list)
    r2: float | None = None
    info: dict[str, Any] = field(default_factory=dict)

    # ---- inference -------------------------------------------------------------------------
    @property
    def pseudo_r2(self) -> float | None:
        if not np.isfinite(self.loglik_null) or self.loglik_null == 0:
            return None
        return 1.0 - self.loglik / self.loglik_null

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.params.index)

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * stats.norm.sf(np.abs(self.tvalues)), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald intervals ``params -/+ z * bse`` (columns ``conf_low``, ``conf_high``)."""
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame(
            {"conf_low": self.params - z * self.bse, "conf_high": self.params + z * self.bse}
        )

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per term: term, estimate, std_error, statistic, p_value, conf_low, conf_high."""
        ci = self.conf_int(alpha)
        return pd.DataFrame(
            {
                "term": self.params.index.astype(str),
                "estimate": self.params.to_numpy(),
                "std_error": self.bse.to_numpy(),
                "statistic": self.tvalues.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
                "conf_low": ci["conf_low"].to_numpy(),
                "conf_high": ci["conf_high"].to_numpy(),
            }
        )

    # ---- linear hypotheses -----------------------------------------------------------------
    def _restriction(self, hypotheses: str | list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of R and q from strings such as ``"a = b"``, ``"a = 0"``, ``"a - 2 b = 1"``."""
        items = [hypotheses] if isinstance(hypotheses, str) else list(hypotheses)
        names = [str(n) for n in self.params.index]
        rows, q = [], []
        for h in items:
            if h.count("=") != 1:
                raise ValueError(f"a hypothesis needs exactly one '=': {h!r}")
            row = np.zeros(len(names))
            const = 0.0
            for side, sign in zip(h.split("="), (1.0, -1.0), strict=True):
                for tok_sign, tok in _TOKEN.findall(side):
                    s = sign * (-1.0 if tok_sign == "-" else 1.0)
                    tok = tok.strip()
                    coef, _, name = tok.rpartition(" ") if " " in tok else ("", "", tok)
                    if name in names:
                        row[names.index(name)] += s * (float(coef.strip("* ")) if coef else 1.0)
                    else:
                        try:
                            const -= s * float(tok)
                        except ValueError:
                            raise KeyError(f"unknown term {tok!r} in hypothesis {h!r}") from None
            rows.append(row)
            q.append(const)
        return np.array(rows), np.array(q)

    def wald_test(
        self, hypotheses: str | list[str] | np.ndarray, q: np.ndarray | None = None
    ) -> pd.Series:
        """Wald chi-square test of ``R b = q`` with ``vcov``; strings or an R matrix."""
        if isinstance(hypotheses, np.ndarray):
            r = np.atleast_2d(hypotheses).astype(float)
            qq = np.zeros(len(r)) if q is None else np.asarray(q, dtype=float)
        else:
            r, qq = self._restriction(hypotheses)
        diff = r @ self.params.to_numpy() - qq
        v = r @ self.vcov.to_numpy() @ r.T
        stat = float(diff @ np.linalg.solve(v, diff))
        df = len(r)
        return pd.Series({"statistic": stat, "df": df, "p_value": float(stats.chi2.sf(stat, df))})

    # ---- display ---------------------------------------------------------------------------
    def summary(self, alpha: float = 0.05) -> str:
        t = self.tidy(alpha).set_index("term")
        extra = "".join(f"; {k}: {v}" for k, v in self.info.get("summary_items", {}).items())
        head = (
            f"{self.model}: {self.formula}\n"
            f"N = {self.nobs:,}; events = {self.n_events:,}; SE: {self.vcov_type}; "
            f"clusters: {self.n_clusters or 'none'}{extra}\n"
            f"log-likelihood = {self.loglik:.4f} (null {self.loglik_null:.4f}); "
            f"iterations = {self.iterations}{'' if self.converged else ' (NOT converged)'}"
        )
        return head + "\n" + t.to_string(float_format=lambda x: f"{x:.6g}")
