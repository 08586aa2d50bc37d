"""DESTA v2.3 trade agreements: one row per agreement x country pair (types ``bfta``/``pta``).

Raw files (``data/ptas/PROVENANCE.md``), all Windows-1252 (cp1252) CSVs:

- ``desta_list_of_treaties_02_03_dyads.csv``: one undirected pair per treaty entry (base
  treaty or accession; consolidated versions too);
- ``desta_list_of_treaties_02_03.csv``: one row per entry, with members ``c1..c91`` and their
  membership-group codes ``mc1..mc91`` (used to count parties, a bloc counting as one);
- ``desta_dyadic_withdrawal_02_03.csv``: one pair per withdrawal.

Documented rules:

- Consolidated entries (``entry_type == "consolidated"``, e.g. ``1008a``) repeat the dyads of
  their base treaty plus amendments: they are dropped (and logged).
- An agreement is DESTA's ``base_treaty``: ``agreement_id = "desta:<base_treaty>"``; its
  pairs come from the base entry and from accessions (``source_id`` = the entry ``number``).
  A pair listed by several entries of one agreement keeps the earliest (ties: the base
  treaty); the others are logged.  ``signed`` = 1 January of ``year`` (signature year of the
  entry), ``in_force`` = 1 January of ``entryforceyear`` (NaT when DESTA gives none).
- Withdrawals: a withdrawal pair ends that pair's membership of that agreement:
  ``terminated`` = 1 January of the earliest withdrawal year not before the pair's signature.
  Withdrawal pairs that are not pairs of the agreement (DESTA lists the leaving member with
  its own bloc partners too, e.g. UK-Germany for UK's exit from EU-Albania) are ignored and
  counted in the log.
- Parties, a bloc counting as one (``n_parties``), from the base entry of the treaty list:
  ``typememb`` 1 (bilateral) = 2; 2 (plurilateral) = number of members; 3 (plurilateral and
  third country) and 4 (region-region): each ``mc`` membership group counts as one party if
  it is a bloc that signs as one (BLEU, EC/EU, EFTA: its members match the bloc's membership
  at the signature year, Jaccard >= ``bloc_match``, default :data:`BLOC_MATCH` = 0.5),
  otherwise each of its members counts (so CAFTA-DR,
  with the US and five Central American states in one group, has 7 parties, and Cotonou, EU +
  the ACP states, is plurilateral); type 3 without group codes gives 2; typememb blank =
  number of members.  Agreements without a base entry in the list (SADC
  672, Andean protocols) get the number of distinct countries in their dyads.
  ``type = "bfta"`` when ``n_parties == 2``, else ``"pta"``.
- Country codes are ISO 3166-1 numeric (scheme ``iso3n``; DESTA's 729 = Sudan, 900 = Kosovo);
  DESTA already lists bloc members individually, so ``bloc`` is ``<NA>``.
"""

from __future__ import annotations

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
    year_to_date,
)

CITATION = (
    "Dür, A., Baccini, L. & Elsig, M. (2014). The Design of International Trade Agreements: "
    "Introducing a New Dataset. Review of International Organizations 9(3): 353-375. DESTA list "
    "of treaties, version 2.3 (files *_02_03, downloaded 2026-01-31)."
)

SCHEMA = agreement_schema(
    "desta", types=("bfta", "pta"), sources=("desta",), description="DESTA v2.3 agreement pairs"
)

ENCODING = "cp1252"
DYAD_COLUMNS = (
    "iso1",
    "iso2",
    "number",
    "base_treaty",
    "name",
    "entry_type",
    "year",
    "entryforceyear",
    "typememb",
)
#: DESTA's membership types (1 bilateral, 2 plurilateral, 3 plurilateral and third country,
#: 4 region-region, 5 accession, 6 withdrawal, 7 bloc and third country), the codes in v2.3
TYPEMEMB = (1, 2, 3, 4, 5, 6, 7)
LIST_COLUMNS = (
    "number",
    "base_treaty",
    "name",
    "entry_type",
    "typememb",
    "year",
    *(f"c{k}" for k in range(1, 92)),  # member countries (COW codes) ...
    *(f"mc{k}" for k in range(1, 92)),  # ... and their group codes (same side of a treaty)
)
WITHDRAWAL_COLUMNS = ("iso1", "iso2", "number", "base_treaty", "entry_type", "year")
DYAD_ENTRY_TYPES = ("base_treaty", "accession", "consolidated")
YEAR_MIN, YEAR_MAX = 1900, 2030  # plausible treaty years; others are typos


