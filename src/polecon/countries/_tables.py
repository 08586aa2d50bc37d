"""Reviewed tables shared by the crosswalk and the bloc tables (a leaf module).

``crosswalk`` needs the bloc codes (``to_canonical`` may return them) and ``blocs`` needs
``to_canonical`` (to map EU member codes); both read the reviewed tables in
``datasets/countries`` (the raw files are read through ``crosswalk._read_r``, which
checks them against the declared ``CROSSWALK_FILES``).  What both need lives here, so
``blocs`` imports ``crosswalk`` and neither imports the other in a cycle.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from polecon._paths import DATASETS_DIR

TABLES_DIR = DATASETS_DIR / "countries"  # the reviewed tables, shipped with the package

# Codes that denote the same bloc (the EEC became the EC and then the EU).
BLOC_ALIASES: dict[str, str] = {"EEC": "EU", "EC": "EU", "EU": "EU", "BLEU": "BLEU", "EFTA": "EFTA"}

__all__ = ["BLOC_ALIASES", "TABLES_DIR", "bloc_codes"]


@cache
def bloc_codes() -> frozenset[str]:
    """Every bloc code ``to_canonical`` may return (blocs with and without membership tables)."""
    tab = pd.read_csv(TABLES_DIR / "blocs.csv", dtype=str)
    return frozenset(BLOC_ALIASES) | frozenset(tab["code"])
