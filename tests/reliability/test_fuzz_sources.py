"""Malformed inputs: every raw source file, mutated, is either read the same or refused clearly.

For each registered raw file of every canonical table, the real file (or a real slice of it: the
rows of a few countries or years, so that a parse takes milliseconds) is read with a neutral
reader (pyreadr, pandas), mutated in memory, written back in its own format to a temporary file
and given to the polecon parser of that file (the hash check of the registry is bypassed on
purpose: it would refuse any mutated file). The parser's result on the unmutated slice, written
back the same way, is the reference.

Mutations (a seeded generator, cycling through the kinds): truncation, an empty file, a wrong
encoding, flipped bytes, a dropped or renamed column, text in a numeric column, duplicated rows,
NaN, +/-inf, negative values, an unknown country name, shuffled rows.

Outcomes, per mutant:

- ``same``: the same rows (order-insensitive) and dtypes as the reference;
- ``error``: a :class:`polecon.sources.SourceError`; *clear* when it names the file, and for a
  column or cell mutation the column (``column=`` or in the message) and, for a cell mutation,
  the rows;
- ``logged``: rows were dropped and the build log says which and why;
- ``passthrough``: the result changed only where the input did, to the injected value (a NaN
  read as missing, a name copied as distributed): a faithful reading;
- ``hash_guarded``: a byte-level mutation (truncation, flipped bytes) of a text or uncompressed
  file changed values silently; no parser can tell, and the registry's sha256 check refuses
  such a file before any parser sees it;
- defects: ``uncaught`` (an exception that is not a SourceError), ``timeout`` (more than
  ``CASE_TIMEOUT_S``), ``changed`` (any other different result).

The test fails on any defect not listed in :data:`KNOWN_DEFECTS` (each with a reason) and on a
listed one that no longer occurs. ``POLECON_FUZZ_N`` sets the mutations per file (default 200),
``POLECON_FUZZ_BUDGET_S`` the seconds per file after which a run may stop early (default 0: all
N, so every source gets at least 200 mutations, about 11 minutes on 2 cores; 3 gives a quick
run of at least 26 per file), ``POLECON_FUZZ_REPORT`` names a JSON file for the counts (under
pytest-xdist each worker writes ``<file>.<worker id>``; ``.ci/run`` merges them).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from polecon import registry
from polecon.sources import (
    SourceError,
    coldat,
    cow_geo,
    cow_igo,
    cow_trade,
    democracy,
    maddison,
    memberships,
    provisions,
    pwt,
    table_spec,
    tradhist,
    undesa,
    undesa_revisions,
    unhcr,
    wb_migration,
    wb_wdi,
    wto_rta,
    yotov2016,
)
from polecon.sources import cepii as cepii_mod
from polecon.sources._base import TABLE_MODULES, BuildLog
from polecon.sources.agreements import chilton_woda, desta, unctad

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

N_MUTATIONS = int(os.environ.get("POLECON_FUZZ_N", "200"))
#: seconds per raw file in CI (the suite's time budget); 0 = no limit, all N_MUTATIONS
BUDGET_S = float(os.environ.get("POLECON_FUZZ_BUDGET_S", "0"))
CASE_TIMEOUT_S = 20.0
TOKEN = "Atlantis (fuzz)"  # an unknown country name / a text cell
KINDS = (
    "truncate",
    "empty",
    "encoding",
    "bitflip",
    "drop_column",
    "rename_column",
    "text_in_numeric",
    "duplicate_rows",
    "nan",
    "inf",
    "negative",
    "unknown_name",
    "shuffle",
)
MIN_MUTATIONS = 2 * len(KINDS)  # every kind at least twice, whatever the budget
BYTE_KINDS = frozenset({"truncate", "empty", "encoding", "bitflip"})
COLUMN_KINDS = frozenset({"drop_column", "rename_column"})
CELL_KINDS = frozenset({"text_in_numeric", "nan", "inf", "negative", "unknown_name"})


# --------------------------------------------------------------------------- file formats


def _read(path: Path, fmt: str, encoding: str, sep: str = ",") -> dict[str | None, pd.DataFrame]:
    """Neutral reader: every table of the file, as pyreadr/pandas give them."""
    if fmt in ("rda", "rds"):
        import pyreadr

        return dict(pyreadr.read_r(str(path)))
    if fmt == "dta":
        return {None: pd.read_stata(path, convert_categoricals=False, preserve_dtypes=True)}
    if fmt == "csv":
        return {
            None: pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=sep)
        }
    if fmt == "txt":  # one value per line
        lines = path.read_text(encoding=encoding).split("\n")
        return {None: pd.DataFrame({"line": lines}, dtype=object)}
    if fmt == "xlsx":
        return dict(pd.read_excel(path, sheet_name=None))
    raise ValueError(fmt)


def _write(
    tables: dict[str | None, pd.DataFrame], path: Path, fmt: str, encoding: str, sep: str = ","
) -> None:
    """Write ``tables`` back in the file's format (the inverse of :func:`_read`)."""
    import pyreadr

    if fmt == "rds":
        pyreadr.write_rds(str(path), tables[None], compress="gzip")
    elif fmt == "rda":
        ((name, df),) = tables.items()
        pyreadr.write_rdata(str(path), df, df_name=str(name), compress="gzip")
    elif fmt == "dta":
        df = tables[None]
        long_text = [
            c
            for c in df.columns
            if not pd.api.types.is_numeric_dtype(df[c].dtype)
            and df[c].astype("string").str.len().max() > 244
        ]
        df = df.copy()
        for c in df.columns:  # Stata text columns hold strings or None, never a float NaN
            if df[c].dtype == object:
                df[c] = df[c].map(lambda v: None if pd.isna(v) else str(v)).astype(object)
                if df[c].isna().all():
                    df[c] = df[c].astype("float64")
        df.to_stata(path, write_index=False, version=118, convert_strl=long_text)
    elif fmt == "csv":
        tables[None].to_csv(path, index=False, encoding=encoding, sep=sep)
    elif fmt == "txt":
        df = tables[None]
        col = df.iloc[:, 0] if df.shape[1] else pd.Series([], dtype=object)
        path.write_text("\n".join("" if pd.isna(v) else str(v) for v in col), encoding=encoding)
    elif fmt == "xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as xw:
            for sheet, df in tables.items():
                df.to_excel(xw, sheet_name=str(sheet), index=False)
    else:
        raise ValueError(fmt)


