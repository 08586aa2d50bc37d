"""The country-pair-year panel, composed in peacesciencer's style.

>>> from polecon import panel as pp
>>> df = pp.dyad_years(1946, 2020)             # doctest: +SKIP
>>> df = pp.add_agreements(df)                 # doctest: +SKIP
>>> df = pp.build_panel()                      # the standard set, in one call  # doctest: +SKIP
"""

from __future__ import annotations

from polecon.panel.agreements import add_agreements, code_agreements
from polecon.panel.build import build_panel, lag, replicate_stage, write_panel
from polecon.panel.covariates import add_country_year, add_gravity
from polecon.panel.dictionary import data_dictionary, dictionary_markdown
from polecon.panel.diffusion import add_diffusion
from polecon.panel.dyads import dyad_years, undirected
from polecon.panel.flows import add_migration, add_reciprocity, add_trade, twoway_index
from polecon.panel.geography import capital_distance, contiguity_years, haversine_km
from polecon.panel.roles import add_roles
from polecon.panel.unilateral import add_unilateral_option

__all__ = [
    "add_agreements",
    "add_country_year",
    "add_diffusion",
    "add_gravity",
    "add_migration",
    "add_reciprocity",
    "add_roles",
    "add_trade",
    "add_unilateral_option",
    "build_panel",
    "capital_distance",
    "code_agreements",
    "contiguity_years",
    "data_dictionary",
    "dictionary_markdown",
    "dyad_years",
    "haversine_km",
    "lag",
    "replicate_stage",
    "twoway_index",
    "undirected",
    "write_panel",
]
