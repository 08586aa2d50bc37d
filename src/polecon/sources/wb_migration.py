"""World Bank bilateral migrant stocks (GBMD 1960-2000 and the bilateral migration matrices).

Two raw files, one tidy table each:

- :func:`parse` reads ``migration/wb_bilateral_migrant_stocks_1960_2018.rds`` (the harmonised
  235 x 235 panel of the ``davben/migration-hump`` replication repository: GBMD waves 1960, 1970,
  1980, 1990, 2000 plus the World Bank matrices 2010, 2013 and "2018"). This file feeds the
  ``wb`` series of the canonical ``migration_stocks`` table (it covers every wave).
- :func:`parse_by_sex` reads ``migration/wb_gbmd_by_sex_1960_2000_dcData.rda`` (GBMD stocks by
  sex, as shipped in the teaching package dcData, R object ``MigrationFlows``). Its year labels are
  reversed (``Y1960`` holds 2000, ``Y1970`` 1990, ``Y1990`` 1970, ``Y2000`` 1960; see
  ``PROVENANCE.md`` s.3); :data:`DCDATA_YEAR_LABELS` corrects them. It is never a second ``wb``
  series: the tests cross-check it against the 1960-2000 waves
  (``tests/sources/test_migration.py``).

Units: persons (stock of people born in ``origin`` living in ``destination``).

The small reading helpers shared by the migration parsers (:func:`read_r_object`,
:func:`coerce_counts`, :func:`map_countries`, ...) live in :mod:`polecon.sources._migration_helpers`
and are imported back here, where the other parsers import them from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._decl import RawIdentifier
from polecon.sources._migration_helpers import (  # noqa: F401 (re-exported)
    MISSING_TOKENS,
    checked_frame,
    coerce_codes,
    coerce_counts,
    coerce_year,
    map_countries,
    read_r_object,
)
from polecon.sources._readers import source_name
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources._tables import read_table

CITATION = (
    'Özden, Ç., Parsons, C. R., Schiff, M. and Walmsley, T. L. (2011). "Where on Earth is '
    'Everybody? The Evolution of Global Bilateral Migration 1960-2000." World Bank Economic '
    "Review 25(1): 12-56. World Bank, Bilateral Migration Matrix (Migration and Remittances "
    "Data), 2010, 2013 and 2018; harmonised panel from the davben/migration-hump replication "
    "repository (data/wb_bilateral_stocks.rds, commit bcbad43)."
)

RAW_KEY = "migration/wb_bilateral_migrant_stocks_1960_2018.rds"
BY_SEX_KEY = "migration/wb_gbmd_by_sex_1960_2000_dcData.rda"

#: waves of the harmonised panel ("2018" is the 2017/18 matrix)
WB_YEARS: tuple[int, ...] = (1960, 1970, 1980, 1990, 2000, 2010, 2013, 2018)
#: GBMD waves (the by-sex file)
GBMD_YEARS: tuple[int, ...] = (1960, 1970, 1980, 1990, 2000)

#: dcData column label -> the year it really holds (labels reversed, PROVENANCE s.3;
#: verified against the .rds panel: correlation 1.0, max abs difference 2 persons; reviewed table
#: ``datasets/sources/dcdata_year_labels.csv``)
DCDATA_YEAR_LABELS: dict[str, int] = {
    label: int(year)
    for label, year, _ in read_table(
        "dcdata_year_labels.csv", ("label", "year", "reason")
    ).itertuples(index=False)
}

#: old GBMD codes of the dcData file -> the codes the .rds panel (and the crosswalk) use
#: (reviewed table ``datasets/sources/gbmd_legacy_codes.csv``)
GBMD_LEGACY_CODES: dict[str, str] = dict(
    read_table("gbmd_legacy_codes.csv", ("code", "code_used", "reason"))[
        ["code", "code_used"]
    ].itertuples(index=False)
)
#: dcData origin code for "other / unknown" (all NA in every year): canonical <NA>
GBMD_OTHER = "zzz"


def _code_columns(scheme: str, codes: str, origin_na: str) -> tuple[Column, ...]:
    """``origin_code``/``destination_code`` as distributed (``scheme`` codes, ``codes`` says
    which) and their canonical codes ``origin``/``destination`` (``origin_na``: why <NA>)."""
    return (
        Column("origin_code", "string", f"{scheme} code of the origin ({codes})", nullable=False),
        Column("destination_code", "string", f"{scheme} code of the destination", nullable=False),
        Column(
            "origin", "string", f"canonical code of origin_code (<NA>: {origin_na})", country=True
        ),
        Column("destination", "string", "canonical code of destination_code", country=True),
    )


SCHEMA = Schema(
    name="wb_bilateral_migrant_stocks",
    description="World Bank bilateral migrant stocks, raw WB codes, one row per dyad-wave.",
    columns=(
        *_code_columns("World Bank", "ISO3 + CHI, KSV, ANT, SCG", "documented exception"),
        Column("year", "int", "wave", unit="year", nullable=False, allowed=frozenset(WB_YEARS)),
        Column(
            "stock",
            "float",
            "people born in origin living in destination (outward_stock)",
            unit="persons",
            min=0,
        ),
    ),
    key=("origin_code", "destination_code", "year"),
)

SCHEMA_BY_SEX = Schema(
    name="wb_gbmd_by_sex",
    description="GBMD stocks by sex (dcData), year labels corrected, one row per sex-dyad-wave.",
    columns=(
        Column(
            "sex", "string", "Female or Male", nullable=False, allowed=frozenset({"Female", "Male"})
        ),
        *_code_columns("GBMD", "ISO3-like; ROM, IMY, zzz", "'zzz' other/unknown"),
        Column(
            "year",
            "int",
            "wave (after the label correction)",
            unit="year",
            nullable=False,
            allowed=frozenset(GBMD_YEARS),
        ),
        Column(
            "stock",
            "float",
            "people of that sex born in origin living in destination",
            unit="persons",
            min=0,
        ),
    ),
    key=("sex", "origin_code", "destination_code", "year"),
)


# ----------------------------------------------------------------------------------------------
# Parsers
# ----------------------------------------------------------------------------------------------
def parse(path: str | Path) -> pd.DataFrame:
    """Parse the harmonised WB panel (``.rds``) into :data:`SCHEMA` (WB and canonical codes;
    persons).

    Keeps every row (diagonal and zeros included): selection happens in the
    ``migration_stocks`` builder. ``outward_stock`` is the stock; ``inward_stock`` must equal the
    reverse dyad's ``outward_stock`` (checked, so a column swap cannot pass silently).
    """
    path = Path(path)
    src = source_name(path)
    need = ["origin_code", "destination_code", "year", "outward_stock", "inward_stock"]
    raw = read_r_object(path, None, need)
    df = pd.DataFrame(
        {
            "origin_code": coerce_codes(raw["origin_code"], source=src, column="origin_code"),
            "destination_code": coerce_codes(
                raw["destination_code"], source=src, column="destination_code"
            ),
            "year": coerce_year(raw["year"], source=src, column="year", allowed=WB_YEARS),
            "stock": coerce_counts(raw["outward_stock"], source=src, column="outward_stock"),
        }
    )
    inward = coerce_counts(raw["inward_stock"], source=src, column="inward_stock")
    _check_unique(df, ["origin_code", "destination_code", "year"], src)
    for col, code_col in (("origin", "origin_code"), ("destination", "destination_code")):
        df[col] = map_countries(df[code_col], "wb", source=src, column=code_col, years=df["year"])
    key = ["origin_code", "destination_code", "year"]
    rev = df[key + ["stock"]].rename(
        columns={
            "origin_code": "destination_code",
            "destination_code": "origin_code",
            "stock": "rev_stock",
        }
    )
    both = (
        df[key]
        .assign(inward=inward.to_numpy(), row=np.arange(1, len(df) + 1))
        .merge(
            rev,
            on=["origin_code", "destination_code", "year"],
            how="left",
        )
    )
    diff = ~np.isclose(both["inward"], both["rev_stock"], rtol=1e-9, atol=1e-6, equal_nan=True)
    if diff.any():
        raise SourceError(
            src,
            "inward_stock differs from the reverse dyad's outward_stock, or the reverse dyad "
            "is absent (columns swapped? file truncated?)",
            column="inward_stock",
            rows=both.loc[diff, "row"].tolist(),
        )
    return SCHEMA.validate(df, source=src)


def parse_by_sex(path: str | Path) -> pd.DataFrame:
    """Parse the dcData GBMD-by-sex file into :data:`SCHEMA_BY_SEX`, correcting the year labels.

    The columns labelled ``Y1960 .. Y2000`` are renamed to the years they really hold
    (:data:`DCDATA_YEAR_LABELS`). NA cells (5,032 rows are NA in every year: codes CHI, IMY, KSV,
    MNE, SRB and origin ``zzz``, which GBMD does not cover) stay NaN.
    """
    path = Path(path)
    src = source_name(path)
    labels = list(DCDATA_YEAR_LABELS)
    raw = read_r_object(path, "MigrationFlows", ["sex", "destcode", "origincode", *labels])
    ids = pd.DataFrame(
        {
            "sex": coerce_codes(raw["sex"], source=src, column="sex"),
            "origin_code": coerce_codes(raw["origincode"], source=src, column="origincode"),
            "destination_code": coerce_codes(raw["destcode"], source=src, column="destcode"),
        }
    )
    bad_sex = ~ids["sex"].isin(["Female", "Male"])
    if bad_sex.any():
        raise SourceError(
            src,
            f"unexpected sex value(s) {sorted(set(ids['sex'][bad_sex]))}",
            column="sex",
            rows=(ids.index[bad_sex] + 1).tolist(),
        )
    _check_unique(ids, ["sex", "origin_code", "destination_code"], src)
    parts = []
    for label in labels:
        counts = coerce_counts(raw[label], source=src, column=label)
        parts.append(ids.assign(year=np.int64(DCDATA_YEAR_LABELS[label]), stock=counts))
    df = pd.concat(parts, ignore_index=True)
    src_row = pd.Series(np.tile(np.arange(1, len(ids) + 1), len(labels)), index=df.index)
    for col, code_col, raw_col in (
        ("origin", "origin_code", "origincode"),
        ("destination", "destination_code", "destcode"),
    ):
        codes = df[code_col].replace(GBMD_LEGACY_CODES)
        other = (codes == GBMD_OTHER).to_numpy()
        df[col] = pd.Series(pd.NA, index=df.index, dtype="string")
        df.loc[~other, col] = map_countries(
            codes[~other],
            "wb",
            source=src,
            column=raw_col,
            years=df.loc[~other, "year"],
            row_labels=src_row[~other],
        )
        if other.any() and pd.to_numeric(df.loc[other, "stock"]).notna().any():
            raise SourceError(
                src,
                f"'{GBMD_OTHER}' (other/unknown) rows hold data",
                column=raw_col,
                rows=src_row[other].head(10).tolist(),
            )
    df = df.sort_values(["sex", "origin_code", "destination_code", "year"], kind="stable")
    return SCHEMA_BY_SEX.validate(df.reset_index(drop=True), source=src)


def _check_unique(df: pd.DataFrame, key: list[str], source: str) -> None:
    dup = df.duplicated(key, keep=False).to_numpy()
    if dup.any():
        sample = df.loc[dup, key].head(3).to_dict("records")
        raise SourceError(
            source,
            f"duplicated key {key} (e.g. {sample})",
            column=key[0],
            rows=(np.flatnonzero(dup) + 1).tolist(),
        )


# ----------------------------------------------------------------------------------------------
# Selection (used by the migration_stocks builder)
# ----------------------------------------------------------------------------------------------
def uncovered_codes(df: pd.DataFrame) -> pd.DataFrame:
    """(code, year, side) outside a wave's coverage, side by side.

    The harmonised panel is balanced and writes 0 for what a wave does not cover. A code whose
    inward stocks sum to 0 in a wave (no immigrant from anywhere) was not surveyed as a
    destination in that wave (e.g. PAK, CHN, SRB in 2010, whose outward stocks are positive);
    a code whose outward stocks sum to 0 was not covered as an origin. Those zeros mean
    "not covered", not "no migrants". Returns columns ``code, year, side`` (``"destination"`` or
    ``"origin"``).
    """
    out = df.groupby(["origin_code", "year"])["stock"].sum()
    inn = df.groupby(["destination_code", "year"])["stock"].sum()
    parts = []
    for side, tot in (("origin", out), ("destination", inn)):
        zero = tot[tot == 0].reset_index()
        zero.columns = ["code", "year", "stock"]
        parts.append(zero[["code", "year"]].assign(side=side))
    res = pd.concat(parts, ignore_index=True)
    return res.sort_values(["year", "side", "code"]).reset_index(drop=True)


def select_wb(df: pd.DataFrame, log: BuildLog) -> pd.DataFrame:
    """Drop the diagonal and the dyads a wave does not cover (both via ``log.drop``)."""
    diag = (df["origin_code"] == df["destination_code"]).to_numpy()
    nonzero = df[diag & (df["stock"] > 0).to_numpy()]
    log.drop(
        "wb: diagonal origin == destination (not migration; 3 are non-zero in the source: "
        + ", ".join(
            f"{o}->{d} {y} = {s:,.0f}"
            for o, d, y, s in nonzero[
                ["origin_code", "destination_code", "year", "stock"]
            ].itertuples(index=False)
        )
        + ")",
        int(diag.sum()),
        sorted(set(df.loc[diag, "origin_code"]))[:5],
    )
    df = df[~diag]
    unc = uncovered_codes(df)
    drop = np.zeros(len(df), dtype=bool)
    for side, column in (("origin", "origin_code"), ("destination", "destination_code")):
        sub = unc[unc["side"] == side]
        if sub.empty:
            continue
        keys = pd.MultiIndex.from_arrays([sub["code"], sub["year"]])
        here = pd.MultiIndex.from_arrays([df[column], df["year"]]).isin(keys)
        drop_side = here & ~drop
        listing = [f"{y}: {' '.join(g['code'])}" for y, g in sub.groupby("year", sort=True)]
        log.drop(
            f"wb: dyads whose {side} the wave does not cover (all of its {side} stocks are 0 in that "
            "wave; the balanced panel writes 0 for 'not covered', so the rows are dropped, i.e. "
            "missing, never 0)",
            int(drop_side.sum()),
            listing,
        )
        drop |= here
    nz = int((df.loc[drop, "stock"] > 0).sum())
    if nz:
        raise SourceError(RAW_KEY, f"{nz} non-zero stocks among uncovered codes (logic error)")
    return df[~drop].reset_index(drop=True)


__all__ = [
    "BY_SEX_KEY",
    "CITATION",
    "DCDATA_YEAR_LABELS",
    "GBMD_YEARS",
    "RAW_KEY",
    "SCHEMA",
    "SCHEMA_BY_SEX",
    "WB_YEARS",
    "coerce_counts",
    "coerce_codes",
    "coerce_year",
    "map_countries",
    "parse",
    "parse_by_sex",
    "checked_frame",
    "read_r_object",
    "select_wb",
    "uncovered_codes",
]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (
    RawIdentifier(RAW_KEY, "origin_code+destination_code", "wb"),
    RawIdentifier(BY_SEX_KEY, "origincode+destcode", "wb", text=True),
)
