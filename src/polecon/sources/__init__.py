"""Source parsers: one module per raw source, assembled into canonical tidy tables.

``polecon.load(name)`` returns a canonical table, validated against its declared
schema and cached as Parquet keyed by every input (raw files' and country-crosswalk files'
pinned sha256, options, code, dependencies).  Canonical tables:
``agreements``, ``wto_rta``, ``blma_provisions``, ``migration_stocks``, ``refugees``,
``trade_flows``, ``gravity_pairs``, ``country_year``, ``yotov2016``.
"""

from __future__ import annotations

from pathlib import Path

from polecon.sources._base import (
    BuildLog,
    available_tables,
    build_log,
    load,
    register_table,
    table_modules,
    table_spec,
)
from polecon.sources._schema import Column, Schema, SchemaError, SourceError


def __getattr__(name: str) -> object:
    if name == "TABLE_MODULES":  # discovered from the declarations (polecon.sources._base)
        return table_modules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def replicate_stage(reports_dir: Path) -> str:
    """Build (or read from cache) every canonical table and write ``data_report.md``."""
    from polecon.sources.report import write_report

    path, reports = write_report(reports_dir)
    return f"{len(reports)} tables ({sum(r.rows for r in reports):,} rows) -> {path}"


__all__ = [
    "TABLE_MODULES",
    "BuildLog",
    "Column",
    "Schema",
    "SchemaError",
    "SourceError",
    "available_tables",
    "build_log",
    "load",
    "register_table",
    "replicate_stage",
    "table_modules",
    "table_spec",
]
