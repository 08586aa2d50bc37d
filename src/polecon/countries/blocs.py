"""Blocs that sign agreements as one party, and their membership by date.

Sources:
- EU/EC/EEC: accession dates from ``data/macro/original/eustates.rda`` (stevedata, EU-28,
  "current as of 2019"), plus the reviewed exits in ``datasets/countries/eu_exits.csv``
  (the UK, 2020-01-31).  The bloc exists from 1958-01-01 (Treaty of Rome in force).
- BLEU, EFTA: the reviewed spell table ``datasets/countries/bloc_members.csv``
  (bloc, member, start, end, source, reason).

Membership rule: a member belongs to the bloc on date d if ``start <= d <= end`` (``end`` empty
= still a member).  An integer year y is read as the mid-year date y-07-01 (documented
convention: e.g. the UK is an EC member in 1973 but not in 2020).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from polecon.countries._tables import BLOC_ALIASES, TABLES_DIR, bloc_codes
from polecon.countries.crosswalk import CROSSWALK_FILES, _read_r, to_canonical

__all__ = [
    "BLOC_ALIASES",
    "UnknownBlocError",
    "bloc_codes",
    "bloc_members",
    "expand_blocs",
    "members_on",
]

# The EEC exists from the entry into force of the Treaty of Rome (1958-01-01), the founders'
# date in eustates.  (Dating the founders from its signature, 1957-03-25, would let UNCTAD's
# "EU Treaty (1957)" TIP expand; not done, to stay with the source's dates.)
_EU_START = pd.Timestamp("1958-01-01")

EUSTATES_KEY = "macro/original/eustates.rda"
#: Every registry key this module reads (through ``_read_r(key, BLOC_FILES)``, which refuses
#: others).
BLOC_FILES: tuple[str, ...] = (EUSTATES_KEY,)
#: Every registry key the country layer (crosswalk and blocs) reads: part of the cache key of
#: every canonical table, since every table maps countries.
COUNTRY_FILES: tuple[str, ...] = CROSSWALK_FILES + BLOC_FILES


class UnknownBlocError(ValueError):
    """A bloc code without a membership table, or a date outside the bloc's existence."""


@cache
def bloc_members() -> pd.DataFrame:
    """Membership spells of every bloc with a table: bloc, member, start, end (NaT = open), source."""
    path = TABLES_DIR / "bloc_members.csv"
    tab = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    need = {"bloc", "member", "start", "end", "source", "reason"}
    if not need <= set(tab.columns):
        raise ValueError(f"{path}: missing columns {sorted(need - set(tab.columns))}")
    tab["start"] = pd.to_datetime(tab["start"], format="%Y-%m-%d")
    tab["end"] = pd.to_datetime(tab["end"], format="%Y-%m-%d")
    if tab["start"].isna().any():
        raise ValueError(
            f"{path}: rows {list(tab.index[tab['start'].isna()] + 2)} lack a start date"
        )

    eu = _read_r(EUSTATES_KEY, BLOC_FILES)
    members = to_canonical(eu["iso2c"], "iso2", source="macro/eustates.rda")
    eu_tab = pd.DataFrame(
        {
            "bloc": "EU",
            "member": members.to_numpy(),
            "start": pd.to_datetime(eu["date"]).to_numpy(),
            "end": pd.NaT,
            "source": "stevedata eustates (data/macro/original/eustates.rda)",
            "reason": "EU/EC/EEC accession date",
        }
    )
    exits = pd.read_csv(TABLES_DIR / "eu_exits.csv", dtype=str)
    for member, date in zip(exits["member"], exits["exit_date"], strict=True):
        hit = eu_tab["member"] == member
        if not hit.any():
            raise ValueError(f"eu_exits.csv: {member} is not an EU member in eustates")
        eu_tab.loc[hit, "end"] = pd.Timestamp(date)
        eu_tab.loc[hit, "source"] += "; exit: datasets/countries/eu_exits.csv"
    cols = ["bloc", "member", "start", "end", "source", "reason"]
    out = pd.concat([eu_tab[cols], tab[cols]], ignore_index=True)
    return out.sort_values(["bloc", "start", "member"], ignore_index=True)


def _bloc_start(bloc: str) -> pd.Timestamp:
    if bloc == "EU":
        return _EU_START
    spells = bloc_members()
    return spells.loc[spells["bloc"] == bloc, "start"].min()


