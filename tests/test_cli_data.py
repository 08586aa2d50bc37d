"""Tests of ``polecon data list|fetch|cite`` on the real mirror, with a fresh cache per test."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from polecon import registry
from polecon.cli import app


def _find_mirror() -> Path | None:
    """The first mirror folder the registry would search (POLECON_MIRROR, the mirror list)
    that holds the shared data snapshot."""
    for c in registry.mirror_dirs():
        if (c / "trade" / "PROVENANCE.md").is_file():
            return c.resolve()
    return None


MIRROR = _find_mirror()
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(
        MIRROR is None,
        reason="no mirror folder (POLECON_MIRROR, datasets/mirrors.txt) is available",
    ),
]
runner = CliRunner()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("POLECON_CACHE", str(cache))
    monkeypatch.setenv("POLECON_MIRROR", str(MIRROR))
    monkeypatch.setenv("POLECON_OFFLINE", "1")
    monkeypatch.delenv("POLECON_REGISTRY", raising=False)
    return cache


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_fetch_all_then_list_shows_everything_cached(cache: Path) -> None:
    n = len(registry.entries())
    before = runner.invoke(app, ["data", "list"])
    assert before.exit_code == 0, before.output
    assert f"{n} files: 0 cached, {n} in a mirror, 0 missing, 0 hash mismatch" in before.stdout

    fetched = runner.invoke(app, ["data", "fetch"])
    assert fetched.exit_code == 0, fetched.output
    assert f"{n} files verified by sha256: 0 already cached, {n} copied from a mirror" in (
        " ".join(fetched.stdout.split())
    )
    assert len(_files(cache)) == n

    listed = runner.invoke(app, ["data", "list"])
    assert listed.exit_code == 0, listed.output
    assert f"{n} files: {n} cached, 0 in a mirror, 0 missing, 0 hash mismatch" in listed.stdout
    assert "in a mirror " not in listed.stdout.split(f"{n} files:")[0]  # no row says "in a mirror"


def test_fetch_some_by_name_and_path(cache: Path) -> None:
    result = runner.invoke(app, ["data", "fetch", "cow_trade_v4", "macro/original/eustates.rda"])
    assert result.exit_code == 0, result.output
    assert [p.relative_to(cache).as_posix() for p in _files(cache)] == [
        "macro/original/eustates.rda",
        "trade/cow_dyadic_trade_v4_directed_1870_2014.rds",
    ]


def test_fetch_refuses_a_corrupt_mirror_copy_with_one_line(cache: Path, tmp_path: Path) -> None:
    assert MIRROR is not None
    e = registry.entry("eu_members")
    data = bytearray((MIRROR / e.path).read_bytes())
    data[10] ^= 0x01
    bad = tmp_path / "bad" / e.path
    bad.parent.mkdir(parents=True)
    bad.write_bytes(bytes(data))

    result = runner.invoke(app, ["data", "fetch", "eu_members", "--mirror", str(tmp_path / "bad")])
    assert result.exit_code != 0
    errors = _error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    line = errors[0]
    assert "sha256 mismatch" in line and e.path in line
    assert e.sha256 in line and hashlib.sha256(bytes(data)).hexdigest() in line
    assert str(bad) in line
    assert _files(cache) == []

    # once the good copy is cached, the bad mirror is not consulted
    assert runner.invoke(app, ["data", "fetch", "eu_members"]).exit_code == 0
    again = runner.invoke(app, ["data", "fetch", "eu_members", "--mirror", str(tmp_path / "bad")])
    assert again.exit_code == 0, again.output
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(cache)] == [e.sha256]

    listed = runner.invoke(app, ["data", "list", "--topic", "macro"])
    assert listed.exit_code == 0
    assert "1 cached" in listed.stdout


def test_list_reports_a_mismatch(cache: Path, tmp_path: Path) -> None:
    assert MIRROR is not None
    e = registry.entry("gatt_members")
    bad = tmp_path / "bad" / e.path
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"x" + (MIRROR / e.path).read_bytes()[1:])
    result = runner.invoke(
        app, ["data", "list", "--topic", "macro", "--mirror", str(tmp_path / "bad")]
    )
    assert result.exit_code == 1, result.output  # a mismatch is a failure: one-line reason
    n = sum(1 for x in registry.entries() if x.topic == "macro")
    assert f"{n} files: 0 cached, {n - 1} in a mirror, 0 missing, 1 hash mismatch" in result.stdout
    assert len(_error_lines(result.stderr)) == 1 and "sha256" in result.stderr


def test_missing_polecon_mirror_folder_fails(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLECON_MIRROR", "/nonexistent/polecon-mirror")
    result = runner.invoke(app, ["data", "fetch", "gatt_members"])
    assert result.exit_code == 1 and "POLECON_MIRROR" in result.stderr


def test_unwritable_cache_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "f"
    blocker.write_text("not a folder")
    monkeypatch.setenv("POLECON_CACHE", str(blocker / "cache"))
    result = runner.invoke(app, ["data", "fetch", "gatt_members"])
    assert result.exit_code == 1, result.output
    assert len(_error_lines(result.stderr)) == 1 and "cache" in result.stderr
    assert "Traceback" not in result.output


def test_fail_escapes_markup(capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from polecon.cli._common import fail

    with pytest.raises(typer.Exit):
        fail("column [ccode1] of x bad")
    assert "[ccode1]" in capsys.readouterr().err


def test_unknown_names_and_bad_mirrors_fail_with_a_reason(cache: Path) -> None:
    result = runner.invoke(app, ["data", "fetch", "cow_trade_v5"])
    assert result.exit_code == 1
    assert len(_error_lines(result.stderr)) == 1
    assert "close matches: cow_trade_v4" in result.stderr
    assert _files(cache) == []

    result = runner.invoke(app, ["data", "fetch", "--mirror", str(cache / "nowhere")])
    assert result.exit_code == 1 and "does not exist" in result.stderr

    result = runner.invoke(app, ["data", "cite", "macro/polity5.csv"])
    assert result.exit_code == 1 and "conversion" in result.stderr

    result = runner.invoke(app, ["data", "list", "--topic", "nonsense"])
    assert result.exit_code == 1 and "topics: " in result.stderr


def test_cite_prints_bibtex(cache: Path) -> None:
    result = runner.invoke(app, ["data", "cite", "cow_trade_v4", "desta_dyads"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("@misc{") == 2
    assert result.stdout.startswith("@misc{cow_trade_v4,")
    assert "@misc{desta_dyads," in result.stdout
    everything = runner.invoke(app, ["data", "cite"])
    assert everything.exit_code == 0
    assert everything.stdout.count("@misc{") == len(registry.entries())
