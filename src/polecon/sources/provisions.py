"""Treaty design tables for H5: ``pta_design`` (DESTA) and ``bit_provisions`` (UNCTAD IIA Mapping).

``pta_design``: one row per coded DESTA entry (``desta_version_02_03.csv``, 781 rows; ptas
PROVENANCE s.3), with the dispute-settlement block as nullable booleans (empty = not coded) and
the summary indices of ``desta_indices_version_02_03.csv`` (692 entries; NaN where an entry has
no indices).  ``agreement_id`` = ``"desta:<base_treaty>"``, the id of the ``agreements`` table.
The codebook was not found: meanings follow the variable names (PROVENANCE s.3a).

``bit_provisions``: one row per mapped treaty of the UNCTAD IIA Mapping Project (``data.csv``,
2,577 rows; bits PROVENANCE s.4), with ``unctad_id`` from line *i* of ``urls.txt``, ISDS,
State-State DS, ICSID, type of consent and the initial term.  ``agreement_id`` is the
``unctad2025:<id>`` of the agreement whose 2025 short title equals the mapped title (``Short
title:`` where filled, else ``name``; whitespace collapsed, ``’`` -> ``'``, case folded).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._readers import read_csv, require_columns, source_name
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources._tables import column_set

DESIGN_KEY = "ptas/desta_v2.3_design/desta_version_02_03.csv"
INDICES_KEY = "ptas/desta_v2.3_design/desta_indices_version_02_03.csv"
DESTA_DYADS_KEY = "ptas/desta_v2.3/desta_list_of_treaties_02_03_dyads.csv"
DESTA_LIST_KEY = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
MAPPING_KEY = "bits/unctad_iia_mapping_2020-04/data.csv"
URLS_KEY = "bits/unctad_iia_mapping_2020-04/urls.txt"
#: share of rows whose URL slug year may differ from the signature year before urls.txt is
#: taken to be misaligned with data.csv (measured: 6 of 2,577 = 0.23%)
MAX_URL_YEAR_MISMATCH = 0.01
UNCTAD_2025_KEY = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"

#: DESTA design variables kept (0/1, empty = not coded) -> our column
DS_COLUMNS = {
    "ds_prov": "ds_provisions",
    "ds_del_con": "ds_consultation",
    "ds_del_med": "ds_mediation",
    "ds_del_arb": "ds_arbitration",
    "ds_del_sb": "ds_standing_body",
    "ds_binding_prov": "ds_binding",
    "ds_sanc_prov": "ds_sanctions",
    "inv_ctry_dsm": "inv_ctry_dsm",
}
INDEX_COLUMNS = ("depth_index", "depth_rasch", "flexrigid", "flexescape", "enforce", "enforce01")
DESIGN_ID_COLUMNS = (
    "number",
    "base_treaty",
    "name",
    "entry_type",
    "year",
    *(f"c{k}" for k in range(1, 92)),  # member countries: a missing column would lose members
)

MAPPING_COLUMNS = {
    "isds": "criteria/Investor-State Dispute Settlement (ISDS)/ISDS included",
    "ssds": "criteria/State-State Dispute Settlement (SSDS)/SSDS included",
    "icsid": "criteria/Investor-State Dispute Settlement (ISDS)/Forums/ISDS forum options/ICSID",
    "consent": "criteria/Investor-State Dispute Settlement (ISDS)/Scope and consent/"
    "Type of consent to arbitration",
    "initial_term": "criteria/Treaty Duration, Amendment and Termination/Treaty duration/"
    "Years of initial treaty term",
}
MAPPING_ID_COLUMNS = ("name", "Parties", "Treaty type", "Status", "Date of signature")
YES_NO = {"Yes": True, "No": False}
TREATY_TYPES = {
    "Bilateral Investment Treaties": "bit",
    "Treaties with Investment Provisions": "tip",
}
#: UNCTAD names of the Belgium-Luxembourg Economic Union (casefolded; reviewed table
#: ``datasets/sources/bleu_names.csv``)
BLEU_NAMES: frozenset[str] = column_set("bleu_names.csv", ("name", "reason"), "name")


def _read_csv(path: Path, columns: tuple[str, ...], **kw) -> pd.DataFrame:
    """The CSV (``_readers.read_csv``: truncation named by row) with stripped header names."""
    df = read_csv(path, low_memory=False, **kw)
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, columns, source_name(path))
    return df


def _numbers(
    df: pd.DataFrame, column: str, src: str, *, whole: bool, allowed=None, minimum: float = 0.0
) -> pd.Series:
    """``column`` as numbers; text, infinite values, values below ``minimum`` (all of these
    codings are counts, years or indices >= 0) and, if ``whole``, fractions are refused."""
    raw = df[column]
    num = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & num.isna()
    bad |= num.notna() & (~np.isfinite(num.astype("float64")) | (num < minimum))
    if whole:
        bad |= num.notna() & (num != np.floor(num))
    if allowed is not None:
        bad |= num.notna() & ~num.isin(list(allowed))
    if bad.any():
        raise SourceError(
            src,
            f"expected {'0/1' if allowed else 'numbers'}, found {raw[bad].head(3).tolist()}",
            column=column,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    return num


def _unique(number: pd.Series, src: str) -> None:
    """DESTA's entry number identifies a row: a repeated number is an error naming the rows."""
    dup = number.duplicated(keep=False)
    if dup.any():
        raise SourceError(src, "duplicated entry number", column="number",
                          rows=number.index[dup.to_numpy()].tolist())  # fmt: skip


