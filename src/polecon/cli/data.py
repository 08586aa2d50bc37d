"""``polecon data ...``: list, fetch and cite the registered source files.

Commands: ``list``, ``fetch [NAME...] [--mirror DIR]``, ``cite [NAME...]``. Every failure exits
non-zero with a one-line reason (:func:`polecon.cli._common.fail`).

Room for more commands: a module ``polecon.cli.data_report`` that defines a function ``report``
is registered as ``polecon data report`` when it exists (it is delivered separately).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from polecon import registry
from polecon.cli._common import console, err_console
from polecon.cli._common import fail as _fail

app = typer.Typer(
    help="List, fetch, verify and cite the registered source files.", no_args_is_help=True
)

STATUS_LABEL: dict[str, str] = {
    "cached": "cached",
    "mirror": "in a mirror",
    "missing": "missing",
    "mismatch": "hash mismatch",
}
_STATUS_STYLE = {"cached": "green", "mirror": "cyan", "missing": "yellow", "mismatch": "bold red"}

MirrorOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--mirror",
        help="Extra mirror folder, searched before POLECON_MIRROR and datasets/mirrors.txt "
        "(repeatable).",
    ),
]
NamesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Registered names or mirror-relative paths (default: every file).", show_default=False
    ),
]


def fail(reason: str) -> NoReturn:
    """Exit 1 with a one-line reason, printed literally (no rich markup in paths or messages)."""
    _fail(escape(reason))


def _check_mirrors(mirrors: list[Path] | None) -> list[Path]:
    """The --mirror folders; fail if one of them, or of POLECON_MIRROR, is not a folder."""
    mirrors = list(mirrors or [])
    for m in mirrors:
        if not m.is_dir():
            fail(f"mirror folder {m} does not exist or is not a folder")
    env = os.environ.get("POLECON_MIRROR", "")
    for m in (Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()):
        if not m.is_dir():
            fail(f"POLECON_MIRROR names {m}, which does not exist or is not a folder")
    return mirrors


def _entries_for(names: list[str] | None) -> list[registry.Entry]:
    """The entries named (all when none), or fail on the first unknown key / bad manifest."""
    try:
        if not names:
            return registry.entries()
        return [registry.entry(n) for n in names]
    except registry.RegistryError as exc:
        fail(str(exc))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


@app.command("list")
def list_files(
    mirror: MirrorOption = None,
    topic: Annotated[str | None, typer.Option(help="Only files of this topic.")] = None,
) -> None:
    """One row per registered file with its status (cached / in a mirror / missing / hash
    mismatch), licence and citation, then the totals."""
    mirrors = _check_mirrors(mirror)
    chosen = _entries_for(None)
    if topic is not None:
        chosen = [e for e in chosen if e.topic == topic]
        if not chosen:
            topics = sorted({e.topic for e in registry.entries()})
            fail(f"no registered file has topic {topic!r}; topics: {', '.join(topics)}")
    table = Table(title=escape(f"Registered source files ({registry.manifest_path()})"))
    table.add_column("name", no_wrap=True)
    table.add_column("file", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("licence", overflow="fold", max_width=36)
    table.add_column("citation", overflow="fold", max_width=48)
    counts = dict.fromkeys(STATUS_LABEL, 0)
    for e in chosen:
        try:
            st = registry.status(e.name, extra_mirrors=mirrors)
        except (OSError, registry.RegistryError) as exc:
            fail(f"could not check {e.path}: {exc}")
        counts[st] += 1
        table.add_row(
            escape(e.name),
            escape(e.path),
            f"[{_STATUS_STYLE[st]}]{STATUS_LABEL[st]}[/]",
            escape(_short(e.licence, 100)),
            escape(_short(e.citation, 140)),
        )
    console.print(table)
    console.print(
        f"{len(chosen)} files: {counts['cached']} cached, {counts['mirror']} in a mirror, "
        f"{counts['missing']} missing, {counts['mismatch']} hash mismatch",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"cache: {registry.cache_dir()}; full citations: polecon data cite NAME",
        highlight=False,
        soft_wrap=True,
    )
    if counts["mismatch"]:
        fail(f"{counts['mismatch']} file(s) fail sha256 verification (status 'hash mismatch')")


@app.command("fetch")
def fetch_files(names: NamesArgument = None, mirror: MirrorOption = None) -> None:
    """Fetch and verify (sha256) the named files, or every registered file, into the cache."""
    mirrors = _check_mirrors(mirror)
    chosen = _entries_for(names)
    done, failed = registry.fetch_all([e.name for e in chosen], extra_mirrors=mirrors)
    source_label = {
        "cache": "already cached",
        "mirror": "copied from a mirror",
        "url": "downloaded",
    }
    for e in chosen:
        if e.name in done:
            console.print(
                f"[green]ok[/] {escape(e.path)} ({source_label[done[e.name][1]]})", highlight=False
            )
        else:
            err_console.print(
                f"[red]FAILED[/] {escape(e.path)}: {escape(str(failed[e.name]))}",
                highlight=False,
                soft_wrap=True,
            )
    if failed:
        first = next(iter(failed.values()))
        more = f" (and {len(failed) - 1} more, listed above)" if len(failed) > 1 else ""
        fail(f"{len(failed)} of {len(chosen)} files failed: {first}{more}")
    by_source = {s: sum(1 for _, src in done.values() if src == s) for s in source_label}
    console.print(
        f"{len(done)} files verified by sha256: {by_source['cache']} already cached, "
        f"{by_source['mirror']} copied from a mirror, {by_source['url']} downloaded; "
        f"cache {registry.cache_dir()}",
        highlight=False,
        soft_wrap=True,
    )


@app.command("cite")
def cite_files(names: NamesArgument = None) -> None:
    """BibTeX-style citations of the named files (default: every registered file).

    A canonical table name (e.g. ``trade_flows``) cites every file the table is built from.
    """
    from polecon.sources import TABLE_MODULES, table_spec

    keys: list[str] = []
    for name in names or []:
        if name in TABLE_MODULES:
            try:
                keys += list(table_spec(name).raw)
            except Exception as exc:  # a table module that fails to import
                fail(f"table {name!r}: {type(exc).__name__}: {exc}")
        else:
            keys.append(name)
    chosen = _entries_for(list(dict.fromkeys(keys)) if names else None)
    records = [registry.cite(e.name) for e in chosen]
    typer.echo("\n\n".join(records))


def _register_optional_commands() -> None:
    """Register ``polecon data report`` if its module has been delivered."""
    if importlib.util.find_spec("polecon.cli.data_report") is None:
        return
    module = importlib.import_module("polecon.cli.data_report")
    report = getattr(module, "report", None)
    if callable(report):
        app.command("report")(report)


_register_optional_commands()