# --------------------------------------------------------------------------- targets


Paths = dict[str, Path]


@dataclass(frozen=True)
class Target:
    """One raw file: its per-file parser and the real slice that is mutated."""

    key: str
    parse: Callable[[Paths], Any]
    keep: Callable[[pd.DataFrame], pd.Series] | None = None  # rows of the real slice
    encoding: str = "utf-8"
    others: tuple[str, ...] = ()  # further raw files the parser reads, given unmutated
    sep: str = ","  # CSV field separator

    @property
    def fmt(self) -> str:
        return registry.entry(self.key).format


def _codes(*cols: str, values: set[Any]) -> Callable[[pd.DataFrame], pd.Series]:
    def keep(df: pd.DataFrame) -> pd.Series:
        mask = pd.Series(True, index=df.index)
        for c in cols:
            mask &= df[c].isin(values)
        return mask

    return keep


def _years(col: str, years: set[int]) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda df: pd.to_numeric(df[col], errors="coerce").isin(years)


def _first(n: int) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda df: pd.Series(np.arange(len(df)) < n, index=df.index)


_LOG: list[BuildLog] = [BuildLog("fuzz")]


def _log() -> BuildLog:
    """The build log of the current parse (reset by :func:`_parse` before each call)."""
    return _LOG[0]


def _parse(target: Target, paths: Paths) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The parser's table and the rows its build log says it dropped."""
    _LOG[0] = BuildLog("fuzz")
    result = target.parse(paths)
    if isinstance(result, tuple):
        result = result[0]
    assert isinstance(result, pd.DataFrame), type(result)
    return result, _LOG[0].drops


