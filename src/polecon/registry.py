"""Source registry: pinned upstream files, verified by sha256, resolved offline-first.

CONTRACT (stable; other modules rely on it):

- ``fetch(key) -> pathlib.Path``: the local path of a verified copy of one registered file.
  ``key`` is either the entry's ``name`` or its mirror-relative ``path`` (e.g.
  ``"trade/cow_dyadic_trade_v4_directed_1870_2014.rds"``).
- ``entry(key) -> Entry`` and ``entries() -> list[Entry]``: the manifest rows.

Also: ``status(key)``, ``cite(key)``, ``conversions()``, ``replicate_stage(reports_dir)``.

The manifest is ``datasets/registry.toml``, shipped inside the package (``polecon/_datasets``;
override: ``POLECON_REGISTRY``).
Only upstream originals are registered; convenience conversions in the mirror (a CSV written
from an ``.rda``, say) are listed as ``[[conversion]]`` rows and are not fetchable.

Resolution order of :func:`fetch`:

1. the cache, ``POLECON_CACHE`` (default: the platform's user cache folder for ``polecon``),
   where a file lives at ``<cache>/<path>``;
2. mirror folders: ``extra_mirrors`` given by the caller, then ``POLECON_MIRROR``
   (``os.pathsep``-separated), then, in a checkout only, the lines of ``datasets/mirrors.txt``
   (relative to the repository root; ``POLECON_MIRRORS_FILE`` names another list, relative to
   its own folder, and an empty value or ``none`` disables the list); an installed package
   needs only ``POLECON_MIRROR``. The first folder that holds ``<folder>/<path>`` decides: a
   copy whose sha256 differs is refused with :class:`ChecksumMismatchError`, it is not skipped
   in favour of the next folder, so a corrupt mirror never goes unnoticed;
3. the pinned ``url``, downloaded with pooch (set ``POLECON_OFFLINE=1`` to forbid downloads).

Verification policy. A file enters the cache only through a temporary file in the cache folder
that is hashed (sha256, via ``pooch.file_hash``) and renamed into place only if the hash matches,
so a corrupt file never lands in the cache. A cached file is trusted only after its size and
sha256 are checked again: every :func:`fetch` and :func:`status` call re-hashes it (all
registered files together take well under a second), so a cache file altered after it was
written is never served. :func:`fetch` warns, removes the bad copy and resolves the file again
from a mirror or the URL; :func:`status` reports it as ``"mismatch"``.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import os
import re
import shutil
import tempfile
import tomllib
import urllib.parse
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import platformdirs
import pooch

from polecon._io import temporary_beside
from polecon._paths import DATASETS_DIR, REPO_ROOT

DEFAULT_MANIFEST = DATASETS_DIR / "registry.toml"  # shipped with the package
MIRRORS_FILE = REPO_ROOT / "datasets" / "mirrors.txt"  # checkouts only; else POLECON_MIRROR

FORMATS = frozenset({"csv", "rda", "rds", "dta", "xlsx", "xls", "parquet", "json", "txt"})
PINNED_BY = frozenset({"upstream-commit", "web-download-snapshot"})
Status = Literal["cached", "mirror", "missing", "mismatch"]
Source = Literal["cache", "mirror", "url"]

_log = logging.getLogger(__name__)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_DOWNLOAD_TIMEOUT_S = 60


class RegistryError(Exception):
    """Any failure of the source registry."""


class ManifestError(RegistryError):
    """The manifest is missing or malformed."""


class UnknownKeyError(RegistryError, LookupError):
    """A key that is neither a registered name nor a registered path."""


class FileUnavailableError(RegistryError):
    """A registered file is in no cache or mirror and could not be downloaded."""


class CacheError(RegistryError):
    """The cache folder cannot be written or read (names the path and the OS error)."""


class ChecksumMismatchError(RegistryError):
    """A copy of a registered file whose sha256 differs from the manifest's."""

    def __init__(self, entry: Entry, actual: str, source: str) -> None:
        self.entry = entry
        self.expected = entry.sha256
        self.actual = actual
        self.source = source
        super().__init__(
            f"sha256 mismatch for {entry.path} ({entry.name}): expected {entry.sha256}, "
            f"got {actual}, from {source}; the file was refused and not cached"
        )


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


# --------------------------------------------------------------------------- locations


def cache_dir() -> Path:
    """The cache folder: ``POLECON_CACHE`` or the user cache folder for ``polecon``."""
    env = os.environ.get("POLECON_CACHE")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_cache_path("polecon")


def mirrors_file() -> Path | None:
    """The mirror list in use: ``POLECON_MIRRORS_FILE`` if set (empty or ``none``: no list),
    else ``datasets/mirrors.txt``."""
    env = os.environ.get("POLECON_MIRRORS_FILE")
    if env is None:
        return MIRRORS_FILE
    if env.strip().lower() in ("", "none"):
        return None
    return Path(env).expanduser()


