"""``polecon cache list|prune``: show and evict cached panel builds ($POLECON_CACHE/panels)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from polecon.cli._common import console, fail

app = typer.Typer(help="Show and evict cached panel builds.", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """List cached panel builds, newest first; 'current' builds match today's inputs and code."""
    from polecon.panel.cache import list_builds, panels_dir

    try:
        builds = list_builds()
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")
    if builds.empty:
        console.print(f"no cached panel builds in {panels_dir()}")
        return
    table = Table("file", "MB", "modified (UTC)", "current", "parameters", title=str(panels_dir()))
    for r in builds.itertuples(index=False):
        table.add_row(
            escape(r.file),
            f"{r.size_mb:.1f}",
            str(r.modified),
            "yes" if r.current else "no",
            escape(r.params),
        )
    console.print(table)
    console.print(f"{len(builds)} builds, {builds['size_mb'].sum():.1f} MB")


@app.command("prune")
def prune(
    everything: Annotated[
        bool, typer.Option("--all", help="Remove every build, current ones too.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed; remove nothing.")
    ] = False,
) -> None:
    """Remove builds made from other inputs or panel code (with --all: every build)."""
    from polecon.panel.cache import prune as prune_builds

    try:
        gone = prune_builds(everything=everything, dry_run=dry_run)
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")
    verb = "would remove" if dry_run else "removed"
    for f in gone:
        console.print(f"{verb} {escape(f.name)}")
    console.print(f"{verb} {len(gone)} build(s)")
