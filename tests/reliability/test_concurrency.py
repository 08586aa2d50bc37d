"""Concurrency and determinism of the pipeline's command line.

- Two ``polecon replicate --only sources,panel,gravity`` processes share one cache (an empty
  raw-file cache, the source tables pre-built) and run at the same time, in different working
  folders, with different ``PYTHONHASHSEED`` and numba thread counts: both finish, their report
  folders are byte-identical to each other and to a run made alone, and the shared cache holds no
  temporary and no corrupted entry (every raw file has its registered sha256, the panel build
  equals the lone run's).
- Two ``polecon panel build`` runs in different folders and environments give byte-identical
  Parquet files and data dictionaries.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from polecon import registry
from polecon.sources._base import TABLE_MODULES

# the subprocess and cache helpers of the interruption tests (pytest imports test modules by
# path, so they are loaded the same way)
_spec = importlib.util.spec_from_file_location(
    "_kill_helpers", Path(__file__).with_name("test_kill.py")
)
assert _spec is not None and _spec.loader is not None
_kill = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_kill)
env_for, run, temporaries = _kill.env_for, _kill.run, _kill.temporaries
visible_files, warm_tables = _kill.visible_files, _kill.warm_tables

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

STAGES = "sources,panel,gravity"


def _env(cache: Path, seed: str, threads: str) -> dict[str, str]:
    return {**env_for(cache), "PYTHONHASHSEED": seed, "NUMBA_NUM_THREADS": threads}


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("tables-cache")
    warm_tables(cache, tuple(TABLE_MODULES))
    for p in cache.iterdir():  # keep the tables only: the raw files are fetched again
        if p.name != "tables":
            shutil.rmtree(p)
    return cache


def _replicate(reports: Path) -> list[str]:
    return [sys.executable, "-m", "polecon", "replicate", "--only", STAGES, "--reports-dir",
            str(reports)]  # fmt: skip


def test_two_replicates_share_one_cache(tables: Path, tmp_path: Path) -> None:
    alone_cache = tmp_path / "alone-cache"
    shutil.copytree(tables, alone_cache)
    (tmp_path / "w0").mkdir()
    run(_replicate(tmp_path / "alone"), _env(alone_cache, "0", "1"), tmp_path / "w0")
    alone = visible_files(tmp_path / "alone")
    assert alone, "the stages wrote no report"

    shared = tmp_path / "shared-cache"
    shutil.copytree(tables, shared)
    procs = []
    for k, (seed, threads) in enumerate((("1", "2"), ("12345", "1"))):
        cwd = tmp_path / f"w{k + 1}"
        cwd.mkdir()
        procs.append(
            subprocess.Popen(
                _replicate(tmp_path / f"reports{k}"),
                env=_env(shared, seed, threads),
                cwd=cwd,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    for p in procs:
        out, _ = p.communicate(timeout=1200)
        assert p.returncode == 0, out[-3000:]
    for k in range(2):
        assert visible_files(tmp_path / f"reports{k}") == alone, k
    assert temporaries(shared) == []
    files = visible_files(shared)
    for name, data in files.items():
        if name.startswith(("tables/", "panels/")):
            continue
        assert hashlib.sha256(data).hexdigest() == registry.entry(name).sha256, name
    panels = {k: v for k, v in files.items() if k.startswith("panels/")}
    assert panels == {
        k: v for k, v in visible_files(alone_cache).items() if k.startswith("panels/")
    }


def test_panel_builds_are_byte_identical_across_folders_and_environments(
    tables: Path, tmp_path: Path
) -> None:
    outs = []
    for k, (seed, threads) in enumerate((("0", "1"), ("987", "2"))):
        cache = tmp_path / f"cache{k}"
        shutil.copytree(tables, cache)
        cwd = tmp_path / f"cwd{k}"
        cwd.mkdir()
        out = cwd / "sub" / "panel.parquet"
        out.parent.mkdir()
        cmd = [sys.executable, "-m", "polecon", "panel", "build", "--start", "2000", "--end",
               "2004", "--out", str(out)]  # fmt: skip
        run(cmd, _env(cache, seed, threads), cwd)
        outs.append((out.read_bytes(), out.with_suffix(".md").read_bytes()))
    assert outs[0][0] == outs[1][0]
    assert outs[0][1] == outs[1][1]
