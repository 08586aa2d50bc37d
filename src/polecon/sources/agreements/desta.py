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

Code layout: reading and checking live in :mod:`._desta_read`, parties per agreement (bloc
detection, ``count_parties``) in :mod:`._desta_parties`; both are imported back here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import ReadOptions as _ReadOptions
from polecon.sources._schema import SourceError
from polecon.sources.agreements._desta_parties import (  # noqa: F401 (re-exported)
    BLOC_MATCH,
    SIGNING_BLOCS,
    TYPEMEMB,
    _canonical_members,
    _is_bloc,
    _same_side,
    bloc_jaccard,
    count_parties,
)
from polecon.sources.agreements._desta_read import (  # noqa: F401 (re-exported)
    ENCODING,
    _int_column,
    _pairs,
    read_desta_csv,
)
from polecon.sources.agreements.schema import (
    DESTA_DYADS_KEY,
    DESTA_LIST_KEY,
    DESTA_WITHDRAWAL_KEY,
    agreement_schema,
    finalize,
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


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
_READ = _ReadOptions("csv", encoding="cp1252", keep_default_na=True, text=False)
COUNTRY_IDS = (
    *(
        RawIdentifier(key, cols, scheme, read=_READ)
        for key in (DESTA_DYADS_KEY, DESTA_WITHDRAWAL_KEY)
        for cols, scheme in (("iso1+iso2", "iso3n"), ("country1+country2", "desta_name"))
    ),
    RawIdentifier(DESTA_LIST_KEY, "", "iso3n", "c1..c91", read=_READ, pattern=r"c\d+"),
)
