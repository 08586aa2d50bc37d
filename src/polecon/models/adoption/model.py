"""Adoption models on risk sets: one type (:func:`fit`) and the stacked cross-type model.

Logit (or cloglog) with year (type-by-year in the stacked model) fixed effects and SEs
clustered by pair (CRV1, factor G/(G-1)*(N-1)/(N-K) with K counting the fixed-effect levels,
as Stata's ``logit ... i.year, vce(cluster pair)`` and statsmodels' default). Every fit runs on
the shared GLM engine (:mod:`polecon.models.glm`: IRLS with the fixed effects projected out,
``ssc="fixest"``, which is this factor); this module only prepares the risk sets, checks them
and combines per-type fits. Rows with a missing term are dropped (counted per column in
``results.dropped``); fixed-effect levels whose outcome never varies are dropped with a
warning (their effect is not estimable).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import scipy.linalg

from polecon.models._core import covariance as cov
from polecon.models.adoption.results import AdoptionResults
from polecon.models.adoption.specs import SPECS, TIME_CUBIC
from polecon.models.glm._pipeline import _DEFAULTS, BINARY_SEPARATION_METHODS, _fit
from polecon.models.glm.families import CLogLog, Logit
from polecon.models.glm.irls import CollinearityWarning
from polecon.models.glm.results import GLMResults


def _prepare(
    rs: pd.DataFrame, terms: Sequence[str], depvar: str, fe: str, cluster: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Complete cases of the used columns, with binary outcome and estimable FE levels."""
    label = f"risk set {rs.attrs.get('type', '?')!r}"
    if len(rs) == 0:
        raise ValueError(f"the {label} is empty: no pair-years at risk")
    missing = [c for c in [depvar, fe, cluster, *terms] if c not in rs.columns]
    if missing:
        raise KeyError(f"the {label} has no columns {missing}")
    y = rs[depvar].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isnan(y) & (y != 0) & (y != 1)
    if bad.any():
        vals = sorted(set(y[bad].tolist()))[:5]
        raise ValueError(
            f"outcome {depvar!r} of the {label} is not binary (values {vals}): a logit needs "
            "0/1; for repeated events use (event > 0) or a count model"
        )
    used = rs[[depvar, fe, cluster, *terms]]
    dropped = {c: int(n) for c, n in used.isna().sum().items() if n}
    sub = used.dropna().reset_index(drop=True)
    if len(sub) == 0:
        raise ValueError(f"no complete rows in the {label} (missing by column: {dropped})")
    ev = sub.groupby(fe)[depvar].agg(["min", "max"])
    flat = ev.index[ev["min"] == ev["max"]]
    if len(flat):
        n_flat = int(sub[fe].isin(flat).sum())
        warnings.warn(
            f"{label}: {len(flat)} {fe} levels with no variation in {depvar!r} "
            f"({n_flat:,} rows) dropped (e.g. {list(flat[:3])})",
            stacklevel=3,
        )
        sub = sub.loc[~sub[fe].isin(flat)].reset_index(drop=True)
        dropped[f"{fe}_without_variation"] = n_flat
    if len(sub) == 0 or sub[depvar].nunique() < 2:
        raise ValueError(f"{depvar!r} never varies in the {label}: nothing to estimate")
    x = sub[list(terms)].to_numpy(dtype=np.float64)
    constant = np.flatnonzero(x.min(axis=0) == x.max(axis=0)) if len(terms) else []
    if len(constant):
        c = terms[constant[0]]
        raise ValueError(
            f"covariate {c!r} is constant ({sub[c].iloc[0]!r}) in the {label} after "
            "dropping incomplete rows: drop it from the model"
        )
    bad = perfect_predictors(sub, terms, depvar, x)
    if bad:
        raise ValueError(
            f"perfect prediction in the {label}: {bad} (a value of the binary covariate with no "
            f"variation in {depvar!r}); the logit estimate would diverge: drop or recode it, "
            "or use a penalised (Firth) logit"
        )
    return sub, dropped


