"""Tests of the source registry: manifest, mirror accounting, verified fetching, citations.

Real-data tests use the mirror (POLECON_MIRROR, default ../shared/data) and a fresh temporary
POLECON_CACHE per test. The URL branch is exercised offline through an HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from polecon import registry
from polecon.registry import (
    ChecksumMismatchError,
    FileUnavailableError,
    ManifestError,
    RegistryError,
    UnknownKeyError,
)


def _find_mirror() -> Path | None:
    """The first mirror folder the registry would search (POLECON_MIRROR, the mirror list)
    that holds the shared data snapshot."""
    for c in registry.mirror_dirs():
        if (c / "trade" / "PROVENANCE.md").is_file():
            return c.resolve()
    return None


MIRROR = _find_mirror()
_NO_MIRROR = pytest.mark.skipif(
    MIRROR is None, reason="no mirror folder (POLECON_MIRROR, datasets/mirrors.txt) is available"
)


def realdata(test):  # noqa: ANN001, ANN201 - a decorator
    """Needs the mirror folder itself (not only fetchable files)."""
    return pytest.mark.realdata(_NO_MIRROR(test))


RAW_URL = re.compile(
    r"^https://raw\.githubusercontent\.com/(?P<repo>[^/]+/[^/]+)/(?P<commit>[0-9a-f]{40})/(?P<path>.+)$"
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _git_blob(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty cache; the real mirror; downloads forbidden."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("POLECON_CACHE", str(cache))
    monkeypatch.setenv("POLECON_MIRROR", str(MIRROR) if MIRROR else "")
    monkeypatch.setenv("POLECON_OFFLINE", "1")
    monkeypatch.delenv("POLECON_REGISTRY", raising=False)
    return cache


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def _corrupt_copy(src: Path, dst: Path, offset: int = 100) -> Path:
    """Copy ``src`` to ``dst`` with one byte changed (same size)."""
    data = bytearray(src.read_bytes())
    data[offset] ^= 0xFF
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(bytes(data))
    return dst


# --------------------------------------------------------------------------- manifest


def test_manifest_fields_and_uniqueness() -> None:
    es = registry.entries()
    # oracle: the [[file]] tables of the manifest text, counted without the parser
    text = registry.manifest_path().read_text(encoding="utf-8")
    assert len(es) == len(re.findall(r"(?m)^\[\[file\]\]\s*$", text))
    names = [e.name for e in es]
    paths = [e.path for e in es]
    assert len(set(names)) == len(names)
    assert len(set(paths)) == len(paths)
    assert not set(names) & set(paths)
    for e in es:
        assert e.filename == Path(e.path).name
        assert e.path.split("/")[0] == e.topic
        assert e.format in registry.FORMATS
        assert e.path.endswith("." + e.format), e.path
        assert e.size > 0
        assert e.licence.strip() and e.citation.strip() and e.homepage.startswith("http")
        if e.pinned_by == "web-download-snapshot":
            assert e.landing_url and e.access_date, e.name
    # only originals are registered: no file is a CSV written from something in original/
    conv_paths = {c.path for c in registry.conversions()}
    assert not conv_paths & set(paths)


def test_urls_are_pinned_raw_github_addresses() -> None:
    for e in registry.entries():
        m = RAW_URL.match(e.url)
        assert m, f"{e.name}: {e.url}"
        assert m["repo"] == e.upstream_repo
        assert m["commit"] == e.upstream_commit
        assert m["path"] == e.upstream_path


def test_entry_by_name_and_by_path_is_the_same() -> None:
    e = registry.entry("cow_trade_v4")
    assert e.path == "trade/cow_dyadic_trade_v4_directed_1870_2014.rds"
    assert registry.entry(e.path) is e
    assert e.sha256 == "b904e5dad332013c1ee68188c099902e18417ef906e9545043db30212420aeb7"


def test_unknown_key_lists_close_matches() -> None:
    with pytest.raises(UnknownKeyError, match=r"close matches: cow_trade_v4") as info:
        registry.entry("cow_trade_v5")
    assert isinstance(info.value, RegistryError)
    with pytest.raises(UnknownKeyError, match=r"no close match|polecon data list"):
        registry.entry("zzzzzzzzzzzzzzzzzzzzzzzzzz")


def test_conversion_key_points_to_its_original() -> None:
    with pytest.raises(
        UnknownKeyError, match=r"conversion.*'polity5' \(macro/original/polity5.rda\)"
    ):
        registry.fetch("macro/polity5.csv")


# --------------------------------------------------------------------------- the real mirror


@realdata
def test_every_mirror_file_is_registered_or_a_documented_conversion() -> None:
    assert MIRROR is not None
    registered = {e.path: e for e in registry.entries()}
    converted = {c.path: c for c in registry.conversions()}
    on_disk = {
        p.relative_to(MIRROR).as_posix()
        for p in MIRROR.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md"
    }
    unaccounted = sorted(on_disk - registered.keys() - converted.keys())
    assert not unaccounted, (
        f"mirror files neither registered nor listed as conversions: {unaccounted}"
    )
    absent = sorted((registered.keys() | converted.keys()) - on_disk)
    assert not absent, f"manifest rows with no file in the mirror: {absent}"
    for c in converted.values():
        original = registry.entry(c.original)
        assert c.path in original.derived_files
        assert (MIRROR / c.path).stat().st_size == c.size, c.path
        assert _sha256(MIRROR / c.path) == c.sha256, c.path


@realdata
def test_hashes_and_blobs_agree_with_provenance_and_mirror() -> None:
    assert MIRROR is not None
    provenance = {
        topic: (MIRROR / topic / "PROVENANCE.md").read_text(encoding="utf-8")
        for topic in {e.topic for e in registry.entries()}
    }
    for e in registry.entries():
        text = provenance[e.topic]
        assert _git_blob(MIRROR / e.path) == e.upstream_blob, e.name
        assert e.upstream_commit in text or e.upstream_commit[:8] in text, e.name
        if e.topic == "tests":  # that PROVENANCE.md names the commit only, not per-file hashes
            continue
        assert e.sha256 in text, f"{e.name}: sha256 not in {e.topic}/PROVENANCE.md"
        if e.name != "wto_rta_access_log":  # the only data file whose blob PROVENANCE omits
            assert e.upstream_blob in text, f"{e.name}: blob not in {e.topic}/PROVENANCE.md"
    for c in registry.conversions():
        assert c.sha256 in provenance[c.path.split("/")[0]], c.path


@realdata
def test_every_registered_file_fetches_and_verifies(cache: Path) -> None:
    es = registry.entries()
    for e in es:
        assert registry.status(e.name) == "mirror", e.name
    for e in es:
        path = registry.fetch(e.path)
        assert path == cache / e.path
        assert path.stat().st_size == e.size
        assert _sha256(path) == e.sha256, e.name
    assert len(_cache_files(cache)) == len(es)  # no temporary files left behind
    assert {registry.status(e.name) for e in es} == {"cached"}
    assert registry.fetch_with_source(es[0].name)[1] == "cache"


@realdata
def test_replicate_stage_summary(cache: Path, tmp_path: Path) -> None:
    n = len(registry.entries())
    summary = registry.replicate_stage(tmp_path / "reports")
    assert f"{n} registered files verified" in summary
    assert f"{n} copied from a mirror" in summary
    again = registry.replicate_stage(tmp_path / "reports")
    assert f"{n} already cached" in again
    assert not (tmp_path / "reports").exists()


@realdata
def test_one_byte_changed_in_a_mirror_is_refused(cache: Path, tmp_path: Path, monkeypatch) -> None:
    assert MIRROR is not None
    e = registry.entry("eu_members")
    bad_mirror = tmp_path / "bad_mirror"
    bad = _corrupt_copy(MIRROR / e.path, bad_mirror / e.path)
    monkeypatch.setenv("POLECON_MIRROR", os.pathsep.join([str(bad_mirror), str(MIRROR)]))
    assert registry.status(e.name) == "mismatch"
    with pytest.raises(ChecksumMismatchError) as info:
        registry.fetch(e.name)
    message = str(info.value)
    assert e.path in message
    assert e.sha256 in message
    assert _sha256(bad) in message
    assert str(bad) in message
    assert info.value.actual == _sha256(bad) and info.value.expected == e.sha256
    assert _cache_files(cache) == []  # nothing landed, no temporary file left

    # the same through extra_mirrors (what `polecon data fetch --mirror` uses)
    monkeypatch.setenv("POLECON_MIRROR", str(MIRROR))
    with pytest.raises(ChecksumMismatchError):
        registry.fetch(e.name, extra_mirrors=[bad_mirror])
    assert _cache_files(cache) == []


@realdata
def test_bad_mirror_does_not_displace_a_good_cache(
    cache: Path, tmp_path: Path, monkeypatch
) -> None:
    assert MIRROR is not None
    e = registry.entry("eu_members")
    good = registry.fetch(e.name)
    bad_mirror = tmp_path / "bad_mirror"
    _corrupt_copy(MIRROR / e.path, bad_mirror / e.path)
    assert registry.fetch(e.name, extra_mirrors=[bad_mirror]) == good
    assert registry.status(e.name, extra_mirrors=[bad_mirror]) == "cached"
    assert _sha256(good) == e.sha256
    assert _cache_files(cache) == [good]


@realdata
def test_tampered_cache_file_is_never_served(cache: Path, monkeypatch) -> None:
    e = registry.entry("gatt_members")
    path = registry.fetch(e.name)
    st = path.stat()
    _corrupt_copy(path, path, offset=50)  # same size, in place
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # hide the change from a stat check
    assert registry.status(e.name) == "mismatch"
    with pytest.warns(RuntimeWarning, match="failed verification"):
        repaired = registry.fetch(e.name)
    assert repaired == path and _sha256(path) == e.sha256

    # with no mirror and no download, the bad copy is removed and the error says why
    _corrupt_copy(path, path, offset=50)
    monkeypatch.setenv("POLECON_MIRROR", "")
    monkeypatch.setenv("POLECON_MIRRORS_FILE", "none")
    with pytest.warns(RuntimeWarning), pytest.raises(FileUnavailableError) as info:
        registry.fetch(e.name)
    assert "failed verification" in str(info.value) and "POLECON_OFFLINE" in str(info.value)
    assert _cache_files(cache) == []
    assert registry.status(e.name) == "missing"


def test_cite_is_a_bibtex_record() -> None:
    text = registry.cite("cow_trade_v4")
    e = registry.entry("cow_trade_v4")
    assert text.startswith("@misc{cow_trade_v4,\n") and text.endswith("}")
    assert text.count("{") == text.count("}")
    assert e.url in text and e.sha256 in text
    assert "year         = {2021}" in text
    assert "Barbieri" in text and "\\&" in text  # '&' escaped for BibTeX
    for e in registry.entries():  # every entry renders with balanced braces
        record = registry.cite(e.name)
        assert record.count("{") - record.count("\\{") == record.count("}") - record.count("\\}")


# --------------------------------------------------------------------------- fixture manifests

GOOD_BYTES = b"y,x\n1,2\n3,4\n"
OTHER_BYTES = b"y,x\n1,2\n3,5\n"


def _fixture_entry(name: str, data: bytes, url: str, **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "name": name,
        "topic": "fixture",
        "title": f"fixture file {name}",
        "path": f"fixture/{name}.csv",
        "filename": f"{name}.csv",
        "format": "csv",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "licence": "CC0",
        "citation": "Test fixture.",
        "producer": "polecon tests",
        "version": "1",
        "homepage": "https://example.org",
        "url": url,
        "pinned_by": "upstream-commit",
        "upstream_repo": "example/fixtures",
        "upstream_commit": "0" * 40,
        "upstream_date": "2020-01-01",
        "upstream_path": f"{name}.csv",
        "upstream_blob": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
    }
    row.update(overrides)
    return row


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(v)


def _write_manifest(path: Path, rows: list[dict[str, object]], conversions=()) -> Path:
    lines = ["schema_version = 1"]
    for row in rows:
        lines.append("\n[[file]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in row.items()]
    for conv in conversions:
        lines.append("\n[[conversion]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in conv.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Empty cache, no mirrors at all, downloads allowed (tests point URLs at 127.0.0.1)."""
    monkeypatch.setenv("POLECON_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("POLECON_MIRROR", "")
    monkeypatch.delenv("POLECON_OFFLINE", raising=False)
    monkeypatch.setenv("POLECON_MIRRORS_FILE", "none")
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return tmp_path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1, and its base URL."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_url_branch_downloads_verifies_and_caches(isolated: Path, http_root, monkeypatch) -> None:
    root, base = http_root
    (root / "good.csv").write_bytes(GOOD_BYTES)
    (root / "bad.csv").write_bytes(OTHER_BYTES)  # same size, one byte differs
    rows = [
        _fixture_entry("good", GOOD_BYTES, f"{base}/good.csv"),
        _fixture_entry("bad", GOOD_BYTES, f"{base}/bad.csv"),
        _fixture_entry("gone", GOOD_BYTES, f"http://127.0.0.1:{_closed_port()}/gone.csv"),
    ]
    monkeypatch.setenv("POLECON_REGISTRY", str(_write_manifest(isolated / "m.toml", rows)))
    cache = isolated / "cache"

    assert registry.status("good") == "missing"
    path, source = registry.fetch_with_source("good")
    assert source == "url" and path == cache / "fixture/good.csv"
    assert path.read_bytes() == GOOD_BYTES
    assert registry.fetch_with_source("fixture/good.csv") == (path, "cache")
    assert registry.status("good") == "cached"

    with pytest.raises(ChecksumMismatchError) as info:
        registry.fetch("bad")
    assert f"url {base}/bad.csv" in str(info.value)
    assert hashlib.sha256(OTHER_BYTES).hexdigest() in str(info.value)

    with pytest.raises(FileUnavailableError, match="download of fixture/gone.csv"):
        registry.fetch("gone")
    assert _cache_files(cache) == [path]  # nothing but the good file, no temporary leftovers

    monkeypatch.setenv("POLECON_OFFLINE", "1")
    with pytest.raises(FileUnavailableError, match="POLECON_OFFLINE"):
        registry.fetch("bad")


def test_status_reports_each_state(isolated: Path, monkeypatch) -> None:
    rows = [
        _fixture_entry(n, GOOD_BYTES, f"https://example.org/{n}.csv")
        for n in ("incache", "inmirror", "absent", "corrupt")
    ]
    monkeypatch.setenv("POLECON_REGISTRY", str(_write_manifest(isolated / "m.toml", rows)))
    mirror = isolated / "mirror"
    for name, data in (("incache", GOOD_BYTES), ("inmirror", GOOD_BYTES), ("corrupt", OTHER_BYTES)):
        (mirror / "fixture").mkdir(parents=True, exist_ok=True)
        (mirror / f"fixture/{name}.csv").write_bytes(data)
    monkeypatch.setenv("POLECON_MIRROR", str(mirror))
    registry.fetch("incache")
    assert {r["name"]: registry.status(str(r["name"])) for r in rows} == {
        "incache": "cached",
        "inmirror": "mirror",
        "absent": "missing",
        "corrupt": "mismatch",
    }


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"sha256": "abc"}, "sha256 must be 64"),
        ({"size": -1}, "'size' must be a non-negative integer"),
        ({"format": "exe"}, "format 'exe'"),
        ({"path": "fixture/../x.csv"}, "normalised relative POSIX path"),
        ({"licence": ""}, "field 'licence' is missing"),
        ({"colour": "red"}, r"unknown field\(s\) \['colour'\]"),
        ({"filename": "other.csv"}, "filename must be the last part of path"),
    ],
)
def test_malformed_manifest_rows_are_rejected(
    isolated: Path, monkeypatch, override, message
) -> None:
    row = _fixture_entry("one", GOOD_BYTES, "https://example.org/one.csv", **override)
    monkeypatch.setenv("POLECON_REGISTRY", str(_write_manifest(isolated / "m.toml", [row])))
    with pytest.raises(ManifestError, match=message) as info:
        registry.entries()
    assert "m.toml" in str(info.value) and "(one)" in str(info.value)


def test_duplicates_and_dangling_conversions_are_rejected(isolated: Path, monkeypatch) -> None:
    a = _fixture_entry("a", GOOD_BYTES, "https://example.org/a.csv")
    manifest = _write_manifest(isolated / "dup.toml", [a, dict(a)])
    monkeypatch.setenv("POLECON_REGISTRY", str(manifest))
    with pytest.raises(ManifestError, match="duplicate name 'a'"):
        registry.entries()
    conv = {
        "path": "fixture/a.parquet",
        "original": "nope",
        "format": "parquet",
        "size": 1,
        "sha256": "0" * 64,
        "method": "x",
    }
    manifest = _write_manifest(isolated / "conv.toml", [a], [conv])
    monkeypatch.setenv("POLECON_REGISTRY", str(manifest))
    with pytest.raises(ManifestError, match="unregistered original 'nope'"):
        registry.entries()
    monkeypatch.setenv("POLECON_REGISTRY", str(isolated / "absent.toml"))
    with pytest.raises(ManifestError, match="does not exist"):
        registry.entries()
