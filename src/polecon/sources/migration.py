"""Canonical table ``migration_stocks``: bilateral migrant stocks, two separate series.

Columns ``origin, destination, year, stock, series``; key ``(origin, destination, year, series)``.

- ``series == "wb"``: World Bank, waves 1960, 1970, 1980, 1990, 2000 (GBMD, Özden et al. 2011)
  and 2010, 2013, 2018 (bilateral migration matrices; "2018" is the 2017/18 release), from the
  harmonised ``.rds`` panel (:mod:`polecon.sources.wb_migration`). The dcData GBMD-by-sex file,
  after its year-label correction, reproduces the 1960-2000 waves; that cross-check is a test
  (``tests/sources/test_migration.py``), not part of the build.
- ``series == "undesa2019"``: UN DESA International Migrant Stock 2019, 1990-2019 every 5 years
  plus 2019 (:mod:`polecon.sources.undesa`).
- ``series == "undesa2020"`` / ``"undesa2024"``: the 2020 and 2024 revisions, 1990-2020 every 5
  years (+ 2024) (:mod:`polecon.sources.undesa_revisions`); the 2024 revision revised back years.

The series are never mixed, summed or interpolated here. Both report on today's borders: a
successor state (e.g. ``HRV``, ``UKR``) appears in years before it existed. This table keeps the
code of the reporting territory; re-attribution to the predecessor state is the panel's job
(:func:`polecon.countries.succession.predecessor`). The build log lists the codes concerned.

Units: persons (people born in ``origin`` living in ``destination``). Missing is NaN or an absent
row, never 0: WB dyads of territories a wave does not cover are dropped (logged), UN ``..``/``-``
cells are NaN. A 0 is the source's 0 ("zero or not reported" in both sources).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon.sources import undesa, undesa_revisions, wb_migration
from polecon.sources._base import BuildLog, register_table
from polecon.sources._schema import Column, Schema, SourceError

SERIES: dict[str, tuple[int, ...]] = {
    "wb": wb_migration.WB_YEARS,
    "undesa2019": undesa.UNDESA_YEARS,
    **{name: spec[2] for name, spec in undesa_revisions.REVISIONS.items()},
}

CITATION = (
    "Series 'wb': " + wb_migration.CITATION + " Series 'undesa2019': " + undesa.CITATION
    + " Series 'undesa2020', 'undesa2024': " + undesa_revisions.CITATION
)  # fmt: skip

SCHEMA = Schema(
    name="migration_stocks",
    description="Bilateral migrant stocks (persons) by origin, destination, year and series.",
    columns=(
        Column(
            "origin",
            "string",
            "canonical code of the country of birth",
            nullable=False,
            country=True,
        ),
        Column(
            "destination",
            "string",
            "canonical code of the country of residence",
            nullable=False,
            country=True,
        ),
        Column(
            "year",
            "int",
            "reference year of the wave",
            unit="year",
            nullable=False,
            min=1960,
            max=2024,
        ),
        Column(
            "stock",
            "float",
            "people born in origin living in destination; NaN = not "
            "available (never 0 for missing)",
            unit="persons",
            min=0,
        ),
        Column(
            "series",
            "string",
            "wb (World Bank 1960-2018), undesa2019, undesa2020 or undesa2024 (UN DESA revisions)",
            nullable=False,
            allowed=frozenset(SERIES),
        ),
    ),
    key=("origin", "destination", "year", "series"),
    notes=(
        "Series are separate estimates of the same quantity; never mix them within a panel cell.",
        "Successor states appear before independence (today's borders); see the build log.",
    ),
)


def _note_successors(df: pd.DataFrame, series: str, log: BuildLog) -> None:
    """Log the codes that appear in years before their state existed (today's-borders data)."""
    try:
        from polecon.countries.succession import predecessor
    except ImportError:  # pragma: no cover - the countries layer ships with the package
        log.note(f"{series}: succession table unavailable; successor codes not listed")
        return
    pairs = pd.concat(
        [
            df[["origin", "year"]].set_axis(["code", "year"], axis=1),
            df[["destination", "year"]].set_axis(["code", "year"], axis=1),
        ]
    ).drop_duplicates()
    pairs = pairs.sort_values(["code", "year"]).reset_index(drop=True)
    pred = predecessor(pairs["code"], pairs["year"])
    moved = pairs[(pred != pairs["code"]).fillna(False).to_numpy()].assign(
        pred=pred[(pred != pairs["code"]).fillna(False).to_numpy()]
    )
    if moved.empty:
        log.note(f"{series}: no code appears before its state existed")
        return
    parts = [
        f"{code} {'/'.join(str(y) for y in g['year'])} (part of {g['pred'].iloc[0]})"
        for code, g in moved.groupby("code", sort=True)
    ]
    log.note(
        f"{series}: {moved['code'].nunique()} codes appear in years before their state existed "
        "(sources report on today's borders; kept under the territory's own code here, the panel "
        "re-attributes them to the predecessor): " + "; ".join(parts)
    )


def build_wb(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """The ``wb`` series: the harmonised panel, diagonal and uncovered code-waves dropped."""
    wb_raw = wb_migration.parse(raw[wb_migration.RAW_KEY])
    wb = wb_migration.select_wb(wb_raw, log)
    na_code = wb["origin"].isna() | wb["destination"].isna()
    if na_code.any():
        codes = sorted(
            set(wb.loc[wb["origin"].isna(), "origin_code"])
            | set(wb.loc[wb["destination"].isna(), "destination_code"])
        )
        log.drop(
            "wb: codes the crosswalk deliberately leaves unmapped (documented exceptions)",
            int(na_code.sum()),
            codes,
        )
        wb = wb[~na_code.to_numpy()]
    recoded = pd.concat(
        [
            wb[["origin_code", "origin", "year"]].set_axis(["code", "canon", "year"], axis=1),
            wb[["destination_code", "destination", "year"]].set_axis(
                ["code", "canon", "year"], axis=1
            ),
        ]
    ).drop_duplicates()
    recoded = recoded[(recoded["code"] != recoded["canon"]).to_numpy()]
    if len(recoded):
        log.note(
            "wb: World Bank codes recoded to canonical codes: "
            + "; ".join(
                f"{c} -> {k} ({'/'.join(str(y) for y in sorted(g['year']))})"
                for (c, k), g in recoded.groupby(["code", "canon"], sort=True)
            )
            + ". Note: SCG (Serbia and Montenegro, incl. Kosovo) is the only Yugoslav-remainder "
            "code covered 1960-2000, SRB/MNE/XKX from 2010 on, so SRB's territory shrinks "
            "between 2000 and 2010 within this series."
        )
    out = wb[["origin", "destination", "year", "stock"]].assign(series="wb")
    log.note(
        "wb: the harmonised panel writes 0 for every absent dyad (zero and 'not reported' are "
        "indistinguishable); 0 is kept as 0 except for territories a wave does not cover "
        "(dropped, see drops). 2010 values are non-integer model estimates."
    )
    return out


def build_undesa(raw: dict[str, Path], log: BuildLog) -> pd.DataFrame:
    """The ``undesa2019`` series."""
    un = undesa.parse(raw[undesa.RAW_KEY], log)
    diag = (un["origin"] == un["destination"]).to_numpy()
    log.drop(
        "undesa2019: diagonal origin == destination (not migration; all 0 in the file)",
        int(diag.sum()),
        sorted(set(un.loc[diag, "origin"]))[:5],
    )
    un = un[~diag]
    n_na = int(un["stock"].isna().sum())
    log.note(
        f"undesa2019: {n_na} cells are '..' or '-' in the file and are NaN (not 0); 0 means "
        "'zero or not reported' in the UN table and is kept as 0"
    )
    return un[["origin", "destination", "year", "stock"]].assign(series="undesa2019")


@register_table(
    "migration_stocks",
    schema=SCHEMA,
    raw=(
        wb_migration.RAW_KEY,
        undesa.RAW_KEY,
        *(spec[0] for spec in undesa_revisions.REVISIONS.values()),
    ),
    citation=CITATION,
    default_options={"series": "all"},
)
def build(raw: dict[str, Path], log: BuildLog, series: str = "all") -> pd.DataFrame:
    """Bilateral migrant stocks, World Bank and UN DESA 2019 series (persons).

    Options: ``series`` = ``"all"`` (default), ``"wb"``, ``"undesa2019"``, ``"undesa2020"`` or
    ``"undesa2024"`` (UN DESA revisions are separate series, never mixed).
    """
    if series not in ("all", *SERIES):
        raise SourceError("migration_stocks", f"unknown series option {series!r}", column="series")
    parts = []
    if series in ("all", "wb"):
        parts.append(build_wb(raw, log))
    if series in ("all", "undesa2019"):
        parts.append(build_undesa(raw, log))
    for name, spec in undesa_revisions.REVISIONS.items():
        if series in ("all", name):
            parts.append(undesa_revisions.parse(raw[spec[0]], name, log))
    df = pd.concat(parts, ignore_index=True)
    df["series"] = df["series"].astype("string")
    df["origin"] = df["origin"].astype("string")
    df["destination"] = df["destination"].astype("string")
    df["year"] = df["year"].astype("int64")
    df["stock"] = df["stock"].astype("float64")
    for name, years in SERIES.items():
        got = set(df.loc[df["series"] == name, "year"].unique().tolist())
        if got and got != set(years):
            raise SourceError(
                "migration_stocks",
                f"series {name!r} years {sorted(got)} != expected {list(years)}",
                column="year",
            )
        if got:
            _note_successors(df[df["series"] == name], name, log)
    df = df.sort_values(["series", "year", "origin", "destination"], kind="stable")
    return SCHEMA.validate(df.reset_index(drop=True), source="migration_stocks")


__all__ = ["CITATION", "SCHEMA", "SERIES", "build", "build_undesa", "build_wb"]
