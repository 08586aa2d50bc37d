"""migration_stocks: World Bank (wb) and UN DESA 2019 (undesa2019) bilateral migrant stocks.

Real-data tests read the mirrored raw files through the registry; failure tests parse small
malformed copies written to tmp_path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr
import pytest

from polecon import registry
from polecon.sources import _base, undesa, wb_migration
from polecon.sources._schema import SourceError
from polecon.sources.migration import SCHEMA

pytestmark = pytest.mark.realdata

WB_KEY = wb_migration.RAW_KEY
SEX_KEY = wb_migration.BY_SEX_KEY
UN_KEY = undesa.RAW_KEY


# ----------------------------------------------------------------------------------------------
# fixtures: one cold build of the canonical table, raw parses once per module
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("polecon_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLECON_CACHE", str(root))
        yield root


@pytest.fixture(scope="module")
def stocks(cache: Path) -> pd.DataFrame:
    return _base.load("migration_stocks", refresh=True)


@pytest.fixture(scope="module")
def log(stocks: pd.DataFrame) -> dict:
    return _base.build_log("migration_stocks")


@pytest.fixture(scope="module")
def wb_raw() -> pd.DataFrame:
    return wb_migration.parse(registry.fetch(WB_KEY))


@pytest.fixture(scope="module")
def by_sex() -> pd.DataFrame:
    return wb_migration.parse_by_sex(registry.fetch(SEX_KEY))


def _value(df: pd.DataFrame, o: str, d: str, y: int, series: str) -> float:
    sel = df[
        (df["origin"] == o)
        & (df["destination"] == d)
        & (df["year"] == y)
        & (df["series"] == series)
    ]
    assert len(sel) == 1, (o, d, y, series, len(sel))
    return float(sel["stock"].iloc[0])


# ----------------------------------------------------------------------------------------------
# canonical table on the real mirror
# ----------------------------------------------------------------------------------------------
def test_columns_dtypes_and_key(stocks: pd.DataFrame) -> None:
    assert list(stocks.columns) == ["origin", "destination", "year", "stock", "series"]
    assert str(stocks["year"].dtype) == "int64"
    assert str(stocks["stock"].dtype) == "float64"
    assert not stocks.duplicated(["origin", "destination", "year", "series"]).any()
    assert (stocks["origin"] != stocks["destination"]).all()
    SCHEMA.validate(stocks)


def test_row_counts(stocks: pd.DataFrame) -> None:
    n = stocks.groupby("series").size()
    # UN DESA: 232 x 232 x 7 = 376,768 (PROVENANCE s.1) minus the all-zero diagonal (232 x 7)
    assert n["undesa2019"] == 376_768 - 1_624
    # WB: 441,800 - 1,880 diagonal - 26,676 dyads whose origin and 31,323 whose destination a
    # wave does not cover (all-zero column / row of the balanced matrix)
    assert n["wb"] == 441_800 - 1_880 - 26_676 - 31_323 == 381_921
    # UN DESA 2020 / 2024 revisions (issue 11 B; pinned to the raw file in tests/data)
    assert (n["undesa2020"], n["undesa2024"]) == (83_657, 74_720)
    assert len(stocks) == 381_921 + 375_144 + 83_657 + 74_720


def test_year_coverage_per_series(stocks: pd.DataFrame) -> None:
    years = stocks.groupby("series")["year"].unique().map(sorted)
    assert years["wb"] == [1960, 1970, 1980, 1990, 2000, 2010, 2013, 2018]
    assert years["undesa2019"] == [1990, 1995, 2000, 2005, 2010, 2015, 2019]
    # each UN wave is a full 232 x 232 matrix
    per = stocks[stocks["series"] == "undesa2019"].groupby("year").size()
    assert (per == 232 * 231).all()


def test_known_values(stocks: pd.DataFrame) -> None:
    # issue 3 acceptance value and PROVENANCE sample values
    assert _value(stocks, "MEX", "USA", 1990, "undesa2019") == 4_298_014
    assert _value(stocks, "MEX", "USA", 2000, "undesa2019") == 9_410_529
    assert _value(stocks, "MEX", "USA", 2019, "undesa2019") == 11_489_684
    assert _value(stocks, "RWA", "BDI", 1990, "undesa2019") == 221_943
    assert _value(stocks, "COD", "BDI", 1990, "undesa2019") == 36_654
    assert _value(stocks, "MEX", "USA", 1990, "wb") == 4_662_233
    assert _value(stocks, "MEX", "USA", 2000, "wb") == 9_367_910
    assert _value(stocks, "MEX", "USA", 1960, "wb") == 610_787
    assert _value(stocks, "MEX", "USA", 2010, "wb") == pytest.approx(11_635_995, abs=1)


def test_world_sums_match_provenance(stocks: pd.DataFrame) -> None:
    sums = stocks.groupby(["series", "year"])["stock"].sum() / 1e6
    assert sums[("wb", 1960)] == pytest.approx(93.1, abs=0.05)
    assert sums[("wb", 2000)] == pytest.approx(167.1, abs=0.05)
    assert sums[("wb", 2018)] == pytest.approx(252.6, abs=0.05)
    assert sums[("undesa2019", 1990)] == pytest.approx(144.1, abs=0.05)
    assert sums[("undesa2019", 2019)] == pytest.approx(260.3, abs=0.05)


def test_un_missing_tokens_are_na_never_zero(stocks: pd.DataFrame) -> None:
    raw = pd.read_csv(registry.fetch(UN_KEY), dtype=str, keep_default_na=False)
    raw = raw[~raw["Dest"].isin(undesa.AGGREGATES)]
    long = raw.melt(id_vars=["Year", "Dest"], var_name="orig", value_name="v")
    tokens = long[long["v"].isin(["..", "-"])]
    assert len(tokens) == 345  # 341 '..' + 4 '-'
    un = stocks[stocks["series"] == "undesa2019"]
    assert int(un["stock"].isna().sum()) == 345
    # zeros in the table are exactly the file's "0" cells off the diagonal (none invented)
    off_diag = long[long["Dest"] != long["orig"]]
    assert int((un["stock"] == 0).sum()) == int((off_diag["v"] == "0").sum())
    # Slovenia is one of the '..' destinations: its 1990 cells with '..' are NaN, not 0
    svn = un[(un["destination"] == "SVN") & (un["year"] == 1990)]
    n_dots = int(
        (
            off_diag[(off_diag["Dest"] == "Slovenia") & (off_diag["Year"] == "1990")]["v"] == ".."
        ).sum()
    )
    assert n_dots > 0 and int(svn["stock"].isna().sum()) == n_dots


def test_aggregates_and_uncovered_codes_logged(log: dict) -> None:
    reasons = {
        d["reason"].split(":")[0] + ":" + d["reason"].split(":")[1][:20]: d for d in log["drops"]
    }
    agg = [d for d in log["drops"] if "aggregate" in d["reason"]]
    assert len(agg) == 1 and agg[0]["rows"] == 5 * 7 * 232
    assert sorted(agg[0]["values"]) == sorted(undesa.AGGREGATES)
    diag = {d["reason"][:3]: d["rows"] for d in log["drops"] if "diagonal" in d["reason"]}
    assert diag == {"wb:": 235 * 8, "und": 232 * 7}
    unc = {
        d["reason"].split(" ")[3]: d["rows"]
        for d in log["drops"]
        if "does not cover" in d["reason"]
    }
    assert unc == {"origin": 26_676, "destination": 31_323}
    assert reasons  # every drop has a reason


def test_successor_codes_noted(log: dict) -> None:
    notes = " ".join(log["notes"])
    assert "wb: 23 codes appear in years before their state existed" in notes
    assert "HRV 1960/1970/1980/1990 (part of SRB)" in notes
    assert "SSD 1990/1995/2000/2005/2010 (part of SDN)" in notes


def test_wb_uncovered_waves_are_absent_not_zero(stocks: pd.DataFrame, wb_raw: pd.DataFrame) -> None:
    wb = stocks[stocks["series"] == "wb"]
    # South Sudan and Serbia (own code) appear only from 2010/2013; SCG (-> SRB) before
    assert sorted(wb.loc[wb["origin"] == "SSD", "year"].unique()) == [2013, 2018]
    assert sorted(wb.loc[wb["origin"] == "SRB", "year"].unique()) == [
        1960,
        1970,
        1980,
        1990,
        2000,
        2010,
        2013,
        2018,
    ]
    # Taiwan as a destination is only covered in 1990 and 2000 (its immigrant row is all 0 in the
    # other waves, while Taiwan-born abroad are counted): missing, never 0
    assert sorted(wb.loc[wb["destination"] == "TWN", "year"].unique()) == [1990, 2000]
    # 2010 did not survey some destinations (all-zero immigrant rows) whose emigrants it counts:
    # Indians in Pakistan are missing in 2010, not 0 (2000: 2.5 M; 2013: 1.4 M)
    ind_pak = wb[(wb["origin"] == "IND") & (wb["destination"] == "PAK")].set_index("year")["stock"]
    assert 2010 not in ind_pak.index and ind_pak[2000] > 2e6 and ind_pak[2013] > 1e6
    assert "PAK" not in set(wb.loc[wb["year"] == 2010, "destination"])
    assert "PAK" in set(wb.loc[wb["year"] == 2010, "origin"])
    # the raw panel does hold zeros there
    raw_twn = wb_raw[(wb_raw["destination_code"] == "TWN") & (wb_raw["year"] == 2010)]
    assert (raw_twn["stock"] == 0).all() and len(raw_twn) == 235


# ----------------------------------------------------------------------------------------------
# the dcData year reversal
# ----------------------------------------------------------------------------------------------
def test_dcdata_year_labels_are_corrected(by_sex: pd.DataFrame) -> None:
    mex = by_sex[(by_sex["origin"] == "MEX") & (by_sex["destination"] == "USA")]
    tot = mex.groupby("year")["stock"].sum()
    # raw column Y1960 holds 9,367,911 (really 2000) and Y2000 holds 610,788 (really 1960)
    assert tot[2000] == 9_367_911
    assert tot[1960] == 610_788
    assert tot[1990] == 4_662_233
    assert tot.is_monotonic_increasing
    assert by_sex["year"].isin([1960, 1970, 1980, 1990, 2000]).all()
    assert len(by_sex) == 107_184 * 5


def _crosscheck(wb: pd.DataFrame, by_sex: pd.DataFrame) -> dict[str, float]:
    """The 1960-2000 waves of the ``wb`` series against the corrected by-sex file.

    ``wb``: the ``wb`` series of ``migration_stocks`` (unique canonical ``origin, destination,
    year``); ``by_sex``: :func:`wb_migration.parse_by_sex` output, summed over sex per canonical
    dyad-wave (all-NA cells skipped). Returns ``n`` (matched dyad-waves), ``max_abs_diff``
    (persons), ``corr`` (Pearson r) and ``n_by_sex_only`` (by-sex dyad-waves absent from the
    panel).
    """
    key = ["origin", "destination", "year"]
    bs = by_sex[
        by_sex["origin"].notna()
        & by_sex["destination"].notna()
        & (by_sex["origin"] != by_sex["destination"])  # diagonal: not in the selected panel
    ]
    summed = bs.groupby(key, as_index=False)["stock"].sum(min_count=1)
    summed = summed[summed["stock"].notna()]
    m = summed.merge(
        wb.loc[wb["year"].isin(wb_migration.GBMD_YEARS), [*key, "stock"]],
        on=key,
        how="left",
        suffixes=("_sex", "_wb"),
        validate="one_to_one",
    )
    only = int(m["stock_wb"].isna().sum())
    m = m[m["stock_wb"].notna()]
    diff = (m["stock_sex"] - m["stock_wb"]).abs()
    return {
        "n": float(len(m)),
        "max_abs_diff": float(diff.max()) if len(m) else float("nan"),
        "corr": float(np.corrcoef(m["stock_sex"], m["stock_wb"])[0, 1]) if len(m) > 1 else 0.0,
        "n_by_sex_only": float(only),
    }


def test_dcdata_crosscheck_matches_panel(stocks: pd.DataFrame, by_sex: pd.DataFrame) -> None:
    """After the year-label correction the by-sex file reproduces the .rds panel 1960-2000."""
    stats = _crosscheck(stocks[stocks["series"] == "wb"], by_sex)
    assert stats["max_abs_diff"] <= 2 and stats["corr"] > 0.999999
    # 254,250 matched dyad-waves before dropping uncovered sides; the by-sex file has values for
    # 1,350 of the dyad-waves whose side the panel marks uncovered (all 0 there)
    assert stats["n"] == 252_900 and stats["n_by_sex_only"] == 1_350


def test_crosscheck_catches_unreversed_labels(stocks: pd.DataFrame, by_sex: pd.DataFrame) -> None:
    wrong = by_sex.assign(
        year=by_sex["year"].map({1960: 2000, 1970: 1990, 1980: 1980, 1990: 1970, 2000: 1960})
    )
    stats = _crosscheck(stocks[stocks["series"] == "wb"], wrong)
    assert stats["max_abs_diff"] > 1e5 and stats["corr"] < 0.99


def test_parse_by_sex_synthetic_label_mapping(tmp_path: Path) -> None:
    df = _by_sex_frame()
    path = tmp_path / "by_sex.rda"
    pyreadr.write_rdata(str(path), df, df_name="MigrationFlows")
    out = wb_migration.parse_by_sex(path)
    row = out[(out["sex"] == "Male") & (out["origin_code"] == "MEX")].set_index("year")["stock"]
    # value v in column Y<label> must land in year DCDATA_YEAR_LABELS[label]
    for label, year in wb_migration.DCDATA_YEAR_LABELS.items():
        assert row[year] == float(df.loc[0, label])


# ----------------------------------------------------------------------------------------------
# failure tests on small malformed copies
# ----------------------------------------------------------------------------------------------
def _wb_frame() -> pd.DataFrame:
    codes = ["MEX", "USA", "CAN"]
    rows = []
    rng = np.random.default_rng(0)
    vals = {
        (o, d, y): float(rng.integers(0, 1000))
        for o in codes
        for d in codes
        for y in wb_migration.WB_YEARS
    }
    for (o, d, y), v in vals.items():
        rows.append(
            {
                "origin_code": o,
                "destination_code": d,
                "year": float(y),
                "outward_stock": v,
                "inward_stock": vals[(d, o, y)],
                "net_stock": v - vals[(d, o, y)],
            }
        )
    return pd.DataFrame(rows)


def _by_sex_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sex": ["Male", "Female"],
            "destcode": ["USA", "USA"],
            "origincode": ["MEX", "MEX"],
            "Y2000": [1.0, 2.0],
            "Y1990": [3.0, 4.0],
            "Y1980": [5.0, 6.0],
            "Y1970": [7.0, 8.0],
            "Y1960": [9.0, 10.0],
        }
    )


def _write_rds(df: pd.DataFrame, path: Path) -> Path:
    pyreadr.write_rds(str(path), df)
    return path


def test_wb_small_copy_parses(tmp_path: Path) -> None:
    out = wb_migration.parse(_write_rds(_wb_frame(), tmp_path / "ok.rds"))
    assert len(out) == 72 and out["origin"].notna().all()


def test_wb_missing_column(tmp_path: Path) -> None:
    p = _write_rds(_wb_frame().drop(columns="outward_stock"), tmp_path / "wb.rds")
    with pytest.raises(SourceError, match=r"wb\.rds, column 'outward_stock': missing column"):
        wb_migration.parse(p)


def test_wb_wrong_type(tmp_path: Path) -> None:
    df = _wb_frame().astype({"outward_stock": object})
    df.loc[4, "outward_stock"] = "many"
    df["outward_stock"] = df["outward_stock"].astype(str)
    p = _write_rds(df, tmp_path / "wb.rds")
    with pytest.raises(SourceError, match=r"column 'outward_stock': non-numeric.*rows: 5\]"):
        wb_migration.parse(p)


def test_wb_dots_become_nan_not_zero(tmp_path: Path) -> None:
    df = _wb_frame()
    df["outward_stock"] = df["outward_stock"].map(lambda v: f"{v:.0f}")
    # keep inward consistent with outward so only the token handling is tested
    df.loc[df["origin_code"] == df["destination_code"], "outward_stock"] = ".."
    df.loc[df["origin_code"] == df["destination_code"], "inward_stock"] = np.nan
    out = wb_migration.parse(_write_rds(df, tmp_path / "wb.rds"))
    diag = out[out["origin_code"] == out["destination_code"]]
    assert diag["stock"].isna().all() and len(diag) == 24


def test_wb_unknown_country(tmp_path: Path) -> None:
    df = _wb_frame()
    df.loc[df["origin_code"] == "CAN", "origin_code"] = "QQZ"
    p = _write_rds(df, tmp_path / "wb.rds")
    with pytest.raises(SourceError, match=r"column 'origin_code': unknown country.*QQZ.*rows: "):
        wb_migration.parse(p)


def test_wb_duplicated_key(tmp_path: Path) -> None:
    df = _wb_frame()
    df = pd.concat([df, df.iloc[[3]]], ignore_index=True)
    p = _write_rds(df, tmp_path / "wb.rds")
    with pytest.raises(SourceError, match=r"duplicated key.*rows: 4, 73\]"):
        wb_migration.parse(p)


def test_wb_negative_stock(tmp_path: Path) -> None:
    df = _wb_frame()
    df.loc[10, "outward_stock"] = -5.0
    p = _write_rds(df, tmp_path / "wb.rds")
    with pytest.raises(SourceError, match=r"column 'outward_stock': negative.*rows: 11\]"):
        wb_migration.parse(p)


def test_wb_swapped_inward_outward(tmp_path: Path) -> None:
    df = _wb_frame()
    df[["outward_stock", "inward_stock"]] = df[["inward_stock", "outward_stock"]].to_numpy()
    df.loc[1, "inward_stock"] += 1
    p = _write_rds(df, tmp_path / "wb.rds")
    with pytest.raises(SourceError, match="column 'inward_stock'"):
        wb_migration.parse(p)


def test_wb_unexpected_year(tmp_path: Path) -> None:
    df = _wb_frame()
    df.loc[0, "year"] = 1965.0
    p = _write_rds(df, tmp_path / "wb.rds")
    with pytest.raises(SourceError, match=r"column 'year': unexpected year.*1965.*rows: 1\]"):
        wb_migration.parse(p)


def test_wb_truncated_file(tmp_path: Path) -> None:
    p = _write_rds(_wb_frame(), tmp_path / "wb.rds")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match=r"wb\.rds: cannot read R data file"):
        wb_migration.parse(p)


def test_by_sex_failures(tmp_path: Path) -> None:
    p = tmp_path / "sex.rda"
    pyreadr.write_rdata(str(p), _by_sex_frame().drop(columns="Y1970"), df_name="MigrationFlows")
    with pytest.raises(SourceError, match=r"sex\.rda, column 'Y1970': missing column"):
        wb_migration.parse_by_sex(p)
    pyreadr.write_rdata(str(p), _by_sex_frame(), df_name="flows")
    with pytest.raises(SourceError, match="R object 'MigrationFlows' not found"):
        wb_migration.parse_by_sex(p)
    bad = _by_sex_frame()
    bad.loc[1, "Y1980"] = -1.0
    pyreadr.write_rdata(str(p), bad, df_name="MigrationFlows")
    with pytest.raises(SourceError, match=r"column 'Y1980': negative.*rows: 2\]"):
        wb_migration.parse_by_sex(p)
    bad = _by_sex_frame()
    bad.loc[1, "sex"] = "Male"
    pyreadr.write_rdata(str(p), bad, df_name="MigrationFlows")
    with pytest.raises(SourceError, match=r"duplicated key.*rows: 1, 2\]"):
        wb_migration.parse_by_sex(p)


# --- UN DESA wide CSV --------------------------------------------------------------------------
UN_ORIGINS = ["Canada", "Mexico", "United States of America"]


def _un_frame() -> pd.DataFrame:
    raw = pd.read_csv(registry.fetch(UN_KEY), dtype=str, keep_default_na=False)
    keep = raw["Dest"].isin([*UN_ORIGINS, "Caribbean"])
    return raw.loc[keep, ["Year", "Dest", *UN_ORIGINS]].reset_index(drop=True)


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    df.to_csv(path, index=False)
    return path


def test_un_small_copy_parses_and_drops_aggregates(tmp_path: Path) -> None:
    log = _base.BuildLog("t")
    out = undesa.parse(_write_csv(_un_frame(), tmp_path / "un.csv"), log)
    assert len(out) == 3 * 3 * 7
    assert log.drops[0]["rows"] == 7 * 3 and log.drops[0]["values"] == ["Caribbean"]
    assert (
        out.loc[
            (out["origin"] == "MEX") & (out["destination"] == "USA") & (out["year"] == 1990),
            "stock",
        ].item()
        == 4_298_014
    )


def test_un_missing_column(tmp_path: Path) -> None:
    p = _write_csv(_un_frame().drop(columns="Dest"), tmp_path / "un.csv")
    with pytest.raises(SourceError, match=r"un\.csv, column 'Dest': missing column"):
        undesa.parse(p)


def test_un_wrong_type(tmp_path: Path) -> None:
    df = _un_frame()
    df.loc[2, "Mexico"] = "n/a"
    p = _write_csv(df, tmp_path / "un.csv")
    with pytest.raises(SourceError, match=r"column 'Mexico': non-numeric.*rows: line 4\]"):
        undesa.parse(p)


def test_un_dots_and_dash_are_nan(tmp_path: Path) -> None:
    df = _un_frame()
    first = df.index[df["Dest"] == "Mexico"]
    df.loc[first[0], "United States of America"] = ".."
    df.loc[first[1], "Canada"] = "-"
    out = undesa.parse(_write_csv(df, tmp_path / "un.csv"))
    assert int(out["stock"].isna().sum()) == 2
    countries = df[df["Dest"] != "Caribbean"]
    assert int((out["stock"] == 0).sum()) == int((countries[UN_ORIGINS] == "0").to_numpy().sum())


def test_un_unknown_country(tmp_path: Path) -> None:
    df = _un_frame().rename(columns={"Canada": "Atlantis"})
    p = _write_csv(df, tmp_path / "un.csv")
    with pytest.raises(SourceError, match=r"unknown country.*Atlantis.*header field 3"):
        undesa.parse(p)
    df = _un_frame()
    df.loc[df["Dest"] == "Canada", "Dest"] = "Atlantis"
    p = _write_csv(df, tmp_path / "un.csv")
    with pytest.raises(SourceError, match=r"column 'Dest': unknown country.*Atlantis.*line "):
        undesa.parse(p)


def test_un_duplicated_key(tmp_path: Path) -> None:
    df = _un_frame()
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    p = _write_csv(df, tmp_path / "un.csv")
    with pytest.raises(
        SourceError, match=r"column 'Dest': duplicated \(Year, Dest\).*line 2, line 30\]"
    ):
        undesa.parse(p)


def test_un_negative_stock(tmp_path: Path) -> None:
    df = _un_frame()
    df.loc[5, "Canada"] = "-12"
    p = _write_csv(df, tmp_path / "un.csv")
    with pytest.raises(SourceError, match=r"column 'Canada': negative.*rows: line 7\]"):
        undesa.parse(p)


def test_un_truncated_file(tmp_path: Path) -> None:
    p = _write_csv(_un_frame(), tmp_path / "un.csv")
    text = p.read_text()
    p.write_text(text[: int(len(text) * 0.6)])
    with pytest.raises(SourceError, match=r"un\.csv.*(truncated|empty cell)"):
        undesa.parse(p)
