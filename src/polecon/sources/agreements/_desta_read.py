"""Reading and checking of the DESTA v2.3 csv files (encoding, columns, integer columns, pairs).

Split out of :mod:`polecon.sources.agreements.desta` unchanged; that module imports it back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError
from polecon.sources.agreements.schema import (
    map_countries,
    order_pairs,
    require_columns,
    source_label,
)

ENCODING = "cp1252"


# ---------------------------------------------------------------------------
# reading and checking
# ---------------------------------------------------------------------------


def read_desta_csv(path: Path | str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a DESTA CSV (cp1252); unreadable files raise SourceError naming the file."""
    src = source_label(path)
    try:
        df = pd.read_csv(path, encoding=ENCODING, low_memory=False, dtype={"number": str})
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
        ValueError,
        OSError,
    ) as exc:
        raise SourceError(src, f"cannot parse CSV ({type(exc).__name__}: {exc})") from None
    require_columns(df, columns, src)
    return df


def _int_column(df: pd.DataFrame, column: str, src: str, nullable: bool = False) -> pd.Series:
    """Whole numbers (Int64); text, fractions or (unless ``nullable``) blanks raise SourceError."""
    raw = df[column]
    num = pd.to_numeric(raw, errors="coerce")
    bad = (raw.notna() & num.isna()) | (num.notna() & (num != np.floor(num)))
    bad |= num.notna() & ~np.isfinite(num.astype("float64"))
    if not nullable:
        bad |= raw.isna()
    if bad.any():
        raise SourceError(
            src,
            f"expected whole numbers{'' if nullable else ' (no blanks)'}, found "
            f"{raw[bad].head(3).tolist()}",
            column=column,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    return num.astype("Int64")


def _pairs(
    df: pd.DataFrame, src: str, log: BuildLog | None, what: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """Ordered canonical pairs of ``iso1``/``iso2``; rows with a deliberately unmapped code
    are dropped (logged).  Returns the pair frame and the kept-row mask."""
    i1 = _int_column(df, "iso1", src)
    i2 = _int_column(df, "iso2", src)
    codes = pd.concat([i1, i2], ignore_index=True)
    rows = pd.Series(np.concatenate([df.index.to_numpy()] * 2))
    mapped = map_countries(codes.astype(str), "iso3n", src, "iso1/iso2", rows=rows)
    c1 = mapped.iloc[: len(df)].set_axis(df.index)
    c2 = mapped.iloc[len(df) :].set_axis(df.index)
    keep = (c1.notna() & c2.notna()).to_numpy(dtype=bool)
    if (~keep).any() and log is not None:
        log.drop(
            f"{src}: {what} with a country code deliberately left unmapped",
            int((~keep).sum()),
            df.index[~keep].tolist(),
        )
    same = (c1 == c2).fillna(False).to_numpy(dtype=bool) & keep
    if same.any():
        raise SourceError(
            src, "a country paired with itself", column="iso1/iso2", rows=df.index[same].tolist()
        )
    a, b = order_pairs(c1[keep], c2[keep])
    return pd.DataFrame({"party_a": a, "party_b": b}, index=df.index[keep]), keep
