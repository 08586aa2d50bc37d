"""PPML benchmark: polecon vs pyfixest on a synthetic directed gravity panel.

Generates (deterministically, fixed seed) a panel of ``n_countries x (n_countries - 1)``
directed pairs over ``n_years`` years (default 200 x 199 x 60 = 2,388,000 rows, about 35% zeros)
with a distance term and an agreement dummy, and fits

    y ~ agree | exp_year + imp_year + pair        (PPML, SEs clustered by pair)

with polecon and with pyfixest. Each fit runs in a fresh Python process, after one warm-up fit
in that process; the script prints both wall times (of the timed fit only), their ratio and both
peak RSS values (VmHWM of the child, which includes data loading and the warm-up).

Usage (from the repository root):

    .venv/bin/python benchmarks/ppml_bench.py                 # both, default size
    .venv/bin/python benchmarks/ppml_bench.py --only polecon  # one engine
    .venv/bin/python benchmarks/ppml_bench.py --n-countries 60 --n-years 20

The data are cached as Parquet under ``$POLECON_BENCH_CACHE`` (default: the system temp
directory, ``polecon_bench/``), keyed by the generation parameters.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA = "y ~ agree | exp_year + imp_year + pair"
SEED = 20260101
TARGET_ZERO_SHARE = 0.35
GENERATOR_VERSION = 1


# --------------------------------------------------------------------------- data


def generate(n_countries: int, n_years: int, seed: int = SEED) -> pd.DataFrame:
    """Directed gravity panel: one row per (exporter, importer != exporter, year).

    Columns: ``exp``, ``imp``, ``year`` (int), ``pair``, ``exp_year``, ``imp_year`` (int32 codes),
    ``ldist`` (log distance), ``agree`` (0/1, staggered entry into agreements, symmetric), ``y``
    (Poisson counts; the intercept is calibrated so that about 35% of the rows are zero).
    """
    rng = np.random.default_rng(seed)
    c, t = n_countries, n_years
    # countries on a plane; log distance between them
    xy = rng.uniform(0.0, 100.0, size=(c, 2))
    exp_i, imp_j = np.nonzero(~np.eye(c, dtype=bool))  # (c*(c-1),) directed pairs
    dist = np.hypot(*(xy[exp_i] - xy[imp_j]).T) + 1.0
    ldist = np.log(dist)
    n_pairs = exp_i.size
    # symmetric agreements: an undirected pair signs in a random year (or never)
    lo, hi = np.minimum(exp_i, imp_j), np.maximum(exp_i, imp_j)
    undirected = lo * c + hi
    sign_year_und = np.where(rng.uniform(size=c * c) < 0.4, rng.integers(1, t, size=c * c), t + 1)
    sign_year = sign_year_und[undirected]
    # fixed effects
    a_exp = rng.normal(0.0, 1.0, size=(c, t)).cumsum(axis=1) * 0.1 + rng.normal(0, 1.0, size=(c, 1))
    a_imp = rng.normal(0.0, 1.0, size=(c, t)).cumsum(axis=1) * 0.1 + rng.normal(0, 1.0, size=(c, 1))
    a_pair = rng.normal(0.0, 1.0, size=n_pairs)
    year = np.repeat(np.arange(t, dtype=np.int64), n_pairs)
    pair = np.tile(np.arange(n_pairs, dtype=np.int64), t)
    e, m = exp_i[pair], imp_j[pair]
    agree = (year >= sign_year[pair]).astype(np.float64)
    eta = a_exp[e, year] + a_imp[m, year] + a_pair[pair] - 1.0 * ldist[pair] + 0.3 * agree
    # calibrate the intercept so that E[share of zeros] = TARGET_ZERO_SHARE
    lo_c, hi_c = -30.0, 30.0
    for _ in range(80):
        mid = 0.5 * (lo_c + hi_c)
        share = float(np.mean(np.exp(-np.exp(eta + mid))))
        lo_c, hi_c = (mid, hi_c) if share > TARGET_ZERO_SHARE else (lo_c, mid)
    mu = np.exp(eta + 0.5 * (lo_c + hi_c))
    y = rng.poisson(mu).astype(np.float64)
    return pd.DataFrame(
        {
            "exp": e.astype(np.int32),
            "imp": m.astype(np.int32),
            "year": year.astype(np.int32),
            "pair": pair.astype(np.int32),
            "exp_year": (e * t + year).astype(np.int32),
            "imp_year": (m * t + year).astype(np.int32),
            "ldist": ldist[pair],
            "agree": agree,
            "y": y,
        }
    )


def cache_path(n_countries: int, n_years: int, seed: int = SEED) -> Path:
    root = Path(
        os.environ.get("POLECON_BENCH_CACHE", Path(tempfile.gettempdir()) / "polecon_bench")
    )
    return root / f"gravity_c{n_countries}_t{n_years}_s{seed}_v{GENERATOR_VERSION}.parquet"


def ensure_data(n_countries: int, n_years: int, seed: int = SEED) -> Path:
    """Generate the panel once and cache it (written atomically)."""
    path = cache_path(n_countries, n_years, seed)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    df = generate(n_countries, n_years, seed)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path


# --------------------------------------------------------------------------- worker


def _peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (VmHWM, else ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _fit(engine: str, df: pd.DataFrame) -> tuple[float, float, int]:
    vcov = {"CRV1": "pair"}
    if engine == "polecon":
        import polecon

        res = polecon.ppml(FORMULA, df, vcov=vcov)
        return float(res.params["agree"]), float(res.bse["agree"]), int(res.nobs)
    import pyfixest as pf

    res = pf.fepois(FORMULA, df, vcov=vcov)
    return float(res.coef()["agree"]), float(res.se()["agree"]), int(res._N)


def worker(engine: str, data: Path, warmup: bool) -> dict[str, float | int | str]:
    df = pd.read_parquet(data)
    if warmup:
        _fit(engine, df)
    t0 = time.perf_counter()
    coef, se, nobs = _fit(engine, df)
    wall = time.perf_counter() - t0
    return {
        "engine": engine,
        "wall_s": wall,
        "peak_rss_mb": _peak_rss_mb(),
        "coef": coef,
        "se": se,
        "nobs": nobs,
    }


def run_child(engine: str, data: Path, warmup: bool) -> dict[str, float | int | str]:
    cmd = [sys.executable, __file__, "--worker", engine, "--data", str(data)]
    if not warmup:
        cmd.append("--no-warmup")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} worker failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-countries", type=int, default=200)
    ap.add_argument("--n-years", type=int, default=60)
    ap.add_argument("--only", choices=("polecon", "pyfixest"))
    ap.add_argument("--no-warmup", action="store_true", help="skip the warm-up fit")
    ap.add_argument("--json", type=Path, help="also write the results as JSON here")
    ap.add_argument("--worker", choices=("polecon", "pyfixest"), help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.data, not args.no_warmup)))
        return 0

    t0 = time.perf_counter()
    data = ensure_data(args.n_countries, args.n_years)
    df = pd.read_parquet(data, columns=["y"])
    print(
        f"data: {data} ({len(df):,} rows, {np.mean(df['y'].to_numpy() == 0):.1%} zeros; "
        f"ready in {time.perf_counter() - t0:.1f} s)"
    )
    print(
        f"model: {FORMULA}, vcov CRV1 by pair; one warm-up fit per fresh process: {not args.no_warmup}"
    )
    engines = [args.only] if args.only else ["polecon", "pyfixest"]
    results = {}
    for engine in engines:
        r = run_child(engine, data, not args.no_warmup)
        results[engine] = r
        print(
            f"{engine:9s} wall {r['wall_s']:7.2f} s   peak RSS {r['peak_rss_mb'] / 1024:6.2f} GB   "
            f"agree {r['coef']:.6f} (SE {r['se']:.6f})   N {r['nobs']:,}"
        )
    if len(results) == 2:
        ratio = results["polecon"]["wall_s"] / results["pyfixest"]["wall_s"]
        print(f"ratio polecon/pyfixest wall time: {ratio:.3f}")
        results["ratio"] = ratio
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
