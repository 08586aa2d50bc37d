"""CEPII TRADHIST subset (``trade/tradeflow_xx.csv``) -> ``tradhist_deu``: West Germany's trade.

COW Dyadic Trade 4.0 has West Germany (260) trading only with Belgium and Luxembourg in
1960-1990 (trade PROVENANCE s.7).  TRADHIST has Germany's own rows (``origin_country_code ==
"DEU"``) in every year 1948-2014, both directions (PROVENANCE s.6):

- ``exports``: DEU's exports to the destination -> exporter DEU, importer = partner;
- ``imports``: DEU's imports from the destination -> exporter = partner, importer DEU.

Values are **current British pounds in units** (the repository's note saying USD millions is
wrong, PROVENANCE s.6); converted to current USD at the PWT 10.01 exchange rate of the United
Kingdom (``xr``, GBP per USD, the rate PROVENANCE used to verify the units):
``value_usd = value_gbp / xr(GBR, year)``.  ``xr`` ends in 2019, so all TRADHIST years
from 1950 (PWT's first year) convert; earlier DEU rows are dropped.  NA stays NA; zeros stay zeros (TRADHIST's zero/missing convention is not
documented in the subset).  Partner codes are ISO3 (scheme ``cepii_iso3``: ROM = Romania); TRADHIST has no USSR,
Czechoslovakia or East Germany, so those dyads stay missing.  The 1960-1989 DEU rows are West
Germany (94-98 % of the FRG totals in COW National 4.0).

The panel uses this table only to fill West German dyad-years that COW leaves missing
(:func:`polecon.panel.flows.add_trade`, ``FILL_YEARS``), with a per-cell source flag.
``analyses/tradhist_crosscheck.py`` compares the values with COW 4.0 (1955-1959) and penppml
(UN Comtrade) and lists the West German dyad-years the fill leaves missing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from polecon.sources._base import BuildLog, register_table
from polecon.sources._common import canonical_codes
from polecon.sources._schema import Column, Schema, SourceError

RAW_KEY = "trade/tradeflow_xx.csv"
PWT_KEY = "macro/original/pwt10.01.rda"
COLUMNS = ("destination_country_code", "origin_country_code", "year", "imports", "exports")
#: West German years that the panel fills from TRADHIST where COW is missing
FILL_YEARS = (1960, 1990)
PWT_FIRST_YEAR = 1950

CITATION = (
    'Fouquin, M. and Hugot, J. (2016), "Two Centuries of Bilateral Trade and Gravity Data: '
    '1827-2014", CEPII Working Paper 2016-14 (TRADHIST; subset tradeflow_xx.csv of '
    "github.com/cverluise/patentcity @ bdbcba47); converted to USD at the PWT 10.01 GBR exchange "
    "rate (Feenstra, Inklaar & Timmer 2015)."
)

SCHEMA = Schema(
    name="tradhist_deu",
    columns=(
        Column("exporter", "string", "exporter (canonical)", nullable=False, country=True),
        Column("importer", "string", "importer (canonical)", nullable=False, country=True),
        Column("year", "int", "year", nullable=False, min=1950, max=2014),
        Column("value_gbp", "float", "TRADHIST value", unit="current GBP", min=0.0),
        Column("xr", "float", "PWT 10.01 xr(GBR): GBP per USD", min=0.0),
        Column("value_usd", "float", "value_gbp / xr", unit="current USD", min=0.0),
    ),
    key=("exporter", "importer", "year"),
    description="West Germany's (DEU) trade from CEPII TRADHIST, both directions, current USD.",
)


def read_raw(path: Path | str) -> pd.DataFrame:
    """Read ``tradeflow_xx.csv`` (``;``-separated, padded header); errors name the file."""
    src = "/".join(Path(path).parts[-2:])
    try:
        df = pd.read_csv(path, sep=";", dtype={"destination_country_code ": "string"})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise SourceError(src, f"cannot parse CSV ({type(exc).__name__}: {exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise SourceError(src, f"missing column(s) {missing}", column=missing[0])
    for c in ("year", "imports", "exports"):
        num = pd.to_numeric(df[c], errors="coerce")
        bad = df[c].notna() & num.isna()
        if c == "year":
            bad |= num.isna() | (num != np.floor(num))
        if bad.any():
            raise SourceError(
                src,
                f"expected numbers, found {df.loc[bad, c].head(3).tolist()}",
                column=c,
                rows=df.index[bad.to_numpy()].tolist(),
            )
        bad = num.notna() & (~np.isfinite(num.astype("float64")) | (num < 0))
        if bad.any():
            raise SourceError(
                src,
                f"expected finite non-negative values, found {num[bad].head(3).tolist()}",
                column=c,
                rows=df.index[bad.to_numpy()].tolist(),
            )
        df[c] = num
    key = list(COLUMNS[:3])
    dup = df.duplicated(key, keep=False)
    if dup.any():
        raise SourceError(
            src,
            "duplicated (destination, origin, year) rows: a flow would be counted twice",
            column="year",
            rows=df.index[dup.to_numpy()].tolist(),
        )
    return df


def _gbr_xr(path: Path) -> pd.Series:
    from polecon.sources.cepii import read_rda

    pwt = read_rda(path)
    g = pwt.loc[pwt["isocode"].astype(str) == "GBR", ["year", "xr"]]
    return pd.Series(g["xr"].to_numpy(dtype=float), index=g["year"].astype(int).to_numpy())


@register_table("tradhist_deu", schema=SCHEMA, raw=(RAW_KEY, PWT_KEY), citation=CITATION)
def build(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """Germany's TRADHIST rows in both directions, in current USD (module docstring)."""
    path = raw[RAW_KEY]
    src = "/".join(Path(path).parts[-2:])
    df = read_raw(path)
    deu = df[df["origin_country_code"].astype("string").str.strip() == "DEU"]
    early = deu["year"] < PWT_FIRST_YEAR
    log.drop(
        f"{src}: DEU rows before {PWT_FIRST_YEAR} (no PWT exchange rate; pre-war Germany)",
        int(early.sum()),
        sorted(set(deu.loc[early, "year"].astype(int)))[:3],
    )
    deu = deu[~early]
    partner = canonical_codes(
        deu["destination_country_code"].astype("string").str.strip(),
        "cepii_iso3",
        source=src,
        column="destination_country_code",
    )
    keep = partner.notna() & (partner != "DEU")
    if (~keep).any():
        log.drop(
            f"{src}: DEU rows whose partner code is deliberately unmapped",
            int((~keep).sum()),
            sorted(set(deu.loc[~keep, "destination_country_code"].astype(str))),
        )
    deu, partner = deu[keep], partner[keep]
    year = deu["year"].astype("int64").to_numpy()
    out = pd.concat(
        [
            pd.DataFrame({"exporter": "DEU", "importer": partner.to_numpy(), "year": year,
                          "value_gbp": deu["exports"].to_numpy(dtype=float)}),
            pd.DataFrame({"exporter": partner.to_numpy(), "importer": "DEU", "year": year,
                          "value_gbp": deu["imports"].to_numpy(dtype=float)}),
        ],
        ignore_index=True,
    )  # fmt: skip
    xr = _gbr_xr(raw[PWT_KEY])
    out["xr"] = out["year"].map(xr).astype(float)
    if out["xr"].isna().any():
        raise SourceError("macro/original/pwt10.01.rda", "no GBR xr for some TRADHIST years",
                          column="xr", rows=sorted(set(out.loc[out["xr"].isna(), "year"])))  # fmt: skip
    out["value_usd"] = out["value_gbp"] / out["xr"]
    dup = out.duplicated(["exporter", "importer", "year"], keep=False)
    if dup.any():
        raise SourceError(src, "duplicated (origin, destination, year)", column="year",
                          rows=out.index[dup].tolist())  # fmt: skip
    out["exporter"] = out["exporter"].astype("string")
    out["importer"] = out["importer"].astype("string")
    return out.sort_values(["year", "exporter", "importer"]).reset_index(drop=True)


__all__ = ["CITATION", "FILL_YEARS", "RAW_KEY", "SCHEMA", "build", "read_raw"]