def mirror_dirs(extra: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Mirror folders in search order: ``extra``, ``POLECON_MIRROR``, then the mirror list
    (:func:`mirrors_file`; relative lines are resolved against the list's folder's parent for
    ``datasets/mirrors.txt``, i.e. the repository root, and against the list's folder otherwise)."""
    dirs: list[Path] = [Path(p).expanduser() for p in extra]
    env = os.environ.get("POLECON_MIRROR", "")
    dirs += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    listing = mirrors_file()
    if listing is not None and listing.is_file():
        base = REPO_ROOT if listing == MIRRORS_FILE else listing.parent
        for line in listing.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                dirs.append((base / line).expanduser().resolve())
    return dirs


def cache_path(key: str) -> Path:
    """Where the verified copy of ``key`` lives (or would live) in the cache."""
    return cache_dir() / entry(key).path


def _inside_cache(e: Entry) -> Path:
    """``<cache>/<path>``, refused (:class:`CacheError`) if it would resolve outside the cache
    folder: the manifest's paths are relative and normalised (checked when it is parsed), and a
    symlink inside the cache must not lead a write elsewhere either."""
    root = cache_dir()
    target = root / e.path
    real_root = root.resolve()
    real = target.resolve()
    if not real.is_relative_to(real_root) or any(
        p.is_symlink() for p in [target, *target.parents] if p.is_relative_to(root) and p != root
    ):
        raise CacheError(
            f"{e.path} ({e.name}): the cache location {target} leaves the cache folder "
            f"{root} (through a symlink); refusing to read or write it"
        )
    return target


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest of a file (pooch's hashing)."""
    return pooch.file_hash(str(path), alg="sha256")


def _matches(path: Path, e: Entry) -> tuple[bool, str | None]:
    """(ok, actual sha256 or None when the size alone already differs)."""
    if path.stat().st_size != e.size:
        return False, None
    actual = sha256_of(path)
    return actual == e.sha256, actual


def _mirror_copy(e: Entry, mirrors: Sequence[Path]) -> Path | None:
    for d in mirrors:
        candidate = d / e.path
        if candidate.is_file():
            return candidate
    return None


# --------------------------------------------------------------------------- status / fetch


def status(key: str, *, extra_mirrors: Iterable[str | os.PathLike[str]] = ()) -> Status:
    """Where ``key`` would be resolved from, after checking the hash of that copy.

    ``"cached"`` (verified cache copy), ``"mirror"`` (verified copy in the first mirror that has
    it), ``"missing"`` (neither; :func:`fetch` would try the URL) or ``"mismatch"`` (the copy that
    would be used has the wrong size or sha256).
    """
    e = entry(key)
    cached = _inside_cache(e)
    if cached.is_file():
        return "cached" if _matches(cached, e)[0] else "mismatch"
    src = _mirror_copy(e, mirror_dirs(extra_mirrors))
    if src is None:
        return "missing"
    return "mirror" if _matches(src, e)[0] else "mismatch"


def _copy_from_mirror(e: Entry, src: Path, target: Path) -> Path:
    tmp = temporary_beside(target, ".part")  # removes the .part files of killed fetches
    try:
        shutil.copyfile(src, tmp)
        ok, actual = _matches(tmp, e)
        if not ok:
            raise ChecksumMismatchError(e, actual or sha256_of(tmp), f"mirror {src}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _download(e: Entry, target: Path) -> Path:
    if os.environ.get("POLECON_OFFLINE", "").strip() not in ("", "0"):
        raise FileUnavailableError(f"downloads are disabled (POLECON_OFFLINE is set); url {e.url}")
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{e.filename}.", suffix=".download", dir=target.parent))
    pooch_logger = pooch.get_logger()
    level = pooch_logger.level
    try:
        downloader = None
        if e.url.startswith(("http://", "https://")):
            downloader = pooch.HTTPDownloader(progressbar=False, timeout=_DOWNLOAD_TIMEOUT_S)
        _log.info("downloading %s from %s", e.path, e.url)
        pooch_logger.setLevel(logging.WARNING)
        try:
            got = Path(
                pooch.retrieve(
                    e.url, known_hash=None, fname=e.filename, path=tmpdir, downloader=downloader
                )
            )
        except Exception as exc:  # network, HTTP status, unknown protocol, ...
            raise FileUnavailableError(
                f"download of {e.path} from {e.url} failed: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            pooch_logger.setLevel(level)
        ok, actual = _matches(got, e)
        if not ok:
            raise ChecksumMismatchError(e, actual or sha256_of(got), f"url {e.url}")
        os.replace(got, target)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return target


def _resolve(e: Entry, extra_mirrors: Iterable[str | os.PathLike[str]] = ()) -> tuple[Path, Source]:
    try:
        return _resolve_inner(e, extra_mirrors)
    except OSError as exc:
        raise CacheError(
            f"{e.path}: cannot use the cache folder {cache_dir()}: {type(exc).__name__}: {exc}"
        ) from exc


def _resolve_inner(
    e: Entry, extra_mirrors: Iterable[str | os.PathLike[str]] = ()
) -> tuple[Path, Source]:
    target = _inside_cache(e)
    note = ""
    ok, actual = False, None
    if target.is_file():
        try:
            ok, actual = _matches(target, e)
        except FileNotFoundError:  # removed by a concurrent fetch: treat as not cached
            ok = None  # type: ignore[assignment]
    if ok:
        return target, "cache"
    if ok is False and target.is_file():
        note = (
            f"; the cached copy {target} failed verification (expected sha256 {e.sha256}, got "
            f"{actual or 'a different size'}) and was removed"
        )
        warnings.warn(
            f"cached copy of {e.path} failed verification; removing it and fetching it again",
            RuntimeWarning,
            stacklevel=3,
        )
        target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    mirrors = mirror_dirs(extra_mirrors)
    src = _mirror_copy(e, mirrors)
    if src is not None:
        return _copy_from_mirror(e, src, target), "mirror"
    try:
        return _download(e, target), "url"
    except FileUnavailableError as exc:
        searched = ", ".join(str(d) for d in mirrors) or "none"
        raise FileUnavailableError(
            f"{e.path} ({e.name}) is not in the cache {cache_dir()} nor in any mirror "
            f"(searched: {searched}), and {exc}{note}"
        ) from exc


def fetch(key: str, *, extra_mirrors: Iterable[str | os.PathLike[str]] = ()) -> Path:
    """The cache path of a verified copy of ``key`` (a registered name or mirror-relative path).

    Resolves from the cache, then the mirror folders (``extra_mirrors`` first), then the pinned
    URL; see the module docstring. Raises :class:`UnknownKeyError`,
    :class:`ChecksumMismatchError` or :class:`FileUnavailableError` (all :class:`RegistryError`).
    """
    return _resolve(entry(key), extra_mirrors)[0]


def fetch_with_source(
    key: str, *, extra_mirrors: Iterable[str | os.PathLike[str]] = ()
) -> tuple[Path, Source]:
    """Like :func:`fetch`, also saying where the file came from: cache, mirror or url."""
    return _resolve(entry(key), extra_mirrors)


# --------------------------------------------------------------------------- citations


_BIBTEX_SPECIAL = str.maketrans({c: "\\" + c for c in "&%$#_{}"})


def _bib(text: str) -> str:
    return text.translate(_BIBTEX_SPECIAL)


def cite(key: str) -> str:
    """A BibTeX ``@misc`` record for ``key``: producer, title, snapshot year, pinned URL, sha256,
    licence, and the citation that PROVENANCE.md asks for (in ``note``)."""
    e = entry(key)
    fields = [
        ("author", "{" + _bib(e.producer) + "}"),
        ("title", "{" + _bib(e.title) + "}"),
        ("year", e.upstream_date[:4] or "n.d."),
        ("version", _bib(e.version)),
        (
            "howpublished",
            _bib(f"{e.upstream_repo} at commit {e.upstream_commit[:12]}, file {e.upstream_path}"),
        ),
        ("url", e.url),
        ("note", _bib(f"Cite: {e.citation} Licence: {e.licence} sha256: {e.sha256}.")),
    ]
    body = ",\n".join(f"  {k:<12} = {{{v}}}" for k, v in fields)
    return f"@misc{{{e.name},\n{body}\n}}"


# --------------------------------------------------------------------------- replicate stage


def fetch_all(
    keys: Sequence[str] | None = None, *, extra_mirrors: Iterable[str | os.PathLike[str]] = ()
) -> tuple[dict[str, tuple[Path, Source]], dict[str, RegistryError]]:
    """Fetch ``keys`` (default: every entry), continuing past failures.

    Returns ``(done, failed)``: name -> (path, source) and name -> error.
    """
    extra = list(extra_mirrors)
    chosen = [entry(k) for k in keys] if keys else entries()
    done: dict[str, tuple[Path, Source]] = {}
    failed: dict[str, RegistryError] = {}
    for e in chosen:
        try:
            done[e.name] = _resolve(e, extra)
        except RegistryError as exc:
            failed[e.name] = exc
    return done, failed


def replicate_stage(reports_dir: Path) -> str:
    """``polecon replicate`` stage: fetch and verify every registered file; one-line summary.

    Writes nothing to ``reports_dir``. Raises :class:`RegistryError` naming every file that
    could not be fetched or verified.
    """
    done, failed = fetch_all()
    if failed:
        details = "; ".join(str(err) for err in failed.values())
        raise RegistryError(f"{len(failed)} of {len(done) + len(failed)} files failed: {details}")
    counts = {s: sum(1 for _, src in done.values() if src == s) for s in ("cache", "mirror", "url")}
    return (
        f"{len(done)} registered files verified by sha256 ({counts['cache']} already cached, "
        f"{counts['mirror']} copied from a mirror, {counts['url']} downloaded) in {cache_dir()}"
    )


__all__ = [
    "ChecksumMismatchError",
    "Conversion",
    "Entry",
    "FileUnavailableError",
    "ManifestError",
    "RegistryError",
    "UnknownKeyError",
    "cache_dir",
    "cache_path",
    "cite",
    "conversions",
    "entries",
    "entry",
    "fetch",
    "fetch_all",
    "fetch_with_source",
    "load_manifest",
    "manifest_path",
    "mirror_dirs",
    "mirrors_file",
    "replicate_stage",
    "sha256_of",
    "status",
]
