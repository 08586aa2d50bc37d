"""Chilton & Woda (2022) Bilateral Labor Agreements (BLA) dataset.

Three raw files (``blas/chilton_woda_2022/``, see ``data/blas/PROVENANCE.md``):

- ``BLAs_Formation_Data.dta``: one row per agreement (1,222 BLAs, 1927-2020): parties,
  signature year and date, ratification date.  :func:`parse_formation` turns it into a
  per-agreement table with canonical party codes and cleaned dates;
  :func:`blma_agreements` turns that into rows of the canonical ``agreements`` table
  (``type == "blma"``).
- ``BLAs_Coding_Data.dta``: the content coding of the 570 agreements whose text was found.
  :func:`parse_coding` gives it readable column names; it is the canonical table
  ``blma_provisions``.
- ``countries_match.xlsx``: the replication authors' name -> ISO3 crosswalk, used through the
  ``cw_name`` country scheme to cross-check the COW-style codes.

Date rules (each application is written to the build log with the agreement ids):

1. Strings are stripped; blank means missing.  Dates are ``M/D/YYYY``.
2. ``year == 9999`` is a missing signature year (treatyID 1079): ``year`` is NA, the agreement
   has no signature date (``signed_precision == "none"``) and is never coded as signed or in
   force.
3. A date whose year lies after the dataset's last year (2020) is a typo: its year is replaced
   by the ``year`` column when the result is a valid date (``5/2/2997`` -> 2007-05-02,
   treatyID 659, year 2007).
4. Where ``year`` and the year of ``datesigned`` disagree (6 rows after rule 3, treatyIDs 420,
   612, 1119, 1123, 1171, 1268; 7 in the raw file counting the 2997 typo),
   ``date_conflict="year"`` (default) trusts the ``year`` column and drops the conflicting day
   (``signed_precision == "year"``): ``year`` is the variable the dataset's authors analyse
   ("Year the treaty was signed"), so per-year counts match theirs, and the one demonstrable
   typo in the file is in ``datesigned``.  The rows themselves give mixed evidence (in 420,
   ``year`` equals the ratification year, which suggests the day-level string is right there),
   so ``date_conflict="date"`` (trust ``datesigned``, reset ``year`` from it) is the robustness
   alternative.
5. A ``datesigned`` holding two dates (``1/26/1951, 4/24/1951``, treatyID 77, an exchange of
   notes) is signed at the first date; the second date (conclusion of the exchange) stands in
   for a missing ratification date.
6. A ratification string with trailing text (``5/29/2007 or sooner``, treatyID 722) keeps its
   date.
7. In-force rule (HYPOTHESES s.2): BLMAs take effect at signature unless a *later*
   ratification / entry-into-force date is given.  A ratification date earlier than the
   signature (18 rows) is recorded but ignored for ``in_force``.
8. Agreements known only to the year (``signed_precision == "year"``: 208 blank dates with a
   year plus the 6 conflicts of rule 4 = 214) are dated 1 January of that year in :func:`blma_agreements`
   (``undated="year_start"``, the default, so annual coding keeps them) or NaT
   (``undated="nat"``).
9. No termination dates exist.  ``duration="coded"`` sets ``terminated`` to ``in_force`` plus
   the coded duration for agreements the coding file says are valid for a stated number of
   years *without* automatic renewal; the default ``duration="none"`` leaves it NaT.

Code layout: the reading and validation helpers live in :mod:`._chilton_woda_read`,
:func:`parse_formation` (date rules 1-6) in :mod:`._chilton_woda_formation`, and
``PROVISIONS`` / ``CODING_SCHEMA`` / :func:`parse_coding` in :mod:`._chilton_woda_coding`;
all are imported back here, and this module registers table ``blma_provisions``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import ReadOptions as _ReadOptions
from polecon.sources._readers import source_name
from polecon.sources._schema import Column, Schema, SchemaError, SourceError

# moved unchanged to private modules; imported back under the same names
from polecon.sources.agreements._chilton_woda_coding import (
    CODING_SCHEMA,
    PROVISIONS,
    parse_coding,
)
from polecon.sources.agreements._chilton_woda_formation import FORMATION_SCHEMA, parse_formation
from polecon.sources.agreements._chilton_woda_read import FIRST_YEAR, LAST_YEAR, MISSING_YEAR
from polecon.sources.agreements._chilton_woda_read import LANGUAGES as LANGUAGES

__all__ = [
    "AGREEMENTS_SCHEMA",
    "CITATION",
    "CODING_KEY",
    "CODING_SCHEMA",
    "FORMATION_KEY",
    "FORMATION_SCHEMA",
    "MATCH_KEY",
    "PROVISIONS",
    "blma_agreements",
    "build_provisions",
    "parse",
    "parse_coding",
    "parse_formation",
]

CITATION = (
    "Chilton, Adam S. and Bartosz Woda (2022), Bilateral Labor Agreements Dataset, Harvard "
    "Dataverse (https://dataverse.harvard.edu/dataverse/BLA), accompanying 'The Expanding "
    "Universe of Bilateral Labor Agreements'; earlier core: Chilton, A. S. and E. A. Posner "
    "(2018), 'Why Countries Sign Bilateral Labor Agreements', Journal of Legal Studies 47(S1). "
    "Files as redistributed by Adhikari, Cha'ngom, Kaila and Shrestha (2024), "
    "github.com/NarcisseChangom/BLAs-Migration-repo (DATA/, commit bf233339)."
)

FORMATION_KEY = "blas/chilton_woda_2022/BLAs_Formation_Data.dta"
CODING_KEY = "blas/chilton_woda_2022/BLAs_Coding_Data.dta"
MATCH_KEY = "blas/chilton_woda_2022/countries_match.xlsx"

#: exactly the columns of the canonical ``agreements`` table, for the BLMA rows
AGREEMENTS_SCHEMA = Schema(
    name="agreements[blma]",
    description="Chilton-Woda BLAs as rows of the canonical agreements table",
    columns=(
        Column("agreement_id", "string", "'cw:<treatyID>'", nullable=False),
        Column("type", "string", "agreement type", nullable=False, allowed=frozenset({"blma"})),
        Column(
            "party_a",
            "string",
            "party (canonical), party_a < party_b",
            nullable=False,
            country=True,
        ),
        Column("party_b", "string", "party (canonical)", nullable=False, country=True),
        Column(
            "signed",
            "date",
            "signature date (year-only dates: 1 January)",
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        Column(
            "in_force",
            "date",
            "in force from: signature, or a later ratification date",
            min=FIRST_YEAR,
            max=LAST_YEAR + 1,
        ),
        Column("terminated", "date", "end date (NaT: none known; see duration option)"),
        Column(
            "source",
            "string",
            "source dataset",
            nullable=False,
            allowed=frozenset({"chilton_woda"}),
        ),
        Column("source_id", "string", "treatyID", nullable=False),
        Column("n_parties", "Int", "number of parties", nullable=False, min=2, max=2),
        Column("title", "string", "agreement title (coding file; NA for the 652 uncoded)"),
        Column("bloc", "string", "bloc expanded into this pair (always NA: no bloc parties)"),
    ),
    key=("agreement_id", "party_a", "party_b"),
)


#: the per-source parser of this module (the main, formation file)
parse = parse_formation


def blma_agreements(
    formation_path: Path,
    log: BuildLog,
    *,
    coding_path: Path | None = None,
    date_conflict: str = "year",
    undated: str = "year_start",
    duration: str = "none",
) -> pd.DataFrame:
    """Chilton-Woda BLAs as rows of the canonical ``agreements`` table (AGREEMENTS_SCHEMA).

    One row per agreement (every BLA is bilateral): 1,222 rows.  ``party_a < party_b``.
    ``signed``: the signature day, or 1 January of the signature year when only the year is
    known (``undated="year_start"``; ``"nat"`` leaves NaT).  ``in_force``: ``signed``, or the
    ratification date when that is later.  ``terminated``: NaT, or with ``duration="coded"``
    (needs ``coding_path``) ``in_force`` plus the stated duration for agreements valid for a
    stated number of years without automatic renewal.  ``title`` comes from the coding file
    when ``coding_path`` is given (570 agreements), else NA.
    """
    if undated not in ("year_start", "nat"):
        raise ValueError(f"undated must be 'year_start' or 'nat', got {undated!r}")
    if duration not in ("none", "coded"):
        raise ValueError(f"duration must be 'none' or 'coded', got {duration!r}")
    if duration == "coded" and coding_path is None:
        raise ValueError("duration='coded' needs coding_path (BLAs_Coding_Data.dta)")
    f = parse_formation(formation_path, date_conflict=date_conflict, log=log)
    year_start = pd.to_datetime(
        pd.DataFrame({"year": f["year"].astype("float"), "month": 1.0, "day": 1.0}), errors="coerce"
    ).astype("datetime64[s]")
    signed = f["signed"]
    if undated == "year_start":
        signed = signed.fillna(year_start)
        log.note(
            f"chilton_woda: {int((f['signed_precision'] == 'year').sum())} agreements known only to "
            "the year are dated 1 January of that year (undated='year_start')"
        )
    later = f["ratified"].notna() & signed.notna() & (f["ratified"] > signed)
    in_force = signed.mask(later, f["ratified"])
    log.note(
        f"chilton_woda: in_force = signature date, or the ratification date when later "
        f"({int(later.sum())} agreements); no termination dates in the source"
    )
    terminated = pd.Series(pd.NaT, index=f.index, dtype="datetime64[s]")
    title = pd.Series(pd.NA, index=f.index, dtype="string")
    if coding_path is not None:
        c = parse_coding(coding_path)
        c = c.set_index("agreement_id")
        unknown = ~c.index.isin(f["agreement_id"])
        if unknown.any():
            raise SourceError(
                Path(coding_path).name,
                "treatyID not in the formation file",
                column="treatyID",
                rows=c.index[unknown].tolist(),
            )
        title = f["agreement_id"].map(c["title"]).astype("string")
        if duration == "coded":
            yrs = f["agreement_id"].map(c["duration_years"]).astype("Int64")
            fixed = (
                f["agreement_id"]
                .map(c["duration_type"] == "The BLA is valid for a specified number of years")
                .fillna(False)
                .astype(bool)
            )
            renew = f["agreement_id"].map(c["auto_renewal"]).astype("boolean")
            use = (
                fixed
                & renew.eq(False).fillna(False).astype(bool)
                & (yrs > 0).fillna(False).astype(bool)
            )
            use &= in_force.notna()
            ends = [
                d + pd.DateOffset(years=int(n))
                for d, n in zip(in_force[use], yrs[use], strict=True)
            ]
            terminated[use] = pd.Series(ends, index=f.index[use]).astype("datetime64[s]")
            log.note(
                f"chilton_woda: duration='coded': {int(use.sum())} agreements valid for a stated "
                "number of years without automatic renewal end at in_force + duration; the others "
                "have no end date"
            )
    from polecon.countries import expand_blocs

    out = pd.DataFrame(
        {
            "agreement_id": f["agreement_id"],
            "type": pd.array(["blma"] * len(f), dtype="string"),
            "party_a": f["country_a"],
            "party_b": f["country_b"],
            "signed": signed.astype("datetime64[s]"),
            "in_force": in_force.astype("datetime64[s]"),
            "terminated": terminated,
            "source": pd.array(["chilton_woda"] * len(f), dtype="string"),
            "source_id": f["treaty_id"].astype(str).astype("string"),
            "n_parties": pd.array([2] * len(f), dtype="Int64"),
            "title": title,
        }
    )
    # no Chilton-Woda party is a bloc today; expand any that a future release adds
    out = expand_blocs(out, "party_a", "signed").rename(columns={"bloc": "bloc_a"})
    out = expand_blocs(out, "party_b", "signed")
    out["bloc"] = out["bloc_a"].fillna(out["bloc"]).astype("string")
    out = out.drop(columns="bloc_a")
    if out["bloc"].notna().any():
        log.note(f"chilton_woda: bloc parties expanded: {sorted(set(out['bloc'].dropna()))}")
    a, b = out["party_a"].astype("string"), out["party_b"].astype("string")
    swap = (a > b).to_numpy()
    out["party_a"] = a.where(~swap, b)
    out["party_b"] = b.where(~swap, a)
    return AGREEMENTS_SCHEMA.validate(out, source=source_name(formation_path))


@register_table(
    "blma_provisions",
    schema=CODING_SCHEMA,
    raw=(CODING_KEY, FORMATION_KEY, MATCH_KEY),
    citation=CITATION,
    description="Chilton-Woda content coding of 570 BLA texts (readable provision names)",
)
def build_provisions(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """Build ``blma_provisions``: 570 rows keyed by ``agreement_id`` (joins to agreements)."""
    coding = parse_coding(raw[CODING_KEY])
    formation = parse_formation(raw[FORMATION_KEY])
    source = source_name(raw[CODING_KEY])
    f = formation.set_index("agreement_id")
    unknown = ~coding["agreement_id"].isin(f.index)
    if unknown.any():
        raise SchemaError(
            source,
            "treatyID not in the formation file",
            column="treatyID",
            rows=coding.index[unknown],
        )
    match = f.loc[coding["agreement_id"]]
    for col, raw_col, theirs in (
        ("country_a", "codeA", match["country_a"]),
        ("country_b", "codeB", match["country_b"]),
        ("year", "year", match["year_raw"]),
    ):
        mine = coding[col].astype(object).fillna(MISSING_YEAR).to_numpy()
        differ = mine != theirs.astype(object).to_numpy()
        if differ.any():
            raise SchemaError(
                source,
                f"{raw_col} differs from the formation file",
                column=raw_col,
                rows=coding.index[differ],
            )
    log.note(
        f"{Path(raw[CODING_KEY]).name}: {len(coding)} coded agreements, all in the formation file with the same "
        "parties and year; 'year' is kept as distributed (the formation file's date rules are "
        "in the agreements table)"
    )
    return coding


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (
    *(
        RawIdentifier(key, cols, scheme, years="year")
        for key in (FORMATION_KEY, CODING_KEY)
        for cols, scheme in (("countryA+countryB", "cw_name"), ("codeA+codeB", "cw_code"))
    ),
    *(
        RawIdentifier(
            MATCH_KEY, col, scheme, f"{sheet}: {col}", read=_ReadOptions("xlsx", sheet=sheet)
        )
        for sheet, code, name in (
            ("CountryA", "d_iso3", "Name of country A"),
            ("CountryB", "o_iso3", "Name of country B"),
        )
        for col, scheme in ((name, "cw_name"), (code, "cw_iso3"))
    ),
    RawIdentifier(
        MATCH_KEY,
        "o_iso3 - combined",
        "wb",
        "Mahesh-to-BLAs: o_iso3 - combined",
        read=_ReadOptions("xlsx", sheet="Mahesh-to-BLAs"),
    ),
)
