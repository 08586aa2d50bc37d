"""Bloc memberships derived from the DESTA treaty list (ptas PROVENANCE s.5), for expanding
UNCTAD TIPs whose party is a bloc without a membership table in ``polecon.countries``.

For each bloc, the DESTA entries whose ``number`` is one of the bloc's family numbers (below), or
that number followed by ``+k`` (accession) or ``_k`` (withdrawal), give membership events read
from the member columns ``c1..c91`` and their roles ``mc1..mc91``:

- base-treaty and protocol rows: every listed member joins (signature ``year``);
- accession rows: the members with ``mc == 1`` join; withdrawal rows: those with ``mc == 1`` leave.

Events are corrected by the reviewed table ``datasets/countries/desta_bloc_corrections.csv``
(DESTA's own gaps: Guinea in ECOWAS, Chile's 1976 exit from the Andean Pact, the end of the first
EAC in 1977 and the later EAC accessions, Venezuela's MERCOSUR suspension that DESTA codes as a
withdrawal).  Spells: a member is in from 1 January of its first joining year until 31 December
of the year before its exit (years are signature years), and may re-join.  Bloc codes are the
UNCTAD party codes (``"ASEAN (Association of ...)"`` -> ASEAN).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon._paths import DATASETS_DIR
from polecon.sources._common import canonical_codes
from polecon.sources._readers import read_csv, require_columns, source_name
from polecon.sources._schema import SourceError
from polecon.sources._tables import read_table

#: UNCTAD bloc code -> DESTA family numbers (ptas PROVENANCE s.5; reviewed table
#: ``datasets/sources/desta_bloc_families.csv``, one row per family, in this order)
FAMILIES: dict[str, tuple[int, ...]] = {}
for _bloc, _family, _ in read_table(
    "desta_bloc_families.csv", ("bloc", "family", "reason")
).itertuples(index=False):
    FAMILIES[_bloc] = (*FAMILIES.get(_bloc, ()), int(_family))
CORRECTIONS = DATASETS_DIR / "countries" / "desta_bloc_corrections.csv"  # shipped in the wheel
CORRECTION_COLUMNS = ("bloc", "member", "event", "year", "source", "reason", "reviewed_by")


def events(list_path: Path | str) -> pd.DataFrame:
    """Membership events ``bloc, member, year, event (join|exit), number`` from the DESTA list."""
    src = source_name(list_path)
    lst = read_csv(list_path, encoding="cp1252", dtype={"number": str}, low_memory=False)
    require_columns(lst, ("number", "entry_type", "year", "c1", "mc1"), src)
    number = lst["number"].astype("string").str.strip()
    family = pd.to_numeric(number.str.extract(r"^(\d+)")[0], errors="coerce")
    rows = []
    for bloc, fams in FAMILIES.items():
        sel = lst[family.isin(fams).to_numpy()]
        for _, r in sel.iterrows():
            et = str(r["entry_type"]).strip()
            if et == "consolidated":
                continue
            for k in range(1, 92):
                c = r.get(f"c{k}")
                if pd.isna(c):
                    continue
                mc = r.get(f"mc{k}")
                if et in ("base_treaty", "protocol or amendment") or et == "accession" and mc == 1:
                    kind = "join"
                elif et == "withdrawal" and mc == 1:
                    kind = "exit"
                else:
                    continue
                rows.append((bloc, str(int(c)), int(r["year"]), kind, str(r["number"])))
    ev = pd.DataFrame(rows, columns=["bloc", "iso3n", "year", "event", "number"])
    ev["member"] = canonical_codes(ev["iso3n"], "iso3n", source=src, column="c1..c91").to_numpy()
    return ev.dropna(subset=["member"]).drop(columns="iso3n")


def corrections(path: Path = CORRECTIONS) -> pd.DataFrame:
    """The reviewed corrections table (errors name the file, the column and the rows)."""
    src = f"datasets/countries/{path.name}"
    df = pd.read_csv(path, dtype=str)
    missing = [c for c in CORRECTION_COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(src, f"missing column(s) {missing}", column=missing[0])
    bad = ~df["event"].isin(["join", "exit", "ignore_exit"])
    if bad.any():
        raise SourceError(src, "event must be join|exit|ignore_exit", column="event",
                          rows=df.index[bad].tolist())  # fmt: skip
    yr = pd.to_numeric(df["year"], errors="coerce")
    if yr.isna().any():
        raise SourceError(
            src, "year must be a year", column="year", rows=df.index[yr.isna()].tolist()
        )
    bad = ~df["bloc"].isin(list(FAMILIES))
    if bad.any():
        raise SourceError(src, "unknown bloc", column="bloc", rows=df.index[bad].tolist())
    canonical_codes(df["member"], "iso3", source=src, column="member")
    return df.assign(year=yr.astype(int))


def spells(list_path: Path | str) -> pd.DataFrame:
    """Membership spells ``bloc, member, start, end`` (datetime; end NaT = still a member)."""
    ev = events(list_path)
    cor = corrections()
    ignore = cor[cor["event"] == "ignore_exit"]
    for b, m, y in ignore[["bloc", "member", "year"]].itertuples(index=False):
        ev = ev[
            ~((ev["bloc"] == b) & (ev["member"] == m) & (ev["year"] == y) & (ev["event"] == "exit"))
        ]
    add = cor[cor["event"] != "ignore_exit"][["bloc", "member", "year", "event"]]
    ev = pd.concat([ev, add.assign(number="correction")], ignore_index=True)
    # same year: joins before exits (a member that joins and leaves in one year had a spell)
    ev["order"] = np.where(ev["event"] == "join", 0, 1)
    ev = ev.sort_values(["bloc", "member", "year", "order"], kind="stable")
    out = []
    for (bloc, member), g in ev.groupby(["bloc", "member"], sort=True):
        start = None
        for year, kind in g[["year", "event"]].itertuples(index=False):
            if kind == "join" and start is None:
                start = year
            elif kind == "exit" and start is not None:
                out.append((bloc, member, start, year - 1))
                start = None
        if start is not None:
            out.append((bloc, member, start, None))
    sp = pd.DataFrame(out, columns=["bloc", "member", "start", "end"])
    sp["start"] = pd.to_datetime(sp["start"].astype(str) + "-01-01")
    end = pd.to_numeric(sp["end"], errors="coerce")
    sp["end"] = pd.to_datetime(end.astype("Int64").astype("string") + "-12-31", errors="coerce")
    return sp.reset_index(drop=True)


def members_at(sp: pd.DataFrame, bloc: str, date: pd.Timestamp) -> list[str]:
    """Sorted members of ``bloc`` on ``date`` ([] if none)."""
    s = sp[(sp["bloc"] == bloc) & (sp["start"] <= date) & (sp["end"].isna() | (sp["end"] >= date))]
    return sorted(s["member"].tolist())


__all__ = ["CORRECTIONS", "FAMILIES", "corrections", "events", "members_at", "spells"]
