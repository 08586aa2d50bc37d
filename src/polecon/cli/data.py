"""``polecon data ...``: list, fetch and cite the registered source files (placeholder)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="List, fetch, verify and cite the registered source files.", no_args_is_help=True
)


@app.command("list")
def list_files() -> None:
    """One row per registered file with its status, licence and citation."""
    from polecon.cli._common import fail

    fail("the source registry is not built yet")
