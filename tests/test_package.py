"""Smoke tests of the installed package and its command line."""

from __future__ import annotations

import subprocess
import sys

import polecon


def test_version_is_a_string() -> None:
    assert isinstance(polecon.__version__, str)


def test_cli_replicate_help_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "polecon", "replicate", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "replicate" in out.stdout.lower()
