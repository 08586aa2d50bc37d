"""UN DESA International Migrant Stock 2020 and 2024 revisions: raw cells, series, panel, errors."""

from __future__ import annotations

import pandas as pd
import pyreadr
import pytest

from polecon.sources import BuildLog, SourceError, load
from polecon.sources import undesa_revisions as ur

from ._raw import fetch

pytestmark = pytest.mark.realdata


def _raw(series: str) -> pd.DataFrame:
    key, obj, _ = ur.REVISIONS[series]
    return pyreadr.read_r(fetch(key))[obj]


@pytest.fixture(scope="module")
def stocks() -> pd.DataFrame:
    fetch(ur.REVISIONS["undesa2024"][0])
    return load("migration_stocks")


@pytest.mark.parametrize(
    ("series", "origin", "dest", "year"),
    [
        ("undesa2020", "MEX", "USA", 1990),
        ("undesa2020", "TUR", "DEU", 2020),
        ("undesa2024", "MEX", "USA", 2024),
        ("undesa2024", "IND", "ARE", 2015),
    ],
)
def test_stock_is_female_plus_male_of_the_raw_rows(stocks, series, origin, dest, year):
    raw = _raw(series)
    want = raw.loc[(raw["from"] == origin) & (raw["geo"] == dest) & (raw["t"] == year), "n"].sum()
    got = stocks[(stocks["series"] == series) & (stocks["origin"] == origin)
                 & (stocks["destination"] == dest) & (stocks["year"] == year)]  # fmt: skip
    assert len(got) == 1 and got["stock"].iloc[0] == want


def test_revisions_are_separate_series(stocks):
    # PROVENANCE s.6-7: MEX->USA 1990 is 4,298,014 (2020 rev.) and 4,506,017 (2024 rev.)
    mex = stocks[(stocks["origin"] == "MEX") & (stocks["destination"] == "USA")]
    by = mex.set_index(["series", "year"])["stock"]
    assert by[("undesa2020", 1990)] == 4_298_014 and by[("undesa2024", 1990)] == 4_506_017
    assert by[("undesa2024", 2024)] == 11_279_561
    assert sorted(stocks.loc[stocks["series"] == "undesa2024", "year"].unique()) == list(
        ur.REVISIONS["undesa2024"][2]
    )


@pytest.mark.slow
def test_panel_runs_to_2024_with_one_column_per_series():
    from polecon.panel import build_panel

    p = build_panel(start=2019, end=2024)
    assert int(p["year"].max()) == 2024
    for col in ("migrants_ij_undesa2020", "migrants_ij_undesa2024", "migrants_ij_undesa"):
        assert col in p.columns
    cell = p[(p["i"] == "MEX") & (p["j"] == "USA") & (p["year"] == 2024)]
    assert cell["migrants_ij_undesa2024"].iloc[0] == 11_279_561
    assert pd.isna(cell["migrants_ij_undesa2020"].iloc[0])  # 2020 revision ends in 2020


@pytest.mark.parametrize(
    ("edit", "column", "row"),
    [
        (lambda df: df.drop(columns="sex"), "sex", None),
        (lambda df: df.assign(n=df["n"].astype(object).where(df.index != 2, "many")), "n", 2),
        (lambda df: df.assign(**{"from": df["from"].where(df.index != 4, "ZZZ")}), "from", 4),
    ],
    ids=["missing-column", "bad-type", "unknown-country"],
)
def test_malformed_copy_names_file_column_rows(tmp_path, monkeypatch, edit, column, row):
    key, obj, _ = ur.REVISIONS["undesa2020"]
    bad = edit(_raw("undesa2020").head(200).copy())
    path = tmp_path / "un_desa_ims2020" / "undesa_stocks_2020.rda"
    path.parent.mkdir()
    path.write_bytes(b"")
    monkeypatch.setattr(pyreadr, "read_r", lambda p: {obj: bad})
    monkeypatch.setitem(ur.REVISIONS, "undesa2020", (key, obj, tuple(sorted(set(bad["t"])))))
    with pytest.raises(SourceError) as exc:
        ur.parse(path, "undesa2020", BuildLog("migration_stocks"))
    assert "undesa_stocks_2020.rda" in str(exc.value) and exc.value.column == column
    if row is not None:
        assert exc.value.rows == [row]
