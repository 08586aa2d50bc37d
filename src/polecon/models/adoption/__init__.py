"""Adoption (event-history) models of who signs a BIT, a BFTA or a BLMA, and when.

>>> from polecon.panel.spells import risk_set             # doctest: +SKIP
>>> from polecon.models import adoption                   # doctest: +SKIP
>>> sets = {k: risk_set(panel, k) for k in ("bit", "bfta", "blma")}  # doctest: +SKIP
>>> res = adoption.stacked(sets)                          # doctest: +SKIP
>>> res.equal_across_types("colony")                      # doctest: +SKIP
"""

from __future__ import annotations

from polecon.models.adoption.model import StackedResults, fit, stacked
from polecon.models.adoption.results import AdoptionResults
from polecon.models.adoption.specs import SPECS, AdoptionSpec

__all__ = ["SPECS", "AdoptionResults", "AdoptionSpec", "StackedResults", "fit", "stacked"]
