"""The registry's manifest: ``datasets/registry.toml`` parsed and validated into :class:`Entry` rows.

:func:`load_manifest` (memoised on the file's path, size and mtime), :func:`entries`,
:func:`conversions` and :func:`entry` (lookup by name or mirror-relative path, with close
matches in the error), and the errors of a malformed manifest. Re-exported by
:mod:`polecon.registry`, whose contract this is part of; split out of that module unchanged.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from polecon._paths import DATASETS_DIR

DEFAULT_MANIFEST = DATASETS_DIR / "registry.toml"  # shipped with the package

FORMATS = frozenset({"csv", "rda", "rds", "dta", "xlsx", "xls", "parquet", "json", "txt"})
PINNED_BY = frozenset({"upstream-commit", "web-download-snapshot"})
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class RegistryError(Exception):
    """Any failure of the source registry."""


class ManifestError(RegistryError):
    """The manifest is missing or malformed."""


class UnknownKeyError(RegistryError, LookupError):
    """A key that is neither a registered name nor a registered path."""


@dataclass(frozen=True)
class Entry:
    """One registered upstream file (a ``[[file]]`` row of the manifest).

    ``size`` is in bytes; ``sha256`` and ``upstream_blob`` are lowercase hex digests;
    ``path`` is mirror-relative (POSIX); ``url`` is the raw file at ``upstream_commit``.
    """

    name: str
    topic: str
    title: str
    path: str
    filename: str
    format: str
    size: int
    sha256: str
    licence: str
    citation: str
    producer: str
    version: str
    homepage: str
    url: str
    pinned_by: str
    upstream_repo: str
    upstream_commit: str
    upstream_date: str
    upstream_path: str
    upstream_blob: str
    landing_url: str | None = None
    access_date: str | None = None
    role: str | None = None
    notes: str | None = None
    derived_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversion:
    """A convenience file in the mirror made from a registered original; not fetchable."""

    path: str
    original: str
    format: str
    size: int
    sha256: str
    method: str


@dataclass(frozen=True)
class Manifest:
    """The parsed manifest: entries in file order, plus lookups by name and by path."""

    source: Path
    entries: tuple[Entry, ...]
    conversions: tuple[Conversion, ...]
    by_name: dict[str, Entry]
    by_path: dict[str, Entry]


# --------------------------------------------------------------------------- manifest


def manifest_path() -> Path:
    """The manifest in use: ``POLECON_REGISTRY`` if set, else ``datasets/registry.toml``."""
    env = os.environ.get("POLECON_REGISTRY")
    return Path(env).expanduser() if env else DEFAULT_MANIFEST


_MANIFEST_CACHE: dict[tuple[str, int, int], Manifest] = {}

_STR_FIELDS = tuple(  # every required Entry field except size (an int)
    f.name
    for f in dataclasses.fields(Entry)
    if f.default is dataclasses.MISSING and f.name != "size"
)
_OPT_STR_FIELDS = ("landing_url", "access_date", "role", "notes")
_CONV_FIELDS = ("path", "original", "format", "sha256", "method")


def _check_rel_path(value: str, where: str) -> None:
    p = PurePosixPath(value)
    if p.is_absolute() or ".." in p.parts or "\\" in value or str(p) != value:
        raise ManifestError(f"{where}: path {value!r} must be a normalised relative POSIX path")


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _check_url(value: str | None, field: str, where: str) -> None:
    """Manifest URLs are https (plain http only to this machine's loopback, for tests)."""
    if value is None:
        return
    u = urllib.parse.urlsplit(value)
    ok = u.scheme == "https" or (u.scheme == "http" and u.hostname in _LOOPBACK)
    if not ok or not u.hostname:
        raise ManifestError(f"{where}: {field} {value!r} must be an https:// URL")


def _parse_entry(raw: dict[str, Any], where: str) -> Entry:
    values: dict[str, Any] = {}
    for key in _STR_FIELDS:
        value = raw.get(key)
        if key == "upstream_date" and value == "":  # stated as unknown; checked below
            values[key] = value
            continue
        if not isinstance(value, str) or not value.strip():
            raise ManifestError(f"{where}: field {key!r} is missing or not a non-empty string")
        values[key] = value
    for key in _OPT_STR_FIELDS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise ManifestError(f"{where}: field {key!r} must be a string")
        values[key] = value
    size = raw.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError(f"{where}: field 'size' must be a non-negative integer (bytes)")
    values["size"] = size
    derived = raw.get("derived_files", [])
    if not isinstance(derived, list) or not all(isinstance(d, str) for d in derived):
        raise ManifestError(f"{where}: field 'derived_files' must be a list of paths")
    values["derived_files"] = tuple(derived)
    unknown = set(raw) - set(values) - {"size", "derived_files"}
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {sorted(unknown)}")
    e = Entry(**values)
    _check_rel_path(e.path, where)
    _check_rel_path(e.upstream_path, where)
    for key in ("url", "homepage", "landing_url"):
        _check_url(getattr(e, key), key, where)
    checks: list[tuple[bool, str]] = [
        (bool(_NAME.match(e.name)), f"name {e.name!r} is not a lowercase slug [a-z0-9_]"),
        (bool(_SHA256.match(e.sha256)), "sha256 must be 64 lowercase hex digits"),
        (bool(_SHA1.match(e.upstream_commit)), "upstream_commit must be 40 lowercase hex digits"),
        (bool(_SHA1.match(e.upstream_blob)), "upstream_blob must be 40 lowercase hex digits"),
        (bool(_REPO.match(e.upstream_repo)), "upstream_repo must be OWNER/REPO"),
        (
            e.upstream_date == "" or bool(_DATE.match(e.upstream_date)),
            "upstream_date must be YYYY-MM-DD (or empty when the provenance does not state it)",
        ),
        (e.format in FORMATS, f"format {e.format!r} is not one of {sorted(FORMATS)}"),
        (e.pinned_by in PINNED_BY, f"pinned_by {e.pinned_by!r} is not one of {sorted(PINNED_BY)}"),
        (PurePosixPath(e.path).name == e.filename, "filename must be the last part of path"),
        (PurePosixPath(e.path).parts[0] == e.topic, "path must start with the topic folder"),
    ]
    for ok, message in checks:
        if not ok:
            raise ManifestError(f"{where}: {message}")
    return e


def _parse_conversion(raw: dict[str, Any], where: str) -> Conversion:
    values: dict[str, Any] = {}
    for key in _CONV_FIELDS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ManifestError(f"{where}: field {key!r} is missing or not a non-empty string")
        values[key] = value
    size = raw.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError(f"{where}: field 'size' must be a non-negative integer (bytes)")
    unknown = set(raw) - set(_CONV_FIELDS) - {"size"}
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {sorted(unknown)}")
    if not _SHA256.match(values["sha256"]):
        raise ManifestError(f"{where}: sha256 must be 64 lowercase hex digits")
    _check_rel_path(values["path"], where)
    return Conversion(size=size, **values)


def _parse_manifest(source: Path) -> Manifest:
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"registry manifest {source} does not exist (set POLECON_REGISTRY, or reinstall "
            "polecon: the manifest ships as polecon/_datasets/registry.toml)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"registry manifest {source} is not valid TOML: {exc}") from None
    if data.get("schema_version") != 1:
        raise ManifestError(f"{source}: schema_version must be 1")
    unknown = set(data) - {"schema_version", "file", "conversion"}
    if unknown:
        raise ManifestError(f"{source}: unknown top-level key(s) {sorted(unknown)}")
    raw_files = data.get("file", [])
    if not isinstance(raw_files, list) or not raw_files:
        raise ManifestError(f"{source}: no [[file]] entries")
    entries = tuple(
        _parse_entry(raw, f"{source}: [[file]] #{i + 1} ({raw.get('name', '?')})")
        for i, raw in enumerate(raw_files)
    )
    conversions = tuple(
        _parse_conversion(raw, f"{source}: [[conversion]] #{i + 1} ({raw.get('path', '?')})")
        for i, raw in enumerate(data.get("conversion", []))
    )
    by_name: dict[str, Entry] = {}
    by_path: dict[str, Entry] = {}
    for e in entries:
        if e.name in by_name:
            raise ManifestError(f"{source}: duplicate name {e.name!r}")
        if e.path in by_path:
            raise ManifestError(f"{source}: duplicate path {e.path!r} ({e.name})")
        by_name[e.name] = e
        by_path[e.path] = e
    if set(by_name) & set(by_path):
        raise ManifestError(
            f"{source}: a name equals a path: {sorted(set(by_name) & set(by_path))}"
        )
    conv_paths: set[str] = set()
    for c in conversions:
        if c.original not in by_name:
            raise ManifestError(
                f"{source}: conversion {c.path} names unregistered original {c.original!r}"
            )
        if c.path in by_path or c.path in conv_paths:
            raise ManifestError(f"{source}: conversion path {c.path} is listed twice")
        conv_paths.add(c.path)
    for e in entries:
        listed = {c.path for c in conversions if c.original == e.name}
        if set(e.derived_files) != listed:
            raise ManifestError(
                f"{source}: {e.name}: derived_files {sorted(e.derived_files)} differ from its "
                f"[[conversion]] rows {sorted(listed)}"
            )
    return Manifest(source, entries, conversions, by_name, by_path)


def load_manifest() -> Manifest:
    """Parse and validate the manifest (memoised on its path, size and mtime)."""
    source = manifest_path()
    try:
        st = source.stat()
        key = (str(source.resolve()), st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        return _parse_manifest(source)  # raises ManifestError
    manifest = _MANIFEST_CACHE.get(key)
    if manifest is None:
        manifest = _parse_manifest(source)
        _MANIFEST_CACHE.clear()
        _MANIFEST_CACHE[key] = manifest
    return manifest


def entries() -> list[Entry]:
    """Every registered file, in manifest order."""
    return list(load_manifest().entries)


def conversions() -> list[Conversion]:
    """The convenience conversions in the mirror (not registered; parse their originals)."""
    return list(load_manifest().conversions)


def entry(key: str) -> Entry:
    """The entry whose ``name`` or mirror-relative ``path`` is ``key``.

    Raises :class:`UnknownKeyError` listing close matches (and naming the original when
    ``key`` is a convenience conversion).
    """
    manifest = load_manifest()
    found = manifest.by_name.get(key) or manifest.by_path.get(key)
    if found is not None:
        return found
    for c in manifest.conversions:
        if c.path == key:
            original = manifest.by_name[c.original]
            raise UnknownKeyError(
                f"{key!r} is a convenience conversion, not a registered file; fetch and parse "
                f"its original {original.name!r} ({original.path}) instead"
            )
    candidates = list(manifest.by_name) + list(manifest.by_path)
    close = difflib.get_close_matches(key, candidates, n=5, cutoff=0.5)
    hint = f"close matches: {', '.join(close)}" if close else "`polecon data list` shows every key"
    raise UnknownKeyError(f"unknown registry key {key!r} in {manifest.source}; {hint}")
