"""Declarative default adoption models (HYPOTHESES s.5): which risk-set columns, how lagged.

Every covariate is a column of :func:`polecon.panel.spells.risk_set` (built there with the lag
stated here); hypotheses code reads :data:`SPECS` instead of repeating the lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: (column, how it is measured in the risk set)
COVARIATE_LAGS: dict[str, str] = {
    "lgdp_rich": "t-1",
    "lgdp_poor": "t-1",
    "lgdppc_ratio": "t-1",
    "ldist": "time-invariant",
    "contig": "time-invariant",
    "comlang_off": "time-invariant",
    "colony": "time-invariant",
    "dem_rich": "t-1",
    "dem_poor": "t-1",
    "ltrade": "latest flow year <= t-1",
    "lmigrants": "latest flow wave <= t-1",
    "twoway_governing": "latest flow wave <= t-1",
    "dest_origin_diversity": "t-1 (latest stock wave <= t-1)",
    "ldest_n_origins": "t-1 (latest stock wave <= t-1)",
    "ldest_labour_pool": "t-1",
    "origin_share": "t-1 (latest stock wave <= t-1)",
    "diffusion_rich": "agreements by t-1",
    "diffusion_poor": "agreements by t-1",
    "pta_in_force": "t-1",
}

TIME_CUBIC: tuple[str, ...] = ("t_risk", "t_risk2", "t_risk3")


@dataclass(frozen=True)
class AdoptionSpec:
    """One default adoption model: outcome, covariates, time terms, fixed effect, cluster."""

    kind: str
    covariates: tuple[str, ...]
    time: tuple[str, ...] = TIME_CUBIC
    fe: str = "year"
    cluster: str = "pair"
    depvar: str = "event"
    lag: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def terms(self) -> tuple[str, ...]:
        return (*self.covariates, *self.time)


_BASE: tuple[str, ...] = tuple(c for c in COVARIATE_LAGS if c != "pta_in_force")

SPECS: dict[str, AdoptionSpec] = {
    "bit": AdoptionSpec("bit", (*_BASE, "pta_in_force")),
    "bfta": AdoptionSpec("bfta", (*_BASE, "pta_in_force")),
    # a pair at risk of its first trade agreement never has one in force
    "pta": AdoptionSpec("pta", _BASE),
    "blma": AdoptionSpec(
        "blma",
        (*_BASE, "pta_in_force"),
        notes=("H4: pta_in_force should not predict a BLMA",),
    ),
}
