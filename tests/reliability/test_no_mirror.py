"""Without the data mirror, the suite skips the real-data tests and fails none.

Runs pytest in a subprocess on every test folder except this one (all real-data tests and
the fast rest), with no mirror
(``POLECON_MIRROR`` points nowhere, ``POLECON_MIRRORS_FILE=none`` disables ``datasets/mirrors.txt``),
downloads forbidden and an empty cache, and reads its JUnit XML.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_suite_without_mirror_skips_with_reasons_and_fails_nothing(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "POLECON_MIRROR": str(tmp_path / "nonexistent"),
        "POLECON_MIRRORS_FILE": "none",
        "POLECON_OFFLINE": "1",
        "POLECON_CACHE": str(tmp_path / "cache"),
    }
    report = tmp_path / "junit.xml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(TESTS),
            f"--ignore={TESTS / 'reliability'}",
            "-m",
            "realdata or not slow",  # every real-data test; slow synthetic ones need no mirror
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={report}",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    tail = proc.stdout[-3000:] + proc.stderr[-2000:]
    assert report.is_file(), tail
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    failures, errors = int(suite.get("failures", 0)), int(suite.get("errors", 0))
    assert (failures, errors) == (0, 0), tail
    assert proc.returncode == 0, tail
    skipped = [case.find("skipped") for case in suite.iter("testcase")]
    skipped = [s for s in skipped if s is not None]
    assert skipped, "no test was skipped: are the real-data tests still collected?"
    reasons = [s.get("message", "") for s in skipped]
    assert all(r.strip() for r in reasons), "a skip without a reason"
    data_skips = [r for r in reasons if "not available" in r]
    assert len(data_skips) >= 300, reasons[:5]  # the real-data tests (408 on 2026-12-05)
