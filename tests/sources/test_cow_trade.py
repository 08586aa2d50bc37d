"""COW Dyadic Trade 4.0 (directed) -> trade_flows: flow direction, units, NA, codes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from polecon.registry import fetch
from polecon.sources import cow_trade as ct
from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="session")
def cow_path() -> Path:
    return fetch(ct.RAW_KEY)


@pytest.fixture(scope="session")
def raw(cow_path: Path) -> pd.DataFrame:
    return ct.read_raw(cow_path)


@pytest.fixture(scope="session")
def parsed(cow_path: Path) -> tuple[pd.DataFrame, BuildLog]:
    log = BuildLog("trade_flows")
    return ct.parse(cow_path, log=log), log


@pytest.fixture(scope="session")
def flows(parsed) -> pd.DataFrame:
    return parsed[0].set_index(["exporter", "importer", "year"]).sort_index()


def _raw_row(raw: pd.DataFrame, c1: int, c2: int, year: int) -> pd.Series:
    sel = raw[(raw["ccode1"] == c1) & (raw["ccode2"] == c2) & (raw["year"] == year)]
    assert len(sel) == 1
    return sel.iloc[0]


# ------------------------------------------------------------------------------------------
# Which of flow1/flow2 is which
# ------------------------------------------------------------------------------------------


def test_flow1_is_imports_of_ccode1_from_ccode2(raw: pd.DataFrame) -> None:
    """flow1(2, 70, 2000) = 135,080 = US imports from Mexico (PROVENANCE spot check)."""
    us_mx = _raw_row(raw, 2, 70, 2000)
    assert us_mx["flow1"] == 135080 and us_mx["flow2"] == 140288
    # Oil: Japan and the US import far more from Saudi Arabia than they export to it (1980).
    # Only the reading "flow1 = imports of ccode1 from ccode2" makes flow1 the larger flow.
    for importer in (740, 2):
        row = _raw_row(raw, importer, 670, 1980)
        assert row["flow1"] > 2 * row["flow2"]
    assert _raw_row(raw, 740, 670, 1980)["flow1"] == 19623


def test_each_flow_appears_once(raw: pd.DataFrame, parsed) -> None:
    """flow2(i, j) == flow1(j, i) is checked by read_raw; the table keeps flow1 only."""
    out = parsed[0]
    assert len(out) == len(raw) - 4  # the four Yemen-1990 collision rows
    assert out["value_usd"].sum() == pytest.approx(raw["flow1"].sum() * 1e6)


def test_known_values(flows: pd.DataFrame) -> None:
    assert flows.loc[("MEX", "USA", 2000), "value_usd"] == 135_080e6
    assert flows.loc[("MEX", "USA", 1990), "value_usd"] == 30_797e6
    assert flows.loc[("MEX", "USA", 2010), "value_usd"] == 231_924e6
    assert flows.loc[("MEX", "USA", 2014), "value_usd"] == 294_157e6
    assert flows.loc[("CAN", "USA", 2014), "value_usd"] == 346_063e6
    assert flows.loc[("USA", "MEX", 2000), "value_usd"] == 140_288e6
    assert flows.loc[("SAU", "JPN", 1980), "value_usd"] == 19_623e6
    row = flows.loc[("MEX", "USA", 2000)]
    assert row["ccode_exporter"] == 70 and row["ccode_importer"] == 2


def test_world_totals(parsed) -> None:
    out = parsed[0]
    by_year = out.groupby("year")["value_usd"].sum()
    assert by_year[2000] == pytest.approx(6.39e12, rel=0.005)
    assert by_year[2014] == pytest.approx(18.26e12, rel=0.005)


# ------------------------------------------------------------------------------------------
# Rows, keys, coverage, NA
# ------------------------------------------------------------------------------------------


def test_rows_keys_years(parsed, raw) -> None:
    out = parsed[0]
    assert len(raw) == 1_347_308
    assert len(out) == 1_347_304
    assert not out.duplicated(["exporter", "importer", "year"]).any()
    assert out["year"].min() == 1870 and out["year"].max() == 2014
    rows = out.groupby("year").size()
    assert rows[1870] == 146 and rows[1913] == 722 and rows[1950] == 4882
    assert rows[2000] == 29_814 and rows[2014] == 30_280
    assert (out["exporter"] != out["importer"]).all()
    assert out["exporter"].nunique() == 193  # 196 COW codes: 255+260 DEU, 730+732 KOR, 678+679 YEM
    assert raw["ccode1"].nunique() == 196


def test_missing_stays_missing_zero_stays_zero(parsed, raw) -> None:
    out = parsed[0]
    assert raw["flow1"].isna().sum() == 50_833
    assert raw["flow1"].min() >= 0
    # two of the four dropped Yemen-1990 rows were NaN, two were 0
    assert out["value_usd"].isna().sum() == 50_831
    assert (out["value_usd"] == 0).sum() == (raw["flow1"] == 0).sum() - 2 == 733_162


def test_country_codes(flows: pd.DataFrame, parsed) -> None:
    out = parsed[0]
    deu = out[out["exporter"] == "DEU"].groupby("year")["ccode_exporter"].unique()
    assert list(deu[1989]) == [260] and list(deu[1991]) == [255] and list(deu[1930]) == [255]
    kor = out[out["exporter"] == "KOR"].groupby("year")["ccode_exporter"].unique()
    assert list(kor[1900]) == [730] and list(kor[2000]) == [732]
    codes = out.drop_duplicates("ccode_exporter").set_index("ccode_exporter")["exporter"]
    assert codes[345] == "SRB" and codes[365] == "RUS" and codes[265] == "DDR"
    assert codes[678] == "YEM" and codes[679] == "YEM" and codes[680] == "YMD"
    assert codes[817] == "RVN" and codes[315] == "CSK"
    assert codes[347] == "XKX"


def test_vietnam(parsed, cow_path: Path) -> None:
    """COW 816 carries South Vietnam's series in 1960-1975 (817 stops in 1959)."""
    out = parsed[0]
    vn = out[out["ccode_exporter"] == 816].groupby("exporter")["year"].agg(["min", "max"])
    assert vn.loc["RVN"].tolist() == [1960, 1975] and vn.loc["VNM"].tolist() == [1976, 2014]
    rvn = out[out["exporter"] == "RVN"].groupby("ccode_exporter")["year"].agg(["min", "max"])
    assert rvn.loc[817].tolist() == [1954, 1959]
    f = out.set_index(["exporter", "importer", "year"])["value_usd"]
    assert f[("USA", "RVN", 1959)] == 58e6 and f[("USA", "RVN", 1960)] == 61e6
    assert f[("USA", "RVN", 1974)] == 675e6 and f[("USA", "VNM", 1976)] == 1e6
    as_coded = ct.parse(cow_path, vietnam_1960_1975="vnm")
    assert (as_coded.loc[as_coded["ccode_exporter"] == 816, "exporter"] == "VNM").all()
    assert len(as_coded) == len(out)


