"""Per-table data report: rows, years, countries, NA shares, deliberate drops."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from polecon._io import atomic_write_text
from polecon.sources._base import available_tables, build_log, load, table_spec


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    years: str
    countries: int
    na_share: dict[str, float]
    drops: list[dict]
    notes: list[str]
    citation: str


def _years(df: pd.DataFrame) -> str:
    for col in ("year", "signed"):
        if col in df.columns:
            s = df[col]
            if pd.api.types.is_datetime64_any_dtype(s):
                s = s.dt.year
            s = s.dropna()
            if len(s):
                return f"{int(s.min())}-{int(s.max())}"
    return "-"


def table_report(name: str) -> TableReport:
    """Summarise canonical table ``name`` (loads it, from cache when warm)."""
    spec = table_spec(name)
    df = load(name)
    codes: set[str] = set()
    for col in spec.schema.country_columns:
        codes.update(df[col].dropna().astype(str).unique().tolist())
    log = build_log(name)
    return TableReport(
        name=name,
        rows=len(df),
        years=_years(df),
        countries=len(codes),
        na_share={c: float(df[c].isna().mean()) if len(df) else 0.0 for c in df.columns},
        drops=log.get("drops", []),
        notes=log.get("notes", []),
        citation=spec.citation,
    )


def render_markdown(reports: list[TableReport]) -> str:
    """The report as deterministic markdown."""
    lines = [
        "# Canonical source tables",
        "",
        "| table | rows | years | countries |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{r.name}` | {r.rows:,} | {r.years} | {r.countries} |" for r in reports]
    for r in reports:
        lines += ["", f"## `{r.name}`", "", f"Source: {r.citation}", ""]
        lines += ["| column | share NA |", "|---|---|"]
        lines += [f"| `{c}` | {v:.3f} |" for c, v in r.na_share.items()]
        lines += [
            "",
            "Rows dropped on purpose (unmapped identifiers are listed here; expected: only"
            " documented exceptions):",
            "",
        ]
        if r.drops:
            lines += [
                f"- {d['reason']}: {d['rows']:,} rows (e.g. {', '.join(d['values'][:8])})"
                for d in r.drops
            ]
        else:
            lines.append("- none")
        if r.notes:
            lines += ["", "Notes:", ""] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


def write_report(
    reports_dir: Path, names: list[str] | None = None
) -> tuple[Path, list[TableReport]]:
    """Write ``reports_dir/data_report.md`` atomically; return its path and the reports."""
    reports = [table_report(n) for n in (names or available_tables())]
    path = Path(reports_dir) / "data_report.md"
    atomic_write_text(path, render_markdown(reports))
    return path, reports
