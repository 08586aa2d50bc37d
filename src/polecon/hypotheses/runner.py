"""One runner for robustness grids and other batches, on any ``concurrent.futures.Executor``.

>>> from polecon.hypotheses import runner                         # doctest: +SKIP
>>> tasks = runner.grid_tasks("H3", panel_path)                    # doctest: +SKIP
>>> results = runner.run(tasks)                  # local process pool   # doctest: +SKIP
>>> from distributed import Client                                 # doctest: +SKIP
>>> results = runner.run(tasks, Client().get_executor())           # doctest: +SKIP

A task names its function by import path (``"module:function"``) and carries keyword arguments,
so it pickles to any worker (a process pool or a Dask cluster). Results come back in task order
and do not depend on the executor: every random draw is seeded from the task's parameters.
Without an executor, :func:`run` uses a Dask client if ``POLECON_DASK_SCHEDULER`` names a
scheduler address, else a local process pool (``spawn``; one worker per core).
"""

from __future__ import annotations

import importlib
import itertools
import multiprocessing
import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

DASK_ENV = "POLECON_DASK_SCHEDULER"


@dataclass(frozen=True)
class Task:
    """``function`` ("package.module:name") called with ``kwargs``."""

    function: str
    kwargs: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, function: str, **kwargs: Any) -> Task:
        return cls(function, tuple(sorted(kwargs.items())))

    def __call__(self) -> Any:
        return call(self.function, dict(self.kwargs))


def call(function: str, kwargs: Mapping[str, Any]) -> Any:
    """Import ``function`` ("module:name") and call it (the unit of work sent to workers)."""
    module, _, name = function.partition(":")
    if not name:
        raise ValueError(f"task function must be 'module:name', got {function!r}")
    return getattr(importlib.import_module(module), name)(**kwargs)


class SerialExecutor(Executor):
    """Runs each task when submitted, in the calling process (the reference run)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        from concurrent.futures import Future

        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - delivered through the future
            fut.set_exception(e)
        return fut


def process_pool(max_workers: int | None = None) -> ProcessPoolExecutor:
    """A local process pool (``spawn``, so no forked numba/BLAS threads)."""
    return ProcessPoolExecutor(
        max_workers=max_workers or os.cpu_count() or 1,
        mp_context=multiprocessing.get_context("spawn"),
    )


def dask_executor(address: str | None = None) -> Executor:
    """The executor of a Dask ``distributed`` client (``address`` or ``$POLECON_DASK_SCHEDULER``)."""
    from distributed import Client

    address = address or os.environ.get(DASK_ENV)
    if not address:
        raise ValueError(f"no Dask scheduler: pass an address or set {DASK_ENV}")
    return Client(address).get_executor()


def run(tasks: Sequence[Task], executor: Executor | None = None) -> list[Any]:
    """Run ``tasks`` on ``executor`` (default: Dask if ``$POLECON_DASK_SCHEDULER``, else a
    local process pool) and return their results in task order."""
    if executor is not None:
        futures = [executor.submit(call, t.function, dict(t.kwargs)) for t in tasks]
        return [f.result() for f in futures]
    if os.environ.get(DASK_ENV):
        return run(tasks, dask_executor())
    with process_pool() as pool:
        return run(tasks, pool)


def product(grid: Mapping[str, Iterable[Any]]) -> list[dict[str, Any]]:
    """Every combination of the grid's values, in a fixed order (keys as given)."""
    keys = list(grid)
    return [dict(zip(keys, vals, strict=True)) for vals in itertools.product(*grid.values())]
