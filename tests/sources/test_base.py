"""The canonical-table machinery: schema checks, Parquet cache, build log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from polecon.sources import _base
from polecon.sources._schema import Column, Schema, SchemaError

pytestmark = pytest.mark.realdata

RAW = "tests/ppmlhdfe_separation/02.csv"

SCHEMA = Schema(
    name="toy",
    columns=(
        Column("row", "int", "row number", nullable=False, min=0),
        Column("y", "float", "outcome", unit="count", min=0),
        Column("label", "string", "a label", allowed=frozenset({"a", "b"})),
        Column("when", "date", "a date", min=1900, max=2100),
    ),
    key=("row",),
)


def _toy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": np.arange(3, dtype=np.int64),
            "y": [0.0, 1.5, np.nan],
            "label": pd.array(["a", "b", None], dtype="string"),
            "when": pd.to_datetime(["2000-01-01", None, "1950-06-30"]),
        }
    )


def test_schema_accepts_a_valid_table() -> None:
    out = SCHEMA.validate(_toy()[["label", "row", "y", "when"]])
    assert list(out.columns) == ["row", "y", "label", "when"]


@pytest.mark.parametrize(
    ("mutate", "column", "fragment"),
    [
        (lambda d: d.drop(columns="y"), None, "missing column"),
        (lambda d: d.assign(y=pd.array(["0", "x", None], dtype="string")), "y", "dtype"),
        (lambda d: d.assign(y=[0.0, -1.0, 2.0]), "y", "outside"),
        (lambda d: d.assign(label=pd.array(["a", "z", "b"], dtype="string")), "label", "allowed"),
        (lambda d: d.assign(row=np.array([0, 0, 1])), None, "duplicated key"),
        (lambda d: d.assign(when=pd.to_datetime(["1800-01-01", None, None])), "when", "outside"),
        (lambda d: d.assign(extra=1), None, "undeclared"),
    ],
)
def test_schema_errors_name_source_column_and_rows(mutate, column, fragment) -> None:
    with pytest.raises(SchemaError) as err:
        SCHEMA.validate(mutate(_toy()), source="toy.csv")
    msg = str(err.value)
    assert "toy.csv" in msg and fragment in msg
    if column:
        assert repr(column) in msg and "rows:" in msg


def test_non_nullable_column_reports_rows() -> None:
    df = _toy()
    df["row"] = pd.array([0, None, 2], dtype="Int64")
    strict = Schema("t", (Column("row", "Int", "r", nullable=False),), key=())
    with pytest.raises(SchemaError, match=r"rows: 1"):
        strict.validate(df[["row"]])


@pytest.fixture
def toy_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("POLECON_CACHE", str(tmp_path / "cache"))
    calls: list[dict] = []

    @_base.register_table(
        "toy_test_table", schema=SCHEMA, raw=(RAW,), citation="toy", default_options={"scale": 1.0}
    )
    def build(raw: dict[str, Path], log: _base.BuildLog, scale: float) -> pd.DataFrame:
        calls.append({"scale": scale})
        src = pd.read_csv(raw[RAW])
        log.drop("demonstration drop", 0)
        log.note(f"read {len(src)} rows")
        df = _toy()
        df["y"] = df["y"] * scale
        return df

    yield calls
    _base._TABLES.pop("toy_test_table", None)


def test_load_builds_once_then_reads_cache(toy_table) -> None:
    first = _base.load("toy_test_table")
    second = _base.load("toy_test_table")
    assert len(toy_table) == 1
    pd.testing.assert_frame_equal(first, second)
    third = _base.load("toy_test_table", scale=2.0)
    assert len(toy_table) == 2 and third["y"].iloc[1] == 3.0
    log = _base.build_log("toy_test_table")
    assert log["notes"] and log["notes"][0].startswith("read ")


def test_load_rejects_unknown_option(toy_table) -> None:
    with pytest.raises(TypeError, match="unknown option"):
        _base.load("toy_test_table", colour="red")


def test_unknown_table_lists_known_ones() -> None:
    with pytest.raises(KeyError, match="agreements"):
        _base.load("no_such_table")


def test_cached_file_is_parquet_and_deterministic(toy_table, tmp_path: Path) -> None:
    _base.load("toy_test_table")
    files = sorted((tmp_path / "cache" / "tables").glob("toy_test_table-*.parquet"))
    assert len(files) == 1
    data1 = files[0].read_bytes()
    _base.load("toy_test_table", refresh=True)
    assert files[0].read_bytes() == data1
