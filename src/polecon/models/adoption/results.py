"""Results of the adoption models: the shared results protocol plus per-type bookkeeping."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from polecon.models._core.results import ModelResults


@dataclass
class AdoptionResults(ModelResults):
    """A fitted adoption model (logit or cloglog hazard on risk sets).

    Inference (``bse``, ``pvalues``, ``conf_int()``, ``tidy()``, ``wald_test()``,
    ``summary()``) comes from :class:`~polecon.models._core.results.ModelResults` (normal and
    chi-square, as for every likelihood model). ``n_events`` and ``nobs_by_type``: events and
    pair-years per agreement type in the estimation sample; ``dropped``: rows not used, by
    reason (a column with missing values, fixed-effect levels without variation, separation).
    """

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

    def _summary_header(self) -> list[str]:
        return [*super()._summary_header(), f"Events by type: {self.n_events}"]
