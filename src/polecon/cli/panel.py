"""``polecon panel build``: build the dyad-year panel and write it with its data dictionary."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from polecon.cli._common import console, fail

app = typer.Typer(help="Build the country-pair-year panel.", no_args_is_help=True)


@app.command("build")
def build(
    start: Annotated[int, typer.Option(help="First year.")] = 1946,
    end: Annotated[int, typer.Option(help="Last year.")] = 2020,
    system: Annotated[str, typer.Option(help="State system: cow or gw.")] = "cow",
    undirected: Annotated[
        bool, typer.Option("--undirected", help="Write the undirected view (a < b).")
    ] = False,
    interpolate_migration: Annotated[
        bool,
        typer.Option(
            "--interpolate-migration", help="Interpolate migrant stocks between waves (flagged)."
        ),
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", help="Parquet file to write (the dictionary goes beside it).")
    ] = Path("panel.parquet"),
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Rebuild even if a cached build exists.")
    ] = False,
) -> None:
    """Build (or reuse a cached build of) the panel and write it atomically to OUT."""
    from polecon._io import atomic_path, atomic_write_text
    from polecon.panel import build_panel, dictionary_markdown, write_panel
    from polecon.panel import undirected as to_undirected

    if system not in ("cow", "gw"):
        fail(f"--system must be 'cow' or 'gw', not {system!r}")
    if start > end:
        fail(f"--start ({start}) is after --end ({end})")
    if out.suffix.lower() != ".parquet":
        fail(
            f"--out must name a .parquet file (the data dictionary is written beside it), not {out}"
        )
    sys_: Literal["cow", "gw"] = "cow" if system == "cow" else "gw"
    started = time.perf_counter()
    try:
        panel = build_panel(
            cache=True,
            refresh=refresh,
            start=start,
            end=end,
            system=sys_,
            directed=True,
            interpolate_migration=interpolate_migration,
        )
        cached = Path(panel.attrs["cache_path"])
        if undirected:
            panel = to_undirected(panel)
            write_panel(panel, out, title="polecon undirected pair-year panel")
        else:
            with atomic_path(out) as tmp:
                shutil.copyfile(cached, tmp)
            atomic_write_text(out.with_suffix(".md"), dictionary_markdown(panel))
    except Exception as exc:
        fail(f"{type(exc).__name__}: {exc}")
    console.print(
        f"wrote {out} ({len(panel):,} rows x {panel.shape[1]} columns) and {out.with_suffix('.md')} "
        f"in {time.perf_counter() - started:.1f}s"
    )
