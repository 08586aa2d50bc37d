"""Safety: no code execution from data, https-only manifests, no file outside the cache.

- The package never unpickles or evaluates anything (an AST scan of ``src/polecon``): data are
  read with pyreadr, pandas, pyarrow and tomllib only, and no archive is ever extracted.
- Every URL of a manifest is https (plain http only to the loopback interface, for tests).
- A file name from a manifest cannot leave the cache folder: relative, normalised POSIX paths
  only (no ``..``, no absolute path, no backslash), and a symlink inside the cache that points
  elsewhere makes the registry refuse the location instead of writing through it.
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path

import pytest

from polecon import registry
from polecon.registry import CacheError, ManifestError

SRC = Path(registry.__file__).resolve().parent
DATA = b"a,b\n1,2\n"

#: modules whose use would run code from data
UNSAFE_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
#: calls that evaluate or deserialise code, or extract archives (by attribute or name)
UNSAFE_CALLS = {
    "eval",
    "exec",
    "read_pickle",
    "to_pickle",
    "extractall",
    "extract",
    "unpack_archive",
}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [(node.module or "").split(".")[0]]
        else:
            names = []
        found += [f"{path}:{node.lineno} imports {n}" for n in names if n in UNSAFE_MODULES]
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            # ``Series.str.extract`` is a regular-expression match, not an archive extraction
            on_str = isinstance(f, ast.Attribute) and getattr(f.value, "attr", "") == "str"
            if name in UNSAFE_CALLS and not on_str:
                found.append(f"{path}:{node.lineno} calls {name}")
            for kw in node.keywords:
                if kw.arg in ("allow_pickle", "shell") and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    found.append(f"{path}:{node.lineno} passes {kw.arg}=")
            if name == "load" and getattr(getattr(f, "value", None), "id", "") == "yaml":
                found.append(f"{path}:{node.lineno} calls yaml.load")  # np.load: see allow_pickle
    return found


def test_no_pickle_eval_or_archive_extraction_in_the_package() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 20
    found = [v for f in files for v in _violations(f)]
    assert not found, found


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pickle\nimport numpy as np\nimport pandas as pd\n"
        "eval('1')\npd.read_pickle('x')\nnp.load('x', allow_pickle=True)\n"
        "import tarfile\ntarfile.open('x').extractall('.')\n"
        "s = pd.Series(['a1']).str.extract(r'(\\d)')\n",
        encoding="utf-8",
    )
    kinds = {v.split(" ", 1)[1] for v in _violations(bad)}
    assert kinds == {
        "imports pickle",
        "calls eval",
        "calls read_pickle",
        "passes allow_pickle=",
        "calls extractall",
    }


# --------------------------------------------------------------------------- manifests


def _row(**overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "name": "good",
        "topic": "fixture",
        "title": "fixture file",
        "path": "fixture/good.csv",
        "filename": "good.csv",
        "format": "csv",
        "size": len(DATA),
        "sha256": hashlib.sha256(DATA).hexdigest(),
        "licence": "CC0",
        "citation": "Test fixture.",
        "producer": "polecon tests",
        "version": "1",
        "homepage": "https://example.org",
        "url": "https://example.org/good.csv",
        "pinned_by": "upstream-commit",
        "upstream_repo": "example/fixtures",
        "upstream_commit": "0" * 40,
        "upstream_date": "2020-01-01",
        "upstream_path": "good.csv",
        "upstream_blob": hashlib.sha1(b"blob %d\0" % len(DATA) + DATA).hexdigest(),
    }
    row.update(overrides)
    return row


def _manifest(folder: Path, row: dict[str, object]) -> Path:
    lines = ["schema_version = 1", "", "[[file]]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in row.items()]
    path = folder / "registry.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache, a private mirror holding fixture/good.csv, no mirror list, offline."""
    mirror = tmp_path / "mirror"
    (mirror / "fixture").mkdir(parents=True)
    (mirror / "fixture" / "good.csv").write_bytes(DATA)
    monkeypatch.setenv("POLECON_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("POLECON_MIRROR", str(mirror))
    monkeypatch.setenv("POLECON_MIRRORS_FILE", "none")
    monkeypatch.setenv("POLECON_OFFLINE", "1")
    return tmp_path


def _use(sandbox: Path, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> None:
    monkeypatch.setenv("POLECON_REGISTRY", str(_manifest(sandbox, _row(**overrides))))


def test_the_fixture_manifest_is_valid(sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use(sandbox, monkeypatch)
    assert registry.fetch("good").read_bytes() == DATA


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "http://example.org/good.csv"),
        ("url", "ftp://example.org/good.csv"),
        ("url", "file:///etc/passwd"),
        ("url", "doi:10.1000/xyz/good.csv"),
        ("url", "https://"),
        ("homepage", "http://example.org"),
        ("landing_url", "http://example.org/download"),
    ],
)
def test_manifest_urls_must_be_https(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: str
) -> None:
    _use(sandbox, monkeypatch, **{field: value})
    with pytest.raises(ManifestError, match=f"{field} .* must be an https:// URL"):
        registry.entries()


def test_every_registered_url_is_https() -> None:
    for e in registry.entries():
        for url in (e.url, e.homepage, e.landing_url):
            assert url is None or url.startswith("https://"), (e.name, url)


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/x",
        "fixture/../../etc/x",
        "/etc/x",
        "fixture/./good.csv",
        "fixture//good.csv",
        "fixture\\..\\..\\x",
    ],
)
def test_manifest_paths_cannot_leave_the_cache(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _use(sandbox, monkeypatch, path=path, filename=path.replace("\\", "/").rsplit("/", 1)[-1])
    with pytest.raises(ManifestError):
        registry.entries()
    assert not (sandbox / "cache").exists()


def test_a_symlink_in_the_cache_is_not_written_through(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(sandbox, monkeypatch)
    outside = sandbox / "outside"
    outside.mkdir()
    (sandbox / "cache").mkdir()
    (sandbox / "cache" / "fixture").symlink_to(outside, target_is_directory=True)
    with pytest.raises(CacheError, match="leaves the cache folder"):
        registry.fetch("good")
    with pytest.raises(CacheError, match="leaves the cache folder"):
        registry.status("good")
    assert list(outside.iterdir()) == []


def test_a_symlinked_cache_file_is_not_served(
    sandbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(sandbox, monkeypatch)
    elsewhere = sandbox / "elsewhere.csv"
    elsewhere.write_bytes(DATA)
    (sandbox / "cache" / "fixture").mkdir(parents=True)
    (sandbox / "cache" / "fixture" / "good.csv").symlink_to(elsewhere)
    with pytest.raises(CacheError):
        registry.fetch("good")


def test_a_symlinked_cache_root_is_fine(sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache folder itself may be a link (e.g. ~/.cache on another disk)."""
    _use(sandbox, monkeypatch)
    real = sandbox / "real-cache"
    real.mkdir()
    (sandbox / "link-cache").symlink_to(real, target_is_directory=True)
    monkeypatch.setenv("POLECON_CACHE", str(sandbox / "link-cache"))
    assert registry.fetch("good").read_bytes() == DATA
    assert (real / "fixture" / "good.csv").read_bytes() == DATA


def test_table_names_cannot_name_a_file() -> None:
    from polecon.sources import load

    with pytest.raises(KeyError, match="unknown table"):
        load("../../etc/passwd")
