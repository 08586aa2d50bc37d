"""Canonical-table registry, Parquet cache and build log.

Every canonical table (``agreements``, ``migration_stocks``, ...) is declared once
with :func:`register_table`: its schema, the registry keys of the raw files it
reads, its citation, and a builder ``build(raw: dict[str, Path], log: BuildLog,
**options) -> DataFrame``.  :func:`load` returns the validated table, cached as
Parquet keyed by every input (see :func:`_cache_key`), so a warm load is a single
Parquet read.  A builder that loads another canonical table declares it in
``depends``; loading an undeclared table while building raises.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from polecon import registry
from polecon._io import atomic_path, atomic_write_text
from polecon._paths import DATASETS_DIR
from polecon.sources._schema import Schema, SchemaError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]

Builder = Callable[..., pd.DataFrame]


@dataclass
class BuildLog:
    """What a builder did that a user should know: rows dropped on purpose, notes."""

    table: str
    drops: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def drop(self, reason: str, n_rows: int, values: list[Any] | None = None) -> None:
        """Record ``n_rows`` rows deliberately dropped for ``reason`` (with example values)."""
        if n_rows:
            self.drops.append(
                {
                    "reason": reason,
                    "rows": int(n_rows),
                    "values": [str(v) for v in (values or [])][:50],
                }
            )

    def note(self, text: str) -> None:
        self.notes.append(text)

    def to_json(self) -> str:
        return json.dumps({"table": self.table, "drops": self.drops, "notes": self.notes}, indent=2)


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: schema, raw inputs, citation and builder."""

    name: str
    schema: Schema
    raw: tuple[str, ...]
    citation: str
    build: Builder
    description: str = ""
    default_options: dict[str, Any] = field(default_factory=dict)
    depends: tuple[str, ...] = ()


_TABLES: dict[str, TableSpec] = {}


@cache
def _discover() -> None:
    """Import every module of :mod:`polecon.sources`: each registers its tables with
    :func:`register_table`, so the declarations are the only list of tables (0.08 s)."""
    import pkgutil

    for info in pkgutil.walk_packages([str(Path(__file__).parent)], "polecon.sources."):
        importlib.import_module(info.name)


def table_modules() -> dict[str, str]:
    """Canonical table name -> the module that declares it, in the order of discovery
    (modules by name; a module's tables in declaration order)."""
    _discover()
    # sorted by module (stable: a module's tables keep their declaration order), so the
    # order does not depend on which modules a session imported first
    items = sorted(_TABLES.items(), key=lambda kv: kv[1].build.__module__)
    return {name: spec.build.__module__ for name, spec in items}


def __getattr__(name: str) -> object:
    if name == "TABLE_MODULES":  # discovered, not kept by hand (PEP 562 lazy attribute)
        return table_modules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register_table(
    name: str,
    *,
    schema: Schema,
    raw: tuple[str, ...] | list[str],
    citation: str,
    description: str = "",
    default_options: dict[str, Any] | None = None,
    depends: tuple[str, ...] | list[str] = (),
) -> Callable[[Builder], Builder]:
    """Decorator: declare ``name`` as a canonical table built by the decorated function.

    ``raw`` lists every registry key the builder may read (all are fetched and
    hashed into the cache key, whatever the options); the builder receives
    ``raw: dict[key, Path]``, a :class:`BuildLog`, and the options as keywords.
    ``depends`` names the canonical tables the builder loads (with their default options)
    through :func:`load`; their cache keys are part of this table's key.
    """

    def wrap(func: Builder) -> Builder:
        _TABLES[name] = TableSpec(
            name=name,
            schema=schema,
            raw=tuple(raw),
            citation=citation,
            build=func,
            description=description or (func.__doc__ or "").strip().split("\n")[0],
            default_options=dict(default_options or {}),
            depends=tuple(depends),
        )
        return func

    return wrap


def table_spec(name: str) -> TableSpec:
    """The declaration of canonical table ``name`` (the source modules are imported, and so
    register their tables, on first use)."""
    if name not in _TABLES:
        _discover()
    if name not in _TABLES:
        import difflib

        known = sorted(_TABLES)
        close = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"unknown table {name!r}{hint} Known tables: {known}")
    return _TABLES[name]


def available_tables() -> list[str]:
    """Names of every canonical table, as declared by the source modules."""
    return list(table_modules())