def test_log(parsed) -> None:
    log = parsed[1]
    assert len(log.drops) == 1 and log.drops[0]["rows"] == 4
    assert all("678" in v and "1990" in v for v in log.drops[0]["values"])
    coverage = next(n for n in log.notes if "years with rows" in n)
    assert "260->DEU: 1955-1990" in coverage and "730->KOR: 1888-1889,1891-1905" in coverage
    assert "816->RVN: 1960-1975" in coverage and "816->VNM: 1976-2014" in coverage
    assert any("relabelled RVN" in n for n in log.notes)
    assert "345->SRB: 1878-1879,1881-1912,1919-1941,1944-1996" in coverage


def test_load_through_registry(monkeypatch, tmp_path: Path, parsed) -> None:
    from polecon.sources import build_log, load

    monkeypatch.setenv("POLECON_CACHE", str(tmp_path))
    df = load("trade_flows")
    pd.testing.assert_frame_equal(df, parsed[0].reset_index(drop=True))
    assert build_log("trade_flows")["drops"][0]["rows"] == 4


# ------------------------------------------------------------------------------------------
# Failure tests on small malformed copies
# ------------------------------------------------------------------------------------------


def _small() -> pd.DataFrame:
    """Three directed dyads (both orderings), two years: 12 rows in the raw layout."""
    rows = []
    flows = {(2, 70): (10.0, 20.0), (2, 20): (30.0, np.nan), (20, 70): (0.0, 1.5)}
    for year in (2000, 2001):
        for (a, b), (f1, f2) in flows.items():
            rows.append((a, b, year, f1, f2, f1, f2))
            rows.append((b, a, year, f2, f1, f2, f1))
    return pd.DataFrame(rows, columns=list(ct.RAW_COLUMNS)).astype(float)


