"""Consistency pairs of the crosswalk coverage report: two identifier columns of the same rows.

``IdPair``, the pairs of every source file, ``EXPECTED_DISAGREEMENTS`` (accepted, with reasons)
and ``consistency_table``, used by :mod:`polecon.sources.coverage` (each file read with the options declared for
its identifier columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from polecon.countries.crosswalk import _is_missing
from polecon.sources._coverage_read import _cat, _decode_escapes, _raw

# registry keys (or folders) of the pairs
_UNCTAD_CW = "bits/unctad_iia_navigator_2020-01/ISO3-CountryName-UNTACD.dta"
_DESTA = "ptas/desta_v2.3/"
_CW = "blas/chilton_woda_2022/"
_CW_MATCH = "blas/chilton_woda_2022/countries_match.xlsx"

# --------------------------------------------------------------------------------------------
# Consistency: two identifier columns of the same rows must map to the same code
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdPair:
    """Two identifier columns describing the same rows (a code and a name, two code lists)."""

    source: str
    column_a: str
    scheme_a: str
    values_a: pd.Series
    column_b: str
    scheme_b: str
    values_b: pd.Series
    years: pd.Series | None = None


def _pair(key: str, a: str, scheme_a: str, b: str, scheme_b: str, **kw: str) -> IdPair:
    """The pair of columns ``a`` and ``b`` of ``key`` (``x+y``: stacked; ``years``, ``sheet``)."""
    d = _raw(key, kw.get("sheet"))
    cols = {c: _cat(d, *c.split("+")) for c in (a, b)}
    years = _cat(d, *[kw["years"]] * len(a.split("+"))) if "years" in kw else None
    return IdPair(key, a, scheme_a, cols[a], b, scheme_b, cols[b], years)


def _pairs() -> list[IdPair]:
    geo = "geo/original/cepii_geo_cepii.xls"
    out = [
        _pair(_DESTA + f, "iso1+iso2", "iso3n", "country1+country2", "desta_name")
        for f in ("desta_list_of_treaties_02_03_dyads.csv", "desta_dyadic_withdrawal_02_03.csv")
    ]
    out += [
        _pair(_CW + f, "countryA+countryB", "cw_name", "codeA+codeB", "cw_code", years="year")
        for f in ("BLAs_Formation_Data.dta", "BLAs_Coding_Data.dta")
    ]
    out += [
        _pair(_CW_MATCH, name, "cw_name", code, "cw_iso3", sheet=sheet)
        for sheet, code, name in (
            ("CountryA", "d_iso3", "Name of country A"),
            ("CountryB", "o_iso3", "Name of country B"),
        )
    ]
    out.append(_pair(_UNCTAD_CW, "CountryName", "name", "CountryCode", "unctad_code"))
    out += [
        _pair(geo, "iso3", "cepii_iso3", "cnum", "cepii_num"),
        _pair(geo, "iso3", "cepii_iso3", "country", "name"),
    ]
    for name, first, first_scheme, others in (  # democracy files: per year
        ("vdem_simple", "country_text_id", "vdem_text", "country_id:vdem_id cown:cow GWn:gw"),
        ("polity5", "scode", "polity_scode", "polity_annual_ccode:polity cown:cow"),
        ("bmr", "abbreviation", "bmr_abbr", "cown:cow bmr_country:name"),
    ):
        key = f"macro/original/{name}.rda"
        d = _raw(key)
        for col, scheme in (pair.split(":") for pair in others.split()):
            out.append(IdPair(key, first, first_scheme, d[first], col, scheme, d[col], d["year"]))
    for key in ("migration/unhcr_population_1951_2025.rda", "migration/unhcr_flows_1962_2025.rda"):
        out.append(_pair(key, "coo_iso+coa_iso", "unhcr", "coo_name+coa_name", "name"))
        out.append(_pair(key, "coo_iso+coa_iso", "unhcr", "coo+coa", "unhcr_code"))
    pc = _raw(pc_key := "trade/penppml_countries.rda")
    decoded = _decode_escapes(pc["name"])
    out.append(IdPair(pc_key, "iso", "iso3", pc["iso"], "name (escapes decoded)", "name", decoded))
    for key, code_col, scheme, name_col in (  # a code and a name column
        ("macro/wb_gdp_current_usd.csv", "Country Code", "wb", "Country Name"),
        ("macro/wb_population.csv", "Country Code", "wb", "Country Name"),
        ("macro/original/pwt10.01.rda", "isocode", "pwt", "country"),
        ("macro/original/MaddisonCountries.rda", "ISO", "iso3", "country"),
        ("macro/original/gatt_members.rda", "iso3c", "iso3", "country"),
        ("macro/original/eustates.rda", "iso2c", "iso2", "country"),
        ("codes/original/cw_system.rda", "ccode", "cow", "cw_name"),
    ):
        d = _raw(key)
        a, b = d[code_col], d[name_col]
        if key.endswith(("pwt10.01.rda", "MaddisonCountries.rda")):  # R factors: as text
            a, b = a.astype(str), b.astype(str)
        out.append(IdPair(key, code_col, scheme, a, name_col, "name", b))
    for key in ("codes/original/cw_gw_panel.rda", "codes/original/gw_cw_panel.rda"):
        out.append(_pair(key, "ccode", "cow", "gwcode", "gw", years="year"))
    return out


# Disagreements between two identifier columns that are understood and accepted (with reasons).
EXPECTED_DISAGREEMENTS: dict[tuple[str, str, str], str] = {
    ("geo/original/cepii_geo_cepii.xls", "BEL", "Belgium and Luxembourg"): (
        "CEPII names its BEL row 'Belgium and Luxembourg' although LUX has its own row; the name "
        "alone means the BLEU bloc"
    ),
    ("macro/original/vdem_simple.rda", "CZE", "316.0"): (
        "V-Dem's CZE series covers Czechoslovakia 1918-1992 (mapped to CSK by year); democracyData's "
        "cown/GWn columns say 316 (Czech Republic) for those years"
    ),
    ("macro/original/vdem_simple.rda", "VDR", "815.0"): (
        "V-Dem's 'Republic of Vietnam' 1945-1954 (State of Vietnam) is mapped to RVN; democracyData's "
        "GWn says 815 (Vietnam/Annam)"
    ),
}


def consistency_table() -> pd.DataFrame:
    """Rows whose two identifiers map to different codes, grouped.

    Columns: source, column_a, value_a, code_a, column_b, value_b, code_b, n_rows, first_year,
    last_year.  Documented exceptions count as ``<NA>``; a pair where either side is missing in
    the file is skipped.
    """
    from polecon.countries.crosswalk import to_canonical

    rows = []
    for pr in _pairs():
        df = pd.DataFrame(
            {"a": pr.values_a.reset_index(drop=True), "b": pr.values_b.reset_index(drop=True)}
        )
        df["y"] = (
            pd.NA
            if pr.years is None
            else pd.to_numeric(pr.years.reset_index(drop=True), errors="coerce")
        )
        df = df[~df["a"].map(_is_missing).astype(bool) & ~df["b"].map(_is_missing).astype(bool)]
        ca_raw = to_canonical(
            df["a"], pr.scheme_a, source=pr.source, years=None if pr.years is None else df["y"]
        )
        df = df[ca_raw.notna().to_numpy()]  # rows whose first identifier is an exception: skip
        yrs = None if pr.years is None else df["y"]
        ca = ca_raw[ca_raw.notna()].astype(object)
        cb = (
            to_canonical(df["b"], pr.scheme_b, source=pr.source, years=yrs)
            .astype(object)
            .fillna("<NA>")
        )
        bad = df.assign(ca=ca.to_numpy(), cb=cb.to_numpy())[ca.to_numpy() != cb.to_numpy()]
        if bad.empty:
            continue
        bad = bad.assign(a=bad["a"].astype(str).str.strip(), b=bad["b"].astype(str).str.strip())
        for (a, b, x, y), grp in bad.groupby(["a", "b", "ca", "cb"], sort=True):
            rows.append(
                {
                    "source": pr.source,
                    "column_a": pr.column_a,
                    "value_a": a,
                    "code_a": x,
                    "column_b": pr.column_b,
                    "value_b": b,
                    "code_b": y,
                    "n_rows": len(grp),
                    "first_year": grp["y"].min(),
                    "last_year": grp["y"].max(),
                }
            )
    cols = [
        "source",
        "column_a",
        "value_a",
        "code_a",
        "column_b",
        "value_b",
        "code_b",
        "n_rows",
        "first_year",
        "last_year",
    ]
    return pd.DataFrame(rows, columns=cols)
