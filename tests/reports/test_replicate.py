"""polecon replicate: stage resolution, failures naming the stage, idempotence, --check."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polecon.cli import app

rep = importlib.import_module("polecon.cli.replicate")  # the package re-exports the command

runner = CliRunner()

STAGE_CODE = """
from pathlib import Path
from polecon._io import atomic_write_text
RUNS = []

def replicate_stage(reports_dir: Path) -> str:
    RUNS.append(reports_dir)
    atomic_write_text(Path(reports_dir) / "{name}.md", "# {name}\\n\\nvalue: 42\\n")
    atomic_write_text(Path(reports_dir) / "sub" / "{name}.csv", "a,b\\n1,2\\n")
    return "wrote {name}"
"""


@pytest.fixture
def stages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[rep.Stage]:
    """Two importable fake stages, plus a third whose module does not exist."""
    pkg = tmp_path / "mods"
    pkg.mkdir()
    for name in ("alpha", "beta"):
        (pkg / f"fake_{name}.py").write_text(textwrap.dedent(STAGE_CODE.format(name=name)))
    monkeypatch.syspath_prepend(str(pkg))
    fake = [
        rep.Stage("alpha", "fake_alpha", "first"),
        rep.Stage("beta", "fake_beta", "second"),
        rep.Stage("gamma", "fake_gamma_missing", "third"),
    ]
    monkeypatch.setattr(rep, "STAGES", tuple(fake))
    yield fake
    for name in ("fake_alpha", "fake_beta"):
        sys.modules.pop(name, None)


def invoke(*args: str):
    return runner.invoke(app, ["replicate", *args])


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_missing_entry_point_fails_naming_the_stage_before_running(stages, tmp_path):
    out = tmp_path / "reports"
    res = invoke("--reports-dir", str(out))
    assert res.exit_code == 1
    assert "stage 'gamma': module fake_gamma_missing cannot be imported" in res.output
    assert not out.exists()  # nothing ran
    assert sys.modules["fake_alpha"].RUNS == []


def test_unknown_stage_lists_the_stages(stages):
    res = invoke("--only", "alpah")
    assert res.exit_code == 1 and "unknown stage(s) ['alpah']" in res.output
    assert "alpha, beta, gamma" in res.output


def test_runs_are_idempotent_and_check_names_files(stages, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    res = invoke("--only", "alpha,beta", "--reports-dir", str(out))
    assert res.exit_code == 0, res.output
    assert "2 stage(s) in" in res.output and "wrote beta" in res.output
    first = tree(out)
    assert sorted(first) == ["alpha.md", "beta.md", "sub/alpha.csv", "sub/beta.csv"]
    assert invoke("--only", "alpha", "--only", "beta", "--reports-dir", str(out)).exit_code == 0
    assert tree(out) == first  # a second run changes no byte

    res = invoke("--only", "alpha,beta", "--check", "--reports-dir", str(out))
    assert res.exit_code == 0 and "check passed" in res.output, res.output
    assert tree(out) == first  # --check writes elsewhere

    (out / "alpha.md").write_text("stale\n")
    (out / "sub" / "beta.csv").unlink()
    res = invoke("--only", "alpha,beta", "--check", "--reports-dir", str(out))
    assert res.exit_code == 1
    assert f"changed: {out / 'alpha.md'}" in res.output
    assert f"missing: {out / 'sub' / 'beta.csv'}" in res.output
    assert "2 file(s)" in res.output

    # with every stage selected, a file no stage writes is reported as extra
    monkeypatch.setattr(rep, "STAGES", tuple(stages[:2]))
    invoke("--reports-dir", str(out))
    (out / "orphan.md").write_text("x")
    res = invoke("--check", "--reports-dir", str(out))
    assert res.exit_code == 1 and f"extra: {out / 'orphan.md'}" in res.output


def test_a_failing_stage_is_named(stages, tmp_path, monkeypatch):
    def boom(reports_dir: Path) -> str:
        raise ValueError("bad cell in row 3")

    monkeypatch.setattr(
        sys.modules.get("fake_alpha") or __import__("fake_alpha"), "replicate_stage", boom
    )
    res = invoke("--only", "alpha", "--reports-dir", str(tmp_path / "r"))
    assert res.exit_code == 1
    assert "stage 'alpha' failed: ValueError: bad cell in row 3" in res.output


def test_the_declared_stages_follow_common_md():
    assert [(s.name, s.module) for s in rep.STAGES] == [
        ("data", "polecon.registry"),
        # the coverage report reads the source declarations, so it lives in the sources layer
        # (polecon.countries may not import polecon.sources: tests/test_architecture.py)
        ("countries", "polecon.sources.coverage"),
        ("sources", "polecon.sources"),
        ("panel", "polecon.panel"),
        ("gravity", "polecon.reports.yotov2016"),
        ("adoption", "polecon.reports.adoption"),
        ("hypotheses", "polecon.reports.hypotheses"),
        ("claims", "polecon.reports.claims"),
        ("figures", "polecon.reports.figures"),
    ]
