"""UNCTAD IIA Navigator: bilateral investment treaties (BITs) and treaties with investment
provisions (TIPs), one row per agreement x party pair.

Two raw files (see ``data/bits/PROVENANCE.md``):

- :func:`parse`: the Feb-2025 scrape ``bits_raw.rda`` (3,925 treaties, BITs and TIPs).  BIT
  parties come from ``short_title`` (trailing `` BIT (yyyy)`` / `` (yyyy)`` stripped, split on
  ``" - "``; the three titles written without spaces, e.g. ``China-Tajikistan BIT (2024)``,
  are split on their single hyphen), never from ``parties`` whose ``", "`` separator also
  occurs inside names.  TIP parties come from ``parties``, re-joining the name fragments
  that follow a comma (``Korea, Republic of``).
- :func:`parse_2020`: the Jan-2020 export ``BIT-origin.dta`` (3,303 BITs; parties separated
  by ``";"``), which also gives the termination type (kept as ``termination_type``).

Documented rules:

- BLEU (``BLEU (Belgium-Luxembourg Economic Union)`` / ``Belgium/Luxembourg``) is expanded
  to BEL and LUX with :func:`polecon.countries.expand_blocs` (``bloc = "BLEU"``).  The
  1989 BLEU-USSR treaty is listed as one row per Belgian or Luxembourgish party and
  successor state; every such row expands to both members (issue 11 C), and where two
  listings give the same pair, the one whose ``parties`` names that member is kept.
- Successor listings: rows with (nearly) the same signature date (within
  ``SUCCESSOR_DATE_TOLERANCE_DAYS``) and the same partner whose other
  party is a successor of the same dissolved state (Czechoslovakia 1993-01-01, USSR
  1991-12-26, SFR Yugoslavia 1992-04-27, Serbia and Montenegro 2006-06-03), signed before
  that dissolution, are ONE agreement (e.g. US-Czechoslovakia 1991, listed as CZE-USA and
  SVK-USA).  So are rows sharing a short title and signature date (the BLEU-USSR split).
  They keep one ``agreement_id`` (the smallest source id of the group) and one row per pair,
  each pair with its own dates and ``source_id``.  Where two listings of one agreement give
  the same pair (Russia-FRY 1995, listed under "Yugoslavia (former)" and "Serbia"), the
  listing with the smallest source id is kept and the other logged as dropped.
- TIP group parties (EU, EFTA, ASEAN, ...) become bloc codes; blocs without a membership
  table in ``polecon.countries`` are expanded with the DESTA-derived memberships passed as
  ``blocs`` (:mod:`polecon.sources.desta_blocs`); the rest (no membership anywhere, or signed
  before the bloc's recorded start) cannot be expanded, so those TIPs are dropped and logged.  A TIP whose only party is a bloc (e.g.
  the EU Treaty 1957) pairs the bloc's members with each other.

Code layout: reading and the party-name rules live in :mod:`._unctad_names`, the shared
pipeline (mapping, bloc expansion, pairs, successor listings) in :mod:`._unctad_pairs`; both
are imported back here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._decl import RawIdentifier
from polecon.sources._schema import SourceError
from polecon.sources._splitters import split_semicolons
from polecon.sources.agreements._unctad_names import (  # noqa: F401 (re-exported)
    _BLOC_PATTERN,
    _CONTINUATION,
    _TITLE_TAIL,
    BLEU_NAMES,
    UNCTAD_BLOCS,
    YEAR_MAX,
    YEAR_MIN,
    _dates,
    _is_bleu,
    _parties_country,
    _read_dta,
    _read_rda,
    _strings,
    bloc_code,
    split_parties,
    split_title,
)
from polecon.sources.agreements._unctad_pairs import (  # noqa: F401 (re-exported)
    SUCCESSIONS,
    SUCCESSOR_DATE_TOLERANCE_DAYS,
    _assemble,
    _date_spell,
    _expand,
    _expand_derived,
    _group_ids,
    _long_parties,
    _map_names,
    _pairs,
    _title_codes,
)
from polecon.sources.agreements.schema import (
    UNCTAD_2020_KEY,
    UNCTAD_2025_KEY,
    agreement_schema,
    finalize,
    require_columns,
    source_label,
)

CITATION = (
    "UNCTAD, International Investment Agreements Navigator, Investment Policy Hub, "
    "https://investmentpolicy.unctad.org/international-investment-agreements (data as scraped "
    "Feb 2025 by B. Key, github.com/bkey15/dissertation, bits_raw.rda)."
)
CITATION_2020 = (
    "UNCTAD IIA Navigator (downloaded Jan 2020), as compiled in Nguyen, A.T.N. (2019), "
    '"A Global Analysis of Factors Impacting the Intensive and Extensive Margins of Bilateral '
    'FDI", The World Economy 42(9): 2649-2667 (BIT-origin.dta).'
)

SCHEMA = agreement_schema(
    "unctad2025", types=("bit", "tip"), sources=("unctad2025",), description="UNCTAD IIA 2025 pairs"
)
SCHEMA_2020 = agreement_schema(
    "unctad2020", types=("bit",), sources=("unctad2020",), description="UNCTAD IIA 2020 BIT pairs"
)

COLUMNS_2025 = (
    "treaty_id",
    "short_title",
    "type",
    "status",
    "parties",
    "date_of_signature",
    "date_of_entry_into_force",
    "termination_date",
)
COLUMNS_2020 = (
    "Shorttitle",
    "Parties",
    "Status",
    "Dateofsignature",
    "Dateofentryintoforce",
    "Dateoftermination",
    "Typeoftermination",
)
TYPE_MAP = {"BITs": "bit", "TIPs": "tip"}


# ---------------------------------------------------------------------------
# public parsers
# ---------------------------------------------------------------------------


def parse(
    path: Path | str, *, log: BuildLog | None = None, blocs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Parse the 2025 scrape ``bits_raw.rda`` into agreement x pair rows (schema :data:`SCHEMA`).

    ``source_id`` is ``treaty_id`` (the row's position in the scraped list, not an UNCTAD id);
    ``agreement_id`` is ``"unctad2025:<treaty_id>"`` of the agreement's first listing.
    Deliberate drops and merges (module docstring) are recorded in ``log`` when given.
    Errors name the file, the column and 0-based data rows.  ``blocs`` (spells ``bloc, member,
    start, end``, e.g. :func:`polecon.sources.desta_blocs.spells`) expands TIP blocs that have no
    membership table in ``polecon.countries`` (ASEAN, MERCOSUR, ...).
    """
    path = Path(path)
    src = source_label(path)
    df = _read_rda(path)
    require_columns(df, COLUMNS_2025, src)
    tid = pd.to_numeric(df["treaty_id"], errors="coerce")
    bad = (tid.isna() | ~np.isfinite(tid.astype("float64")) | (tid != np.floor(tid))).to_numpy(
        dtype=bool
    )
    if bad.any():
        raise SourceError(
            src, "treaty_id must be a whole number", column="treaty_id", rows=df.index[bad].tolist()
        )
    tid = tid.astype(np.int64)
    dup = tid.duplicated(keep=False).to_numpy()
    if dup.any():
        raise SourceError(
            src, "duplicated treaty_id", column="treaty_id", rows=df.index[dup].tolist()
        )
    titles = _strings(df, "short_title", src)
    kind = _strings(df, "type", src)
    bad = ~kind.isin(list(TYPE_MAP)).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        raise SourceError(
            src,
            f"type must be BITs or TIPs (found {sorted(set(kind[bad].astype(str)))[:5]})",
            column="type",
            rows=df.index[bad].tolist(),
        )
    parties = _strings(df, "parties", src)
    signed = _dates(df, "date_of_signature", src)
    if signed.isna().any():
        raise SourceError(
            src,
            "missing date of signature",
            column="date_of_signature",
            rows=df.index[signed.isna().to_numpy()].tolist(),
        )
    rows = pd.DataFrame(
        {
            "sid": tid,
            "type": kind.map(TYPE_MAP).astype("string"),
            "title": titles,
            "title_key": titles.str.casefold(),
            "signed": signed,
            "in_force": _dates(df, "date_of_entry_into_force", src),
            "terminated": _dates(df, "termination_date", src),
            "termination_type": pd.Series(pd.NA, index=df.index, dtype="string"),
        },
        index=df.index,
    )
    is_bit = (rows["type"] == "bit").to_numpy(dtype=bool)
    names = [
        (split_title(t) if isinstance(t, str) else [])
        if b
        else (split_parties(p) if isinstance(p, str) else [])
        for t, p, b in zip(titles.astype(object), parties.astype(object), is_bit, strict=True)
    ]
    n = np.array([len(x) for x in names])
    bad_bit = is_bit & (n != 2)
    if bad_bit.any():
        raise SourceError(
            src,
            "BIT short_title does not name exactly two parties (expected 'A - B BIT (yyyy)')",
            column="short_title",
            rows=df.index[bad_bit].tolist(),
        )
    bad_tip = ~is_bit & (n < 1)
    if bad_tip.any():
        raise SourceError(
            src, "TIP lists no party", column="parties", rows=df.index[bad_tip].tolist()
        )
    bleu_member = _parties_country(parties.fillna(""))
    out = _assemble(rows, names, bleu_member, "unctad2025", src, "short_title", log, blocs)
    return finalize(out, SCHEMA, src)


