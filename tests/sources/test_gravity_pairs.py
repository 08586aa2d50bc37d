"""gravity_pairs (CEPII + COLDAT) and the auxiliary year-varying dyad tables (gravity_years).

The panel quantities derived from the auxiliary tables (contiguity pair-years, capital
distances) are tested in tests/panel/test_geography.py.

Real-data tests read the mirror through the registry; failure tests call the parsers on small
malformed copies written to tmp_path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from polecon.registry import fetch
from polecon.sources import cepii, coldat, cow_geo, cow_igo
from polecon.sources import gravity_pairs as gp
from polecon.sources import gravity_years as gy
from polecon.sources._base import BuildLog, table_spec
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata


def _build(name: str, func, **opts):
    spec = table_spec(name)
    raw = {k: fetch(k) for k in spec.raw}
    log = BuildLog(name)
    df = spec.schema.validate(func(raw, log, **opts).reset_index(drop=True), source=name)
    return df, log


@pytest.fixture(scope="module")
def pairs() -> pd.DataFrame:
    return _build("gravity_pairs", gp.build)[0]


@pytest.fixture(scope="module")
def pair_index(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.set_index(["i", "j"])


@pytest.fixture(scope="module")
def contiguity() -> pd.DataFrame:
    return _build("gravity_contiguity", gy.build_contiguity)[0]


@pytest.fixture(scope="module")
def dyads() -> pd.DataFrame:
    return _build("gravity_dyad_years", gy.build_dyad_years)[0]


@pytest.fixture(scope="module")
def caps() -> pd.DataFrame:
    return _build("gravity_capitals", gy.build_capitals)[0]


# ------------------------------------------------------------------------------------------
# gravity_pairs on the real files
# ------------------------------------------------------------------------------------------


def test_cepii_parse_counts() -> None:
    d = cepii.parse(fetch(cepii.DIST_KEY))
    assert len(d) == 50_176 == 224 * 224
    assert d["distw"].isna().sum() == 2_215  # PROVENANCE: CCK, CXR, MAC, MSR, PCN pairs
    g = cepii.parse_geo(fetch(cepii.GEO_KEY))
    assert len(g) == 225 and g["iso3"].is_unique


def test_rows_keys_and_symmetry(pairs: pd.DataFrame) -> None:
    # 224 x 224 CEPII pairs + CSK proxy pairs (222 partners, both directions); no COLDAT-only pair
    assert len(pairs) == 50_176 + 2 * 222
    assert not pairs.duplicated(["i", "j"]).any()
    assert (pairs["i"] == pairs["j"]).sum() == 224
    rev = pairs.set_index(["j", "i"]).sort_index()
    fwd = pairs.set_index(["i", "j"]).sort_index()
    rev.index.names = ["i", "j"]
    assert fwd.index.equals(rev.index)
    for col in ("contig", "comlang_off", "colony", "coldat_colony"):
        a, b = fwd[col], rev.loc[fwd.index, col]
        assert ((a == b) | (a.isna() & b.isna())).all(), col
    assert np.allclose(pairs["ldist"], np.log(pairs["dist"]))
    assert set(pairs["i"]) >= {"ROU", "COD", "TLS", "SRB", "PSE", "CSK"}
    assert not set(pairs["i"]) & {"ROM", "ZAR", "TMP", "YUG", "PAL"}


def test_known_values(pair_index: pd.DataFrame) -> None:
    usmx = pair_index.loc[("USA", "MEX")]
    assert usmx["contig"] == 1
    assert 2_000 < usmx["distcap"] < 3_500  # Washington-Mexico City 3,038 km
    assert 2_000 < usmx["distw"] < 3_000  # population-weighted 2,468 km
    assert usmx["dist"] == pytest.approx(3369.053, rel=1e-6)  # largest cities (NYC-Mexico City)
    deu_tur = pair_index.loc[("DEU", "TUR")]
    assert deu_tur["contig"] == 0 and deu_tur["colony"] == 0
    gbr_ind = pair_index.loc[("GBR", "IND")]
    assert gbr_ind["colony"] == 1 and gbr_ind["coldat_colony"] == 1
    assert gbr_ind["coldat_colonizer"] == "GBR"
    assert (gbr_ind["coldat_colstart"], gbr_ind["coldat_colend"]) == (1857, 1947)
    assert pair_index.loc[("IND", "GBR"), "coldat_colonizer"] == "GBR"
    # COLDAT covers European empires only: USA-PHL is not coded (NA), DEU-TUR is a coded 0
    assert pd.isna(pair_index.loc[("USA", "PHL"), "coldat_colony"])
    assert pair_index.loc[("DEU", "TUR"), "coldat_colony"] == 0
    # CEPII's own quirk kept: USA-GBR colony = 1
    assert pair_index.loc[("USA", "GBR"), "colony"] == 1


def test_csk_proxy(pair_index: pd.DataFrame) -> None:
    hun = pair_index.loc[("CSK", "HUN")]
    assert bool(hun["geo_proxy"]) and hun["i_cepii"] == "CZE+SVK"
    assert hun["contig"] == 1  # via Slovakia
    assert hun["dist"] == pair_index.loc[("CZE", "HUN"), "dist"]  # Prague's distances
    assert pair_index.loc[("CSK", "UKR"), "contig"] == 1  # Slovakia-Ukraine border
    assert ("CSK", "CZE") not in pair_index.index
    assert not pair_index.loc[("USA", "MEX"), "geo_proxy"]


def test_proxies_can_be_switched_off() -> None:
    df, log = _build("gravity_pairs", gp.build, proxies="none")
    assert len(df) == 50_176 and not df["geo_proxy"].any()


def test_load_through_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLECON_CACHE", str(tmp_path))
    import polecon

    df = polecon.load("gravity_pairs")
    again = polecon.load("gravity_pairs")
    assert len(df) == len(again) == 50_176 + 444
    assert list((tmp_path / "tables").glob("gravity_pairs-*.parquet"))
    spells = gy.contiguity_spells()
    assert len(spells) == 1_874


# ------------------------------------------------------------------------------------------
# year-varying auxiliary tables
# ------------------------------------------------------------------------------------------


def test_auxiliary_tables_registered_by_gravity_years() -> None:
    """TABLE_MODULES names gravity_years for them; each builder is the registered one."""
    assert table_spec("gravity_contiguity").build is gy.build_contiguity
    assert table_spec("gravity_dyad_years").build is gy.build_dyad_years
    assert table_spec("gravity_capitals").build is gy.build_capitals
    assert table_spec("gravity_pairs").build is gp.build


def test_contiguity_spells(contiguity: pd.DataFrame) -> None:
    assert len(contiguity) == 1_874
    assert not contiguity.duplicated(["i", "j", "start"]).any()
    assert contiguity["start"].dt.year.min() == 1816 and contiguity["end"].dt.year.max() == 2016
    usmx = contiguity[(contiguity["i"] == "USA") & (contiguity["j"] == "MEX")]
    assert usmx["conttype"].tolist() == [1]
    assert contiguity[(contiguity["i"] == "DEU") & (contiguity["j"] == "TUR")].empty
    # both COW codes of Germany (255, 260) appear under DEU
    assert {255, 260} <= set(contiguity.loc[contiguity["i"] == "DEU", "ccode1"])


def test_dyad_years(dyads: pd.DataFrame) -> None:
    assert len(dyads) == 1_012_589
    assert (dyads["i"] < dyads["j"]).all()
    assert not dyads.duplicated(["i", "j", "year"]).any()
    assert dyads["year"].min() == 1816 and dyads["year"].max() == 2019
    assert dyads.loc[dyads["year"] > 2014, "igo_shared"].isna().all()  # COW IGO ends 2014
    assert dyads.loc[dyads["year"] < 1886, "mindist"].isna().all()  # CShapes starts 1886
    look = dyads.set_index(["i", "j", "year"])
    assert look.loc[("MEX", "USA", 2000), "mindist"] == 0
    assert look.loc[("MEX", "USA", 2000), "igo_shared"] == 54
    assert look.loc[("DEU", "TUR", 2000), "mindist"] > 0


def test_capitals(caps: pd.DataFrame) -> None:
    assert not caps.duplicated(["system", "code", "start"]).any()
    bra = caps[(caps["system"] == "cow") & (caps["code"] == "BRA")]
    assert set(bra["capital"]) >= {"Brasilia", "Rio de Janeiro"} or len(bra) >= 2
    assert caps["lat"].between(-90, 90).all() and caps["lng"].between(-180, 180).all()


# ------------------------------------------------------------------------------------------
# malformed copies
# ------------------------------------------------------------------------------------------


def _small_cepii() -> pd.DataFrame:
    d = pyreadr.read_r(str(fetch(cepii.DIST_KEY)))["dist_cepii"]
    keep = ["USA", "MEX", "CAN"]
    return d[d["iso_o"].isin(keep) & d["iso_d"].isin(keep)].reset_index(drop=True)


def _write_rda(df: pd.DataFrame, path: Path, name: str) -> Path:
    pyreadr.write_rdata(str(path), df, df_name=name)
    return path


def _assert_error(exc: pytest.ExceptionInfo, source: str, column: str | None, row: int | None):
    msg = str(exc.value)
    assert source in msg
    if column is not None:
        assert exc.value.column == column and repr(column) in msg
    if row is not None:
        assert row in exc.value.rows and "rows:" in msg


def test_cepii_small_copy_parses(tmp_path: Path) -> None:
    d = cepii.parse(_write_rda(_small_cepii(), tmp_path / "dist.rda", "dist_cepii"))
    assert len(d) == 9 and d["contig"].sum() == 4


def test_cepii_missing_column(tmp_path: Path) -> None:
    bad = _small_cepii().drop(columns="contig")
    with pytest.raises(SourceError) as exc:
        cepii.parse(_write_rda(bad, tmp_path / "dist.rda", "dist_cepii"))
    _assert_error(exc, "dist.rda", "contig", None)


def test_cepii_wrong_type(tmp_path: Path) -> None:
    bad = _small_cepii()
    bad["dist"] = bad["dist"].astype(str)
    bad.loc[4, "dist"] = "far"
    with pytest.raises(SourceError, match="non-numeric") as exc:
        cepii.parse(_write_rda(bad, tmp_path / "dist.rda", "dist_cepii"))
    _assert_error(exc, "dist.rda", "dist", 4)


def test_cepii_negative_distance(tmp_path: Path) -> None:
    bad = _small_cepii()
    bad.loc[2, "distcap"] = -5.0
    with pytest.raises(SourceError, match="negative") as exc:
        cepii.parse(_write_rda(bad, tmp_path / "dist.rda", "dist_cepii"))
    _assert_error(exc, "dist.rda", "distcap", 2)


def test_cepii_bad_dummy(tmp_path: Path) -> None:
    bad = _small_cepii()
    bad.loc[1, "contig"] = 2.0
    with pytest.raises(SourceError) as exc:
        cepii.parse(_write_rda(bad, tmp_path / "dist.rda", "dist_cepii"))
    _assert_error(exc, "dist.rda", "contig", 1)


def test_cepii_duplicated_key(tmp_path: Path) -> None:
    small = _small_cepii()
    bad = pd.concat([small, small.iloc[[3]]], ignore_index=True)
    with pytest.raises(SourceError, match="duplicated") as exc:
        cepii.parse(_write_rda(bad, tmp_path / "dist.rda", "dist_cepii"))
    _assert_error(exc, "dist.rda", "iso_o", 9)


def test_cepii_truncated(tmp_path: Path) -> None:
    data = fetch(cepii.DIST_KEY).read_bytes()
    path = tmp_path / "cepii_dist_cepii.rda"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="truncated or corrupt") as exc:
        cepii.parse(path)
    _assert_error(exc, "cepii_dist_cepii.rda", None, None)


def test_unknown_country_in_build(tmp_path: Path) -> None:
    bad = _small_cepii()
    bad.loc[bad["iso_o"] == "CAN", "iso_o"] = "QQQ"
    path = _write_rda(bad, tmp_path / "dist.rda", "dist_cepii")
    raw = {cepii.DIST_KEY: path, coldat.DYADS_KEY: fetch(coldat.DYADS_KEY)}
    with pytest.raises(SourceError, match="QQQ") as exc:
        gp.build(raw, BuildLog("gravity_pairs"), proxies="none")
    _assert_error(exc, "dist.rda", "iso_o", None)


def test_contdir_failures(tmp_path: Path) -> None:
    d = pyreadr.read_r(str(fetch(cow_geo.CONTDIR_KEY)))["cow_contdir"].head(20)
    ok = cow_geo.parse_contdir(_write_rda(d, tmp_path / "c.rda", "cow_contdir"))
    assert len(ok) == 20
    bad = d.copy()
    bad.loc[5, "conttype"] = 7.0
    with pytest.raises(SourceError) as exc:
        cow_geo.parse_contdir(_write_rda(bad, tmp_path / "c1.rda", "cow_contdir"))
    _assert_error(exc, "c1.rda", "conttype", 5)
    bad = d.copy()
    bad.loc[3, "enddate"] = "1800-01-01"
    with pytest.raises(SourceError, match="ends before") as exc:
        cow_geo.parse_contdir(_write_rda(bad, tmp_path / "c2.rda", "cow_contdir"))
    _assert_error(exc, "c2.rda", "enddate", 3)
    bad = d.copy()
    bad.loc[6, "stdate"] = "not a date"
    with pytest.raises(SourceError, match="unparseable") as exc:
        cow_geo.parse_contdir(_write_rda(bad, tmp_path / "c3.rda", "cow_contdir"))
    _assert_error(exc, "c3.rda", "stdate", 6)


def test_mindist_and_igo_negative(tmp_path: Path) -> None:
    d = pd.DataFrame({"ccode1": [2.0, 2.0], "ccode2": [20.0, 70.0], "year": [2000.0, 2000.0],
                      "mindist": [0.0, -1.0]})  # fmt: skip
    with pytest.raises(SourceError, match="negative") as exc:
        cow_geo.parse_mindist(_write_rda(d, tmp_path / "m.rda", "cow_mindist"))
    _assert_error(exc, "m.rda", "mindist", 1)
    n = d.rename(columns={"mindist": "dyadigos"}).assign(dyadigos=[3.0, -2.0])
    with pytest.raises(SourceError, match="negative") as exc:
        cow_igo.parse_ndy(_write_rda(n, tmp_path / "n.rda", "cow_igo_ndy"))
    _assert_error(exc, "n.rda", "dyadigos", 1)
    dup = n.assign(ccode2=[20.0, 20.0], dyadigos=[3.0, 4.0])
    with pytest.raises(SourceError, match="duplicated") as exc:
        cow_igo.parse_ndy(_write_rda(dup, tmp_path / "n2.rda", "cow_igo_ndy"))
    _assert_error(exc, "n2.rda", "ccode1", 1)


def _coldat_copy(tmp_path: Path) -> Path:
    path = tmp_path / "coldat_dyads.csv"
    shutil.copy(fetch(coldat.DYADS_KEY), path)
    return path


def test_coldat_parse_real() -> None:
    c = coldat.parse(fetch(coldat.DYADS_KEY))
    assert len(c) == 1_560 and c["col"].sum() == 161


def test_coldat_failures(tmp_path: Path) -> None:
    path = _coldat_copy(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # unknown empire on data row 10 (file line 11)
    bad = lines.copy()
    bad[11] = bad[11].replace('"belgium"', '"russia"')
    path.write_text("".join(bad), encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        coldat.parse(path)
    _assert_error(exc, "coldat_dyads.csv", "colonizer", 10)
    # wrong type in col
    bad = lines.copy()
    bad[5] = bad[5].replace(",0,", ",yes,", 1)
    path.write_text("".join(bad), encoding="utf-8")
    with pytest.raises(SourceError, match="non-numeric") as exc:
        coldat.parse(path)
    _assert_error(exc, "coldat_dyads.csv", "col", 4)
    # missing column
    df = pd.read_csv(fetch(coldat.DYADS_KEY)).drop(columns="colend_max")
    df.to_csv(path, index=False)
    with pytest.raises(SourceError, match="missing column") as exc:
        coldat.parse(path)
    _assert_error(exc, "coldat_dyads.csv", "colend_max", None)
    # truncated mid-line: the last row loses its fields
    text = "".join(lines)
    cut = text[: len(text) // 2].rsplit(",", 3)[0]
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(SourceError, match="truncated") as exc:
        coldat.parse(path)
    _assert_error(exc, "coldat_dyads.csv", None, cut.count("\n") - 1)


def test_two_cow_codes_of_one_state_resolved() -> None:
    """West Germany (260) and Germany (255) both paired with France in 1990: keep 260, the code
    alive on 1 July 1990; the drop is logged."""
    df = pd.DataFrame(
        {"ccode1": [220, 220, 220], "ccode2": [255, 260, 260], "year": [1990, 1990, 1991],
         "mindist": [0.0, 0.0, 0.0]}
    )  # fmt: skip
    log = BuildLog("t")
    out = gy._map_cow_pair_years(df, "test", log)
    assert out[["ccode2", "year"]].values.tolist() == [[260, 1990], [260, 1991]]
    assert log.drops and "1 July" in log.drops[0]["reason"] and log.drops[0]["rows"] == 1
    # a pair of two codes of one state collapses to a self-pair and is dropped with a log entry
    log2 = BuildLog("t")
    out2 = gy._map_cow_pair_years(
        pd.DataFrame({"ccode1": [255], "ccode2": [260], "year": [1990], "mindist": [0.0]}),
        "test",
        log2,
    )
    assert out2.empty and "self-pairs" in log2.drops[0]["reason"]
