"""The package is installable outside a clone: the manifest and reviewed tables ship inside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from polecon import _paths, registry
from polecon.countries import _tables

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = [
    "registry.toml",
    *(f"countries/{p.name}" for p in (ROOT / "datasets/countries").glob("*.csv")),
    *(f"sources/{p.name}" for p in (ROOT / "datasets/sources").glob("*.csv")),
]


def test_the_package_reads_its_data_through_polecon_datasets():
    assert _paths.in_checkout()
    assert registry.DEFAULT_MANIFEST == _paths.PACKAGE_ROOT / "_datasets" / "registry.toml"
    assert _tables.TABLES_DIR == _paths.PACKAGE_ROOT / "_datasets" / "countries"
    for rel in SHIPPED:  # in a checkout the package path is the repository's datasets/
        assert (_paths.DATASETS_DIR / rel).read_bytes() == (ROOT / "datasets" / rel).read_bytes()


def test_only_the_path_modules_use_the_checkout_root():
    """``REPO_ROOT`` exists only in a clone: a data path built from it is missing in a wheel."""
    allowed = {"_paths.py", "registry.py"}  # registry: the checkout-only mirrors.txt
    users = sorted(
        str(p.relative_to(_paths.PACKAGE_ROOT))
        for p in _paths.PACKAGE_ROOT.rglob("*.py")
        if p.name not in allowed and "REPO_ROOT" in p.read_text(encoding="utf-8")
    )
    assert users == []


def test_mirror_from_polecon_mirror_alone(monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "MIRRORS_FILE", tmp_path / "absent.txt")  # as in a wheel
    monkeypatch.setenv("POLECON_MIRROR", str(tmp_path))
    assert registry.mirror_dirs() == [tmp_path]


@pytest.mark.slow
def test_wheel_ships_manifest_and_reviewed_tables(tmp_path):
    src = tmp_path / "src-copy"  # build from a copy: no build/ or egg-info in the checkout
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", src / "src", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "datasets", src / "datasets")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    cmd = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(src)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if run.returncode != 0 and "No matching distribution" in run.stderr:
        pytest.skip("no package index to fetch the build backend from")
    assert run.returncode == 0, run.stderr[-2000:]
    (wheel,) = tmp_path.glob("polecon-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for rel in SHIPPED:
            assert zf.read(f"polecon/_datasets/{rel}") == (ROOT / "datasets" / rel).read_bytes()
    assert "polecon/_datasets/mirrors.txt" not in names  # checkout-relative; POLECON_MIRROR instead
    assert "polecon/py.typed" in names
