"""Reading and party names of the UNCTAD IIA Navigator files.

The raw-file readers (``.rda`` / ``.dta``, dates, text columns) and the party-name rules
(``bloc_code``, BLEU; the splitters ``split_title`` and ``split_parties`` live in
:mod:`polecon.sources._splitters`) stated in the docstring of
:mod:`polecon.sources.agreements.unctad`, which imports them back; split out of that module
unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from polecon.sources._readers import read_dta, read_r_objects
from polecon.sources._schema import SourceError
from polecon.sources._splitters import (  # noqa: F401 (the parser's splitters, re-exported)
    _CONTINUATION,
    _TITLE_TAIL,
    split_parties,
    split_title,
)
from polecon.sources.agreements.schema import (
    source_label,
)

YEAR_MIN, YEAR_MAX = 1900, 2030  # plausible treaty dates; others are typos

BLEU_NAMES = frozenset({"bleu (belgium-luxembourg economic union)", "belgium/luxembourg", "bleu"})

# UNCTAD group parties of TIPs -> bloc code (besides the "ABC (Long name)" pattern).
UNCTAD_BLOCS = {
    "eu (european union)": "EU",
    "european union": "EU",
    "efta (european free trade association)": "EFTA",
    "eurasian economic union": "EAEU",
    "energy charter treaty members": "ECT",
    "oic investment agreement members": "OIC",
    "league of arab states": "LAS",
}
_BLOC_PATTERN = re.compile(r"^([A-Z]{2,}) \(.+\)$")  # "ASEAN (Association of ...)"


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def _read_rda(path: Path) -> pd.DataFrame:
    """The ``bits_raw`` object of the 2025 navigator export (or the file's only object)."""
    res = read_r_objects(path)
    if "bits_raw" in res:
        df = res["bits_raw"]
    elif len(res) == 1:
        df = next(iter(res.values()))
    else:
        raise SourceError(
            source_label(path), f"expected the object 'bits_raw'; objects: {list(res)}"
        )
    return df.reset_index(drop=True)


#: the 2020 navigator export (no value labels: identical with or without converting them)
_read_dta = read_dta


def _dates(df: pd.DataFrame, column: str, src: str, fmt: str | None = None) -> pd.Series:
    """Parse a date column; a present value that does not parse raises SourceError."""
    raw = df[column]
    present = raw.notna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        present = text.notna() & (text != "")
        raw = text.where(present)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        out = pd.to_datetime(raw)
    else:
        try:
            out = pd.to_datetime(raw, format=fmt or "mixed", errors="coerce")
        except (TypeError, ValueError):
            out = pd.Series(pd.NaT, index=raw.index)
    bad = present & out.isna()
    if bad.any():
        raise SourceError(
            src,
            f"values that are not dates (e.g. {raw[bad].head(3).tolist()})",
            column=column,
            rows=df.index[bad.to_numpy()].tolist(),
        )
    year = out.dt.year
    odd = ((year < YEAR_MIN) | (year > YEAR_MAX)).fillna(False).to_numpy(dtype=bool)
    if odd.any():
        raise SourceError(
            src,
            f"dates outside {YEAR_MIN}-{YEAR_MAX} (e.g. {out[odd].head(3).dt.date.tolist()})",
            column=column,
            rows=df.index[odd].tolist(),
        )
    return out.astype("datetime64[ms]")


def _strings(df: pd.DataFrame, column: str, src: str) -> pd.Series:
    s = df[column]
    non_str = s.notna() & ~s.map(lambda v: isinstance(v, str))
    if non_str.any():
        raise SourceError(
            src,
            f"expected text, found {s[non_str].head(3).tolist()}",
            column=column,
            rows=df.index[non_str.to_numpy()].tolist(),
        )
    return s.astype("string").str.strip()


# ---------------------------------------------------------------------------
# party names
# ---------------------------------------------------------------------------


def bloc_code(name: str) -> str | None:
    """Bloc code of an UNCTAD group party (``"ASEAN (Association of ...)"`` -> ASEAN), else None."""
    key = re.sub(r"\s+", " ", name).strip()
    if key.casefold() in UNCTAD_BLOCS:
        return UNCTAD_BLOCS[key.casefold()]
    m = _BLOC_PATTERN.match(key)
    return m.group(1) if m else None


def _is_bleu(names: pd.Series) -> pd.Series:
    norm = names.astype("string").str.strip().str.casefold()
    return norm.isin(list(BLEU_NAMES)).fillna(False)


def _parties_country(parties: pd.Series) -> pd.Series:
    """For BLEU-titled rows: BEL/LUX if ``parties`` names only one of them, else 'BLEU'."""
    has_bleu = parties.str.contains("BLEU", regex=False).fillna(False)
    bel = parties.str.contains("Belgium", regex=False).fillna(False) & ~has_bleu
    lux = parties.str.contains("Luxembourg", regex=False).fillna(False) & ~has_bleu
    out = pd.Series("BLEU", index=parties.index, dtype="string")
    out[bel & ~lux] = "BEL"
    out[lux & ~bel] = "LUX"
    return out
