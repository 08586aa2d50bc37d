"""Risk sets on the real panel, checked against the raw agreement files read directly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon.panel.spells import risk_set

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
BLA = DATA / "blas" / "chilton_woda_2022" / "BLAs_Formation_Data.dta"
BITS = DATA / "bits" / "unctad_iia_navigator_2025-02" / "bits_raw.csv"


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    if not (BLA.exists() and BITS.exists()):
        pytest.skip("the mirrored agreement files (../shared/data) are absent")
    from polecon.panel import build_panel

    return build_panel(cache=True)


def _raw_blas(codes: set[int]) -> pd.DataFrame:
    """Chilton-Woda rows between two COW codes (255 = Germany and West Germany in this file)."""
    raw = pd.read_stata(BLA)
    return raw.loc[
        raw["codeA"].isin(codes) & raw["codeB"].isin(codes) & (raw["codeA"] != raw["codeB"])
    ]


def test_deu_tur_first_blma_is_the_event_row(panel: pd.DataFrame) -> None:
    first = int(_raw_blas({255, 640})["year"].min())
    assert first == 1961
    rs = risk_set(panel, "blma", covariates=False)
    pair = rs.loc[rs["pair"] == "DEU-TUR"]
    assert pair["year"].max() == first
    assert pair.loc[pair["event"] == 1, "year"].tolist() == [first]
    # at risk from the first year both states are in the COW system (German Federal Republic: 1955)
    assert pair["year"].min() == 1955


def test_bit_spells_end_at_the_first_signature(panel: pd.DataFrame) -> None:
    raw = pd.read_csv(BITS)
    bits = raw.loc[raw["type"] == "BITs"]
    deu_pak = bits.loc[bits["parties"].isin(["Germany, Pakistan", "Pakistan, Germany"])]
    first = int(pd.to_datetime(deu_pak["date_of_signature"]).dt.year.min())
    assert first == 1959
    rs = risk_set(panel, "bit", covariates=False)
    pair = rs.loc[rs["pair"] == "DEU-PAK"]
    assert pair["year"].max() == first and pair["event"].tolist()[-1] == 1
    assert pair["event"].sum() == 1
    # every pair with an event has no rows after it, and at most one event
    ev = rs.loc[rs["event"] == 1].set_index("pair")["year"]
    assert ev.index.is_unique
    last = rs.groupby("pair")["year"].max()
    assert (last.loc[ev.index] == ev).all()


def test_usa_mex_repeated_blma_events_total_the_raw_count(panel: pd.DataFrame) -> None:
    raw = _raw_blas({2, 70})
    expected = int((raw["year"] <= 2020).sum())
    assert expected == 31
    rs = risk_set(panel, "blma", repeated=True, covariates=False)
    pair = rs.loc[rs["pair"] == "MEX-USA"]
    assert int(pair["event"].sum()) == expected
    by_year = raw.groupby("year").size()
    got = pair.loc[pair["event"] > 0].set_index("year")["event"]
    assert got.to_dict() == {int(k): int(v) for k, v in by_year.items()}
