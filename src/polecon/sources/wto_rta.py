"""WTO Regional Trade Agreements database (RTA-IS export, Feb 2026): canonical table ``wto_rta``.

One row per RTA (sheet ``AllRTAs``, 655 rows): name, type, coverage, status, composition,
signature / entry-into-force / inactive dates (the earlier of the goods and services dates),
and the signatories as canonical codes where they map (``;``-joined, sorted).  Inactive RTAs
have no current signatories, so ``parties`` comes from ``Original signatories``.  Bloc
signatories become bloc codes (:data:`WTO_BLOCS`); names that map nowhere are kept, verbatim,
in ``unmapped`` (expected: none once the country crosswalk knows them).

This table is a cross-check for DESTA: ``analyses/desta_wto_crosscheck.py`` matches
country-country bilateral RTAs to DESTA's bilateral FTAs (same pair, signature years within one
year) and tabulates the match by signature year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import ReadOptions
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources._splitters import split_names, wto_specific_names
from polecon.sources._splitters import split_semicolons as _names
from polecon.sources._tables import read_table
from polecon.sources.agreements.schema import order_pairs, require_columns, source_label

CITATION = (
    "World Trade Organization, Regional Trade Agreements Database (RTA-IS), export 'AllRTAs', "
    "accessed 1 Feb 2026, http://rtais.wto.org."
)
RAW_KEY = "ptas/wto_rta_database_2026-02/WTO_RTA_AllRTAs.xlsx"
#: the values of "RTA Composition" in the 2026-02 snapshot; another value is an error, since
#: "Bilateral" alone decides whether an RTA is coded as a country pair
COMPOSITIONS = (
    "Bilateral",
    "Plurilateral",
    "Bilateral; One Party is an RTA",
    "Plurilateral; One Party is an RTA",
    "Bilateral; All Parties are RTAs",
)
SHEET = "AllRTAs"

RAW_COLUMNS = (
    "RTA ID",
    "RTA Name",
    "Coverage",
    "Type",
    "Status",
    "Date of Signature (G)",
    "Date of Signature (S)",
    "Date of Entry into Force (G)",
    "Date of Entry into Force (S)",
    "Inactive Date",
    "RTA Composition",
    "Current signatories",
    "Original signatories",
)
DATE_COLUMNS = RAW_COLUMNS[5:10]

#: WTO bloc signatory names (casefolded) -> bloc code (reviewed table
#: ``datasets/sources/wto_blocs.csv``)
WTO_BLOCS: dict[str, str] = dict(
    read_table("wto_blocs.csv", ("name", "bloc", "reason"))[["name", "bloc"]].itertuples(
        index=False
    )
)

SCHEMA = Schema(
    name="wto_rta",
    columns=(
        Column("rta_id", "int", "WTO RTA ID", nullable=False, min=1),
        Column("name", "string", "RTA name", nullable=False),
        Column("type", "string", "FTA, CU, PSA, EIA or combinations ('FTA & EIA')"),
        Column("coverage", "string", "Goods, Services, Goods & Services"),
        Column("status", "string", "In Force, Inactive, Early announcement-..."),
        Column(
            "composition",
            "string",
            "RTA Composition (Bilateral; Plurilateral; ... One Party is an RTA)",
        ),
        Column("signed", "date", "earliest signature date (goods or services)", min=1900, max=2030),
        Column(
            "in_force", "date", "earliest entry into force (goods or services)", min=1900, max=2030
        ),
        Column("inactive", "date", "date the RTA became inactive", min=1900, max=2030),
        Column(
            "parties", "string", "original signatories as canonical/bloc codes, ';'-joined, sorted"
        ),
        Column("current_parties", "string", "current signatories as codes, ';'-joined, sorted"),
        Column(
            "n_parties",
            "Int",
            "number of original signatories (a bloc counting as one); NA if none listed",
            min=1,
        ),
        Column("unmapped", "string", "signatory names that map to no code (';'-joined)"),
        Column(
            "bilateral", "bool", "composition starts with 'Bilateral' (blocs count as one party)"
        ),
        Column("country_bilateral", "bool", "composition is exactly 'Bilateral' (two countries)"),
        Column(
            "party_a", "string", "first country of a country-country bilateral RTA", country=True
        ),
        Column(
            "party_b", "string", "second country of a country-country bilateral RTA", country=True
        ),
    ),
    key=("rta_id",),
    description="WTO RTA-IS: one row per regional trade agreement (cross-check for DESTA).",
)


def _read(path: Path) -> pd.DataFrame:
    src = source_label(path)
    try:
        return pd.read_excel(path, sheet_name=SHEET)
    except ValueError as exc:
        raise SourceError(src, f"cannot read sheet {SHEET!r} ({exc})") from None
    except Exception as exc:  # zipfile.BadZipFile, openpyxl errors, ...
        raise SourceError(
            src, f"cannot read Excel file ({type(exc).__name__}: {exc}); truncated or corrupt?"
        ) from None


def _dates(df: pd.DataFrame, column: str, src: str) -> pd.Series:
    raw = df[column]
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return pd.to_datetime(raw).astype("datetime64[ms]")
    text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    present = text.notna() & (text != "")
    out = pd.to_datetime(text.where(present), errors="coerce", format="mixed")
    bad = present & out.isna()
    if bad.any():
        raise SourceError(
            src,
            f"values that are not dates (e.g. {raw[bad].head(3).tolist()})",
            column=column,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    return out.astype("datetime64[ms]")


def _code_map(names: set[str], src: str) -> dict[str, str | None]:
    """Signatory name -> code (bloc code, canonical country) or None when it maps nowhere."""
    out: dict[str, str | None] = {}
    plain = []
    for n in sorted(names):
        key = " ".join(n.split()).casefold()
        if key in WTO_BLOCS:
            out[n] = WTO_BLOCS[key]
        else:
            plain.append(n)
    codes = canonical_codes(
        pd.Series(plain, dtype=object),
        "wto_name",
        source=src,
        column="Original signatories/Current signatories",
        unknown="na",
    )
    for n, c in zip(plain, codes.tolist(), strict=True):
        out[n] = (
            None if c is None or c is pd.NA or (isinstance(c, float) and np.isnan(c)) else str(c)
        )
    return out


def parse(path: Path | str, *, log: BuildLog | None = None) -> pd.DataFrame:
    """Parse ``WTO_RTA_AllRTAs.xlsx`` (sheet ``AllRTAs``) into one row per RTA (:data:`SCHEMA`)."""
    path = Path(path)
    src = source_label(path)
    df = _read(path)
    require_columns(df, RAW_COLUMNS, src)
    rid = pd.to_numeric(df["RTA ID"], errors="coerce")
    bad = (rid.isna() | ~np.isfinite(rid.astype("float64")) | (rid != np.floor(rid))).to_numpy(
        dtype=bool
    )
    if bad.any():
        raise SourceError(
            src, "RTA ID must be a whole number", column="RTA ID", rows=df.index[bad].tolist()
        )
    dup = rid.duplicated(keep=False).to_numpy()
    if dup.any():
        raise SourceError(src, "duplicated RTA ID", column="RTA ID", rows=df.index[dup].tolist())
    dates = {c: _dates(df, c, src) for c in DATE_COLUMNS}
    for c in (
        "RTA Name",
        "Type",
        "Coverage",
        "Status",
        "RTA Composition",
        "Current signatories",
        "Original signatories",
    ):
        s = df[c]
        non_str = (s.notna() & ~s.map(lambda v: isinstance(v, str))).to_numpy(dtype=bool)
        if non_str.any():
            raise SourceError(
                src,
                f"expected text, found {s[non_str].head(3).tolist()}",
                column=c,
                rows=df.index[non_str].tolist(),
            )
    if df["RTA Name"].isna().any():
        raise SourceError(
            src,
            "missing RTA name",
            column="RTA Name",
            rows=df.index[df["RTA Name"].isna().to_numpy()].tolist(),
        )

    original = [
        _names(o) or _names(c)
        for o, c in zip(df["Original signatories"], df["Current signatories"], strict=True)
    ]
    current = [_names(c) for c in df["Current signatories"]]
    codes = _code_map({n for lst in original + current for n in lst}, src)

    def joined(lst: list[str]) -> object:
        got = sorted({codes[n] for n in lst if codes[n] is not None})
        return ";".join(got) if got else pd.NA

    unmapped = [
        sorted({n for n in o + c if codes[n] is None})
        for o, c in zip(original, current, strict=True)
    ]
    if log is not None and any(unmapped):
        names = sorted({n for u in unmapped for n in u})
        log.note(f"{src}: signatory names without a code (kept in 'unmapped'): {names}")
    comp = df["RTA Composition"].astype("string").str.strip()
    unknown = ~comp.isin(COMPOSITIONS).fillna(False).to_numpy(dtype=bool)
    if unknown.any():
        raise SourceError(
            src,
            f"unknown RTA Composition {sorted(set(comp[unknown].fillna('<blank>')))} "
            f"(known: {list(COMPOSITIONS)})",
            column="RTA Composition",
            rows=df.index[unknown].tolist(),
        )
    country_bi = (comp == "Bilateral").fillna(False).to_numpy(dtype=bool)
    pa = pd.Series(pd.NA, index=df.index, dtype="string")
    pb = pd.Series(pd.NA, index=df.index, dtype="string")
    for i, lst in enumerate(original):
        got = [codes[n] for n in lst]
        if country_bi[i] and len(got) == 2 and None not in got and got[0] != got[1]:
            pa.iloc[i], pb.iloc[i] = got[0], got[1]
    no_pair = country_bi & pa.isna().to_numpy()
    if log is not None and no_pair.any():
        log.note(
            f"{src}: {int(no_pair.sum())} country-bilateral RTAs have no pair of two mapped original "
            "signatories (announcements without signatories, or a single signatory listed): "
            + "; ".join(
                f"{r} ({n}; {len(o)} signatory(ies))"
                for r, n, o, flag in zip(rid, df["RTA Name"], original, no_pair, strict=True)
                if flag
            )
        )
    pa, pb = order_pairs(pa, pb)
    out = pd.DataFrame(
        {
            "rta_id": rid.astype(np.int64),
            "name": df["RTA Name"].astype("string").str.strip(),
            "type": df["Type"].astype("string").str.strip(),
            "coverage": df["Coverage"].astype("string").str.strip(),
            "status": df["Status"].astype("string").str.strip(),
            "composition": comp,
            "signed": pd.concat(
                [dates["Date of Signature (G)"], dates["Date of Signature (S)"]], axis=1
            ).min(axis=1),
            "in_force": pd.concat(
                [dates["Date of Entry into Force (G)"], dates["Date of Entry into Force (S)"]],
                axis=1,
            ).min(axis=1),
            "inactive": dates["Inactive Date"],
            "parties": pd.array([joined(x) for x in original], dtype="string"),
            "current_parties": pd.array([joined(x) for x in current], dtype="string"),
            "n_parties": pd.array([len(x) or pd.NA for x in original], dtype="Int64"),
            "unmapped": pd.array([";".join(u) if u else pd.NA for u in unmapped], dtype="string"),
            "bilateral": comp.str.startswith("Bilateral").fillna(False).to_numpy(dtype=bool),
            "country_bilateral": country_bi,
            "party_a": pa,
            "party_b": pb,
        }
    )
    for c in ("signed", "in_force", "inactive"):
        out[c] = out[c].astype("datetime64[ms]")
    out = out.sort_values("rta_id", kind="stable").reset_index(drop=True)
    return SCHEMA.validate(out, source=src)


@register_table("wto_rta", schema=SCHEMA, raw=(RAW_KEY,), citation=CITATION)
def build(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """WTO RTA-IS: one row per regional trade agreement (cross-check for DESTA)."""
    return parse(raw[RAW_KEY], log=log)


__all__ = [
    "CITATION",
    "SCHEMA",
    "WTO_BLOCS",
    "build",
    "parse",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
#: ``parse`` reads the signatories (split with ``_names``, i.e. ``split_semicolons``); the
#: entry/exit names and the ``RTA Changes`` sheet are covered but not parsed
_ALL, _CHANGES = ReadOptions("xlsx", sheet=SHEET), ReadOptions("xlsx", sheet="RTA Changes")
COUNTRY_IDS = (
    *(
        RawIdentifier(RAW_KEY, c, "wto_name", f"AllRTAs: {c} (split on ';')", _names, read=_ALL)
        for c in ("Current signatories", "Original signatories")
    ),
    RawIdentifier(
        RAW_KEY,
        "Specific Entry/Exit dates",
        "wto_name",
        "AllRTAs: Specific Entry/Exit dates (names)",
        wto_specific_names,
        read=_ALL,
    ),
    RawIdentifier(
        RAW_KEY,
        "Parties concerned",
        "wto_name",
        "RTA Changes: Parties concerned (split on ', ')",
        split_names,
        read=_CHANGES,
    ),
)
