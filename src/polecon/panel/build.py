"""Compose the standard panel, lag variables, and write it (Parquet + data dictionary).

``build_panel()`` runs, in order: dyad_years -> add_agreements -> add_trade -> add_migration ->
add_gravity -> add_country_year -> add_roles -> add_reciprocity -> add_unilateral_option ->
add_diffusion. ``write_panel()`` writes atomically and deterministically; ``cache=True`` reuses a
build keyed by its parameters, the input files' sha256 and the code (:mod:`polecon.panel.cache`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from polecon._io import atomic_path, atomic_write_text
from polecon.panel.agreements import add_agreements
from polecon.panel.covariates import add_country_year, add_gravity
from polecon.panel.dictionary import dictionary_markdown
from polecon.panel.diffusion import add_diffusion
from polecon.panel.dyads import dyad_years, undirected
from polecon.panel.flows import add_migration, add_reciprocity, add_trade
from polecon.panel.roles import add_roles
from polecon.panel.unilateral import add_unilateral_option


def lag(
    panel: pd.DataFrame, columns: Sequence[str], k: int = 1, suffix: str | None = None
) -> pd.DataFrame:
    """Add ``{col}_lag{k}``: the value of ``col`` for the same dyad in year t-k (NA if absent).

    Works on directed (i, j) and undirected (a, b) panels; matching is by year, not by row order.
    """
    keys = ["i", "j"] if {"i", "j"} <= set(panel.columns) else ["a", "b"]
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise KeyError(f"lag(): columns not in the panel: {missing}")
    if k < 1:
        raise ValueError("k must be >= 1")
    src = panel[[*keys, "year", *columns]].copy()
    src["year"] = src["year"].astype(np.int64) + k
    tag = suffix or f"_lag{k}"
    src = src.rename(columns={c: f"{c}{tag}" for c in columns})
    left = panel[[*keys, "year"]].assign(year=panel["year"].astype(np.int64))
    merged = left.merge(src, on=[*keys, "year"], how="left", sort=False)
    out = panel.copy(deep=False)
    for c in columns:
        col = merged[f"{c}{tag}"]
        if pd.api.types.is_bool_dtype(panel[c].dtype) and col.dtype == object:
            col = col.astype("boolean")
        elif panel[c].dtype.kind in "iu" and col.dtype.kind == "f":
            col = col.astype("Float64").astype(str(panel[c].dtype).capitalize())
        out[f"{c}{tag}"] = col.array
    return out


def build_panel(
    start: int = 1946,
    end: int = 2020,
    system: Literal["cow", "gw"] = "cow",
    directed: bool = True,
    interpolate_migration: bool = False,
    unctad: str = "2025",
    twoway_missing: str = "na",
    *,
    cache: bool = False,
    refresh: bool = False,
) -> pd.DataFrame:
    """Build the standard dyad-year panel from the canonical source tables.

    Returns a DataFrame keyed by (i, j, year) (or (a, b, year) if not ``directed``; the undirected
    view is derived from the directed one), sorted by year, i, j. See the data dictionary for columns.
    ``interpolate_migration`` fills migrant stocks between waves (flagged); ``unctad`` picks the
    UNCTAD snapshot ("2025" or "2020"); ``twoway_missing`` is the missing-flow rule of the two-way
    indices (see :func:`polecon.panel.flows.twoway_index`).

    ``cache=True`` returns the cached build when the parameters, the input tables (raw files'
    sha256, options, parser code) and the panel code are unchanged, and stores a new build
    otherwise (``refresh=True`` rebuilds); the frame's ``attrs["cache_path"]`` names the Parquet
    file. ``polecon cache list|prune`` shows and evicts cached builds.
    """
    if cache or refresh:
        from polecon.panel.cache import cached_build

        params = _params(
            start=start,
            end=end,
            system=system,
            directed=directed,
            interpolate_migration=interpolate_migration,
            unctad=unctad,
            twoway_missing=twoway_missing,
        )
        return cached_build(params, lambda: build_panel(**params), write_panel, refresh=refresh)  # type: ignore[arg-type]
    from polecon._progress import steps
    from polecon.panel.flows import aggregate_successors
    from polecon.sources import load

    with steps("panel", 12) as step:
        step("source tables")
        agreements = load("agreements", unctad=unctad)
        trade = load("trade_flows")
        stocks = load("migration_stocks")
        pairs = load("gravity_pairs")
        country_year = load("country_year")
        tradhist = load("tradhist_deu")
        step("dyad-years")
        panel = dyad_years(start, end, system=system, directed=True)
        step("agreements")
        panel = add_agreements(panel, agreements)
        step("trade")
        panel = add_trade(panel, trade, fill=tradhist)
        step("migration")
        stocks = aggregate_successors(stocks)
        panel = add_migration(panel, stocks, interpolate=interpolate_migration)
        step("gravity")
        panel = add_gravity(panel, pairs)
        step("country-year")
        panel = add_country_year(panel, country_year)
        step("roles")
        panel = add_roles(panel, stocks)
        step("reciprocity")
        panel = add_reciprocity(panel, missing=twoway_missing)
        step("unilateral option")
        panel = add_unilateral_option(panel, stocks=stocks, country_year=country_year, pairs=pairs)
        step("diffusion")
        panel = add_diffusion(panel, agreements, trade, country_year)
        step("sort")
        panel = panel.sort_values(["year", "i", "j"], kind="stable").reset_index(drop=True)
    return panel if directed else undirected(panel)


def _params(**kwargs: object) -> dict[str, object]:
    """The build parameters of :func:`build_panel`: its defaults updated with ``kwargs``."""
    import inspect

    sig = inspect.signature(build_panel)
    params = {
        k: p.default
        for k, p in sig.parameters.items()
        if p.kind is not inspect.Parameter.KEYWORD_ONLY
    }
    unknown = set(kwargs) - set(params)
    if unknown:
        raise TypeError(f"build_panel() has no parameter(s) {sorted(unknown)}")
    return {**params, **kwargs}


def cached_panel_path(**kwargs: object) -> Path:
    """The Parquet file of ``build_panel(**kwargs, cache=True)``, built and cached first if it
    is absent; an existing file is not read (callers read only the columns they need)."""
    from polecon.panel.cache import cache_key, panels_dir

    params = _params(**kwargs)
    path = panels_dir() / f"panel-{cache_key(params)}.parquet"
    if not path.exists():
        path = Path(build_panel(**params, cache=True).attrs["cache_path"])  # type: ignore[arg-type]
    return path


def write_panel(
    panel: pd.DataFrame, path: str | Path, title: str = "polecon dyad-year panel"
) -> Path:
    """Write ``panel`` to Parquet atomically, with its data dictionary beside it (``.md``).

    Deterministic: same panel, same bytes (no timestamps; fixed row groups and compression).
    """
    path = Path(path)
    markdown = dictionary_markdown(panel, title)  # fails before anything is written
    table = pa.Table.from_pandas(panel, preserve_index=False)
    table = table.replace_schema_metadata(
        {k: v for k, v in (table.schema.metadata or {}).items() if k == b"pandas"}
    )
    with atomic_path(path) as tmp:
        pq.write_table(
            table, tmp, compression="zstd", row_group_size=1 << 20, write_statistics=True
        )
    atomic_write_text(path.with_suffix(".md"), markdown)
    return path


def replicate_stage(reports_dir: Path) -> str:
    """Build the default panel (cached) and write its data dictionary into ``reports_dir``."""
    panel = build_panel(cache=True)
    atomic_write_text(Path(reports_dir) / "panel_dictionary.md", dictionary_markdown(panel))
    return f"{len(panel):,} dyad-years x {panel.shape[1]} columns ({panel.attrs['cache_path']})"