U25 = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
U20 = "bits/unctad_iia_navigator_2020-01/BIT-origin.dta"
D_DYADS = "ptas/desta_v2.3/desta_list_of_treaties_02_03_dyads.csv"
D_LIST = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
D_WD = "ptas/desta_v2.3/desta_dyadic_withdrawal_02_03.csv"
CW_F = chilton_woda.FORMATION_KEY
CW_C = chilton_woda.CODING_KEY
COW = {
    2,
    20,
    70,
    200,
    220,
    255,
    260,
    365,
    640,
    710,
    740,
}  # USA CAN MEX GBR FRA GER GFR RUS TUR CHN JPN
ISO = {"USA", "CAN", "MEX", "GBR", "FRA", "DEU", "TUR", "CHN", "JPN", "IND", "BRA"}


def _desta(paths: Paths) -> pd.DataFrame:
    return desta.parse(paths[D_DYADS], paths[D_LIST], paths[D_WD], log=_log())


def _wdi(indicator: str) -> Callable[[Paths], pd.DataFrame]:
    key = f"macro/wb_{'gdp_current_usd' if indicator == 'gdp' else 'population'}.csv"
    return lambda p: wb_wdi.parse(p[key], indicator)  # type: ignore[arg-type]


TARGETS: tuple[Target, ...] = (
    Target(U25, lambda p: unctad.parse(p[U25], log=_log()), _first(400)),
    Target(U20, lambda p: unctad.parse_2020(p[U20], log=_log()), _first(400)),
    Target(D_DYADS, _desta, _years("year", {1994, 2004}), desta.ENCODING, (D_LIST, D_WD)),
    Target(D_LIST, _desta, encoding=desta.ENCODING, others=(D_DYADS, D_WD)),
    Target(D_WD, _desta, encoding=desta.ENCODING, others=(D_DYADS, D_LIST)),
    Target(CW_F, lambda p: chilton_woda.parse_formation(p[CW_F], log=_log())),
    Target(CW_C, lambda p: chilton_woda.parse_coding(p[CW_C])),
    Target(wto_rta.RAW_KEY, lambda p: wto_rta.parse(p[wto_rta.RAW_KEY], log=_log())),
    Target(
        "migration/wb_bilateral_migrant_stocks_1960_2018.rds",
        lambda p: wb_migration.parse(p["migration/wb_bilateral_migrant_stocks_1960_2018.rds"]),
        _codes("origin_code", "destination_code", values=ISO),
    ),
    Target(
        "migration/wb_gbmd_by_sex_1960_2000_dcData.rda",
        lambda p: wb_migration.parse_by_sex(p["migration/wb_gbmd_by_sex_1960_2000_dcData.rda"]),
        _codes("origincode", "destcode", values=ISO),
    ),
    Target(
        "migration/un_desa_ims2019_bilateral_stocks_wide.csv",
        lambda p: undesa.parse(p["migration/un_desa_ims2019_bilateral_stocks_wide.csv"], _log()),
    ),
    Target(
        "migration/unhcr_population_1951_2025.rda",
        lambda p: unhcr.parse(p["migration/unhcr_population_1951_2025.rda"]),
        _years("year", {2015}),
    ),
    Target(
        "migration/unhcr_flows_1962_2025.rda",
        lambda p: unhcr.parse(p["migration/unhcr_flows_1962_2025.rda"]),
        _years("year", {2015}),
    ),
    Target(
        cow_trade.RAW_KEY,
        lambda p: cow_trade.parse(p[cow_trade.RAW_KEY], log=_log()),
        _codes("ccode1", "ccode2", values=COW),
    ),
    Target(
        "geo/original/cepii_dist_cepii.rda",
        lambda p: cepii_mod.parse(p["geo/original/cepii_dist_cepii.rda"]),
        _codes("iso_o", "iso_d", values=ISO),
    ),
    Target("geo/coldat_dyads.csv", lambda p: coldat.parse(p["geo/coldat_dyads.csv"])),
    Target(
        "geo/original/cow_contdir.rda",
        lambda p: cow_geo.parse_contdir(p["geo/original/cow_contdir.rda"]),
    ),
    Target(
        "geo/original/cow_mindist.rda",
        lambda p: cow_geo.parse_mindist(p["geo/original/cow_mindist.rda"]),
        _codes("ccode1", "ccode2", values=COW),
    ),
    Target(
        "geo/original/cow_igo_ndy.rda",
        lambda p: cow_igo.parse_ndy(p["geo/original/cow_igo_ndy.rda"]),
        _codes("ccode1", "ccode2", values=COW),
    ),
    Target(
        "geo/original/cow_capitals.rda",
        lambda p: cow_geo.parse_capitals(p["geo/original/cow_capitals.rda"]),
    ),
    Target(
        "geo/original/gw_capitals.rda",
        lambda p: cow_geo.parse_capitals(p["geo/original/gw_capitals.rda"]),
    ),
    Target("macro/wb_gdp_current_usd.csv", _wdi("gdp"), _years("Year", {2000, 2001})),
    Target("macro/wb_population.csv", _wdi("pop"), _years("Year", {2000, 2001})),
    Target(
        "macro/original/pwt10.01.rda",
        lambda p: pwt.parse(p["macro/original/pwt10.01.rda"]),
        _years("year", {2000, 2001}),
    ),
    Target(
        "macro/original/MaddisonData.rda",
        lambda p: maddison.parse(p["macro/original/MaddisonData.rda"]),
        _years("year", {2000, 2001}),
    ),
    Target(
        "macro/original/vdem_simple.rda",
        lambda p: democracy.parse_vdem(p["macro/original/vdem_simple.rda"]),
        _years("year", {2000}),
    ),
    Target(
        "macro/original/polity5.rda",
        lambda p: democracy.parse_polity5(p["macro/original/polity5.rda"]),
        _years("year", {2000}),
    ),
    Target(
        "macro/original/bmr.rda",
        lambda p: democracy.parse_bmr(p["macro/original/bmr.rda"]),
        _years("year", {2000}),
    ),
    Target(
        "macro/original/gatt_members.rda",
        lambda p: memberships.parse_gatt(p["macro/original/gatt_members.rda"]),
    ),
    Target(
        "macro/original/eustates.rda",
        lambda p: memberships.parse_eu(p["macro/original/eustates.rda"]),
    ),
    Target(
        "macro/original/cow_igo_state_year_format3.rda",
        lambda p: cow_igo.parse_state_year(p["macro/original/cow_igo_state_year_format3.rda"]),
        _years("year", {2000}),
    ),
    Target(
        yotov2016.RAW_KEY,
        lambda p: yotov2016.parse(p[yotov2016.RAW_KEY]),
        _years("year", {1990}),
    ),
    *(
        Target(
            key,
            (lambda s, k: lambda p: undesa_revisions.parse(p[k], s, _log()))(series, key),
            _codes("geo", "from", values=ISO),
        )
        for series, (key, _, _) in undesa_revisions.REVISIONS.items()
    ),
    Target(
        tradhist.RAW_KEY,
        lambda p: tradhist.read_raw(p[tradhist.RAW_KEY]),
        _years("year", {1965, 1975}),
        sep=";",
    ),
    Target(
        provisions.DESIGN_KEY,
        lambda p: provisions.build_pta_design(p, _log()),
        others=(provisions.INDICES_KEY, provisions.DESTA_DYADS_KEY),
    ),
    Target(
        provisions.INDICES_KEY,
        lambda p: provisions.build_pta_design(p, _log()),
        others=(provisions.DESIGN_KEY, provisions.DESTA_DYADS_KEY),
    ),
    Target(
        provisions.MAPPING_KEY,
        lambda p: provisions.build_bit_provisions(p, _log()),
        others=(provisions.URLS_KEY, provisions.UNCTAD_2025_KEY, provisions.DESTA_LIST_KEY),
    ),
    Target(
        provisions.URLS_KEY,
        lambda p: provisions.build_bit_provisions(p, _log()),
        others=(provisions.MAPPING_KEY, provisions.UNCTAD_2025_KEY, provisions.DESTA_LIST_KEY),
    ),
)

