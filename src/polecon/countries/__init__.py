"""Country reconciliation: one canonical code per state (HYPOTHESES.md s.1).

Public API (stable):
- ``to_canonical(values, scheme, *, source, years=None)``: identifiers -> canonical codes.
- ``expand_blocs(df, party_col, date_col)``: bloc parties -> member rows at the date.
- ``state_system(system="cow", start=1816, end=2020, carry_forward=True)``: state-years.
- ``canonical_states()``, ``name_in_year(codes, years)``.
- ``predecessor(codes, years, system="cow")``: successor territories -> predecessor state.
- ``UnmappedCountryError`` (a ValueError), ``UnknownBlocError`` (a ValueError).

Reviewed tables (``datasets/countries/``; every row has a reason):
- ``states.csv``: COW/GW codes that countrycode's codelist does not map to the canonical code
  (260 -> DEU, 730 -> KOR, 345 -> SRB, 678 -> YEM, historical states -> COW/GW letter codes, ...).
- ``exceptions.csv``: residual identifiers per scheme (scheme, value, canonical, year_from,
  year_to, reason, reviewed_by); an empty canonical is a deliberate ``<NA>`` (aggregates, unknown).
- ``blocs.csv`` (bloc codes), ``bloc_members.csv`` (BLEU, EFTA spells), ``eu_exits.csv`` (Brexit).
- ``succession.csv``: successor -> predecessor attribution for today's-borders sources.
- ``historical_names.csv``: names by year ("Soviet Union" for RUS before 1992, ...).
"""

from __future__ import annotations

from polecon.countries.blocs import UnknownBlocError, bloc_members, expand_blocs, members_on
from polecon.countries.crosswalk import SCHEMES, UnmappedCountryError, to_canonical
from polecon.countries.succession import predecessor
from polecon.countries.system import canonical_states, name_in_year, state_system

__all__ = [
    "SCHEMES",
    "UnknownBlocError",
    "UnmappedCountryError",
    "bloc_members",
    "canonical_states",
    "expand_blocs",
    "members_on",
    "name_in_year",
    "predecessor",
    "state_system",
    "to_canonical",
]
