"""Source registry: pinned upstream files, verified by sha256, resolved offline-first.

CONTRACT (stable; other modules rely on it):

- ``fetch(key) -> pathlib.Path``: the local path of a verified copy of one registered file.
  ``key`` is either the entry's ``name`` or its mirror-relative ``path`` (e.g.
  ``"trade/cow_dyadic_trade_v4_directed_1870_2014.rds"``).
- ``entry(key) -> Entry`` and ``entries() -> list[Entry]``: the manifest rows.

PLACEHOLDER: this minimal version only looks files up in mirror folders; the full
registry (manifest, cache, pooch, hash checks) replaces it.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def mirror_dirs() -> list[Path]:
    """Mirror folders: ``POLECON_MIRROR`` (os.pathsep-separated), then ``datasets/mirrors.txt``."""
    dirs: list[Path] = []
    env = os.environ.get("POLECON_MIRROR", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    listing = REPO_ROOT / "datasets" / "mirrors.txt"
    if listing.exists():
        for line in listing.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                dirs.append((REPO_ROOT / line).resolve())
    return dirs


def fetch(key: str) -> Path:
    for d in mirror_dirs():
        candidate = d / key
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{key!r} is in no mirror folder ({[str(d) for d in mirror_dirs()]})")