#: raw files registered for a table that its builder never reads: a mutation cannot matter
UNREAD = {
    "bits/unctad_iia_navigator_2020-01/ISO3-CountryName-UNTACD.dta",
    "blas/chilton_woda_2022/countries_match.xlsx",
}

#: raw files with a parser that no table reads: the tests cross-check them against a table
#: (the dcData by-sex file reproduces the wb series 1960-2000, tests/sources/test_migration.py)
TEST_ONLY = {wb_migration.BY_SEX_KEY}

#: (raw key, mutation kind) -> reason: defects found and recorded, not fixed here
KNOWN_DEFECTS: dict[tuple[str, str], str] = {
    (U20, "shuffle"): (
        "the 2020 navigator export has no treaty id: unctad.parse_2020 uses the row number as "
        "source_id (documented), so reordered rows renumber the agreements; the registry's "
        "sha256 check refuses a reordered file"
    ),
    (wto_rta.RAW_KEY, "unknown_name"): (
        "signatory names without a country code are kept in the 'unmapped' column and noted in "
        "the build log (wto_rta.parse); the RTA then has no country pair, which the log names"
    ),
    (CW_F, "encoding"): (
        "chilton_woda rule 6: a 'ratified' cell with trailing text keeps its date, and the "
        "parser notes every such cell; a mojibake suffix is such trailing text"
    ),
    (CW_C, "encoding"): (
        "quota_num is free text kept as coded (quota_text); a mojibake cell is read as that text"
    ),
    ("macro/original/polity5.rda", "text_in_numeric"): (
        "polity_annual_ccode is an identifier kept as text (democracy.POLITY_SCHEMA); a text "
        "cell is read as that text, which the classifier counts as a change"
    ),
}


