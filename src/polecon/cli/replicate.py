"""``polecon replicate``: run every stage of the replication that exists.

A stage is a callable ``run(reports_dir: Path) -> str`` living in the layer it
belongs to; it returns a one-line summary of what it produced.  Stages whose
module or function does not exist yet are reported plainly as missing, with the
issue that will deliver them, and do not fail the run.  A stage that exists and
fails makes the command exit non-zero.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from polecon.cli._common import console, fail


@dataclass(frozen=True)
class Stage:
    name: str
    target: str  # "module:function"
    delivered_by: str

    def resolve(self):
        module_name, func_name = self.target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return None
            raise
        return getattr(module, func_name, None)


STAGES: tuple[Stage, ...] = (
    Stage(
        "data: fetch and verify every registered file",
        "polecon.registry:replicate_stage",
        "issue 2",
    ),
    Stage(
        "countries: crosswalk coverage of every source",
        "polecon.countries:replicate_stage",
        "issue 2",
    ),
    Stage("sources: parse canonical tables", "polecon.sources:replicate_stage", "issue 3"),
    Stage("panel: build the dyad-year panel", "polecon.panel:replicate_stage", "issue 4"),
    Stage(
        "gravity: Yotov et al. (2016) replication",
        "polecon.reports.yotov2016:replicate_stage",
        "issue 5",
    ),
    Stage(
        "adoption: event-history models", "polecon.models.adoption:replicate_stage", "a later issue"
    ),
    Stage("hypotheses: H1-H5 tests", "polecon.reports.hypotheses:replicate_stage", "issue 9"),
    Stage("claims: the claims ledger", "polecon.reports.claims:replicate_stage", "issue 9"),
    Stage(
        "reports: tables, figures and the claims ledger",
        "polecon.reports:replicate_stage",
        "a later issue",
    ),
)


def replicate(
    reports_dir: Annotated[
        Path | None,
        typer.Option(
            "--reports-dir",
            help="Where tables and figures are written (default: the repository's reports/).",
        ),
    ] = None,
) -> None:
    """Run every replication stage that exists, in order; say which do not exist yet."""
    if reports_dir is None:
        from polecon.registry import REPO_ROOT

        reports_dir = REPO_ROOT / "reports"
    missing: list[Stage] = []
    for stage in STAGES:
        func = stage.resolve()
        if func is None:
            console.print(
                f"[yellow]- not yet implemented[/] {stage.name} (delivered by {stage.delivered_by})"
            )
            missing.append(stage)
            continue
        console.print(f"[bold]> {stage.name}[/]")
        started = time.perf_counter()
        try:
            summary = func(reports_dir)
        except Exception as exc:  # a stage that exists must not fail silently
            fail(f"stage '{stage.name}' failed: {type(exc).__name__}: {exc}")
        console.print(f"  [green]done[/] in {time.perf_counter() - started:.1f}s: {summary}")
    ran = len(STAGES) - len(missing)
    console.print(f"{ran} of {len(STAGES)} stages ran; {len(missing)} not implemented yet.")
