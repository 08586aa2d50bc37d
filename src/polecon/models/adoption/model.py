"""Adoption models on risk sets: one type (:func:`fit`) and the stacked cross-type model.

Logit with year (type-by-year in the stacked model) fixed effects and SEs clustered by pair
(CRV1, factor G/(G-1)*(N-1)/(N-K) as statsmodels' default). Rows with a missing term are
dropped (counted per column in ``results.dropped``); fixed-effect levels whose outcome never
varies are dropped with a warning (their effect is not estimable).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from polecon.models.adoption._engine import (
    Block,
    Fit,
    clustered_vcov,
    collinear_columns,
    fit_blocks,
)
from polecon.models.adoption.results import AdoptionResults
from polecon.models.adoption.specs import SPECS, TIME_CUBIC


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
    for c in terms:
        if sub[c].nunique() < 2:
            raise ValueError(
                f"covariate {c!r} is constant ({sub[c].iloc[0]!r}) in the {label} after "
                "dropping incomplete rows: drop it from the model"
            )
    bad = perfect_predictors(sub, terms, depvar)
    if bad:
        raise ValueError(
            f"perfect prediction in the {label}: {bad} (a value of the binary covariate with no "
            f"variation in {depvar!r}); the logit estimate would diverge: drop or recode it, "
            "or use a penalised (Firth) logit"
        )
    return sub, dropped


def perfect_predictors(sub: pd.DataFrame, terms: Sequence[str], depvar: str) -> dict[str, str]:
    """Two-valued covariates one of whose values has an outcome that never varies."""
    out = {}
    for c in terms:
        vals = sub[c].unique()
        if len(vals) != 2:
            continue
        g = sub.groupby(c)[depvar].agg(["min", "max"])
        flat = g.index[g["min"] == g["max"]]
        if len(flat):
            v = flat[0]
            out[c] = f"{depvar} is always {g.loc[v, 'min']:g} where {c} == {v:g}"
    return out


def _block(
    sub: pd.DataFrame,
    terms: Sequence[str],
    cols: np.ndarray,
    fe: str,
    first_fe: int,
    depvar: str,
    cluster_index: pd.Index,
    cluster: str,
    kind: str,
) -> tuple[Block, list[object]]:
    sub = sub.sort_values(fe, kind="stable")  # rows grouped by FE level for the engine
    codes, levels = pd.factorize(sub[fe], sort=True)
    block = Block(
        y=sub[depvar].to_numpy(dtype=np.float64),
        X=sub[list(terms)].to_numpy(dtype=np.float64),
        cols=np.asarray(cols, dtype=np.int64),
        fe=codes.astype(np.int64),
        fe_cols=np.arange(first_fe, first_fe + len(levels), dtype=np.int64),
        cluster=cluster_index.get_indexer(sub[cluster]).astype(np.int64),
    )
    bad = collinear_columns(block)
    if bad:
        raise ValueError(
            f"covariates {[terms[c] for c in bad]} are collinear with the other terms and the "
            f"{fe} fixed effects in risk set {kind!r}: drop them"
        )
    return block, list(levels)


def _results(
    fit: Fit,
    names: list[str],
    n_params: int,
    depvar: str,
    fixef: list[str],
    n_clusters: int,
    n_events: dict[str, int],
    nobs_by_type: dict[str, int],
    dropped: dict[str, int],
    link: str = "logit",
) -> AdoptionResults:
    v, _ = clustered_vcov(fit, n_params)
    k = len(names)
    return AdoptionResults(
        params=pd.Series(fit.beta[:k], index=names),
        vcov=pd.DataFrame(v[:k, :k], index=names, columns=names),
        nobs=fit.nobs,
        depvar=depvar,
        fixef_names=fixef,
        vcov_type="CRV1 clustered by pair (G/(G-1)*(N-1)/(N-K))",
        model=link,
        pseudo_r2=1 - fit.loglik / fit.loglik_null,
        n_clusters={"pair": n_clusters},
        loglik=fit.loglik,
        n_events=n_events,
        nobs_by_type=nobs_by_type,
        dropped=dropped,
    )


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
    sub, dropped = _prepare(rs, terms, depvar, fe, cluster)
    clusters = pd.Index(pd.unique(sub[cluster]))
    k = len(terms)
    block, levels = _block(sub, terms, np.arange(k), fe, k, depvar, clusters, cluster, kind)
    n_params = k + len(levels)
    f = fit_blocks([block], n_params, len(clusters), link=link)
    return _results(
        f,
        list(terms),
        n_params,
        depvar,
        [fe],
        len(clusters),
        {kind: int(block.y.sum())},
        {kind: len(block.y)},
        dropped,
        link,
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
    """Stacked cross-type logit (or cloglog, ``link="cloglog"``): type-specific ``interact`` terms, common other terms,
    type-by-``fe`` fixed effects, SEs clustered by pair across types.

    ``risk_sets``: {type: risk set}. ``covariates`` defaults to the terms shared by every type's
    spec; ``interact`` (default: every covariate and time term) names terms whose coefficient
    differs by type (``term:type``). ``method``: ``"suest"`` fits each type separately and
    combines per-type scores summed by pair (needs every term interacted), ``"joint"`` fits all
    types at once; ``"auto"`` takes suest when possible. Both give the same numbers.
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
    clusters = pd.Index(
        pd.unique(np.concatenate([s[cluster].to_numpy(dtype=object) for s in subs.values()]))
    )
    names = list(common) + [f"{c}:{t}" for t in types for c in inter]
    pos = {n: i for i, n in enumerate(names)}
    order = [*common, *inter]
    blocks, fe_levels = [], {}
    next_fe = len(names)
    for t in types:
        cols = np.array([pos[c] if c in common else pos[f"{c}:{t}"] for c in order])
        b, levels = _block(subs[t], order, cols, fe, next_fe, depvar, clusters, cluster, t)
        blocks.append(b)
        fe_levels[t] = levels
        next_fe += len(levels)
    n_params = next_fe
    if method == "joint":
        f = fit_blocks(blocks, n_params, len(clusters), link=link)
    else:
        f = _suest(blocks, n_params, len(clusters), link)
    res = _results(
        f,
        names,
        n_params,
        depvar,
        [f"type^{fe}"],
        len(clusters),
        {t: int(b.y.sum()) for t, b in zip(types, blocks, strict=True)},
        {t: len(b.y) for t, b in zip(types, blocks, strict=True)},
        dropped,
        link,
    )
    return StackedResults(
        **res.__dict__, types=types, interacted=inter, common=common, method=method
    )


def _suest(blocks: list[Block], n_params: int, n_clusters: int, link: str = "logit") -> Fit:
    """Separate per-type fits combined: block-diagonal inverse Hessian, per-type cluster scores."""
    beta = np.zeros(n_params)
    hinv = np.zeros((n_params, n_params))
    scores = np.zeros((n_clusters, n_params))
    ll = ll0 = 0.0
    nobs, iters = 0, 0
    for b in blocks:
        idx = np.r_[b.cols, b.fe_cols]
        local = Block(
            b.y, b.X, np.arange(len(b.cols)), b.fe, np.arange(len(b.cols), len(idx)), b.cluster
        )
        f = fit_blocks([local], len(idx), n_clusters, link=link)
        beta[idx] = f.beta
        hinv[np.ix_(idx, idx)] = f.hess_inv
        scores[:, idx] = f.scores
        ll += f.loglik
        ll0 += f.loglik_null
        nobs += f.nobs
        iters = max(iters, f.iterations)
    return Fit(beta, hinv, scores, ll, ll0, nobs, iters)


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
        return self.wald_test([f"{term}:{ts[0]} = {term}:{t}" for t in ts[1:]])

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
