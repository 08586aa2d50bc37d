"""``polecon replicate [--only STAGE] [--check]``: regenerate ``reports/`` stage by stage.

A stage is a function ``replicate_stage(reports_dir: Path) -> str`` in the module named by
:data:`STAGES`; it writes its files atomically and deterministically and returns a one-line
summary. Every selected stage is resolved before anything runs: a missing module or function
fails the command naming the stage. ``--check`` regenerates into a temporary folder and fails,
naming the files, if anything differs from the reports folder (changed, missing or extra).
"""

from __future__ import annotations

import filecmp
import importlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from polecon.cli._common import console, fail


@dataclass(frozen=True)
class Stage:
    name: str
    module: str
    description: str

    def resolve(self) -> Callable[[Path], str]:
        """The stage's ``replicate_stage``; ``LookupError`` naming the stage if it is missing."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            raise LookupError(
                f"stage '{self.name}': module {self.module} cannot be imported ({exc})"
            ) from exc
        func = getattr(module, "replicate_stage", None)
        if not callable(func):
            raise LookupError(f"stage '{self.name}': {self.module} has no replicate_stage()")
        return func


#: the replication, in data-flow order (COMMON.md "Replication stages")
STAGES: tuple[Stage, ...] = (
    Stage("data", "polecon.registry", "fetch and verify every registered file"),
    Stage("countries", "polecon.sources.coverage", "crosswalk coverage of every source"),
    Stage("sources", "polecon.sources", "parse the canonical tables"),
    Stage("panel", "polecon.panel", "build the dyad-year panel"),
    Stage("gravity", "polecon.reports.yotov2016", "Yotov et al. (2016) replication"),
    Stage("adoption", "polecon.reports.adoption", "agreement adoption models"),
    Stage("hypotheses", "polecon.reports.hypotheses", "tests of H1-H5"),
    Stage("claims", "polecon.reports.claims", "the claims ledger"),
    Stage("figures", "polecon.reports.figures", "figures of the data"),
)


def select(only: list[str] | None) -> list[Stage]:
    """Stages named in ``only`` (comma lists allowed), in pipeline order; all if None."""
    if not only:
        return list(STAGES)
    names = {n.strip() for item in only for n in item.split(",") if n.strip()}
    known = [s.name for s in STAGES]
    unknown = sorted(names - set(known))
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; stages are {', '.join(known)}")
    return [s for s in STAGES if s.name in names]


def run_stages(stages: list[Stage], reports_dir: Path) -> list[tuple[Stage, float, str]]:
    """Resolve every stage, then run them in order; ``[(stage, seconds, summary)]``."""
    from polecon._progress import steps

    funcs = [s.resolve() for s in stages]  # LookupError before anything runs
    done = []
    with steps("replicate", len(stages)) as step:
        for k, (stage, func) in enumerate(zip(stages, funcs, strict=True), start=1):
            step(stage.name)
            console.print(f"[bold][{k}/{len(stages)}] {stage.name}[/]: {stage.description}")
            started = time.perf_counter()
            try:
                summary = func(reports_dir)
            except Exception as exc:
                raise RuntimeError(
                    f"stage '{stage.name}' failed: {type(exc).__name__}: {exc}"
                ) from exc
            seconds = time.perf_counter() - started
            console.print(f"  done in {seconds:.1f}s: {escape(str(summary))}", highlight=False)
            done.append((stage, seconds, str(summary)))
    return done


def _files(folder: Path) -> set[str]:
    if not folder.exists():
        return set()
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


def compare(fresh: Path, committed: Path, complete: bool) -> dict[str, list[str]]:
    """Files that ``changed`` or are ``missing`` from ``committed``; ``extra`` committed files
    no stage wrote (only when ``complete``, i.e. every stage ran)."""
    new, old = _files(fresh), _files(committed)
    return {
        "changed": sorted(
            f for f in new & old if not filecmp.cmp(fresh / f, committed / f, shallow=False)
        ),
        "missing": sorted(new - old),
        "extra": sorted(old - new) if complete else [],
    }


def replicate(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only these stages (repeat or comma-separate): "
            + ", ".join(s.name for s in STAGES)
            + ".",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Regenerate into a temporary folder; fail naming every file of the reports "
            "folder that differs, is missing or is extra.",
        ),
    ] = False,
    reports_dir: Annotated[
        Path | None,
        typer.Option(
            "--reports-dir",
            help="Where tables and figures are written (default: the repository's reports/ "
            "in a checkout, else ./reports).",
        ),
    ] = None,
) -> None:
    """Regenerate every table, figure and report, stage by stage, and summarise."""
    if reports_dir is None:
        from polecon._paths import default_reports_dir

        reports_dir = default_reports_dir()
    try:
        stages = select(only)
    except ValueError as exc:
        fail(str(exc))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="polecon-replicate-") as tmp:
        target = Path(tmp) if check else reports_dir
        try:
            done = run_stages(stages, target)
        except (LookupError, RuntimeError) as exc:
            fail(str(exc))
        diff = compare(target, reports_dir, complete=len(stages) == len(STAGES)) if check else {}
    table = Table("stage", "seconds", "summary", title="polecon replicate", title_justify="left")
    for stage, seconds, summary in done:
        table.add_row(stage.name, f"{seconds:.1f}", escape(summary))
    console.print(table)
    total = time.perf_counter() - started
    console.print(f"{len(done)} stage(s) in {total:.1f}s -> {reports_dir}")
    if check:
        problems = [(kind, f) for kind in ("changed", "missing", "extra") for f in diff[kind]]
        if problems:
            for kind, f in problems:
                console.print(
                    f"  {kind}: {escape(str(reports_dir / f))}", highlight=False, soft_wrap=True
                )
            fail(
                f"{len(problems)} file(s) in {reports_dir} differ from a fresh replication "
                "(run `polecon replicate` and commit the result)"
            )
        console.print(f"[green]check passed[/]: {reports_dir} matches a fresh replication")