def parse_2020(path: Path | str, *, log: BuildLog | None = None) -> pd.DataFrame:
    """Parse the 2020 export ``BIT-origin.dta`` (BITs only; schema :data:`SCHEMA_2020`).

    ``source_id`` is the 1-based row number in the file.  Rows ``In negotiation`` (not
    signed; one in the file) are dropped and logged.
    """
    path = Path(path)
    src = source_label(path)
    df = _read_dta(path)
    require_columns(df, COLUMNS_2020, src)
    status = _strings(df, "Status", src)
    neg = (status == "In negotiation").fillna(False).to_numpy(dtype=bool)
    if neg.any() and log is not None:
        log.drop(
            f"{src}: BITs 'In negotiation' (not signed)",
            int(neg.sum()),
            df.loc[neg, "Shorttitle"].tolist(),
        )
    titles = _strings(df, "Shorttitle", src)
    parties = _strings(df, "Parties", src)
    signed = _dates(df, "Dateofsignature", src, fmt="%d%b%Y")
    missing = signed.isna().to_numpy() & ~neg
    if missing.any():
        raise SourceError(
            src,
            "missing date of signature",
            column="Dateofsignature",
            rows=df.index[missing].tolist(),
        )
    ttype = _strings(df, "Typeoftermination", src)
    rows = pd.DataFrame(
        {
            "sid": np.arange(1, len(df) + 1, dtype=np.int64),
            "type": pd.Series("bit", index=df.index, dtype="string"),
            "title": titles,
            "title_key": titles.str.casefold(),
            "signed": signed,
            "in_force": _dates(df, "Dateofentryintoforce", src, fmt="%d%b%Y"),
            "terminated": _dates(df, "Dateoftermination", src, fmt="%d%b%Y"),
            "termination_type": ttype.where(ttype != ""),
        },
        index=df.index,
    )[~neg]
    names = [split_semicolons(p) for p in parties[~neg].astype(object)]
    bad = np.array([len(x) != 2 for x in names], dtype=bool)
    if bad.any():
        raise SourceError(
            src,
            "Parties does not list exactly two parties ('A; B;')",
            column="Parties",
            rows=rows.index[bad].tolist(),
        )
    # the 2020 BLEU-USSR rows (title "Belgium/Luxembourg - X") name Belgium or Luxembourg in
    # Parties: read that party as BLEU restricted to the member named (as in the 2025 file)
    bleu_title = rows["title"].str.contains("Belgium/Luxembourg", regex=False).fillna(False)
    for i, flag in enumerate(bleu_title.to_numpy(dtype=bool)):
        if flag:
            names[i] = [
                "Belgium/Luxembourg" if x in ("Belgium", "Luxembourg") else x for x in names[i]
            ]
    bleu_member = _parties_country(parties[~neg].fillna(""))
    out = _assemble(rows, names, bleu_member, "unctad2020", src, "Parties", log)
    return finalize(out, SCHEMA_2020, src)


