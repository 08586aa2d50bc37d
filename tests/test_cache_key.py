"""Canonical-table cache keys cover every input (issue 11 A).

A table's key covers its own raw files, the raw files of the country layer (every table maps
countries), each as pinned in the registry manifest, and the keys of the tables it depends on.
The country layer's declaration (``COUNTRY_FILES``) is checked against what its readers open.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from polecon import registry
from polecon.countries import blocs, crosswalk, succession, system
from polecon.countries.blocs import COUNTRY_FILES
from polecon.sources import _base
from polecon.sources._schema import Column, Schema

CODELIST = "codes/countrycode_codelist.csv"
MIGRATION = "migration/un_desa_ims2019_bilateral_stocks_wide.csv"
COUNTRY_MODULES = (crosswalk, blocs, system, succession)


def _keys() -> dict[str, str]:
    keys = {}
    for name in _base.available_tables():
        spec = _base.table_spec(name)
        keys[name] = _base._cache_key(spec, dict(spec.default_options))
    return keys


def _path(key: str) -> str:
    return registry.entry(key).path


def _repin(tmp_path: Path, path: str) -> Path:
    """A copy of the manifest in use in which only the sha256 of the entry ``path`` differs."""
    text = registry.manifest_path().read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=\[\[)", text)
    hits = [i for i, b in enumerate(blocks) if re.search(rf'(?m)^path = "{re.escape(path)}"$', b)]
    assert len(hits) == 1, f"{path}: {len(hits)} manifest blocks"
    old = tomllib.loads(blocks[hits[0]].replace("[[file]]", "", 1))["sha256"]
    new = format((int(old, 16) + 1) % 16**64, "064x")
    blocks[hits[0]], n = re.subn(rf'(?m)^sha256 = "{old}"$', f'sha256 = "{new}"', blocks[hits[0]])
    assert n == 1
    out = tmp_path / "registry.toml"
    out.write_text("".join(blocks), encoding="utf-8")
    return out


def _use_manifest(monkeypatch: pytest.MonkeyPatch, manifest: Path) -> None:
    monkeypatch.setenv("POLECON_REGISTRY", str(manifest))
    assert registry.load_manifest().source == manifest  # memoised per path: no stale copy


# --------------------------------------------------------------------------- (a), (b)


def test_codelist_pin_changes_every_table_key(tmp_path, monkeypatch) -> None:
    before, pinned = _keys(), _base._raw_sha256(CODELIST)
    _use_manifest(monkeypatch, _repin(tmp_path, CODELIST))
    assert _base._raw_sha256(CODELIST) != pinned
    after = _keys()
    assert after["agreements"] != before["agreements"]
    # every table maps countries (no table is free of codes), so every key must change
    assert sorted(n for n in before if before[n] == after[n]) == []


@pytest.mark.parametrize("path", sorted({_path(k) for k in COUNTRY_FILES}))
def test_each_country_file_pin_changes_the_agreements_key(tmp_path, monkeypatch, path) -> None:
    spec = _base.table_spec("agreements")
    before = _base._cache_key(spec, dict(spec.default_options))
    _use_manifest(monkeypatch, _repin(tmp_path, path))
    assert _base._cache_key(spec, dict(spec.default_options)) != before


def test_unrelated_pin_leaves_the_agreements_key(tmp_path, monkeypatch) -> None:
    agreements = _base.table_spec("agreements")
    read = {_path(k) for k in (*agreements.raw, *COUNTRY_FILES)}
    migration = _base.table_spec("migration_stocks")
    unrelated = next(_path(k) for k in migration.raw if _path(k) not in read)
    before = _keys()
    _use_manifest(monkeypatch, _repin(tmp_path, unrelated))
    after = _keys()
    assert after["agreements"] == before["agreements"]
    assert after["migration_stocks"] != before["migration_stocks"]  # the edit did take effect


# --------------------------------------------------------------------------- depends

TOY = Schema("toy", (Column("x", "int", "x", nullable=False),), key=("x",))


@pytest.fixture
def toys(tmp_path, monkeypatch) -> Iterator[Callable[..., None]]:
    monkeypatch.setattr(_base, "cache_dir", lambda: tmp_path / "tables")
    names: list[str] = []

    def register(name: str, build: Callable[..., pd.DataFrame], **kw) -> None:
        names.append(name)
        kw.setdefault("raw", ())
        _base.register_table(name, schema=TOY, citation="toy", **kw)(build)

    yield register
    for name in names:
        _base._TABLES.pop(name, None)


def _const(raw, log) -> pd.DataFrame:
    return pd.DataFrame({"x": [1, 2]})


def test_dependency_keys_are_in_the_key(toys, tmp_path, monkeypatch) -> None:
    toys("toy_base", _const, raw=(MIGRATION,))
    toys("toy_top", _const, depends=("toy_base",))
    toys("toy_alone", _const)
    top, alone = _base.table_spec("toy_top"), _base.table_spec("toy_alone")
    before = (_base._cache_key(top, {}), _base._cache_key(alone, {}))
    _use_manifest(monkeypatch, _repin(tmp_path, MIGRATION))
    assert _base._cache_key(top, {}) != before[0]
    assert _base._cache_key(alone, {}) == before[1]


def test_dependency_cycle_is_refused(toys) -> None:
    toys("toy_a", _const, depends=("toy_b",))
    toys("toy_b", _const, depends=("toy_a",))
    with pytest.raises(RuntimeError, match="cycle"):
        _base._cache_key(_base.table_spec("toy_a"), {})


def test_builder_may_load_only_declared_tables(toys) -> None:
    def top(raw, log) -> pd.DataFrame:
        return _base.load("toy_base").assign(x=lambda d: d["x"] * 10)

    toys("toy_base", _const)
    toys("toy_declared", top, depends=("toy_base",))
    toys("toy_undeclared", top)
    assert _base.load("toy_declared")["x"].tolist() == [10, 20]
    with pytest.raises(RuntimeError, match="does not declare"):
        _base.load("toy_undeclared", refresh=True)
    assert _base.load("toy_base")["x"].tolist() == [1, 2]  # outside a build: unrestricted


# --------------------------------------------------------------------------- (c) declaration


def test_country_reader_refuses_an_undeclared_key() -> None:
    with pytest.raises(RuntimeError, match="not declared"):
        crosswalk._fetch("macro/original/pwt10.01.rda")
    with pytest.raises(RuntimeError, match="not declared"):
        crosswalk._read_r(blocs.EUSTATES_KEY)  # declared for blocs, not for the crosswalk


def _clear_country_caches() -> None:
    for module in COUNTRY_MODULES:
        for obj in vars(module).values():
            if callable(getattr(obj, "cache_clear", None)):
                obj.cache_clear()


@pytest.fixture
def opened(monkeypatch) -> Iterator[set[str]]:
    """Mirror-relative paths of every registered file resolved (fetched) meanwhile."""
    seen: set[str] = set()
    resolve = registry._resolve

    def recording(e, *args, **kwargs):
        seen.add(e.path)
        return resolve(e, *args, **kwargs)

    _clear_country_caches()
    monkeypatch.setattr(registry, "_resolve", recording)
    yield seen
    _clear_country_caches()  # nothing read through the patch stays memoised


@pytest.mark.realdata
def test_country_files_are_exactly_what_the_readers_open(opened) -> None:
    readers = [
        obj
        for module in COUNTRY_MODULES
        for obj in vars(module).values()
        if callable(getattr(obj, "cache_clear", None))
        and getattr(obj, "__module__", "").startswith("polecon.countries")
        and all(
            p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            for p in inspect.signature(obj).parameters.values()
        )
    ]
    assert crosswalk.codelist in readers and blocs.bloc_members in readers
    for reader in readers:  # every memoised table of the country layer, built from scratch
        reader()
    for scheme, value in (("unctad_name", "Germany"), ("cw_name", "Germany"), ("iso2", "DE")):
        crosswalk.to_canonical(pd.Series([value]), scheme, source="test")
    assert opened == {_path(k) for k in COUNTRY_FILES}


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("name", list(_base.TABLE_MODULES))
def test_table_build_opens_only_declared_files(name, opened, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(_base, "cache_dir", lambda: tmp_path / "tables")
    spec = _base.table_spec(name)
    declared, todo = {_path(k) for k in COUNTRY_FILES}, [spec]
    while todo:
        s = todo.pop()
        declared |= {_path(k) for k in s.raw}
        todo += [_base.table_spec(d) for d in s.depends]
    _base.load(name, refresh=True)
    assert opened - declared == set()
