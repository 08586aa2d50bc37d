"""The panel's data dictionary: description, unit and source of every column.

Each ``add_*`` step documents the columns it creates here, once.  Patterns use
``{k}`` for an agreement type (bit, tip, bfta, pta, blma) and a trailing ``_i``/``_j``
suffix is resolved against the country-year dictionary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

AGREEMENT_TYPES: tuple[str, ...] = ("bit", "tip", "bfta", "pta", "blma")


@dataclass(frozen=True)
class ColumnDoc:
    description: str
    unit: str
    source: str


_AGREEMENT_SOURCE = (
    "polecon.load('agreements'): UNCTAD IIA Navigator (bit, tip), DESTA v2.3 (bfta, pta), "
    "Chilton & Woda 2022 (blma)"
)

_DOCS: dict[str, ColumnDoc] = {
    "i": ColumnDoc(
        "first member of the directed dyad (canonical ISO3, COW continuity)",
        "code",
        "COW/GW state system",
    ),
    "j": ColumnDoc("second member of the directed dyad", "code", "COW/GW state system"),
    "a": ColumnDoc(
        "first member of the undirected pair (a < b)", "code", "derived from the directed panel"
    ),
    "b": ColumnDoc(
        "second member of the undirected pair (a < b)", "code", "derived from the directed panel"
    ),
    "year": ColumnDoc("calendar year t", "year", "-"),
    "ccode_i": ColumnDoc(
        "state-system numeric code of i (COW or GW)",
        "code",
        "COW State System v2016 / Gleditsch-Ward",
    ),
    "ccode_j": ColumnDoc(
        "state-system numeric code of j (COW or GW)",
        "code",
        "COW State System v2016 / Gleditsch-Ward",
    ),
    "system_carried_forward": ColumnDoc(
        "True when year t is after the end of the state-system list and membership was carried "
        "forward from its last year (peacesciencer's mry convention)",
        "flag",
        "COW State System v2016 (ends 2016)",
    ),
    "{k}_signed": ColumnDoc(
        "1 if the pair had signed at least one type-{k} agreement by t", "0/1", _AGREEMENT_SOURCE
    ),
    "{k}_in_force": ColumnDoc(
        "1 if at least one type-{k} agreement between the pair had entered into force by t and was not "
        "terminated by t (an agreement without an entry-into-force date is never in force; "
        "BLMAs are in force from signature unless a later entry date is given)",
        "0/1",
        _AGREEMENT_SOURCE,
    ),
    "{k}_count": ColumnDoc(
        "number of type-{k} agreements between the pair signed by t and not terminated by t",
        "count",
        _AGREEMENT_SOURCE,
    ),
    "{k}_new": ColumnDoc(
        "number of type-{k} agreements between the pair signed in year t",
        "count",
        _AGREEMENT_SOURCE,
    ),
    "{k}_first_year": ColumnDoc(
        "year of the pair's first type-{k} signature (NA if never signed)",
        "year",
        _AGREEMENT_SOURCE,
    ),
    "exports_ij": ColumnDoc(
        "exports from i to j (= imports of j from i); NA outside COW coverage (after 2014) and where COW is missing",
        "current USD",
        "COW Dyadic Trade v4.0 (Barbieri & Keshk 2016), polecon.load('trade_flows')",
    ),
    "exports_ji": ColumnDoc("exports from j to i", "current USD", "COW Dyadic Trade v4.0"),
    "exports_ij_source": ColumnDoc(
        "source of exports_ij: 'cow', 'tradhist' (West German dyads 1960-1990 that COW leaves "
        "missing, filled from CEPII TRADHIST at the PWT GBR exchange rate), <NA> = missing",
        "label",
        "polecon.load('trade_flows'), polecon.load('tradhist_deu')",
    ),
    "exports_ji_source": ColumnDoc(
        "source of exports_ji (as exports_ij_source)", "label", "COW / TRADHIST"
    ),
    "migrants_ij_wb": ColumnDoc(
        "stock of people born in i living in j, World Bank series (census waves only unless interpolated)",
        "persons",
        "World Bank Global Bilateral Migration Database / bilateral migrant stocks 1960-2018",
    ),
    "migrants_ji_wb": ColumnDoc(
        "stock of people born in j living in i, World Bank series", "persons", "World Bank"
    ),
    "migrants_ij_undesa": ColumnDoc(
        "stock of people born in i living in j, UN DESA International Migrant Stock 2019 (every 5 years)",
        "persons",
        "UN DESA International Migrant Stock 2019",
    ),
    "migrants_ji_undesa": ColumnDoc(
        "stock of people born in j living in i, UN DESA 2019", "persons", "UN DESA 2019"
    ),
    **{
        f"migrants_{d}_undesa{rev}": ColumnDoc(
            f"stock of people born in {d[0]} living in {d[1]}, UN DESA International Migrant Stock "
            f"{rev} revision (every 5 years{' + 2024' if rev == 2024 else ''}; never mixed with "
            "other revisions)",
            "persons",
            f"UN DESA International Migrant Stock {rev} (gdidata 0.3.21), "
            "polecon.load('migration_stocks')",
        )
        for rev in (2020, 2024)
        for d in ("ij", "ji")
    },
    "migration_interpolated": ColumnDoc(
        "True if a migrant-stock value of this row was linearly interpolated between waves (only when "
        "interpolation is requested)",
        "flag",
        "derived",
    ),
    "migration_successor_summed": ColumnDoc(
        "True if a migrant stock of this row sums successor territories into their predecessor state "
        "(sources on today's borders before the successor existed; HYPOTHESES s.1)",
        "flag",
        "derived (polecon.countries succession table)",
    ),
    "twoway_trade": ColumnDoc(
        "two-way (reciprocity) index of trade, 1 - |X_ij - X_ji| / (X_ij + X_ji); NA if either flow is NA "
        "or both are 0",
        "index in [0, 1]",
        "derived from exports_ij, exports_ji",
    ),
    "twoway_migration_wb": ColumnDoc(
        "two-way index of migrant stocks (World Bank series)", "index in [0, 1]", "derived"
    ),
    "twoway_migration_undesa": ColumnDoc(
        "two-way index of migrant stocks (UN DESA series)", "index in [0, 1]", "derived"
    ),
    **{
        f"twoway_migration_undesa{rev}": ColumnDoc(
            f"two-way index of migrant stocks (UN DESA {rev} revision)",
            "index in [0, 1]",
            "derived",
        )
        for rev in (2020, 2024)
    },
    "i_is_rich": ColumnDoc(
        "1 if i has the higher real GDP per capita of the pair (PWT 10.01, Maddison where PWT is missing); "
        "NA if either is missing",
        "0/1",
        "PWT 10.01; Maddison Project 2023",
    ),
    "i_is_destination": ColumnDoc(
        "1 if i hosts more migrants born in j than j hosts born in i (latest stock wave at or before t); "
        "where stocks are missing or tied, the richer member is the destination",
        "0/1",
        "UN DESA 2019 / World Bank migrant stocks",
    ),
    "destination_from_stocks": ColumnDoc(
        "True if i_is_destination was decided by migrant stocks, False if by income (fallback)",
        "flag",
        "derived",
    ),
    "dest_origin_diversity": ColumnDoc(
        "origin diversity of the pair's destination member d: 1 - sum_o s_od^2, s_od = o's share of d's "
        "immigrant stock (latest wave at or before t)",
        "index in [0, 1]",
        "migrant stocks (series per parameter)",
    ),
    "dest_n_origins": ColumnDoc(
        "number of origins with at least 1,000 migrants in the destination member d",
        "count",
        "migrant stocks",
    ),
    "dest_labour_pool": ColumnDoc(
        "labour pool of d: total population of the state-system members o with real GDP per capita below "
        "d's / 4 in year t (population: World Bank, else PWT, else Maddison)",
        "persons",
        "country_year population and real GDP per capita",
    ),
    "dest_labour_pool_dw": ColumnDoc(
        "distance-weighted labour pool of d: sum of pop_o / dist_od (km, CEPII) over state-system members o "
        "with GDP per capita below d's / 4 and a known distance",
        "persons per km",
        "country_year; CEPII GeoDist",
    ),
    "origin_share": ColumnDoc(
        "the origin member's share of the destination member's immigrant stock (s_od, indispensability)",
        "share in [0, 1]",
        "migrant stocks",
    ),
    "{k}_diffusion_export_{s}": ColumnDoc(
        "type-{k} agreements signed by t-1 by the competitors of member {s}, weighted by export-market "
        "similarity (cosine similarity of export-destination shares, latest trade year <= t-1; Elkins, "
        "Guzman & Simmons 2006); weights sum to 1",
        "agreements (weighted mean)",
        "derived from agreements and COW trade",
    ),
    "{k}_diffusion_income_{s}": ColumnDoc(
        "type-{k} agreements signed by t-1 by the competitors of member {s}, weighted by income similarity "
        "exp(-|ln gdppc_{s} - ln gdppc_c|) (weights sum to 1)",
        "agreements (weighted mean)",
        "derived from agreements and country_year",
    ),
    "ldist": ColumnDoc("log of the distance between the pair (km)", "log km", "CEPII GeoDist"),
    "contig": ColumnDoc("1 if the pair shares a land border", "0/1", "CEPII GeoDist"),
    "comlang_off": ColumnDoc("1 if the pair shares an official language", "0/1", "CEPII GeoDist"),
    "colony": ColumnDoc(
        "1 if the pair was ever in a colonial relationship", "0/1", "CEPII GeoDist"
    ),
}

_COUNTRY_YEAR_DOCS: dict[str, ColumnDoc] = {}
_SIDE = re.compile(r".+_[ij]")


def register_country_year_docs(docs: dict[str, ColumnDoc]) -> None:
    """Record the documentation of country-year columns (suffixed ``_i``/``_j`` in the panel)."""
    _COUNTRY_YEAR_DOCS.update(docs)


def register_docs(docs: dict[str, ColumnDoc]) -> None:
    """Record the documentation of extra panel columns (gravity and other steps)."""
    _DOCS.update(docs)


def _ensure_country_year_docs() -> None:
    """Register the country_year schema's column docs (once), so cached panels are documented too.

    The source of each column is the country_year table's citation.
    """
    if _COUNTRY_YEAR_DOCS:
        return
    from polecon.sources import table_spec

    spec = table_spec("country_year")
    source = f"polecon.load('country_year'): {spec.citation}"
    register_country_year_docs(
        {c.name: ColumnDoc(c.description, c.unit, source) for c in spec.schema.columns}
    )


def _lookup(column: str) -> ColumnDoc | None:
    if column in _DOCS:
        return _DOCS[column]
    lag = re.fullmatch(r"(.+)_lag(\d+)", column)
    if lag:
        base = _lookup(lag.group(1))
        if base is not None:
            return ColumnDoc(
                f"{base.description} (lagged {lag.group(2)} year(s) within the dyad)",
                base.unit,
                base.source,
            )
    for k in AGREEMENT_TYPES:
        for s in ("i", "j"):
            for pattern, doc in _DOCS.items():
                if "{k}" not in pattern:
                    continue
                if pattern.format(k=k, s=s) == column:
                    return ColumnDoc(doc.description.format(k=k, s=s), doc.unit, doc.source)
    suffix = re.fullmatch(r"(.+)_([ij])", column)
    if suffix and suffix.group(1) in _COUNTRY_YEAR_DOCS:
        base = _COUNTRY_YEAR_DOCS[suffix.group(1)]
        return ColumnDoc(
            f"{base.description} (of member {suffix.group(2)})", base.unit, base.source
        )
    return None


def data_dictionary(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per panel column: column, dtype, description, unit, source, share NA.

    Raises ``KeyError`` for an undocumented column: every column must be documented.
    """
    if any(re_suffix.fullmatch(c) for c in panel.columns for re_suffix in (_SIDE,)):
        _ensure_country_year_docs()
    rows = []
    undocumented = []
    for col in panel.columns:
        doc = _lookup(col)
        if doc is None:
            undocumented.append(col)
            continue
        rows.append(
            {
                "column": col,
                "dtype": str(panel[col].dtype),
                "description": doc.description,
                "unit": doc.unit,
                "source": doc.source,
                "share_na": float(panel[col].isna().mean()) if len(panel) else 0.0,
            }
        )
    if undocumented:
        raise KeyError(f"panel columns without a data-dictionary entry: {undocumented}")
    return pd.DataFrame(rows)


def dictionary_markdown(panel: pd.DataFrame, title: str = "polecon dyad-year panel") -> str:
    """The data dictionary as deterministic markdown."""
    dd = data_dictionary(panel)
    lines = [
        f"# {title}: data dictionary",
        "",
        f"{len(panel):,} rows, {panel.shape[1]} columns.",
        "",
    ]
    if {"a", "b"} <= set(panel.columns):
        lines += [
            "Undirected view (a < b), derived from the directed panel: in the descriptions below, "
            "i means a and j means b; columns suffixed `_i`/`_j` belong to a/b, and `_ij` flows "
            "run from a to b.",
            "",
        ]
    lines += [
        "| column | dtype | unit | share NA | description | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in dd.itertuples(index=False):
        lines.append(
            f"| `{r.column}` | {r.dtype} | {r.unit} | {r.share_na:.3f} | {r.description} | {r.source} |"
        )
    return "\n".join(lines) + "\n"
