"""``polecon.adoption``: the adoption models (re-exported from :mod:`polecon.models.adoption`)."""

from __future__ import annotations

from polecon.models.adoption import SPECS, AdoptionResults, StackedResults, fit, stacked
from polecon.panel.spells import risk_set

__all__ = ["SPECS", "AdoptionResults", "StackedResults", "fit", "risk_set", "stacked"]