def test_every_raw_file_of_every_table_is_a_target() -> None:
    raw = {k for name in TABLE_MODULES for k in table_spec(name).raw}
    assert raw | TEST_ONLY == {t.key for t in TARGETS} | UNREAD
    assert not raw & TEST_ONLY


# --------------------------------------------------------------------------- mutations


@dataclass
class Mutant:
    kind: str
    column: str | None = None
    rows: tuple[int, ...] = ()
    detail: str = ""


def _numeric_columns(df: pd.DataFrame) -> list[str]:
    out = []
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            out.append(c)
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            num = pd.to_numeric(s, errors="coerce")
            if num.notna().sum() > 0 and num.notna().mean() > 0.5:
                out.append(c)
    return out


def _text_columns(df: pd.DataFrame) -> list[str]:
    num = set(_numeric_columns(df))
    return [
        c
        for c in df.columns
        if c not in num and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype))
    ]


def _set_cell(df: pd.DataFrame, row: int, col: str, value: Any) -> pd.DataFrame:
    out = df.copy()
    s = out[col]
    numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    if isinstance(value, float) and pd.api.types.is_integer_dtype(s.dtype):
        s = s.astype("float64")
    elif not (numeric and isinstance(value, float)) and not (
        isinstance(value, str) and s.dtype == object
    ):
        s = s.astype(object)
    s = s.copy()
    s.iloc[row] = value
    out[col] = s
    return out


