"""Wall time of the hypotheses robustness grids: serial vs a 2-worker Dask LocalCluster.

Runs every grid of :mod:`polecon.hypotheses.grids` through :func:`polecon.hypotheses.runner.run`
twice, in this process (``SerialExecutor``) and on ``LocalCluster(n_workers=2, processes=True,
threads_per_worker=1)``, checks that the results are identical, and prints both times and their
ratio (the cluster's start-up is timed separately). Run from the repository root:

    python benchmarks/hypotheses_grid_bench.py [GRID ...]
"""

from __future__ import annotations

import sys
import time

import pandas as pd


def main(names: list[str]) -> None:
    from distributed import Client, LocalCluster

    from polecon.hypotheses import grids, runner
    from polecon.hypotheses.result import to_frame

    path = grids.pinned_panel()
    names = names or list(grids.GRIDS)
    tasks = [t for n in names for t in grids.grid_tasks(n, path)]

    def flat(results: list) -> pd.DataFrame:
        return to_frame([r for cell in results for r in cell])

    t0 = time.perf_counter()
    serial = flat(runner.run(tasks, runner.SerialExecutor()))
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        t_start = time.perf_counter() - t0
        t1 = time.perf_counter()
        dask = flat(runner.run(tasks, client.get_executor()))
        t_dask = time.perf_counter() - t1
    pd.testing.assert_frame_equal(serial, dask)
    print(f"grids {names}: {len(tasks)} tasks, {len(serial)} results (identical)")
    print(f"serial {t_serial:.1f} s; LocalCluster(2) {t_dask:.1f} s (+ {t_start:.1f} s start-up)")
    print(f"ratio dask / serial = {t_dask / t_serial:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
