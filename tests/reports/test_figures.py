"""Figures: exact data behind them (hand-built and raw-file oracles), deterministic bytes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from polecon.reports import figures as fg

MIRROR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CW_FORMATION = MIRROR / "blas" / "chilton_woda_2022" / "BLAs_Formation_Data.dta"


def agreements() -> pd.DataFrame:
    rows = [  # agreement_id, type, party_a, party_b, signed
        ("a", "bit", "DEU", "PAK", "1959-11-25"),
        ("b", "bit", "CHE", "TUN", "1961-01-02"),
        ("c", "pta", "BEL", "FRA", "1957-03-25"),
        ("c", "pta", "DEU", "GRC", "1961-07-09"),  # accession: counted once, at 1957
        ("d", "blma", "BEL", "ITA", "1946-06-20"),
        ("e", "blma", "FRA", "POL", "1919-09-03"),  # before the span: cumulative only
        ("f", "blma", "DEU", "ITA", None),  # undated: left out, counted in attrs
    ]
    df = pd.DataFrame(rows, columns=["agreement_id", "type", "party_a", "party_b", "signed"])
    df["signed"] = pd.to_datetime(df["signed"])
    return df


def test_agreements_per_year_counts():
    c = fg.agreements_per_year(agreements(), start=1946, end=1962)
    assert list(c.columns) == ["year", "type", "signed", "cumulative"]
    assert list(dict.fromkeys(c["type"])) == ["bit", "pta", "blma"]  # TYPE_LABELS order
    assert len(c) == 3 * 17 and c.attrs["undated"] == 1
    got = c.set_index(["type", "year"])
    assert got.loc[("bit", 1959), "signed"] == 1 and got.loc[("bit", 1960), "signed"] == 0
    assert got.loc[("bit", 1962), "cumulative"] == 2
    assert got.loc[("pta", 1957), "signed"] == 1 and got.loc[("pta", 1961), "signed"] == 0
    assert got.loc[("blma", 1946), "signed"] == 1
    assert got.loc[("blma", 1946), "cumulative"] == 2  # includes the 1919 agreement
    assert c["signed"].sum() == 4


@pytest.mark.realdata
@pytest.mark.slow
def test_blma_counts_equal_the_raw_formation_file():
    if not CW_FORMATION.exists():
        pytest.skip(f"mirror absent: {CW_FORMATION}")
    import polecon

    c = fg.agreements_per_year(polecon.load("agreements"))
    ours = c[c["type"] == "blma"].set_index("year")["signed"]
    raw = pd.read_stata(CW_FORMATION)["year"].astype(int).value_counts()
    assert ours.index.tolist() == list(range(1946, 2021))
    assert ours.to_dict() == raw.reindex(ours.index, fill_value=0).to_dict()
    assert ours.sum() == 1219


def test_twoway_distributions_count_each_pair_once():
    panel = pd.DataFrame(
        {
            "i": ["A", "B", "A", "C", "B", "C"],
            "j": ["B", "A", "C", "A", "C", "B"],
            "twoway_trade": [1.0, 1.0, 0.0, 0.0, np.nan, np.nan],
            "twoway_migration_wb": [0.26, 0.26, np.nan, np.nan, 0.5, 0.5],
        }
    )
    h = fg.twoway_distributions(panel, bins=4)
    t = h[h["index"] == "twoway_trade"]
    assert t["count"].tolist() == [1, 0, 0, 1]  # 0.0 in the first bin, 1.0 in the last
    m = h[h["index"] == "twoway_migration_wb"]
    assert m["count"].tolist() == [0, 1, 1, 0] and m["share"].tolist() == [0, 0.5, 0.5, 0]


def tidy_types() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["twoway_trade", "twoway_trade", "log_dist", "log_dist"],
            "type": ["bit", "blma", "bit", "blma"],
            "estimate": [0.5, -0.2, -0.1, 0.3],
            "conf_low": [0.2, -0.5, -0.3, 0.1],
            "conf_high": [0.8, 0.1, 0.1, 0.5],
        }
    )


def tidy_events(numeric: bool) -> pd.DataFrame:
    times = [-7, 2, 7] if numeric else ["lead_5_9", "lag_0_4", "lag_5_9"]
    return pd.DataFrame(
        {
            "event_time": times * 2,
            "agreement": ["BLMA"] * 3 + ["FTA"] * 3,
            "estimate": [0.0, 0.1, 0.2, 0.01, 0.05, 0.04],
            "conf_low": [-0.1, 0.0, 0.1, -0.05, 0.0, -0.02],
            "conf_high": [0.1, 0.2, 0.3, 0.07, 0.1, 0.1],
        }
    )


def _draw_all(folder: Path) -> dict[str, bytes]:
    counts = fg.agreements_per_year(agreements(), start=1946, end=1962)
    fg.save_figure(fg.plot_agreements_per_year(counts), folder / "agreements")
    fg.plot_coefficients(tidy_types(), folder / "coef", title="by type")
    fg.plot_event_study(tidy_events(True), folder / "event", reference=-2)
    fg.plot_event_study(tidy_events(False), folder / "event_bins")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_two_runs_same_bytes_without_varying_metadata(tmp_path):
    first = _draw_all(tmp_path / "a")
    second = _draw_all(tmp_path / "b")
    assert sorted(first) == sorted(
        f"{s}.{e}" for s in ("agreements", "coef", "event", "event_bins") for e in ("pdf", "png")
    )
    assert first == second
    for name, data in first.items():
        if name.endswith(".pdf"):
            assert b"CreationDate" not in data and b"Matplotlib" not in data
        else:
            assert data.startswith(b"\x89PNG") and b"Software" not in data


def test_model_figures_name_missing_columns_and_bad_reference():
    with pytest.raises(KeyError, match=r"lacks column\(s\) \['conf_low'\]"):
        fg.plot_coefficients(tidy_types().drop(columns="conf_low"))
    with pytest.raises(ValueError, match="reference='lead_1' is not a value"):
        fg.plot_event_study(tidy_events(False), reference="lead_1")
