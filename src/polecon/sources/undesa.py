"""UN DESA International Migrant Stock 2019, bilateral (destination x origin), wide CSV.

Raw file: ``migration/un_desa_ims2019_bilateral_stocks_wide.csv`` (1,659 rows = 237 ``Dest``
values x 7 years; columns ``Year``, ``Dest`` and one column per origin, named with UN English
names). :func:`parse` reshapes it to one row per origin-destination-year, drops the 5 UN regional
aggregate rows (``Caribbean``, ``South America``, ``Melanesia``, ``Micronesia``, ``Polynesia``;
``Micronesia`` is the region, the country is ``Micronesia (Fed. States of)``), turns ``..`` and
``-`` into NaN (never 0) and maps the names to canonical codes (scheme ``undesa_name``; the file
has no code column).

Units: persons, mid-year stock of international migrants (foreign-born, or foreign citizens where
birthplace data are missing) living in the destination who came from the origin. A 0 in the file
means "zero or not reported" (the UN table leaves such pairs blank; PROVENANCE s.1) and is kept
as 0.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import source_name
from polecon.sources._schema import Column, Schema, SourceError
from polecon.sources._tables import column_set
from polecon.sources.wb_migration import coerce_counts, coerce_year, map_countries

CITATION = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2019). "
    "International Migrant Stock 2019 (United Nations database, POP/DB/MIG/Stock/Rev.2019); "
    "wide CSV transcription from guyabel/stepladderChapter "
    "(archive/UN_MigrantStockByOriginAndDestination_2019_clean.csv, commit 4a81585)."
)

RAW_KEY = "migration/un_desa_ims2019_bilateral_stocks_wide.csv"

UNDESA_YEARS: tuple[int, ...] = (1990, 1995, 2000, 2005, 2010, 2015, 2019)

#: UN regional aggregate rows in ``Dest`` (dropped; PROVENANCE s.1; reviewed table
#: ``datasets/sources/undesa_aggregates.csv``)
AGGREGATES: frozenset[str] = column_set("undesa_aggregates.csv", ("name", "kind", "reason"), "name")

SCHEMA = Schema(
    name="undesa_ims2019_bilateral",
    description="UN DESA IMS 2019 bilateral stocks, long, aggregates dropped.",
    columns=(
        Column("origin_name", "string", "UN DESA origin name (column header)", nullable=False),
        Column("destination_name", "string", "UN DESA destination name (Dest)", nullable=False),
        Column("origin", "string", "canonical code of the origin", nullable=False, country=True),
        Column(
            "destination",
            "string",
            "canonical code of the destination",
            nullable=False,
            country=True,
        ),
        Column(
            "year",
            "int",
            "mid-year reference",
            unit="year",
            nullable=False,
            allowed=frozenset(UNDESA_YEARS),
        ),
        Column(
            "stock",
            "float",
            "migrants born in origin living in destination; NaN where the file has '..' or '-'",
            unit="persons",
            min=0,
        ),
    ),
    key=("origin", "destination", "year"),
)


def _read_wide(path: Path) -> pd.DataFrame:
    src = source_name(path)
    if not path.is_file():
        raise SourceError(src, f"file not found: {path}")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise SourceError(src, f"cannot read CSV (truncated or corrupt?): {exc}") from exc
    for col in ("Year", "Dest"):
        if col not in df.columns:
            raise SourceError(
                src, f"missing column {col!r}; found {list(df.columns)[:5]}...", column=col
            )
    if len(df.columns) < 3:
        raise SourceError(src, "no origin columns after Year, Dest")
    dup_cols = [c for c in df.columns if "." in c and c.rsplit(".", 1)[0] in df.columns]
    if dup_cols:
        raise SourceError(src, f"duplicated origin column(s) {dup_cols}", column=dup_cols[0])
    return df


def parse(path: str | Path, log: BuildLog | None = None) -> pd.DataFrame:
    """Parse the wide UN DESA 2019 CSV into :data:`SCHEMA` (long; persons).

    Rows dropped on purpose (the 5 regional aggregate ``Dest`` rows per year, and any name the
    crosswalk deliberately leaves unmapped) are recorded in ``log`` (a fresh :class:`BuildLog`
    when none is given). Errors name the file, the column and the CSV line numbers.
    """
    path = Path(path)
    src = source_name(path)
    log = log if log is not None else BuildLog("undesa")
    wide = _read_wide(path)
    # CSV line numbers (header = line 1), as labels for error messages
    lines = pd.Series([f"line {n}" for n in range(2, len(wide) + 2)], index=wide.index)

    years = coerce_year(
        wide["Year"], source=src, column="Year", allowed=UNDESA_YEARS, row_labels=lines
    )
    dest = wide["Dest"].astype("string").str.strip()
    empty = dest.isna() | dest.eq("")
    if empty.any():
        raise SourceError(
            src,
            "missing destination name (truncated file?)",
            column="Dest",
            rows=lines[empty.to_numpy()].tolist(),
        )
    dup = pd.DataFrame({"y": years, "d": dest}).duplicated(keep=False).to_numpy()
    if dup.any():
        raise SourceError(
            src, "duplicated (Year, Dest) row", column="Dest", rows=lines[dup].tolist()
        )
    # a truncated file shows up as a year with fewer destination rows than the others
    per_year = pd.Series(dest.to_numpy()).groupby(years.to_numpy()).nunique()
    if per_year.nunique() > 1 or set(per_year.index) != set(UNDESA_YEARS):
        short = per_year[per_year < per_year.max()]
        missing_years = sorted(set(UNDESA_YEARS) - set(per_year.index))
        raise SourceError(
            src,
            f"unbalanced file (truncated?): destination rows per year {per_year.to_dict()}; "
            f"years missing {missing_years}",
            column="Year",
            rows=lines[years.isin(short.index).to_numpy()].tolist(),
        )

    agg = dest.isin(AGGREGATES).to_numpy()
    log.drop(
        "undesa2019: UN regional aggregate Dest rows (not countries), one per year",
        int(agg.sum()) * (len(wide.columns) - 2),
        sorted(set(dest[agg])),
    )
    origins = [c for c in wide.columns if c not in ("Year", "Dest")]
    keep = ~agg
    n_dest, n_orig = int(keep.sum()), len(origins)
    cells = wide.loc[keep, origins].to_numpy(dtype=object)
    long = pd.DataFrame(
        {
            "origin_name": pd.array(
                np.tile(np.asarray(origins, dtype=object), n_dest), dtype="string"
            ),
            "destination_name": pd.array(
                np.repeat(dest[keep].to_numpy(dtype=object), n_orig), dtype="string"
            ),
            "year": np.repeat(years[keep].to_numpy(), n_orig),
            "raw": cells.reshape(-1),
        }
    )
    line_of = pd.Series(np.repeat(lines[keep].to_numpy(), n_orig))
    # convert column by column so an error names the origin column
    stock = np.empty(len(long), dtype=np.float64)
    col_idx = np.tile(np.arange(n_orig), n_dest)
    raw = long["raw"]
    for j, name in enumerate(origins):
        sel = col_idx == j
        vals = coerce_counts(
            raw[sel].reset_index(drop=True),
            source=src,
            column=name,
            row_labels=line_of[sel].reset_index(drop=True),
        )
        stock[sel] = vals.to_numpy()
    long = long.drop(columns="raw").assign(stock=stock)

    # names -> canonical codes, per (name, year) so year-dependent crosswalk rules apply;
    # errors name the header field or the CSV line
    yrs = sorted(set(years[keep].tolist()))
    o_pairs = pd.DataFrame(
        {
            "name": pd.array(
                np.repeat(np.asarray(origins, dtype=object), len(yrs)), dtype="string"
            ),
            "year": np.tile(np.asarray(yrs, dtype=np.int64), n_orig),
            "label": np.repeat(
                np.asarray(
                    [f"header field {i + 3} ({o})" for i, o in enumerate(origins)], dtype=object
                ),
                len(yrs),
            ),
        }
    )
    d_pairs = pd.DataFrame(
        {
            "name": dest[keep].to_numpy(),
            "year": years[keep].to_numpy(),
            "label": lines[keep].to_numpy(),
        }
    ).reset_index(drop=True)
    for pairs, column in ((o_pairs, "<header>"), (d_pairs, "Dest")):
        pairs["code"] = map_countries(
            pairs["name"].astype("string"),
            "undesa_name",
            source=src,
            column=column,
            years=pairs["year"],
            row_labels=pairs["label"],
        )
    long = long.merge(
        o_pairs[["name", "year", "code"]].rename(columns={"name": "origin_name", "code": "origin"}),
        on=["origin_name", "year"],
        how="left",
        validate="many_to_one",
    ).merge(
        d_pairs[["name", "year", "code"]].rename(
            columns={"name": "destination_name", "code": "destination"}
        ),
        on=["destination_name", "year"],
        how="left",
        validate="many_to_one",
    )
    # the table is square: every country is an origin column and a Dest row
    # (checked after the name mapping, whose errors name an unknown name's header field)
    countries = set(dest[~agg])
    unknown, absent = sorted(set(origins) - countries), sorted(countries - set(origins))
    if unknown or absent:
        raise SourceError(
            src,
            f"origin columns {unknown} are not Dest names, and Dest names {absent} have no "
            "origin column (a dropped or renamed column?)",
            column=(unknown or absent)[0],
        )
    long["origin"] = long["origin"].astype("string")
    long["destination"] = long["destination"].astype("string")
    o_map = dict(zip(o_pairs["name"], o_pairs["code"], strict=True))
    d_map = dict(zip(d_pairs["name"], d_pairs["code"], strict=True))
    unmapped = long["origin"].isna() | long["destination"].isna()
    if unmapped.any():
        names = sorted(
            {n for n, c in o_map.items() if pd.isna(c)}
            | {n for n, c in d_map.items() if pd.isna(c)}
        )
        log.drop(
            "undesa2019: names the country crosswalk deliberately leaves unmapped "
            "(documented exceptions)",
            int(unmapped.sum()),
            names,
        )
        long = long[~unmapped.to_numpy()]
    long = long.sort_values(["year", "destination", "origin"], kind="stable").reset_index(drop=True)
    return SCHEMA.validate(long, source=src)


__all__ = ["AGGREGATES", "CITATION", "RAW_KEY", "SCHEMA", "UNDESA_YEARS", "parse"]


# identifier columns of the raw files, for the crosswalk coverage report (polecon.sources.coverage)
COUNTRY_IDS = (
    RawIdentifier(RAW_KEY, "Dest", "undesa_name"),
    RawIdentifier(
        RAW_KEY,
        "",
        "undesa_name",
        "origin columns (one per column)",
        pattern="(?!Year$|Dest$).*",
        header=True,
    ),
)
