"""Builder of the canonical ``agreements`` table: UNCTAD, DESTA and Chilton-Woda rows combined.

Registers the table (:func:`polecon.sources.register_table`); the columns, notes and shared
helpers are in :mod:`.schema`, each source's rows come from its parser module.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._schema import SourceError
from polecon.sources.agreements import desta
from polecon.sources.agreements import unctad as unctad_mod
from polecon.sources.agreements.chilton_woda import blma_agreements
from polecon.sources.agreements.schema import (
    CITATION,
    COLUMN_NAMES,
    CW_CODING_KEY,
    CW_FORMATION_KEY,
    DEFECT_FIXES,
    DESTA_DYADS_KEY,
    DESTA_LIST_KEY,
    DESTA_WITHDRAWAL_KEY,
    SCHEMA,
    TYPES,
    UNCTAD_2020_KEY,
    UNCTAD_2025_KEY,
    UNCTAD_XWALK_KEY,
    finalize,
)
from polecon.sources.desta_blocs import spells


def _blma(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    return blma_agreements(raw[CW_FORMATION_KEY], log, coding_path=raw[CW_CODING_KEY])


@register_table(
    "agreements",
    schema=SCHEMA,
    raw=(
        UNCTAD_2025_KEY,
        UNCTAD_2020_KEY,
        UNCTAD_XWALK_KEY,
        DESTA_DYADS_KEY,
        DESTA_LIST_KEY,
        DESTA_WITHDRAWAL_KEY,
        CW_FORMATION_KEY,
        CW_CODING_KEY,
    ),
    citation=CITATION,
    default_options={"unctad": "2025", "bloc_match": desta.BLOC_MATCH},
)
def build(
    raw: dict[str, Path],
    log: BuildLog,
    unctad: str = "2025",
    bloc_match: float = desta.BLOC_MATCH,
) -> pd.DataFrame:
    """Assemble UNCTAD (``unctad="2025"`` or ``"2020"``), DESTA and Chilton-Woda rows.

    ``bloc_match``: Jaccard similarity from which a DESTA membership group counts as a
    signing bloc (:data:`polecon.sources.agreements.desta.BLOC_MATCH`, which documents the
    groups near the default)."""
    if not 0 < float(bloc_match) <= 1:
        raise ValueError(f"agreements: option bloc_match must be in (0, 1], got {bloc_match!r}")
    if str(unctad) == "2025":
        blocs = spells(raw[DESTA_LIST_KEY])
        u = unctad_mod.parse(raw[UNCTAD_2025_KEY], log=log, blocs=blocs)
        u = unctad_mod.attach_termination_type(u, raw[UNCTAD_2020_KEY], log=log)
    elif str(unctad) == "2020":
        u = unctad_mod.parse_2020(raw[UNCTAD_2020_KEY], log=log)
    else:
        raise ValueError(f"agreements: option unctad must be '2025' or '2020', got {unctad!r}")
    d = desta.parse(
        raw[DESTA_DYADS_KEY],
        raw[DESTA_LIST_KEY],
        raw[DESTA_WITHDRAWAL_KEY],
        log=log,
        bloc_match=float(bloc_match),
    )
    parts = {"UNCTAD": u, "DESTA": d, "Chilton-Woda": _blma(raw, log)}
    frames = []
    for label, part in parts.items():
        part = part.copy()
        for optional in ("bloc", "termination_type"):
            if optional not in part.columns:
                part[optional] = pd.Series(pd.NA, index=part.index, dtype="string")
        missing = [c for c in COLUMN_NAMES if c not in part.columns]
        if missing:
            raise SourceError("table 'agreements'", f"{label} rows lack column(s) {missing}")
        frames.append(part[list(COLUMN_NAMES)])
    df = pd.concat(frames, ignore_index=True)
    for t in TYPES:
        log.note(f"{t}: {int((df['type'] == t).sum())} pair rows")
    for text in DEFECT_FIXES:
        log.note(text)
    counts = {
        t: (int((df["type"] == t).sum()), int(df.loc[df["type"] == t, "agreement_id"].nunique()))
        for t in ("bfta", "bit")
    }
    log.note(
        "After the issue 11 C fixes: "
        + "; ".join(f"{t} {n:,} pair rows in {a:,} agreements" for t, (n, a) in counts.items())
    )
    return finalize(df, SCHEMA, "table 'agreements'")


__all__ = ["build"]
