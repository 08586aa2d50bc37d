"""Interruption: SIGKILL at many moments never leaves a partial file, and the next run heals.

``polecon panel build`` (a short span, source tables pre-built in a private cache) is killed at
``POLECON_KILLS`` moments (default 20) spread evenly over an uninterrupted run's duration. Before
each killed run the output holds an *old* complete file and the panel cache is empty. After each
kill, every visible file holds old complete bytes or the new complete bytes of an uninterrupted
run (the output, its data dictionary, the cached panel, the source tables); then the next run
completes and writes exactly the uninterrupted run's bytes, and no temporary file of a killed
writer is left beside what it rewrote.

``polecon replicate`` is killed likewise during its first stages (fetching and verifying every
registered file into an empty cache, then the countries and sources stages): each cached raw file
must verify by sha256, each report is old or new, and the next run of those stages writes the
uninterrupted run's reports.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import polecon
from polecon import registry
from polecon.panel.cache import INPUT_TABLES
from polecon.sources import TABLE_MODULES, load, table_spec
from polecon.sources._base import _cache_key
from polecon.sources._base import cache_dir as tables_dir

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

KILLS = int(os.environ.get("POLECON_KILLS", "20"))
REPLICATE_KILLS = int(os.environ.get("POLECON_REPLICATE_KILLS", "3"))
SPAN = ("--start", "2013", "--end", "2014")
SRC = str(Path(polecon.__file__).resolve().parents[1])
OLD_MD = "old data dictionary\n"


def env_for(cache: Path) -> dict[str, str]:
    """The environment of a CLI subprocess: this checkout's polecon, a private cache, offline."""
    path = os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**os.environ, "POLECON_CACHE": str(cache), "POLECON_OFFLINE": "1", "PYTHONPATH": path}


def warm_tables(cache: Path, names: tuple[str, ...]) -> None:
    """Put the current-code tables ``names`` into ``cache``: copied from the session's cache
    when there, else built (raw files from the mirror)."""
    user = tables_dir()
    mp = pytest.MonkeyPatch()
    mp.setenv("POLECON_CACHE", str(cache))
    try:
        for name in names:
            spec = table_spec(name)
            stem = f"{name}-{_cache_key(spec, dict(spec.default_options))}"
            for suffix in (".parquet", ".log.json"):
                if (user / f"{stem}{suffix}").is_file():
                    (cache / "tables").mkdir(parents=True, exist_ok=True)
                    shutil.copy2(user / f"{stem}{suffix}", cache / "tables" / f"{stem}{suffix}")
            load(name)
    finally:
        mp.undo()


def visible_files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def temporaries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob(".*") if p.is_file())


def kill_at(cmd: list[str], env: dict[str, str], seconds: float, cwd: Path) -> int:
    """Start ``cmd``, SIGKILL it after ``seconds`` (if still running); its return code."""
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    res = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    return time.perf_counter() - started


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("warm-cache")
    warm_tables(cache, INPUT_TABLES)
    return cache


