"""Cox benchmark: polecon.cox vs statsmodels PHReg on counting-process (start, stop] data.

Generates (fixed seed) yearly risk-set rows (t-1, t] for ``n_units`` dyads in ``n_clusters``
clusters, at risk from a random start year until their first event or year 75, with
``k`` covariates (a third constant within the unit, the rest time-varying) and a discrete-time
hazard of about 1.3% a year. Default: 80,000 units, 20,000 clusters, 30 covariates: about
3M rows and 40k events. Fits ``event ~ x0 + ... + x29`` with Efron ties and SEs clustered by
cluster (Lin-Wei) with

- polecon on the full data;
- polecon and statsmodels PHReg (``entry = start + 1e-6`` so that its risk sets are (start,
  stop]; ``fit(groups=cluster)`` for the robust covariance) on the same subsample of units
  (default 5%), printed as a wall-time ratio with the largest coefficient and naive-SE
  differences (statsmodels 0.15 returns NaN for the clustered SEs: counted and printed).

Each fit runs in a fresh Python process after one warm-up fit (numba compilation) on a small
slice; wall time is that of the timed fit, peak RSS the child's VmHWM (includes the data).

Usage (from the repository root): ``python benchmarks/cox_bench.py [--n-units 60000] [--k 30]
[--subsample 0.05] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np
import pandas as pd

SEED = 20261205


def generate(n_units: int, n_clusters: int, k: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = 75
    entry = rng.integers(0, 40, n_units)
    unit_x = rng.normal(size=(n_units, k // 3))
    beta = rng.normal(0, 0.15, k)
    base = np.log(0.013)
    # unit-level part of the linear predictor; time-varying columns drawn per row below
    n_max = years - entry
    idx = np.repeat(np.arange(n_units), n_max)
    t = np.arange(len(idx)) - np.repeat(np.cumsum(n_max) - n_max, n_max) + entry[idx] + 1
    x = np.empty((len(idx), k))
    x[:, : k // 3] = unit_x[idx]
    x[:, k // 3 :] = rng.normal(size=(len(idx), k - k // 3))
    eta = base + x @ beta
    ev = rng.random(len(idx)) < 1 - np.exp(-np.exp(eta))
    # keep rows up to and including the first event of each unit
    ev_before = np.cumsum(ev) - ev
    first_in_unit = np.repeat(np.cumsum(n_max) - n_max, n_max)
    seen = ev_before - np.concatenate([[0], np.cumsum(ev)])[first_in_unit]
    keep = seen == 0
    d = pd.DataFrame(x[keep], columns=[f"x{j}" for j in range(k)])
    d["unit"] = idx[keep]
    d["cluster"] = idx[keep] % n_clusters
    d["start"] = (t[keep] - 1).astype(float)
    d["stop"] = t[keep].astype(float)
    d["event"] = ev[keep].astype(np.int8)
    return d


def subsample(d: pd.DataFrame, share: float) -> pd.DataFrame:
    units = d["unit"].unique()
    rng = np.random.default_rng(SEED + 1)
    pick = rng.choice(units, int(len(units) * share), replace=False)
    return d[d["unit"].isin(pick)].reset_index(drop=True)


def peak_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(engine: str, args: argparse.Namespace) -> dict:
    d = generate(args.n_units, args.n_clusters, args.k)
    if engine != "polecon_full":
        d = subsample(d, args.subsample)
    xs = [f"x{j}" for j in range(args.k)]
    if engine.startswith("polecon"):
        from polecon.models.survival import cox

        formula = "event ~ " + " + ".join(xs)
        kw = dict(start="start", stop="stop", ties="efron", cluster="cluster")
        cox(formula, d.iloc[:20000], **kw)  # warm-up (numba compilation)
        t0 = time.perf_counter()
        fit = cox(formula, d, **kw)
        wall = time.perf_counter() - t0
        params, bse = fit.params.to_numpy(), fit.bse.to_numpy()
        naive = np.sqrt(np.diag(fit.vcov_naive.to_numpy()))
    else:
        from statsmodels.duration.hazard_regression import PHReg

        def run(dd: pd.DataFrame):
            m = PHReg(
                dd["stop"], dd[xs], status=dd["event"], entry=dd["start"] + 1e-6, ties="efron"
            )
            return m, m.fit(groups=dd["cluster"].to_numpy())

        run(d.iloc[:20000])
        t0 = time.perf_counter()
        model, res = run(d)
        wall = time.perf_counter() - t0
        params, bse = np.asarray(res.params), np.asarray(res.bse)
        naive = np.sqrt(np.diag(np.linalg.inv(-model.hessian(params))))  # untimed
    return {
        "engine": engine,
        "rows": len(d),
        "events": int(d["event"].sum()),
        "clusters": int(d["cluster"].nunique()),
        "wall_s": wall,
        "peak_rss_mb": peak_rss_mb(),
        "params": params.tolist(),
        "bse": bse.tolist(),
        "bse_naive": naive.tolist(),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-units", type=int, default=80_000)
    p.add_argument("--n-clusters", type=int, default=20_000)
    p.add_argument("--k", type=int, default=30)
    p.add_argument("--subsample", type=float, default=0.05)
    p.add_argument("--only", choices=["polecon_full", "polecon_sub", "statsmodels_sub"])
    p.add_argument("--json")
    args = p.parse_args()
    if args.only:
        print(json.dumps(child(args.only, args)))
        return
    out = {}
    for engine in ("polecon_full", "polecon_sub", "statsmodels_sub"):
        cmd = [sys.executable, __file__, "--only", engine] + [
            f"--{n}={getattr(args, n.replace('-', '_'))}"
            for n in ("n-units", "n-clusters", "k", "subsample")
        ]
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        out[engine] = r
        print(
            f"{engine:16s} rows={r['rows']:>9,} events={r['events']:>7,} "
            f"clusters={r['clusters']:>6,} wall={r['wall_s']:8.2f}s peak_rss={r['peak_rss_mb']:7.0f} MB"
        )
    a, b = out["polecon_sub"], out["statsmodels_sub"]
    ratio = a["wall_s"] / b["wall_s"]
    dcoef = np.max(np.abs(np.subtract(a["params"], b["params"])))
    dse = np.max(np.abs(np.subtract(a["bse_naive"], b["bse_naive"])) / np.asarray(b["bse_naive"]))
    n_nan = int(np.isnan(b["bse"]).sum())
    print(f"subsample: polecon / statsmodels wall time = {ratio:.4f} ({1 / ratio:.1f}x faster)")
    print(f"subsample: max |coef diff| = {dcoef:.2e}, max relative naive-SE diff = {dse:.2e}")
    print(f"subsample: statsmodels robust SEs that are NaN: {n_nan} of {len(b['bse'])}")
    rob = np.abs(np.subtract(a["bse"], b["bse"])) / np.asarray(b["bse"])
    print(
        f"subsample: max relative robust-SE diff = {np.nanmax(rob) if n_nan < len(rob) else np.nan:.2e}"
        " (PHReg's Efron robust SE uses Breslow-type score residuals; equal for ties='breslow')"
    )
    out["ratio_sub"] = ratio
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
