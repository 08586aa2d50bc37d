"""The one country-mapping path of the parsers: ``canonical_codes`` and its options."""

from __future__ import annotations

import pandas as pd
import pytest

from polecon.countries import to_canonical
from polecon.sources._common import canonical_codes
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata  # the country crosswalk reads registered files

CODES = pd.Series([260, 365, 260, 255, 365, 260, 2], index=[10, 11, 12, 13, 14, 15, 16])
YEARS = pd.Series([1980, 1980, 1995, 1995, 1995, 1980, 2000], index=CODES.index)


def test_unique_equals_the_row_by_row_mapping() -> None:
    oracle = to_canonical(CODES, "cow", source="t", years=YEARS)  # the crosswalk itself
    for unique in (False, True):
        got = canonical_codes(CODES, "cow", source="t", column="c", years=YEARS, unique=unique)
        assert got.tolist() == oracle.tolist() and list(got.index) == list(CODES.index)


def test_unknown_rows_are_named_once_in_order() -> None:
    values = pd.Series(["FRA", "Atlantis", "DEU", "Atlantis"])
    rows = pd.Series([3, 5, 7, 9])
    with pytest.raises(SourceError, match="Atlantis") as exc:
        canonical_codes(values, "iso3", source="f.csv", column="c", rows=rows, unique=True)
    assert exc.value.column == "c" and exc.value.rows == [5, 9]


def test_unknown_na_keeps_the_rest() -> None:
    values = pd.Series(["FRA", "Atlantis", "DEU", "Atlantis"])
    got = canonical_codes(values, "iso3", source="f.csv", column="c", unknown="na")
    assert got.isna().tolist() == [False, True, False, True]
    assert got[[0, 2]].tolist() == to_canonical(values[[0, 2]], "iso3", source="t").tolist()
