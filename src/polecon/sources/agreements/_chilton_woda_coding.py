"""Coding file of the Chilton & Woda (2022) BLA dataset (table ``blma_provisions``).

``PROVISIONS`` (raw coding column -> readable name, dtype, description, unit), the
``CODING_SCHEMA`` of table ``blma_provisions`` and ``parse_coding``; the table is registered
by :mod:`polecon.sources.agreements.chilton_woda`.  Split out of that module unchanged; it
stays at about 400 lines because ``PROVISIONS`` alone (one documented entry per coded column)
is some 235 lines of data that belongs with the schema and parser built from it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._readers import source_name
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources.agreements._chilton_woda_read import (
    _CODING_ID_COLUMNS,
    _PARTY_COLUMNS,
    FIRST_YEAR,
    LAST_YEAR,
    MISSING_YEAR,
    _flag,
    _map_parties,
    _read_dta,
    _text,
)


def _yes_no(name: str, description: str) -> tuple[str, str, str, str]:
    """A provision coded 0/1: (readable name, ``boolean``, description, ``0/1``)."""
    return (name, "boolean", description, "0/1")


#: raw coding column -> (readable name, dtype, description, unit)
PROVISIONS: dict[str, tuple[str, str, str, str]] = {
    "agreement_title": ("title", "string", "title of the agreement", ""),
    "coded_orig_lang": ("original_language", "string", "language of the coded text", ""),
    "coded_google_translation": _yes_no(
        "coded_from_translation",
        "coded from a Google translation ('Translation') rather than the original language ('Original langauge')",
    ),
    "autorenew": _yes_no("auto_renewal", "the agreement renews automatically"),
    "bla_duration": ("duration_type", "string", "stated duration, category as coded", ""),
    "bla_duration_other": (
        "duration_other",
        "string",
        "stated duration, free text when duration_type is 'Other'",
        "",
    ),
    "bla_duration_years": ("duration_years", "Int", "stated duration", "years"),
    "past_bla_amend": _yes_no(
        "amends_previous", "the agreement is an additional protocol or amendment"
    ),
    "past_bla_ref": (
        "previous_blas_referenced",
        "string",
        "references to prior BLAs between the parties (none / one / more than one)",
        "",
    ),
    "past_bla_replace": _yes_no("replaces_previous", "the agreement fully replaces a previous BLA"),
    "quota": _yes_no("quota", "the agreement specifies a quota"),
    "quota_num": ("quota_text", "string", "quota size as coded (free text)", ""),
    "intl_instr": _yes_no(
        "international_instruments", "(1) references to international instruments"
    ),
    "info_exch": _yes_no(
        "information_exchange", "(2) exchange of information between the countries"
    ),
    "info_dissem": _yes_no(
        "information_dissemination", "(3) dissemination of information about the BLA's existence"
    ),
    "govt_agencies": _yes_no(
        "party_responsibilities", "(4) defines clear responsibilities between the parties"
    ),
    "joint_commit": _yes_no("joint_committee", "(5) establishes a joint committee"),
    "recruit_cost_mig": _yes_no(
        "no_recruitment_fees", "(6a) migrant should not pay recruitment fees"
    ),
    "recruit_auth": _yes_no(
        "authorised_recruiters", "(6b) specifies agents authorised to recruit workers"
    ),
    "recruit_auth_who": (
        "authorised_recruiters_who",
        "string",
        "agents authorised to recruit (comma-separated categories as coded)",
        "",
    ),
    "labor_union_orig": _yes_no(
        "union_role_origin", "(7a) role for labour unions in the origin country"
    ),
    "labor_union_dest": _yes_no(
        "union_role_destination", "(7b) role for labour unions in the destination country"
    ),
    "labor_union_join": _yes_no(
        "migrants_may_join_unions", "(7c) migrants can join labour unions in the destination"
    ),
    "emp_orgs": _yes_no("employer_organisations_role", "(7d) role for employer organisations"),
    "ngos": _yes_no("ngo_role", "(7e) role for other NGOs or civil-society organisations"),
    "migrant_info": _yes_no(
        "information_to_migrants", "(8) provision of relevant information to migrants"
    ),
    "prot_equal": _yes_no(
        "equal_treatment", "(9) equal treatment and non-discrimination of migrant workers"
    ),
    "prot_women": _yes_no("women_protection_general", "(10a) general gender protection of women"),
    "prot_women_det": _yes_no(
        "women_protection_detailed", "(10b) detailed gender protection of women / domestic workers"
    ),
    "prot_other": _yes_no("other_protections", "(10c) other protections (race, religion, etc.)"),
    "contract_req": _yes_no("contract_required", "(11a) employment contract required"),
    "contract_standard": _yes_no("standard_contract", "(11b) standard / model employment contract"),
    "contract_terms": _yes_no("contract_terms_required", "(11c) specific contract terms required"),
    "wage_prot": _yes_no("wage_protection", "(12) wage protection"),
    "housing_req": _yes_no(
        "employer_provides_housing", "(13a) employer required to provide housing"
    ),
    "housing_cond": _yes_no("housing_conditions", "(13b) housing must meet certain conditions"),
    "housing_monitor": _yes_no("government_monitors_housing", "(13c) government monitors housing"),
    "work_monitor": _yes_no(
        "government_monitors_work", "(13d) government monitors working conditions"
    ),
    "passport": _yes_no(
        "no_document_confiscation", "(14) prohibition of confiscation of travel documents"
    ),
    "social_security": _yes_no(
        "social_protection", "(15) social protection and health-care benefits"
    ),
    "disputes_emp_mig": _yes_no(
        "dispute_resolution", "(16) mechanisms for complaints and dispute resolution"
    ),
    "mig_human_cap": _yes_no(
        "skills_development", "(17) human-resource development and skills improvement"
    ),
    "credentials": _yes_no(
        "recognition_of_qualifications", "(18) recognition of skills and qualifications"
    ),
    "remittances": _yes_no("savings_and_remittances", "(19) transfer of savings and remittances"),
    "reintegration": _yes_no(
        "reintegration_on_return", "(20a) reintegration of migrants upon return"
    ),
    "contract_renewal": _yes_no("contract_renewal", "(20b) possibility of contract renewal"),
    "perm_resid": _yes_no(
        "permanent_residence_pathway", "(20c) pathway to legal permanent residence"
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


def parse_coding(path: Path) -> pd.DataFrame:
    """Parse ``BLAs_Coding_Data.dta`` (570 x 54) into CODING_SCHEMA (570 rows, readable names).

    Provision dummies become nullable booleans; ``bla_duration_years`` becomes ``duration_years``
    (Int64 years); ``quota_num`` is kept as text (``quota_text``) and, when it is a plain number,
    also as ``quota_size``; ``recruit_auth_who`` is split into four ``recruiters_*`` flags.
    """
    path = Path(path)
    source = source_name(path)
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
