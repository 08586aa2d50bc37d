"""Gravity covariates (pair level) and country-year covariates (suffixed ``_i``/``_j``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from polecon.panel.dictionary import ColumnDoc, register_country_year_docs, register_docs

#: states absent from CEPII's 2004-era geography take their continuator's geography (flagged)
GEOGRAPHY_CONTINUATOR: dict[str, str] = {"CSK": "CZE", "DDR": "DEU", "YMD": "YEM", "RVN": "VNM"}

GRAVITY_COLUMNS: tuple[str, ...] = ("ldist", "contig", "comlang_off", "colony")

register_docs(
    {
        "gravity_proxy": ColumnDoc(
            "True if a member's geography was taken from its continuator (CSK->CZE, DDR->DEU, YMD->YEM, "
            "RVN->VNM): CEPII reports on 2004 borders",
            "flag",
            "derived",
        )
    }
)


def add_gravity(
    panel: pd.DataFrame,
    pairs: pd.DataFrame | None = None,
    continuator: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Add ``ldist`` (log km), ``contig``, ``comlang_off``, ``colony`` from CEPII GeoDist.

    ``pairs`` defaults to ``polecon.load("gravity_pairs")`` (columns i, j, dist or ldist,
    contig, comlang_off, colony). Dead states without CEPII rows take their continuator's
    geography (``continuator`` mapping; flagged in ``gravity_proxy``).
    """
    if pairs is None:
        from polecon.sources import load

        pairs = load("gravity_pairs")
    cont = GEOGRAPHY_CONTINUATOR if continuator is None else continuator
    g = pairs.copy()
    if "ldist" not in g.columns:
        if "dist" not in g.columns:
            raise KeyError("gravity pairs need a 'dist' (km) or 'ldist' column")
        with np.errstate(divide="ignore"):
            g["ldist"] = np.log(g["dist"].astype(float).where(g["dist"] > 0))
    keep = ["i", "j", *GRAVITY_COLUMNS]
    missing = [c for c in keep if c not in g.columns]
    if missing:
        raise KeyError(f"gravity pairs lack columns {missing}")
    g = g[keep]
    gi = panel["i"].astype("string").replace(cont)
    gj = panel["j"].astype("string").replace(cont)
    proxy = (gi != panel["i"]).to_numpy() | (gj != panel["j"]).to_numpy()
    keys = pd.DataFrame({"i": gi.to_numpy(), "j": gj.to_numpy()})
    g = g.astype({"i": keys["i"].dtype, "j": keys["j"].dtype})
    merged = keys.merge(g, on=["i", "j"], how="left", sort=False)
    if len(merged) != len(keys):
        raise ValueError("gravity pairs have duplicated (i, j) keys")
    out = panel.copy(deep=False)
    out["ldist"] = merged["ldist"].to_numpy(dtype=np.float64, na_value=np.nan)
    for c in ("contig", "comlang_off", "colony"):
        out[c] = pd.array(
            merged[c].to_numpy(dtype=np.float64, na_value=np.nan), dtype="Float64"
        ).astype("Int8")
    out["gravity_proxy"] = proxy
    return out


def add_country_year(
    panel: pd.DataFrame,
    country_year: pd.DataFrame | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Add country-year covariates for both members, suffixed ``_i`` and ``_j``.

    ``country_year`` defaults to ``polecon.load("country_year")`` (keys ``code, year``);
    ``columns`` defaults to every non-key column. NA where the source does not cover the year.
    """
    if country_year is None:
        from polecon.sources import load, table_spec

        country_year = load("country_year")
        schema = table_spec("country_year").schema
        register_country_year_docs(
            {
                c.name: ColumnDoc(c.description, c.unit, schema.description or "country_year")
                for c in schema.columns
            }
        )
    key = ["code", "year"]
    cols = [c for c in country_year.columns if c not in key] if columns is None else list(columns)
    cy = country_year[key + cols].copy()
    cy["year"] = cy["year"].astype(np.int64)
    out = panel.copy(deep=False)
    for side in ("i", "j"):
        keys = pd.DataFrame(
            {"code": panel[side].to_numpy(), "year": panel["year"].to_numpy().astype(np.int64)}
        )
        cy_side = cy.astype({"code": keys["code"].dtype})
        merged = keys.merge(cy_side, on=key, how="left", sort=False)
        if len(merged) != len(keys):
            raise ValueError("country_year has duplicated (code, year) keys")
        for c in cols:
            out[f"{c}_{side}"] = merged[c].array
    return out
