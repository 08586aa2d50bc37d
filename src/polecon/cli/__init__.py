"""The ``polecon`` command line.

Each command group lives in its own module and is registered here.  Every
failure exits non-zero with a one-line reason (see :func:`fail`).
"""

from __future__ import annotations

import typer

from polecon.cli._common import console
from polecon.cli.replicate import replicate

app = typer.Typer(
    name="polecon",
    help="Political-economy econometrics of bilateral agreements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("replicate")(replicate)


def _register_groups() -> None:
    from polecon.cli import cache as cache_cli
    from polecon.cli import data as data_cli

    app.add_typer(data_cli.app, name="data")
    app.add_typer(cache_cli.app, name="cache")
    from polecon.cli import panel as panel_cli

    app.add_typer(panel_cli.app, name="panel")


_register_groups()


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "console", "main"]
