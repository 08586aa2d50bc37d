"""Benchmark: build the full default panel from a warm source cache, then read it back.

Each measurement runs in a fresh Python process; the script prints wall time and the child's
peak RSS (ru_maxrss). The source tables are warmed first (built into the Parquet cache) so that
the build measures the panel, not the parsers.

    python benchmarks/panel_bench.py [--start 1946 --end 2020 --system cow]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

WARM = """
import polecon.sources as s
for name in ("agreements", "trade_flows", "migration_stocks", "gravity_pairs", "country_year"):
    s.load(name)
"""

BUILD = """
import json, resource, sys, time
from polecon.panel import build_panel, write_panel
t0 = time.perf_counter()
panel = build_panel(start={start}, end={end}, system="{system}")
write_panel(panel, sys.argv[1])
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"wall_s": wall, "peak_rss_mb": rss, "rows": len(panel), "cols": panel.shape[1]}}))
"""

READ = """
import json, resource, sys, time
import pandas as pd
t0 = time.perf_counter()
panel = pd.read_parquet(sys.argv[1])
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall_s": wall, "peak_rss_mb": rss, "rows": len(panel)}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark child failed with exit code {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=1946)
    parser.add_argument("--end", type=int, default=2020)
    parser.add_argument("--system", default="cow", choices=["cow", "gw"])
    args = parser.parse_args()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", WARM], check=True)
    print(f"warm-up of the source cache: {time.perf_counter() - t0:.1f}s")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "panel.parquet")
        built = run(BUILD.format(start=args.start, end=args.end, system=args.system), path)
        print(
            f"build: {built['wall_s']:.2f} s wall, peak RSS {built['peak_rss_mb']:.0f} MB, "
            f"{built['rows']:,} rows x {built['cols']} columns"
        )
        read = run(READ, path)
        print(f"read back: {read['wall_s']:.2f} s wall, peak RSS {read['peak_rss_mb']:.0f} MB")
        print(f"file size: {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
