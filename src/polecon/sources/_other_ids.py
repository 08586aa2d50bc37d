"""Identifier columns of registered files that no canonical-table parser reads.

The crosswalk coverage report (:mod:`polecon.sources.coverage`) certifies every identifier
column of every source file. The columns of files parsed into a canonical table are declared
next to their parser (``COUNTRY_IDS`` of that module); these files are read only by the
country layer (the COW/GW state lists, the UNCTAD name crosswalk) or by no one yet (penppml,
CEPII's country file, COLDAT's colonies, Maddison's country list, the Fariss GDP/population
and democracyData state-years, COW NMC and the COW IGO state-year file in its other format),
so their identifiers are declared here.
"""

from __future__ import annotations

from polecon.sources._decl import RawIdentifier
from polecon.sources._readers import ReadOptions
from polecon.sources.agreements.schema import UNCTAD_XWALK_KEY
from polecon.sources.cepii import GEO_KEY

_PENPPML = "trade/penppml_trade_1964_2016.rda"

COUNTRY_IDS = (
    RawIdentifier(UNCTAD_XWALK_KEY, "CountryName", "unctad_name"),
    RawIdentifier(UNCTAD_XWALK_KEY, "CountryCode", "unctad_code"),
    RawIdentifier(_PENPPML, "exp+imp", "penppml", years="time", text=True),
    RawIdentifier("trade/penppml_countries.rda", "iso", "iso3"),
    RawIdentifier(GEO_KEY, "iso3", "cepii_iso3"),
    RawIdentifier(GEO_KEY, "cnum", "cepii_num"),
    # CEPII writes "." for a missing colonizer
    RawIdentifier(
        GEO_KEY,
        "",
        "cepii_iso3",
        "colonizer1-4, short_colonizer1-3",
        pattern=".*colonizer.*",
        read=ReadOptions("xls", na_values=(".",)),
    ),
    RawIdentifier("geo/coldat_colonies.csv", "country", "coldat_name"),
    RawIdentifier("macro/original/MaddisonCountries.rda", "ISO", "iso3", text=True),
    *(
        RawIdentifier(f"macro/original/{name}.rda", col, scheme, years="year")
        for name, col, scheme in (
            ("cw_gdppop", "ccode", "cow"),
            ("gw_gdppop", "gwcode", "gw"),
            ("cw_democracy", "ccode", "cow"),
            ("gw_democracy", "gwcode", "gw"),
            ("cow_nmc", "ccode", "cow"),
            ("cow_igo_sy", "ccode", "cow"),
        )
    ),
    RawIdentifier("codes/original/cw_system.rda", "ccode", "cow"),
    RawIdentifier("codes/original/gw_system.rda", "gwcode", "gw"),
)
