"""country_year: WB/PWT/Maddison GDP and population, democracy, memberships.

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
from polecon.sources import country_year as cy
from polecon.sources import democracy, maddison, memberships, pwt, wb_wdi
from polecon.sources._base import BuildLog
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def built() -> tuple[pd.DataFrame, BuildLog]:
    raw = {k: fetch(k) for k in cy.RAW_KEYS}
    log = BuildLog("country_year")
    df = cy.SCHEMA.validate(cy.build(raw, log).reset_index(drop=True), source="country_year")
    return df, log


@pytest.fixture(scope="module")
def table(built) -> pd.DataFrame:
    return built[0]


@pytest.fixture(scope="module")
def cy_index(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(["code", "year"])


# ------------------------------------------------------------------------------------------
# raw parsers on the real files
# ------------------------------------------------------------------------------------------


def test_parser_row_counts() -> None:
    assert len(wb_wdi.parse(fetch(wb_wdi.GDP_KEY), "gdp")) == 13_979
    assert len(wb_wdi.parse(fetch(wb_wdi.POP_KEY), "pop")) == 17_195
    p = pwt.parse(fetch(pwt.KEY))
    assert len(p) == 12_810 and p["year"].min() == 1950 and p["year"].max() == 2019
    m = maddison.parse(fetch(maddison.KEY))
    assert len(m) == 23_280 and {"SUN", "YUG", "CSK"} <= set(m["iso"])
    assert len(democracy.parse_vdem(fetch(democracy.VDEM_KEY))) == 27_913
    assert len(democracy.parse_polity5(fetch(democracy.POLITY_KEY))) == 17_574
    assert len(democracy.parse_bmr(fetch(democracy.BMR_KEY))) == 19_775
    assert len(memberships.parse_gatt(fetch(memberships.GATT_KEY))) == 128
    assert len(memberships.parse_eu(fetch(memberships.EU_KEY))) == 28


# ------------------------------------------------------------------------------------------
# the canonical table
# ------------------------------------------------------------------------------------------


def test_shape_keys_years(table: pd.DataFrame) -> None:
    assert 30_000 <= len(table) <= 31_500  # 30,719 at the time of writing
    assert not table.duplicated(["code", "year"]).any()
    assert table["year"].min() == 1816 and table["year"].max() == 2024
    assert table["code"].str.fullmatch(r"[A-Z]{3,4}").all()
    # every COW state-year 1946-2016 is a row, with its COW code
    from polecon.countries import state_system

    sy = state_system("cow", 1946, 2016, carry_forward=False)
    got = table.merge(sy, on=["code", "year"], suffixes=("", "_sys"))
    assert len(got) == len(sy)
    assert (got["ccode"] == got["ccode_sys"]).all()


def test_wb_gdp_and_population(cy_index: pd.DataFrame) -> None:
    usa = cy_index.loc[("USA", 2000)]
    assert usa["gdp_wb"] == pytest.approx(1.0250948e13, rel=1e-6)  # WDI: US$10.25 trillion
    assert usa["pop_wb"] == 282_162_411
    assert pd.isna(cy_index.loc[("AFG", 1990), "gdp_wb"])  # WB starts AFG in 2000: NA, not 0
    assert not (cy_index[["gdp_wb", "pop_wb", "rgdpe_pwt", "pop_pwt"]] == 0).any().any()


def test_pwt_maddison_and_gdppc_real(cy_index: pd.DataFrame) -> None:
    usa = cy_index.loc[("USA", 2000)]
    assert usa["gdppc_real_source"] == "pwt"
    assert usa["gdppc_real"] == pytest.approx(usa["rgdpe_pwt"] / usa["pop_pwt"])
    assert 40_000 < usa["gdppc_real"] < 60_000  # 2017 int. $
    assert usa["gdppc_mpd"] == pytest.approx(45_886.47, rel=1e-5)
    old = cy_index.loc[("GBR", 1900)]
    assert pd.isna(old["rgdpe_pwt"]) and old["gdppc_real_source"] == "maddison"
    assert old["gdppc_real"] == old["gdppc_mpd"]
    # PWT ends 2019: 2020 falls back to Maddison
    assert cy_index.loc[("GBR", 2020), "gdppc_real_source"] == "maddison"


def test_successor_territories(cy_index: pd.DataFrame) -> None:
    pop = wb_wdi.parse(fetch(wb_wdi.POP_KEY), "pop").set_index(["wb_code", "year"])["value"]
    ussr = ["ARM", "AZE", "BLR", "EST", "GEO", "KAZ", "KGZ", "LVA", "LTU", "MDA", "RUS", "TJK",
            "TKM", "UKR", "UZB"]  # fmt: skip
    assert cy_index.loc[("RUS", 1980), "pop_wb"] == pytest.approx(sum(pop[(c, 1980)] for c in ussr))
    assert "summed successors" in cy_index.loc[("RUS", 1980), "territory_note"]
    assert pd.isna(cy_index.loc[("UKR", 1980), "pop_wb"])  # moved to the USSR
    assert cy_index.loc[("CSK", 1990), "pop_wb"] == pop[("CZE", 1990)] + pop[("SVK", 1990)]
    assert pd.isna(cy_index.loc[("CZE", 1990), "pop_wb"])
    # WB RUS 1990 GDP is the Russian SFSR only and the Baltic GDPs are missing: no partial sum
    assert pd.isna(cy_index.loc[("RUS", 1990), "gdp_wb"])
    # Maddison's own USSR aggregate is used to 1990
    mpd = maddison.parse(fetch(maddison.KEY)).set_index(["iso", "year"])
    assert cy_index.loc[("RUS", 1985), "gdppc_mpd"] == mpd.loc[("SUN", 1985), "gdppc"]
    assert cy_index.loc[("RUS", 1995), "gdppc_mpd"] == mpd.loc[("RUS", 1995), "gdppc"]
    assert "unified territory" in cy_index.loc[("DEU", 1980), "territory_note"]
    assert pd.isna(cy_index.loc[("DDR", 1980), "gdp_wb"])


def test_democracy(cy_index: pd.DataFrame, built) -> None:
    assert cy_index.loc[("USA", 2000), "polity2"] == 10
    assert cy_index.loc[("CHN", 2000), "polity2"] == -7
    assert cy_index.loc[("RUS", 1985), "polity2"] == -7  # USSR
    assert cy_index.loc[("DEU", 1961), "polity2"] == 10  # West Germany
    assert cy_index.loc[("MEX", 2000), "bmr_democracy"] == 1
    assert 0.8 < cy_index.loc[("USA", 2000), "polyarchy"] <= 1.0
    assert cy_index.loc[("CSK", 1989), "polyarchy"] < 0.3  # V-Dem Czechia before 1993 = CSK
    assert cy_index.loc[("RVN", 1970), "polyarchy"] > 0  # V-Dem VDR override
    table = built[0]
    assert table.loc[table["year"] > 2020, "polity2"].isna().all()  # Polity ends 2020
    drops = " ".join(d["reason"] for d in built[1].drops)
    assert "polity5.rda: two source units map to one canonical code-year" in drops


def test_memberships(table: pd.DataFrame, cy_index: pd.DataFrame) -> None:
    gbr = cy_index.loc["GBR"]
    assert gbr.loc[1972, "eu_member"] == 0 and gbr.loc[1973, "eu_member"] == 1
    assert gbr.loc[2019, "eu_member"] == 1 and gbr.loc[2020, "eu_member"] == 0  # Brexit
    assert pd.isna(gbr.loc[1950, "eu_member"]) and pd.isna(gbr.loc[2021, "eu_member"])
    by_year = table.groupby("year")
    # Essay: 153 WTO members in 2008 (WTO count incl. the EC and customs territories);
    # COW IGO's state-year coding gives 150 member states
    assert by_year["wto_member"].sum()[2008] == 150
    assert by_year["oecd_member"].sum()[2008] == 30
    # COW IGO codes West Germany out of the OECD 1961-1989; corrected (IGO_CORRECTIONS)
    assert cy_index.loc[("DEU", 1975), "oecd_member"] == 1
    assert by_year["oecd_member"].sum()[1975] == 24
    assert cy_index.loc[("ITA", 1961), "oecd_member"] == 0  # Italy ratified in 1962
    assert by_year["eu_member"].sum()[2008] == 27
    assert by_year["gatt_member"].sum()[1994] == 123  # 128 parties by end-1994, 123 on 1 July
    assert table.loc[table["year"] > 2014, "wto_member"].isna().all()  # COW IGO ends 2014
    assert table.loc[table["year"] < 1995, "wto_member"].isna().all()
    # the two GATT sources agree except in accession years (mid-year rule vs COW's annual coding)
    both = table.dropna(subset=["gatt_member", "gatt_member_cow"])
    differ = both[both["gatt_member"] != both["gatt_member_cow"]]
    assert len(both) > 5_000 and len(differ) / len(both) < 0.02
    assert cy_index.loc[("USA", 1950), "gatt_member"] == 1
    assert cy_index.loc[("USA", 2000), "wto_member"] == 1
    assert (
        cy_index.loc[("CHN", 2000), "wto_member"] == 0
        and cy_index.loc[("CHN", 2002), "wto_member"] == 1
    )


# ------------------------------------------------------------------------------------------
# malformed copies
# ------------------------------------------------------------------------------------------


def _assert_error(exc: pytest.ExceptionInfo, source: str, column: str | None, row: int | None):
    msg = str(exc.value)
    assert source in msg
    if column is not None:
        assert exc.value.column == column and repr(column) in msg
    if row is not None:
        assert row in exc.value.rows and "rows:" in msg


def _wb_copy(tmp_path: Path, n: int = 30) -> tuple[Path, list[str]]:
    lines = fetch(wb_wdi.GDP_KEY).read_text(encoding="utf-8").splitlines(keepends=True)[: n + 1]
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    path = tmp_path / "wb_gdp_current_usd.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path, lines


def test_wb_small_copy_parses(tmp_path: Path) -> None:
    path, _ = _wb_copy(tmp_path)
    assert len(wb_wdi.parse(path, "gdp")) == 30


def test_wb_missing_column(tmp_path: Path) -> None:
    path, lines = _wb_copy(tmp_path)
    df = pd.read_csv(path).drop(columns="Value")
    df.to_csv(path, index=False)
    with pytest.raises(SourceError, match="missing column") as exc:
        wb_wdi.parse(path, "gdp")
    _assert_error(exc, "wb_gdp_current_usd.csv", "Value", None)


def test_wb_wrong_type(tmp_path: Path) -> None:
    path, lines = _wb_copy(tmp_path)
    lines[8] = lines[8].rsplit(",", 1)[0] + ",lots\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="non-numeric") as exc:
        wb_wdi.parse(path, "gdp")
    _assert_error(exc, "wb_gdp_current_usd.csv", "Value", 7)


def test_wb_negative_value(tmp_path: Path) -> None:
    path, lines = _wb_copy(tmp_path)
    lines[3] = lines[3].rsplit(",", 1)[0] + ",-5\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="negative") as exc:
        wb_wdi.parse(path, "gdp")
    _assert_error(exc, "wb_gdp_current_usd.csv", "Value", 2)


def test_wb_duplicated_key(tmp_path: Path) -> None:
    path, lines = _wb_copy(tmp_path)
    path.write_text("".join([*lines, lines[5]]), encoding="utf-8")
    with pytest.raises(SourceError, match="duplicated") as exc:
        wb_wdi.parse(path, "gdp")
    _assert_error(exc, "wb_gdp_current_usd.csv", "wb_code", 30)


def test_wb_truncated(tmp_path: Path) -> None:
    path, lines = _wb_copy(tmp_path)
    text = "".join(lines)
    path.write_text(text[: len(text) - 25], encoding="utf-8")  # cut inside the last row
    with pytest.raises(SourceError, match="truncated") as exc:
        wb_wdi.parse(path, "gdp")
    _assert_error(exc, "wb_gdp_current_usd.csv", None, 29)


def test_unknown_country_in_build(tmp_path: Path) -> None:
    path, lines = _wb_copy(tmp_path)
    lines[2] = lines[2].replace(",AFG,", ",QQQ,")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="QQQ") as exc:
        cy._wb(path, "gdp", "gdp_wb", BuildLog("country_year"), 1816)
    _assert_error(exc, "wb_gdp_current_usd.csv", "wb_code", None)


def _rda(df: pd.DataFrame, path: Path, name: str) -> Path:
    pyreadr.write_rdata(str(path), df, df_name=name)
    return path


def test_pwt_failures(tmp_path: Path) -> None:
    d = pyreadr.read_r(str(fetch(pwt.KEY)))["pwt10.01"]
    d = d[d["isocode"].astype(str).isin(["USA", "MEX"])].reset_index(drop=True)
    d = d[["country", "isocode", "year", "rgdpe", "rgdpo", "pop"]].astype(
        {"country": str, "isocode": str}
    )
    assert len(pwt.parse(_rda(d, tmp_path / "ok.rda", "pwt10.01"))) == 140
    bad = d.copy()
    bad.loc[75, "pop"] = -1.0
    with pytest.raises(SourceError, match="negative") as exc:
        pwt.parse(_rda(bad, tmp_path / "p1.rda", "pwt10.01"))
    _assert_error(exc, "p1.rda", "pop", 75)
    with pytest.raises(SourceError, match="missing column") as exc:
        pwt.parse(_rda(d.drop(columns="rgdpe"), tmp_path / "p2.rda", "pwt10.01"))
    _assert_error(exc, "p2.rda", "rgdpe", None)
    bad = d.copy()
    bad["year"] = bad["year"].astype(str)
    bad.loc[3, "year"] = "1953a"
    with pytest.raises(SourceError, match="non-numeric") as exc:
        pwt.parse(_rda(bad, tmp_path / "p3.rda", "pwt10.01"))
    _assert_error(exc, "p3.rda", "year", 3)
    data = fetch(pwt.KEY).read_bytes()
    trunc = tmp_path / "pwt10.01.rda"
    trunc.write_bytes(data[: len(data) // 3])
    with pytest.raises(SourceError, match="truncated or corrupt"):
        pwt.parse(trunc)


def test_maddison_and_democracy_failures(tmp_path: Path) -> None:
    m = pyreadr.read_r(str(fetch(maddison.KEY)))["MaddisonData"].head(40)
    dup = pd.concat([m, m.iloc[[7]]], ignore_index=True)
    with pytest.raises(SourceError, match="duplicated") as exc:
        maddison.parse(_rda(dup, tmp_path / "m.rda", "MaddisonData"))
    _assert_error(exc, "m.rda", "iso", 40)
    p = pyreadr.read_r(str(fetch(democracy.POLITY_KEY)))["polity5"].head(30)
    p = p[["polity_annual_ccode", "polity_annual_country", "cown", "year", "polity2"]].copy()
    p.loc[12, "polity2"] = 15.0
    with pytest.raises(SourceError) as exc:
        democracy.parse_polity5(_rda(p, tmp_path / "p.rda", "polity5"))
    _assert_error(exc, "p.rda", "polity2", 12)
    b = pyreadr.read_r(str(fetch(democracy.BMR_KEY)))["bmr"].head(30)
    b = b[["bmr_ccode", "bmr_country", "cown", "year", "democracy"]].copy()
    b.loc[4, "democracy"] = 3.0
    with pytest.raises(SourceError) as exc:
        democracy.parse_bmr(_rda(b, tmp_path / "b.rda", "bmr"))
    _assert_error(exc, "b.rda", "democracy", 4)


def test_membership_failures(tmp_path: Path) -> None:
    g = pyreadr.read_r(str(fetch(memberships.GATT_KEY)))["gatt_members"]
    g = g.astype({"date": str})
    bad = g.copy()
    bad.loc[9, "date"] = "sometime in 1950"
    with pytest.raises(SourceError, match="unparseable") as exc:
        memberships.parse_gatt(_rda(bad, tmp_path / "g.rda", "gatt_members"))
    _assert_error(exc, "g.rda", "date", 9)
    e = pyreadr.read_r(str(fetch(memberships.EU_KEY)))["eustates"].astype({"date": str})
    dup = pd.concat([e, e.iloc[[2]]], ignore_index=True)
    with pytest.raises(SourceError, match="duplicated") as exc:
        memberships.parse_eu(_rda(dup, tmp_path / "e.rda", "eustates"))
    _assert_error(exc, "e.rda", "iso2c", 28)


def test_original_files_untouched(tmp_path: Path) -> None:
    """Parsers never write next to their input (read-only mirror)."""
    path = tmp_path / "wb_population.csv"
    shutil.copy(fetch(wb_wdi.POP_KEY), path)
    wb_wdi.parse(path, "pop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wb_population.csv"]
    assert np.isfinite(wb_wdi.parse(path, "pop")["value"]).all()
