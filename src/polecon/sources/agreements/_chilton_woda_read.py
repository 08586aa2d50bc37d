"""Reading and validation helpers of the Chilton & Woda (2022) BLA files.

Stata reading with column checks, text / flag / date / identifier parsing and the party
mapping (``cw_code`` cross-checked with ``cw_name``), shared by the formation and coding
parsers of :mod:`polecon.sources.agreements.chilton_woda` (whose docstring states the date
rules); split out of that module unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._common import canonical_codes
from polecon.sources._readers import numeric_values, read_dta, require_columns, source_name
from polecon.sources._schema import Column, SourceError

#: last signature year covered by the dataset; later dates are typos (rule 3)
LAST_YEAR = 2020
FIRST_YEAR = 1900
MISSING_YEAR = 9999
LANGUAGES = ("english", "french", "german", "spanish", "arabic", "polish", "russian", "portugese")

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

#: the party columns shared by the formation and coding tables
_PARTY_COLUMNS: tuple[Column, ...] = (
    Column(
        "country_a",
        "string",
        "party A (canonical); usually the destination",
        nullable=False,
        country=True,
    ),
    Column(
        "country_b",
        "string",
        "party B (canonical); usually the origin",
        nullable=False,
        country=True,
    ),
    Column("country_a_name", "string", "party A name as distributed", nullable=False),
    Column("country_b_name", "string", "party B name as distributed", nullable=False),
)

_FORMATION_COLUMNS = {
    "treatyID": "int",
    "countryA": "str",
    "countryB": "str",
    "codeA": "int",
    "codeB": "int",
    "dyadID": "num",
    "year": "int",
    "datesigned": "str",
    "ratified": "str",
    "copy_available": "num",
    "evidence_available": "num",
    "evidence_notavailable": "num",
    "dataset_original": "str",
    **{f"copy_{lang}": "num" for lang in LANGUAGES},
}

_CODING_ID_COLUMNS = {
    "treatyID": "int",
    "countryA": "str",
    "countryB": "str",
    "codeA": "int",
    "codeB": "int",
    "year": "int",
}


def _read_dta(path: Path, expected: dict[str, str]) -> pd.DataFrame:
    """Read a Stata file; check that ``expected`` columns exist with the right kind."""
    source = source_name(path)
    df = read_dta(path)
    require_columns(df, expected, source)
    for col, kind in expected.items():
        s = df[col]
        if kind == "str":
            if not (pd.api.types.is_string_dtype(s.dtype) or s.dtype == object):
                raise SourceError(source, f"expected text, found dtype {s.dtype}", column=col)
            nonstr = ~s.map(lambda v: isinstance(v, str) or v is None or v is pd.NA)
            if nonstr.any():
                raise SourceError(source, "non-text values", column=col, rows=df.index[nonstr])
        else:
            numeric_values(s, source, col, integer=kind == "int")
    return df


def _text(s: pd.Series) -> pd.Series:
    """Stripped pandas strings; blank -> NA."""
    out = s.astype("string").str.strip()
    return out.mask(out == "")


def _flag(s: pd.Series, source: str, column: str) -> pd.Series:
    """0/1 numbers -> nullable boolean; any other value is an error."""
    arr = pd.to_numeric(s, errors="coerce")
    bad = arr.notna() & ~arr.isin([0, 1])
    if bad.any():
        raise SourceError(source, "values other than 0/1", column=column, rows=s.index[bad])
    return arr.map({0: False, 1: True}).astype("boolean")


def _map_parties(df: pd.DataFrame, source: str, years: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map codeA/codeB (scheme ``cw_code``) and cross-check against the names (``cw_name``)."""
    out = []
    for side in ("A", "B"):
        by_code = canonical_codes(
            df[f"code{side}"].astype(int),
            "cw_code",
            source=source,
            column=f"code{side}",
            years=years,
        )
        by_name = canonical_codes(
            _text(df[f"country{side}"]),
            "cw_name",
            source=source,
            column=f"country{side}",
            years=years,
        )
        if by_code.isna().any():
            rows = df.index[by_code.isna().to_numpy()]
            raise SourceError(
                source,
                "code maps to no country (documented exception)",
                column=f"code{side}",
                rows=rows,
            )
        clash = by_name.notna() & (by_name != by_code)
        if clash.any():
            pairs = sorted(
                set(
                    zip(
                        df.loc[clash, f"country{side}"],
                        df.loc[clash, f"code{side}"].astype(int),
                        by_code[clash],
                        by_name[clash],
                        strict=True,
                    )
                )
            )
            raise SourceError(
                source,
                f"name and code map to different countries (name, code, by code, by name): {pairs[:5]}",
                column=f"country{side}",
                rows=df.index[clash.to_numpy()],
            )
        out.append(by_code.astype("string"))
    same = out[0] == out[1]
    if same.any():
        raise SourceError(
            source,
            "both parties are the same country",
            column="codeB",
            rows=df.index[same.to_numpy()],
        )
    return out[0], out[1]


