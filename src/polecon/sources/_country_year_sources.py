"""Per-source blocks of table ``country_year`` (each returns code, year, columns).

World Bank, PWT, Maddison, democracy and membership blocks with the reviewed tables they read
(``WB_AGGREGATES``, ``MPD_NATIVE``, the V-Dem overrides, ``IGO_CORRECTIONS``), applying the
rules stated in the docstring of :mod:`polecon.sources.country_year`, which imports them back;
split out of that module unchanged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources import cow_igo, democracy, maddison, memberships, pwt, wb_wdi
from polecon.sources._base import BuildLog
from polecon.sources._common import canonical_codes, codes_of
from polecon.sources._country_year_rules import (
    _attribute_successors,
    _dedupe_by_system,
    _dedupe_latest_unit,
    _map_rows,
)
from polecon.sources._schema import SourceError
from polecon.sources._tables import column_set, read_table
from polecon.sources.cepii import source_name

#: World Bank regional and income aggregates (not economies): dropped before mapping
#: (reviewed table ``datasets/sources/wb_aggregates.csv``)
WB_AGGREGATES: frozenset[str] = column_set(
    "wb_aggregates.csv", ("code", "name", "kind", "reason"), "code"
)

#: Maddison historical aggregates: MPD code -> (canonical code, last year used)
#: (used while the successors are not yet system members, as in ``polecon.countries.predecessor``:
#: SUN to 1990 because every Soviet successor is a COW member in 1991; reviewed table
#: ``datasets/sources/maddison_aggregates.csv``)
MPD_NATIVE: dict[str, tuple[str, int]] = {
    m: (c, int(y))
    for m, c, y, _ in read_table(
        "maddison_aggregates.csv", ("mpd_code", "code", "last_year", "reason")
    ).itertuples(index=False)
}

#: V-Dem overrides (reviewed table ``datasets/sources/vdem_overrides.csv``): field ``cown``
#: gives a V-Dem unit without a COW code its COW code (the Republic of Vietnam, VDR = COW 817);
#: field ``code`` codes a unit's rows up to ``last_year`` as another canonical code (V-Dem's
#: Czechia series covers Czechoslovakia 1918-1992: CSK)
_VDEM = read_table(
    "vdem_overrides.csv",
    ("country_text_id", "field", "value", "last_year", "reason", "source"),
    optional=("last_year",),
)
VDEM_COW_OVERRIDE: dict[str, int] = {
    t: int(v) for t, f, v in _VDEM[["country_text_id", "field", "value"]].itertuples(index=False)
    if f == "cown"
}  # fmt: skip
#: V-Dem unit -> (canonical code, last year coded so)
VDEM_CODE_OVERRIDE: dict[str, tuple[str, int]] = {
    t: (v, int(y))
    for t, f, v, y in _VDEM[["country_text_id", "field", "value", "last_year"]].itertuples(
        index=False
    )
    if f == "code"
}

#: Documented corrections of COW IGO v3 codings (reviewed table
#: ``datasets/sources/igo_corrections.csv``): (igo column, code, first year, last year, value,
#: reason). COW IGO codes West Germany (260) as an OECD non-member in 1961-1989 although it is a
#: founding member; unified Germany's 1990 GATT membership is coded 0.
IGO_CORRECTIONS: tuple[tuple[str, str, int, int, int, str], ...] = tuple(
    (igo, code, int(y0), int(y1), int(v), reason)
    for igo, code, y0, y1, v, reason in read_table(
        "igo_corrections.csv",
        ("igo", "code", "first_year", "last_year", "value", "reason", "source"),
    )[["igo", "code", "first_year", "last_year", "value", "reason"]].itertuples(index=False)
)

#: COW IGO coverage
IGO_LAST_YEAR = 2014
GATT_YEARS = (1948, 1994)
EU_YEARS = (1958, 2020)  # eustates is 'current as of 2019'; exits reviewed to 2020


# ---------------------------------------------------------------------------
# per-source blocks (each returns code, year, columns)
# ---------------------------------------------------------------------------


def _wb(
    path: Path, indicator: str, col: str, log: BuildLog, start: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    src = source_name(path)
    df = wb_wdi.parse(path, indicator)  # type: ignore[arg-type]
    df = df[df["year"] >= start]
    agg = df["wb_code"].isin(WB_AGGREGATES)
    log.drop(f"{src}: World Bank regional/income aggregates", int(agg.sum()),
             sorted(set(df.loc[agg, "wb_code"])))  # fmt: skip
    df = _map_rows(df[~agg], "wb_code", "wb", src, log)
    df = df.rename(columns={"value": col})[["code", "year", col]]
    if df.duplicated(["code", "year"]).any():
        raise SourceError(src, "duplicated code-year after mapping", column="wb_code",
                          rows=df.index[df.duplicated(["code", "year"], keep=False)].tolist())  # fmt: skip
    return _attribute_successors(df, [col], src, log)


def _pwt(path: Path, log: BuildLog, start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    src = source_name(path)
    df = pwt.parse(path)
    df = df[df["year"] >= start]
    df = _map_rows(df, "isocode", "iso3", src, log)
    df = pd.DataFrame(
        {
            "code": df["code"],
            "year": df["year"],
            "rgdpe_pwt": df["rgdpe"] * 1e6,
            "rgdpo_pwt": df["rgdpo"] * 1e6,
            "pop_pwt": df["pop"] * 1e6,
        }
    )
    return _attribute_successors(df, ["rgdpe_pwt", "rgdpo_pwt", "pop_pwt"], src, log)


def _mpd(path: Path, log: BuildLog, start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    src = source_name(path)
    df = maddison.parse(path)
    df = df[df["year"] >= start]
    native = df["iso"].isin(list(MPD_NATIVE))
    nat = df[native].copy()
    last = nat["iso"].map({k: v[1] for k, v in MPD_NATIVE.items()})
    late = nat["year"] > last
    spans = ", ".join(f"{k} > {v[1]}" for k, v in MPD_NATIVE.items())
    log.drop(
        f"{src}: Maddison aggregates of dissolved states once their successors are states "
        f"({spans})",
        int(late.sum()),
        sorted(set(nat.loc[late, "iso"])),
    )
    nat = nat[~late].assign(code=lambda d: d["iso"].map({k: v[0] for k, v in MPD_NATIVE.items()}))
    rest = _map_rows(df[~native], "iso", "iso3", src, log)
    frame = pd.DataFrame(
        {
            "code": rest["code"],
            "year": rest["year"],
            "gdp_mpd": rest["gdppc"] * rest["pop"] * 1000.0,
            "pop_mpd": rest["pop"] * 1000.0,
            "gdppc_mpd": rest["gdppc"],
        }
    )
    out, summed = _attribute_successors(frame, ["gdp_mpd", "pop_mpd"], src, log)
    # summed rows have no reported gdppc: recompute it from summed GDP and population
    out["gdppc_mpd"] = out["gdppc_mpd"].fillna(out["gdp_mpd"] / out["pop_mpd"])
    # Maddison's own aggregates replace sums/own rows for their (code, year)
    nat_frame = pd.DataFrame(
        {
            "code": nat["code"].astype("string"),
            "year": nat["year"],
            "gdppc_mpd": nat["gdppc"],
            "pop_mpd": nat["pop"] * 1000.0,
        }
    )
    nk = pd.MultiIndex.from_frame(nat_frame[["code", "year"]])
    out = out[~pd.MultiIndex.from_frame(out[["code", "year"]]).isin(nk)]
    if len(summed):
        summed = summed[~pd.MultiIndex.from_frame(summed[["code", "year"]]).isin(nk)]
    out = pd.concat([out, nat_frame], ignore_index=True)
    return out[["code", "year", "gdppc_mpd", "pop_mpd"]], summed


def _democracy(raw: dict[str, Path], log: BuildLog, start: int) -> pd.DataFrame:
    parts = []
    specs = [
        (democracy.VDEM_KEY, democracy.parse_vdem, "country_text_id", "v2x_polyarchy", "polyarchy"),
        (democracy.POLITY_KEY, democracy.parse_polity5, "polity_ccode", "polity2", "polity2"),
        (democracy.BMR_KEY, democracy.parse_bmr, "bmr_ccode", "democracy", "bmr_democracy"),
    ]
    for key, parser, unit, value, col in specs:
        df = parser(raw[key])
        df = df[df["year"] >= start].copy()
        cown = df["cown"].copy()
        if key == democracy.VDEM_KEY:
            for text_id, cc in VDEM_COW_OVERRIDE.items():
                hit = (df[unit] == text_id) & cown.isna()
                cown[hit] = cc
                if hit.any():
                    log.note(f"{key}: V-Dem unit {text_id} has no cown; mapped to COW {cc} "
                             "(documented override, datasets/sources/vdem_overrides.csv)")  # fmt: skip
        no_cow = cown.isna()
        mapped = df[~no_cow].assign(cown=cown[~no_cow])
        mapped = _map_rows(mapped, "cown", "cow", key, log)
        extra = df[no_cow]
        if len(extra) and key == democracy.VDEM_KEY:
            codes = canonical_codes(
                extra[unit], "vdem_text", source=key, column=unit, years=extra["year"],
                unknown="na",
            )  # fmt: skip
            extra = extra.assign(code=codes)
            bad = extra["code"].isna()
            log.drop(f"{key}: units outside the COW list without an ISO3 code (not states)",
                     int(bad.sum()), sorted(set(extra.loc[bad, unit])))  # fmt: skip
            mapped = pd.concat([mapped, extra[~bad]])
        elif len(extra):
            log.drop(f"{key}: units without a COW code (not in the COW list)", len(extra),
                     sorted(set(extra[unit].astype(str))))  # fmt: skip
        if key == democracy.VDEM_KEY:
            for text_id, (code, last) in VDEM_CODE_OVERRIDE.items():
                hit = (mapped[unit] == text_id) & (mapped["year"] <= last)
                mapped.loc[hit, "code"] = code
                log.note(f"{key}: V-Dem {text_id} rows up to {last} coded {code} "
                         f"({int(hit.sum())} rows; datasets/sources/vdem_overrides.csv)")  # fmt: skip
        mapped = _dedupe_latest_unit(mapped, unit, key, log)
        parts.append(mapped[["code", "year", value]].rename(columns={value: col}))
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p, on=["code", "year"], how="outer")
    return out


def _memberships(
    raw: dict[str, Path], log: BuildLog, frame: pd.DataFrame, system: pd.DataFrame
) -> pd.DataFrame:
    """GATT, WTO, OECD, EU dummies on ``frame`` (code, year)."""
    from polecon.countries import bloc_members

    out = frame[["code", "year"]].copy()
    mid = pd.to_datetime(out["year"].astype(str) + "-07-01")
    # GATT (stevedata accession dates), mid-year, 1948-1994
    g = memberships.parse_gatt(raw[memberships.GATT_KEY])
    g = g.assign(code=codes_of(g["iso3c"], "iso3", memberships.GATT_KEY))
    if g["code"].isna().any() or g["code"].duplicated().any():
        raise SourceError(memberships.GATT_KEY, "GATT parties must map to distinct codes",
                          column="iso3c", rows=g.index[g["code"].isna() | g["code"].duplicated(keep=False)].tolist())  # fmt: skip
    start = out["code"].map(dict(zip(g["code"], g["date"], strict=True)))
    inside = out["year"].between(*GATT_YEARS)
    val = (start.notna() & (start <= mid)).astype("Int64")
    out["gatt_member"] = val.where(inside, pd.NA).astype("Int64")
    # EU: eustates accession dates + reviewed exits (bloc_members), mid-year, 1958-2020
    e = memberships.parse_eu(raw[memberships.EU_KEY])
    e = e.assign(code=codes_of(e["iso2c"], "iso2", memberships.EU_KEY))
    spells = bloc_members()
    spells = spells[spells["bloc"] == "EU"]
    ends = dict(zip(spells["member"], spells["end"], strict=True))
    st = out["code"].map(dict(zip(e["code"], e["date"], strict=True)))
    en = out["code"].map(ends)
    member = st.notna() & (st <= mid) & (en.isna() | (mid <= en))
    inside = out["year"].between(*EU_YEARS)
    out["eu_member"] = member.astype("Int64").where(inside, pd.NA).astype("Int64")
    n_exit = sum(1 for v in ends.values() if pd.notna(v))
    log.note(f"eu_member: {len(e)} accessions from eustates; {n_exit} exit(s) from "
             "datasets/countries/eu_exits.csv; read on 1 July; NA outside 1958-2020")  # fmt: skip
    # COW IGO: gatt, wto, oecd (full membership = 1; 0/2/3 -> 0; -1/-9 -> NA)
    igo = cow_igo.parse_state_year(raw[cow_igo.STATE_YEAR_KEY], ("gatt", "wto", "oecd"))
    igo = _map_rows(igo, "ccode", "cow", cow_igo.STATE_YEAR_KEY, log)
    igo = _dedupe_by_system(igo, "ccode", cow_igo.STATE_YEAR_KEY, log, system)
    for g_col, code, y0, y1, value, reason in IGO_CORRECTIONS:
        hit = (igo["code"] == code) & igo["year"].between(y0, y1) & (igo[g_col] != value)
        igo.loc[hit, g_col] = value
        log.note(f"{cow_igo.STATE_YEAR_KEY}: corrected {g_col} of {code} {y0}-{y1} to {value} "
                 f"in {int(hit.sum())} rows ({reason})")  # fmt: skip
    for g_col, col in (("gatt", "gatt_member_cow"), ("wto", "wto_member"), ("oecd", "oecd_member")):
        v = igo[g_col]
        igo[col] = pd.Series(np.where(v == 1, 1, 0), index=igo.index, dtype="Int64").where(v >= 0)
    out = out.merge(igo[["code", "year", "gatt_member_cow", "wto_member", "oecd_member"]],
                    on=["code", "year"], how="left")  # fmt: skip
    return out
