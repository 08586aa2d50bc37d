"""The results protocol shared by every fitted model (``etable`` reads only this).

:class:`ModelResults` is a mixin: a subclass (often a dataclass) provides the data attributes

- ``params`` (pd.Series by term), ``vcov`` (pd.DataFrame, terms x terms), ``nobs`` (int),
  ``depvar`` (str), ``fixef_names`` (list[str]), ``vcov_type`` (str, human readable),
  ``model`` (str family label: "ppml", "ols", "logit", "cloglog", "lpm", "cox", ...),
  ``n_clusters`` (dict name -> G), ``pseudo_r2`` and ``r2`` (float or None), ``resid``, and
  ``df_resid`` with ``use_t`` (t/F inference with ``df_resid`` degrees of freedom; otherwise
  normal/chi-square, as for likelihood models). The optional ones are read with ``getattr``
  and a default, so the mixin declares no class-level defaults that a dataclass subclass
  would pick up as field defaults;

and inherits ``bse``, ``tvalues``, ``pvalues``, ``conf_int()``, ``tidy()``, ``wald_test()``,
``summary()``. ``conf_int()`` and ``tidy()`` share the column names ``conf_low``/``conf_high``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from polecon.models._core.hypotheses import WaldTestStatistic, wald_test

TIDY_COLUMNS = (
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
)

MODEL_TITLES: dict[str, str] = {
    "ppml": "PPML (Poisson pseudo-maximum likelihood)",
    "ols": "OLS",
    "lpm": "Linear probability model (OLS)",
    "logit": "Logit",
    "cloglog": "Complementary log-log",
    "gaussian": "Gaussian GLM",
}


class ModelResults:
    """Inference accessors and display built on ``params``, ``vcov`` and ``use_t``."""

    # Required attributes (fields or properties of the subclass). The optional ones
    # (df_resid, pseudo_r2, r2, resid, fixef_names, n_clusters) are read with getattr and a
    # default, not declared here: a class-level default would become the default of a
    # dataclass subclass's field of the same name and break its field order.
    params: pd.Series
    vcov: pd.DataFrame
    nobs: int
    depvar: str
    vcov_type: str
    model: str
    use_t: ClassVar[bool] = False  # t/F inference with df_resid degrees of freedom

    # ---- inference -------------------------------------------------------------------------
    def _t_df(self) -> int | None:
        """Degrees of freedom of t/F inference, or None for normal/chi-square."""
        df = getattr(self, "df_resid", None)
        return int(df) if self.use_t and df is not None else None

    def _dist(self) -> Any:
        df = self._t_df()
        return stats.norm if df is None else stats.t(df)

    @property
    def bse(self) -> pd.Series:
        return pd.Series(
            np.sqrt(np.clip(np.diag(self.vcov.to_numpy()), 0.0, None)), index=self.params.index
        )

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * self._dist().sf(np.abs(self.tvalues)), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald intervals (columns ``conf_low``, ``conf_high``; level ``1 - alpha``)."""
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}")
        q = self._dist().ppf(1 - alpha / 2)
        se = self.bse
        return pd.DataFrame(
            {"conf_low": self.params - q * se, "conf_high": self.params + q * se},
            index=self.params.index,
        )

    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per coefficient: term, estimate, std_error, statistic, p_value, conf_low/high."""
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
            },
            columns=list(TIDY_COLUMNS),
        )

    def wald_test(
        self,
        restriction: str | Sequence[str] | np.ndarray,
        value: np.ndarray | Sequence[float] | None = None,
    ) -> WaldTestStatistic:
        """Wald test of ``R b = q``: ``restriction`` is R (m, k) with ``value`` q (default 0),
        or strings such as ``"x1 = x2"`` / ``["x1 = 0", "x2 = 0"]`` (see
        :mod:`polecon.models._core.hypotheses`). Chi-square, or F with ``df_resid`` denominator
        degrees of freedom for models with t inference."""
        return wald_test(self.params, self.vcov, restriction, value, df_denom=self._t_df())

    # ---- display ---------------------------------------------------------------------------
    def _summary_header(self) -> list[str]:
        """Lines above the coefficient table (subclasses extend)."""
        title = MODEL_TITLES.get(self.model, self.model)
        fe = ", ".join(getattr(self, "fixef_names", None) or []) or "none"
        ncl = getattr(self, "n_clusters", None) or {}
        cl = ", ".join(f"{k}: {v:,}" for k, v in ncl.items())
        return [
            f"{title}; dependent variable: {self.depvar}",
            f"Observations: {self.nobs:,}   fixed effects: {fe}",
            f"Standard errors: {self.vcov_type}" + (f"; clusters {cl}" if cl else ""),
        ]

    def _summary_footer(self) -> list[str]:
        out = []
        pr2, r2 = getattr(self, "pseudo_r2", None), getattr(self, "r2", None)
        if pr2 is not None:
            out.append(f"Pseudo R² (McFadden): {pr2:.4f}")
        if r2 is not None:
            out.append(f"R²: {r2:.4f}")
        return out

    def summary(self, alpha: float = 0.05) -> str:
        """Text table of the coefficients and fit statistics."""
        t = self.tidy(alpha)
        stat = "t" if self._t_df() is not None else "z"
        lo, hi = f"[{alpha / 2:.3g}", f"{1 - alpha / 2:.3g}]"
        w = max([len(s) for s in t["term"]] + [8])
        header = (
            f"{'':<{w}} {'coef':>11} {'std err':>11} {stat:>9} {'P>|' + stat + '|':>8} "
            f"{lo:>11} {hi:>11}"
        )
        rule = "-" * len(header)
        lines = [*self._summary_header(), rule, header, rule]
        for r in t.itertuples(index=False):
            lines.append(
                f"{r.term:<{w}} {r.estimate:>11.4f} {r.std_error:>11.4f} {r.statistic:>9.3f} "
                f"{r.p_value:>8.3f} {r.conf_low:>11.4f} {r.conf_high:>11.4f}"
            )
        lines.append(rule)
        lines += self._summary_footer()
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
