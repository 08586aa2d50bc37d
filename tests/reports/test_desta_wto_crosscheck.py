"""analyses/desta_wto_crosscheck.py: DESTA's bilateral FTAs matched to the WTO RTA database."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from polecon import registry
from polecon.sources import wto_rta

pytestmark = pytest.mark.realdata

SCRIPT = Path(__file__).resolve().parents[2] / "analyses" / "desta_wto_crosscheck.py"


def _fetch(key: str) -> Path:
    return registry.fetch(key)  # without a mirror: FileUnavailableError -> skipped (conftest)


@pytest.fixture(scope="module")
def crosscheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("desta_wto_crosscheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wto() -> pd.DataFrame:
    return wto_rta.parse(_fetch(wto_rta.RAW_KEY))


def test_cross_check_against_desta(crosscheck, wto):
    from polecon.sources.agreements import desta

    root = "ptas/desta_v2.3/"
    agreements = desta.parse(
        _fetch(root + "desta_list_of_treaties_02_03_dyads.csv"),
        _fetch(root + "desta_list_of_treaties_02_03.csv"),
        _fetch(root + "desta_dyadic_withdrawal_02_03.csv"),
    )
    match = crosscheck.cross_check(agreements, wto)
    assert list(match.columns) == list(crosscheck.MATCH_COLUMNS)
    counts = match["match"].value_counts()
    assert counts["both"] == 306
    assert counts["desta_only"] == 306
    assert counts["wto_only"] == 41
    # one-to-one: no DESTA or WTO agreement matched twice
    both = match[match["match"] == "both"]
    assert both["desta_id"].is_unique and both["wto_id"].is_unique
    assert ((both["desta_year"] - both["wto_year"]).abs() <= 1).all()
    us_isr = both[(both["party_a"] == "ISR") & (both["party_b"] == "USA")]
    assert us_isr["desta_year"].tolist() == [1985]
    by_year = crosscheck.counts_by_year(match)
    assert by_year["desta"].sum() == 612
    assert by_year["wto"].sum() == 347
    assert by_year["both"].sum() == 306
    assert by_year.loc[2007].tolist() == [9, 11, 9]
