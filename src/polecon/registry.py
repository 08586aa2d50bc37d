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

import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import platformdirs
import pooch

from polecon._io import temporary_beside
from polecon._manifest import DEFAULT_MANIFEST as DEFAULT_MANIFEST
from polecon._manifest import FORMATS as FORMATS
from polecon._manifest import PINNED_BY as PINNED_BY
from polecon._manifest import (
    Conversion,
    Entry,
    ManifestError,
    RegistryError,
    UnknownKeyError,
    conversions,
    entries,
    entry,
    load_manifest,
    manifest_path,
)
from polecon._manifest import Manifest as Manifest
from polecon._paths import REPO_ROOT

MIRRORS_FILE = REPO_ROOT / "datasets" / "mirrors.txt"  # checkouts only; else POLECON_MIRROR

Status = Literal["cached", "mirror", "missing", "mismatch"]
Source = Literal["cache", "mirror", "url"]

_log = logging.getLogger(__name__)
_DOWNLOAD_TIMEOUT_S = 60


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
