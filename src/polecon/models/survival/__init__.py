"""Event-history estimators: Cox proportional hazards (counting process), conditional logit and
Firth-penalised logit. Formula and DataFrame in, a results object of the team protocol out."""

from polecon.models.survival._design import ModelInputError
from polecon.models.survival._results import SurvivalResults
from polecon.models.survival.clogit import clogit
from polecon.models.survival.cox import cox
from polecon.models.survival.firth import FirthResults, firth_logit

__all__ = [
    "FirthResults",
    "ModelInputError",
    "SurvivalResults",
    "clogit",
    "cox",
    "firth_logit",
]
