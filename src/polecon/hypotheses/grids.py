"""Headline specifications and robustness grids of H1-H5, as runner tasks.

Grid cells read only the panel columns they need from the cached panel Parquet file
(``panel_path``), so a task is small to send to a worker. The grids vary the choices
HYPOTHESES.md leaves open: the migration series, roles by migrant stocks or by GDP per capita,
agreements signed or in force, logit / cloglog / Cox, and the start year (1946, 1960, 1990).
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from polecon.hypotheses.result import HypothesisResult
from polecon.hypotheses.runner import Task, product
from polecon.panel.flows import MIGRATION_SERIES

SERIES: tuple[str, ...] = tuple(MIGRATION_SERIES)
STARTS: tuple[int, ...] = (1946, 1960, 1990)
#: the default specification (HYPOTHESES s.1-5)
DEFAULTS: dict[str, object] = {
    "series": "wb",
    "start": 1946,
    "trade": "pta",
    "timing": "in_force",
    "roles": "stocks",
    "model": "logit",
}


_PINS: dict[str, str] = {}


def pinned_panel() -> str:
    """The default cached panel, hard-linked into a folder private to this process.

    The panel cache replaces a build when the inputs or code change (another process may do so
    while grids run); a hard link keeps this process's file readable until it exits.
    """
    from polecon.panel.build import cached_panel_path

    path = cached_panel_path()  # the default build, built only if absent (no full read)
    key = str(path)
    if key not in _PINS or not Path(_PINS[key]).exists():
        folder = tempfile.mkdtemp(prefix="pinned-", dir=Path(path).parent)
        atexit.register(shutil.rmtree, folder, True)
        target = Path(folder) / Path(path).name
        try:
            os.link(path, target)
        except OSError:  # no hard links on this file system: copy
            shutil.copyfile(path, target)
        _PINS[key] = str(target)
    return _PINS[key]


def _read(panel_path: str, columns: Sequence[str]) -> pd.DataFrame:
    import pyarrow.parquet as pq

    have = set(pq.read_schema(panel_path).names)
    return pd.read_parquet(panel_path, columns=[c for c in dict.fromkeys(columns) if c in have])


def h1a_cell(
    panel_path: str, series: str, start: int, by_decade: bool = False
) -> list[HypothesisResult]:
    from polecon.hypotheses.h1_reciprocity import h1a, h1a_columns

    cols = h1a_columns(series)
    panel = _read(panel_path, cols)
    if cols[5] not in panel.columns:
        return []
    return h1a(panel, series, start=start, by_decade=by_decade)


def h3_cell(
    panel_path: str, series: str, trade: str, timing: str, start: int
) -> list[HypothesisResult]:
    from polecon.hypotheses.h3_substitution import h3, h3_columns

    return h3(_read(panel_path, h3_columns(series, trade, timing)), series, trade, timing, start)


def h3_event_cell(panel_path: str, series: str, kind: str, start: int) -> list[HypothesisResult]:
    from polecon.hypotheses.h3_substitution import h3_columns, h3_event_study

    panel = _read(panel_path, h3_columns(series))
    return h3_event_study(panel, series, kind, start)


def adoption_cell(
    panel_path: str, start: int, series: str, roles: str, model: str, timing: str = "signed"
) -> list[HypothesisResult]:
    from polecon.hypotheses.adoption_tests import adoption_columns, adoption_hypotheses

    cols = adoption_columns(series)
    if roles != "stocks" or series != "wb":
        cols += ["i_is_rich", "i_is_destination"]
    if model not in ("logit", "cloglog") or timing != "signed":  # not estimable: no panel read
        return adoption_hypotheses(pd.DataFrame(), start, series, roles, model, timing)
    return adoption_hypotheses(_read(panel_path, cols), start, series, roles, model)


def h5_cell(period: tuple[int, int] | None) -> list[HypothesisResult]:
    from polecon.hypotheses.h5_weaker import h5, load_codings

    return h5(load_codings(), period)


def _one_at_a_time(base: dict[str, object], options: dict[str, Sequence[object]]) -> list[dict]:
    """The base cell, then each option varied alone (a robustness table's columns)."""
    cells = [dict(base)]
    for key, values in options.items():
        cells += [{**base, key: v} for v in values if v != base[key]]
    return cells


def grid_tasks(name: str, panel_path: str | Path) -> list[Task]:
    """Tasks of one robustness grid: ``"H1a"``, ``"H3"``, ``"adoption"`` or ``"H5"``."""
    p = str(panel_path)
    if name == "H1a":
        return [
            Task.of("polecon.hypotheses.grids:h1a_cell", panel_path=p, **c)
            for c in product({"series": SERIES, "start": STARTS})
        ]
    if name == "H3":
        cells = (
            product({"series": SERIES, "start": STARTS})
            + _one_at_a_time(
                {"series": "wb", "start": 1946, "trade": "pta", "timing": "in_force"},
                {"trade": ("bfta",), "timing": ("signed",)},
            )[1:]
        )
        return [
            Task.of(
                "polecon.hypotheses.grids:h3_cell",
                panel_path=p,
                **{"trade": "pta", "timing": "in_force", **c},
            )
            for c in cells
        ]
    if name == "adoption":
        cells = _one_at_a_time(
            {
                "start": 1946,
                "series": "wb",
                "roles": "stocks",
                "model": "logit",
                "timing": "signed",
            },
            {
                "model": ("cloglog", "cox"),
                "timing": ("in_force",),
                "roles": ("gdppc",),
                "series": SERIES,
                "start": STARTS,
            },
        )
        return [Task.of("polecon.hypotheses.grids:adoption_cell", panel_path=p, **c) for c in cells]
    if name == "H5":
        return [
            Task.of("polecon.hypotheses.grids:h5_cell", period=per) for per in (None, (1989, 2007))
        ]
    raise KeyError(f"unknown grid {name!r}; known: H1a, H3, adoption, H5")


GRIDS: tuple[str, ...] = ("H1a", "H3", "adoption", "H5")


@functools.lru_cache(maxsize=4)
def headline(panel_path: str) -> tuple[HypothesisResult, ...]:
    """The default specification of every hypothesis (cached per process)."""
    d = DEFAULTS
    out: list[HypothesisResult] = []
    out += h1a_cell(panel_path, str(d["series"]), int(d["start"]), by_decade=True)  # type: ignore[arg-type]
    out += adoption_cell(panel_path, 1946, "wb", "stocks", "logit")
    for s in SERIES:
        out += h3_cell(panel_path, s, "pta", "in_force", 1946)
    out += h3_event_cell(panel_path, "wb", "blma", 1946)
    out += h3_event_cell(panel_path, "wb", "pta", 1946)
    out += h5_cell(None) + h5_cell((1989, 2007))
    return tuple(out)
