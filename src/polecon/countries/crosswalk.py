"""Map the country identifiers of every source to the canonical country code.

The canonical code (HYPOTHESES.md s.1) is one ISO 3166-1 alpha-3 label per state that follows
the COW continuity convention (West/unified Germany ``DEU``, East Germany ``DDR``, USSR/Russia
``RUS``, Yugoslavia/Serbia ``SRB``, North Yemen/Yemen ``YEM``, South Yemen ``YMD``, North
Vietnam/Vietnam ``VNM``, South Vietnam ``RVN``, Czechoslovakia ``CSK``).  Non-state territories
keep their ISO3 code (``HKG``, ``PRI``, ...); historical states without an ISO code get their
COW/GW letter code (``BAV``, ``AUH``, ...); blocs that sign as one party get a bloc code
(``BLEU``, ``EU``, ``EFTA``, ...).

The mapping is built from the crosswalk data in ``data/codes`` (countrycode's codelist, the COW
and GW state lists, the ISO list) and from country_converter.  Only residual exceptions live in
the reviewed tables ``datasets/countries/states.csv`` (COW/GW codes that the codelist does not map)
and ``datasets/countries/exceptions.csv`` (scheme, value, canonical, year range, reason); an empty
``canonical`` there marks a value that is deliberately left unmapped (a regional aggregate,
"unknown", "other"), which returns ``<NA>``.

Code layout: the declared raw files (``CROSSWALK_FILES``), the checked readers ``_fetch`` /
``_read_r`` and the tables read from them live in :mod:`._crosswalk_files`, normalisation and
the base resolvers in :mod:`._crosswalk_names`, ``SCHEMES`` and the exception table in
:mod:`._crosswalk_schemes`; all are imported back here, and this module maps
(:func:`to_canonical`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import pandas as pd

# moved unchanged to private modules and imported back: every memoised reader stays visible here
from polecon.countries._crosswalk_files import (  # noqa: F401 (re-exported)
    CODELIST_KEY,
    COW_SYSTEM_KEY,
    CROSSWALK_FILES,
    CW_MATCH_KEY,
    GW_SYSTEM_KEY,
    ISO_KEY,
    UNCTAD_NAMES_KEY,
    _codelist_int_map,
    _fetch,
    _iso3_set,
    _iso3n_map,
    _iso_list,
    _read_r,
    _read_r_path,
    _spells,
    _states_table,
    codelist,
    cow_map,
    cow_system_spells,
    gw_map,
    gw_system_spells,
)
from polecon.countries._crosswalk_names import (  # noqa: F401 (re-exported)
    _COCO_FIX,
    _ORGANISATION,
    _QUOTES,
    _as_int,
    _coco,
    _codelist_column_map,
    _codelist_regexes,
    _codelist_row_codes,
    _cw_match_map,
    _make_codelist_resolver,
    _resolve_alpha3,
    _resolve_cow,
    _resolve_gw,
    _resolve_iso3n,
    _resolve_name,
    _unctad2020_map,
    normalize_code,
    normalize_name,
)
from polecon.countries._crosswalk_schemes import (  # noqa: F401 (re-exported)
    _LEGACY,
    SCHEMES,
    Scheme,
    _exception_index,
    _lookup_exception,
    _norm_name,
    _resolve_cw_name,
    _resolve_unctad,
    _resolve_via,
    exceptions_table,
    known_codes,
    load_exceptions,
)

__all__ = [
    "SCHEMES",
    "UnmappedCountryError",
    "codelist",
    "cow_system_spells",
    "exceptions_table",
    "gw_system_spells",
    "known_codes",
    "to_canonical",
]


class UnmappedCountryError(ValueError):
    """Identifiers that map to no canonical code and are not documented exceptions.

    ``unmapped`` holds ``(value, n_rows)`` pairs sorted by row count (descending), then value.
    """

    def __init__(self, source: str, scheme: str, unmapped: list[tuple[str, int]]) -> None:
        self.source = source
        self.scheme = scheme
        self.unmapped = unmapped
        listing = "; ".join(f"{v!r} ({n} row{'s' if n != 1 else ''})" for v, n in unmapped)
        super().__init__(
            f"{len(unmapped)} unmapped country identifier(s) in source {source!r} "
            f"(scheme {scheme!r}): {listing}. Add a mapping or a documented exception to "
            f"datasets/countries/exceptions.csv."
        )


def _needs_year(scheme: str, key: str) -> bool:
    idx = _exception_index()
    for s in (scheme, *SCHEMES[scheme].parents):
        for a, b, _ in idx.get((s, key), ()):
            if a is not None or b is not None:
                return True
    return False


_NOT_FOUND = object()


@cache
def _resolve_one(scheme: str, key: str, year: int | None) -> object:
    """Canonical code, ``None`` (documented exception -> NA) or ``_NOT_FOUND``."""
    canon, found = _lookup_exception(scheme, key, year)
    if found:
        return canon
    hit = SCHEMES[scheme].resolve(key)
    if hit is None or hit not in known_codes():
        return _NOT_FOUND
    return hit


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def to_canonical(
    values: pd.Series | Sequence[object],
    scheme: str,
    *,
    source: str,
    years: pd.Series | Sequence[int] | None = None,
) -> pd.Series:
    """Map identifiers in ``scheme`` to canonical country codes.

    Parameters
    ----------
    values : identifiers (one per row); missing values (NA/empty) map to ``<NA>``.
    scheme : a key of ``SCHEMES`` (``"iso3"``, ``"cow"``, ``"unctad_name"``, ...).
    source : the source name, quoted in errors.
    years : optional year per row, used by year-dependent exceptions.

    Returns a pandas ``"string"`` Series aligned with ``values`` (same index). Documented
    exceptions with an empty canonical code give ``<NA>``; bloc names give bloc codes.

    Raises ``UnmappedCountryError`` listing every identifier that maps nowhere, with row counts.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown country scheme {scheme!r}; known: {sorted(SCHEMES)}")
    spec = SCHEMES[scheme]
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if years is not None:
        ys = years if isinstance(years, pd.Series) else pd.Series(list(years))
        if len(ys) != len(s):
            raise ValueError(f"{source}: years has {len(ys)} rows, values has {len(s)}")
        ys = pd.Series(pd.to_numeric(ys.to_numpy(), errors="coerce"), index=s.index)
    else:
        ys = None

    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    result = pd.array([pd.NA] * len(uniques), dtype="string")
    uniq_keys: list[str | None] = [None if _is_missing(u) else spec.normalize(u) for u in uniques]
    bad: dict[str, int] = {}
    raw_of: dict[str, str] = {}
    counts = pd.Series(codes[codes >= 0]).value_counts() if len(codes) else pd.Series(dtype=int)
    yearly: list[int] = []
    for j, k in enumerate(uniq_keys):
        if k is None:
            continue
        if _needs_year(scheme, k):
            yearly.append(j)
            continue
        res = _resolve_one(scheme, k, None)
        if res is _NOT_FOUND:
            raw_of.setdefault(k, str(uniques[j]).strip())
            bad[k] = bad.get(k, 0) + int(counts.get(j, 0))
        elif res is not None:
            result[j] = res
    mapped = result.take(codes, allow_fill=True) if len(codes) else result[:0]
    out = pd.Series(mapped, index=s.index, dtype="string", name=getattr(values, "name", None))
    for j in yearly:
        k = uniq_keys[j]
        assert k is not None
        rows = codes == j
        if ys is None or ys[rows].isna().any():
            first = s.index[rows & (ys.isna().to_numpy() if ys is not None else True)][0]
            raise ValueError(
                f"{source}: identifier {uniques[j]!r} (scheme {scheme!r}) maps differently by "
                f"year; pass years= (row {first!r} has none)"
            )
        for y in pd.unique(ys[rows]):
            res = _resolve_one(scheme, k, int(y))
            sel = rows & (ys == y).to_numpy()
            if res is _NOT_FOUND:
                label = f"{str(uniques[j]).strip()} in {int(y)}"
                raw_of.setdefault(f"{k}@{int(y)}", label)
                bad[f"{k}@{int(y)}"] = int(sel.sum())
            else:
                out[sel] = pd.NA if res is None else res
    if bad:
        listing = sorted(((raw_of[k], n) for k, n in bad.items()), key=lambda t: (-t[1], t[0]))
        raise UnmappedCountryError(source, scheme, listing)
    return out
