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
