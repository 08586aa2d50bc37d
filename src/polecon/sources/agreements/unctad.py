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
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError
from polecon.sources.agreements.schema import (
    agreement_schema,
    finalize,
    map_countries,
    order_pairs,
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
YEAR_MIN, YEAR_MAX = 1900, 2030  # plausible treaty dates; others are typos

BLEU_NAMES = frozenset({"bleu (belgium-luxembourg economic union)", "belgium/luxembourg", "bleu"})

#: dissolved state -> (successor canonical codes, dissolution date)
SUCCESSIONS: dict[str, tuple[frozenset[str], pd.Timestamp]] = {
    "CSK": (frozenset({"CZE", "SVK"}), pd.Timestamp("1993-01-01")),
    "SUN": (
        frozenset(
            {"RUS", "UKR", "BLR", "MDA", "GEO", "ARM", "AZE", "KAZ", "KGZ", "TJK", "TKM", "UZB"}
            | {"EST", "LVA", "LTU"}
        ),
        pd.Timestamp("1991-12-26"),
    ),
    "YUG": (
        frozenset({"SRB", "MNE", "HRV", "SVN", "BIH", "MKD", "XKX"}),
        pd.Timestamp("1992-04-27"),
    ),
    "SCG": (frozenset({"SRB", "MNE"}), pd.Timestamp("2006-06-03")),
}

# Name fragments that continue the previous comma-separated token in UNCTAD ``parties``
# ("Korea, Republic of", "Hong Kong, China SAR", "ACP (African, Caribbean and Pacific ...)").
_CONTINUATION = re.compile(r"^(?:.* of(?: the)?|China SAR|[^(]*\))$")

# UNCTAD group parties of TIPs -> bloc code (besides the "ABC (Long name)" pattern).
UNCTAD_BLOCS = {
    "eu (european union)": "EU",
    "european union": "EU",
    "efta (european free trade association)": "EFTA",
    "eurasian economic union": "EAEU",
    "energy charter treaty members": "ECT",
    "oic investment agreement members": "OIC",
    "league of arab states": "LAS",
}
_BLOC_PATTERN = re.compile(r"^([A-Z]{2,}) \(.+\)$")  # "ASEAN (Association of ...)"
_TITLE_TAIL = re.compile(r"\s*(?:BIT)?\s*(?:\(\d{4}\))?\s*$")


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def _read_rda(path: Path) -> pd.DataFrame:
    import pyreadr

    src = source_label(path)
    try:
        res = pyreadr.read_r(str(path))
    except Exception as exc:  # pyreadr raises private error types
        raise SourceError(
            src, f"cannot read R data file ({type(exc).__name__}: {exc}); truncated or corrupt?"
        ) from None
    if "bits_raw" in res:
        df = res["bits_raw"]
    elif len(res) == 1:
        df = next(iter(res.values()))
    else:
        raise SourceError(src, f"expected the object 'bits_raw'; objects: {list(res)}")
    return df.reset_index(drop=True)


def _read_dta(path: Path) -> pd.DataFrame:
    src = source_label(path)
    try:
        return pd.read_stata(path)
    except Exception as exc:  # pandas' Stata reader raises ValueError, struct.error, ...
        raise SourceError(
            src, f"cannot read Stata file ({type(exc).__name__}: {exc}); truncated or corrupt?"
        ) from None


def _dates(df: pd.DataFrame, column: str, src: str, fmt: str | None = None) -> pd.Series:
    """Parse a date column; a present value that does not parse raises SourceError."""
    raw = df[column]
    present = raw.notna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        present = text.notna() & (text != "")
        raw = text.where(present)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        out = pd.to_datetime(raw)
    else:
        try:
            out = pd.to_datetime(raw, format=fmt or "mixed", errors="coerce")
        except (TypeError, ValueError):
            out = pd.Series(pd.NaT, index=raw.index)
    bad = present & out.isna()
    if bad.any():
        raise SourceError(
            src,
            f"values that are not dates (e.g. {raw[bad].head(3).tolist()})",
            column=column,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    year = out.dt.year
    odd = ((year < YEAR_MIN) | (year > YEAR_MAX)).fillna(False).to_numpy(dtype=bool)
    if odd.any():
        raise SourceError(
            src,
            f"dates outside {YEAR_MIN}-{YEAR_MAX} (e.g. {out[odd].head(3).dt.date.tolist()})",
            column=column,
            rows=df.index[odd].tolist(),
        )
    return out.astype("datetime64[ms]")


def _strings(df: pd.DataFrame, column: str, src: str) -> pd.Series:
    s = df[column]
    non_str = s.notna() & ~s.map(lambda v: isinstance(v, str))
    if non_str.any():
        raise SourceError(
            src,
            f"expected text, found {s[non_str].head(3).tolist()}",
            column=column,
            rows=df.index[non_str.to_numpy()].tolist(),
        )
    return s.astype("string").str.strip()


# ---------------------------------------------------------------------------
# party names
# ---------------------------------------------------------------------------


def split_title(title: str) -> list[str]:
    """Party names of a BIT short title (``"Japan - Zambia BIT (2025)"`` -> Japan, Zambia)."""
    core = _TITLE_TAIL.sub("", title).strip()
    if " - " in core:
        return [p.strip() for p in core.split(" - ")]
    if core.count("-") == 1:  # the 3 titles written without spaces, e.g. China-Tajikistan
        return [p.strip() for p in core.split("-")]
    return [core]


def split_parties(text: str) -> list[str]:
    """Split UNCTAD ``parties`` on ", ", re-joining fragments such as ``Republic of``."""
    out: list[str] = []
    for tok in text.split(", "):
        tok = tok.strip()
        if out and _CONTINUATION.match(tok):
            out[-1] = f"{out[-1]}, {tok}"
        elif tok:
            out.append(tok)
    return out


def bloc_code(name: str) -> str | None:
    """Bloc code of an UNCTAD group party (``"ASEAN (Association of ...)"`` -> ASEAN), else None."""
    key = re.sub(r"\s+", " ", name).strip()
    if key.casefold() in UNCTAD_BLOCS:
        return UNCTAD_BLOCS[key.casefold()]
    m = _BLOC_PATTERN.match(key)
    return m.group(1) if m else None


def _is_bleu(names: pd.Series) -> pd.Series:
    norm = names.astype("string").str.strip().str.casefold()
    return norm.isin(list(BLEU_NAMES)).fillna(False)


def _parties_country(parties: pd.Series) -> pd.Series:
    """For BLEU-titled rows: BEL/LUX if ``parties`` names only one of them, else 'BLEU'."""
    has_bleu = parties.str.contains("BLEU", regex=False).fillna(False)
    bel = parties.str.contains("Belgium", regex=False).fillna(False) & ~has_bleu
    lux = parties.str.contains("Luxembourg", regex=False).fillna(False) & ~has_bleu
    out = pd.Series("BLEU", index=parties.index, dtype="string")
    out[bel & ~lux] = "BEL"
    out[lux & ~bel] = "LUX"
    return out


# ---------------------------------------------------------------------------
# shared pipeline: names -> codes -> members -> pairs
# ---------------------------------------------------------------------------


def _long_parties(rows: pd.DataFrame, names: list[list[str]]) -> pd.DataFrame:
    """One row per (source row, party slot) with the raw name."""
    lens = np.fromiter((len(n) for n in names), dtype=int, count=len(names))
    idx = np.repeat(np.arange(len(rows)), lens)
    slot = np.concatenate([np.arange(n) for n in lens]) if len(lens) else np.array([], dtype=int)
    flat = [x for n in names for x in n]
    return pd.DataFrame(
        {"row": rows.index.to_numpy()[idx], "slot": slot, "name": pd.array(flat, dtype="string")}
    )


def _map_names(
    long: pd.DataFrame, bleu_member: pd.Series, kind: pd.Series, src: str, column: str
) -> pd.DataFrame:
    """Canonical code per party.

    BLEU names become 'BLEU' (or the one member the row's ``parties`` names); TIP group
    parties become bloc codes (:func:`bloc_code`); other names go through
    ``polecon.countries.to_canonical`` (scheme ``unctad_name``).
    """
    bleu = _is_bleu(long["name"]).to_numpy(dtype=bool)
    is_tip = (kind.reindex(long["row"]) == "tip").to_numpy(dtype=bool)
    blocs = long["name"].map(lambda v: bloc_code(v) if isinstance(v, str) else None)
    group = is_tip & blocs.notna().to_numpy(dtype=bool) & ~bleu
    code = pd.Series(pd.NA, index=long.index, dtype="string")
    for sel, col in ((~bleu & ~group & ~is_tip, column), (~bleu & ~group & is_tip, "parties")):
        if sel.any():  # BIT names come from `column`, TIP names from `parties`
            code[sel] = map_countries(
                long.loc[sel, "name"], "unctad_name", src, col, rows=long.loc[sel, "row"]
            ).to_numpy()
    if bleu.any():
        code[bleu] = bleu_member.reindex(long.loc[bleu, "row"]).to_numpy()
    if group.any():
        code[group] = blocs[group].to_numpy()
    lost = code.isna() & long["name"].notna()
    if lost.any():
        raise SourceError(
            src,
            f"party names mapped to no country: {sorted(set(long.loc[lost, 'name']))[:10]}",
            column=column,
            rows=sorted(set(long.loc[lost, "row"].tolist())),
        )
    return long.assign(code=code, group=group | bleu)


def _expand_derived(
    long: pd.DataFrame, failing: dict[object, str], blocs: pd.DataFrame
) -> tuple[pd.DataFrame, dict[object, str]]:
    """Expand bloc parties that ``polecon.countries`` lacks with the DESTA-derived spells
    (:mod:`polecon.sources.desta_blocs`); returns the rows and the source rows still failing.

    A TIP is expanded only if each of its failing bloc parties has derived members at the
    signature date; its other parties are left to ``expand_blocs``.
    """
    from polecon.countries import members_on
    from polecon.sources.desta_blocs import members_at

    def derived(code: str, date: pd.Timestamp) -> list[str] | None:
        try:
            members_on(code, date)
            return None  # a table in polecon.countries: expand_blocs handles it
        except ValueError:
            return members_at(blocs, code, date)

    still = dict(failing)
    todo = long[long["row"].isin(list(failing)) & long["group"]]
    expansion: dict[object, list[str]] = {}
    for row, grp in todo.groupby("row", sort=True):
        got = {i: derived(str(c), pd.Timestamp(d)) for i, c, d in
               grp[["code", "signed"]].itertuples()}  # fmt: skip
        if all(m is None or m for m in got.values()):
            still.pop(row)
            expansion.update({i: m for i, m in got.items() if m})
    parts = [long.drop(index=list(expansion))]
    for i, members in expansion.items():
        rep = long.loc[[i] * len(members)].assign(code=members, group=False)
        parts.append(rep.assign(_derived=str(long.at[i, "code"])))
    out = pd.concat(parts).sort_index(kind="stable").reset_index(drop=True)
    return out, still


def _expand(
    long: pd.DataFrame,
    rows: pd.DataFrame,
    src: str,
    log: BuildLog | None,
    blocs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expand bloc parties to their members at signature (``expand_blocs``).

    A TIP whose bloc cannot be expanded (no membership table in ``polecon.countries``, or a
    signature before the bloc's recorded start) is dropped and logged; for a BIT it is an error.
    """
    from polecon.countries import expand_blocs, members_on

    kind = rows["type"]
    long = long.assign(signed=rows["signed"].reindex(long["row"]).to_numpy())
    is_bloc = (long["group"] & ~long["code"].isin(["BEL", "LUX"])).to_numpy(dtype=bool)
    failing: dict[object, str] = {}
    for (code, date), grp in long[is_bloc].groupby(["code", "signed"], sort=True):
        try:
            members_on(str(code), pd.Timestamp(date))
        except ValueError as exc:
            for r in grp["row"]:
                failing.setdefault(r, f"{code}: {exc}")
    n_failing = len(failing)
    long = long.assign(_derived=pd.NA)
    if failing and blocs is not None:
        long, failing = _expand_derived(long, failing, blocs)
        if log is not None:
            log.note(
                f"{src}: {n_failing - len(failing)} of {n_failing} TIPs with a bloc party lacking a "
                "membership table expanded with bloc memberships derived from DESTA "
                "(polecon.sources.desta_blocs, reviewed corrections in "
                "datasets/countries/desta_bloc_corrections.csv)"
            )
    if failing:
        bad_rows = sorted(failing)
        bits = [r for r in bad_rows if kind.get(r) != "tip"]
        if bits:
            raise SourceError(
                src,
                f"cannot expand bloc party ({failing[bits[0]]})",
                column="short_title",
                rows=[rows.at[r, "sid"] for r in bits],
            )
        if log is not None:
            codes = sorted({m.split(":")[0] for m in failing.values()})
            log.drop(
                f"{src}: TIPs with a bloc party that cannot be expanded to members "
                f"(no membership table, or signed before the bloc's start): {codes}",
                len(bad_rows),
                [f"{rows.at[r, 'sid']}: {rows.at[r, 'title']}" for r in bad_rows],
            )
        long = long[~long["row"].isin(bad_rows)]
    # a BLEU listing whose ``parties`` names one member expands to both members all the same
    # (issue 11 C: the BLEU-USSR Kyrgyz listing names Belgium only); the member it names is
    # preferred (``_pref``) where another listing of the agreement gives the same pair
    one = (long["group"] & long["code"].isin(["BEL", "LUX"])).to_numpy(dtype=bool)
    named = long["code"].where(one)
    base = long.drop(columns="group").assign(code=long["code"].where(~one, "BLEU"), _named=named)
    try:
        out = expand_blocs(base.reset_index(drop=True), "code", "signed")
    except ValueError as exc:
        raise SourceError(src, f"cannot expand bloc parties: {exc}", column=None) from None
    out["_pref"] = (out["_named"].isna() | (out["_named"] == out["code"])).to_numpy(dtype=bool)
    derived = out["_derived"].notna().to_numpy(dtype=bool)
    out.loc[derived, "bloc"] = out.loc[derived, "_derived"].astype("string")
    return out.drop(columns=["_named", "_derived"])


def _pairs(long: pd.DataFrame, src: str, log: BuildLog | None) -> pd.DataFrame:
    """All cross-party pairs of each source row; a one-party (bloc) treaty pairs its members."""
    left = long[["row", "slot", "code", "bloc", "_pref"]]
    n_slots = left.groupby("row")["slot"].nunique()
    m = left.merge(left, on="row", suffixes=("_x", "_y"))
    single = (m["row"].map(n_slots) == 1).to_numpy(dtype=bool)
    keep = (m["slot_x"] < m["slot_y"]).to_numpy(dtype=bool) | (
        single & (m["code_x"] < m["code_y"]).fillna(False).to_numpy(dtype=bool)
    )
    m = m[keep]
    same = (m["code_x"] == m["code_y"]).fillna(False).to_numpy(dtype=bool)
    if same.any() and log is not None:
        log.drop(
            f"{src}: a party paired with itself (listed alone and via a bloc)",
            int(same.sum()),
            m.loc[same, "row"].tolist(),
        )
    m = m[~same]
    a, b = order_pairs(m["code_x"], m["code_y"])
    swap = (m["code_x"] > m["code_y"]).fillna(False).to_numpy(dtype=bool)
    bloc_a = m["bloc_x"].where(~swap, m["bloc_y"]).astype("string")
    bloc_b = m["bloc_y"].where(~swap, m["bloc_x"]).astype("string")
    both = bloc_a.notna() & bloc_b.notna() & (bloc_a != bloc_b)
    bloc = bloc_a.fillna(bloc_b)
    bloc[both] = bloc_a[both] + ";" + bloc_b[both]
    out = pd.DataFrame(
        {
            "row": m["row"].to_numpy(),
            "party_a": a.to_numpy(),
            "party_b": b.to_numpy(),
            "bloc": bloc.to_numpy(),
            "_pref": (m["_pref_x"] & m["_pref_y"]).to_numpy(dtype=bool),
        }
    )
    dup = out.duplicated(["row", "party_a", "party_b"]).to_numpy()
    if dup.any() and log is not None:
        log.drop(
            f"{src}: the same pair twice within one treaty (overlapping blocs)",
            int(dup.sum()),
            out.loc[dup, "row"].tolist(),
        )
    return out[~dup]


def _title_codes(long: pd.DataFrame) -> pd.DataFrame:
    """Per source row and slot: the title-level party code (BLEU members folded back to BLEU)."""
    fold = long["code"].isin(["BEL", "LUX"]) & _is_bleu(long["name"])
    c = long.assign(code=long["code"].where(~fold, "BLEU"))
    return c.pivot(index="row", columns="slot", values="code")


#: successor listings of one treaty may differ in their signature date (UNCTAD lists the
#: Sweden-Yugoslavia BIT under SRB, HRV, SVN dated 1978-11-10 and under BIH dated 1978-11-11):
#: listings with the same partner and predecessor whose dates lie within this many days of the
#: previous listing are one agreement (issue 11 C)
SUCCESSOR_DATE_TOLERANCE_DAYS = 31


def _date_spell(rows: pd.DataFrame, partner: pd.Series) -> pd.Series:
    """Per row: a label shared by listings with the same partner whose signature dates chain
    within :data:`SUCCESSOR_DATE_TOLERANCE_DAYS` of each other (the earliest date of the chain)."""
    df = pd.DataFrame({"p": partner.to_numpy(), "d": rows["signed"].to_numpy()}, index=rows.index)
    df = df.sort_values(["p", "d"], kind="stable")
    gap = df.groupby("p")["d"].diff() > pd.Timedelta(days=SUCCESSOR_DATE_TOLERANCE_DAYS)
    spell = (gap | df["p"].ne(df["p"].shift())).cumsum()
    start = df.groupby(spell)["d"].transform("min")
    return start.astype("string").reindex(rows.index)


def _group_ids(rows: pd.DataFrame, codes: pd.DataFrame) -> pd.Series:
    """Agreement group id per BIT row: the smallest source id among rows of one agreement.

    Same agreement = (same short title and signature date) or (same signature date, same
    partner, other party a successor of the same dissolved state, signed before it dissolved).
    """
    keys: list[pd.Series] = [rows["title_key"] + "|" + rows["signed"].astype("string")]
    both = codes.reindex(rows.index)
    for own, other in ((0, 1), (1, 0)):
        own_code = both[own].astype("string")
        partner = both[other].astype("string")
        for pred, (succ, end) in SUCCESSIONS.items():
            hit = (own_code.isin(list(succ)) & (rows["signed"] < end)).fillna(False)
            k = pd.Series(pd.NA, index=rows.index, dtype="string")
            k[hit] = pred + "|" + partner[hit] + "|" + _date_spell(rows.loc[hit], partner[hit])
            keys.append(k)
    edges = pd.concat(keys).dropna()
    edges = pd.DataFrame({"row": edges.index, "key": edges.to_numpy()})
    gid = rows["sid"].astype(np.int64).copy()
    for _ in range(20):  # propagate minima through shared keys until stable (connected groups)
        g = gid.reindex(edges["row"]).to_numpy()
        kmin = pd.Series(g).groupby(edges["key"].to_numpy()).transform("min").to_numpy()
        new = pd.Series(kmin, index=edges["row"]).groupby(level=0).min()
        updated = gid.copy()
        updated.loc[new.index] = np.minimum(gid.loc[new.index].to_numpy(), new.to_numpy())
        if updated.equals(gid):
            break
        gid = updated
    return gid


def _assemble(
    rows: pd.DataFrame,
    names: list[list[str]],
    bleu_member: pd.Series,
    source: str,
    src: str,
    name_column: str,
    log: BuildLog | None,
    blocs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Treaty rows + their party names -> agreement x pair rows (agreements columns)."""
    long = _long_parties(rows, names)
    long = _map_names(long, bleu_member, rows["type"], src, name_column)
    is_bit = (rows["type"] == "bit").to_numpy(dtype=bool)
    gid = rows["sid"].astype(np.int64).copy()
    if is_bit.any():
        gid[is_bit] = _group_ids(rows[is_bit], _title_codes(long))
    moved = gid != rows["sid"]
    if moved.any() and log is not None:
        log.note(
            f"{src}: {int(moved.sum())} BIT rows are further listings (successor states, BLEU "
            f"members) of {int(gid[moved].nunique())} agreements and share their agreement_id"
        )
    n_parties = pd.Series([len(n) for n in names], index=rows.index, dtype="Int64")
    long = _expand(long, rows, src, log, blocs)
    pairs = _pairs(long, src, log)
    r = rows.loc[pairs["row"].to_numpy()]
    out = pd.DataFrame(
        {
            "agreement_id": (source + ":" + gid.loc[pairs["row"]].astype(str)).to_numpy(),
            "type": r["type"].to_numpy(),
            "party_a": pairs["party_a"].to_numpy(),
            "party_b": pairs["party_b"].to_numpy(),
            "signed": r["signed"].to_numpy(),
            "in_force": r["in_force"].to_numpy(),
            "terminated": r["terminated"].to_numpy(),
            "source": source,
            "source_id": r["sid"].astype(str).to_numpy(),
            "n_parties": n_parties.loc[pairs["row"]].to_numpy(),
            "title": r["title"].to_numpy(),
            "bloc": pairs["bloc"].to_numpy(),
            "termination_type": r["termination_type"].to_numpy(),
            "_sid": r["sid"].to_numpy(),
            "_other": ~pairs["_pref"].to_numpy(dtype=bool),
        }
    )
    # one agreement listed twice for the same pair (Russia-FRY 1995 as "Yugoslavia (former)"
    # and as "Serbia"): keep the listing with the smallest source id, log the other; a BLEU
    # listing naming the pair's member comes before one naming the other member
    out = out.sort_values(["_other", "_sid"], kind="stable")
    dup = out.duplicated(["agreement_id", "party_a", "party_b"], keep="first").to_numpy()
    if dup.any() and log is not None:
        log.drop(
            f"{src}: second listing of the same pair within one agreement (kept smallest id)",
            int(dup.sum()),
            [
                f"{a} {p}-{q} (source_id {i})"
                for a, p, q, i in out.loc[
                    dup, ["agreement_id", "party_a", "party_b", "source_id"]
                ].itertuples(index=False)
            ],
        )
    return out.loc[~dup].drop(columns=["_sid", "_other"])


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
    names = [
        [x.strip() for x in p.split(";") if x.strip()] if isinstance(p, str) else []
        for p in parties[~neg].astype(object)
    ]
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
