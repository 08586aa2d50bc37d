"""Test-suite configuration shared by every test folder.

Real data. A test that reads registered source files carries the ``realdata`` marker (a
decorator or a module ``pytestmark``). When every registered file is in the cache or a mirror,
such a test runs like any other and a missing file is a failure. When some are absent (no
mirror: ``POLECON_MIRROR``/``datasets/mirrors.txt`` point nowhere and ``POLECON_OFFLINE=1``),
a ``realdata`` test still runs, and is reported as *skipped* with the registry's message only
if it stops on :class:`polecon.registry.FileUnavailableError` (raised by ``registry.fetch``,
possibly wrapped by the caller). Any other exception stays a failure, so a test that needs a
file it does not mark, or a guard that hides a wrong error, is still caught. Without
``POLECON_OFFLINE`` the registry downloads absent files from their pinned URLs instead.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Generator

import pytest
from hypothesis import settings

from polecon import registry

# Property tests draw the same examples on every run (the project's runs are deterministic, and
# CI must not meet a slow or failing example by chance); set HYPOTHESIS_PROFILE=explore to search.
settings.register_profile("polecon", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "polecon"))


@functools.cache
def absent_files() -> tuple[str, ...]:
    """Registered files (mirror-relative paths) in neither the session's cache nor a mirror.

    Existence only (no hashing, no download); computed once per session.
    """
    cache = registry.cache_dir()
    mirrors = registry.mirror_dirs()
    return tuple(
        e.path
        for e in registry.entries()
        if not (cache / e.path).is_file() and not any((d / e.path).is_file() for d in mirrors)
    )


def _unavailable(exc: BaseException | None) -> registry.FileUnavailableError | None:
    """The FileUnavailableError in ``exc``'s cause/context chain, if any."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, registry.FileUnavailableError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _skip_if_unavailable(item: pytest.Item) -> Generator[None, object, object]:
    try:
        return (yield)
    except Exception as exc:
        missing = _unavailable(exc)
        if missing is not None and item.get_closest_marker("realdata") and absent_files():
            pytest.skip(f"source file not available (no mirror): {missing}")
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _skip_if_unavailable(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    return (yield from _skip_if_unavailable(item))


def pytest_report_header(config: pytest.Config) -> str:
    absent = absent_files()
    if not absent:
        return "polecon data: every registered file is in the cache or a mirror"
    return (
        f"polecon data: {len(absent)} of {len(registry.entries())} registered files in no cache or "
        f"mirror; realdata tests that need one are skipped"
    )


# --------------------------------------------------------------------------- the slow marker

SLOW_S = 5.0
_unmarked: set[str] = set()
_durations: dict[str, float] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _unmarked.update(i.nodeid for i in items if i.get_closest_marker("slow") is None)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid in _unmarked and report.when in ("setup", "call"):
        _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the tests without ``@pytest.mark.slow`` that took more than 5 s (setup + call)."""
    over = sorted(((d, n) for n, d in _durations.items() if d > SLOW_S), reverse=True)
    if over:
        terminalreporter.write_sep("-", f"tests over {SLOW_S:.0f} s without the slow marker")
        for d, n in over:
            terminalreporter.write_line(f"{d:6.1f}s {n}")
