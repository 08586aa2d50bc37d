"""Risk sets for adoption (event-history) models, in the style of peacesciencer's ``add_spells()``.

:func:`risk_set` turns the directed panel into undirected pair-years (a < b, via
:func:`polecon.panel.dyads.undirected`) at risk of signing a type-k agreement (HYPOTHESES s.5):

- a pair is at risk from the later of ``start`` and its first year in the panel (both states
  exist) until its first type-k signature; the event year is kept (``event`` = 1), later years are
  dropped; a pair that signed before it entered the risk window never enters it;
- ``repeated=True`` keeps every year of the window and counts the agreements signed in each year
  (``event`` is the count, USA-MEX has 31 BLMAs); the spell clock restarts after every event year;
- time at risk ``t_risk`` (1 in the first year of a spell), the Carter & Signorino (2010) cubic
  ``t_risk, t_risk2 = t^2/10, t_risk3 = t^3/100`` (scaled for conditioning) and a restricted
  (natural) cubic spline basis ``t_ns1..`` (Harrell's ``rcspline.eval``, knots at quantiles of
  ``t_risk`` over the risk set, stored in ``attrs["spline_knots"]``);
- covariates (:data:`COVARIATES`) lagged ``lag`` years within the pair, or, for flows, taken from
  the latest year at or before t - ``lag`` in which both directions are observed (at most
  ``flow_max_age`` years old). The richer member (real GDP per capita at t - ``lag``) is ``rich``.

The frame's kind is recorded in ``DataFrame.attrs`` (``kind="risk_set"``, ``type``, ``start``,
``end``, ``repeated``, ``lag``, ...), never guessed from column names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from polecon.panel._keys import YEAR0, asof_take, categories, encode, pack
from polecon.panel.dictionary import ColumnDoc, register_docs
from polecon.panel.dyads import undirected
from polecon.panel.flows import MIGRATION_SERIES, twoway_index

#: agreement types with a risk set
RISK_TYPES: tuple[str, ...] = ("bit", "bfta", "pta", "blma")

#: the flow each agreement type governs (HYPOTHESES s.4, H1b; trade stands in for investment)
GOVERNING_FLOW: dict[str, str] = {
    "bit": "trade",
    "bfta": "trade",
    "pta": "trade",
    "blma": "migration",
}

#: covariate columns the risk set carries (documented below)
COVARIATES: tuple[str, ...] = (
    "lgdp_rich",
    "lgdp_poor",
    "lgdppc_ratio",
    "ldist",
    "contig",
    "comlang_off",
    "colony",
    "dem_rich",
    "dem_poor",
    "ltrade",
    "lmigrants",
    "twoway_trade",
    "twoway_migration",
    "twoway_governing",
    "dest_origin_diversity",
    "ldest_n_origins",
    "ldest_labour_pool",
    "origin_share",
    "diffusion_rich",
    "diffusion_poor",
    "pta_in_force",
)

_LAG = "member values at t - lag (lag = 1 by default)"
_FLOW = (
    "latest year at or before t - lag in which both directions are observed (at most "
    "flow_max_age years old, else NA)"
)
register_docs(
    {
        "pair": ColumnDoc("undirected pair id 'a-b' (cluster variable)", "code", "derived"),
        "type": ColumnDoc("agreement type of the risk set (bit, bfta, pta, blma)", "code", "-"),
        "event": ColumnDoc(
            "1 in the year of the pair's first type-k signature (0 before); in the repeated-events "
            "variant the number of type-k agreements signed in year t",
            "0/1 or count",
            "agreements coded on the panel ({k}_first_year, {k}_new)",
        ),
        "t_risk": ColumnDoc(
            "years at risk, 1 in the first year of the spell (the later of the start year and the "
            "pair's first year; in the repeated variant the year after the previous event)",
            "years",
            "derived",
        ),
        "t_risk2": ColumnDoc(
            "t_risk^2 / 10 (Carter & Signorino 2010 cubic)", "years^2/10", "derived"
        ),
        "t_risk3": ColumnDoc(
            "t_risk^3 / 100 (Carter & Signorino 2010 cubic)", "years^3/100", "derived"
        ),
        **{
            f"t_ns{c}": ColumnDoc(
                f"restricted cubic spline basis column {c} of t_risk (column 1 is t_risk itself; "
                "knots in attrs['spline_knots'])",
                "years^3 / knot range^2" if c > 1 else "years",
                "derived (Harrell's rcspline.eval, norm=2)",
            )
            for c in range(1, 5)
        },
        "prior_events": ColumnDoc(
            "type-k agreements the pair signed before t and had not terminated by t "
            "({k}_count - {k}_new)",
            "count",
            "agreements",
        ),
        "lgdp_rich": ColumnDoc(
            "log real GDP of the richer member (real GDP per capita x population, PWT then "
            "Maddison; " + _LAG + ")",
            "log int. $",
            "country_year (PWT 10.01, Maddison 2023)",
        ),
        "lgdp_poor": ColumnDoc(
            "log real GDP of the poorer member (" + _LAG + ")", "log int. $", "country_year"
        ),
        "lgdppc_ratio": ColumnDoc(
            "log of the ratio of the members' real GDP per capita, rich over poor (" + _LAG + ")",
            "log ratio (>= 0)",
            "country_year",
        ),
        "dem_rich": ColumnDoc(
            "V-Dem electoral democracy of the richer member (" + _LAG + ")", "0-1", "V-Dem"
        ),
        "dem_poor": ColumnDoc(
            "V-Dem electoral democracy of the poorer member (" + _LAG + ")", "0-1", "V-Dem"
        ),
        "ltrade": ColumnDoc(
            "log(1 + exports a->b + exports b->a) in current USD, " + _FLOW, "log USD", "COW trade"
        ),
        "lmigrants": ColumnDoc(
            "log(1 + migrants born in a living in b + born in b living in a), "
            + _FLOW
            + " (series per attrs['migration'])",
            "log persons",
            "migrant stocks",
        ),
        "twoway_trade": ColumnDoc(
            "two-way index of trade, " + _FLOW, "index in [0, 1]", "COW trade"
        ),
        "twoway_migration": ColumnDoc(
            "two-way index of migrant stocks, " + _FLOW, "index in [0, 1]", "migrant stocks"
        ),
        "twoway_governing": ColumnDoc(
            "two-way index of the flow type k governs: migration for blma, trade otherwise (H1b)",
            "index in [0, 1]",
            "derived",
        ),
        "ldest_n_origins": ColumnDoc(
            "log(1 + dest_n_origins) (" + _LAG + ")", "log count", "migrant stocks"
        ),
        "ldest_labour_pool": ColumnDoc(
            "log of dest_labour_pool (" + _LAG + ")", "log persons", "country_year"
        ),
        "diffusion_rich": ColumnDoc(
            "{k}_diffusion_export of the richer member at t (it already counts agreements by t-1)",
            "agreements (weighted mean)",
            "derived from agreements and COW trade",
        ),
        "diffusion_poor": ColumnDoc(
            "{k}_diffusion_export of the poorer member at t",
            "agreements (weighted mean)",
            "derived",
        ),
        "pta_in_force": ColumnDoc(
            "1 if a trade agreement (pta, bilateral FTAs included) was in force at t - lag",
            "0/1",
            "DESTA",
        ),
    }
)


def _exact_lag(values: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """Value of the row with the same pair at year t-k (NaN where absent); ``key`` = pair*SPAN+year."""
    index = pd.Index(key)
    pos = index.get_indexer(key - k)
    out = np.full(len(key), np.nan)
    hit = pos >= 0
    out[hit] = np.asarray(values, dtype=np.float64)[pos[hit]]
    return out


def _asof_rows(
    known: np.ndarray, pair: np.ndarray, year: np.ndarray, lag: int, max_age: int | None
) -> np.ndarray:
    """Row index of the pair's latest row with ``known`` at year <= t - lag (-1 if none/too old)."""
    rows = np.flatnonzero(known)
    idx, found_year = asof_take(pair[rows], year[rows], rows.astype(np.float64), pair, year - lag)
    ok = ~np.isnan(idx)
    if max_age is not None:
        ok &= (year - found_year) <= max_age
    return np.where(ok, np.nan_to_num(idx, nan=-1), -1).astype(np.int64)