@cache
def _code_hash() -> str:
    """Hash of the parser code and reviewed tables: a change invalidates cached tables."""
    h = hashlib.sha256()
    roots = [PACKAGE_ROOT / "sources", PACKAGE_ROOT / "countries", PACKAGE_ROOT / "registry.py"]
    roots += [p for p in (DATASETS_DIR / "countries", DATASETS_DIR / "sources") if p.is_dir()]
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for p in files:
            if p.suffix in {".py", ".csv", ".toml"}:
                h.update(str(p.relative_to(root.parent)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _raw_sha256(key: str) -> str:
    """The sha256 pinned for ``key`` in the registry manifest (``datasets/registry.toml``)."""
    return registry.entry(key).sha256


def _country_inputs() -> tuple[tuple[str, ...], str]:
    """The registry keys the country layer reads, and the country_converter version (its
    ``country_data.tsv`` is read by the crosswalk too)."""
    from importlib.metadata import version

    from polecon.countries.blocs import COUNTRY_FILES

    return COUNTRY_FILES, version("country_converter")


def _hash_raw(h: Any, section: str, keys: tuple[str, ...]) -> None:
    h.update(f"\0{section}\0".encode())
    for key in keys:
        h.update(f"{key}\0{registry.entry(key).path}\0{_raw_sha256(key)}\0".encode())


def cache_dir() -> Path:
    """Folder for cached Parquet tables (``$POLECON_CACHE/tables``)."""
    base = os.environ.get("POLECON_CACHE")
    if base:
        root = Path(base)
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("polecon"))
    return root / "tables"


def _cache_key(spec: TableSpec, options: dict[str, Any], _path: tuple[str, ...] = ()) -> str:
    """Hash of every input of table ``spec`` built with ``options``.

    The table name; each of its raw files (registry key, path and the sha256 pinned in the
    registry manifest); the same for every raw file of the country layer
    (:data:`polecon.countries.blocs.COUNTRY_FILES`, read by every table that maps countries)
    and the country_converter version; the options; the code hash (:func:`_code_hash`); and,
    recursively, the key of every table in ``spec.depends`` (with its default options).
    """
    if spec.name in _path:
        raise RuntimeError(f"tables depend on each other in a cycle: {' -> '.join(_path)}")
    h = hashlib.sha256()
    h.update(spec.name.encode())
    _hash_raw(h, "raw", spec.raw)
    country_files, coco_version = _country_inputs()
    _hash_raw(h, "country layer", country_files)
    h.update(f"\0country_converter {coco_version}\0".encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(_code_hash().encode())
    for dep in spec.depends:
        dspec = table_spec(dep)
        dkey = _cache_key(dspec, dict(dspec.default_options), (*_path, spec.name))
        h.update(f"\0depends {dep} {dkey}\0".encode())
    return h.hexdigest()[:20]


#: the tables whose builders are running in this context, innermost last
_BUILDING: ContextVar[tuple[str, ...]] = ContextVar("polecon_building_tables", default=())


def _check_declared(name: str, spec: TableSpec, options: dict[str, Any]) -> None:
    """Inside a builder, :func:`load` may only read the builder's declared dependencies, with
    their default options (what the builder's cache key covers)."""
    building = _BUILDING.get()
    if not building:
        return
    outer = table_spec(building[-1])
    if name not in outer.depends:
        raise RuntimeError(
            f"the builder of table {outer.name!r} loads table {name!r}, which it does not "
            f"declare: add depends=({name!r}, ...) to its register_table(...) so that its "
            "cache key covers that table"
        )
    if options != spec.default_options:
        raise RuntimeError(
            f"the builder of table {outer.name!r} loads table {name!r} with options {options}; "
            f"a dependency is loaded with its default options {spec.default_options}"
        )


def load(name: str, *, refresh: bool = False, **options: Any) -> pd.DataFrame:
    """Return canonical table ``name``, validated against its schema.

    Parameters
    ----------
    name : one of :data:`TABLE_MODULES` (``"agreements"``, ``"migration_stocks"``, ...).
    refresh : rebuild even if a cached Parquet file exists.
    **options : table-specific options (see each table's builder), part of the cache key.
    """
    spec = table_spec(name)
    unknown = set(options) - set(spec.default_options)
    if unknown:
        raise TypeError(
            f"load({name!r}): unknown option(s) {sorted(unknown)}; "
            f"valid: {sorted(spec.default_options)}"
        )
    opts = {**spec.default_options, **options}
    _check_declared(name, spec, opts)
    path = cache_dir() / f"{name}-{_cache_key(spec, opts)}.parquet"
    if path.exists() and not refresh:
        df = pd.read_parquet(path)
        return spec.schema.validate(df, source=f"table {name!r} (cache {path})")
    raw = {key: registry.fetch(key) for key in spec.raw}
    log = BuildLog(name)
    token = _BUILDING.set((*_BUILDING.get(), name))
    try:
        df = spec.build(raw, log, **opts)
    finally:
        _BUILDING.reset(token)
    df = spec.schema.validate(df.reset_index(drop=True), source=f"table {name!r}")
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    atomic_write_text(path.with_suffix(".log.json"), log.to_json())
    return df


def build_log(name: str, **options: Any) -> dict[str, Any]:
    """The build log (drops and notes) of the cached table ``name`` (builds it if needed)."""
    spec = table_spec(name)
    opts = {**spec.default_options, **options}
    path = cache_dir() / f"{name}-{_cache_key(spec, opts)}.log.json"
    if not path.exists():
        load(name, refresh=True, **options)
    return json.loads(path.read_text())


__all__ = [
    "BuildLog",
    "SchemaError",
    "TableSpec",
    "available_tables",
    "build_log",
    "cache_dir",
    "load",
    "register_table",
    "table_spec",
]
