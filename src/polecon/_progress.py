"""Progress bars for long steps (fetch, panel build, grids) that stay quiet off a terminal.

A bar is drawn on stderr only when stderr is a terminal and ``POLECON_PROGRESS`` is not ``0``;
in CI, pipes, notebooks' captured output and tests nothing is printed. ``POLECON_PROGRESS=1``
forces bars on. Bars are transient: they disappear when the step ends, so logs stay clean.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def enabled() -> bool:
    """Whether bars are drawn: ``POLECON_PROGRESS`` (``0``/``1``), else stderr is a terminal."""
    flag = os.environ.get("POLECON_PROGRESS", "").strip()
    if flag in ("0", "1"):
        return flag == "1"
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextmanager
def steps(description: str, total: int) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``: call it as each of ``total`` steps starts.

    >>> with steps("panel", 2) as advance:
    ...     advance("dyads"); advance("trade")
    """
    if not enabled():
        yield lambda label: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        started = False

        def advance(label: str) -> None:
            nonlocal started
            if started:
                bar.advance(task)
            started = True
            bar.update(task, description=f"{description}: {label}")

        yield advance
        bar.update(task, completed=total)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a bar (quiet off a terminal); ``total`` defaults to len()."""
    if not enabled():
        yield from items
        return
    from rich.console import Console
    from rich.progress import track as rich_track

    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    yield from rich_track(
        items, description=description, total=total, console=Console(stderr=True), transient=True
    )