def perfect_predictors(
    sub: pd.DataFrame, terms: Sequence[str], depvar: str, x: np.ndarray | None = None
) -> dict[str, str]:
    """Two-valued covariates one of whose values has an outcome that never varies (``x``:
    ``sub[terms]`` as floats, when the caller has it already)."""
    out: dict[str, str] = {}
    if not len(terms):
        return out
    if x is None:
        x = sub[list(terms)].to_numpy(dtype=np.float64)
    lo, hi = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
    two = (lo != hi) & np.all((x == lo) | (x == hi) | np.isnan(x), axis=0)
    for c in [t for t, b in zip(terms, two, strict=True) if b]:
        g = sub.groupby(c)[depvar].agg(["min", "max"])
        flat = g.index[g["min"] == g["max"]]
        if len(flat):
            v = flat[0]
            out[c] = f"{depvar} is always {g.loc[v, 'min']:g} where {c} == {v:g}"
    return out


LINKS = {"logit": Logit, "cloglog": CLogLog}
VCOV_TYPE = "CRV1 clustered by pair (G/(G-1)*(N-1)/(N-K))"


def _glm(
    sub: pd.DataFrame,
    terms: Sequence[str],
    fe: str | pd.Series,
    cluster: str,
    depvar: str,
    link: str,
    kind: str,
) -> tuple[GLMResults, dict[str, int]]:
    """One binary GLM of ``depvar`` on ``terms`` with ``fe`` effects on the shared engine.

    Columns are passed under neutral names (``_x0``, ...) so that any term name (``x:bit``)
    is a plain regressor to the formula parser. Returns the fit and the rows the engine
    dropped (separation), by reason."""
    if link not in LINKS:
        raise ValueError(f"link must be one of {tuple(LINKS)}, not {link!r}")
    xs = [f"_x{i}" for i in range(len(terms))]
    frame = pd.DataFrame(
        {
            "_y": sub[depvar].to_numpy(dtype=np.float64),
            **{x: sub[t].to_numpy(dtype=np.float64) for x, t in zip(xs, terms, strict=True)},
            "_fe": sub[fe].to_numpy() if isinstance(fe, str) else fe.to_numpy(),
            "_cl": sub[cluster].to_numpy(),
        },
        index=sub.index,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CollinearityWarning)  # raised below, with the names
        res = _fit(
            LINKS[link](),
            f"_y ~ {' + '.join(xs)} | _fe",
            frame,
            vcov={"CRV1": "_cl"},
            weights=None,
            offset=None,
            separation=BINARY_SEPARATION_METHODS,
            ssc="fixest",
            keep_scores=True,
            **_DEFAULTS,
        )
    rename = dict(zip(xs, terms, strict=True))
    if res.collinear:
        fe_name = fe if isinstance(fe, str) else fe.name
        raise ValueError(
            f"covariates {[rename[c] for c in res.collinear]} are collinear with the other "
            f"terms and the {fe_name} fixed effects in risk set {kind!r}: drop them"
        )
    res.params.index = [rename[c] for c in res.params.index]
    res.vcov.index = res.vcov.columns = res.params.index
    assert res._cluster_scores is not None
    res._cluster_scores.columns = res.params.index
    dropped = {str(k): int(v) for k, v in res.dropped.value_counts().items()}
    return res, dropped


