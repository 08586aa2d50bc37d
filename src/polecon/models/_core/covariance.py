"""Sandwich variance estimators (iid, heteroskedasticity-robust, one- and multi-way CRV1) built
from score rows and a bread, with small-sample-correction (ssc) presets per model family.

Families: least squares (``"ols"``, ``"lpm"``, ``"gaussian"``) and likelihood models
(``"ppml"``, ``"logit"``, ``"cloglog"`` and any other label); they differ only for iid errors
(least squares scales by the residual variance).

All estimators are sandwiches ``V = c * B M B`` with bread ``B = (X~' W X~)^{-1}`` (X~: regressors
with the fixed effects partialled out, W: the final IRLS weights for PPML or the user weights
for OLS) and meat ``M`` built from the score rows ``s_i = w_i e_i x~_i`` (PPML: ``e_i = y_i - mu_i``
and ``w_i`` the user weight; OLS: ``e_i`` the residual). Multi-way clustering follows Cameron,
Gelbach & Miller (2011): ``M = sum over non-empty subsets S of the cluster dimensions of
(-1)^(|S|+1) M_S``, where ``M_S`` clusters on the intersection of the dimensions in S.

The small-sample factor ``c`` depends on ``ssc``:

``ssc="stata"``: Stata's *asymptotic* convention, the one of ppmlhdfe (which computes its VCE
in reghdfe's ``vce_asymptotic`` mode) and of Stata's ML commands (``poisson``/``glm``,
``vce(cluster)``); it reproduces the published Yotov et al. (2016) chapter-1 numbers for PPML
*and* OLS (the OLS columns there were computed without a degrees-of-freedom term):
  * iid: PPML ``c = 1``; OLS ``sigma^2 = RSS/(N-1)``.
  * hetero: ``c = N/(N-1)``.
  * cluster: ``c = G/(G-1)``, ``G`` the smallest number of clusters over the dimensions.
  * No ``(N-1)/(N-K)`` term, so the fixed-effect count never enters ``c``.
  * multi-way: negative eigenvalues of V are set to zero (reghdfe's ``fix_psd``).
  * t tests for OLS use ``N - K`` (``K = k + sum G_f - (Q-1)``) or ``G - 1`` (clustered)
    degrees of freedom, as reghdfe.
  Note: reghdfe's *default* for OLS (``vce_small``) also multiplies by ``(N-1)/(N-K)`` with
  ``K`` counting the absorbed levels not nested in a cluster: that is, up to the count of
  nested factors, the ``"fixest"`` preset below.

``ssc="fixest"`` (fixest 0.12 / pyfixest 0.60 defaults ``ssc(adj=TRUE, fixef.K="nested",
cluster.adj=TRUE, cluster.df="min")``), for both PPML and OLS:
  * ``df_k = k + sum G_f - (Q-1)`` (fixed-effect levels counted, one per extra factor removed);
    for clustered VCEs every fixed effect nested in a cluster dimension is removed from the
    count and 1 is added back per such factor (pyfixest's ``k_fixef="nonnested"``).
  * iid ``c = (N-1)/(N-df_k)`` (OLS: ``sigma^2 = RSS/(N-1)``); hetero ``c = N/(N-df_k)``;
    cluster ``c = (N-1)/(N-df_k) * G/(G-1)``, ``G`` the smallest number of clusters.

``ssc="r-sandwich"`` (R ``sandwich::vcovCL`` defaults: ``cadjust = TRUE``, ``type = "HC1"`` for
``lm``, ``"HC0"`` for ``glm``; ``fix = FALSE``):
  * cluster: least squares ``c = (N-1)/(N-K)``, likelihood models ``c = 1``, with ``K`` every
    estimated coefficient (fixed-effect levels counted as dummies, none treated as nested);
    each term of the multi-way sum is scaled by its *own* ``G_S/(G_S-1)`` (not the minimum G),
    no eigenvalue fix.
  * hetero: least squares ``N/(N-K)``, likelihood models ``N/(N-1)``; iid as ``"fixest"``.
  For one-way clustering ``"r-sandwich"`` equals ``"fixest"`` for least squares without fixed
  effects and ``"stata"`` for likelihood models (``vcovCL(type = "HC1")`` on a ``glm`` equals
  ``"fixest"``).

Why the presets differ for PPML (Yotov et al. 2016, Table 3 column 4: book SE 0.102, fixest
0.108): Stata's ppmlhdfe never applies ``(N-1)/(N-K)``; fixest does, and there ``K = 3,167``
because the book's pair factor pools the 69 domestic pairs into one level and is therefore not
nested in the ``pair_id`` clusters, so all 2,340 pair levels are counted next to the 2 x 414
exporter-year/importer-year levels: ``sqrt(28,481/25,315) = 1.061`` = 0.1084/0.1022. See the
``ppml`` docstring.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from polecon.models._core import _kernels as K

if TYPE_CHECKING:
    from polecon.models._core.data import ModelData

SSC_PRESETS = ("stata", "fixest", "r-sandwich")
LEAST_SQUARES = frozenset({"ols", "lpm", "gaussian"})
FEW_CLUSTERS = 10  # fewer clusters than this in a dimension: a FewClustersWarning


class FewClustersWarning(UserWarning):
    """Clustered standard errors with fewer than ``FEW_CLUSTERS`` clusters are unreliable."""


@dataclass(frozen=True)
class VcovSpec:
    """Parsed ``vcov`` argument: kind in {"iid", "hetero", "CRV1"} and the cluster spec."""

    kind: str
    cluster: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "CRV1":
            return f"CRV1 clustered by {self.cluster}"
        return {"iid": "iid", "hetero": "heteroskedasticity-robust"}[self.kind]


def parse_vcov(vcov: object) -> VcovSpec:
    """Accept ``"iid"``, ``"hetero"`` (alias ``"HC1"``, ``"robust"``) or ``{"CRV1": "a+b"}``."""
    if isinstance(vcov, str):
        v = vcov.strip()
        if v == "iid":
            return VcovSpec("iid")
        if v in ("hetero", "HC1", "robust"):
            return VcovSpec("hetero")
        raise ValueError(f"vcov={vcov!r} not understood; use 'iid', 'hetero' or {{'CRV1': 'var'}}")
    if isinstance(vcov, dict) and len(vcov) == 1:
        ((key, val),) = vcov.items()
        if key in ("CRV1", "cluster") and isinstance(val, str) and val.strip():
            return VcovSpec("CRV1", val.strip())
    raise ValueError(
        f"vcov={vcov!r} not understood; use 'iid', 'hetero', {{'CRV1': 'pair'}} or "
        "{'CRV1': 'exporter+importer'}"
    )


def is_nested(fe_codes: np.ndarray, fe_size: int, cl_codes: np.ndarray) -> bool:
    """True if every level of the fixed effect lies within a single cluster."""
    first = np.full(fe_size, -1, dtype=np.int64)
    first[fe_codes[::-1]] = cl_codes[::-1]
    return bool(np.all(first[fe_codes] == cl_codes))


@dataclass(frozen=True)
class DofInfo:
    """What the small-sample factors need to know about the model."""

    n: int
    k: int  # estimated coefficients (intercept included when there are no fixed effects)
    fe_sizes: tuple[int, ...]
    fe_nested: tuple[bool, ...]  # per fixed effect: nested in some cluster dimension
    n_clusters: tuple[int, ...] = ()


def _fixest_dfk(d: DofInfo, clustered: bool) -> int:
    q = len(d.fe_sizes)
    if q == 0:
        return d.k
    k_fe = sum(d.fe_sizes) - (q - 1)
    if clustered:
        nested = [g for g, nst in zip(d.fe_sizes, d.fe_nested, strict=True) if nst]
        k_fe = k_fe - sum(nested) + len(nested)
    return d.k + k_fe


def ssc_factor(ssc: str, kind: str, model: str, d: DofInfo) -> tuple[float, int]:
    """Small-sample factor ``c`` and the residual degrees of freedom used for t tests.

    ``kind`` in {"iid", "hetero", "CRV1"}; ``model`` a family label (least squares when in
    :data:`LEAST_SQUARES`). For least-squares iid the factor multiplies ``RSS * B`` (i.e. it
    includes the 1/(N - .) of sigma^2).
    """
    ls = model in LEAST_SQUARES
    n = d.n
    gmin = min(d.n_clusters) if d.n_clusters else 0
    if kind == "CRV1" and gmin < 2:
        raise ValueError(
            f"clustered variance needs at least 2 clusters per dimension, got {d.n_clusters}"
        )
    if ssc == "fixest":
        dfk = _fixest_dfk(d, clustered=kind == "CRV1")
        if kind == "iid":
            c = (n - 1) / (n - dfk)
            if ls:
                c /= n - 1
        elif kind == "hetero":
            c = n / (n - dfk)
        else:
            c = (n - 1) / (n - dfk) * gmin / (gmin - 1)
        df_t = gmin - 1 if kind == "CRV1" else n - dfk
        return c, int(df_t)
    if ssc == "r-sandwich":
        dfk = _fixest_dfk(d, clustered=False)
        if kind == "iid":
            c = (n - 1) / (n - dfk) / ((n - 1) if ls else 1.0)
        elif kind == "hetero":
            c = n / (n - dfk) if ls else n / (n - 1)
        else:  # the G_S/(G_S-1) factors are applied per term by meat_cluster(per_term=True)
            c = (n - 1) / (n - dfk) if ls else 1.0
        return c, int(gmin - 1 if kind == "CRV1" else n - dfk)
    if ssc != "stata":
        raise ValueError(f"ssc={ssc!r} not understood; use one of {SSC_PRESETS}")
    if kind == "iid":
        c = 1.0 / (n - 1) if ls else 1.0
    elif kind == "hetero":
        c = n / (n - 1)
    else:
        c = gmin / (gmin - 1)
    df_t = gmin - 1 if kind == "CRV1" else n - _fixest_dfk(d, clustered=False)
    return c, int(df_t)


def meat_hetero(scores: np.ndarray) -> np.ndarray:
    return scores.T @ scores


def meat_cluster(
    scores: np.ndarray, clusters: list[tuple[np.ndarray, int]], per_term: bool = False
) -> np.ndarray:
    """Cameron-Gelbach-Miller multi-way meat; ``clusters``: list of (codes (n,), G).
    ``per_term``: scale each term by its own ``G_S/(G_S-1)`` (R sandwich's ``cadjust``)."""
    k = scores.shape[1]
    meat = np.zeros((k, k))
    q = len(clusters)
    for r in range(1, q + 1):
        sign = 1.0 if r % 2 == 1 else -1.0
        for subset in combinations(range(q), r):
            if r == 1:
                codes, g = clusters[subset[0]]
            else:
                codes, g = clusters[subset[0]]
                for j in subset[1:]:
                    c2, g2 = clusters[j]
                    codes = codes * g2 + c2
                    codes, _ = _dense(codes)
                    g = int(codes.max()) + 1
            sums = K.cluster_score_sums(np.ascontiguousarray(scores), codes, g)
            adj = g / (g - 1) if per_term and g > 1 else 1.0
            meat += sign * adj * (sums.T @ sums)
    return meat


def _dense(codes: np.ndarray) -> tuple[np.ndarray, int]:
    uniq, inv = np.unique(codes, return_inverse=True)
    return inv.astype(np.int64), len(uniq)


def fix_psd(v: np.ndarray) -> tuple[np.ndarray, bool]:
    """Set negative eigenvalues of a symmetric matrix to zero (Cameron, Gelbach & Miller 2011)."""
    v = (v + v.T) / 2
    lam, u = np.linalg.eigh(v)
    if lam.min() >= 0:
        return v, False
    lam = np.where(lam < 0, 0.0, lam)
    return (u * lam) @ u.T, True


def sandwich(
    kind: str,
    bread: np.ndarray,
    scores: np.ndarray,
    clusters: list[tuple[np.ndarray, int]] | None,
    factor: float,
    psd_fix: bool,
    rss: float | None = None,
    per_term: bool = False,
) -> np.ndarray:
    """Assemble ``V = factor * bread @ meat @ bread`` from score rows (n, k) and the bread
    (k, k). For ``kind == "iid"``: ``factor * bread`` (likelihood models) or
    ``factor * rss * bread`` (least squares, when ``rss`` is given). ``psd_fix``: set negative
    eigenvalues of a multi-way V to 0; ``per_term``: see :func:`meat_cluster`."""
    if kind == "iid":
        v = factor * bread * (1.0 if rss is None else rss)
    elif kind == "hetero":
        v = factor * bread @ meat_hetero(scores) @ bread
    else:
        assert clusters is not None
        v = factor * bread @ meat_cluster(scores, clusters, per_term) @ bread
        if psd_fix and len(clusters) > 1:
            v, _ = fix_psd(v)
    return (v + v.T) / 2


def dof_info(md: ModelData, k: int, vspec: VcovSpec) -> DofInfo:
    """Sample size, coefficient count, fixed-effect sizes and their nesting in the clusters."""
    sizes = tuple(f.size for f in md.fixef)
    nested: tuple[bool, ...] = (False,) * len(sizes)
    ncl: tuple[int, ...] = ()
    if vspec.kind == "CRV1":
        ncl = tuple(c.size for c in md.clusters)
        # candidate cluster partitions: each dimension and, for multi-way, their intersection
        # (as pyfixest's nesting check, which also looks at the interaction column)
        parts = [(c.codes, c.size) for c in md.clusters]
        if len(parts) > 1:
            inter = np.zeros(md.n, dtype=np.int64)
            for c in md.clusters:
                inter = inter * c.size + c.codes
            u, inv = np.unique(inter, return_inverse=True)
            parts.append((inv, len(u)))
        names = {c.name for c in md.clusters}
        nested = tuple(
            f.name in names or any(is_nested(f.codes, f.size, codes) for codes, _ in parts)
            for f in md.fixef
        )
    return DofInfo(n=md.n, k=k, fe_sizes=sizes, fe_nested=nested, n_clusters=ncl)


def check_clusters(md: ModelData, vspec: VcovSpec, model: str, stacklevel: int = 4) -> None:
    """Error below 2 clusters in a dimension, :class:`FewClustersWarning` below FEW_CLUSTERS."""
    if vspec.kind != "CRV1":
        return
    few = {c.name: c.size for c in md.clusters if c.size < 2}
    if few:
        raise ValueError(
            f"{model}: clustered variance needs at least 2 clusters per dimension; "
            f"{vspec.cluster!r} has {few} cluster(s) in the estimation sample of {md.n} rows"
        )
    small = {c.name: c.size for c in md.clusters if c.size < FEW_CLUSTERS}
    if small:
        warnings.warn(
            f"{model}: only {small} clusters in the estimation sample; cluster-robust standard "
            f"errors are unreliable with fewer than {FEW_CLUSTERS} clusters (consider a wild "
            "cluster bootstrap)",
            FewClustersWarning,
            stacklevel=stacklevel,
        )


def weighted_cross(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x' diag(w) x`` (k, k) without a temporary (n, k) array."""
    n = x.shape[0]
    return K.weighted_cross(x, np.ascontiguousarray(w), K._block_bounds(n, K._n_blocks(n)))


def model_vcov(
    md: ModelData,
    vspec: VcovSpec,
    ssc: str,
    model: str,
    xt: np.ndarray,
    w: np.ndarray,
    resid_w: np.ndarray,
    rss: float | None = None,
) -> tuple[np.ndarray, DofInfo, int, np.ndarray]:
    """Sandwich VCE of a fitted model.

    ``xt`` (n, k): regressors with the fixed effects partialled out (weighted by ``w``);
    ``w`` (n,): bread weights (IRLS weights, or the user weights for least squares), so that
    the bread is ``(xt' W xt)^{-1}``; ``resid_w`` (n,): score residuals, so the score rows are
    ``resid_w[i] * xt[i]`` (GLM: ``wt (y - mu) dmu/deta / V(mu)``; OLS: ``wt e``); ``rss``
    (least-squares iid only). Returns (V (k, k), DofInfo, residual df for t tests, bread).
    """
    k = xt.shape[1]
    check_clusters(md, vspec, model, stacklevel=5)
    dof = dof_info(md, k, vspec)
    factor, df_t = ssc_factor(ssc, vspec.kind, model, dof)
    if k == 0:
        return np.zeros((0, 0)), dof, df_t, np.zeros((0, 0))
    bread = np.linalg.inv(weighted_cross(xt, w))
    clusters = [(c.codes, c.size) for c in md.clusters] if vspec.kind == "CRV1" else None
    if clusters is not None and len(clusters) == 1:
        # one-way: cluster sums of the score rows straight from xt (no (n, k) score array)
        codes, g = clusters[0]
        sums = K.cluster_xw_sums(xt, np.ascontiguousarray(resid_w), codes, g)
        adj = g / (g - 1) if ssc == "r-sandwich" and g > 1 else 1.0
        v = factor * bread @ (adj * (sums.T @ sums)) @ bread
        return (v + v.T) / 2, dof, df_t, bread
    scores = np.empty(xt.shape)  # C order for the cluster sums, in one pass
    np.multiply(xt, resid_w[:, None], out=scores)
    v = sandwich(
        vspec.kind,
        bread,
        scores,
        clusters,
        factor,
        psd_fix=(ssc == "stata"),
        rss=rss,
        per_term=(ssc == "r-sandwich"),
    )
    return v, dof, df_t, bread