# ---------------------------------------------------------------------------
# pta_design
# ---------------------------------------------------------------------------

PTA_DESIGN_SCHEMA = Schema(
    name="pta_design",
    columns=(
        Column("agreement_id", "string", 'agreements id "desta:<base_treaty>"', nullable=False),
        Column("number", "string", "DESTA entry number (e.g. 636, 437+2)", nullable=False),
        Column("base_treaty", "int", "DESTA base treaty number", nullable=False),
        Column("entry_type", "string", "base_treaty|protocol or amendment|consolidated"),
        Column("name", "string", "DESTA treaty name"),
        Column("year", "Int", "signature year", min=1900, max=2030),
        Column("n_members", "int", "countries listed in c1..c91", min=1),
        *(
            Column(ours, "boolean", f"DESTA {raw} (1 = yes; <NA> = not coded)")
            for raw, ours in DS_COLUMNS.items()
        ),
        *(
            Column(c, "float", f"DESTA index {c} (NaN = entry has no indices)")
            for c in INDEX_COLUMNS
        ),
    ),
    key=("number",),
    description="DESTA v2.3 design coding per entry: dispute settlement and indices (H5).",
)


@register_table(
    "pta_design",
    schema=PTA_DESIGN_SCHEMA,
    raw=(DESIGN_KEY, INDICES_KEY, DESTA_DYADS_KEY),
    citation="Dür, Baccini & Elsig (2014), Review of International Organizations 9(3): 353-375; "
    "DESTA design dataset, version 2.3.",
)
def build_pta_design(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """DESTA design coding + indices, one row per coded entry (see the module docstring)."""
    path = raw[DESIGN_KEY]
    src = source_name(path)
    d = _read_csv(path, (*DESIGN_ID_COLUMNS, *DS_COLUMNS), dtype={"number": str})
    number = d["number"].astype("string").str.strip()
    _unique(number, src)
    bt = _numbers(d, "base_treaty", src, whole=True)
    if bt.isna().any():
        raise SourceError(src, "blank base_treaty", column="base_treaty", rows=d.index[bt.isna()])
    year = _numbers(d, "year", src, whole=True).astype("Int64")
    ccols = [c for c in d.columns if re.fullmatch(r"c\d+", c)]
    long = d[ccols].stack()
    rows = long.index.get_level_values(0)
    codes = _numbers(
        pd.DataFrame({"c1..c91": long.to_numpy()}, index=rows), "c1..c91", src, whole=True
    )
    canonical_codes(codes.astype("Int64").astype("string"), "iso3n", source=src, column="c1..c91")
    out = pd.DataFrame(
        {
            "agreement_id": "desta:" + bt.astype("int64").astype(str),
            "number": number,
            "base_treaty": bt.astype("int64"),
            "entry_type": d["entry_type"].astype("string"),
            "name": d["name"].astype("string"),
            "year": year,
            "n_members": d[ccols].notna().sum(axis=1).astype("int64"),
        }
    )
    for rawc, ours in DS_COLUMNS.items():
        v = _numbers(d, rawc, src, whole=True, allowed={0, 1})
        out[ours] = v.map({1.0: True, 0.0: False}).astype("boolean")
    ipath = raw[INDICES_KEY]
    isrc = source_name(ipath)
    ind = _read_csv(ipath, ("number", *INDEX_COLUMNS), dtype={"number": str})
    ind["number"] = ind["number"].astype("string").str.strip()
    _unique(ind["number"], isrc)
    for c in INDEX_COLUMNS:
        ind[c] = _numbers(ind, c, isrc, whole=False, minimum=-np.inf if c == "depth_rasch" else 0.0)
    stray = ~ind["number"].isin(set(out["number"]))
    if stray.any():
        raise SourceError(
            isrc, "entry not in the design file", column="number", rows=ind.index[stray]
        )
    out = out.merge(ind[["number", *INDEX_COLUMNS]], on="number", how="left")
    # join rate to our agreement ids: DESTA agreements (non-consolidated dyad entries)
    dy = read_csv(raw[DESTA_DYADS_KEY], encoding="cp1252", low_memory=False)
    require_columns(dy, ("entry_type", "base_treaty"), source_name(raw[DESTA_DYADS_KEY]))
    dy = dy[dy["entry_type"].astype(str).str.strip() != "consolidated"]
    ours = set(pd.to_numeric(dy["base_treaty"], errors="coerce").dropna().astype(int))
    base = out[out["entry_type"] == "base_treaty"]
    coded = set(base["base_treaty"])
    ds = set(base.loc[base["ds_provisions"].notna(), "base_treaty"])
    idx = set(base.loc[base["depth_index"].notna(), "base_treaty"])
    pair_bt = pd.to_numeric(dy["base_treaty"], errors="coerce")
    log.note(
        f"Join rate pta_design -> agreements (DESTA base treaties with dyads): "
        f"{len(ours & coded)}/{len(ours)} ({len(ours & coded) / len(ours):.1%}) have a coded base "
        f"entry, {len(ours & ds)} ({len(ours & ds) / len(ours):.1%}) with ds_* coding, "
        f"{len(ours & idx)} ({len(ours & idx) / len(ours):.1%}) with indices; of "
        f"{len(dy):,} non-consolidated dyad rows {pair_bt.isin(ds).mean():.1%} have ds_* coding."
    )
    log.note(
        f"{src}: {len(out)} entries ({int((out['entry_type'] == 'base_treaty').sum())} base "
        f"treaties); {int(out['ds_provisions'].isna().sum())} without ds_* coding; "
        f"{int(out['depth_index'].isna().sum())} without indices ({isrc})."
    )
    return out.sort_values("number", kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------
# bit_provisions
# ---------------------------------------------------------------------------

BIT_PROVISIONS_SCHEMA = Schema(
    name="bit_provisions",
    columns=(
        Column("unctad_id", "int", "UNCTAD treaty id (from urls.txt)", nullable=False),
        Column("agreement_id", "string", "agreements id (unctad2025:<id>); <NA> = no match"),
        Column("type", "string", "bit|tip", nullable=False, allowed=frozenset({"bit", "tip"})),
        Column("title", "string", "short title (Short title: where filled, else name)"),
        Column("party_a", "string", "first BIT party (canonical; BLEU kept as BLEU)"),
        Column("party_b", "string", "second BIT party"),
        Column("signed", "date", "date of signature (mm-yyyy read as day 1)", min=1900, max=2030),
        Column("status", "string", "In force|Signed|Terminated"),
        Column("isds", "boolean", "ISDS included (<NA> = not mapped)"),
        Column("ssds", "boolean", "State-State DS included (<NA> = not mapped)"),
        Column("icsid", "boolean", "ICSID among the ISDS forum options (<NA> = n/a or not mapped)"),
        Column("consent", "string", "type of consent to arbitration (raw label)"),
        Column("initial_term", "string", "years of initial treaty term (raw label)"),
        Column(
            "initial_term_years",
            "float",
            "initial term in years; NaN = indefinite/other",
            unit="years",
        ),
    ),
    key=("unctad_id",),
    description="UNCTAD IIA Mapping: ISDS, State-State DS and initial term per mapped treaty (H5).",
)


def _title_key(s: pd.Series) -> pd.Series:
    return (
        s.astype("string")
        .str.replace("\u2019", "'", regex=False)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
        .str.casefold()
    )


def _yes_no(df: pd.DataFrame, column: str, src: str) -> pd.Series:
    v = df[column].astype("string").str.strip()
    ok = v.isin([*YES_NO, "Not applicable", "Inconclusive", "Not mapped"]) | v.isna()
    if not ok.all():
        raise SourceError(
            src,
            f"expected Yes/No/Not applicable/Inconclusive/Not mapped, found {v[~ok].head(3).tolist()}",
            column=column,
            rows=df.index[~ok.to_numpy()].tolist(),
        )
    return v.map(YES_NO).astype("boolean")


@register_table(
    "bit_provisions",
    schema=BIT_PROVISIONS_SCHEMA,
    raw=(MAPPING_KEY, URLS_KEY, UNCTAD_2025_KEY, DESTA_LIST_KEY),
    citation="UNCTAD, IIA Mapping Project, Investment Policy Hub (scraped Feb-Apr 2020 by "
    "L. Mauricio and O. Grognuz, github.com/ogrnz/BITs).",
)
def build_bit_provisions(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """UNCTAD IIA Mapping rows with ISDS/SSDS/term, joined to the 2025 agreement ids."""
    from polecon.sources.agreements import unctad

    path = raw[MAPPING_KEY]
    src = source_name(path)
    d = _read_csv(path, (*MAPPING_ID_COLUMNS, *MAPPING_COLUMNS.values()))
    try:
        urls = Path(raw[URLS_KEY]).read_text(encoding="utf-8").split("\n")
    except (UnicodeDecodeError, OSError) as exc:
        raise SourceError(
            source_name(raw[URLS_KEY]), f"cannot read ({type(exc).__name__}: {exc})"
        ) from None
    urls = [u.strip() for u in urls if u.strip()]
    if len(urls) != len(d):
        raise SourceError(
            source_name(raw[URLS_KEY]), f"{len(urls)} URLs for {len(d)} rows of {src}"
        )
    m = pd.Series(urls).str.extract(r"/treaties/(bit|otheriia)/(\d+)/")
    if m[1].isna().any():
        raise SourceError(
            source_name(raw[URLS_KEY]),
            "URL without /treaties/<kind>/<id>/",
            rows=m.index[m[1].isna()],
        )
    # urls.txt is aligned with data.csv by row position only: check the alignment on the year in
    # each URL's slug ("...-bit-2005-"), which equals the signature year in 2,571 of 2,577 rows
    # of the 2020-04 snapshot (6 slugs carry no year or another one)
    slug_year = pd.Series(urls).str.extract(r"-(\d{4})-?/?$")[0]
    sig_year = d["Date of signature"].astype("string").str.extract(r"(\d{4})")[0]
    off = (slug_year.notna() & sig_year.notna() & (slug_year != sig_year.to_numpy())).to_numpy()
    if off.sum() > MAX_URL_YEAR_MISMATCH * len(d):
        raise SourceError(
            source_name(raw[URLS_KEY]),
            f"{int(off.sum())} of {len(d)} URLs name another year than the signature date in "
            f"{src}: the two files are not aligned row by row",
            column="Date of signature",
            rows=d.index[off].tolist(),
        )
    kind = d["Treaty type"].map(TREATY_TYPES)
    if kind.isna().any():
        raise SourceError(
            src, "unknown treaty type", column="Treaty type", rows=d.index[kind.isna()]
        )
    title = (
        d["Short title:"].where(d["Short title:"].notna(), d["name"])
        if "Short title:" in d
        else d["name"]
    )
    sig = d["Date of signature"].astype("string").str.strip()
    signed = pd.to_datetime(sig, format="%d/%m/%Y", errors="coerce")
    month = pd.to_datetime("01-" + sig, format="%d-%m-%Y", errors="coerce")
    signed = signed.fillna(month)
    bad = signed.isna() & sig.notna()
    if bad.any():
        raise SourceError(
            src,
            "unreadable date (dd/mm/yyyy or mm-yyyy)",
            column="Date of signature",
            rows=d.index[bad],
        )
    # BIT parties: "1. Afghanistan\n2. Germany"
    names = d["Parties"].astype("string").str.split("\n")
    is_bit = (kind == "bit").to_numpy()
    pa = pd.Series(pd.NA, index=d.index, dtype="string")
    pb = pd.Series(pd.NA, index=d.index, dtype="string")
    two = names.str.len().eq(2).fillna(False).to_numpy() & is_bit
    if (is_bit & ~two).any():
        raise SourceError(
            src, "BIT does not list two parties", column="Parties", rows=d.index[is_bit & ~two]
        )
    for k, target in ((0, pa), (1, pb)):
        nm = names[two].str[k].str.replace(r"^\s*\d+\.\s*", "", regex=True).str.strip()
        bleu = nm.str.casefold().isin(BLEU_NAMES).fillna(False)
        codes = pd.Series("BLEU", index=nm.index, dtype="string")
        if (~bleu).any():
            codes[~bleu] = canonical_codes(
                nm[~bleu], "unctad_name", source=src, column="Parties"
            ).to_numpy()
        target[two] = codes.to_numpy()
    out = pd.DataFrame(
        {
            "unctad_id": m[1].astype("int64"),
            "type": kind.astype("string"),
            "title": title.astype("string").str.replace(r"\s+", " ", regex=True).str.strip(),
            "party_a": pa,
            "party_b": pb,
            "signed": signed.astype("datetime64[ms]"),
            "status": d["Status"].astype("string"),
            "isds": _yes_no(d, MAPPING_COLUMNS["isds"], src),
            "ssds": _yes_no(d, MAPPING_COLUMNS["ssds"], src),
            "icsid": _yes_no(d, MAPPING_COLUMNS["icsid"], src),
            "consent": d[MAPPING_COLUMNS["consent"]].astype("string"),
            "initial_term": d[MAPPING_COLUMNS["initial_term"]].astype("string"),
        }
    )
    out["initial_term_years"] = pd.to_numeric(
        out["initial_term"].str.extract(r"^(\d+) years?$")[0], errors="coerce"
    ).astype("float64")
    if out["unctad_id"].duplicated().any():
        dup = out["unctad_id"].duplicated(keep=False)
        raise SourceError(source_name(raw[URLS_KEY]), "duplicated treaty id", rows=out.index[dup])
    # join to the agreements table's 2025 UNCTAD ids on the normalised short title
    from polecon.sources.desta_blocs import spells

    ag = unctad.parse(raw[UNCTAD_2025_KEY], blocs=spells(raw[DESTA_LIST_KEY]))
    ag = ag.drop_duplicates("source_id")[["agreement_id", "title", "type"]]
    ag["key"] = _title_key(ag["title"]) + "|" + ag["type"]
    ag = ag.drop_duplicates("key")
    key = _title_key(out["title"]) + "|" + out["type"]
    out["agreement_id"] = key.map(ag.set_index("key")["agreement_id"]).astype("string")
    for t in ("bit", "tip"):
        sel = out["type"] == t
        hit = out.loc[sel, "agreement_id"].notna()
        log.note(
            f"Join rate bit_provisions -> agreements ({t}s, normalised short title): "
            f"{int(hit.sum())}/{int(sel.sum())} ({hit.mean():.1%}); unmatched: "
            + "; ".join(out.loc[sel & out["agreement_id"].isna(), "title"].astype(str).head(6))
        )
    n_ag = ag.loc[ag["type"] == "bit", "agreement_id"].nunique()
    n_cov = out.loc[out["type"] == "bit", "agreement_id"].nunique()
    log.note(
        f"Coverage: {n_cov}/{n_ag} ({n_cov / n_ag:.1%}) of the 2025 BIT agreements have a mapping row."
    )
    return (
        out[[c.name for c in BIT_PROVISIONS_SCHEMA.columns]]
        .sort_values("unctad_id")
        .reset_index(drop=True)
    )


__all__ = ["BIT_PROVISIONS_SCHEMA", "PTA_DESIGN_SCHEMA", "build_bit_provisions", "build_pta_design"]
