"""Correlates of War Dyadic Trade v4.0, directed (peacesciencer processing) -> ``trade_flows``.

Raw file: ``trade/cow_dyadic_trade_v4_directed_1870_2014.rds`` (1,347,308 rows; see
``data/trade/PROVENANCE.md``).  Columns ``ccode1, ccode2, year, flow1, flow2, smoothflow1,
smoothflow2``; flows in millions of current US dollars, rounded to 3 decimals by Miller.

Which flow is which: ``flow1`` is the **imports of ccode1 from ccode2**, i.e. the exports of
``ccode2`` to ``ccode1`` (COW codebook v4.0).  Verified on the data (tests):

- ``(ccode1=2, ccode2=70, 2000)``: flow1 = 135,080 = US imports from Mexico (US Census: about
  $136bn); flow2 = 140,288.
- Oil exporters: ``(740, 670, 1980)`` flow1 = 19,623 (Japan's imports from Saudi Arabia) against
  flow2 = 5,411; ``(2, 670, 1980)`` flow1 = 13,469 against 6,040.  Only the reading
  "flow1 = imports of ccode1" makes the oil importer the larger buyer.
- ``flow2(i, j) == flow1(j, i)`` on every row, so each directed flow is read once, from
  ``flow1``: ``exporter = ccode2``, ``importer = ccode1``, ``value_usd = flow1 * 1e6``.

Missing (COW's -9, NA in this file; 50,833 rows) stays NA; zeros stay 0.  COW codes map to
canonical codes with the ``cow`` scheme (260 and 255 -> DEU, 730 and 732 -> KOR, 345 -> SRB,
365 -> RUS, 678/679 -> YEM, 680 -> YMD, 817 -> RVN, 816 -> VNM, 315 -> CSK).

Vietnam: in this file code 817 (Republic of Vietnam) stops in 1959 and code 816 starts in
1960, continuing the South's series: imports from the US 58m (1959, as 817), 61m (1960, as
816), rising to 675m (1974) and falling to 1m in 1976, with zero or missing trade with the USSR
and China, while the US embargoed North Vietnam.  So 816 in 1960-1975 is South Vietnam and is
labelled ``RVN`` by default (``vietnam_1960_1975="rvn"``; ``"vnm"`` keeps COW's code); North
Vietnam has no rows before 1976.

Where two COW codes of one canonical state both have a row for the same partner and year (Yemen in 1990: 678 and
679), the successor's row (the code whose data start later) is kept and the other is dropped
and logged.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import (
    numeric_values,
    read_rda,
    reject_rows,
    require_columns,
    source_name,
)
from polecon.sources._schema import Column, Schema, SourceError

__all__ = ["CITATION", "RAW_KEY", "SCHEMA", "build", "parse", "read_raw"]

CITATION = (
    "Barbieri, K. and O. M. G. Keshk (2016), Correlates of War Project Trade Data Set Codebook, "
    "Version 4.0 (http://correlatesofwar.org); Barbieri, K., O. M. G. Keshk and B. Pollins "
    "(2009), 'Trading Data: Evaluating our Assumptions and Coding Rules', Conflict Management and "
    "Peace Science 26(5): 471-491.  Directed copy from peacesciencer: Miller, S. V. (2022), "
    "'peacesciencer: An R Package for Quantitative Peace Science Research', Conflict Management "
    "and Peace Science 39(6) (svmiller.github.io, R/peacesciencer/cow_trade_ddy.rds, commit "
    "37c62565)."
)

RAW_KEY = "trade/cow_dyadic_trade_v4_directed_1870_2014.rds"
FIRST_YEAR, LAST_YEAR = 1870, 2014
MILLION = 1e6
#: COW code 816 carries South Vietnam's trade in these years (see module docstring)
VIETNAM_CODE = 816
VIETNAM_SOUTH_YEARS = (1960, 1975)

RAW_COLUMNS = ("ccode1", "ccode2", "year", "flow1", "flow2", "smoothflow1", "smoothflow2")

SCHEMA = Schema(
    name="trade_flows",
    description="Directed merchandise trade, exporter -> importer, COW 4.0 (1870-2014)",
    columns=(
        Column("exporter", "string", "exporting state (canonical)", nullable=False, country=True),
        Column("importer", "string", "importing state (canonical)", nullable=False, country=True),
        Column(
            "year",
            "int",
            "calendar year",
            unit="year",
            nullable=False,
            min=FIRST_YEAR,
            max=LAST_YEAR,
        ),
        Column(
            "value_usd",
            "float",
            "exports of exporter to importer = COW flow1 of (ccode1=importer, ccode2=exporter) "
            "times 1e6 (NaN = missing in COW, never 0)",
            unit="current US dollars",
            min=0,
        ),
        Column(
            "smoothed_value_usd",
            "float",
            "COW smoothed flow (smoothflow1) times 1e6",
            unit="current US dollars",
            min=0,
        ),
        Column(
            "ccode_exporter",
            "int",
            "COW code of the exporter as distributed",
            nullable=False,
            min=1,
            max=999,
        ),
        Column(
            "ccode_importer",
            "int",
            "COW code of the importer as distributed",
            nullable=False,
            min=1,
            max=999,
        ),
    ),
    key=("exporter", "importer", "year"),
)


def read_raw(path: Path) -> pd.DataFrame:
    """Read the .rds and check its columns and types (raw COW units: millions USD).

    Returns the 7 raw columns with integer codes/years.  Raises SourceError for an unreadable or
    truncated file, a missing column, a non-numeric column, non-integer codes or years, a
    negative flow, a duplicated (ccode1, ccode2, year) or a flow2 that is not the mirror flow1.
    """
    source = source_name(path)
    df = read_rda(path)
    require_columns(df, RAW_COLUMNS, source)
    out = {}
    for col in RAW_COLUMNS:
        integer = col in ("ccode1", "ccode2", "year")
        arr = numeric_values(df[col], source, col, integer=integer)
        if integer:
            out[col] = arr.astype(np.int64)
        else:
            neg = arr < 0
            reject_rows(neg, source, f"negative flow (e.g. {arr[neg][:5].tolist()})", column=col)
            out[col] = arr
    raw = pd.DataFrame(out)
    bad_year = (raw["year"] < FIRST_YEAR) | (raw["year"] > LAST_YEAR)
    reject_rows(bad_year, source, f"year outside {FIRST_YEAR}-{LAST_YEAR}", column="year")
    reject_rows(raw["ccode1"] == raw["ccode2"], source, "ccode1 == ccode2", column="ccode2")
    dup = raw.duplicated(["ccode1", "ccode2", "year"], keep=False)
    reject_rows(dup, source, "duplicated key (ccode1, ccode2, year)", column="ccode1")
    # flow2(i, j) must equal flow1(j, i): the file holds both orderings of each dyad
    mirror = raw[["ccode2", "ccode1", "year", "flow1", "smoothflow1"]].set_axis(
        ["ccode1", "ccode2", "year", "m_flow", "m_smooth"], axis=1
    )
    m = raw[["ccode1", "ccode2", "year", "flow2", "smoothflow2"]].merge(
        mirror, on=["ccode1", "ccode2", "year"], how="left", indicator=True
    )
    orphan = (m["_merge"] != "both").to_numpy()
    reject_rows(
        orphan, source, "dyad without its reverse ordering (directed file must hold both)",
        column="ccode2",
    )  # fmt: skip
    for a, b, col in (("flow2", "m_flow", "flow2"), ("smoothflow2", "m_smooth", "smoothflow2")):
        x, y = m[a].to_numpy(), m[b].to_numpy()
        differ = ~((x == y) | (np.isnan(x) & np.isnan(y)))
        msg = f"{col}(i, j) differs from the reverse row's flow1/smoothflow1"
        reject_rows(differ, source, msg, column=col)
    return raw


def _map_codes(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """The unique (ccode, year) pairs of ``raw`` with their canonical code (``canon``).

    Mapped with :func:`canonical_codes` once per pair; errors name the raw rows.
    """
    both = raw[["ccode1", "ccode2"]].to_numpy()
    codes = pd.Series(both.ravel())  # row by row: ccode1, ccode2 of row 0, then row 1, ...
    years = pd.Series(np.repeat(raw["year"].to_numpy(), 2))
    canon = canonical_codes(
        codes,
        "cow",
        source=source,
        column="ccode1/ccode2",
        years=years,
        rows=pd.Series(np.repeat(raw.index.to_numpy(), 2)),
        unique=True,
    )
    if canon.isna().any():
        bad = sorted(codes[canon.isna().to_numpy()].unique().tolist())
        in1, in2 = raw["ccode1"].isin(bad), raw["ccode2"].isin(bad)
        raise SourceError(
            source,
            f"COW code(s) {bad} map to no country (documented exception)",
            column="ccode1/ccode2",
            rows=raw.index[in1 | in2],
        )
    pairs = pd.DataFrame({"ccode": codes, "year": years, "canon": canon.to_numpy()})
    return pairs.drop_duplicates(["ccode", "year"], ignore_index=True)


def _spans(years: np.ndarray) -> str:
    ys = np.unique(years)
    breaks = np.flatnonzero(np.diff(ys) != 1)
    starts = np.r_[ys[0], ys[breaks + 1]]
    ends = np.r_[ys[breaks], ys[-1]]
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in zip(starts, ends, strict=True))


def parse(
    path: Path, *, log: BuildLog | None = None, vietnam_1960_1975: str = "rvn"
) -> pd.DataFrame:
    """Parse the COW directed .rds into ``trade_flows`` (SCHEMA).

    Shape for the distributed file: 1,347,308 rows (minus 4 logged collision drops) x 7
    columns; ``value_usd`` in current US dollars (COW millions x 1e6).  See the module
    docstring for the flow1/flow2 reading, the code mapping and ``vietnam_1960_1975``
    (``"rvn"``: COW code 816 in 1960-1975 is South Vietnam, the default; ``"vnm"``: as coded).
    """
    if vietnam_1960_1975 not in ("rvn", "vnm"):
        raise ValueError(f"vietnam_1960_1975 must be 'rvn' or 'vnm', got {vietnam_1960_1975!r}")
    path = Path(path)
    source = source_name(path)
    notes: list[str] = []
    raw = read_raw(path)
    pairs = _map_codes(raw, source)  # the (code, year) combinations, mapped once
    south = (pairs["ccode"] == VIETNAM_CODE) & pairs["year"].between(*VIETNAM_SOUTH_YEARS)
    if vietnam_1960_1975 == "rvn" and south.any():
        pairs.loc[south, "canon"] = "RVN"
        notes.append(
            f"COW code {VIETNAM_CODE} in {VIETNAM_SOUTH_YEARS[0]}-{VIETNAM_SOUTH_YEARS[1]} "
            "relabelled RVN (South Vietnam), not VNM: code 817 stops in 1959 and 816 continues "
            "its series (imports from the US 58m in 1959 as 817, 61m in 1960 as 816, 675m in "
            "1974, then 1m in 1976), with zero or missing trade with the USSR and China, while the US "
            "embargoed North Vietnam (vietnam_1960_1975='rvn'; 'vnm' keeps COW's code)"
        )
    canon = pairs.set_index(["ccode", "year"])["canon"]
    idx1 = pd.MultiIndex.from_arrays([raw["ccode1"], raw["year"]])
    idx2 = pd.MultiIndex.from_arrays([raw["ccode2"], raw["year"]])
    with np.errstate(invalid="ignore"):  # R's NA is a NaN with a payload
        value = np.round(raw["flow1"].to_numpy() * MILLION)
        smooth = np.round(raw["smoothflow1"].to_numpy() * MILLION)
    out = pd.DataFrame(
        {
            "exporter": pd.array(canon.reindex(idx2).to_numpy(), dtype="string"),
            "importer": pd.array(canon.reindex(idx1).to_numpy(), dtype="string"),
            "year": raw["year"].to_numpy(),
            "value_usd": value,
            "smoothed_value_usd": smooth,
            "ccode_exporter": raw["ccode2"].to_numpy(),
            "ccode_importer": raw["ccode1"].to_numpy(),
        }
    )
    self_pair = out["exporter"] == out["importer"]
    if self_pair.any():
        raise SourceError(
            source,
            "two COW codes of one canonical state trade with each other",
            column="ccode2",
            rows=out.index[self_pair.to_numpy()],
        )
    # collisions: two COW codes of one canonical state, same partner and year
    dup = out.duplicated(["exporter", "importer", "year"], keep=False).to_numpy()
    if dup.any():
        first_year = (
            pd.concat([raw.groupby("ccode1")["year"].min(), raw.groupby("ccode2")["year"].min()])
            .groupby(level=0)
            .min()
        )
        d = out[dup].copy()
        d["start"] = np.maximum(
            first_year.reindex(d["ccode_exporter"]).to_numpy(),
            first_year.reindex(d["ccode_importer"]).to_numpy(),
        )
        d = d.sort_values(
            ["exporter", "importer", "year", "start", "ccode_exporter", "ccode_importer"]
        )
        loser = d.duplicated(["exporter", "importer", "year"], keep="last")
        drop_idx = d.index[loser.to_numpy()]
        dropped = out.loc[drop_idx]
        values = [
            f"{r.ccode_exporter}->{r.ccode_importer} {r.year} ({r.exporter}->{r.importer}, value {r.value_usd})"
            for r in dropped.itertuples()
        ]
        if log is not None:
            log.drop(
                "two COW codes of one canonical state report the same partner-year; kept the "
                "successor's row (code whose data start later)",
                len(drop_idx),
                values,
            )
        notes.append(f"collisions resolved: {values}")
        out = out.drop(index=drop_idx).reset_index(drop=True)
    # coverage of each COW code, for the log
    cov = [
        f"{code}->{label}: {_spans(grp.to_numpy())}"
        for (code, label), grp in pairs.sort_values(["ccode", "year"]).groupby(
            ["ccode", "canon"], sort=False
        )["year"]
    ]
    notes.append("COW code -> canonical: years with rows: " + "; ".join(cov))
    notes.append(
        "flow1 = imports of ccode1 from ccode2: exporter = ccode2, importer = ccode1, "
        "value_usd = flow1 * 1e6 (verified: US imports from Mexico 2000 = 135,080 million)"
    )
    notes.append(
        f"{int(out['value_usd'].isna().sum())} missing flows kept as NaN; "
        f"{int((out['value_usd'] == 0).sum())} zero flows kept as 0"
    )
    if log is not None:
        for n in notes:
            log.note(f"{path.name}: {n}")
    return SCHEMA.validate(out, source=source)


@register_table(
    "trade_flows",
    schema=SCHEMA,
    raw=(RAW_KEY,),
    citation=CITATION,
    description="Directed trade exporter -> importer, current USD, COW 4.0 (1870-2014)",
    default_options={"vietnam_1960_1975": "rvn"},
)
def build(raw: dict[str, Path], log: BuildLog, vietnam_1960_1975: str = "rvn") -> pd.DataFrame:
    """Build ``trade_flows`` from the COW directed file (one row per exporter-importer-year)."""
    out = parse(raw[RAW_KEY], log=log, vietnam_1960_1975=vietnam_1960_1975)
    # coverage gap of this copy (measured, not assumed): partners per year of Germany 1955-1990
    deu = out.loc[(out["exporter"] == "DEU") & out["year"].between(1955, 1990)]
    partners = deu.groupby("year")["importer"].nunique().reindex(range(1955, 1991), fill_value=0)
    log.note(
        "partners of DEU (West Germany to 1990) per year 1955-1990 in this copy: "
        + ", ".join(f"{y}: {n}" for y, n in partners.items())
        + " (few partners mean German trade is NA in those years, not 0)"
    )
    return out


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (RawIdentifier(RAW_KEY, "ccode1+ccode2", "cow"),)
