"""Benchmark: load every canonical source table from a warm Parquet cache.

The tables are built (or found) in the cache first; then a fresh Python process loads them all
and the script prints the wall time per table, the total and the child's peak RSS.

    python benchmarks/sources_bench.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

WARM = """
import polecon.sources as s
for name in s.available_tables():
    s.load(name)
"""

TIMED = """
import json, resource, time
import polecon.sources as s
times = {}
t0 = time.perf_counter()
for name in s.available_tables():
    t = time.perf_counter()
    df = s.load(name)
    times[name] = [time.perf_counter() - t, len(df)]
total = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"times": times, "total": total, "rss": rss}))
"""


def main() -> None:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", WARM], check=True)
    print(f"warm-up (build what is not cached): {time.perf_counter() - t0:.1f}s")
    out = subprocess.run([sys.executable, "-c", TIMED], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark child failed with exit code {out.returncode}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    for name, (secs, rows) in res["times"].items():
        print(f"  {name:<20} {secs:6.2f} s  {rows:>12,} rows")
    print(f"all tables from a warm cache: {res['total']:.2f} s wall, peak RSS {res['rss']:.0f} MB")


if __name__ == "__main__":
    main()
