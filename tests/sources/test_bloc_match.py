"""The ``bloc_match`` threshold of the DESTA parser (option of the ``agreements`` table).

The Jaccard similarities of DESTA's membership groups with the signing blocs are computed
from the raw treaty list (``mc`` group codes, ``c`` ISO-numeric members) and the bloc
membership table; the test pins every partial match that ``BLOC_MATCH``'s documentation names
and shows which agreements the threshold moves between ``bfta`` and ``pta``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from polecon import registry
from polecon.sources.agreements import _desta_parties, desta

pytestmark = pytest.mark.realdata

LIST = "ptas/desta_v2.3/desta_list_of_treaties_02_03.csv"
EC6 = {"BEL", "DEU", "FRA", "ITA", "LUX", "NLD"}


@pytest.fixture(scope="module")
def groups(monkeypatch_module: pytest.MonkeyPatch) -> tuple[pd.DataFrame, list]:
    calls: list[tuple[frozenset[str], float, str | None, float]] = []
    orig = desta.bloc_jaccard

    def spy(codes: set[str], year: float) -> tuple[str | None, float]:
        bloc, j = orig(codes, year)
        calls.append((frozenset(codes), year, bloc, j))
        return bloc, j

    # count_parties (re-exported by desta) looks bloc_jaccard up in the module that defines it
    monkeypatch_module.setattr(_desta_parties, "bloc_jaccard", spy)
    path = registry.fetch(LIST)
    lst = desta.read_desta_csv(path, desta.LIST_COLUMNS)
    parties = desta.count_parties(lst, "list")
    return lst, parties, calls


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_partial_matches_are_the_documented_ones(groups) -> None:
    _, _, calls = groups
    assert len(calls) == 215
    exact = [c for c in calls if c[3] == 1.0]
    partial = [c for c in calls if 0 < c[3] < 1 and c[3] > 0.5]
    assert len(exact) == 119 and len(partial) == 23
    fractions = sorted(Fraction(c[3]).limit_denominator(100) for c in partial)
    expected = sorted(
        [Fraction(2, 3)] * 9
        + [Fraction(3, 4)]
        + [Fraction(4, 5)] * 3
        + [Fraction(6, 7)] * 3
        + [Fraction(7, 8), Fraction(9, 10)]
        + [Fraction(27, 28)] * 5
    )
    assert fractions == expected
    # nothing between 2/3 and 3/4: any threshold in (2/3, 3/4] classifies every group alike
    assert not [c for c in calls if Fraction(2, 3) < Fraction(c[3]).limit_denominator(100) < 0.75]
    # the nine 2/3 groups are the EC6 with the three states that acceded on 1 Jan 1973
    for codes, year, bloc, j in calls:
        if abs(j - 2 / 3) < 1e-12:
            assert (bloc, int(year)) == ("EU", 1972)
            assert codes == EC6 | {"DNK", "GBR", "IRL"}


def test_threshold_moves_only_the_1972_groups(groups) -> None:
    """The bug fixed by the default 0.5: at the former 0.75 the EC's 1972 agreements, whose
    DESTA group lists the EC6 with the three acceding states, counted each member."""
    lst, default, _ = groups
    assert desta.BLOC_MATCH == 0.5
    old = desta.count_parties(lst, "list", bloc_match=0.75)
    changed = default.index[(default["n_parties"] != old["n_parties"]).to_numpy()]
    assert sorted(changed.tolist()) == [85, 278, 303, 309, 313, 321, 338, 349, 350]
    titles = default.loc[changed, "title"].tolist()
    assert "Austria EC" in titles and "EC Switzerland Liechtenstein" in titles
    base = lst[lst["entry_type"] == "base_treaty"].copy()
    base["base_treaty"] = pd.to_numeric(base["base_treaty"])
    years = base.set_index("base_treaty").loc[changed, "year"].astype(int)
    assert set(years) == {1972}
    # the Community as one party: EC + one state (bfta), EC + CHE + LIE (three parties)
    assert default.loc[changed, "n_parties"].tolist() == [2] * 8 + [3]
    assert old.loc[changed, "n_parties"].tolist() == [10] * 8 + [11]
    # any threshold in (0.3, 2/3] gives the default's counts
    for t in (0.31, 0.6, 2 / 3 - 1e-9):
        other = desta.count_parties(lst, "list", bloc_match=t)
        np.testing.assert_array_equal(
            other["n_parties"].to_numpy(), default["n_parties"].to_numpy()
        )


def test_option_is_validated() -> None:
    from polecon.sources import load

    with pytest.raises(ValueError, match="bloc_match must be in"):
        load("agreements", bloc_match=1.5)
