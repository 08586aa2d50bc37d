"""State-system membership by year (COW by default, Gleditsch-Ward as an option).

Membership rule: a state is a member in year t if any of its membership spells overlaps year t
(``start.year <= t <= end.year``).  So East Germany (COW 265, to 1990-10-02) is a member in 1990
and not in 1991, and the year of a merger counts both for the merged and for the merging states.
Codes that share one canonical code (COW 260 and 255 for DEU) give one row per canonical
code and year; its ``ccode`` is the code of the spell that starts last within that year
(255 for DEU in 1990; 679 for YEM in 1990).

The COW list (v2016) ends on 2016-12-31 and the GW list on 2020-12-31.  With
``carry_forward=True`` the states that are members on the list's last day are carried into the
following years and flagged ``carried_forward`` (peacesciencer's "most recent year" convention).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from polecon.countries._tables import TABLES_DIR
from polecon.countries.crosswalk import (
    codelist,
    cow_map,
    cow_system_spells,
    gw_map,
    gw_system_spells,
)

__all__ = ["canonical_states", "name_in_year", "state_system"]


def _spells(system: str) -> tuple[pd.DataFrame, dict[int, str]]:
    if system == "cow":
        return cow_system_spells(), cow_map()
    if system == "gw":
        return gw_system_spells(), gw_map()
    raise ValueError(f"unknown state system {system!r}; use 'cow' or 'gw'")


@cache
def _system_years(system: str) -> tuple[pd.DataFrame, int, frozenset[str]]:
    """All member-years of the list, its last year, and the codes alive on its last day."""
    spells, cmap = _spells(system)
    missing = sorted(set(spells["ccode"]) - set(cmap))
    if missing:
        raise ValueError(f"{system} state list: codes without a canonical code: {missing}")
    sp = spells.assign(code=spells["ccode"].map(cmap))
    y0 = sp["start"].dt.year.to_numpy()
    y1 = sp["end"].dt.year.to_numpy()
    n = y1 - y0 + 1
    rows = pd.DataFrame(
        {
            "code": np.repeat(sp["code"].to_numpy(), n),
            "ccode": np.repeat(sp["ccode"].to_numpy(), n),
            "start": np.repeat(sp["start"].to_numpy(), n),
            "year": np.concatenate([np.arange(a, b + 1) for a, b in zip(y0, y1, strict=True)]),
        }
    )
    rows = rows.sort_values(["code", "year", "start", "ccode"]).drop_duplicates(
        ["code", "year"], keep="last"
    )
    last_day = sp["end"].max()
    alive = frozenset(sp.loc[sp["end"] == last_day, "code"])
    return rows[["code", "ccode", "year"]].reset_index(drop=True), int(last_day.year), alive


def state_system(
    system: Literal["cow", "gw"] = "cow",
    start: int = 1816,
    end: int = 2020,
    carry_forward: bool = True,
) -> pd.DataFrame:
    """State-years of the COW (default) or GW system, ``start``..``end`` inclusive.

    Columns: ``code`` (canonical, string), ``ccode`` (COW or GW numeric, Int64), ``year`` (int),
    ``carried_forward`` (bool: True for years after the list ends, see the module docstring).
    One row per (code, year), sorted by year then code.
    """
    if start > end:
        raise ValueError(f"state_system: start {start} > end {end}")
    rows, last_year, alive = _system_years(system)
    out = rows[(rows["year"] >= start) & (rows["year"] <= end)].assign(carried_forward=False)
    if carry_forward and end > last_year:
        base = rows[(rows["year"] == last_year) & rows["code"].isin(alive)]
        years = np.arange(max(start, last_year + 1), end + 1)
        extra = pd.DataFrame(
            {
                "code": np.tile(base["code"].to_numpy(), len(years)),
                "ccode": np.tile(base["ccode"].to_numpy(), len(years)),
                "year": np.repeat(years, len(base)),
                "carried_forward": True,
            }
        )
        out = pd.concat([out, extra], ignore_index=True)
    out = out.sort_values(["year", "code"], ignore_index=True)
    return pd.DataFrame(
        {
            "code": out["code"].astype("string"),
            "ccode": out["ccode"].astype("Int64"),
            "year": out["year"].astype("int64"),
            "carried_forward": out["carried_forward"].astype(bool),
        }
    )


@cache
def _canonical_states() -> pd.DataFrame:
    cl = codelist()
    iso_name = dict(zip(cl["iso3c"], cl["country.name.en"], strict=True))
    parts = []
    for system in ("cow", "gw"):
        spells, cmap = _spells(system)
        sp = spells.assign(code=spells["ccode"].map(cmap)).sort_values(["start", "ccode"])
        g = sp.groupby("code", sort=True)
        parts.append(
            pd.DataFrame(
                {
                    f"{system}_code": g["ccode"].last(),
                    f"{system}_codes": g["ccode"].agg(
                        lambda s: ";".join(str(c) for c in sorted(set(s)))
                    ),
                    f"{system}_name": g["name"].last(),
                    f"{system}_first_year": g["start"].min().dt.year,
                    f"{system}_last_year": g["end"].max().dt.year,
                }
            )
        )
    df = parts[0].join(parts[1], how="outer")
    df.index.name = "code"
    df = df.reset_index()
    df["name"] = [
        iso_name.get(c) or (cn if isinstance(cn, str) else gn)
        for c, cn, gn in zip(df["code"], df["cow_name"], df["gw_name"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "code": df["code"].astype("string"),
            "name": df["name"].astype("string"),
            "cow_code": df["cow_code"].astype("Int64"),
            "gw_code": df["gw_code"].astype("Int64"),
            "cow_codes": df["cow_codes"].astype("string"),
            "gw_codes": df["gw_codes"].astype("string"),
            "first_year": df["cow_first_year"].astype("Int64"),
            "last_year": df["cow_last_year"].astype("Int64"),
            "gw_first_year": df["gw_first_year"].astype("Int64"),
            "gw_last_year": df["gw_last_year"].astype("Int64"),
        }
    )
    return out.sort_values("code", ignore_index=True)


def canonical_states() -> pd.DataFrame:
    """One row per canonical state code in the COW or GW list.

    Columns: code, name (today's English name, countrycode), cow_code / gw_code (the code of the
    latest spell; ``<NA>`` if not in that list), cow_codes / gw_codes (all codes, ";"-joined),
    first_year / last_year (COW list), gw_first_year / gw_last_year (GW list).  For names by year
    (``RUS`` is "Soviet Union" before 1992) use ``name_in_year``.
    """
    return _canonical_states().copy()


@cache
def _historical_names() -> pd.DataFrame:
    path = TABLES_DIR / "historical_names.csv"
    return pd.read_csv(path, dtype={"code": str, "name": str, "year_from": int, "year_to": int})


def name_in_year(codes: pd.Series | Sequence[str], years: pd.Series | Sequence[int]) -> pd.Series:
    """The state's name in each year: the reviewed historical name (``datasets/countries/
    historical_names.csv``, e.g. RUS -> "Soviet Union" 1922-1991), else today's name."""
    c = pd.Series(list(codes), dtype="string")
    y = pd.Series(list(years), dtype="Int64")
    if len(c) != len(y):
        raise ValueError(f"name_in_year: {len(c)} codes but {len(y)} years")
    base = dict(zip(_canonical_states()["code"], _canonical_states()["name"], strict=True))
    cl = codelist()
    base.update(
        {
            k: v
            for k, v in zip(cl["iso3c"], cl["country.name.en"], strict=True)
            if isinstance(k, str) and k not in base
        }
    )
    out = c.map(base).astype("string")
    for code, name, a, b in _historical_names()[
        ["code", "name", "year_from", "year_to"]
    ].itertuples(index=False):
        sel = (c == code) & (y >= a) & (y <= b)
        out[sel.fillna(False).to_numpy(dtype=bool)] = name
    if isinstance(codes, pd.Series):
        out.index = codes.index
    return out
