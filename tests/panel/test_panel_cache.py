"""build_panel(cache=True): one way to the panel; polecon cache list|prune."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import polecon
from polecon.cli import app
from polecon.panel import cache

pytestmark = [pytest.mark.realdata, pytest.mark.slow]
SPAN = {"start": 2000, "end": 2001}


@pytest.fixture
def panels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(cache, "panels_dir", lambda: tmp_path)
    return tmp_path


def test_cached_build_is_reused_and_replaces_older_builds(panels: Path) -> None:
    key = cache.cache_key({**cache_params(), **SPAN})
    stale_same_params = panels / f"panel-{key.split('-')[0]}-000000000000.parquet"
    stale_same_params.write_bytes(b"old")
    first = polecon.build_panel(**SPAN, cache=True)
    path = Path(first.attrs["cache_path"])
    assert path == panels / f"panel-{key}.parquet" and path.exists()
    assert not stale_same_params.exists()  # a new build replaces older builds of its parameters
    assert json.loads(path.with_suffix(".json").read_text())["start"] == 2000
    assert path.with_suffix(".md").exists()
    mtime = path.stat().st_mtime_ns
    again = polecon.build_panel(**SPAN, cache=True)
    assert path.stat().st_mtime_ns == mtime  # read, not rebuilt
    pd.testing.assert_frame_equal(again, first)
    pd.testing.assert_frame_equal(again, polecon.build_panel(**SPAN))  # same as uncached
    polecon.build_panel(**SPAN, refresh=True)
    assert path.stat().st_mtime_ns != mtime


def cache_params() -> dict[str, object]:
    import inspect

    sig = inspect.signature(polecon.build_panel)
    return {k: p.default for k, p in sig.parameters.items() if k not in ("cache", "refresh")}


def test_list_and_prune(panels: Path) -> None:
    polecon.build_panel(**SPAN, cache=True)
    stale = panels / "panel-aaaaaaaaaa-000000000000.parquet"
    stale.write_bytes(b"old")
    stale.with_suffix(".md").write_text("old")
    builds = cache.list_builds()
    assert sorted(builds["current"].tolist()) == [False, True]
    runner = CliRunner()
    res = runner.invoke(app, ["cache", "list"])
    assert res.exit_code == 0 and "2 builds" in res.output, res.output
    res = runner.invoke(app, ["cache", "prune", "--dry-run"])
    assert res.exit_code == 0 and "would remove 1 build(s)" in res.output and stale.exists()
    res = runner.invoke(app, ["cache", "prune"])
    assert res.exit_code == 0 and "removed 1 build(s)" in res.output
    assert not stale.exists() and not stale.with_suffix(".md").exists()
    assert cache.list_builds()["current"].tolist() == [True]
    res = runner.invoke(app, ["cache", "prune", "--all"])
    assert res.exit_code == 0 and list(panels.iterdir()) == []