# ---------------------------------------------------------------------------
# reading and checking
# ---------------------------------------------------------------------------


def read_desta_csv(path: Path | str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a DESTA CSV (cp1252); unreadable files raise SourceError naming the file."""
    src = source_label(path)
    try:
        df = pd.read_csv(path, encoding=ENCODING, low_memory=False, dtype={"number": str})
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
        ValueError,
        OSError,
    ) as exc:
        raise SourceError(src, f"cannot parse CSV ({type(exc).__name__}: {exc})") from None
    require_columns(df, columns, src)
    return df


def _int_column(df: pd.DataFrame, column: str, src: str, nullable: bool = False) -> pd.Series:
    """Whole numbers (Int64); text, fractions or (unless ``nullable``) blanks raise SourceError."""
    raw = df[column]
    num = pd.to_numeric(raw, errors="coerce")
    bad = (raw.notna() & num.isna()) | (num.notna() & (num != np.floor(num)))
    bad |= num.notna() & ~np.isfinite(num.astype("float64"))
    if not nullable:
        bad |= raw.isna()
    if bad.any():
        raise SourceError(
            src,
            f"expected whole numbers{'' if nullable else ' (no blanks)'}, found "
            f"{raw[bad].head(3).tolist()}",
            column=column,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    return num.astype("Int64")


def _pairs(
    df: pd.DataFrame, src: str, log: BuildLog | None, what: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """Ordered canonical pairs of ``iso1``/``iso2``; rows with a deliberately unmapped code
    are dropped (logged).  Returns the pair frame and the kept-row mask."""
    i1 = _int_column(df, "iso1", src)
    i2 = _int_column(df, "iso2", src)
    codes = pd.concat([i1, i2], ignore_index=True)
    rows = pd.Series(np.concatenate([df.index.to_numpy()] * 2))
    mapped = map_countries(codes.astype(str), "iso3n", src, "iso1/iso2", rows=rows)
    c1 = mapped.iloc[: len(df)].set_axis(df.index)
    c2 = mapped.iloc[len(df) :].set_axis(df.index)
    keep = (c1.notna() & c2.notna()).to_numpy(dtype=bool)
    if (~keep).any() and log is not None:
        log.drop(
            f"{src}: {what} with a country code deliberately left unmapped",
            int((~keep).sum()),
            df.index[~keep].tolist(),
        )
    same = (c1 == c2).fillna(False).to_numpy(dtype=bool) & keep
    if same.any():
        raise SourceError(
            src, "a country paired with itself", column="iso1/iso2", rows=df.index[same].tolist()
        )
    a, b = order_pairs(c1[keep], c2[keep])
    return pd.DataFrame({"party_a": a, "party_b": b}, index=df.index[keep]), keep


# ---------------------------------------------------------------------------
# parties per agreement
# ---------------------------------------------------------------------------


#: blocs that sign as one party (HYPOTHESES s.1)
SIGNING_BLOCS: tuple[str, ...] = ("EU", "EFTA", "BLEU")
#: Default of the ``agreements`` table option ``bloc_match``: the Jaccard similarity between a
#: DESTA membership group and a signing bloc's membership in the signature year from which the
#: group counts as that bloc (one party). It decides ``bfta`` versus ``pta`` for the
#: agreements of such groups. Measured on DESTA v2.3 (``tests/sources/test_bloc_match.py``
#: pins it): 215 groups are checked, 119 match a bloc exactly, 23 partly and none of the
#: others exceeds 0.3. The partial matches are the bloc give or take acceding, leaving or
#: associated states: the EC6 with DNK/GBR/IRL, which acceded on 1 Jan 1973 (nine 1972
#: groups, 2/3), the EU12 with AUT/FIN/SWE (1993-94, 0.8), the EC9 with GRC (1980, 0.9), the EU
#: with HRV (2008-09) or with or without GBR around Brexit (27/28), EFTA with or without FIN,
#: LIE or CHE (6/7-7/8), and one 2021 EFTA group without CHE (3/4). Every one of them is the
#: bloc signing; 0.5 ("most of the union is the bloc") takes them all, and any threshold in
#: (0.3, 2/3] gives the same table. Bug fix of 2026-12-05: the former 0.75 left the nine 1972
#: groups below the threshold, so the EC's 1972 agreements with Austria, Cyprus, Egypt,
#: Finland, Iceland, Lebanon, Portugal and Sweden counted ten parties (``pta``) instead of
#: two (``bfta``), and EC-Switzerland-Liechtenstein eleven instead of three.
BLOC_MATCH = 0.5


def bloc_jaccard(codes: set[str], year: float) -> tuple[str | None, float]:
    """The signing bloc whose membership in ``year`` is most similar to ``codes``, and that
    Jaccard similarity (``(None, 0.0)`` when no bloc exists or the year is missing)."""
    from polecon.countries import members_on
    from polecon.countries.blocs import UnknownBlocError

    best: tuple[str | None, float] = (None, 0.0)
    if np.isnan(year):
        return best
    for bloc in SIGNING_BLOCS:
        try:
            members = set(members_on(bloc, int(year)))
        except UnknownBlocError:  # bloc did not exist yet
            continue
        if members:
            j = len(codes & members) / len(codes | members)
            if j > best[1]:
                best = (bloc, j)
    return best


def _is_bloc(codes: set[str], year: float, bloc_match: float = BLOC_MATCH) -> bool:
    """True if the member set is (nearly) the membership of a signing bloc in ``year``."""
    return bloc_jaccard(codes, year)[1] >= bloc_match


def _canonical_members(members: np.ndarray, src: str) -> list[np.ndarray]:
    """Canonical codes of the ISO-numeric member matrix (rows of object arrays, None if empty)."""
    flat = members[~np.isnan(members)].astype(int)
    uniq = np.unique(flat)
    mapped = map_countries(pd.Series(uniq.astype(str)), "iso3n", src, "c1..c91")
    lookup = dict(
        zip(uniq.tolist(), mapped.astype(object).where(mapped.notna(), None), strict=True)
    )
    out = []
    for row in members:
        out.append(
            np.array([lookup[int(v)] if not np.isnan(v) else None for v in row], dtype=object)
        )
    return out


def count_parties(treaties: pd.DataFrame, src: str, bloc_match: float = BLOC_MATCH) -> pd.DataFrame:
    """Parties per base treaty (a bloc counting as one) from the treaty list's base entries.

    Returns a frame indexed by ``base_treaty`` with ``n_parties`` (Int64), ``typememb`` and
    ``title``.  See the module docstring for the rule.
    """
    base = treaties[treaties["entry_type"] == "base_treaty"]
    bt = _int_column(base, "base_treaty", src)
    dup = bt.duplicated(keep=False).to_numpy()
    if dup.any():
        raise SourceError(
            src,
            "two base_treaty entries for one treaty",
            column="base_treaty",
            rows=base.index[dup].tolist(),
        )
    tm = _int_column(base, "typememb", src, nullable=True)
    bad_tm = (tm.notna() & ~tm.isin(TYPEMEMB)).to_numpy(dtype=bool)
    if bad_tm.any():
        raise SourceError(
            src,
            f"typememb must be one of {list(TYPEMEMB)} (DESTA codebook), found "
            f"{tm[bad_tm].head(3).tolist()}",
            column="typememb",
            rows=base.index[bad_tm].tolist(),
        )
    ccols = [c for c in base.columns if c.startswith("c") and c[1:].isdigit()]
    if not ccols:
        raise SourceError(src, "no member columns c1..c91", column="c1")
    members = np.column_stack(
        [_int_column(base, c, src, nullable=True).to_numpy(float, na_value=np.nan) for c in ccols]
    )
    n_members = (~np.isnan(members)).sum(axis=1)
    # group codes aligned with the member columns (NaN where a member column has no mc column)
    groups = np.full(members.shape, np.nan)
    for k, c in enumerate(ccols):
        if f"m{c}" in base.columns:
            groups[:, k] = _int_column(base, f"m{c}", src, nullable=True).to_numpy(
                float, na_value=np.nan
            )
    years = pd.to_numeric(base["year"], errors="coerce").to_numpy(dtype=float)
    canon = _canonical_members(members, src)
    n = np.zeros(len(base), dtype=int)
    for i, (t, row, nm) in enumerate(zip(tm.fillna(0).to_numpy(), groups, n_members, strict=True)):
        present = ~np.isnan(members[i])
        if t == 1:
            n[i] = 2
        elif t in (3, 4) and present.sum() and not np.isnan(row[present]).any():
            # one party per group that is a bloc (BLEU, EC/EU, EFTA at signature), else per member
            total = 0
            for g in np.unique(row[present]):
                codes = {c for c in canon[i][present][row[present] == g] if c is not None}
                total += (
                    1 if len(codes) > 1 and _is_bloc(codes, years[i], bloc_match) else len(codes)
                )
            n[i] = total
        elif t == 3:
            n[i] = 2  # group codes missing: the documented fallback
        else:
            n[i] = nm
    return pd.DataFrame(
        {
            "n_parties": pd.array(n, dtype="Int64"),
            "typememb": tm.to_numpy(),
            "title": base["name"].astype("string").to_numpy(),
        },
        index=pd.Index(bt.to_numpy(dtype=np.int64), name="base_treaty"),
    )


def _same_side(rows: pd.DataFrame, two_party: np.ndarray) -> np.ndarray:
    """Accession pairs of two-party agreements whose members stand on one side (issue 11 C).

    DESTA's accession entries list the new member with every existing member, its own bloc's
    included (EEA 437+2, 2003: POL-DEU).  A pair belongs to a two-party agreement only when its
    members stand on opposite sides: an accession pair is dropped when both countries are
    members of the same signing bloc (:data:`SIGNING_BLOCS`) on 1 July of the year after the
    accession's signature year (the accession to a bloc's agreement is signed before the bloc
    membership it follows takes effect: EEA 2003 for the EU's 2004 enlargement).  Base-treaty
    pairs are kept (DESTA lists only cross-side pairs there; an associate such as Finland in
    EFTA-Finland 1961 faces the bloc it is associated with).
    """
    from polecon.countries import members_on
    from polecon.countries.blocs import UnknownBlocError

    cand = two_party & ~rows["is_base"].to_numpy(dtype=bool)
    out = np.zeros(len(rows), dtype=bool)
    if not cand.any():
        return out
    sub = rows.loc[cand, ["year", "party_a", "party_b"]]
    hit = np.zeros(len(sub), dtype=bool)
    for year in sorted(set(sub["year"].astype(int).tolist())):
        at = (sub["year"] == year).to_numpy(dtype=bool)
        for bloc in SIGNING_BLOCS:
            try:
                members = members_on(bloc, int(year) + 1)
            except UnknownBlocError:
                continue
            both = sub["party_a"].isin(members) & sub["party_b"].isin(members)
            hit |= at & both.to_numpy(dtype=bool)
    out[np.flatnonzero(cand)[hit]] = True
    return out


# ---------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------


def parse(
    dyads_path: Path | str,
    list_path: Path | str,
    withdrawal_path: Path | str,
    *,
    log: BuildLog | None = None,
    bloc_match: float = BLOC_MATCH,
) -> pd.DataFrame:
    """Parse DESTA dyads + treaty list + withdrawals into agreement x pair rows (:data:`SCHEMA`).

    ``bloc_match``: see :data:`BLOC_MATCH`.

    Deliberate drops (consolidated entries, repeated pairs) are recorded in ``log`` when given.
    Errors name the file, the column and 0-based data rows.
    """
    src = source_label(dyads_path)
    d = read_desta_csv(dyads_path, DYAD_COLUMNS)
    et = d["entry_type"].astype("string").str.strip()
    bad = ~et.isin(list(DYAD_ENTRY_TYPES)).fillna(False).to_numpy(dtype=bool)
    if bad.any():
        raise SourceError(
            src,
            f"unexpected entry_type {sorted(set(et[bad].astype(str)))[:5]} (expected {DYAD_ENTRY_TYPES})",
            column="entry_type",
            rows=d.index[bad].tolist(),
        )
    cons = (et == "consolidated").to_numpy(dtype=bool)
    if log is not None:
        log.drop(
            f"{src}: consolidated entries (entry_type 'consolidated', e.g. 1008a) duplicate their "
            f"base treaty's dyads",
            int(cons.sum()),
            sorted(set(d.loc[cons, "number"].astype(str)))[:50],
        )
    d = d.loc[~cons]
    year = _int_column(d, "year", src)
    eif = _int_column(d, "entryforceyear", src, nullable=True)
    for col, ser in (("year", year), ("entryforceyear", eif)):
        odd = ((ser < YEAR_MIN) | (ser > YEAR_MAX)).fillna(False).to_numpy(dtype=bool)
        if odd.any():
            raise SourceError(
                src,
                f"years outside {YEAR_MIN}-{YEAR_MAX} (e.g. {ser[odd].head(3).tolist()})",
                column=col,
                rows=d.index[odd].tolist(),
            )
    bt = _int_column(d, "base_treaty", src)
    pairs, keep = _pairs(d, src, log, "dyads")
    d = d.loc[keep]
    rows = pd.DataFrame(
        {
            "base_treaty": bt[keep].to_numpy(dtype=np.int64),
            "number": d["number"].astype("string").str.strip().to_numpy(),
            "is_base": (et[~cons][keep] == "base_treaty").to_numpy(),
            "name": d["name"].astype("string").to_numpy(),
            "year": year[keep].to_numpy(),
            "eif": eif[keep].to_numpy(),
            "party_a": pairs["party_a"].to_numpy(),
            "party_b": pairs["party_b"].to_numpy(),
        },
        index=d.index,
    )
    twice = rows.duplicated(["number", "party_a", "party_b"], keep=False).to_numpy()
    if twice.any():
        raise SourceError(
            src,
            "duplicated key (number, iso1, iso2): the same entry lists a pair twice",
            column="number",
            rows=rows.index[twice].tolist(),
        )
    # one row per (agreement, pair): earliest entry, the base treaty first on ties
    rows = rows.sort_values(
        ["base_treaty", "party_a", "party_b", "year", "is_base"],
        ascending=[True, True, True, True, False],
        kind="stable",
    )
    dup = rows.duplicated(["base_treaty", "party_a", "party_b"], keep="first").to_numpy()
    if dup.any() and log is not None:
        log.drop(
            f"{src}: pair listed again by a later entry of the same agreement (kept the earliest)",
            int(dup.sum()),
            [
                f"{n} {a}-{b}"
                for n, a, b in rows.loc[dup, ["number", "party_a", "party_b"]].itertuples(
                    index=False
                )
            ],
        )
    rows = rows.loc[~dup]

    # parties per agreement, type
    lst_src = source_label(list_path)
    lst = read_desta_csv(list_path, LIST_COLUMNS)
    parties = count_parties(lst, lst_src, bloc_match)
    n_parties = rows["base_treaty"].map(parties["n_parties"]).astype("Int64")
    title = rows["base_treaty"].map(parties["title"]).astype("string")
    missing = n_parties.isna().to_numpy()
    if missing.any():
        alt = pd.concat(
            [
                rows[["base_treaty", "party_a"]].rename(columns={"party_a": "c"}),
                rows[["base_treaty", "party_b"]].rename(columns={"party_b": "c"}),
            ]
        )
        n_countries = alt.groupby("base_treaty")["c"].nunique()
        n_parties[missing] = rows.loc[missing, "base_treaty"].map(n_countries).to_numpy()
        first = (
            rows.sort_values(["year", "number"])
            .drop_duplicates("base_treaty")
            .set_index("base_treaty")["name"]
        )
        title[missing] = rows.loc[missing, "base_treaty"].map(first).to_numpy()
        if log is not None:
            log.note(
                f"{lst_src}: no base entry for DESTA treaties "
                f"{sorted(set(rows.loc[missing, 'base_treaty'].tolist()))}; n_parties = distinct countries in their dyads"
            )
    kind = np.where(n_parties.to_numpy(dtype=float) == 2, "bfta", "pta")
    inside = _same_side(rows, kind == "bfta")
    if inside.any() and log is not None:
        log.drop(
            f"{src}: accession pairs inside one side of a two-party agreement (both members of "
            "one signing bloc a year after the accession's signature, e.g. POL-DEU in EEA 437+2)",
            int(inside.sum()),
            [
                f"{n} {a}-{b}"
                for n, a, b in rows.loc[inside, ["number", "party_a", "party_b"]].itertuples(
                    index=False
                )
            ],
        )
    rows, kind, n_parties, title = (
        rows.loc[~inside],
        kind[~inside],
        n_parties[~inside],
        title[~inside],
    )

    # withdrawals
    w_src = source_label(withdrawal_path)
    w = read_desta_csv(withdrawal_path, WITHDRAWAL_COLUMNS)
    w_et = w["entry_type"].astype("string").str.strip()
    bad = (w_et != "withdrawal").fillna(True).to_numpy(dtype=bool)
    if bad.any():
        raise SourceError(
            w_src,
            "entry_type must be 'withdrawal'",
            column="entry_type",
            rows=w.index[bad].tolist(),
        )
    w_year = _int_column(w, "year", w_src)
    w_bt = _int_column(w, "base_treaty", w_src)
    # the withdrawal file's base_treaty can differ from the treaty list's: a withdrawal numbered
    # "<entry>_<k>" leaves the agreement that entry belongs to (e.g. 193_1, CEFTA: entry 193 is a
    # protocol of base treaty 192), so map the entry number through the treaty list
    entry_base = pd.Series(
        pd.to_numeric(lst["base_treaty"], errors="coerce").to_numpy(),
        index=lst["number"].astype("string").str.strip(),
    )
    entry_base = entry_base[~entry_base.index.duplicated()]
    prefix = w["number"].astype("string").str.strip().str.split("_").str[0]
    via_list = prefix.map(entry_base)
    remapped = via_list.notna() & (via_list != w_bt.astype(float))
    if log is not None and remapped.any():
        log.note(
            f"{w_src}: {int(remapped.sum())} withdrawal rows also matched to the base treaty of their "
            f"entry in the treaty list (entries {sorted(set(w.loc[remapped, 'number'].astype(str)))})"
        )
    w_pairs, w_keep = _pairs(w, w_src, log, "withdrawal dyads")
    common = {
        "withdrawal": w["number"].astype("string").str.strip()[w_keep].to_numpy(),
        "party_a": w_pairs["party_a"].to_numpy(),
        "party_b": w_pairs["party_b"].to_numpy(),
        "w_year": w_year[w_keep].to_numpy(),
    }
    alt = via_list[w_keep].to_numpy(dtype=float)
    has_alt = remapped[w_keep].to_numpy(dtype=bool)
    wd = pd.concat(
        [
            pd.DataFrame({**common, "base_treaty": w_bt[w_keep].to_numpy(dtype=np.int64)}),
            pd.DataFrame(
                {k: v[has_alt] for k, v in common.items()}
                | {"base_treaty": alt[has_alt].astype(np.int64)}
            ),
        ],
        ignore_index=True,
    )
    key = ["base_treaty", "party_a", "party_b"]
    m = rows[[*key, "year"]].reset_index().merge(wd, on=key, how="inner")
    m = m[m["w_year"] >= m["year"]]
    first_exit = m.groupby("index")["w_year"].min()
    terminated = rows.index.to_series().map(first_exit)
    matched = wd.merge(rows[key].drop_duplicates(), on=key, how="inner")
    if log is not None:
        idle = sorted(set(wd["withdrawal"]) - set(matched["withdrawal"]))
        if idle:
            names = pd.Series(
                w["name"].to_numpy(), index=w["number"].astype("string").str.strip().to_numpy()
            )
            names = names[~names.index.duplicated()]
            log.note(
                f"{w_src}: withdrawal entries that end no pair of their agreement: "
                + "; ".join(f"{n} ({names.get(n, '?')})" for n in idle)
            )
        log.note(
            f"{w_src}: {len(wd)} withdrawal pairs; {len(matched)} end a DESTA pair "
            f"({int(terminated.notna().sum())} pairs terminated); {len(wd) - len(matched)} are not pairs "
            "of the agreement (e.g. the leaving member with its own bloc partners) and are ignored"
        )

    if log is not None:
        no_eif = rows["eif"].isna()
        log.note(
            f"{src}: {int(no_eif.sum())} pairs have no entry-into-force year (in_force NaT, "
            f"not in force), {int((no_eif & ~rows['is_base']).sum())} of them from accessions"
        )
    out = pd.DataFrame(
        {
            "agreement_id": "desta:" + rows["base_treaty"].astype(str),
            "type": kind,
            "party_a": rows["party_a"],
            "party_b": rows["party_b"],
            "signed": year_to_date(rows["year"]),
            "in_force": year_to_date(rows["eif"]),
            "terminated": year_to_date(terminated),
            "source": "desta",
            "source_id": rows["number"],
            "n_parties": n_parties,
            "title": title,
            "bloc": pd.NA,
            "termination_type": pd.NA,
        },
        index=rows.index,
    )
    return finalize(out, SCHEMA, src)


__all__ = [
    "BLOC_MATCH",
    "CITATION",
    "ENCODING",
    "SCHEMA",
    "bloc_jaccard",
    "count_parties",
    "parse",
    "read_desta_csv",
]
