"""Shared CLI helpers: one console, one way to fail."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)


def fail(reason: str, code: int = 1) -> NoReturn:
    """Print a one-line reason to stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {escape(reason)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
