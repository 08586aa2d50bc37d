"""Results of a GLM or least-squares fit with high-dimensional fixed effects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from polecon.models._core.covariance import LEAST_SQUARES
from polecon.models._core.data import Factor
from polecon.models._core.results import MODEL_TITLES, ModelResults
from polecon.models.glm.families import Family


@dataclass
class GLMResults(ModelResults):
    """Fitted PPML, logit, cloglog, Gaussian GLM, OLS or LPM with high-dimensional fixed effects.

    Implements the results protocol (:class:`polecon.models._core.results.ModelResults`).
    ``dropped`` is a Series indexed like the input rows that were not used (in input row
    order), holding ``"missing"`` (an input value is NA), ``"non_finite"`` (inputs present but a
    value evaluates to +-inf or NaN, e.g. ``np.log(0)``), ``"zero_weight"``, ``"singleton"`` or
    ``"separation"``. ``pseudo_r2`` (likelihood models) is McFadden's ``1 - loglik / loglik_0``
    against the intercept-only model (a *pseudo* R², not a share of explained variance).
    Inference uses the normal distribution for likelihood models (as ppmlhdfe, fixest and
    Stata's ML commands) and Student's t with ``df_resid`` degrees of freedom for least squares.
    ``iterations`` counts IRLS iterations (GLM) or fixed-effect projection sweeps (OLS);
    ``collinear`` lists the regressors dropped as collinear with the fixed effects or with
    earlier regressors. ``resid`` holds response residuals ``y - mu`` on the estimation rows.
    """

    model: str  # "ppml" | "logit" | "cloglog" | "gaussian" | "ols" | "lpm"
    formula: str
    params: pd.Series
    vcov: pd.DataFrame
    nobs: int
    dropped: pd.Series
    vcov_type: str
    ssc: str
    df_resid: int
    iterations: int
    converged: bool
    collinear: list[str]
    depvar: str = ""
    deviance: float | None = None
    loglik: float | None = None
    loglik_null: float | None = None
    r2: float | None = None
    r2_within: float | None = None
    n_clusters: dict[str, int] = field(default_factory=dict)
    nobs_input: int = 0
    resid: pd.Series | None = None
    family: Family | None = None
    bias_corrected: bool = False
    params_uncorrected: pd.Series | None = None
    # internals for fixef() / predict() / margins()
    _fixef: list[Factor] = field(default_factory=list, repr=False)
    _alpha: np.ndarray | None = field(default=None, repr=False)
    _rhs_spec: Any = field(default=None, repr=False)
    _offset_name: str | None = field(default=None, repr=False)
    _fitted_link: pd.Series | None = field(default=None, repr=False)
    _design: np.ndarray | None = field(default=None, repr=False)  # (n, k) kept regressors
    _weights: np.ndarray | None = field(default=None, repr=False)
    _cluster_scores: pd.DataFrame | None = field(default=None, repr=False)  # (G, k)
    _bread: np.ndarray | None = field(default=None, repr=False)  # (k, k)

    @property
    def use_t(self) -> bool:  # type: ignore[override]
        """Least squares use t inference with ``df_resid`` df; likelihood models the normal."""
        return self.model in LEAST_SQUARES

    @property
    def pseudo_r2(self) -> float | None:  # type: ignore[override]
        """McFadden pseudo R²: 1 - loglik / loglik(intercept only); likelihood models only."""
        if self.loglik is None or self.loglik_null in (None, 0):
            return None
        return 1.0 - self.loglik / self.loglik_null

    @property
    def fixef_names(self) -> list[str]:  # type: ignore[override]
        return [f.name for f in self._fixef]

    # ---- fixed effects and prediction ------------------------------------------------------
    def fixef(self) -> dict[str, pd.Series]:
        """Recovered fixed effects, one Series per factor indexed by its levels.

        Normalisation: every factor after the first has its first level set to 0 (the shifts are
        absorbed by the first factor), so only sums over factors are identified.
        """
        if self._alpha is None or not self._fixef:
            return {}
        out = {}
        start = 0
        for f in self._fixef:
            out[f.name] = pd.Series(
                self._alpha[start : start + f.size], index=f.levels, name=f.name
            )
            start += f.size
        return out

    def predict(self, newdata: pd.DataFrame | None = None, type: str = "response") -> pd.Series:
        """Predictions including the fixed effects.

        ``type="link"``: linear predictor ``x'b + sum of fixed effects (+ offset)``;
        ``type="response"``: the mean ``linkinv(link)`` (``exp`` for PPML, the probability
        for logit/cloglog), the linear prediction for least squares. Without
        ``newdata`` the fitted values of the estimation sample. Rows of ``newdata`` with a
        fixed-effect level or a level of a categorical regressor (``C(g)``) not seen in the
        estimation sample, or missing values, give NaN. Regressors are rebuilt with the fitted
        formulaic model spec (same categorical levels and stateful-transform parameters).
        """
        if type not in ("response", "link"):
            raise ValueError(f"type={type!r}; use 'response' or 'link'")
        if newdata is None:
            assert self._fitted_link is not None
            link = self._fitted_link.copy()
        else:
            link = pd.Series(self._link_new(newdata), index=newdata.index)
        if type == "response" and self.family is not None:
            return pd.Series(self.family.linkinv(link.to_numpy()), index=link.index)
        return link

    def _regressors_new(self, newdata: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Design matrix of ``newdata`` (n, p) from the fitted formulaic model spec (categorical
        levels and stateful-transform parameters such as ``center(x)``'s mean are those of the
        estimation data), and a mask (n,) of rows whose value of a categorical regressor is
        missing or was not seen when fitting (formulaic would encode it as the reference level).
        """
        import warnings

        from formulaic.errors import DataMismatchWarning
        from formulaic.parser.types import Factor as FormulaicFactor

        spec = self._rhs_spec
        mat = spec.get_materializer(newdata)
        with warnings.catch_warnings():
            # unseen levels: handled below (NaN prediction), not encoded as the reference level
            warnings.simplefilter("ignore", DataMismatchWarning)
            # pandas 3.1 deprecation raised inside formulaic for the same unseen levels
            warnings.filterwarnings("ignore", message="Constructing a Categorical with a dtype")
            x = np.asarray(mat.get_model_matrix(spec), dtype=np.float64)
        unseen = np.zeros(len(newdata), dtype=bool)
        for expr, (kind, state) in spec.encoder_state.items():
            if kind is not FormulaicFactor.Kind.CATEGORICAL or expr not in mat.factor_cache:
                continue
            vals = mat.factor_cache[expr].values
            vals = getattr(vals, "__wrapped__", vals)
            ser = pd.Series(np.asarray(vals, dtype=object).reshape(-1))
            unseen |= ~ser.isin(list(state.get("categories", []))).to_numpy()
        return x, unseen

    def _link_new(self, newdata: pd.DataFrame) -> np.ndarray:
        n = len(newdata)
        x, unseen = self._regressors_new(newdata)
        names = [str(c) for c in self._rhs_spec.column_names]
        eta = np.zeros(n)
        for name, b in self.params.items():
            eta += b * x[:, names.index(name)]
        eta[unseen] = np.nan
        for f, fe in zip(self._fixef, self.fixef().values(), strict=True):
            parts = f.name.split("^")
            for p in parts:
                if p not in newdata.columns:
                    raise ValueError(f"newdata lacks fixed-effect column {p!r}")
            if len(parts) == 1:
                key = pd.Index(newdata[parts[0]])
            else:
                key = pd.MultiIndex.from_arrays([newdata[p] for p in parts])
            pos = fe.index.get_indexer(key)
            vals = np.where(pos >= 0, fe.to_numpy()[np.maximum(pos, 0)], np.nan)
            eta += vals
        if self._offset_name is not None:
            eta += pd.to_numeric(newdata[self._offset_name], errors="coerce").to_numpy(float)
        return eta

    # ---- margins ---------------------------------------------------------------------------
    def margins(self, kind: str = "ame", dummy: bool = False, alpha: float = 0.05) -> pd.DataFrame:
        """Average marginal effects (``kind="ame"``) or the average predicted probability /
        hazard (``kind="predict"``) with delta-method SEs (binary GLMs; see
        :mod:`polecon.models.glm.margins`). Columns as :meth:`tidy`."""
        from polecon.models.glm.margins import margins

        return margins(self, kind=kind, dummy=dummy, alpha=alpha)

    # ---- display ---------------------------------------------------------------------------
    def _summary_header(self) -> list[str]:
        title = MODEL_TITLES.get(self.model, self.model)
        lines = [f"{title}{' with fixed effects' if self._fixef else ''}: {self.formula}"]
        fe = ", ".join(f"{f.name} ({f.size})" for f in self._fixef) or "none"
        lines.append(f"Fixed effects (levels): {fe}")
        lines.append(
            f"Observations: {self.nobs:,}   dropped: {len(self.dropped):,} "
            + (
                "(" + ", ".join(f"{k} {v:,}" for k, v in self.dropped.value_counts().items()) + ")"
                if len(self.dropped)
                else ""
            )
        )
        cl = ", ".join(f"{k}: {v:,}" for k, v in self.n_clusters.items())
        lines.append(
            f"Standard errors: {self.vcov_type}, ssc={self.ssc!r}"
            + (f"; clusters {cl}" if cl else "")
        )
        return lines

    def _summary_footer(self) -> list[str]:
        lines = []
        if self.model in LEAST_SQUARES:
            lines.append(
                f"R²: {self.r2:.4f}"
                + (f"   within R²: {self.r2_within:.4f}" if self.r2_within is not None else "")
            )
        else:
            pr2 = self.pseudo_r2
            lines.append(
                f"Deviance: {self.deviance:.6g}   pseudo R² (McFadden): "
                + (f"{pr2:.4f}" if pr2 is not None else "n/a")
            )
        lines.append(
            f"Iterations: {self.iterations}   converged: {self.converged}"
            + (f"   collinear (dropped): {', '.join(self.collinear)}" if self.collinear else "")
        )
        return lines

    def __str__(self) -> str:
        return self.summary()
