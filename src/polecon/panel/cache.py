"""Cached panel builds under ``$POLECON_CACHE/panels`` (see ``build_panel(cache=True)``).

A build is stored as ``panel-<params>-<inputs>.parquet`` with its data dictionary (``.md``) and
its parameters (``.json``) beside it. ``<params>`` hashes the build parameters (defaults
filled in), ``<inputs>`` the input tables' cache keys (raw and country-crosswalk files' sha256,
options, parser code) and the panel code, so a build is reused only while all of them are
unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from polecon._io import atomic_write_text

#: canonical source tables the standard panel reads
INPUT_TABLES: tuple[str, ...] = (
    "agreements",
    "trade_flows",
    "migration_stocks",
    "gravity_pairs",
    "country_year",
    "tradhist_deu",
)
#: panel modules that do not shape the standard build (risk sets are derived from it)
NOT_BUILD_CODE = frozenset({"spells.py"})


def panels_dir() -> Path:
    """``$POLECON_CACHE/panels`` (beside the source-table cache)."""
    from polecon.sources._base import cache_dir

    return cache_dir().parent / "panels"


def inputs_key() -> str:
    """Hash of the input tables' cache keys and the panel code (12 hex digits)."""
    from polecon.sources._base import _cache_key, table_spec

    h = hashlib.sha256()
    for name in INPUT_TABLES:
        spec = table_spec(name)
        h.update(_cache_key(spec, dict(spec.default_options)).encode())
    for f in sorted(Path(__file__).resolve().parent.glob("*.py")):
        if f.name in NOT_BUILD_CODE:
            continue
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def cache_key(params: dict[str, object]) -> str:
    """``<parameters hash>-<inputs hash>`` for normalised build parameters."""
    p = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode())
    return f"{p.hexdigest()[:10]}-{inputs_key()}"


def cached_build(
    params: dict[str, object],
    build: Callable[[], pd.DataFrame],
    write: Callable[[pd.DataFrame, Path], Path],
    refresh: bool = False,
) -> pd.DataFrame:
    """Read the cached build of ``params`` or run ``build()`` and store it with ``write``.

    A new build replaces older builds of the same parameters (other inputs or code). The
    returned frame carries its file in ``attrs["cache_path"]``.
    """
    key = cache_key(params)
    folder = panels_dir()
    path = folder / f"panel-{key}.parquet"
    if path.exists() and not refresh:
        panel = pd.read_parquet(path)
    else:
        panel = build()
        write(panel, path)
        atomic_write_text(
            path.with_suffix(".json"), json.dumps(params, sort_keys=True, default=str) + "\n"
        )
        for old in folder.glob(f"panel-{key.split('-')[0]}-*"):
            if not old.name.startswith(path.stem):
                old.unlink(missing_ok=True)
    panel.attrs["cache_path"] = str(path)
    return panel


def list_builds() -> pd.DataFrame:
    """Cached builds, newest first: ``file, size_mb, modified, current, params``.

    ``current`` is True when the build was made from today's inputs and panel code.
    """
    folder = panels_dir()
    current = inputs_key()
    rows = []
    for f in folder.glob("panel-*.parquet"):
        meta = f.with_suffix(".json")
        params = json.loads(meta.read_text()) if meta.exists() else {}
        st = f.stat()
        rows.append(
            {
                "file": f.name,
                "size_mb": round(st.st_size / 1e6, 1),
                "modified": pd.Timestamp(st.st_mtime, unit="s").floor("s"),
                "current": f.stem.rsplit("-", 1)[-1] == current,
                "params": ", ".join(f"{k}={v}" for k, v in params.items()),
            }
        )
    cols = ["file", "size_mb", "modified", "current", "params"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["modified", "file"], ascending=[False, True]).reset_index(drop=True)


def prune(everything: bool = False, dry_run: bool = False) -> list[Path]:
    """Delete builds not made from today's inputs and code (all builds if ``everything``),
    with their ``.md``/``.json`` companions; return the Parquet files removed (or to remove)."""
    folder = panels_dir()
    current = inputs_key()
    gone = []
    for f in sorted(folder.glob("panel-*.parquet")):
        if everything or f.stem.rsplit("-", 1)[-1] != current:
            gone.append(f)
            if not dry_run:
                for companion in (f, f.with_suffix(".md"), f.with_suffix(".json")):
                    companion.unlink(missing_ok=True)
    return gone
