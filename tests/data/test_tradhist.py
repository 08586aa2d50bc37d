"""West German trade from CEPII TRADHIST: raw cells, panel fill, source flags, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from polecon.panel.dyads import dyad_years
from polecon.panel.flows import add_trade
from polecon.sources import BuildLog, SourceError, load
from polecon.sources import tradhist as th
from polecon.sources.cepii import read_rda

from ._raw import fetch

pytestmark = pytest.mark.realdata


def _raw() -> pd.DataFrame:
    df = pd.read_csv(fetch(th.RAW_KEY), sep=";")
    df.columns = [c.strip() for c in df.columns]
    return df


def _xr() -> pd.Series:
    pwt = read_rda(fetch(th.PWT_KEY))
    g = pwt[pwt["isocode"].astype(str) == "GBR"]
    return pd.Series(g["xr"].to_numpy(dtype=float), index=g["year"].astype(int).to_numpy())


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    fetch(th.RAW_KEY)
    return load("tradhist_deu")


def test_cells_equal_the_raw_file_over_the_gbr_rate(table):
    raw, xr = _raw(), _xr()
    t = table.set_index(["exporter", "importer", "year"])
    for partner, year in (("ITA", 1965), ("TUR", 1970), ("USA", 1980)):
        r = raw[(raw["origin_country_code"] == "DEU") & (raw["destination_country_code"] == partner)
                & (raw["year"] == year)].iloc[0]  # fmt: skip
        assert t.at[("DEU", partner, year), "value_usd"] == pytest.approx(r["exports"] / xr[year])
        assert t.at[(partner, "DEU", year), "value_usd"] == pytest.approx(r["imports"] / xr[year])
    # PROVENANCE s.6 spot value: DEU imports from USA 1980 = 14,162 million USD
    assert t.at[("USA", "DEU", 1980), "value_usd"] / 1e6 == pytest.approx(14162, abs=0.5)


def test_panel_fills_west_german_dyads_with_a_source_flag(table):
    trade = load("trade_flows")
    panel = add_trade(dyad_years(1960, 1989, system="cow"), trade, fill=table)
    deu = panel[(panel["i"] == "DEU") & panel["exports_ij"].notna()]
    per_year = deu.groupby("year")["j"].nunique()
    assert len(per_year) == 30 and per_year.min() >= 90
    raw, xr = _raw(), _xr()
    for partner in ("ITA", "TUR", "ESP"):
        r = raw[(raw["origin_country_code"] == "DEU") & (raw["destination_country_code"] == partner)
                & (raw["year"] == 1965)].iloc[0]  # fmt: skip
        cell = panel[(panel["i"] == "DEU") & (panel["j"] == partner) & (panel["year"] == 1965)]
        assert cell["exports_ij"].iloc[0] == pytest.approx(r["exports"] / xr[1965], rel=0.05)
        assert cell["exports_ij_source"].iloc[0] == "tradhist"
    # COW's own West German cells (Belgium) keep their source; non-German cells are never filled
    bel = panel[(panel["i"] == "DEU") & (panel["j"] == "BEL") & (panel["year"] == 1965)]
    assert bel["exports_ij_source"].iloc[0] == "cow"
    other = panel[(panel["i"] != "DEU") & (panel["j"] != "DEU")]
    assert not (other["exports_ij_source"] == "tradhist").any()
    flag = panel["exports_ij_source"]
    assert (flag.isna() == np.isnan(panel["exports_ij"].to_numpy())).all()


def _copy(tmp_path: Path) -> dict[str, Path]:
    raw = {}
    for key in (th.RAW_KEY, th.PWT_KEY):
        src = fetch(key)
        dst = tmp_path / Path(key).parent.name / Path(key).name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if key == th.RAW_KEY:
            shutil.copy(src, dst)
        else:
            dst = src
        raw[key] = dst
    return raw


def _edit(path: Path, edit) -> None:
    df = pd.read_csv(path, sep=";", dtype=str)
    df.columns = [c.strip() for c in df.columns]
    edit(df)
    df.to_csv(path, sep=";", index=False)


@pytest.mark.parametrize(
    ("edit", "column", "row"),
    [
        (lambda df: df.pop("exports"), "exports", None),
        (
            lambda df: df.__setitem__("imports", df["imports"].where(df.index != 11, "1,5e3x")),
            "imports",
            11,
        ),
        (
            lambda df: df.__setitem__(
                "destination_country_code",
                df["destination_country_code"].where(
                    ~(
                        (df["origin_country_code"] == "DEU")
                        & (df.index == df.index[df["origin_country_code"] == "DEU"][0])
                    ),
                    "XYZ",
                ),
            ),
            "destination_country_code",
            "first DEU row",
        ),
    ],
    ids=["missing-column", "bad-type", "unknown-country"],
)
def test_malformed_copy_names_file_column_rows(tmp_path, edit, column, row):
    raw = _copy(tmp_path)
    _edit(raw[th.RAW_KEY], edit)
    with pytest.raises(SourceError) as exc:
        th.build(raw, BuildLog("tradhist_deu"))
    assert "tradeflow_xx.csv" in str(exc.value) and exc.value.column == column
    if row == "first DEU row":
        first = pd.read_csv(raw[th.RAW_KEY], sep=";")
        assert exc.value.rows == [int(first.index[first["origin_country_code"] == "DEU"][0])]
    elif row is not None:
        assert exc.value.rows == [row]
