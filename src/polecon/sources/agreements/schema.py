"""Schema of the canonical ``agreements`` table and helpers shared by its source parsers.

The parsers (:mod:`.unctad`, :mod:`.desta`, :mod:`.chilton_woda`) import this module; the
table builder (:mod:`.build`) imports them.  This module imports none of them, so the
dependency runs one way: schema <- parsers <- build.  The table is described in
:mod:`polecon.sources.agreements`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from polecon.sources._common import canonical_codes
from polecon.sources._readers import require_columns, source_name
from polecon.sources._schema import Column, Schema

TYPES = ("bit", "tip", "bfta", "pta", "blma")
SOURCES = ("unctad2025", "unctad2020", "desta", "chilton_woda")

UNCTAD_2025_KEY = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
UNCTAD_2020_KEY = "bits/unctad_iia_navigator_2020-01/BIT-origin.dta"
UNCTAD_XWALK_KEY = "bits/unctad_iia_navigator_2020-01/ISO3-CountryName-UNTACD.dta"
DESTA_DYADS_KEY = "ptas/desta_v2.3/desta_list_of_treaties_02_03_dyads.csv"
DESTA_LIST_KEY = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
DESTA_WITHDRAWAL_KEY = "ptas/desta_v2.3/desta_dyadic_withdrawal_02_03.csv"
CW_FORMATION_KEY = "blas/chilton_woda_2022/BLAs_Formation_Data.dta"
CW_CODING_KEY = "blas/chilton_woda_2022/BLAs_Coding_Data.dta"

#: the exact columns of the canonical table, in order
COLUMN_NAMES = (
    "agreement_id",
    "type",
    "party_a",
    "party_b",
    "signed",
    "in_force",
    "terminated",
    "source",
    "source_id",
    "n_parties",
    "title",
    "bloc",
    "termination_type",
)


def agreement_columns(
    types: Iterable[str] = TYPES, sources: Iterable[str] = SOURCES
) -> tuple[Column, ...]:
    """The columns of the agreements table, restricted to ``types`` and ``sources``."""
    return (
        Column(
            "agreement_id",
            "string",
            'agreement id, unique per agreement ("unctad2025:<treaty_id>", "desta:<base_treaty>", '
            '"cw:<id>", ...)',
            nullable=False,
        ),
        Column("type", "string", "bit|tip|bfta|pta|blma", nullable=False, allowed=frozenset(types)),
        Column(
            "party_a",
            "string",
            "first party (canonical code, < party_b)",
            nullable=False,
            country=True,
        ),
        Column(
            "party_b",
            "string",
            "second party (canonical code, > party_a)",
            nullable=False,
            country=True,
        ),
        Column(
            "signed", "date", "date of signature (DESTA: 1 Jan of the year)", min=1900, max=2030
        ),
        Column(
            "in_force",
            "date",
            "date of entry into force for the pair; NaT = not (known to be) in force",
            min=1900,
            max=2030,
        ),
        Column(
            "terminated",
            "date",
            "date of termination (UNCTAD) or withdrawal of a party (DESTA); NaT = none",
            min=1900,
            max=2030,
        ),
        Column(
            "source",
            "string",
            "unctad2025|unctad2020|desta|chilton_woda",
            nullable=False,
            allowed=frozenset(sources),
        ),
        Column("source_id", "string", "id of the source row behind this pair", nullable=False),
        Column(
            "n_parties",
            "Int",
            "parties as the source lists them, a bloc counting as one (1 = a bloc's own treaty)",
            min=1,
        ),
        Column("title", "string", "agreement title as given by the source"),
        Column(
            "bloc",
            "string",
            "bloc(s) through which a party entered the pair by expansion (e.g. BLEU, EU), "
            '";"-joined in party_a, party_b order when both; <NA> otherwise',
        ),
        Column(
            "termination_type",
            "string",
            "UNCTAD 2020 termination type (Unilaterally denounced, Replaced by new treaty, ...)",
        ),
    )


def agreement_schema(
    name: str,
    types: Iterable[str] = TYPES,
    sources: Iterable[str] = SOURCES,
    description: str = "",
    notes: Sequence[str] = (),
) -> Schema:
    """A schema with the agreements columns and key, for the canonical or a per-source table."""
    return Schema(
        name=name,
        columns=agreement_columns(types, sources),
        key=("agreement_id", "party_a", "party_b"),
        description=description,
        notes=tuple(notes),
    )


NOTES = (
    "UNCTAD: parties come from short_title (not parties); BLEU expanded to BEL and LUX (bloc='BLEU').",
    "UNCTAD: one treaty listed under several successor states of a dissolved state (CSK, USSR, "
    "SFRY, Serbia-Montenegro) with the same partner and signature date keeps one agreement_id.",
    "DESTA: consolidated entries dropped; withdrawals end the pair (terminated = 1 Jan of the "
    "withdrawal year); bfta = exactly two parties counting a bloc as one (DESTA mc codes).",
    "DESTA pairs without an entry-into-force year (many accessions) have in_force NaT.",
    "BLMA rows come from polecon.sources.agreements.chilton_woda.blma_agreements.",
)

#: the four coding defects of issue 11 C, one line each in the data report (the counts they
#: change are measured on the built table and logged with them)
DEFECT_FIXES = (
    "Fix (issue 11 C, accession dyads inside one side): DESTA accession pairs of two-party "
    "agreements whose members belong to one signing bloc a year after the accession (EEA 437+2: "
    "POL-DEU, MLT-GBR, CZE-FRA) are dropped (desta._same_side; see the drops above).",
    "Fix (issue 11 C, successor BLMA on the predecessor): an agreement re-attributed to a "
    "predecessor ends there on 1 January of the successor's first state-system year; year-only "
    "dates count by year (Chilton-Woda 613 ITA-SVN 1991 is on ITA-SRB in 1991 only; "
    "polecon.panel.agreements.attribute_to_predecessors).",
    "Fix (issue 11 C, one BIT counted twice): successor listings of one treaty match when their "
    "signature dates lie within unctad.SUCCESSOR_DATE_TOLERANCE_DAYS (Sweden-Yugoslavia "
    "1978-11-10/11 is one agreement, SRB-SWE bit_count 1).",
    "Fix (issue 11 C, BLEU listing not expanded): a BLEU-titled row expands to BEL and LUX "
    "whichever its parties field names (1989 BLEU-USSR, Kyrgyz listing: KGZ-LUX added).",
)


SCHEMA = agreement_schema(
    "agreements",
    description="One row per agreement x party pair (BITs, TIPs, FTAs, PTAs, BLMAs).",
    notes=NOTES,
)

CITATION = (
    "UNCTAD, International Investment Agreements Navigator (scraped Feb 2025 by B. Key; Jan 2020 "
    "export compiled by A.T.N. Nguyen); Dür, Baccini & Elsig (2014), Review of International "
    "Organizations 9(3): 353-375, DESTA v2.3; Chilton & Woda (2022), Bilateral Labor Agreements "
    "dataset."
)


# ---------------------------------------------------------------------------
# helpers shared by the agreement parsers
# ---------------------------------------------------------------------------


def source_label(path: Path | str) -> str:
    """Short name of a raw file for messages: :func:`polecon.sources._readers.source_name`."""
    return source_name(path)


def order_pairs(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (lower, upper) of two aligned string Series, element-wise."""
    a = a.astype("string")
    b = b.astype("string")
    swap = (a > b).fillna(False).to_numpy(dtype=bool)
    lo = a.where(~swap, b)
    hi = b.where(~swap, a)
    return lo, hi


