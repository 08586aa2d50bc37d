"""H1a on generated pairs (known answer, perturbation flips the verdict) and the runner:
serial == process pool == Dask LocalCluster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from polecon.hypotheses import runner
from polecon.hypotheses.h1_reciprocity import cluster_bootstrap_mean, h1a, paired_frame
from polecon.hypotheses.result import to_frame


def world(n: int = 30, years: tuple[int, ...] = (1990, 2000), seed: int = 1) -> pd.DataFrame:
    """Directed panel: balanced trade (both ways ~ equal), one-way migration (j -> i small)."""
    rng = np.random.default_rng(seed)
    codes = [f"C{k:02d}" for k in range(n)]
    rows = []
    for y in years:
        for a in codes:
            for b in codes:
                if a == b:
                    continue
                rows.append((a, b, y))
    d = pd.DataFrame(rows, columns=["i", "j", "year"])
    key = d["i"] < d["j"]
    base = rng.uniform(100, 200, len(d))
    d["exports_ij"] = base
    d["exports_ji"] = base * rng.uniform(0.8, 1.2, len(d))
    d["migrants_ij_wb"] = np.where(key, 1000.0, 10.0) * rng.uniform(0.5, 1.5, len(d))
    d["migrants_ji_wb"] = np.where(key, 10.0, 1000.0) * rng.uniform(0.5, 1.5, len(d))
    gdp = dict(zip(codes, np.geomspace(500, 50_000, n), strict=True))
    d["gdppc_real_i"] = d["i"].map(gdp)
    d["gdppc_real_j"] = d["j"].map(gdp)
    return d


def test_bootstrap_matches_resampling_by_hand() -> None:
    vals = np.arange(12, dtype=float)
    cl = np.repeat(np.arange(4), 3)
    se, lo, hi = cluster_bootstrap_mean(vals, cl, 200, (5, 7), 0.1)
    rng = np.random.default_rng([5, 7])
    draws = []
    for _ in range(200):
        pick = rng.integers(0, 4, size=4)
        draws.append(np.concatenate([vals[cl == g] for g in pick]).mean())
    assert se == pytest.approx(np.std(draws, ddof=1), rel=1e-12)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(draws, [0.05, 0.95])), rel=1e-12)


def test_h1a_supported_then_flipped_by_swapping_flows() -> None:
    d = world()
    res = h1a(d, "wb", n_boot=199)
    assert res[0].label == "overall" and res[0].verdict == "supported"
    assert res[0].nobs == 2 * 30 * 29 // 2
    # perturbation: trade becomes the one-way flow and migration the balanced one
    swapped = d.rename(
        columns={
            "exports_ij": "migrants_ij_wb",
            "exports_ji": "migrants_ji_wb",
            "migrants_ij_wb": "exports_ij",
            "migrants_ji_wb": "exports_ji",
        }
    )
    flipped = h1a(swapped, "wb", n_boot=199)
    assert flipped[0].verdict == "contradicted"
    assert flipped[0].estimate == pytest.approx(-res[0].estimate, abs=1e-12)


def test_h1a_paired_frame_uses_each_pair_once() -> None:
    fr = paired_frame(world(n=5), "wb")
    assert len(fr) == 2 * 10
    assert fr["pair"].str.split("-").map(lambda p: p[0] < p[1]).all()


def test_h1a_bad_series() -> None:
    with pytest.raises(ValueError, match="unknown migration series"):
        paired_frame(world(n=3), "census")


def _tasks() -> list[runner.Task]:
    d = world(n=12)
    return [
        runner.Task.of(
            "polecon.hypotheses.h1_reciprocity:h1a", panel=d, series="wb", start=s, n_boot=99
        )
        for s in (1946, 1995)
    ]


def _frame(results: list) -> pd.DataFrame:
    return to_frame([r for cell in results for r in cell])


@pytest.mark.slow
def test_runner_serial_pool_dask_identical() -> None:
    distributed = pytest.importorskip("distributed")  # a peer library, installed by [test]
    tasks = _tasks()
    serial = _frame(runner.run(tasks, runner.SerialExecutor()))
    with runner.process_pool(2) as pool:
        pooled = _frame(runner.run(tasks, pool))
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        dask = _frame(runner.run(tasks, client.get_executor()))
    pd.testing.assert_frame_equal(serial, pooled)
    pd.testing.assert_frame_equal(serial, dask)
    assert len(serial) == 4 + 3  # overall, rich_poor, decades (1990s and 2000s; 2000s only)


def test_runner_rejects_bad_function_name() -> None:
    with pytest.raises(ValueError, match="module:name"):
        runner.call("polecon.hypotheses.h1_reciprocity.h1a", {})
    with pytest.raises(ValueError, match="POLECON_DASK_SCHEDULER"):
        runner.dask_executor("")