def _parse_dates(
    s: pd.Series, source: str, column: str, *, allow_two: bool, allow_suffix: bool
) -> tuple[pd.DataFrame, pd.Series]:
    """Split ``M/D/YYYY`` strings into (month, day, year) Int64 columns of the first date.

    Returns that frame (plus ``second``: a datetime of a second date, if any) and a Series of
    the rule labels applied per row (``two_dates``, ``trailing_text``).
    """
    text = _text(s)
    present = text.notna()
    found = text.str.findall(_DATE.pattern)
    n_found = found.map(lambda v: len(v) if isinstance(v, list) else 0)
    rest = text.str.replace(_DATE.pattern, "", regex=True).str.replace(r"[\s,;]", "", regex=True)
    bad = present & (n_found == 0)
    if bad.any():
        raise SourceError(source, "not a M/D/YYYY date", column=column, rows=text.index[bad])
    rules = pd.Series(pd.NA, index=s.index, dtype="string")
    many = present & (n_found > 1)
    if many.any():
        if not allow_two or (n_found > 2).any():
            raise SourceError(source, "more than one date", column=column, rows=text.index[many])
        rules[many] = "two_dates"
    suffix = present & (rest.fillna("") != "")
    if suffix.any():
        if not allow_suffix:
            raise SourceError(
                source, "text beside the date", column=column, rows=text.index[suffix]
            )
        rules[suffix] = "trailing_text"
    first = found.map(lambda v: v[0] if isinstance(v, list) and v else (pd.NA, pd.NA, pd.NA))
    parts = pd.DataFrame(first.tolist(), index=s.index, columns=["month", "day", "year"])
    parts = parts.apply(lambda c: pd.to_numeric(c).astype("Int64"))
    second = found.map(lambda v: "/".join(v[1]) if isinstance(v, list) and len(v) > 1 else None)
    parts["second"] = pd.to_datetime(second, format="%m/%d/%Y", errors="coerce")
    return parts, rules


def _positive_ids(raw: pd.DataFrame, column: str, source: str) -> pd.Series:
    """An identifier column as Int64; a negative, zero or fractional id is an error."""
    num = pd.to_numeric(raw[column], errors="coerce")
    bad = (num.notna() & ((num <= 0) | (num != np.floor(num)))).to_numpy(dtype=bool)
    if bad.any():
        raise SourceError(source, "identifiers must be positive whole numbers", column=column,
                          rows=raw.index[bad].tolist())  # fmt: skip
    return num.round().astype("Int64")


def _make_dates(parts: pd.DataFrame, source: str, column: str) -> pd.Series:
    """datetime64 from month/day/year columns; an impossible date is an error."""
    ok = parts[["month", "day", "year"]].notna().all(axis=1)
    out = pd.Series(pd.NaT, index=parts.index, dtype="datetime64[s]")
    if ok.any():
        sub = parts.loc[ok, ["year", "month", "day"]].astype(int)
        dates = pd.to_datetime(sub, errors="coerce")
        bad = dates.isna()
        if bad.any():
            raise SourceError(
                source, "impossible calendar date", column=column, rows=sub.index[bad]
            )
        out[ok] = dates.astype("datetime64[s]")
    return out


def _ids(df: pd.DataFrame, mask: pd.Series) -> list[int]:
    return sorted(int(v) for v in df.loc[mask, "treatyID"])
