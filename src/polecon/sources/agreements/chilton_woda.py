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
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._schema import Column, Schema, SchemaError, SourceError

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

#: last signature year covered by the dataset; later dates are typos (rule 3)
LAST_YEAR = 2020
FIRST_YEAR = 1900
MISSING_YEAR = 9999
LANGUAGES = ("english", "french", "german", "spanish", "arabic", "polish", "russian", "portugese")

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------

#: the party columns shared by the formation and coding tables
_PARTY_COLUMNS: tuple[Column, ...] = (
    Column(
        "country_a",
        "string",
        "party A (canonical); usually the destination",
        nullable=False,
        country=True,
    ),
    Column(
        "country_b",
        "string",
        "party B (canonical); usually the origin",
        nullable=False,
        country=True,
    ),
    Column("country_a_name", "string", "party A name as distributed", nullable=False),
    Column("country_b_name", "string", "party B name as distributed", nullable=False),
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

#: raw coding column -> (readable name, dtype, description, unit)
PROVISIONS: dict[str, tuple[str, str, str, str]] = {
    "agreement_title": ("title", "string", "title of the agreement", ""),
    "coded_orig_lang": ("original_language", "string", "language of the coded text", ""),
    "coded_google_translation": (
        "coded_from_translation",
        "boolean",
        "coded from a Google translation ('Translation') rather than the original language ('Original langauge')",
        "0/1",
    ),
    "autorenew": ("auto_renewal", "boolean", "the agreement renews automatically", "0/1"),
    "bla_duration": ("duration_type", "string", "stated duration, category as coded", ""),
    "bla_duration_other": (
        "duration_other",
        "string",
        "stated duration, free text when duration_type is 'Other'",
        "",
    ),
    "bla_duration_years": ("duration_years", "Int", "stated duration", "years"),
    "past_bla_amend": (
        "amends_previous",
        "boolean",
        "the agreement is an additional protocol or amendment",
        "0/1",
    ),
    "past_bla_ref": (
        "previous_blas_referenced",
        "string",
        "references to prior BLAs between the parties (none / one / more than one)",
        "",
    ),
    "past_bla_replace": (
        "replaces_previous",
        "boolean",
        "the agreement fully replaces a previous BLA",
        "0/1",
    ),
    "quota": ("quota", "boolean", "the agreement specifies a quota", "0/1"),
    "quota_num": ("quota_text", "string", "quota size as coded (free text)", ""),
    "intl_instr": (
        "international_instruments",
        "boolean",
        "(1) references to international instruments",
        "0/1",
    ),
    "info_exch": (
        "information_exchange",
        "boolean",
        "(2) exchange of information between the countries",
        "0/1",
    ),
    "info_dissem": (
        "information_dissemination",
        "boolean",
        "(3) dissemination of information about the BLA's existence",
        "0/1",
    ),
    "govt_agencies": (
        "party_responsibilities",
        "boolean",
        "(4) defines clear responsibilities between the parties",
        "0/1",
    ),
    "joint_commit": ("joint_committee", "boolean", "(5) establishes a joint committee", "0/1"),
    "recruit_cost_mig": (
        "no_recruitment_fees",
        "boolean",
        "(6a) migrant should not pay recruitment fees",
        "0/1",
    ),
    "recruit_auth": (
        "authorised_recruiters",
        "boolean",
        "(6b) specifies agents authorised to recruit workers",
        "0/1",
    ),
    "recruit_auth_who": (
        "authorised_recruiters_who",
        "string",
        "agents authorised to recruit (comma-separated categories as coded)",
        "",
    ),
    "labor_union_orig": (
        "union_role_origin",
        "boolean",
        "(7a) role for labour unions in the origin country",
        "0/1",
    ),
    "labor_union_dest": (
        "union_role_destination",
        "boolean",
        "(7b) role for labour unions in the destination country",
        "0/1",
    ),
    "labor_union_join": (
        "migrants_may_join_unions",
        "boolean",
        "(7c) migrants can join labour unions in the destination",
        "0/1",
    ),
    "emp_orgs": (
        "employer_organisations_role",
        "boolean",
        "(7d) role for employer organisations",
        "0/1",
    ),
    "ngos": (
        "ngo_role",
        "boolean",
        "(7e) role for other NGOs or civil-society organisations",
        "0/1",
    ),
    "migrant_info": (
        "information_to_migrants",
        "boolean",
        "(8) provision of relevant information to migrants",
        "0/1",
    ),
    "prot_equal": (
        "equal_treatment",
        "boolean",
        "(9) equal treatment and non-discrimination of migrant workers",
        "0/1",
    ),
    "prot_women": (
        "women_protection_general",
        "boolean",
        "(10a) general gender protection of women",
        "0/1",
    ),
    "prot_women_det": (
        "women_protection_detailed",
        "boolean",
        "(10b) detailed gender protection of women / domestic workers",
        "0/1",
    ),
    "prot_other": (
        "other_protections",
        "boolean",
        "(10c) other protections (race, religion, etc.)",
        "0/1",
    ),
    "contract_req": ("contract_required", "boolean", "(11a) employment contract required", "0/1"),
    "contract_standard": (
        "standard_contract",
        "boolean",
        "(11b) standard / model employment contract",
        "0/1",
    ),
    "contract_terms": (
        "contract_terms_required",
        "boolean",
        "(11c) specific contract terms required",
        "0/1",
    ),
    "wage_prot": ("wage_protection", "boolean", "(12) wage protection", "0/1"),
    "housing_req": (
        "employer_provides_housing",
        "boolean",
        "(13a) employer required to provide housing",
        "0/1",
    ),
    "housing_cond": (
        "housing_conditions",
        "boolean",
        "(13b) housing must meet certain conditions",
        "0/1",
    ),
    "housing_monitor": (
        "government_monitors_housing",
        "boolean",
        "(13c) government monitors housing",
        "0/1",
    ),
    "work_monitor": (
        "government_monitors_work",
        "boolean",
        "(13d) government monitors working conditions",
        "0/1",
    ),
    "passport": (
        "no_document_confiscation",
        "boolean",
        "(14) prohibition of confiscation of travel documents",
        "0/1",
    ),
    "social_security": (
        "social_protection",
        "boolean",
        "(15) social protection and health-care benefits",
        "0/1",
    ),
    "disputes_emp_mig": (
        "dispute_resolution",
        "boolean",
        "(16) mechanisms for complaints and dispute resolution",
        "0/1",
    ),
    "mig_human_cap": (
        "skills_development",
        "boolean",
        "(17) human-resource development and skills improvement",
        "0/1",
    ),
    "credentials": (
        "recognition_of_qualifications",
        "boolean",
        "(18) recognition of skills and qualifications",
        "0/1",
    ),
    "remittances": (
        "savings_and_remittances",
        "boolean",
        "(19) transfer of savings and remittances",
        "0/1",
    ),
    "reintegration": (
        "reintegration_on_return",
        "boolean",
        "(20a) reintegration of migrants upon return",
        "0/1",
    ),
    "contract_renewal": (
        "contract_renewal",
        "boolean",
        "(20b) possibility of contract renewal",
        "0/1",
    ),
    "perm_resid": (
        "permanent_residence_pathway",
        "boolean",
        "(20c) pathway to legal permanent residence",
        "0/1",
    ),
}

_RECRUITERS = {
    "recruiters_government": "Government Recruitment Agencies",
    "recruiters_private": "Private Recruitment Agencies",
    "recruiters_employers": "Employers",
    "recruiters_other": "Other",
}

CODING_SCHEMA = Schema(
    name="blma_provisions",
    description="Chilton-Woda content coding of 570 BLA texts, readable column names",
    columns=(
        Column("agreement_id", "string", "'cw:<treatyID>', joins to agreements", nullable=False),
        Column("treaty_id", "int", "Chilton-Woda treatyID", nullable=False, min=1),
        *_PARTY_COLUMNS,
        Column(
            "year",
            "Int",
            "signature year as distributed (see chilton_woda date rules)",
            unit="year",
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        *(
            Column(name, dtype, desc, unit=unit)
            for name, dtype, desc, unit in (
                PROVISIONS[k] for k in list(PROVISIONS)[: list(PROVISIONS).index("quota_num") + 1]
            )
        ),
        Column(
            "quota_size",
            "Int",
            "quota size when quota_text is a plain number",
            unit="workers",
            min=0,
        ),
        *(
            Column(name, dtype, desc, unit=unit)
            for name, dtype, desc, unit in (
                PROVISIONS[k] for k in list(PROVISIONS)[list(PROVISIONS).index("quota_num") + 1 :]
            )
        ),
        *(
            Column(name, "boolean", f"authorised recruiters include '{label}'", unit="0/1")
            for name, label in _RECRUITERS.items()
        ),
    ),
    key=("agreement_id",),
)

# --------------------------------------------------------------------------------------------
# Reading helpers
# --------------------------------------------------------------------------------------------

_FORMATION_COLUMNS = {
    "treatyID": "int",
    "countryA": "str",
    "countryB": "str",
    "codeA": "int",
    "codeB": "int",
    "dyadID": "num",
    "year": "int",
    "datesigned": "str",
    "ratified": "str",
    "copy_available": "num",
    "evidence_available": "num",
    "evidence_notavailable": "num",
    "dataset_original": "str",
    **{f"copy_{lang}": "num" for lang in LANGUAGES},
}

_CODING_ID_COLUMNS = {
    "treatyID": "int",
    "countryA": "str",
    "countryB": "str",
    "codeA": "int",
    "codeB": "int",
    "year": "int",
}


def _not_numeric(source: str, s: pd.Series, column: str) -> SourceError:
    """Error for a column that should hold numbers: names the rows that are not numbers."""
    bad = s.notna() & pd.to_numeric(s.astype(object), errors="coerce").isna()
    rows = s.index[bad.to_numpy()] if bad.any() else s.index
    what = f"e.g. {s[bad].head(3).tolist()}" if bad.any() else "whole column stored as text"
    return SourceError(
        source, f"expected numbers, found dtype {s.dtype} ({what})", column=column, rows=rows
    )


def _read_dta(path: Path, expected: dict[str, str]) -> pd.DataFrame:
    """Read a Stata file; check that ``expected`` columns exist with the right kind."""
    source = Path(path).name
    try:
        df = pd.read_stata(path, convert_categoricals=False)
    except FileNotFoundError:
        raise
    except Exception as exc:  # corrupt / truncated / not Stata
        raise SourceError(source, f"cannot read Stata file ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise SourceError(source, f"missing column(s) {missing}; found {list(df.columns)}")
    for col, kind in expected.items():
        s = df[col]
        if kind == "str":
            if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
                raise SourceError(source, f"expected text, found dtype {s.dtype}", column=col)
            nonstr = ~s.map(lambda v: isinstance(v, str) or v is None or v is pd.NA)
            if nonstr.any():
                raise SourceError(source, "non-text values", column=col, rows=df.index[nonstr])
        else:
            if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
                raise _not_numeric(source, s, col)
            if kind == "int":
                arr = s.to_numpy(dtype=float)
                bad = np.isnan(arr) | (arr != np.round(arr))
                if bad.any():
                    raise SourceError(
                        source, "missing or non-integer values", column=col, rows=df.index[bad]
                    )
    return df


def _text(s: pd.Series) -> pd.Series:
    """Stripped pandas strings; blank -> NA."""
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def _flag(s: pd.Series, source: str, column: str) -> pd.Series:
    """0/1 numbers -> nullable boolean; any other value is an error."""
    arr = pd.to_numeric(s, errors="coerce")
    bad = arr.notna() & ~arr.isin([0, 1])
    if bad.any():
        raise SourceError(source, "values other than 0/1", column=column, rows=s.index[bad])
    return arr.map({0: False, 1: True}).astype("boolean")


def _to_canonical(
    values: pd.Series, scheme: str, *, source: str, column: str, years: pd.Series | None = None
) -> pd.Series:
    """Canonical codes for ``values``; unknown identifiers raise SourceError naming the rows."""
    return canonical_codes(values, scheme, source=source, column=column, years=years)


def _map_parties(df: pd.DataFrame, source: str, years: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map codeA/codeB (scheme ``cw_code``) and cross-check against the names (``cw_name``)."""
    out = []
    for side in ("A", "B"):
        by_code = _to_canonical(
            df[f"code{side}"].astype(int),
            "cw_code",
            source=source,
            column=f"code{side}",
            years=years,
        )
        by_name = _to_canonical(
            _text(df[f"country{side}"]),
            "cw_name",
            source=source,
            column=f"country{side}",
            years=years,
        )
        if by_code.isna().any():
            rows = df.index[by_code.isna().to_numpy()]
            raise SourceError(
                source,
                "code maps to no country (documented exception)",
                column=f"code{side}",
                rows=rows,
            )
        clash = by_name.notna() & (by_name != by_code)
        if clash.any():
            pairs = sorted(
                set(
                    zip(
                        df.loc[clash, f"country{side}"],
                        df.loc[clash, f"code{side}"].astype(int),
                        by_code[clash],
                        by_name[clash],
                        strict=True,
                    )
                )
            )
            raise SourceError(
                source,
                f"name and code map to different countries (name, code, by code, by name): {pairs[:5]}",
                column=f"country{side}",
                rows=df.index[clash.to_numpy()],
            )
        out.append(by_code.astype("string"))
    same = out[0] == out[1]
    if same.any():
        raise SourceError(
            source,
            "both parties are the same country",
            column="codeB",
            rows=df.index[same.to_numpy()],
        )
    return out[0], out[1]


def _parse_dates(
    s: pd.Series, source: str, column: str, *, allow_two: bool, allow_suffix: bool
) -> tuple[pd.DataFrame, pd.Series]:
    """Split ``M/D/YYYY`` strings into (month, day, year) Int64 columns of the first date.

    Returns that frame (plus ``second``: a datetime of a second date, if any) and a Series of
    the rule labels applied per row (``two_dates``, ``trailing_text``).
    """
    text = _text(s)
    present = text.notna()
    found = text.str.findall(_DATE.pattern)
    n_found = found.map(lambda v: len(v) if isinstance(v, list) else 0)
    rest = text.str.replace(_DATE.pattern, "", regex=True).str.replace(r"[\s,;]", "", regex=True)
    bad = present & (n_found == 0)
    if bad.any():
        raise SourceError(source, "not a M/D/YYYY date", column=column, rows=text.index[bad])
    rules = pd.Series(pd.NA, index=s.index, dtype="string")
    many = present & (n_found > 1)
    if many.any():
        if not allow_two or (n_found > 2).any():
            raise SourceError(source, "more than one date", column=column, rows=text.index[many])
        rules[many] = "two_dates"
    suffix = present & (rest.fillna("") != "")
    if suffix.any():
        if not allow_suffix:
            raise SourceError(
                source, "text beside the date", column=column, rows=text.index[suffix]
            )
        rules[suffix] = "trailing_text"
    first = found.map(lambda v: v[0] if isinstance(v, list) and v else (pd.NA, pd.NA, pd.NA))
    parts = pd.DataFrame(first.tolist(), index=s.index, columns=["month", "day", "year"])
    parts = parts.apply(lambda c: pd.to_numeric(c).astype("Int64"))
    second = found.map(lambda v: "/".join(v[1]) if isinstance(v, list) and len(v) > 1 else None)
    parts["second"] = pd.to_datetime(second, format="%m/%d/%Y", errors="coerce")
    return parts, rules


def _positive_ids(raw: pd.DataFrame, column: str, source: str) -> pd.Series:
    """An identifier column as Int64; a negative, zero or fractional id is an error."""
    num = pd.to_numeric(raw[column], errors="coerce")
    bad = (num.notna() & ((num <= 0) | (num != np.floor(num)))).to_numpy(dtype=bool)
    if bad.any():
        raise SourceError(source, "identifiers must be positive whole numbers", column=column,
                          rows=raw.index[bad].tolist())  # fmt: skip
    return num.round().astype("Int64")


def _make_dates(parts: pd.DataFrame, source: str, column: str) -> pd.Series:
    """datetime64 from month/day/year columns; an impossible date is an error."""
    ok = parts[["month", "day", "year"]].notna().all(axis=1)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[s]")
    if ok.any():
        sub = parts.loc[ok, ["year", "month", "day"]].astype(int)
        dates = pd.to_datetime(sub, errors="coerce")
        bad = dates.isna()
        if bad.any():
            raise SourceError(
                source, "impossible calendar date", column=column, rows=sub.index[bad]
            )
        out[ok] = dates.astype("datetime64[s]")
    return out


def _ids(df: pd.DataFrame, mask: pd.Series) -> list[int]:
    return sorted(int(v) for v in df.loc[mask, "treatyID"])


# --------------------------------------------------------------------------------------------
# Formation file
# --------------------------------------------------------------------------------------------


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
    source = path.name
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
            log.note(f"{source}: {n}")
    return FORMATION_SCHEMA.validate(out, source=source)


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
    return AGREEMENTS_SCHEMA.validate(out, source=Path(formation_path).name)


# --------------------------------------------------------------------------------------------
# Coding file
# --------------------------------------------------------------------------------------------


def parse_coding(path: Path) -> pd.DataFrame:
    """Parse ``BLAs_Coding_Data.dta`` (570 x 54) into CODING_SCHEMA (570 rows, readable names).

    Provision dummies become nullable booleans; ``bla_duration_years`` becomes ``duration_years``
    (Int64 years); ``quota_num`` is kept as text (``quota_text``) and, when it is a plain number,
    also as ``quota_size``; ``recruit_auth_who`` is split into four ``recruiters_*`` flags.
    """
    path = Path(path)
    source = path.name
    expected = {**_CODING_ID_COLUMNS}
    for raw_name, (_, dtype, _, _) in PROVISIONS.items():
        expected[raw_name] = "num" if dtype == "boolean" else "str"
    expected["coded_google_translation"] = "str"
    raw = _read_dta(path, expected).reset_index(drop=True)
    dup = raw["treatyID"].duplicated(keep=False)
    if dup.any():
        raise SourceError(source, "duplicated treatyID", column="treatyID", rows=raw.index[dup])
    year = raw["year"].astype("Int64")
    bad = (year < FIRST_YEAR) | ((year > LAST_YEAR) & (year != MISSING_YEAR))
    if bad.any():
        raise SourceError(
            source,
            f"year outside {FIRST_YEAR}-{LAST_YEAR}",
            column="year",
            rows=raw.index[bad.to_numpy()],
        )
    year = year.mask(year == MISSING_YEAR)
    country_a, country_b = _map_parties(raw, source, year)
    ids = raw["treatyID"].astype(np.int64)
    out = pd.DataFrame(
        {
            "agreement_id": ("cw:" + ids.astype(str)).astype("string"),
            "treaty_id": ids,
            "country_a": country_a.to_numpy(),
            "country_b": country_b.to_numpy(),
            "country_a_name": _text(raw["countryA"]),
            "country_b_name": _text(raw["countryB"]),
            "year": year,
        }
    )
    for raw_name, (name, dtype, _, _) in PROVISIONS.items():
        col = raw[raw_name]
        if raw_name == "coded_google_translation":
            text = _text(col)
            values = {"Translation": True, "Original langauge": False, "Original language": False}
            bad = text.notna() & ~text.isin(list(values))
            if bad.any():
                raise SourceError(
                    source,
                    f"expected one of {sorted(values)}",
                    column=raw_name,
                    rows=raw.index[bad.to_numpy()],
                )
            out[name] = text.map(values).astype("boolean")
        elif dtype == "boolean":
            out[name] = _flag(col, source, raw_name)
        elif dtype == "Int":
            text = _text(col)
            num = pd.to_numeric(text, errors="coerce")
            bad = text.notna() & (num.isna() | (num != np.round(num)) | (num < 0))
            if bad.any():
                raise SourceError(
                    source,
                    "not a whole number of years",
                    column=raw_name,
                    rows=raw.index[bad.to_numpy()],
                )
            out[name] = num.astype("Int64")
        else:
            out[name] = _text(col)
    quota = out["quota_text"]
    plain = quota.str.fullmatch(r"\d+").fillna(False).astype(bool)
    out["quota_size"] = pd.to_numeric(quota.where(plain)).astype("Int64")
    who = out["authorised_recruiters_who"].fillna("")
    parts = who.str.split(",").map(lambda v: {p.strip() for p in v if p.strip()})
    known = set(_RECRUITERS.values()) | {"Does not mention"}
    unknown = parts.map(lambda v: bool(v - known))
    if unknown.any():
        raise SourceError(
            source,
            "unknown recruiter category",
            column="recruit_auth_who",
            rows=raw.index[unknown.to_numpy()],
        )
    present = out["authorised_recruiters_who"].notna()
    for name, label in _RECRUITERS.items():
        out[name] = parts.map(lambda v, lab=label: lab in v).astype("boolean").where(present, pd.NA)
    for c in ("country_a", "country_b"):
        out[c] = out[c].astype("string")
    return CODING_SCHEMA.validate(out[CODING_SCHEMA.names], source=source)


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
    source = Path(raw[CODING_KEY]).name
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
        f"{source}: {len(coding)} coded agreements, all in the formation file with the same "
        "parties and year; 'year' is kept as distributed (the formation file's date rules are "
        "in the agreements table)"
    )
    return coding
