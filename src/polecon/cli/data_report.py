"""``polecon data report``: per canonical table, rows, years, countries, NA shares, drops."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from polecon.cli._common import console, fail


def report(
    tables: Annotated[
        list[str] | None, typer.Argument(help="Tables to report (default: all).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the markdown report into this folder.")
    ] = None,
    na: Annotated[
        bool, typer.Option("--na/--no-na", help="Show the NA share of every column.")
    ] = True,
) -> None:
    """Print, per canonical table: rows, years, countries, NA share per column and deliberate drops."""
    from polecon.sources import available_tables
    from polecon.sources.report import table_report, write_report

    names = tables or available_tables()
    if not names:
        fail("no canonical table is implemented yet")
    try:
        reports = [table_report(n) for n in names]
    except Exception as exc:  # one line, no traceback
        fail(f"{type(exc).__name__}: {exc}")
    summary = Table(title="Canonical tables")
    for col in ("table", "rows", "years", "countries", "dropped rows"):
        summary.add_column(col, justify="right" if col != "table" else "left")
    for r in reports:
        dropped = sum(d["rows"] for d in r.drops)
        summary.add_row(r.name, f"{r.rows:,}", r.years, str(r.countries), f"{dropped:,}")
    console.print(summary)
    for r in reports:
        if na:
            t = Table(title=f"{r.name}: share NA per column", show_header=True)
            t.add_column("column")
            t.add_column("NA share", justify="right")
            for c, v in r.na_share.items():
                t.add_row(c, f"{v:.3f}")
            console.print(t)
        if r.drops:
            console.print(f"[bold]{r.name}[/]: rows dropped on purpose")
            for d in r.drops:
                console.print(
                    f"  - {d['reason']}: {d['rows']:,} rows (e.g. {', '.join(d['values'][:6])})"
                )
        else:
            console.print(f"[bold]{r.name}[/]: no rows dropped; unmapped identifiers: none")
    if out is not None:
        path, _ = write_report(out, names)
        console.print(f"written {path}")