def mutate(
    rng: random.Random,
    kind: str,
    data: bytes,
    tables: dict[str | None, pd.DataFrame],
    fmt: str,
    encoding: str = "utf-8",
) -> tuple[Mutant, bytes | dict[str | None, pd.DataFrame]]:
    """One mutant of ``kind``: new bytes (byte kinds) or new tables (frame kinds)."""
    name = next(iter(tables))
    df = tables[name]
    n = len(df)

    def frame(new: pd.DataFrame) -> dict[str | None, pd.DataFrame]:
        return {**tables, name: new}

    if kind == "truncate":
        cut = rng.randrange(0, max(1, len(data)))
        return Mutant(kind, detail=f"first {cut} of {len(data)} bytes"), data[:cut]
    if kind == "empty":
        return Mutant(kind), b""
    if kind == "encoding":
        if fmt == "csv":
            text = data.decode(encoding)
            codec = rng.choice(["utf-16", "utf-32", "utf-8" if encoding != "utf-8" else "cp1252"])
            return Mutant(kind, detail=codec), text.encode(codec, errors="replace")
        texts = [c for c in _text_columns(df) if df[c].notna().any()]
        if not texts:
            return Mutant(kind, detail="no text column: bytes as UTF-16"), data.decode(
                "latin-1"
            ).encode("utf-16")
        col = rng.choice(texts)
        rows = [i for i in range(n) if isinstance(df[col].iloc[i], str) and df[col].iloc[i]]
        if not rows:
            return Mutant(kind, detail="empty text column"), data
        row = rng.choice(rows)
        value = df[col].iloc[row]
        moji = value.encode("utf-8").decode("latin-1") + "\u00c3\u00a9"  # double-encoded
        return Mutant(kind, col, (row,), f"mojibake {moji!r}"), frame(_set_cell(df, row, col, moji))
    if kind == "bitflip":
        buf = bytearray(data)
        k = rng.randint(1, 8)
        for _ in range(k):
            if buf:
                i = rng.randrange(len(buf))
                buf[i] ^= 1 << rng.randrange(8)
        return Mutant(kind, detail=f"{k} bits"), bytes(buf)
    if kind == "drop_column":
        col = rng.choice(list(df.columns))
        return Mutant(kind, col), frame(df.drop(columns=[col]))
    if kind == "rename_column":
        col = rng.choice(list(df.columns))
        return Mutant(kind, col), frame(df.rename(columns={col: f"{col}_renamed"}))
    numeric = _numeric_columns(df)
    if kind in ("text_in_numeric", "nan", "inf", "negative") and numeric and n:
        col = rng.choice(numeric)
        num = pd.to_numeric(df[col], errors="coerce")
        if kind == "inf" and fmt == "dta":  # Stata files cannot hold infinity
            return Mutant(kind, col, detail="not representable in .dta"), frame(df)
        if kind == "negative":
            rows = np.flatnonzero((num > 0).to_numpy())
            if not len(rows):
                return Mutant(kind, col, detail="no positive value"), frame(df)
            row = int(rng.choice(rows.tolist()))
            value: Any = -float(num.iloc[row])
            if df[col].dtype == object:
                value = str(-num.iloc[row])
        else:
            row = rng.randrange(n)
            value = {
                "text_in_numeric": "n/a (fuzz)",
                "nan": np.nan,
                "inf": rng.choice([np.inf, -np.inf]),
            }[kind]
            if df[col].dtype == object and kind != "text_in_numeric":
                value = {"nan": "", "inf": rng.choice(["inf", "-inf"])}[kind]
        return Mutant(kind, col, (row,), repr(value)), frame(_set_cell(df, row, col, value))
    if kind == "unknown_name":
        texts = [c for c in _text_columns(df) if df[c].notna().any()]
        if texts and n:
            col = rng.choice(texts)
            row = rng.randrange(n)
            return Mutant(kind, col, (row,), TOKEN), frame(_set_cell(df, row, col, TOKEN))
    if kind == "duplicate_rows" and n:
        rows = tuple(sorted({rng.randrange(n) for _ in range(rng.randint(1, 3))}))
        new = pd.concat([df, df.iloc[list(rows)]], ignore_index=True)
        return Mutant(kind, rows=rows), frame(new)
    if kind == "shuffle" and n:
        order = list(range(n))
        rng.shuffle(order)
        return Mutant(kind), frame(df.iloc[order].reset_index(drop=True))
    return Mutant(kind, detail="not applicable: unchanged"), frame(df)


