"""Reviewed tables and raw readers shared by the crosswalk and the bloc tables (a leaf module).

``crosswalk`` needs the bloc codes (``to_canonical`` may return them) and ``blocs`` needs
``to_canonical`` (to map EU member codes); both read the reviewed tables in
``datasets/countries`` and the R data files of the mirror.  What both need lives here, so
``blocs`` imports ``crosswalk`` and neither imports the other in a cycle.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from polecon._paths import DATASETS_DIR
from polecon.registry import fetch

TABLES_DIR = DATASETS_DIR / "countries"  # the reviewed tables, shipped with the package

# Codes that denote the same bloc (the EEC became the EC and then the EU).
BLOC_ALIASES: dict[str, str] = {"EEC": "EU", "EC": "EU", "EU": "EU", "BLEU": "BLEU", "EFTA": "EFTA"}

__all__ = ["BLOC_ALIASES", "TABLES_DIR", "bloc_codes", "read_r"]


def read_r(key: str) -> pd.DataFrame:
    """The single R object in registry file ``key`` (``.rda``/``.rds``), read with pyreadr."""
    import pyreadr

    result = pyreadr.read_r(str(fetch(key)))
    if len(result) != 1:
        raise ValueError(f"{key}: expected one R object, found {list(result)}")
    return next(iter(result.values()))


@cache
def bloc_codes() -> frozenset[str]:
    """Every bloc code ``to_canonical`` may return (blocs with and without membership tables)."""
    tab = pd.read_csv(TABLES_DIR / "blocs.csv", dtype=str)
    return frozenset(BLOC_ALIASES) | frozenset(tab["code"])
