"""Consistency pairs of the crosswalk coverage report: two identifier columns of the same rows.

``IdPair``, the pairs of every source file, ``EXPECTED_DISAGREEMENTS`` (accepted, with reasons)
and ``consistency_table``, used by :mod:`polecon.countries.coverage`; split out of that module
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from polecon.countries._coverage_sources import (
    _CW,
    _CW_MATCH,
    _DESTA,
    _UNCTAD_CW,
    _cat,
    _decode_escapes,
    _raw,
)
from polecon.countries.crosswalk import (
    _is_missing,
)

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


def _pairs() -> list[IdPair]:
    out: list[IdPair] = []
    for fname in ("desta_list_of_treaties_02_03_dyads.csv", "desta_dyadic_withdrawal_02_03.csv"):
        d = _raw(_DESTA + fname)
        out.append(
            IdPair(
                _DESTA + fname,
                "iso1+iso2",
                "iso3n",
                _cat(d, "iso1", "iso2"),
                "country1+country2",
                "desta_name",
                _cat(d, "country1", "country2"),
            )
        )
    for fname in ("BLAs_Formation_Data.dta", "BLAs_Coding_Data.dta"):
        d = _raw(_CW + fname)
        out.append(
            IdPair(
                _CW + fname,
                "countryA+countryB",
                "cw_name",
                _cat(d, "countryA", "countryB"),
                "codeA+codeB",
                "cw_code",
                _cat(d, "codeA", "codeB"),
                _cat(d, "year", "year"),
            )
        )
    for sheet, code_col, name_col in (
        ("CountryA", "d_iso3", "Name of country A"),
        ("CountryB", "o_iso3", "Name of country B"),
    ):
        d = _raw(_CW_MATCH, sheet)
        out.append(
            IdPair(_CW_MATCH, name_col, "cw_name", d[name_col], code_col, "cw_iso3", d[code_col])
        )
    cw = _raw(_UNCTAD_CW)
    out.append(
        IdPair(
            _UNCTAD_CW,
            "CountryName",
            "name",
            cw["CountryName"],
            "CountryCode",
            "unctad_code",
            cw["CountryCode"],
        )
    )
    g = _raw("geo/original/cepii_geo_cepii.xls")
    out.append(
        IdPair(
            "geo/original/cepii_geo_cepii.xls",
            "iso3",
            "cepii_iso3",
            g["iso3"],
            "cnum",
            "cepii_num",
            g["cnum"],
        )
    )
    out.append(
        IdPair(
            "geo/original/cepii_geo_cepii.xls",
            "iso3",
            "cepii_iso3",
            g["iso3"],
            "country",
            "name",
            g["country"],
        )
    )
    v = _raw("macro/original/vdem_simple.rda")
    for col, scheme in (("country_id", "vdem_id"), ("cown", "cow"), ("GWn", "gw")):
        out.append(
            IdPair(
                "macro/original/vdem_simple.rda",
                "country_text_id",
                "vdem_text",
                v["country_text_id"],
                col,
                scheme,
                v[col],
                v["year"],
            )
        )
    p = _raw("macro/original/polity5.rda")
    for col, scheme in (("polity_annual_ccode", "polity"), ("cown", "cow")):
        out.append(
            IdPair(
                "macro/original/polity5.rda",
                "scode",
                "polity_scode",
                p["scode"],
                col,
                scheme,
                p[col],
                p["year"],
            )
        )
    b = _raw("macro/original/bmr.rda")
    for col, scheme in (("cown", "cow"), ("bmr_country", "name")):
        out.append(
            IdPair(
                "macro/original/bmr.rda",
                "abbreviation",
                "bmr_abbr",
                b["abbreviation"],
                col,
                scheme,
                b[col],
                b["year"],
            )
        )
    for key in ("macro/wb_gdp_current_usd.csv", "macro/wb_population.csv"):
        w = _raw(key)
        out.append(
            IdPair(
                key,
                "Country Code",
                "wb",
                w["Country Code"],
                "Country Name",
                "name",
                w["Country Name"],
            )
        )
    for key in ("migration/unhcr_population_1951_2025.rda", "migration/unhcr_flows_1962_2025.rda"):
        u = _raw(key)
        out.append(
            IdPair(
                key,
                "coo_iso+coa_iso",
                "unhcr",
                _cat(u, "coo_iso", "coa_iso"),
                "coo_name+coa_name",
                "name",
                _cat(u, "coo_name", "coa_name"),
            )
        )
        out.append(
            IdPair(
                key,
                "coo_iso+coa_iso",
                "unhcr",
                _cat(u, "coo_iso", "coa_iso"),
                "coo+coa",
                "unhcr_code",
                _cat(u, "coo", "coa"),
            )
        )
    pw = _raw("macro/original/pwt10.01.rda")
    out.append(
        IdPair(
            "macro/original/pwt10.01.rda",
            "isocode",
            "pwt",
            pw["isocode"].astype(str),
            "country",
            "name",
            pw["country"].astype(str),
        )
    )
    m = _raw("macro/original/MaddisonCountries.rda")
    out.append(
        IdPair(
            "macro/original/MaddisonCountries.rda",
            "ISO",
            "iso3",
            m["ISO"].astype(str),
            "country",
            "name",
            m["country"].astype(str),
        )
    )
    pc = _raw("trade/penppml_countries.rda")
    out.append(
        IdPair(
            "trade/penppml_countries.rda",
            "iso",
            "iso3",
            pc["iso"],
            "name (escapes decoded)",
            "name",
            _decode_escapes(pc["name"]),
        )
    )
    for key, code_col, scheme in (
        ("macro/original/gatt_members.rda", "iso3c", "iso3"),
        ("macro/original/eustates.rda", "iso2c", "iso2"),
    ):
        d = _raw(key)
        out.append(IdPair(key, code_col, scheme, d[code_col], "country", "name", d["country"]))
    cs = _raw("codes/original/cw_system.rda")
    out.append(
        IdPair(
            "codes/original/cw_system.rda",
            "ccode",
            "cow",
            cs["ccode"],
            "cw_name",
            "name",
            cs["cw_name"],
        )
    )
    for key in ("codes/original/cw_gw_panel.rda", "codes/original/gw_cw_panel.rda"):
        d = _raw(key)
        out.append(IdPair(key, "ccode", "cow", d["ccode"], "gwcode", "gw", d["gwcode"], d["year"]))
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