def _used(res: GLMResults, sub: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``sub`` in the fit's estimation sample."""
    return sub.loc[~sub.index.isin(res.dropped.index)]


def _loglik_null(y: np.ndarray) -> float:
    """Log-likelihood of the intercept-only binary model."""
    n, ybar = len(y), float(np.mean(y))
    return float(n * (ybar * np.log(ybar) + (1 - ybar) * np.log1p(-ybar)))


def _n_fe(res: GLMResults) -> int:
    return sum(f.size for f in res._fixef)


def fit(
    rs: pd.DataFrame,
    terms: Sequence[str] | None = None,
    fe: str = "year",
    cluster: str = "pair",
    depvar: str = "event",
    link: str = "logit",
) -> AdoptionResults:
    """Logit (or, with ``link="cloglog"``, complementary log-log) of ``depvar`` on ``terms``
    with ``fe`` fixed effects, SEs clustered by ``cluster``.

    ``terms`` defaults to the type's :data:`SPECS` entry (``rs.attrs["type"]``).
    """
    kind = rs.attrs.get("type", "?")
    if terms is None:
        if kind not in SPECS:
            raise ValueError("no terms given and the frame's attrs carry no risk-set type")
        terms = SPECS[kind].terms
    terms = list(terms)
    sub, dropped = _prepare(rs, terms, depvar, fe, cluster)
    res, sep = _glm(sub, terms, fe, cluster, depvar, link, kind)
    dropped.update(sep)
    y = _used(res, sub)[depvar].to_numpy(dtype=np.float64)
    return AdoptionResults(
        params=res.params,
        vcov=res.vcov,
        nobs=res.nobs,
        depvar=depvar,
        fixef_names=[fe],
        vcov_type=VCOV_TYPE,
        model=link,
        pseudo_r2=1 - float(res.loglik) / _loglik_null(y),  # type: ignore[arg-type]
        n_clusters={"pair": next(iter(res.n_clusters.values()))},
        loglik=float(res.loglik),  # type: ignore[arg-type]
        n_events={kind: int(y.sum())},
        nobs_by_type={kind: res.nobs},
        dropped=dropped,
    )


def stacked(
    risk_sets: Mapping[str, pd.DataFrame],
    covariates: Sequence[str] | None = None,
    interact: Sequence[str] | None = None,
    time: Sequence[str] = TIME_CUBIC,
    fe: str = "year",
    cluster: str = "pair",
    depvar: str = "event",
    method: str = "auto",
    link: str = "logit",
) -> StackedResults:
    """Stacked cross-type logit (or cloglog, ``link="cloglog"``): type-specific ``interact``
    terms, common other terms, type-by-``fe`` fixed effects, SEs clustered by pair across types.

    ``risk_sets``: {type: risk set}. ``covariates`` defaults to the terms shared by every type's
    spec; ``interact`` (default: every covariate and time term) names terms whose coefficient
    differs by type (``term:type``). ``method``: ``"suest"`` fits each type separately and
    combines per-type scores summed by pair (Stata's ``suest``; needs every term interacted,
    and never builds the stacked design), ``"joint"`` fits all types at once on the stacked
    design; ``"auto"`` takes suest when possible. Both give the same numbers.
    """
    types = list(risk_sets)
    if covariates is None:
        covariates = [
            c
            for c in SPECS[types[0]].covariates
            if all(c in SPECS[t].covariates for t in types if t in SPECS)
        ]
    all_terms = [*covariates, *time]
    inter = list(all_terms) if interact is None else list(interact)
    unknown = [c for c in inter if c not in all_terms]
    if unknown:
        raise KeyError(f"interact names terms not in the model: {unknown}")
    common = [c for c in all_terms if c not in inter]
    if method == "auto":
        method = "suest" if not common else "joint"
    if method == "suest" and common:
        raise ValueError(f"method='suest' needs every term interacted; common terms: {common}")
    if method not in ("suest", "joint"):
        raise ValueError(f"method must be 'auto', 'suest' or 'joint', not {method!r}")
    subs, dropped = {}, {}
    for t in types:
        subs[t], d = _prepare(risk_sets[t], all_terms, depvar, fe, cluster)
        dropped.update({f"{t}:{c}": n for c, n in d.items()})
    names = list(common) + [f"{c}:{t}" for t in types for c in inter]
    if method == "joint":
        res, used = _joint(subs, common, inter, fe, cluster, depvar, link, dropped)
    else:
        res, used = _suest(subs, inter, fe, cluster, depvar, link, dropped)
    ys = {t: u[depvar].to_numpy(dtype=np.float64) for t, u in used.items()}
    return StackedResults(
        params=res["params"][names],
        vcov=res["vcov"].loc[names, names],
        nobs=sum(len(y) for y in ys.values()),
        depvar=depvar,
        fixef_names=[f"type^{fe}"],
        vcov_type=VCOV_TYPE,
        model=link,
        pseudo_r2=1 - res["loglik"] / sum(_loglik_null(y) for y in ys.values()),
        n_clusters={"pair": res["n_clusters"]},
        loglik=res["loglik"],
        n_events={t: int(y.sum()) for t, y in ys.items()},
        nobs_by_type={t: len(y) for t, y in ys.items()},
        dropped=dropped,
        types=types,
        interacted=inter,
        common=common,
        method=method,
    )


def _suest(
    subs: dict[str, pd.DataFrame],
    inter: list[str],
    fe: str,
    cluster: str,
    depvar: str,
    link: str,
    dropped: dict[str, int],
) -> tuple[dict, dict[str, pd.DataFrame]]:
    """Separate per-type fits combined as Stata's ``suest``: block-diagonal bread, scores of
    every type summed by pair, CRV1 factor G/(G-1)*(N-1)/(N-K) over the stacked sample."""
    params, breads, scores, used = [], [], [], {}
    loglik, n, k_all = 0.0, 0, 0
    for t, sub in subs.items():
        res, sep = _glm(sub, inter, fe, cluster, depvar, link, t)
        dropped.update({f"{t}:{c}": m for c, m in sep.items()})
        names = [f"{c}:{t}" for c in res.params.index]
        params.append(pd.Series(res.params.to_numpy(), index=names))
        breads.append(res._bread)
        sc = res._cluster_scores
        scores.append(pd.DataFrame(sc.to_numpy(), index=sc.index, columns=names))
        used[t] = _used(res, sub)
        loglik += float(res.loglik)  # type: ignore[arg-type]
        n += res.nobs
        k_all += len(names) + _n_fe(res)
    beta = pd.concat(params)
    s = pd.concat(scores, axis=1, join="outer").fillna(0.0).to_numpy()
    s = s[np.any(s != 0, axis=1)]
    g = len(s)
    bread = scipy.linalg.block_diag(*breads)
    factor = g / (g - 1) * (n - 1) / (n - k_all)
    # rows of s are already summed by pair: one cluster per row
    v = cov.sandwich("CRV1", bread, s, [(np.arange(g), g)], factor, psd_fix=False)
    vcov = pd.DataFrame(v, index=beta.index, columns=beta.index)
    return {"params": beta, "vcov": vcov, "loglik": loglik, "n_clusters": g}, used


def _joint(
    subs: dict[str, pd.DataFrame],
    common: list[str],
    inter: list[str],
    fe: str,
    cluster: str,
    depvar: str,
    link: str,
    dropped: dict[str, int],
) -> tuple[dict, dict[str, pd.DataFrame]]:
    """One fit on the stacked design: common terms, ``term:type`` columns (zero outside the
    type) and type-by-``fe`` effects."""
    parts = []
    for t, sub in subs.items():
        part = sub[[depvar, fe, cluster, *common]].copy()
        for u in subs:
            for c in inter:
                part[f"{c}:{u}"] = sub[c].to_numpy(dtype=np.float64) if u == t else 0.0
        part["_type"] = t
        parts.append(part)
    big = pd.concat(parts, ignore_index=True)
    type_fe = (big["_type"] + "^" + big[fe].astype(str)).rename(f"type^{fe}")
    terms = [*common, *[f"{c}:{u}" for u in subs for c in inter]]
    res, sep = _glm(big, terms, type_fe, cluster, depvar, link, "stacked")
    dropped.update({f"stacked:{c}": m for c, m in sep.items()})
    kept = _used(res, big)
    used = {t: kept.loc[kept["_type"] == t] for t in subs}
    out = {
        "params": res.params,
        "vcov": res.vcov,
        "loglik": float(res.loglik),  # type: ignore[arg-type]
        "n_clusters": next(iter(res.n_clusters.values())),
    }
    return out, used


class StackedResults(AdoptionResults):
    """Stacked-model results: type-specific effects and equality tests across types."""

    def __init__(
        self,
        *,
        types: list[str],
        interacted: list[str],
        common: list[str],
        method: str,
        **kw: object,
    ):
        super().__init__(**kw)  # type: ignore[arg-type]
        self.types = types
        self.interacted = interacted
        self.common = common
        self.method = method

    def equal_across_types(self, term: str, types: Sequence[str] | None = None) -> pd.Series:
        """Wald test that ``term`` has the same coefficient for every type (df = n_types - 1)."""
        ts = list(types or self.types)
        if term not in self.interacted:
            raise KeyError(f"{term!r} is not interacted with type (interacted: {self.interacted})")
        return self.wald_test([f"{term}:{ts[0]} = {term}:{t}" for t in ts[1:]]).to_series()

    def type_effects(self, alpha: float = 0.05) -> pd.DataFrame:
        """Tidy table of the interacted terms: term, type, estimate, SE, ..., plus the equality
        test across types (``equal_stat``, ``equal_p``)."""
        t = self.tidy(alpha)
        t = t.loc[t["term"].str.contains(":")].copy()
        split = t["term"].str.rsplit(":", n=1, expand=True)
        t.insert(0, "type", split[1].to_numpy())
        t["term"] = split[0].to_numpy()
        tests = {c: self.equal_across_types(c) for c in self.interacted}
        t["equal_stat"] = t["term"].map(lambda c: tests[c]["statistic"])
        t["equal_p"] = t["term"].map(lambda c: tests[c]["p_value"])
        return t[
            ["term", "type", *[c for c in t.columns if c not in ("term", "type")]]
        ].reset_index(drop=True)
