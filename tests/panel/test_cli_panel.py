"""``polecon panel build`` end to end on a short span of the real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from polecon.cli import app

pytestmark = pytest.mark.realdata
runner = CliRunner()


def _ok(args: list[str]):  # noqa: ANN202 - click's Result
    """Invoke the CLI and require success; the error keeps the CLI's exception chain (so a
    missing source file, FileUnavailableError, is reported as a skip by tests/conftest.py)."""
    res = runner.invoke(app, args)
    if res.exit_code != 0:
        raise AssertionError(res.output) from res.exception
    return res


def test_panel_build_writes_parquet_and_dictionary(tmp_path: Path) -> None:
    out = tmp_path / "p.parquet"
    args = ["panel", "build", "--start", "2000", "--end", "2001", "--out", str(out)]
    _ok(args)
    panel = pd.read_parquet(out)
    assert set(panel["year"]) == {2000, 2001} and not panel.duplicated(["i", "j", "year"]).any()
    md = out.with_suffix(".md").read_text()
    assert "| `exports_ij` |" in md and "current USD" in md
    _ok(args)  # from the cache: same bytes
    assert pd.read_parquet(out).equals(panel)
    und = tmp_path / "u.parquet"
    _ok([*args[:-1], str(und), "--undirected"])
    u = pd.read_parquet(und)
    assert len(u) * 2 == len(panel) and (u["a"] < u["b"]).all()


def test_panel_build_rejects_bad_options(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["panel", "build", "--system", "xyz", "--out", str(tmp_path / "x.parquet")]
    )
    assert res.exit_code == 1 and "system" in res.output
    res = runner.invoke(app, ["panel", "build", "--start", "2001", "--end", "2000"])
    assert res.exit_code == 1
