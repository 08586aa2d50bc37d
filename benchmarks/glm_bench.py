"""Logit benchmark: polecon vs pyfixest ``feglm`` with pair and year fixed effects.

Generates (fixed seed) a pair-year panel of ``n_pairs x n_years`` rows (default 20,000 x 150 =
3,000,000) with ``k`` covariates (default 10: normal, a pair-level component in half of them,
two 0/1 indicators), pair and year effects and a logit outcome (about 10% ones), and fits

    y ~ x0 + ... + x{k-1} | pair + year       (logit, SEs clustered by pair)

with ``polecon.models.glm.logit`` and ``pyfixest.feglm(family="logit")``, both with the
fixed-effect projections at 1e-8. As ``ppml_bench.py``: each engine runs in a fresh process
(one warm-up fit, then the timed fit); the script prints wall times, their ratio, both peak RSS
values (VmHWM, including data loading and the warm-up) and the largest coefficient difference.

Usage (from the repository root):

    .venv/bin/python benchmarks/glm_bench.py                  # both engines, default size
    .venv/bin/python benchmarks/glm_bench.py --n-pairs 2000   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ppml_bench import _peak_rss_mb  # noqa: E402

SEED = 20261205
GENERATOR_VERSION = 1


def formula(k: int) -> str:
    return "y ~ " + " + ".join(f"x{j}" for j in range(k)) + " | pair + year"


def generate(n_pairs: int, n_years: int, k: int, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_pairs * n_years
    pair = np.repeat(np.arange(n_pairs, dtype=np.int32), n_years)
    year = np.tile(np.arange(n_years, dtype=np.int32), n_pairs)
    a = rng.normal(0.0, 1.0, n_pairs)
    g = rng.normal(0.0, 0.3, n_years)
    cols = {"pair": pair, "year": year}
    eta = a[pair] + g[year] - 2.6
    beta = np.linspace(-0.3, 0.3, k)
    for j in range(k):
        if j < 2:
            x = (rng.uniform(size=n) < 0.2).astype(np.float64)
        elif j % 2:
            x = rng.normal(size=n) + 0.5 * rng.normal(size=n_pairs)[pair]
        else:
            x = rng.normal(size=n)
        cols[f"x{j}"] = x
        eta += beta[j] * x
    cols["y"] = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.float64)
    return pd.DataFrame(cols)


def ensure_data(n_pairs: int, n_years: int, k: int) -> Path:
    root = Path(
        os.environ.get("POLECON_BENCH_CACHE", Path(tempfile.gettempdir()) / "polecon_bench")
    )
    path = root / f"logit_p{n_pairs}_t{n_years}_k{k}_s{SEED}_v{GENERATOR_VERSION}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        generate(n_pairs, n_years, k).to_parquet(tmp, index=False)
        os.replace(tmp, path)
    return path


def _fit(engine: str, df: pd.DataFrame, k: int) -> tuple[list[float], list[float], int]:
    vcov = {"CRV1": "pair"}
    if engine == "polecon":
        from polecon.models.glm import logit

        r = logit(formula(k), df, vcov=vcov, ssc="fixest")
        return r.params.tolist(), r.bse.tolist(), int(r.nobs)
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = pf.feglm(formula(k), df, family="logit", vcov=vcov, fixef_tol=1e-8)
    return r.coef().tolist(), r.se().tolist(), int(r._N)


def worker(engine: str, data: Path, k: int, warmup: bool) -> dict[str, object]:
    df = pd.read_parquet(data)
    if warmup:
        _fit(engine, df, k)
    t0 = time.perf_counter()
    coef, se, nobs = _fit(engine, df, k)
    wall = time.perf_counter() - t0
    return {
        "engine": engine,
        "wall_s": wall,
        "peak_rss_mb": _peak_rss_mb(),
        "coef": coef,
        "se": se,
        "nobs": nobs,
    }


def run_child(engine: str, data: Path, k: int, warmup: bool) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--worker", engine, "--data", str(data), "--k", str(k)]
    if not warmup:
        cmd.append("--no-warmup")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} worker failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-pairs", type=int, default=20_000)
    ap.add_argument("--n-years", type=int, default=150)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--only", choices=("polecon", "pyfixest"))
    ap.add_argument("--no-warmup", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--worker", choices=("polecon", "pyfixest"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.k, not args.no_warmup)))
        return 0
    data = ensure_data(args.n_pairs, args.n_years, args.k)
    y = pd.read_parquet(data, columns=["y"])["y"].to_numpy()
    print(f"data: {data} ({y.size:,} rows, {y.mean():.1%} ones)")
    print(f"model: {formula(args.k)}, logit, vcov CRV1 by pair; warm-up: {not args.no_warmup}")
    results: dict[str, object] = {}
    for engine in [args.only] if args.only else ["polecon", "pyfixest"]:
        r = run_child(engine, data, args.k, not args.no_warmup)
        results[engine] = r
        print(
            f"{engine:9s} wall {r['wall_s']:7.2f} s   peak RSS {r['peak_rss_mb'] / 1024:6.2f} GB   "
            f"N {r['nobs']:,}   x0 {r['coef'][0]:.6f} (SE {r['se'][0]:.6f})"
        )
    if len(results) == 2:
        a, b = results["polecon"], results["pyfixest"]
        ratio = a["wall_s"] / b["wall_s"]
        dcoef = float(np.max(np.abs(np.subtract(a["coef"], b["coef"]))))
        dse = float(np.max(np.abs(np.divide(a["se"], b["se"]) - 1)))
        print(
            f"ratio polecon/pyfixest wall time: {ratio:.3f}; max |coef diff| {dcoef:.2e}; "
            f"max SE rel. diff {dse:.2e}"
        )
        results["ratio"] = ratio
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
