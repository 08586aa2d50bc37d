"""Helpers for tests/data: the mirrored raw files, skipped with a reason when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from polecon import registry


def fetch(key: str) -> Path:
    """Path of mirror file ``key``; skips the test when the mirror does not hold it."""
    try:
        return registry.fetch(key)
    except (FileNotFoundError, KeyError) as exc:
        pytest.skip(f"mirror file {key} not available ({exc})")