def test_killed_panel_builds_leave_old_or_new_files(warm: Path, tmp_path: Path) -> None:
    panel_cmd = [sys.executable, "-m", "polecon", "panel", "build", *SPAN, "--out"]

    # the uninterrupted run
    ref_cache = tmp_path / "ref-cache"
    shutil.copytree(warm, ref_cache)
    ref_out = tmp_path / "ref" / "panel.parquet"
    duration = run([*panel_cmd, str(ref_out)], env_for(ref_cache), tmp_path)
    ref = {"out": ref_out.read_bytes(), "md": ref_out.with_suffix(".md").read_bytes()}
    ref_cache_files = visible_files(ref_cache)
    panels = {k: v for k, v in ref_cache_files.items() if k.startswith("panels/")}
    # the cached panel, its dictionary and its build parameters (panel/cache.py)
    assert sorted(Path(k).suffix for k in panels) == [".json", ".md", ".parquet"], sorted(panels)

    cache = tmp_path / "cache"
    shutil.copytree(warm, cache)
    out = tmp_path / "out" / "panel.parquet"
    out.parent.mkdir()
    old = pd.DataFrame({"old": [1, 2]})
    states: list[str] = []
    for k in range(KILLS):
        shutil.rmtree(cache / "panels", ignore_errors=True)
        old.to_parquet(out)
        old_bytes = out.read_bytes()
        out.with_suffix(".md").write_text(OLD_MD)
        moment = duration * (k + 0.5) / KILLS
        kill_at([*panel_cmd, str(out)], env_for(cache), moment, tmp_path)

        got = out.read_bytes()
        assert got in (old_bytes, ref["out"]), f"kill {k} at {moment:.1f}s: partial output"
        assert out.with_suffix(".md").read_bytes() in (OLD_MD.encode(), ref["md"]), k
        now = visible_files(cache)
        for name, data in now.items():
            expected = ref_cache_files.get(name)  # what an uninterrupted run leaves
            assert expected is not None, f"kill {k}: unexpected cache file {name}"
            assert data == expected, f"kill {k} at {moment:.1f}s: partial cache file {name}"
        states.append("new" if got == ref["out"] else "old")

        run([*panel_cmd, str(out)], env_for(cache), tmp_path)
        assert out.read_bytes() == ref["out"] and out.with_suffix(".md").read_bytes() == ref["md"]
        assert visible_files(cache) == ref_cache_files
        assert temporaries(out.parent) == [], k
        assert temporaries(cache / "panels") == [], k
    assert len(states) == KILLS
    print(f"panel build: {KILLS} kills over {duration:.1f}s; outputs after kill: {states}")


def test_killed_replicate_leaves_verified_cache_and_whole_reports(
    warm: Path, tmp_path: Path
) -> None:
    """Kill ``polecon replicate`` during its data, countries and sources stages."""
    warm_tables(warm, tuple(TABLE_MODULES))
    tables = {k: v for k, v in visible_files(warm).items() if k.startswith("tables/")}
    stages = (
        "from pathlib import Path; import sys; from polecon import registry, sources; "
        "from polecon.sources import coverage; "
        "r = Path(sys.argv[1]); registry.replicate_stage(r); coverage.replicate_stage(r); "
        "sources.replicate_stage(r)"
    )

    def fresh_cache(name: str) -> Path:
        cache = tmp_path / name
        (cache / "tables").mkdir(parents=True)
        for k in tables:
            shutil.copy2(warm / k, cache / k)
        return cache

    ref_reports = tmp_path / "ref-reports"
    ref_cache = fresh_cache("ref-cache")
    duration = run([sys.executable, "-c", stages, str(ref_reports)], env_for(ref_cache), tmp_path)
    ref = visible_files(ref_reports)
    assert ref, "the stages wrote no report"

    cache = fresh_cache("cache")
    reports = tmp_path / "reports"
    reports.mkdir()
    for k in range(REPLICATE_KILLS):
        for p in cache.iterdir():  # an empty raw-file cache: the data stage copies every file
            if p.name != "tables":
                shutil.rmtree(p)
        for name in ref:
            (reports / name).parent.mkdir(parents=True, exist_ok=True)
            (reports / name).write_text("old report\n")
        moment = duration * (k + 0.5) / REPLICATE_KILLS
        cmd = [sys.executable, "-m", "polecon", "replicate", "--reports-dir", str(reports)]
        kill_at(cmd, env_for(cache), moment, tmp_path)
        for name, data in visible_files(reports).items():
            assert data in (b"old report\n", ref.get(name)), f"kill {k}: partial report {name}"
        for name, data in visible_files(cache).items():
            if name.startswith("tables/"):
                assert data == tables[name], f"kill {k}: table {name} changed"
            elif not name.startswith("panels/"):
                e = registry.entry(name)
                assert len(data) == e.size and registry.sha256_of(cache / name) == e.sha256, name
        run([sys.executable, "-c", stages, str(reports)], env_for(cache), tmp_path)
        assert visible_files(reports) == ref
        assert not [p for p in temporaries(cache) if p.parent.name != "panels"], k
