"""Declared sources: the raw-file readers and the one generic parser (``_readers``, ``_decl``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon.sources import coldat, cow_geo, cow_igo, democracy, maddison, memberships, pwt, wb_wdi
from polecon.sources._decl import RawIdentifier, SourceDecl, parse_source
from polecon.sources._readers import ReadOptions, read_raw
from polecon.sources._schema import Column, Schema, SourceError

pytestmark = pytest.mark.realdata  # the country crosswalk reads registered files

SCHEMA = Schema(
    name="toy_pairs",
    key=("exporter", "partner", "year"),
    columns=(
        Column("exporter", "string", "ISO3", nullable=False, raw="Reporter", pattern=r"[A-Z]{3}"),
        Column("partner", "string", "ISO3 of the partner", nullable=False, raw="Partner"),
        Column("year", "int", "year", nullable=False, min=1900, max=2100, raw="Year"),
        Column("value", "float", "a value", min=0.0, raw="Value"),
        Column("flag", "Int", "0/1", allowed=frozenset({0, 1}), raw="Flag"),
    ),
)

DECL = SourceDecl(
    ("toy/pairs.csv",),
    SCHEMA,
    "toy citation",
    ReadOptions("csv", sep="|", na_values=("", "NA")),
    identifiers=(RawIdentifier("toy/pairs.csv", "Reporter+Partner", "iso3"),),
)

ROWS = [
    "Reporter|Partner|Year|Value|Flag",
    "USA|FRA|2000|1.5|1",
    "USA|DEU|2000|1.5|1",
    "FRA|USA|2000|NA|0",
    "DEU|USA|2001|2|",
]


def _write(tmp_path: Path, rows: list[str], name: str = "pairs.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_parse_renames_and_checks(tmp_path: Path) -> None:
    out = parse_source(DECL, _write(tmp_path, ROWS))
    assert list(out.columns) == SCHEMA.names
    assert out["exporter"].tolist() == ["USA", "USA", "FRA", "DEU"]
    assert out["partner"].tolist() == ["FRA", "DEU", "USA", "USA"]
    assert str(out["year"].dtype) == "int64" and str(out["flag"].dtype) == "Int64"
    assert out["value"].isna().tolist() == [False, False, True, False]
    assert list(out.index) == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("row", "match", "column", "bad_row"),
    [
        ("usa|FRA|2002|1|0", "malformed", "Reporter", 4),  # pattern
        ("USA|FRA|2002|lots|0", "non-numeric", "Value", 4),
        ("USA|FRA|2002|-1|0", "negative", "Value", 4),
        ("USA|FRA|1850|1|0", "outside", "Year", 4),
        ("USA|FRA|2002|1|7", "outside", "Flag", 4),
        ("USA|FRA|2000|1|0", "duplicated", "exporter", 4),
    ],
)
def test_errors_name_file_column_rows(
    tmp_path: Path, row: str, match: str, column: str, bad_row: int
) -> None:
    with pytest.raises(SourceError, match=match) as exc:
        parse_source(DECL, _write(tmp_path, [*ROWS, row]))
    assert "pairs.csv" in str(exc.value)
    assert exc.value.column == column
    assert bad_row in exc.value.rows


def test_missing_raw_column_and_short_row(tmp_path: Path) -> None:
    rows = [r.rsplit("|", 1)[0] for r in ROWS]
    with pytest.raises(SourceError, match="missing column") as exc:
        parse_source(DECL, _write(tmp_path, rows))
    assert exc.value.column == "Flag"
    with pytest.raises(SourceError, match="truncated") as exc:
        parse_source(DECL, _write(tmp_path, [*ROWS, "USA|FRA|2003"]))
    assert exc.value.rows == [4]


def test_readers_by_kind(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    df.to_stata(tmp_path / "t.dta", write_index=False)
    assert read_raw(tmp_path / "t.dta", ReadOptions("dta"))["b"].tolist() == ["x", "y"]
    df.to_excel(tmp_path / "t.xlsx", sheet_name="data", index=False)
    got = read_raw(tmp_path / "t.xlsx", ReadOptions("xlsx", sheet="data"))
    assert got["a"].tolist() == [1.0, 2.0]
    (tmp_path / "bad.dta").write_bytes(b"not stata")
    with pytest.raises(SourceError, match="bad.dta"):
        read_raw(tmp_path / "bad.dta", ReadOptions("dta"))
    with pytest.raises(SourceError, match="sheet 'nope'"):
        read_raw(tmp_path / "t.xlsx", ReadOptions("xlsx", sheet="nope"))
    with pytest.raises(ValueError, match="unknown raw file kind"):
        ReadOptions("sav")  # type: ignore[arg-type]


def test_declarations_of_the_small_sources() -> None:
    """Every small source is declared: registry key, schema with raw names, identifiers."""
    decls = [
        pwt.DECL,
        maddison.DECL,
        wb_wdi.decl("gdp"),
        wb_wdi.decl("pop"),
        democracy.VDEM_DECL,
        democracy.POLITY_DECL,
        democracy.BMR_DECL,
        memberships.GATT_DECL,
        memberships.EU_DECL,
        cow_igo.NDY_DECL,
        cow_igo.state_year_decl(),
        coldat.DECL,
        cow_geo.CONTDIR_DECL,
        cow_geo.MINDIST_DECL,
        *cow_geo.CAPITALS_DECLS.values(),
    ]
    from polecon import registry
    from polecon.countries.crosswalk import SCHEMES

    for d in decls:
        assert registry.entry(d.key).format == d.read.kind
        assert d.citation and d.identifiers
        for ident in d.identifiers:
            assert ident.scheme in SCHEMES
            assert ident.key == d.key and ident.read == d.read  # read as the parser reads it
        # the country column the parser keeps is among the declared (certified) identifiers
        declared = {c for i in d.identifiers for c in i.column.split("+")}
        kept = {c.raw_name for c in d.schema.columns if c.dtype == "string" or "code" in c.name}
        assert declared & kept, d.schema.name
    assert maddison.DECL.schema.column("iso").raw_name == "ISO"
    assert wb_wdi.decl("pop").schema.column("value").raw_name == "Value"


def test_identifiers_belong_to_the_declared_files() -> None:
    with pytest.raises(ValueError, match="not a key"):
        SourceDecl(
            ("toy/pairs.csv",), SCHEMA, "c", identifiers=(RawIdentifier("x.csv", "a", "iso3"),)
        )
    (ident,) = DECL.identifiers
    assert ident.read == DECL.read  # filled in from the declaration: one set of read options