def _write(df: pd.DataFrame, path: Path) -> Path:
    pyreadr.write_rds(str(path), df)
    return path


def test_small_copy_parses(tmp_path: Path) -> None:
    out = ct.parse(_write(_small(), tmp_path / "ok.rds")).set_index(
        ["exporter", "importer", "year"]
    )
    assert len(out) == 12
    assert out.loc[("MEX", "USA", 2000), "value_usd"] == 10e6
    assert np.isnan(out.loc[("USA", "CAN", 2001), "value_usd"])  # missing stays missing
    assert out.loc[("MEX", "CAN", 2000), "value_usd"] == 0.0  # zero stays zero


def _mutate(df: pd.DataFrame, row: int, **values: object) -> pd.DataFrame:
    df = df.copy()
    for k, v in values.items():
        if isinstance(v, str):
            df[k] = df[k].astype(object)
        df.loc[row, k] = v
    return df


@pytest.mark.parametrize(
    ("make", "column", "rows", "fragment"),
    [
        (lambda: _small().drop(columns="flow2"), "flow2", [], "missing column"),
        (lambda: _mutate(_small(), 3, ccode2="Mexico"), "ccode2", [3], "expected numbers"),
        (lambda: _mutate(_small(), 4, flow1=-5.0), "flow1", [4], "negative flow"),
        (lambda: _mutate(_small(), 5, ccode2=20.0, ccode1=2.0), "ccode1", [2, 5], "duplicated key"),
        (lambda: _mutate(_small(), 0, flow2=99.0), "flow2", [0], "differs from the reverse"),
        (lambda: _mutate(_small(), 2, year=1700.0), "year", [2], "year outside"),
        (lambda: _mutate(_small(), 2, year=np.inf), "year", [2], "infinite"),  # not cast
    ],
)
def test_malformed(tmp_path: Path, make, column, rows, fragment) -> None:
    path = _write(make(), tmp_path / "bad.rds")
    with pytest.raises(SourceError) as err:
        ct.parse(path)
    msg = str(err.value)
    assert "bad.rds" in msg and fragment in msg
    assert err.value.column == column
    assert err.value.rows == rows


def test_unknown_country(tmp_path: Path) -> None:
    df = _small()
    df.loc[df["ccode1"] == 20, "ccode1"] = 1.0  # COW has no code 1
    df.loc[df["ccode2"] == 20, "ccode2"] = 1.0
    with pytest.raises(SourceError) as err:
        ct.parse(_write(df, tmp_path / "unknown.rds"))
    assert "unknown.rds" in str(err.value) and "'1'" in str(err.value)
    assert err.value.column == "ccode1/ccode2"
    assert err.value.rows == list(np.flatnonzero((df["ccode1"] == 1) | (df["ccode2"] == 1)))


def test_truncated(cow_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.rds"
    bad.write_bytes(cow_path.read_bytes()[:100_000])
    with pytest.raises(SourceError, match="truncated.rds: cannot read"):
        ct.parse(bad)