def _as_dates(values: pd.Series, where: str) -> pd.Series:
    """Datetimes, or integer years read as July 1 of that year."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values)
    num = pd.to_numeric(values, errors="coerce")
    if num.notna().sum() == values.notna().sum() and values.notna().any():
        return pd.to_datetime({"year": num.fillna(1900).astype(int), "month": 7, "day": 1}).where(
            num.notna()
        )
    parsed = pd.to_datetime(values, errors="coerce")
    bad = values.notna() & parsed.isna()
    if bad.any():
        raise ValueError(f"{where}: unparseable dates in rows {list(values.index[bad][:10])}")
    return parsed


def members_on(bloc: str, date: pd.Timestamp | int) -> list[str]:
    """Sorted member codes of ``bloc`` on ``date`` (a Timestamp, or a year read as July 1)."""
    d = (
        pd.Timestamp(year=date, month=7, day=1)
        if isinstance(date, int | np.integer)
        else pd.Timestamp(date)
    )
    name = BLOC_ALIASES.get(bloc, bloc)
    spells = bloc_members()
    sp = spells[spells["bloc"] == name]
    if sp.empty:
        raise UnknownBlocError(
            f"bloc {bloc!r} has no membership table (known: {sorted(spells['bloc'].unique())}); "
            "add its spells to datasets/countries/bloc_members.csv"
        )
    if d < _bloc_start(name):
        raise UnknownBlocError(
            f"bloc {bloc!r} did not exist on {d.date()} (starts {_bloc_start(name).date()})"
        )
    alive = (sp["start"] <= d) & (sp["end"].isna() | (sp["end"] >= d))
    return sorted(sp.loc[alive, "member"])


def expand_blocs(df: pd.DataFrame, party_col: str, date_col: str) -> pd.DataFrame:
    """Replace rows whose ``party_col`` is a bloc code by one row per member at ``date_col``.

    ``date_col`` holds datetimes or integer years (read as July 1).  The output has a new
    string column ``bloc`` (the bloc code as given, ``<NA>`` for rows that were not blocs) and
    a fresh RangeIndex; non-bloc rows keep their order, and each bloc row is replaced in place
    by its members in alphabetical order.  A bloc without a membership table, or a date that is
    missing or before the bloc existed, raises ``UnknownBlocError`` naming the rows.
    """
    for col in (party_col, date_col):
        if col not in df.columns:
            raise KeyError(
                f"expand_blocs: column {col!r} not in frame (columns: {list(df.columns)})"
            )
    if "bloc" in df.columns:
        raise ValueError("expand_blocs: the frame already has a 'bloc' column")
    party = df[party_col].astype("string")
    is_bloc = party.isin(list(bloc_codes())).fillna(False).to_numpy(dtype=bool)
    out = df.copy()
    out["bloc"] = pd.Series(pd.NA, index=df.index, dtype="string")
    if not is_bloc.any():
        return out.reset_index(drop=True)
    dates = _as_dates(df[date_col], f"expand_blocs column {date_col!r}")
    known = set(bloc_members()["bloc"])
    problems: list[str] = []
    reps = np.ones(len(df), dtype=int)
    members_per_row: list[list[str] | None] = []
    for i in range(len(df)):
        if not is_bloc[i]:
            members_per_row.append(None)
            continue
        code = str(party.iloc[i])
        name = BLOC_ALIASES.get(code, code)
        d = dates.iloc[i]
        if name not in known:
            problems.append(f"row {df.index[i]!r}: bloc {code!r} has no membership table")
            members_per_row.append(None)
            continue
        if pd.isna(d):
            problems.append(f"row {df.index[i]!r}: bloc {code!r} with missing {date_col}")
            members_per_row.append(None)
            continue
        try:
            mem = members_on(name, d)
        except UnknownBlocError as exc:
            problems.append(f"row {df.index[i]!r}: {exc}")
            members_per_row.append(None)
            continue
        if not mem:
            problems.append(f"row {df.index[i]!r}: bloc {code!r} has no members on {d.date()}")
            members_per_row.append(None)
            continue
        members_per_row.append(mem)
        reps[i] = len(mem)
    if problems:
        raise UnknownBlocError(
            f"expand_blocs ({party_col!r}, {date_col!r}): {len(problems)} row(s) cannot be expanded: "
            + "; ".join(problems[:20])
            + (" ..." if len(problems) > 20 else "")
        )
    out = out.iloc[np.repeat(np.arange(len(df)), reps)].reset_index(drop=True)
    new_party: list[object] = []
    new_bloc: list[object] = []
    for i, mem in enumerate(members_per_row):
        if mem is None:
            new_party.append(party.iloc[i])
            new_bloc.append(pd.NA)
        else:
            new_party.extend(mem)
            new_bloc.extend([party.iloc[i]] * len(mem))
    out[party_col] = pd.array(new_party, dtype="string")
    out["bloc"] = pd.array(new_bloc, dtype="string")
    return out
