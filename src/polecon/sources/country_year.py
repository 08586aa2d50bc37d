"""Canonical table ``country_year``: GDP, population, democracy and memberships by
canonical country code and year.

Sources (each column's unit and source is in :data:`SCHEMA`):

- World Bank WDI GDP (current US$) and population (:mod:`polecon.sources.wb_wdi`);
- Penn World Table 10.01 real GDP (rgdpe, rgdpo) and population (:mod:`~.pwt`);
- Maddison Project 2023 GDP per capita and population (:mod:`~.maddison`);
- V-Dem polyarchy, Polity5 polity2, Boix-Miller-Rosato democracy (:mod:`~.democracy`);
- GATT accession dates and EU accession dates (:mod:`~.memberships`), with the reviewed EU exits
  of ``datasets/countries/eu_exits.csv`` (via ``polecon.countries.bloc_members``);
- COW IGO v3 state-year memberships: WTO, OECD and GATT status (:mod:`~.cow_igo`), with one
  documented correction (West Germany's OECD membership 1961-1989, :data:`IGO_CORRECTIONS`).

Rules (all logged in the build log):

1. **Rows.** One row per (code, year) that any source reports from ``start_year`` (default 1816)
   on, plus every COW state-year (1816-2016, carried forward to the last data year as in
   ``polecon.countries.state_system``). ``ccode`` is the COW code of the state in that year
   (``<NA>`` for non-members such as territories).
2. **Outside coverage is NA.** A source that has no row or no value for a country-year leaves
   the cell ``<NA>``/NaN; nothing is filled with 0. Membership dummies are 0/1 only inside the
   membership source's coverage years (see each column).
3. **Successor territories (today's-borders sources: WB, PWT, Maddison).** A value that a
   source reports for a successor territory in a year before that successor was a state (e.g.
   Ukraine 1990, Czech Republic 1992; table ``datasets/countries/succession.csv`` via
   ``polecon.countries.predecessor``) is attributed to the predecessor (``RUS`` = USSR, ``CSK``,
   ``SRB`` = Yugoslavia, ...): the predecessor's value is the **sum** of its own row and every
   successor row, and only if every unit that the source reports at all has a value that year;
   otherwise it is NA (a partial sum would be wrong, e.g. the Russian SFSR is not the USSR).
   The successor's own pre-independence row loses these values. GDP per capita is recomputed
   from summed GDP and population. Maddison's own historical aggregates (SUN to 1990, YUG to
   1991, CSK to 1992) are used instead of sums in those years; their later years are dropped.
   In the transition year the successors already count as states (``predecessor``'s rule), so
   e.g. ``RUS`` 1991 carries the Russian Federation's WB/PWT/Maddison values, not the USSR's.
   ``territory_note`` says which sources were summed.
4. **Unified territories not split.** WB, PWT and Maddison report Germany, Yemen and Vietnam on
   today's borders before unification; those values stay with ``DEU`` (to 1989), ``YEM`` (to
   1989) and ``VNM`` (to 1975) and are flagged in ``territory_note``; ``DDR``, ``YMD`` and
   ``RVN`` get no values from these sources.
5. **Duplicates after mapping.** Where two units of one source map to the same canonical
   code-year (Polity's USSR and Russia in 1922; Yugoslavia and Serbia-Montenegro in 1991;
   West Germany 260 and Germany 255 in 1990), the successor is kept: for COW-coded state-year
   files, the COW code that ``state_system`` assigns to that code-year (the spell that starts
   last in the year); for democracy sources, the unit whose current run of consecutive years
   starts latest; COW IGO duplicates keep the code whose system spell covers 1 July (West
   Germany 260 in 1990, matching rule 7). A tie raises :class:`SourceError`. Every resolution
   is logged. V-Dem's Czechia series before 1993 is Czechoslovakia and is coded ``CSK``.
6. **gdppc_real** = PWT rgdpe / pop (2017 int. $ at chained PPPs per person), falling back to
   Maddison gdppc (2011 int. $) where PWT is missing; ``gdppc_real_source`` says which
   (HYPOTHESES.md s.1 roles). The two sources use different price bases; the flag lets users
   restrict to one.
7. **Memberships** are read at mid-year (a member in year y if a member on y-07-01), the
   convention of ``polecon.countries.blocs``.

Code layout: the per-source blocks and the reviewed tables they read live in
:mod:`polecon.sources._country_year_sources`, the mapping, de-duplication and successor rules
(3 and 5) in :mod:`polecon.sources._country_year_rules`; this module assembles the table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from polecon.sources import cow_igo, democracy, maddison, memberships, pwt, wb_wdi
from polecon.sources._base import BuildLog, register_table
from polecon.sources._country_year_rules import _system_years
from polecon.sources._country_year_sources import (  # noqa: F401 (re-exported)
    _VDEM,
    EU_YEARS,
    GATT_YEARS,
    IGO_CORRECTIONS,
    IGO_LAST_YEAR,
    MPD_NATIVE,
    VDEM_CODE_OVERRIDE,
    VDEM_COW_OVERRIDE,
    WB_AGGREGATES,
    _democracy,
    _memberships,
    _mpd,
    _pwt,
    _wb,
)
from polecon.sources._schema import Column, Schema
from polecon.sources._tables import read_table

RAW_KEYS: tuple[str, ...] = (
    wb_wdi.GDP_KEY,
    wb_wdi.POP_KEY,
    pwt.KEY,
    maddison.KEY,
    democracy.VDEM_KEY,
    democracy.POLITY_KEY,
    democracy.BMR_KEY,
    memberships.GATT_KEY,
    memberships.EU_KEY,
    cow_igo.STATE_YEAR_KEY,
)

CITATION = " | ".join(
    [
        wb_wdi.CITATION,
        pwt.CITATION,
        maddison.CITATION,
        democracy.CITATION,
        memberships.CITATION,
        cow_igo.CITATION,
    ]
)

#: today's-borders values of a unified state before unification: code -> (last flagged year,
#: note) (reviewed table ``datasets/sources/unified_territories.csv``)
UNIFIED_TERRITORY: dict[str, tuple[int, str]] = {
    c: (int(y), n)
    for c, y, n, _ in read_table(
        "unified_territories.csv", ("code", "last_year", "note", "reason")
    ).itertuples(index=False)
}


def _c(name: str, dtype: str, desc: str, unit: str = "", **kw: Any) -> Column:
    return Column(name, dtype, desc, unit=unit, **kw)


SCHEMA = Schema(
    name="country_year",
    description="Country-year covariates: GDP, population, democracy, memberships.",
    key=("code", "year"),
    columns=(
        _c("code", "string", "canonical country code (ISO3, COW continuity)", nullable=False,
           country=True),
        _c("year", "int", "calendar year", nullable=False, min=1816, max=2100),
        _c("ccode", "Int", "COW state code in that year (<NA> if not a COW system member; "
           "2017+ carried forward from 2016, polecon.countries.state_system)"),
        _c("gdp_wb", "float", "GDP, World Bank WDI NY.GDP.MKTP.CD (1960-2023)",
           unit="current US$", min=0.0),
        _c("pop_wb", "float", "population, World Bank WDI SP.POP.TOTL (1960-2024)",
           unit="persons", min=0.0),
        _c("rgdpe_pwt", "float", "expenditure-side real GDP at chained PPPs, PWT 10.01 rgdpe "
           "(1950-2019; source unit million US$ converted to US$)", unit="2017 int. $ (PPP)",
           min=0.0),
        _c("rgdpo_pwt", "float", "output-side real GDP at chained PPPs, PWT 10.01 rgdpo",
           unit="2017 int. $ (PPP)", min=0.0),
        _c("pop_pwt", "float", "population, PWT 10.01 pop (source unit millions)",
           unit="persons", min=0.0),
        _c("gdppc_mpd", "float", "real GDP per capita, Maddison Project 2023 gdppc",
           unit="2011 int. $ (PPP) per person", min=0.0),
        _c("pop_mpd", "float", "population, Maddison Project 2023 pop (source unit thousands)",
           unit="persons", min=0.0),
        _c("gdppc_real", "float", "real GDP per capita: PWT rgdpe/pop, else Maddison gdppc "
           "(HYPOTHESES s.1 roles)", unit="int. $ (PPP) per person; base year per source",
           min=0.0),
        _c("gdppc_real_source", "string", "source of gdppc_real: 'pwt' (2017 $) or 'maddison' "
           "(2011 $)", allowed=frozenset({"pwt", "maddison"})),
        _c("polyarchy", "float", "V-Dem electoral democracy index v2x_polyarchy "
           "(vdem_simple, 1789-2024)", unit="0-1", min=0.0, max=1.0),
        _c("polity2", "float", "Polity5 polity2 (to 2018; the file carries the USA alone in 2019-2020)", unit="-10..10", min=-10.0,
           max=10.0),
        _c("bmr_democracy", "Int", "Boix-Miller-Rosato democracy dummy (1800-2020; <NA> when "
           "not sovereign)", unit="0/1", allowed=frozenset({0, 1})),
        _c("gatt_member", "Int", "GATT contracting party on 1 July (stevedata gatt_members "
           "accession dates; 1948-1994, NA outside)", unit="0/1", allowed=frozenset({0, 1})),
        _c("gatt_member_cow", "Int", "GATT full member, COW IGO v3 'gatt' (NA when COW codes "
           "-1/-9 or outside 1816-2014; states only)", unit="0/1", allowed=frozenset({0, 1})),
        _c("wto_member", "Int", "WTO full member, COW IGO v3 'wto' (1995-2014; NA outside and "
           "for non-states)", unit="0/1", allowed=frozenset({0, 1})),
        _c("oecd_member", "Int", "OECD full member, COW IGO v3 'oecd' (1961-2014; NA outside "
           "and for non-states; West Germany 1961-1989 corrected to 1, IGO_CORRECTIONS)",
           unit="0/1", allowed=frozenset({0, 1})),
        _c("eu_member", "Int", "EEC/EC/EU member on 1 July (stevedata eustates accession dates "
           "+ reviewed exits, datasets/countries/eu_exits.csv; 1958-2020, NA outside)",
           unit="0/1", allowed=frozenset({0, 1})),
        _c("territory_note", "string", "values that cover another territory than the state: "
           "'summed successors: <sources>' (rule 3) or 'unified territory: ...' (rule 4)"),
    ),
)  # fmt: skip


# ---------------------------------------------------------------------------
# the canonical table
# ---------------------------------------------------------------------------


@register_table(
    "country_year",
    schema=SCHEMA,
    raw=RAW_KEYS,
    citation=CITATION,
    default_options={"start_year": 1816},
)
def build(raw: dict[str, Path], log: BuildLog, start_year: int = 1816) -> pd.DataFrame:
    """Country-year GDP, population, democracy and memberships (see the module docstring)."""
    start = int(start_year)
    if start < 1816:
        raise ValueError("start_year must be >= 1816 (the schema's lower bound)")
    gdp, gdp_sum = _wb(raw[wb_wdi.GDP_KEY], "gdp", "gdp_wb", log, start)
    pop, pop_sum = _wb(raw[wb_wdi.POP_KEY], "pop", "pop_wb", log, start)
    pw, pw_sum = _pwt(raw[pwt.KEY], log, start)
    mp, mp_sum = _mpd(raw[maddison.KEY], log, start)
    dem = _democracy(raw, log, start)

    frames = [gdp, pop, pw, mp, dem]
    keys = pd.concat([f[["code", "year"]] for f in frames], ignore_index=True)
    last_year = int(keys["year"].max())
    system = _system_years(last_year)
    keys = pd.concat([keys, system.loc[system["year"] >= start, ["code", "year"]]])
    keys = keys.drop_duplicates().astype({"code": "string", "year": "int64"})
    out = keys
    for f in frames:
        f = f.astype({"code": "string", "year": "int64"})
        out = out.merge(f, on=["code", "year"], how="left", validate="one_to_one")
    out = out.merge(system.astype({"code": "string"}), on=["code", "year"], how="left")

    # gdppc_real: PWT rgdpe/pop, else Maddison
    pwt_pc = out["rgdpe_pwt"] / out["pop_pwt"]
    use_pwt = pwt_pc.notna() & np.isfinite(pwt_pc)
    out["gdppc_real"] = pwt_pc.where(use_pwt, out["gdppc_mpd"])
    out["gdppc_real_source"] = pd.Series(
        np.where(use_pwt, "pwt", np.where(out["gdppc_mpd"].notna(), "maddison", None)),
        index=out.index,
        dtype="string",
    )

    # territory notes (rules 3 and 4)
    note = pd.Series(pd.NA, index=out.index, dtype="string")
    k = pd.MultiIndex.from_frame(out[["code", "year"]])
    srcs = [("wb_gdp", gdp_sum), ("wb_pop", pop_sum), ("pwt", pw_sum), ("maddison", mp_sum)]
    parts: list[pd.Series] = []
    for name, sk in srcs:
        hit = (
            k.isin(pd.MultiIndex.from_frame(sk[["code", "year"]].astype({"year": "int64"})))
            if len(sk)
            else np.zeros(len(out), bool)
        )
        parts.append(pd.Series(np.where(hit, name, ""), index=out.index))
    joined = parts[0].str.cat(parts[1:], sep=",").str.strip(",").str.replace(r",+", ",", regex=True)
    note = note.mask(joined != "", "summed successors: " + joined)
    for code, (last, text) in UNIFIED_TERRITORY.items():
        hit = (
            (out["code"] == code)
            & (out["year"] <= last)
            & out[["gdp_wb", "pop_wb", "rgdpe_pwt", "pop_pwt", "gdppc_mpd", "pop_mpd"]]
            .notna()
            .any(axis=1)
        )
        note = note.mask(hit, f"unified territory: {text} (wb/pwt/maddison)")
    out["territory_note"] = note
    log.note("territory_note: summed successor territories and unified-territory values flagged; "
             f"{int(note.notna().sum())} rows flagged")  # fmt: skip

    mem = _memberships(raw, log, out, system)
    out = out.merge(mem, on=["code", "year"], how="left", validate="one_to_one")
    out = out.sort_values(["code", "year"], ignore_index=True)
    out["bmr_democracy"] = out["bmr_democracy"].astype("Int64")
    out["ccode"] = out["ccode"].astype("Int64")
    return out[SCHEMA.names]


def load(**options: Any) -> pd.DataFrame:
    """``polecon.load("country_year", **options)``."""
    from polecon.sources._base import load as _load

    return _load("country_year", **options)


__all__ = ["CITATION", "MPD_NATIVE", "SCHEMA", "WB_AGGREGATES", "build", "load"]