def year_to_date(years: pd.Series) -> pd.Series:
    """Integer years (float/Int, NA allowed) -> datetime64 on 1 January; NA -> NaT."""
    y = pd.to_numeric(years, errors="coerce")
    out = pd.to_datetime(
        pd.DataFrame({"year": y.fillna(2000).astype(int), "month": 1, "day": 1}), errors="coerce"
    )
    return out.where(y.notna()).astype("datetime64[ms]")


def finalize(df: pd.DataFrame, schema: Schema, source: str) -> pd.DataFrame:
    """Cast to the declared dtypes, sort deterministically and validate against ``schema``."""
    out = df.copy()
    for c in schema.columns:
        if c.name not in out.columns:
            out[c.name] = pd.NA
        if c.dtype == "string":
            out[c.name] = out[c.name].astype("string")
        elif c.dtype == "date":
            out[c.name] = pd.to_datetime(out[c.name]).astype("datetime64[ms]")
        elif c.dtype == "Int":
            out[c.name] = out[c.name].astype("Int64")
    out = out[[c.name for c in schema.columns]]
    out = out.sort_values(["source", "agreement_id", "party_a", "party_b"], kind="stable")
    out = out.reset_index(drop=True)
    return schema.validate(out, source=source)


def map_countries(
    values: pd.Series, scheme: str, source: str, column: str, rows: pd.Series | None = None
) -> pd.Series:
    """:func:`polecon.sources._common.canonical_codes` (``rows``: the source row label of each
    value, for the message; default the index)."""
    return canonical_codes(values, scheme, source=source, column=column, rows=rows)


__all__ = [
    "CITATION",
    "COLUMN_NAMES",
    "CW_CODING_KEY",
    "CW_FORMATION_KEY",
    "DEFECT_FIXES",
    "DESTA_DYADS_KEY",
    "DESTA_LIST_KEY",
    "DESTA_WITHDRAWAL_KEY",
    "NOTES",
    "SCHEMA",
    "SOURCES",
    "TYPES",
    "UNCTAD_2020_KEY",
    "UNCTAD_2025_KEY",
    "UNCTAD_XWALK_KEY",
    "agreement_columns",
    "agreement_schema",
    "finalize",
    "map_countries",
    "order_pairs",
    "require_columns",
    "source_label",
    "year_to_date",
]
