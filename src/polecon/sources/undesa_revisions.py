"""UN DESA International Migrant Stock, revisions 2020 and 2024 (migration PROVENANCE s.6-7).

Raw files (R package ``gdidata`` 0.3.21): ``un_desa_ims2020/undesa_stocks_2020.rda`` (object
``undesa_stocks_2020``, 1990-2020 every 5 years) and ``un_desa_ims2024/undesa_stocks.rda``
(object ``undesa_stocks``, the same years plus 2024).  Long format, one row per destination
(``geo``) x origin (``from``) x year (``t``) x sex (``female``/``male``; no totals), persons in
``n``.  Rules:

- ``stock`` = female + male; a dyad-year with only one sex listed keeps that sex's count (a
  missing origin-sex combination is "insufficient data", only ``n == 0`` is a definite zero).
- ``OOO`` (other/unknown origin) and ``XCX`` (Channel Islands) are not countries of the panel:
  dropped and logged.  Codes are ISO3 (scheme ``iso3``).
- The revisions are separate series (``undesa2020``, ``undesa2024``): the 2024 revision revised
  the back years (70-72 % of common values identical), so they are never mixed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._common import canonical_codes
from polecon.sources._readers import read_rda, require_columns, source_name
from polecon.sources._schema import SourceError
from polecon.sources._tables import read_table

REVISIONS: dict[str, tuple[str, str, tuple[int, ...]]] = {
    "undesa2020": (
        "migration/un_desa_ims2020/undesa_stocks_2020.rda",
        "undesa_stocks_2020",
        (1990, 1995, 2000, 2005, 2010, 2015, 2020),
    ),
    "undesa2024": (
        "migration/un_desa_ims2024/undesa_stocks.rda",
        "undesa_stocks",
        (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2024),
    ),
}
COLUMNS = ("geo", "t", "from", "sex", "n")
#: codes that are not countries (rows dropped; ``datasets/sources/undesa_revision_not_countries.csv``)
NOT_COUNTRIES: tuple[str, ...] = tuple(
    read_table("undesa_revision_not_countries.csv", ("code", "name", "reason"))["code"]
)

CITATION = (
    "United Nations, Department of Economic and Social Affairs, Population Division (2020, 2024). "
    "International Migrant Stock 2020 / International Migrant Stock 2024, by destination, origin "
    "and sex; via the R package gdidata 0.3.21 (IOM Global Data Institute, github.com/iom/gdidata)."
)


def read(path: Path | str, obj: str) -> pd.DataFrame:
    """Read and check the raw long table; errors name the file, the column and the rows."""
    src = source_name(path)
    df = read_rda(path, obj)
    require_columns(df, COLUMNS, src)
    for c in ("t", "n"):
        num = pd.to_numeric(df[c], errors="coerce")
        bad = num.isna() | ~np.isfinite(num.astype("float64")) | (num != np.floor(num)) | (num < 0)
        if bad.any():
            raise SourceError(src, f"expected non-negative whole numbers, found "
                              f"{df.loc[bad, c].head(3).tolist()}", column=c,
                              rows=df.index[bad.to_numpy()].tolist())  # fmt: skip
    n = pd.to_numeric(df["n"], errors="coerce")
    if not np.isfinite(n.to_numpy(dtype="float64")).all():
        bad = ~np.isfinite(n.to_numpy(dtype="float64"))
        raise SourceError(src, "infinite values", column="n", rows=df.index[bad].tolist())
    dup = df.duplicated(["geo", "t", "from", "sex"], keep=False)
    if dup.any():
        raise SourceError(src, "duplicated (geo, t, from, sex) rows: a stock would be counted "
                          "twice", column="geo", rows=df.index[dup.to_numpy()].tolist())  # fmt: skip
    sex = df["sex"].astype("string")
    bad = ~sex.isin(["female", "male"]).fillna(False)
    if bad.any():
        raise SourceError(src, "sex must be female or male", column="sex",
                          rows=df.index[bad.to_numpy()].tolist())  # fmt: skip
    return df


def parse(path: Path | str, series: str, log: BuildLog) -> pd.DataFrame:
    """One revision -> ``origin, destination, year, stock, series`` (persons, both sexes)."""
    key, obj, years = REVISIONS[series]
    src = "/".join(Path(path).parts[-2:])
    df = read(path, obj)
    got = sorted(set(pd.to_numeric(df["t"]).astype(int)))
    if got != list(years):
        raise SourceError(src, f"years {got} != expected {list(years)}", column="t")
    geo = df["geo"].astype("string").str.strip()
    org = df["from"].astype("string").str.strip()
    drop = geo.isin(NOT_COUNTRIES) | org.isin(NOT_COUNTRIES)
    log.drop(f"{series}: rows with origin/destination OOO (unknown) or XCX (Channel Islands)",
             int(drop.sum()), sorted(set(geo[drop]) | set(org[drop])))  # fmt: skip
    df, geo, org = df[~drop.to_numpy()], geo[~drop], org[~drop]
    dest = canonical_codes(geo, "iso3", source=src, column="geo")
    orig = canonical_codes(org, "iso3", source=src, column="from")
    long = pd.DataFrame({"origin": orig.to_numpy(), "destination": dest.to_numpy(),
                         "year": pd.to_numeric(df["t"]).astype("int64").to_numpy(),
                         "n": pd.to_numeric(df["n"]).astype("float64").to_numpy()})  # fmt: skip
    long = long.dropna(subset=["origin", "destination"])
    g = long.groupby(["origin", "destination", "year"], sort=True)
    out = g["n"].sum(min_count=1).rename("stock").reset_index()
    one_sex = int((g.size() == 1).sum())
    diag = out["origin"] == out["destination"]
    log.drop(f"{series}: origin == destination", int(diag.sum()), [])
    out = out[~diag]
    log.note(
        f"{series}: {len(out):,} dyad-years from {src} (female + male); {one_sex:,} with one sex "
        f"only (kept as that sex's count); {int((out['stock'] == 0).sum()):,} zeros (definite)."
    )
    return out.assign(series=series)


__all__ = ["CITATION", "NOT_COUNTRIES", "REVISIONS", "parse", "read"]
