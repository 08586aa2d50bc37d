"""Results object of the adoption models, following the team's results protocol.

Until the shared base class of ``polecon.models._core`` exists this class implements the
protocol itself (params, bse, tvalues, pvalues, vcov, conf_int, tidy, wald_test, summary, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


@dataclass
class AdoptionResults:
    params: pd.Series
    vcov: pd.DataFrame
    nobs: int
    depvar: str
    fixef_names: list[str]
    vcov_type: str
    model: str
    pseudo_r2: float | None
    n_clusters: dict[str, int]
    loglik: float
    n_events: dict[str, int] = field(default_factory=dict)
    nobs_by_type: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    r2: float | None = None

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
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame(
            {"conf_low": self.params - z * self.bse, "conf_high": self.params + z * self.bse}
        )

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        ci = self.conf_int(alpha)
        return pd.DataFrame(
            {
                "term": self.params.index,
                "estimate": self.params.to_numpy(),
                "std_error": self.bse.to_numpy(),
                "statistic": self.tvalues.to_numpy(),
                "p_value": self.pvalues.to_numpy(),
                "conf_low": ci["conf_low"].to_numpy(),
                "conf_high": ci["conf_high"].to_numpy(),
            }
        )

    def _restriction(self, hypotheses: str | list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Rows of R, q from 'a = b' / 'a = 0' / 'a - b = 0' strings over term names."""
        items = [hypotheses] if isinstance(hypotheses, str) else list(hypotheses)
        names = list(self.params.index)
        rows, q = [], []
        for h in items:
            if h.count("=") != 1:
                raise ValueError(f"a hypothesis needs exactly one '=': {h!r}")
            row = np.zeros(len(names))
            const = 0.0
            for side, sign in zip(h.split("="), (1.0, -1.0), strict=True):
                for tok_sign, tok in re.findall(r"([+-]?)\s*([^+\-\s][^+\-]*?)\s*(?=[+-]|$)", side):
                    s = sign * (-1.0 if tok_sign == "-" else 1.0)
                    tok = tok.strip()
                    if tok in names:
                        row[names.index(tok)] += s
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
        """Wald chi-square test of R b = q; ``hypotheses`` as strings or an R matrix."""
        if isinstance(hypotheses, np.ndarray):
            r = np.atleast_2d(hypotheses)
            qq = np.zeros(len(r)) if q is None else np.asarray(q, dtype=float)
        else:
            r, qq = self._restriction(hypotheses)
        diff = r @ self.params.to_numpy() - qq
        v = r @ self.vcov.to_numpy() @ r.T
        stat = float(diff @ np.linalg.solve(v, diff))
        df = len(r)
        return pd.Series({"statistic": stat, "df": df, "p_value": float(stats.chi2.sf(stat, df))})

    def summary(self) -> str:
        t = self.tidy().set_index("term")
        head = (
            f"{self.model} of {self.depvar}; N = {self.nobs:,}; FE: {', '.join(self.fixef_names)}; "
            f"SE: {self.vcov_type}; clusters: {self.n_clusters}; events: {self.n_events}"
        )
        return head + "\n" + t.to_string(float_format=lambda x: f"{x:.4f}")
