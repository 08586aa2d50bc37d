"""Formation file of the Chilton & Woda (2022) BLA dataset: ``parse_formation``.

Applies the date rules 1-6 stated in the docstring of
:mod:`polecon.sources.agreements.chilton_woda`; split out of that module unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._readers import source_name
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources.agreements._chilton_woda_read import (
    _FORMATION_COLUMNS,
    _PARTY_COLUMNS,
    FIRST_YEAR,
    LANGUAGES,
    LAST_YEAR,
    MISSING_YEAR,
    _flag,
    _ids,
    _make_dates,
    _map_parties,
    _parse_dates,
    _positive_ids,
    _read_dta,
    _text,
)

FORMATION_SCHEMA = Schema(
    name="chilton_woda_formation",
    description="Chilton-Woda BLAs, one row per agreement, canonical parties, cleaned dates",
    columns=(
        Column("treaty_id", "int", "Chilton-Woda treatyID", nullable=False, min=1),
        Column("agreement_id", "string", "'cw:<treatyID>', joins to agreements", nullable=False),
        *_PARTY_COLUMNS,
        Column(
            "code_a", "int", "party A code as distributed (COW plus ad-hoc codes)", nullable=False
        ),
        Column(
            "code_b", "int", "party B code as distributed (COW plus ad-hoc codes)", nullable=False
        ),
        Column("dyad_id", "Int", "Chilton-Woda undirected pair id"),
        Column(
            "year",
            "Int",
            "signature year after the date rules (NA = unknown)",
            unit="year",
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        Column(
            "signed",
            "date",
            "signature date when known to the day (NaT otherwise)",
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        Column(
            "signed_precision",
            "string",
            "precision of the signature date",
            nullable=False,
            allowed=frozenset({"day", "year", "none"}),
        ),
        Column(
            "ratified",
            "date",
            "ratification / entry-into-force date (NaT = not given)",
            min=FIRST_YEAR,
            max=LAST_YEAR + 1,
        ),
        Column("date_rules", "string", "date rules applied to this row (';'-joined; NA = none)"),
        Column(
            "year_raw", "int", "'year' as distributed (9999 = missing)", unit="year", nullable=False
        ),
        Column("datesigned_raw", "string", "'datesigned' as distributed (stripped; NA = blank)"),
        Column("ratified_raw", "string", "'ratified' as distributed (stripped; NA = blank)"),
        Column("copy_available", "boolean", "a copy of the text was found"),
        Column("evidence_available", "boolean", "evidence of the agreement without a text"),
        Column("evidence_not_available", "boolean", "no copy or evidence found"),
        Column(
            "dataset_original", "string", "earlier dataset listing it (NA = new in Chilton-Woda)"
        ),
        Column("copy_languages", "string", "languages of the available text (';'-joined)"),
    ),
    key=("treaty_id",),
)


def parse_formation(
    path: Path, *, date_conflict: str = "year", log: BuildLog | None = None
) -> pd.DataFrame:
    """Parse ``BLAs_Formation_Data.dta`` into one row per agreement (FORMATION_SCHEMA).

    Applies the module's date rules 1-6 (``date_conflict`` is ``"year"`` or ``"date"``, rule
    4) and maps the parties to canonical codes.  Decisions go to ``log`` as notes.
    Shape: 1,222 rows x 22 columns for the distributed file.
    """
    if date_conflict not in ("year", "date"):
        raise ValueError(f"date_conflict must be 'year' or 'date', got {date_conflict!r}")
    path = Path(path)
    source = source_name(path)
    raw = _read_dta(path, _FORMATION_COLUMNS)
    raw = raw.reset_index(drop=True)
    dup = raw["treatyID"].duplicated(keep=False)
    if dup.any():
        raise SourceError(source, "duplicated treatyID", column="treatyID", rows=raw.index[dup])
    notes: list[str] = []
    year_raw = raw["year"].astype(np.int64)
    missing_year = year_raw == MISSING_YEAR
    bad_year = ~missing_year & ((year_raw < FIRST_YEAR) | (year_raw > LAST_YEAR))
    if bad_year.any():
        raise SourceError(
            source,
            f"year outside {FIRST_YEAR}-{LAST_YEAR} (9999 = missing)",
            column="year",
            rows=raw.index[bad_year],
        )
    year = year_raw.astype("Int64").mask(missing_year)
    rules = pd.Series([[] for _ in range(len(raw))], index=raw.index, dtype=object)

    def add_rule(mask: pd.Series, label: str) -> None:
        for i in raw.index[mask.fillna(False).astype(bool).to_numpy()]:
            rules[i].append(label)

    if missing_year.any():
        add_rule(missing_year, "year_9999_missing")
        notes.append(
            f"rule 2: year 9999 read as a missing signature year (no date, never signed/in force): "
            f"treatyID {_ids(raw, missing_year)}"
        )

    sp, s_rules = _parse_dates(
        raw["datesigned"], source, "datesigned", allow_two=True, allow_suffix=False
    )
    two = (s_rules == "two_dates").fillna(False).astype(bool)
    if two.any():
        add_rule(two, "datesigned_two_dates")
        notes.append(
            "rule 5: datesigned holds two dates (exchange of notes): signed at the first, the "
            f"second stands in for a missing ratification date: treatyID {_ids(raw, two)}"
        )
    # rule 3: impossible future years are typos for the 'year' column
    typo = (sp["year"] > LAST_YEAR).fillna(False).astype(bool)
    if typo.any():
        fixable = typo & year.notna()
        if (typo & ~fixable).any():
            raise SourceError(
                source,
                f"date after {LAST_YEAR} and no year to correct it",
                column="datesigned",
                rows=raw.index[typo & ~fixable],
            )
        sp.loc[typo, "year"] = year[typo]
        add_rule(typo, "datesigned_year_typo")
        detail = [
            f"{i}: {raw.at[j, 'datesigned'].strip()} -> year {year[j]}"
            for i, j in zip(_ids(raw, typo), raw.index[typo], strict=True)
        ]
        notes.append(
            f"rule 3: datesigned year after {LAST_YEAR} is a typo, replaced by 'year': {detail}"
        )
    sp_early = (sp["year"] < FIRST_YEAR).fillna(False).astype(bool)
    if sp_early.any():
        raise SourceError(
            source, f"date before {FIRST_YEAR}", column="datesigned", rows=raw.index[sp_early]
        )
    signed_day = _make_dates(sp, source, "datesigned")
    # rule 4: year/date conflicts
    conflict = signed_day.notna() & year.notna() & (signed_day.dt.year != year).fillna(False)
    conflict = conflict.astype(bool)
    if conflict.any():
        detail = [
            f"{int(raw.at[j, 'treatyID'])}: year {int(year[j])} vs {raw.at[j, 'datesigned'].strip()}"
            for j in raw.index[conflict]
        ]
        add_rule(conflict, f"year_date_conflict_{date_conflict}")
        if date_conflict == "year":
            signed_day = signed_day.mask(conflict)
            notes.append(
                "rule 4 (date_conflict='year'): 'year' trusted, day-level date dropped "
                f"(signature known to the year only): {detail}"
            )
        else:
            year = year.mask(conflict, signed_day.dt.year.astype("Int64"))
            notes.append(
                f"rule 4 (date_conflict='date'): datesigned trusted, year reset from it: {detail}"
            )
    precision = pd.Series("none", index=raw.index, dtype="string")
    precision[year.notna().to_numpy()] = "year"
    precision[signed_day.notna().to_numpy()] = "day"
    n_year_only = int((precision == "year").sum())
    notes.append(
        f"{int((precision == 'day').sum())} agreements dated to the day, {n_year_only} to the year "
        f"only (blank datesigned or rule 4), {int((precision == 'none').sum())} undated"
    )

    rp, r_rules = _parse_dates(
        raw["ratified"], source, "ratified", allow_two=False, allow_suffix=True
    )
    suffix = (r_rules == "trailing_text").fillna(False).astype(bool)
    if suffix.any():
        add_rule(suffix, "ratified_trailing_text")
        detail = [
            f"{int(raw.at[j, 'treatyID'])}: {raw.at[j, 'ratified'].strip()!r}"
            for j in raw.index[suffix]
        ]
        notes.append(f"rule 6: ratified with trailing text, its date kept: {detail}")
    r_bad = ((rp["year"] < FIRST_YEAR) | (rp["year"] > LAST_YEAR + 1)).fillna(False).astype(bool)
    if r_bad.any():
        raise SourceError(
            source, "ratification year out of range", column="ratified", rows=raw.index[r_bad]
        )
    ratified = _make_dates(rp, source, "ratified")
    fill = ratified.isna() & sp["second"].notna()
    ratified[fill] = sp.loc[fill, "second"].astype("datetime64[s]")
    early = ratified.notna() & signed_day.notna() & (ratified < signed_day)
    if early.any():
        add_rule(early, "ratified_before_signed")
        notes.append(
            f"rule 7: {int(early.sum())} ratification dates precede the signature and are ignored "
            f"for in_force: treatyID {_ids(raw, early)}"
        )

    country_a, country_b = _map_parties(raw, source, year)
    langs = pd.DataFrame(
        {lang: _flag(raw[f"copy_{lang}"], source, f"copy_{lang}") for lang in LANGUAGES}
    )
    flags = langs.fillna(False).astype(bool).to_numpy()
    copy_languages = pd.array(
        [";".join(g for g, on in zip(LANGUAGES, row, strict=True) if on) or pd.NA for row in flags],
        dtype="string",
    )
    out = pd.DataFrame(
        {
            "treaty_id": raw["treatyID"].astype(np.int64),
            "agreement_id": ("cw:" + raw["treatyID"].astype(np.int64).astype(str)).astype("string"),
            "country_a": country_a.to_numpy(),
            "country_b": country_b.to_numpy(),
            "country_a_name": _text(raw["countryA"]),
            "country_b_name": _text(raw["countryB"]),
            "code_a": raw["codeA"].astype(np.int64),
            "code_b": raw["codeB"].astype(np.int64),
            "dyad_id": _positive_ids(raw, "dyadID", source),
            "year": year.astype("Int64"),
            "signed": signed_day.astype("datetime64[s]"),
            "signed_precision": precision,
            "ratified": ratified.astype("datetime64[s]"),
            "date_rules": rules.map(lambda v: ";".join(v) if v else pd.NA).astype("string"),
            "year_raw": year_raw,
            "datesigned_raw": _text(raw["datesigned"]),
            "ratified_raw": _text(raw["ratified"]),
            "copy_available": _flag(raw["copy_available"], source, "copy_available"),
            "evidence_available": _flag(raw["evidence_available"], source, "evidence_available"),
            "evidence_not_available": _flag(
                raw["evidence_notavailable"], source, "evidence_notavailable"
            ),
            "dataset_original": _text(raw["dataset_original"]),
            "copy_languages": copy_languages,
        }
    )
    out["country_a"] = out["country_a"].astype("string")
    out["country_b"] = out["country_b"].astype("string")
    if log is not None:
        for n in notes:
            log.note(f"{path.name}: {n}")
    return FORMATION_SCHEMA.validate(out, source=source)