def _take_rows(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.full(len(rows), np.nan)
    hit = rows >= 0
    out[hit] = np.asarray(values, dtype=np.float64)[rows[hit]]
    return out


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)


def restricted_cubic_spline(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Restricted (natural) cubic spline basis, shape (n, K-1) for K knots: x and K-2 cubic terms.

    Harrell's ``rcspline.eval(norm=2)``: term j = (x-k_j)+^3 - (x-k_{K-1})+^3 (k_K-k_j)/(k_K-k_{K-1})
    + (x-k_K)+^3 (k_{K-1}-k_j)/(k_K-k_{K-1}), divided by (k_K - k_1)^2; linear beyond the end knots.
    """
    k = np.asarray(knots, dtype=np.float64)
    if len(k) < 3 or np.any(np.diff(k) <= 0):
        raise ValueError(f"a restricted cubic spline needs >= 3 increasing knots, got {k.tolist()}")
    x = np.asarray(x, dtype=np.float64)
    kk, k1 = k[-1], k[-2]

    def p3(v: np.ndarray) -> np.ndarray:
        return np.maximum(v, 0.0) ** 3

    cols = [x]
    for kj in k[:-2]:
        term = p3(x - kj) - p3(x - k1) * (kk - kj) / (kk - k1) + p3(x - kk) * (k1 - kj) / (kk - k1)
        cols.append(term / (kk - k[0]) ** 2)
    return np.column_stack(cols)


#: Harrell's default knot quantiles by number of knots
_KNOT_QUANTILES: dict[int, tuple[float, ...]] = {
    3: (0.10, 0.50, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.50, 0.725, 0.95),
}


def _covariates(
    u: pd.DataFrame,
    kind: str,
    key: np.ndarray,
    pair: np.ndarray,
    lag: int,
    migration: str,
    flow_max_age: int | None,
) -> dict[str, np.ndarray]:
    """The covariate columns on the sorted undirected frame ``u`` (all years, before filtering)."""
    year = u["year"].to_numpy(dtype=np.int64)
    out: dict[str, np.ndarray] = {}
    g = {s: _exact_lag(_col(u, f"gdppc_real_{s}"), key, lag) for s in ("i", "j")}
    pop = {}
    for s in ("i", "j"):
        p = _col(u, f"pop_pwt_{s}")
        for alt in ("pop_mpd", "pop_wb"):
            p = np.where(np.isnan(p), _col(u, f"{alt}_{s}"), p)
        pop[s] = _exact_lag(p, key, lag)
    known = ~np.isnan(g["i"]) & ~np.isnan(g["j"])
    a_rich = g["i"] >= g["j"]

    def by_role(vi: np.ndarray, vj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rich = np.where(known, np.where(a_rich, vi, vj), np.nan)
        poor = np.where(known, np.where(a_rich, vj, vi), np.nan)
        return rich, poor

    with np.errstate(divide="ignore", invalid="ignore"):
        lg = {s: np.log(g[s] * pop[s]) for s in ("i", "j")}
        out["lgdp_rich"], out["lgdp_poor"] = by_role(lg["i"], lg["j"])
        out["lgdppc_ratio"] = np.abs(np.log(g["i"]) - np.log(g["j"]))
    for c in ("ldist", "contig", "comlang_off", "colony"):
        out[c] = _col(u, c)
    dem = {s: _exact_lag(_col(u, f"polyarchy_{s}"), key, lag) for s in ("i", "j")}
    out["dem_rich"], out["dem_poor"] = by_role(dem["i"], dem["j"])
    # flows: latest year <= t - lag with both directions observed
    flows = {
        "trade": ("exports_ij", "exports_ji"),
        "migration": (
            f"migrants_ij_{MIGRATION_SERIES[migration]}",
            f"migrants_ji_{MIGRATION_SERIES[migration]}",
        ),
    }
    for name, (c_ab, c_ba) in flows.items():
        f_ab, f_ba = _col(u, c_ab), _col(u, c_ba)
        rows = _asof_rows(~np.isnan(f_ab) & ~np.isnan(f_ba), pair, year, lag, flow_max_age)
        x_ab, x_ba = _take_rows(f_ab, rows), _take_rows(f_ba, rows)
        out["ltrade" if name == "trade" else "lmigrants"] = np.log1p(x_ab + x_ba)
        out[f"twoway_{name}"] = twoway_index(x_ab, x_ba)
    out["twoway_governing"] = out[f"twoway_{GOVERNING_FLOW[kind]}"]
    out["dest_origin_diversity"] = _exact_lag(_col(u, "dest_origin_diversity"), key, lag)
    out["ldest_n_origins"] = np.log1p(_exact_lag(_col(u, "dest_n_origins"), key, lag))
    with np.errstate(divide="ignore"):
        pool = _exact_lag(_col(u, "dest_labour_pool"), key, lag)
        out["ldest_labour_pool"] = np.log(np.where(pool > 0, pool, np.nan))
    out["origin_share"] = _exact_lag(_col(u, "origin_share"), key, lag)
    out["diffusion_rich"], out["diffusion_poor"] = by_role(
        _col(u, f"{kind}_diffusion_export_i"), _col(u, f"{kind}_diffusion_export_j")
    )
    out["pta_in_force"] = _exact_lag(_col(u, "pta_in_force"), key, lag)
    return out


def _source_columns(kind: str, migration: str) -> list[str]:
    m = MIGRATION_SERIES[migration]
    cols = [f"{kind}_first_year", f"{kind}_new", f"{kind}_count", "pta_in_force"]
    cols += ["ldist", "contig", "comlang_off", "colony", "exports_ij", "exports_ji"]
    cols += [f"migrants_ij_{m}", f"migrants_ji_{m}", "dest_origin_diversity", "dest_n_origins"]
    cols += ["dest_labour_pool", "origin_share"]
    for s in ("i", "j"):
        cols += [f"gdppc_real_{s}", f"pop_pwt_{s}", f"pop_mpd_{s}", f"pop_wb_{s}", f"polyarchy_{s}"]
        cols += [f"{kind}_diffusion_export_{s}"]
    return cols


def risk_set(
    panel: pd.DataFrame | None = None,
    kind: str = "bit",
    start: int = 1946,
    end: int | None = None,
    repeated: bool = False,
    lag: int = 1,
    migration: str = "wb",
    flow_max_age: int | None = 10,
    spline_knots: int = 5,
    covariates: bool = True,
) -> pd.DataFrame:
    """Undirected pair-years at risk of signing a type-``kind`` agreement (see the module doc).

    Parameters
    ----------
    panel : the directed panel (``polecon.build_panel()`` if None); needs ``{kind}_first_year``,
        ``{kind}_new``, ``{kind}_count`` and, with ``covariates``, the columns the covariates use.
    kind : ``"bit"``, ``"bfta"``, ``"pta"`` or ``"blma"``.
    start, end : the risk window (years, inclusive; ``end`` defaults to the panel's last year).
    repeated : every year of the window is at risk and ``event`` counts the agreements signed.
    lag : covariates are measured at t - lag (flows: latest year at or before t - lag).
    migration : migrant-stock series for the migration flow (``"wb"`` or ``"undesa2019"``).
    flow_max_age : the latest flow year may be at most this many years before t (None: any).
    spline_knots : knots of the restricted cubic spline in ``t_risk`` (3, 4 or 5; 0 for none).
    covariates : add :data:`COVARIATES` (False: keys, event and time columns only).

    Returns
    -------
    DataFrame ``a, b, year, pair, type, event, t_risk, t_risk2, t_risk3, t_ns1.., prior_events,
    covariates``, sorted by (a, b, year); ``attrs`` records the kind and parameters.
    """
    if kind not in RISK_TYPES:
        raise ValueError(f"unknown risk-set type {kind!r}; known: {list(RISK_TYPES)}")
    if migration not in MIGRATION_SERIES:
        raise ValueError(f"unknown migration series {migration!r}; known {list(MIGRATION_SERIES)}")
    if lag < 0:
        raise ValueError(f"lag must be >= 0, got {lag}")
    if spline_knots and spline_knots not in _KNOT_QUANTILES:
        raise ValueError(f"spline_knots must be 0, 3, 4 or 5, got {spline_knots}")
    if panel is None:
        from polecon.panel.build import build_panel

        panel = build_panel()
    need = [f"{kind}_first_year", f"{kind}_new", f"{kind}_count"]
    if covariates:
        need = _source_columns(kind, migration)
    missing = [c for c in ["i", "j", "year", *need] if c not in panel.columns]
    if missing:
        raise KeyError(f"risk_set(kind={kind!r}) needs panel columns {missing}")
    u = undirected(panel[["i", "j", "year", *need]])
    cats = categories(u["a"], u["b"])
    n = max(len(cats), 1)
    ia, ib = encode(u["a"], cats), encode(u["b"], cats)
    year = u["year"].to_numpy(dtype=np.int64)
    order = np.lexsort((year, ib, ia))
    u = u.iloc[order].reset_index(drop=True)
    ia, ib, year = ia[order], ib[order], year[order]
    pair = pack(ia, ib, sizes=(n, n))
    key = pair * 4096 + (year - YEAR0)
    if pd.Index(key).has_duplicates:
        raise ValueError("the panel has duplicated (pair, year) rows")
    last = int(year.max()) if len(year) else start
    end = last if end is None else end
    cov = _covariates(u, kind, key, pair, lag, migration, flow_max_age) if covariates else {}
    first = _col(u, f"{kind}_first_year")
    new = u[f"{kind}_new"].to_numpy(dtype=np.int64)
    window = (year >= start) & (year <= end)
    # entry year of each pair: its first year in the window
    wpair = np.where(window, pair, -1)
    entry_of = pd.Series(year[window]).groupby(wpair[window]).min()
    entry = np.full(len(year), -1, dtype=np.int64)
    entry[window] = entry_of.reindex(wpair[window]).to_numpy()
    if repeated:
        keep = window
        event = np.where(keep, new, 0)
        # spell start: the later of entry and the year after the pair's previous event year
        prev_event = np.where(keep & (event > 0), year, -1)
        spell = np.maximum(entry, _previous_max(prev_event, pair) + 1)
        t = year - spell + 1
    else:
        keep = window & (np.isnan(first) | (year <= first))
        event = (year == first).astype(np.int64)
        t = year - entry + 1
    lost = window & ~np.isnan(first) & (first >= entry) & (first <= end)
    lost_pairs = np.unique(pair[lost]) if not repeated else np.array([], dtype=np.int64)
    rows = np.flatnonzero(keep)
    got_pairs = np.unique(pair[rows][event[rows] > 0])
    out = pd.DataFrame(
        {
            "a": u["a"].to_numpy()[rows],
            "b": u["b"].to_numpy()[rows],
            "year": year[rows].astype(np.int16),
        }
    )
    out["a"] = out["a"].astype("string")
    out["b"] = out["b"].astype("string")
    out["pair"] = (out["a"] + "-" + out["b"]).astype("string")
    out["type"] = kind
    out["event"] = event[rows]
    tr = t[rows].astype(np.float64)
    out["t_risk"] = tr
    out["t_risk2"] = tr**2 / 10.0
    out["t_risk3"] = tr**3 / 100.0
    knots: list[float] = []
    if spline_knots and len(rows):
        q = np.quantile(tr, _KNOT_QUANTILES[spline_knots])
        knots = np.unique(q).tolist()
        if len(knots) >= 3:
            basis = restricted_cubic_spline(tr, np.asarray(knots))
            for c in range(basis.shape[1]):
                out[f"t_ns{c + 1}"] = basis[:, c]
    count = u[f"{kind}_count"].to_numpy(dtype=np.int64)
    out["prior_events"] = (count - new)[rows]
    for name, values in cov.items():
        out[name] = values[rows]
    out.attrs.update(
        {
            "kind": "risk_set",
            "type": kind,
            "start": int(start),
            "end": int(end),
            "repeated": bool(repeated),
            "lag": int(lag),
            "migration": migration,
            "flow_max_age": flow_max_age,
            "spline_knots": [float(k) for k in knots],
            # first signatures in a year the pair is not in the panel (a state had left the
            # system): the pair's spell ends censored before it
            "events_outside_panel": int(len(np.setdiff1d(lost_pairs, got_pairs))),
        }
    )
    return out


def _previous_max(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running maximum of ``values`` within each group over the previous rows (rows sorted by
    group, then time); -1 where there is none."""
    out = np.full(len(values), -1, dtype=np.int64)
    if not len(values):
        return out
    running = pd.Series(values).groupby(group).cummax().to_numpy()
    prev = np.r_[-1, running[:-1]]
    same = np.r_[False, group[1:] == group[:-1]]
    out[same] = prev[same]
    return out


def is_risk_set(frame: pd.DataFrame) -> bool:
    """True if ``frame`` was made by :func:`risk_set` (read from ``attrs``)."""
    return frame.attrs.get("kind") == "risk_set"
