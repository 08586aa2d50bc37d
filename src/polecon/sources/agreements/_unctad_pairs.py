"""Shared pipeline of the UNCTAD parsers: names -> codes -> members -> pairs.

Country mapping, bloc expansion, pair building and the successor-listing rule (one agreement
for the rows of a dissolved state's successors, ``SUCCESSIONS``) stated in the docstring of
:mod:`polecon.sources.agreements.unctad`, which imports them back; split out of that module
unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError
from polecon.sources.agreements._unctad_names import (
    _is_bleu,
    bloc_code,
)
from polecon.sources.agreements.schema import (
    map_countries,
    order_pairs,
)

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