def attach_termination_type(
    df: pd.DataFrame, path_2020: Path | str, *, log: BuildLog | None = None
) -> pd.DataFrame:
    """Copy the 2020 file's termination type onto 2025 BIT pairs (same pair and signature date)."""
    old = parse_2020(path_2020).dropna(subset=["termination_type"])
    key = ["party_a", "party_b", "signed"]
    old = old.drop_duplicates(key, keep=False)[[*key, "termination_type"]]
    out = df.drop(columns=["termination_type"]).merge(old, on=key, how="left")
    out["termination_type"] = out["termination_type"].astype("string")
    out.loc[out["type"] != "bit", "termination_type"] = pd.NA
    if log is not None:
        log.note(
            "termination_type copied from the 2020 UNCTAD file onto "
            f"{int(out['termination_type'].notna().sum())} 2025 BIT pairs "
            "(matched on pair and signature date)"
        )
    return out[list(df.columns)]


__all__ = [
    "CITATION",
    "CITATION_2020",
    "SCHEMA",
    "SCHEMA_2020",
    "attach_termination_type",
    "bloc_code",
    "parse",
    "parse_2020",
    "split_parties",
    "split_title",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
_BITS, _TIPS = ("type", "BITs"), ("type", "TIPs")
#: ``parse`` splits BIT short titles with ``split_title`` and TIP parties with ``split_parties``;
#: and ``parse_2020`` splits ``Parties`` with ``split_semicolons``
COUNTRY_IDS = (
    RawIdentifier(
        UNCTAD_2025_KEY,
        "short_title",
        "unctad_name",
        "short_title of BITs (split on ' - ')",
        split_title,
        where=_BITS,
    ),
    RawIdentifier(
        UNCTAD_2025_KEY,
        "parties",
        "unctad_name",
        "parties of BITs (split on ', ')",
        split_parties,
        where=_BITS,
    ),
    RawIdentifier(
        UNCTAD_2025_KEY,
        "parties",
        "unctad_name",
        "parties of TIPs (split on ', ')",
        split_parties,
        where=_TIPS,
    ),
    RawIdentifier(
        UNCTAD_2020_KEY, "Parties", "unctad_name", "Parties (split on ';')", split_semicolons
    ),
    RawIdentifier(
        UNCTAD_2020_KEY, "Shorttitle", "unctad_name", "Shorttitle (split on ' - ')", split_title
    ),
)
