"""Yotov et al. (2016) application panel -> yotov2016 (as distributed), plus the exercises."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from polecon.registry import fetch
from polecon.sources import yotov2016 as yt
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def rda_path() -> Path:
    return fetch(yt.RAW_KEY)


@pytest.fixture(scope="module")
def panel(rda_path: Path) -> pd.DataFrame:
    return yt.parse(rda_path)


def test_shape_balanced(panel: pd.DataFrame) -> None:
    assert len(panel) == 99_981
    assert panel["exporter"].nunique() == panel["importer"].nunique() == 69
    assert sorted(panel["year"].unique()) == list(range(1986, 2007))
    assert not panel.duplicated(["exporter", "importer", "year"]).any()
    assert len(panel) == 69 * 69 * 21  # fully balanced
    assert (panel["exporter"] == panel["importer"]).sum() == 1449
    assert (panel["trade"] == 0).sum() == 8475
    assert not panel.isna().any().any()


def test_as_distributed(panel: pd.DataFrame, rda_path: Path) -> None:
    raw = pyreadr.read_r(str(rda_path))["agtpa_applications"]
    assert list(panel.columns[: len(raw.columns)]) == list(raw.columns)
    assert list(panel.columns[len(raw.columns) :]) == ["exporter_iso3", "importer_iso3"]
    np.testing.assert_array_equal(panel["trade"].to_numpy(), raw["trade"].to_numpy())
    assert "ROM" in set(panel["exporter"]) and "ROU" not in set(panel["exporter"])
    recoded = panel.loc[panel["exporter"] != panel["exporter_iso3"], ["exporter", "exporter_iso3"]]
    assert set(map(tuple, recoded.drop_duplicates().to_numpy())) == {("ROM", "ROU")}
    assert {"HKG", "MAC"} <= set(panel["exporter_iso3"])


def test_known_values(panel: pd.DataFrame) -> None:
    p = panel.set_index(["exporter", "importer", "year"])
    usa_mex = p.loc[("USA", "MEX", 2006)]
    assert usa_mex["trade"] == pytest.approx(110_334.2019, abs=1e-3)  # millions USD
    assert usa_mex["cntg"] == 1 and usa_mex["rta"] == 1
    assert p.loc[("ARG", "ARG", 1986), "trade"] == pytest.approx(61_288.590263)
    # pair_id is undirected and time-invariant
    assert p.loc[("USA", "MEX", 1990), "pair_id"] == p.loc[("MEX", "USA", 2006), "pair_id"]


def test_application1_sample(panel: pd.DataFrame) -> None:
    """The book's Application 1 sample: 28,152 rows, 25,689 positive (PROVENANCE)."""
    s = panel[panel["year"].isin(range(1986, 2007, 4)) & (panel["exporter"] != panel["importer"])]
    assert len(s) == 28_152
    assert (s["trade"] > 0).sum() == 25_689


def test_exercises() -> None:
    e1 = yt.parse_exercise1(fetch(yt.EXERCISE1_KEY))
    assert len(e1) == 25_350 and e1["exporter"].nunique() == 65
    assert sorted(e1["year"].unique()) == [1986, 1990, 1994, 1998, 2002, 2006]
    assert "wto" in e1.columns and set(e1["wto"].unique()) <= {0, 1}
    e2 = yt.parse_exercise2(fetch(yt.EXERCISE2_KEY))
    assert len(e2) == 18_928 and e2["exporter"].nunique() == 52
    assert sorted(e2["year"].unique()) == list(range(1988, 2007, 3))
    domestic = e2["exporter"] == e2["importer"]
    assert (
        e2.loc[domestic, "mfn_tariff"].isna().all()
        and e2.loc[~domestic, "mfn_tariff"].notna().all()
    )


def test_load_through_registry(monkeypatch, tmp_path: Path, panel: pd.DataFrame) -> None:
    from polecon.sources import build_log, load

    monkeypatch.setenv("POLECON_CACHE", str(tmp_path))
    df = load("yotov2016")
    pd.testing.assert_frame_equal(df, panel)
    assert any("ROM" in n for n in build_log("yotov2016")["notes"])


# ------------------------------------------------------------------------------------------
# Failure tests on small malformed copies
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small(rda_path: Path) -> pd.DataFrame:
    raw = pyreadr.read_r(str(rda_path))["agtpa_applications"]
    return raw.iloc[:20].reset_index(drop=True)


def _write(df: pd.DataFrame, path: Path) -> Path:
    pyreadr.write_rdata(str(path), df, df_name="agtpa_applications")
    return path


def _set(df: pd.DataFrame, row: int, col: str, value: object) -> pd.DataFrame:
    df = df.copy()
    if isinstance(value, str):
        df[col] = df[col].astype(object)
    df.loc[row, col] = value
    return df


def test_small_copy_parses(small: pd.DataFrame, tmp_path: Path) -> None:
    assert len(yt.parse(_write(small, tmp_path / "ok.rda"))) == 20


@pytest.mark.parametrize(
    ("mutate", "column", "rows", "fragment"),
    [
        (lambda d: d.drop(columns="dist"), "dist", [], "missing column"),
        (lambda d: _set(d, 3, "year", "1986a"), "year", [3], "expected numbers"),
        (lambda d: _set(d, 4, "importer", "XYZ"), "importer", [4], "unknown country"),
        (
            lambda d: _set(d, 6, "importer", d.loc[5, "importer"]),
            "exporter",
            [5, 6],
            "duplicated key",
        ),
        (lambda d: _set(d, 7, "trade", -1.0), "trade", [7], "negative"),
        (lambda d: _set(d, 8, "rta", 2.0), "rta", [8], "outside"),
    ],
)
def test_malformed(small, tmp_path, mutate, column, rows, fragment) -> None:
    with pytest.raises(SourceError) as err:
        yt.parse(_write(mutate(small), tmp_path / "bad.rda"))
    msg = str(err.value)
    assert "bad.rda" in msg and fragment in msg
    assert err.value.column == column
    assert err.value.rows == rows


def test_truncated(rda_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.rda"
    bad.write_bytes(rda_path.read_bytes()[:20_000])
    with pytest.raises(SourceError, match="truncated.rda: cannot read"):
        yt.parse(bad)
