"""Parties per DESTA agreement: bloc detection (``bloc_match``) and ``count_parties``.

The party-count and bloc rules stated in the docstring of
:mod:`polecon.sources.agreements.desta`, which imports them back; split out of that module
unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from polecon.sources._schema import SourceError
from polecon.sources.agreements._desta_read import _int_column
from polecon.sources.agreements.schema import (
    map_countries,
)

#: DESTA's membership types (1 bilateral, 2 plurilateral, 3 plurilateral and third country,
#: 4 region-region, 5 accession, 6 withdrawal, 7 bloc and third country), the codes in v2.3
TYPEMEMB = (1, 2, 3, 4, 5, 6, 7)


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
