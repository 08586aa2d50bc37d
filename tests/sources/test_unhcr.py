"""refugees: UNHCR end-year stocks and annual flows by origin and asylum country."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from polecon import registry
from polecon.sources import _base, unhcr
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def refugees(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pd.DataFrame]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLECON_CACHE", str(tmp_path_factory.mktemp("polecon_cache")))
        df = _base.load("refugees", refresh=True)
        yield df


@pytest.fixture(scope="module")
def raw_population() -> pd.DataFrame:
    return pyreadr.read_r(str(registry.fetch(unhcr.POPULATION_KEY)))["population"]


def test_schema_rows_and_key(refugees: pd.DataFrame) -> None:
    assert list(refugees.columns) == unhcr.SCHEMA.names
    n = refugees.groupby("measure").size()
    assert n["stock"] == 138_893 and n["flow"] == 105_868  # every source row kept
    key = list(unhcr.SCHEMA.key)
    assert not refugees.duplicated(key).any()
    # origin is NA exactly when the group flag says it is not a country
    assert (refugees["origin"].isna() == (refugees["origin_group"] != "country")).all()
    assert (refugees["destination"].isna() == (refugees["destination_group"] != "country")).all()


def test_year_coverage(refugees: pd.DataFrame) -> None:
    years = refugees.groupby("measure")["year"].agg(["min", "max", "nunique"])
    assert tuple(years.loc["stock"]) == (1951, 2025, 75)
    assert tuple(years.loc["flow"]) == (1962, 2025, 64)


def test_known_values(refugees: pd.DataFrame) -> None:
    stock = refugees[refugees["measure"] == "stock"]
    tot = stock.groupby("year")["refugees"].sum()
    assert tot[2000] == pytest.approx(12.13e6, abs=0.01e6)  # PROVENANCE s.4
    assert tot[2024] == pytest.approx(30.96e6, abs=0.01e6)
    syr_tur = stock[
        (stock["origin"] == "SYR") & (stock["destination"] == "TUR") & (stock["year"] == 2020)
    ]
    assert syr_tur["refugees"].item() == 3_641_370
    flow = refugees[refugees["measure"] == "flow"]
    syr_deu = flow[
        (flow["origin"] == "SYR") & (flow["destination"] == "DEU") & (flow["year"] == 2015)
    ]
    assert syr_deu["asylum_seekers"].item() == 158_657
    # columns a file does not have are NaN for its rows
    assert flow["idps"].isna().all() and stock["refugee_like"].isna().all()


def test_iso_columns_not_unhcr_codes(refugees: pd.DataFrame, raw_population: pd.DataFrame) -> None:
    # UNHCR's own code for Egypt is ARE; the ISO column says EGY
    egypt = raw_population[raw_population["coo_name"] == "Egypt"]
    assert set(egypt["coo"]) == {"ARE"} and set(egypt["coo_iso"]) == {"EGY"}
    stock = refugees[refugees["measure"] == "stock"]
    assert int((stock["origin"] == "EGY").sum()) == len(egypt)


def test_exceptions_are_flagged_not_dropped(refugees: pd.DataFrame) -> None:
    g = refugees.groupby(["measure", "origin_group"]).size()
    assert g[("stock", "unknown")] == 3_552
    assert g[("stock", "stateless")] == 2_065
    assert g[("stock", "tibetan")] == 146
    assert g[("flow", "stateless")] == 814  # flows.rda writes STA / UKN
    assert g[("flow", "unknown")] == 1_512
    assert "exception" not in set(refugees["origin_group"])
    log = _base.build_log("refugees")
    assert any("stateless 2065 rows" in n for n in log["notes"])


# ----------------------------------------------------------------------------------------------
# failure tests on small malformed copies
# ----------------------------------------------------------------------------------------------
def _small(raw_population: pd.DataFrame) -> pd.DataFrame:
    df = raw_population[raw_population["year"] == 2020].head(12).reset_index(drop=True)
    return df


def _write(df: pd.DataFrame, path: Path, name: str = "population") -> Path:
    pyreadr.write_rdata(str(path), df, df_name=name)
    return path


def test_small_copy_parses(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    out = unhcr.parse(_write(_small(raw_population), tmp_path / "pop.rda"))
    assert len(out) == 12 and set(out["measure"]) == {"stock"}


def test_missing_column(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    p = _write(_small(raw_population).drop(columns="asylum_seekers"), tmp_path / "pop.rda")
    with pytest.raises(SourceError, match=r"pop\.rda, column 'asylum_seekers': missing column"):
        unhcr.parse(p)


def test_wrong_type(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    df = _small(raw_population)
    df["refugees"] = df["refugees"].map(lambda v: f"{v:.0f}")
    df.loc[6, "refugees"] = "lots"
    p = _write(df, tmp_path / "pop.rda")
    with pytest.raises(SourceError, match=r"column 'refugees': non-numeric.*'lots'.*rows: 7\]"):
        unhcr.parse(p)


def test_unknown_country(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    df = _small(raw_population)
    df.loc[3, "coa_iso"] = "QQZ"
    p = _write(df, tmp_path / "pop.rda")
    with pytest.raises(SourceError, match=r"column 'coa_iso': unknown country.*QQZ.*rows: 4\]"):
        unhcr.parse(p)


def test_duplicated_key(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    df = _small(raw_population)
    df = pd.concat([df, df.iloc[[2]]], ignore_index=True)
    p = _write(df, tmp_path / "pop.rda")
    with pytest.raises(SourceError, match=r"duplicated key.*rows: 3, 13\]"):
        unhcr.parse(p)


def test_negative_count(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    df = _small(raw_population)
    df.loc[8, "idps"] = -3.0
    p = _write(df, tmp_path / "pop.rda")
    with pytest.raises(SourceError, match=r"column 'idps': negative.*rows: 9\]"):
        unhcr.parse(p)


def test_truncated_file(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    p = _write(_small(raw_population), tmp_path / "pop.rda")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"pop\.rda: cannot read R data file"):
        unhcr.parse(p)


def test_wrong_object_and_missing_year(tmp_path: Path, raw_population: pd.DataFrame) -> None:
    p = _write(_small(raw_population), tmp_path / "x.rda", name="stocks")
    with pytest.raises(SourceError, match="expected R object 'population' or 'flows'"):
        unhcr.parse(p)
    df = _small(raw_population)
    df.loc[0, "year"] = np.nan
    p = _write(df, tmp_path / "pop.rda")
    with pytest.raises(SourceError, match=r"column 'year': missing or non-integer.*rows: 1\]"):
        unhcr.parse(p)


def test_flows_pseudo_codes(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "year": [2020.0, 2020.0, 2020.0],
            "coo_iso": ["STA", "UKN", "SYR"],
            "coa_iso": ["DEU", "DEU", "UKN"],
            "refugees": [1.0, np.nan, 3.0],
            "asylum_seekers": [np.nan, 2.0, np.nan],
            "refugee_like": [np.nan] * 3,
            "oip": [np.nan] * 3,
        }
    )
    out = unhcr.parse(_write(df, tmp_path / "flows.rda", name="flows"))
    assert out["origin_group"].tolist() == ["stateless", "unknown", "country"]
    assert out["destination_group"].tolist() == ["country", "country", "unknown"]
    assert out["origin"].isna().tolist() == [True, True, False]
    assert out["refugees"].isna().tolist() == [False, True, False]  # NA stays NA, never 0