# --------------------------------------------------------------------------- outcomes


def _rows_hash(df: pd.DataFrame) -> Counter[int]:
    return Counter(pd.util.hash_pandas_object(df.reset_index(drop=True), index=False).tolist())


def _is_injected(value: Any, mutant: Mutant, column: pd.Series) -> bool:
    """Whether ``value`` (a changed cell of the result) is the injected value read faithfully:
    NaN read as missing, a text copied as distributed, or a negative number in a column whose
    reference values include negatives (coordinates, say; never a flow or a count)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return mutant.kind == "nan"
    if isinstance(value, str):
        return TOKEN in value or "n/a (fuzz)" in value or "\u00c3" in value
    if mutant.kind == "negative" and isinstance(value, (int, float, np.number)):
        has_negatives = pd.api.types.is_numeric_dtype(column.dtype) and bool((column < 0).any())
        return bool(value < 0) and has_negatives
    return False


def classify(base: pd.DataFrame, got: pd.DataFrame, mutant: Mutant) -> str:
    """``same``, ``passthrough`` or ``changed`` (see the module docstring)."""
    if list(got.columns) == list(base.columns) and list(got.dtypes) == list(base.dtypes):
        a, b = _rows_hash(base), _rows_hash(got)
        if a == b:
            return "same"
        if len(got) == len(base) and mutant.kind in CELL_KINDS | {"encoding"}:
            new_rows = got.loc[
                pd.util.hash_pandas_object(got.reset_index(drop=True), index=False)
                .isin(list((b - a).keys()))
                .to_numpy()
            ]
            old_rows = base.loc[
                pd.util.hash_pandas_object(base.reset_index(drop=True), index=False)
                .isin(list((a - b).keys()))
                .to_numpy()
            ]
            if len(new_rows) == len(old_rows) and len(new_rows) <= 2 * max(1, len(mutant.rows)):
                ok = True
                for _, row in new_rows.iterrows():
                    best = None
                    for _, old in old_rows.iterrows():
                        diff = [
                            c
                            for c in base.columns
                            if not (
                                (pd.isna(row[c]) and pd.isna(old[c]))
                                if not isinstance(row[c], (list, np.ndarray))
                                else False
                            )
                            and not (
                                not pd.isna(row[c]) and not pd.isna(old[c]) and row[c] == old[c]
                            )
                        ]
                        if best is None or len(diff) < len(best):
                            best = diff
                    ok &= bool(best) and all(_is_injected(row[c], mutant, base[c]) for c in best)
                if ok:
                    return "passthrough"
    return "changed"


def _clear(exc: SourceError, target: Target, mutant: Mutant, tables: Any) -> bool:
    text = str(exc)
    names_file = Path(target.key).name in text or Path(target.key).stem in text
    if not names_file:
        return False
    if (
        mutant.kind in COLUMN_KINDS | CELL_KINDS
        and mutant.column is not None
        and exc.column is None
        and str(mutant.column) not in text
    ):
        return False
    if mutant.kind in CELL_KINDS or mutant.kind == "duplicate_rows":
        return bool(exc.rows) or "row" in text
    return True


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------- the run


@dataclass
class Report:
    key: str
    rows: int
    outcomes: Counter[str]
    kinds: dict[str, Counter[str]]
    clear: int
    errors: int
    defects: list[str]
    seconds: float


def fuzz(target: Target, folder: Path, n: int, seed: int = 0, budget: float = 0.0) -> Report:
    started = time.perf_counter()
    original = registry.fetch(target.key)
    fmt = target.fmt
    tables = _read(original, fmt, target.encoding, target.sep)
    name = next(iter(tables))
    if target.keep is not None:
        df = tables[name]
        tables = {**tables, name: df.loc[target.keep(df).to_numpy()].reset_index(drop=True)}
    paths: Paths = {k: registry.fetch(k) for k in target.others}
    base_path = folder / "base" / Path(target.key).name
    base_path.parent.mkdir()
    _write(tables, base_path, fmt, target.encoding, target.sep)
    base, base_drops = _parse(target, {**paths, target.key: base_path})
    data = base_path.read_bytes()
    rng = random.Random(f"{seed}:{target.key}")
    outcomes: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = {}
    defects: list[str] = []
    clear = errors = 0
    for i in range(n):
        if budget and i >= MIN_MUTATIONS and time.perf_counter() - started > budget:
            break
        kind = KINDS[i % len(KINDS)]
        mutant, new = mutate(rng, kind, data, tables, fmt, target.encoding)
        path = folder / f"m{i}" / Path(target.key).name  # the parser names the file it reads
        path.parent.mkdir()
        if isinstance(new, bytes):
            path.write_bytes(new)
        else:
            _write(new, path, fmt, target.encoding, target.sep)
        try:
            with _deadline(CASE_TIMEOUT_S):
                got, drops = _parse(target, {**paths, target.key: path})
        except _Timeout:
            outcome = "timeout"
        except SourceError as exc:
            outcome = "error"
            errors += 1
            clear += _clear(exc, target, mutant, new)
        except Exception as exc:  # noqa: BLE001 - the point: any other exception is a defect
            outcome = "uncaught"
            mutant.detail += f" -> {type(exc).__name__}: {str(exc)[:200]}"
        else:
            outcome = classify(base, got, mutant)
            if outcome == "changed" and drops != base_drops:
                outcome = "logged"  # the build log names the rows it dropped
            if outcome == "changed" and kind in {"truncate", "bitflip"} and fmt in ("csv", "dta"):
                outcome = "hash_guarded"
        path.unlink(missing_ok=True)
        path.parent.rmdir()
        outcomes[outcome] += 1
        kinds.setdefault(kind, Counter())[outcome] += 1
        if outcome in ("uncaught", "timeout", "changed"):
            defects.append(f"{kind} {outcome}: column={mutant.column!r} {mutant.detail}")
    return Report(
        target.key,
        len(tables[name]),
        outcomes,
        kinds,
        clear,
        errors,
        defects,
        time.perf_counter() - started,
    )


_REPORTS: dict[str, Report] = {}


@pytest.mark.parametrize("target", TARGETS, ids=[Path(t.key).name for t in TARGETS])
def test_mutants_are_read_the_same_or_refused_clearly(target: Target, tmp_path: Path) -> None:
    rep = fuzz(target, tmp_path, N_MUTATIONS, budget=BUDGET_S)
    _REPORTS[target.key] = rep
    _write_report()
    found = {(target.key, d.split(" ")[0]) for d in rep.defects}
    unexpected = [d for d in rep.defects if (target.key, d.split(" ")[0]) not in KNOWN_DEFECTS]
    assert not unexpected, f"{target.key}: {len(unexpected)} defects:\n" + "\n".join(
        unexpected[:20]
    )
    stale = {k for k in KNOWN_DEFECTS if k[0] == target.key} - found
    if sum(rep.outcomes.values()) < N_MUTATIONS:  # cut short by the budget: it may not recur
        stale = set()
    assert not stale, f"recorded defects no longer occur (remove them): {sorted(stale)}"
    assert sum(rep.outcomes.values()) >= min(N_MUTATIONS, MIN_MUTATIONS)


def _write_report() -> None:
    out = os.environ.get("POLECON_FUZZ_REPORT")
    if not out:
        return
    payload = {
        k: {
            "slice_rows": r.rows,
            "mutations": sum(r.outcomes.values()),
            "outcomes": dict(r.outcomes),
            "errors": r.errors,
            "clear_errors": r.clear,
            "by_kind": {kk: dict(v) for kk, v in r.kinds.items()},
            "defects": r.defects,
            "seconds": round(r.seconds, 2),
        }
        for k, r in sorted(_REPORTS.items())
    }
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # under pytest-xdist: one file per worker
    path = Path(f"{out}.{worker}" if worker else out)
    path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
