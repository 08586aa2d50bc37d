"""Unit tests of polecon.countries: mapping, failure cases, blocs, state system, succession.

The crosswalk data come from the mirror (../shared/data via datasets/mirrors.txt or
POLECON_MIRROR); failure cases use small fixtures written here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon.countries import (
    UnknownBlocError,
    UnmappedCountryError,
    canonical_states,
    expand_blocs,
    members_on,
    name_in_year,
    predecessor,
    state_system,
    to_canonical,
)
from polecon.countries.blocs import bloc_codes, bloc_members
from polecon.countries.crosswalk import (
    _iso3_set,
    cow_map,
    cow_system_spells,
    exceptions_table,
    gw_map,
    gw_system_spells,
    load_exceptions,
)
from polecon.countries.succession import succession_table
from polecon.sources._splitters import split_names, split_parties, split_title

pytestmark = pytest.mark.realdata


def _map(values, scheme, **kw):
    return to_canonical(values, scheme, source="unit test", **kw).tolist()


# ---------------------------------------------------------------------------- failure cases


def test_unknown_names_raise_listing_all_values_with_counts() -> None:
    values = ["Atlantis", "Germany", "Oz", "Atlantis", "Atlantis", "Oz", "Narnia", None]
    with pytest.raises(UnmappedCountryError) as info:
        to_canonical(values, "name", source="fixture.csv")
    err = info.value
    assert isinstance(err, ValueError)
    assert err.unmapped == [("Atlantis", 3), ("Oz", 2), ("Narnia", 1)]
    msg = str(err)
    assert "fixture.csv" in msg and "'name'" in msg
    assert (
        msg.index("'Atlantis' (3 rows)")
        < msg.index("'Oz' (2 rows)")
        < msg.index("'Narnia' (1 row)")
    )


def test_unknown_codes_raise_for_every_scheme_kind() -> None:
    with pytest.raises(UnmappedCountryError, match="'999'"):
        to_canonical([2, 999], "cow", source="t")
    with pytest.raises(UnmappedCountryError, match="'QQQ'"):
        to_canonical(["USA", "QQQ"], "iso3", source="t")
    with pytest.raises(UnmappedCountryError, match="'ZZZ'"):
        to_canonical(["ZZZ"], "iso3", source="t")  # 'zzz' is an exception for the WB only


def test_unknown_scheme_and_bad_years() -> None:
    with pytest.raises(ValueError, match="unknown country scheme"):
        to_canonical(["USA"], "klingon", source="t")
    with pytest.raises(ValueError, match="years has 1 rows"):
        to_canonical(["USA", "MEX"], "iso3", source="t", years=[2000])
    with pytest.raises(ValueError, match="maps differently by year"):
        to_canonical(["SUN"], "maddison", source="t")


def test_documented_exceptions_return_na_not_error() -> None:
    out = to_canonical(pd.Series(["WLD", "USA", "EUU"], index=[10, 11, 12]), "wb", source="t")
    assert out.dtype == "string"
    assert list(out.index) == [10, 11, 12]
    assert out.isna().tolist() == [True, False, True]
    assert _map(["UNK", "XXA", "USA"], "unhcr")[:2] == [pd.NA, pd.NA]
    assert pd.isna(_map(["Micronesia"], "undesa_name")[0])  # the region, not FSM
    assert _map(["Micronesia (Fed. States of)"], "undesa_name") == ["FSM"]


def test_missing_inputs_stay_missing_and_index_is_kept() -> None:
    s = pd.Series(["DEU", None, float("nan"), " "], index=list("abcd"), name="iso")
    out = to_canonical(s, "iso3", source="t")
    assert list(out.index) == list("abcd") and out.name == "iso"
    assert out.iloc[0] == "DEU" and out.iloc[1:].isna().all()


# ---------------------------------------------------------------------------- schemes


def test_cow_codes() -> None:
    codes = [260, 255, 730, 732, 345, 678, 679, 680, 816, 817, 315, 316, 317, 365, 265, 2]
    assert _map(codes, "cow") == [
        "DEU", "DEU", "KOR", "KOR", "SRB", "YEM", "YEM", "YMD", "VNM", "RVN",
        "CSK", "CZE", "SVK", "RUS", "DDR", "USA",
    ]  # fmt: skip
    assert _map([260.0, "260", " 260 "], "cow") == ["DEU"] * 3


def test_gw_codes_differ_from_cow_where_they_should() -> None:
    assert _map([260, 255, 678, 340, 345, 816, 970, 971, 347], "gw") == [
        "DEU", "DEU", "YEM", "SRB", "SRB", "VNM", "KIR", "NRU", "XKX",
    ]  # fmt: skip
    assert _map([970], "cow") == ["NRU"]  # COW 970 is Nauru; GW 970 is Kiribati


def test_cepii_2004_codes() -> None:
    assert _map(["ROM", "ZAR", "YUG", "TMP", "PAL", "ANT", "DEU"], "cepii_iso3") == [
        "ROU", "COD", "SRB", "TLS", "PSE", "ANT", "DEU",
    ]  # fmt: skip


def test_world_bank_codes() -> None:
    assert _map(["CHI", "KSV", "XKX", "SCG", "ANT", "USA"], "wb") == [
        "CHI", "XKX", "XKX", "SRB", "ANT", "USA",
    ]  # fmt: skip


def test_iso_numeric_with_and_without_leading_zeros() -> None:
    assert _map(["040", 40, "4", 4.0, "004"], "iso3n") == ["AUT", "AUT", "AFG", "AFG", "AFG"]
    assert _map([729, 530, 900, 891, 200, 278, 280], "iso3n") == [
        "SDN", "ANT", "XKX", "SRB", "CSK", "DDR", "DEU",
    ]  # fmt: skip


def test_unctad_names() -> None:
    names = [
        "Türkiye", "Turkey", "Korea, Republic of", "Côte d’Ivoire", "Yugoslavia (former)",
        "Czechia", "Czech Republic", "Hong Kong, China SAR", "Macedonia, The former Yugoslav Republic",
        "United Republic of Tanzania", "Congo, Democratic Republic of the", "Russian Federation",
        "BLEU (Belgium-Luxembourg Economic Union)", "Belgium/Luxembourg", "EU (European Union)",
    ]  # fmt: skip
    assert _map(names, "unctad_name") == [
        "TUR", "TUR", "KOR", "CIV", "SRB", "CZE", "CZE", "HKG", "MKD", "TZA", "COD", "RUS",
        "BLEU", "BLEU", "EU",
    ]  # fmt: skip


def test_historical_names() -> None:
    names = ["Czechoslovakia", "East Germany", "West Germany", "USSR", "Serbia and Montenegro"]
    assert _map(names, "name") == ["CSK", "DDR", "DEU", "RUS", "SRB"]


def test_chilton_woda_codes_and_crosswalk_codes() -> None:
    assert _map([255, 265, 345, 711, 709, 3, 860], "cw_code") == [
        "DEU", "DDR", "SRB", "HKG", "MAC", "MNP", "TLS",
    ]  # fmt: skip
    assert _map(["DEUw", "DEUe", "CZEa", "ZAM", "YUG"], "cw_iso3") == [
        "DEU", "DDR", "CSK", "ZMB", "SRB",
    ]  # fmt: skip


def test_year_dependent_codes() -> None:
    out = to_canonical(
        ["SUN", "SUN", "SUN", "RUS", "RUS", "YUG", "YUG", "SRB", "CSK", "CSK"],
        "maddison",
        source="t",
        years=[1980, 1990, 1991, 1990, 1991, 1991, 1992, 1992, 1992, 1993],
    )
    assert out.tolist() == ["RUS", "RUS", pd.NA, pd.NA, "RUS", "SRB", pd.NA, "SRB", "CSK", pd.NA]
    v = to_canonical(["CZE", "CZE", "VDR"], "vdem_text", source="t", years=[1950, 2000, 1960])
    assert v.tolist() == ["CSK", "CZE", "RVN"]


def test_legacy_comtrade_codes() -> None:
    assert _map(["SVU", "VDR", "YDR", "MNT", "KN1", "BLX"], "penppml") == [
        "RUS", "VNM", "YMD", "MNE", "KNA", "BLEU",
    ]  # fmt: skip
    assert _map(["VDR"], "vdem_text", years=[1970]) == ["RVN"]  # same letters, other meaning


# ---------------------------------------------------------------------------- reviewed tables


def test_exception_table_is_well_formed() -> None:
    ex = exceptions_table()
    assert ex["reason"].str.len().gt(10).all()
    allowed_extra = {"ANT", "CHI"}  # territories without a current ISO3 code
    states = set(cow_map().values()) | set(gw_map().values())
    known = states | set(_iso3_set()) | set(bloc_codes()) | allowed_extra
    bad = sorted(set(ex["canonical"].dropna()) - known)
    assert not bad, f"exception targets that are no state, ISO3 code or bloc: {bad}"


def test_exception_table_validation_names_rows(tmp_path: Path) -> None:
    header = "scheme,value,canonical,year_from,year_to,reason,reviewed_by\n"
    f = tmp_path / "ex.csv"
    f.write_text(header + "iso3,SUN,RUS,,1991,ok,me\niso3,SUN,,1990,,overlap,me\n")
    with pytest.raises(ValueError, match=r"rows \[2, 3\].*overlap"):
        load_exceptions(f)
    f.write_text(header + "klingon,X,RUS,,,r,me\n")
    with pytest.raises(ValueError, match="unknown scheme"):
        load_exceptions(f)
    f.write_text(header + "iso3,X,RUS,,,,me\n")
    with pytest.raises(ValueError, match=r"rows \[2\] lack"):
        load_exceptions(f)
    f.write_text("scheme,value\niso3,X\n")
    with pytest.raises(ValueError, match="missing column"):
        load_exceptions(f)


def test_every_state_list_code_has_a_canonical_code() -> None:
    assert set(cow_system_spells()["ccode"]) <= set(cow_map())
    assert set(gw_system_spells()["ccode"]) <= set(gw_map())


# ---------------------------------------------------------------------------- blocs


def test_ec_1973_enlargement() -> None:
    df = pd.DataFrame({"party": ["EC", "EEC"], "year": [1973, 1972], "id": ["a", "b"]})
    out = expand_blocs(df, "party", "year")
    a = set(out.loc[out["id"] == "a", "party"])
    b = set(out.loc[out["id"] == "b", "party"])
    assert {"GBR", "DNK", "IRL"} <= a and len(a) == 9
    assert b == {"BEL", "DEU", "FRA", "ITA", "LUX", "NLD"}
    assert set(out["bloc"]) == {"EC", "EEC"}


def test_bleu_and_non_bloc_rows() -> None:
    df = pd.DataFrame(
        {
            "party": ["USA", "BLEU", "CHN"],
            "date": pd.to_datetime(["2000-01-01", "1984-06-04", "2010-01-01"]),
            "x": [1, 2, 3],
        }
    )
    out = expand_blocs(df, "party", "date")
    assert out["party"].tolist() == ["USA", "BEL", "LUX", "CHN"]
    assert out["x"].tolist() == [1, 2, 2, 3]
    assert out["bloc"].isna().tolist() == [True, False, False, True]
    assert out.index.tolist() == [0, 1, 2, 3]


def test_brexit_and_efta() -> None:
    assert "GBR" in members_on("EU", pd.Timestamp("2020-01-31"))
    assert "GBR" not in members_on("EU", pd.Timestamp("2020-02-01"))
    assert members_on("EFTA", 1980) == ["AUT", "CHE", "FIN", "ISL", "NOR", "PRT", "SWE"]
    assert members_on("EFTA", 2000) == ["CHE", "ISL", "LIE", "NOR"]
    assert len(members_on("EU", 2013)) == 28


def test_bloc_errors() -> None:
    with pytest.raises(UnknownBlocError, match="ASEAN.*no membership table"):
        expand_blocs(pd.DataFrame({"p": ["ASEAN"], "d": [2000]}), "p", "d")
    with pytest.raises(UnknownBlocError, match="did not exist"):
        expand_blocs(pd.DataFrame({"p": ["EU"], "d": [1950]}), "p", "d")
    with pytest.raises(UnknownBlocError, match="did not exist"):
        expand_blocs(pd.DataFrame({"p": ["EEC"], "d": [pd.Timestamp("1957-12-31")]}), "p", "d")
    rome = expand_blocs(pd.DataFrame({"p": ["EEC"], "d": [pd.Timestamp("1958-01-01")]}), "p", "d")
    assert rome["p"].tolist() == ["BEL", "DEU", "FRA", "ITA", "LUX", "NLD"]
    with pytest.raises(UnknownBlocError, match="missing"):
        expand_blocs(pd.DataFrame({"p": ["EFTA"], "d": [pd.NaT]}), "p", "d")
    with pytest.raises(KeyError, match="'nope'"):
        expand_blocs(pd.DataFrame({"p": ["EFTA"]}), "p", "nope")


def test_efta_spells_agree_with_cow_igo() -> None:
    """Our EFTA table vs COW IGO v3 full membership (1960-2014); known differences only."""
    from polecon.sources.coverage import _raw

    igo = _raw("macro/original/cow_igo_state_year_format3.rda")
    igo = igo[igo["year"].between(1961, 2014)]
    cow = set(
        zip(
            to_canonical(igo.loc[igo["efta"] == 1, "ccode"], "cow", source="igo").tolist(),
            igo.loc[igo["efta"] == 1, "year"].astype(int),
            strict=True,
        )
    )
    ours = {(m, y) for y in range(1961, 2015) for m in members_on("EFTA", pd.Timestamp(y, 12, 31))}
    diff = ours ^ cow
    # COW IGO codes Finland full from 1967 (we: associate 1961, full 1986) and Iceland from 1973
    # (we: 1970-03-01, the accession date)
    expected = {("FIN", y) for y in range(1961, 1967)} | {("ISL", y) for y in (1970, 1971, 1972)}
    assert diff <= expected, sorted(diff - expected)


def test_eu_spells_agree_with_cow_igo() -> None:
    from polecon.sources.coverage import _raw

    igo = _raw("macro/original/cow_igo_state_year_format3.rda")
    igo = igo[igo["year"].between(1958, 2014)]
    member = (igo["eec"] == 1) | (igo["eu"] == 1)
    cow = set(
        zip(
            to_canonical(igo.loc[member, "ccode"], "cow", source="igo").tolist(),
            igo.loc[member, "year"].astype(int),
            strict=True,
        )
    )
    ours = {(m, y) for y in range(1958, 2015) for m in members_on("EU", pd.Timestamp(y, 12, 31))}
    assert ours ^ cow == set()


def test_bloc_members_table() -> None:
    bm = bloc_members()
    assert set(bm["bloc"]) == {"BLEU", "EFTA", "EU"}
    assert bm["source"].str.len().gt(5).all()


# ---------------------------------------------------------------------------- state system


def test_state_system_germany() -> None:
    s = state_system()
    ddr = s.loc[s["code"] == "DDR", "year"]
    assert set(range(1955, 1991)) <= set(ddr) and 1991 not in set(ddr)
    deu = s.loc[s["code"] == "DEU"].set_index("year")
    assert set(range(1955, 2021)) <= set(deu.index)  # continuous through unification
    assert deu.loc[1989, "ccode"] == 260 and deu.loc[1991, "ccode"] == 255
    assert deu.loc[1990, "ccode"] == 255  # the spell that starts last in the year
    assert not s.duplicated(["code", "year"]).any()
    assert s.dtypes.to_dict() == {
        "code": "string",
        "ccode": "Int64",
        "year": "int64",
        "carried_forward": "bool",
    }


def test_state_system_carry_forward() -> None:
    s = state_system(start=2014, end=2020)
    assert not s.loc[s["year"] <= 2016, "carried_forward"].any()
    assert s.loc[s["year"] > 2016, "carried_forward"].all()
    assert (s.groupby("year").size().loc[2017:] == s.groupby("year").size().loc[2016]).all()
    assert state_system(end=2020, carry_forward=False)["year"].max() == 2016
    g = state_system("gw", start=1949, end=2020)
    assert not g["carried_forward"].any()
    assert set(range(1949, 2021)) <= set(g.loc[g["code"] == "DEU", "year"])
    assert {"RUS", "SRB", "YEM", "VNM", "CSK"} <= set(g.loc[g["year"] == 1980, "code"])


def test_state_system_other_continuities() -> None:
    s = state_system(start=1946, end=2020)
    by = s.groupby("code")["year"].agg(["min", "max"])
    assert by.loc["YMD"].tolist() == [1967, 1990]
    assert by.loc["RVN"].tolist() == [1954, 1975]
    assert by.loc["CSK", "max"] == 1992 and by.loc["CZE", "min"] == 1993
    for code in ("RUS", "SRB", "YEM", "VNM"):
        years = set(s.loc[s["code"] == code, "year"])
        lo = min(years)
        assert set(range(lo, 2021)) <= years, code
    with pytest.raises(ValueError, match="unknown state system"):
        state_system("xyz")  # type: ignore[arg-type]


def test_canonical_states_and_names() -> None:
    cs = canonical_states().set_index("code")
    assert cs.index.is_unique
    assert cs.loc["RUS", "name"] == "Russia" and cs.loc["RUS", "cow_code"] == 365
    assert cs.loc["DEU", "cow_codes"] == "255;260" and cs.loc["DEU", "gw_code"] == 260
    assert cs.loc["DDR", "last_year"] == 1990
    assert name_in_year(["RUS", "RUS", "DEU", "DEU", "USA"], [1991, 1992, 1980, 1991, 1900]).tolist() == [
        "Soviet Union", "Russia", "West Germany", "Germany", "United States",
    ]  # fmt: skip


# ---------------------------------------------------------------------------- succession


def test_predecessor() -> None:
    codes = pd.Series(["CZE", "CZE", "SVK", "HRV", "EST", "EST", "MKD", "ERI", "SSD", "USA", "BGD"])
    years = [1992, 1993, 1980, 1991, 1930, 1980, 1992, 1990, 2010, 1960, 1970]
    out = predecessor(codes, years)
    assert out.tolist() == [
        "CSK", "CZE", "CSK", "SRB", "EST", "RUS", "SRB", "ETH", "SDN", "USA", "PAK",
    ]  # fmt: skip
    assert predecessor(["MKD"], [1992], system="gw").tolist() == ["MKD"]  # GW: a state from 1991


def test_succession_table_matches_cow_entry_years() -> None:
    """Each successor is not a COW member in its last attributed year (except the
    inter-war Baltic states, which the membership rule handles) and is one afterwards."""
    s = state_system(start=1816, end=2020)
    members = set(zip(s["code"], s["year"], strict=True))
    for succ, to_year in succession_table()[["successor", "to_year"]].itertuples(index=False):
        later = {y for c, y in members if c == succ and y > to_year}
        assert later, succ
        if succ != "TLS":  # TLS: attribution stops in 1999, independence 2002
            assert min(later) == to_year + 1 or (succ, to_year) in members, succ


# ---------------------------------------------------------------------------- helpers


def test_party_splitters() -> None:
    assert split_parties("Korea, Republic of, Serbia") == ["Korea, Republic of", "Serbia"]
    assert split_parties(
        "Colombia, Ecuador, MERCOSUR (Mercado Común Sudamericano), Venezuela, Bolivarian Republic of"
    ) == [
        "Colombia",
        "Ecuador",
        "MERCOSUR (Mercado Común Sudamericano)",
        "Venezuela, Bolivarian Republic of",
    ]
    assert split_names(
        "ACP (African, Caribbean and Pacific Group of States), EU (European Union)"
    ) == [
        "ACP (African, Caribbean and Pacific Group of States)",
        "EU (European Union)",
    ]
    assert split_parties("China, State of Palestine") == ["China", "State of Palestine"]
    assert split_title("Japan - Zambia BIT (2025)") == ["Japan", "Zambia"]
    assert split_title("Cabo Verde - Equatorial Guinea  (2019)") == [
        "Cabo Verde",
        "Equatorial Guinea",
    ]
    assert split_title("China-Tajikistan BIT (2024)") == ["China", "Tajikistan"]
    assert split_title("Guinea-Bissau - Morocco BIT (2015)") == [
        "Guinea-Bissau",
        "Morocco",
    ]
