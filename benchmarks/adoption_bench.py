"""Stacked adoption model benchmark on the real risk sets (issue 8 speed item: <= 20 s on 2 cores).

Builds the bit, bfta and blma risk sets from the cached panel and times two stacked fits
(every term interacted with type, type-by-year fixed effects, SEs clustered by pair):

1. ``default``: the default covariates (HYPOTHESES s.5), complete cases only;
2. ``full``: every risk-set row (about 2.6M), each covariate with missing values set to 0 plus a
   missing-value indicator, so about 30 terms per type (the size the issue states).

Prints rows, terms per type, wall time of the fit (risk sets built beforehand; measured
without tracing) and the peak memory: numpy/Python allocations during a second, traced fit
(tracemalloc) and the process's peak RSS.

Usage (from the repository root): ``python benchmarks/adoption_bench.py``
"""

from __future__ import annotations

import resource
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import scipy.linalg

from polecon.models.adoption import SPECS, stacked
from polecon.panel import build_panel
from polecon.panel.spells import risk_set

TYPES = ("bit", "bfta", "blma")
MIN_EVENTS = 25  # a missing-value indicator needs this many events on each side in every type


def with_missing_indicators(
    sets: dict[str, pd.DataFrame], covariates: list[str]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Missing covariate values set to 0, plus one ``miss_<col>`` indicator per distinct
    missingness pattern (patterns found on the stacked rows, the same indicators in every type)."""
    stacked_na = pd.concat([rs[covariates].isna() for rs in sets.values()], ignore_index=True)
    groups: dict[bytes, str] = {}
    for c in covariates:
        na = stacked_na[c].to_numpy()
        if na.any():
            groups.setdefault(na.tobytes(), c)
    extra = [f"miss_{c}" for c in groups.values()]
    out = {}
    for k, rs in sets.items():
        f = rs.copy()
        f.attrs = dict(rs.attrs)
        for c in groups.values():
            f[f"miss_{c}"] = rs[c].isna().astype(float).to_numpy()
        f[covariates] = f[covariates].fillna(0.0)
        out[k] = f
    return out, extra


def drop_collinear(sets: dict[str, pd.DataFrame], covs: list[str], extra: list[str]) -> list[str]:
    """Drop indicators that are collinear (with the rest and the year effects) in any type, or
    nearly separate the outcome (quasi-separation makes Newton crawl towards infinity)."""
    from polecon.models.adoption.model import _prepare, perfect_predictors

    bad: set[str] = set()
    for rs in sets.values():  # indicators with a value that (nearly) predicts the outcome:
        bad |= set(perfect_predictors(rs, extra, "event"))  # fewer than 25 events on a side
        for e in extra:
            ev = rs.groupby(e)["event"].sum()
            if len(ev) < 2 or ev.min() < MIN_EVENTS:
                bad.add(e)
    terms = [*covs, *[e for e in extra if e not in bad], "t_risk", "t_risk2", "t_risk3"]
    for rs in sets.values():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            sub, _ = _prepare(rs, terms, "event", "year", "pair")
        x = sub[terms].to_numpy(dtype=float)
        x = x - sub[terms].groupby(sub["year"]).transform("mean").to_numpy()  # year FE out
        x = x / np.maximum(np.linalg.norm(x, axis=0), 1e-300)
        # pivoted QR: a column whose residual on the columns before it is ~0 is collinear
        _, r, piv = scipy.linalg.qr(x, mode="economic", pivoting=True)
        rank = int(np.sum(np.abs(np.diag(r)) > 1e-9 * abs(r[0, 0])))
        bad |= {terms[c] for c in piv[rank:]}
    return [e for e in extra if e not in bad]


def timed(label: str, sets: dict[str, pd.DataFrame], covariates: list[str]) -> None:
    """Wall time of one fit (no tracing), then the same fit again under tracemalloc for the
    peak of numpy/Python allocations (tracing slows allocation-heavy code down)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        t0 = time.perf_counter()
        res = stacked(sets, covariates=covariates)
        wall = time.perf_counter() - t0
        tracemalloc.start()
        stacked(sets, covariates=covariates)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    k = len(covariates) + 3
    print(
        f"{label}: {res.nobs:,} rows, {k} terms per type + type-by-year FE, "
        f"{res.n_clusters['pair']:,} pair clusters, events {res.n_events}: "
        f"fit {wall:.1f} s, peak allocations during the fit {peak / 1024**3:.2f} GiB, "
        f"process peak RSS {rss:.2f} GiB"
    )


def main() -> None:
    panel = build_panel(cache=True)
    sets = {k: risk_set(panel, k) for k in TYPES}
    del panel
    covs = [c for c in SPECS["bit"].covariates if all(c in SPECS[t].covariates for t in TYPES)]
    timed("default (complete cases)", sets, covs)
    full, extra = with_missing_indicators(sets, covs)
    extra = drop_collinear(full, covs, extra)
    timed("full (missing indicators)", full, covs + extra)


if __name__ == "__main__":
    main()
