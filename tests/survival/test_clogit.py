"""polecon.clogit against Stata clogit (values recorded in statsmodels' test suite), statsmodels
ConditionalLogit's likelihood functions (live) and a brute-force sandwich by enumeration.

Clustered-SE conventions named: default = no small-sample factor (R ``clogit(..., cluster=)``,
i.e. coxph's robust variance); ``small_sample=True`` = G/(G-1) (Stata ``clogit, vce(cluster)``).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.discrete.conditional_models import ConditionalLogit

from polecon.models.survival import ModelInputError
from polecon.models.survival.clogit import clogit

# Inline data and Stata clogit results copied from statsmodels'
# statsmodels/discrete/tests/test_conditional.py (test_logit_1d, test_logit_2d; BSD-3-Clause).
STATA_DATA = pd.DataFrame(
    {
        "y": [0, 1, 0, 1, 0, 1, 0, 1, 1, 1],
        "g": [0, 0, 0, 1, 1, 1, 2, 2, 2, 2],
        "x1": [0, 1, 0, 0, 1, 1, 0, 0, 1, 0],
        "x2": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1],
    }
)
STATA_1D = {"x1": ("0.9272407", "1.295155")}
STATA_2D = {"x1": ("1.011074", "1.420784"), "x2": ("1.236758", "1.361738")}


@pytest.mark.parametrize("ref", [STATA_1D, STATA_2D], ids=["1d", "2d"])
def test_matches_stata_clogit_inline_data(ref, printed):
    fit = clogit("y ~ " + " + ".join(ref), STATA_DATA, group="g")
    for term, (coef, se) in ref.items():
        printed(fit.params[term], coef, f"Stata clogit coef {term}")
        printed(fit.bse[term], se, f"Stata clogit SE {term}")
    assert fit.converged and fit.nobs == 10 and fit.n_events == 6


def simulate(n_groups: int = 120, seed: int = 0) -> pd.DataFrame:
    """Groups (pairs) of 2-9 rows with 1..n-1 events (some groups with m > n/2, some all-0),
    clusters (countries) holding 6 groups each."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_groups):
        n = int(rng.integers(2, 10))
        x1 = rng.normal(size=n)
        x2 = rng.integers(0, 2, n).astype(float)
        eta = 0.8 * x1 - 0.5 * x2 + rng.normal()
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
        rows += [(g, g // 6, a, b, c) for a, b, c in zip(x1, x2, y, strict=True)]
    return pd.DataFrame(rows, columns=["g", "country", "x1", "x2", "y"])


@pytest.mark.filterwarnings("ignore:Dropped .* groups:statsmodels.tools.sm_exceptions.ModelWarning")
def test_equals_statsmodels_conditional_logit_likelihood():
    d = simulate()
    fit = clogit("y ~ x1 + x2", d, group="g")
    sm = ConditionalLogit(d["y"].to_numpy(), d[["x1", "x2"]].to_numpy(), groups=d["g"].to_numpy())
    b = fit.params.to_numpy()
    assert fit.loglik == pytest.approx(sm.loglike(b), rel=1e-12)
    np.testing.assert_allclose(sm.score(b), 0, atol=1e-8)  # our optimum is statsmodels' too
    # statsmodels' Hessian is a numerical derivative of its score (exact check: brute force below)
    np.testing.assert_allclose(fit.vcov_naive, np.linalg.inv(-sm.hessian(b)), rtol=1e-6)
    np.testing.assert_allclose(fit.params, sm.fit(disp=False).params, rtol=1e-4)
    assert fit.info["groups_dropped"] == d.groupby("g").y.agg(lambda s: s.nunique() == 1).sum()


def brute_force(d: pd.DataFrame, beta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-group scores (G, k) and the information, by enumerating every subset of size m."""
    scores, info = [], np.zeros((2, 2))
    for _, grp in d.groupby("g", sort=True):
        x = grp[["x1", "x2"]].to_numpy()
        m = int(grp.y.sum())
        if m in (0, len(grp)):
            continue
        sums = np.array([x[list(s)].sum(0) for s in itertools.combinations(range(len(x)), m)])
        p = np.exp(sums @ beta)
        p /= p.sum()
        mean = p @ sums
        scores.append(x[grp.y.to_numpy() == 1].sum(0) - mean)
        info += (sums - mean).T @ ((sums - mean) * p[:, None])
    return np.array(scores), info


@pytest.mark.parametrize("small_sample", [False, True])
def test_clustered_se_equal_brute_force_sandwich(small_sample):
    d = simulate(seed=1)
    fit = clogit("y ~ x1 + x2", d, group="g", cluster="country", small_sample=small_sample)
    scores, info = brute_force(d, fit.params.to_numpy())
    np.testing.assert_allclose(scores.sum(0), 0, atol=1e-8)
    np.testing.assert_allclose(fit.vcov_naive, np.linalg.inv(info), rtol=1e-9)
    country = d.groupby("g").country.first()
    used = d.groupby("g").y.agg(lambda s: s.nunique() > 1)
    sc = pd.DataFrame(scores, index=country[used].to_numpy()).groupby(level=0).sum().to_numpy()
    g = len(sc)
    bread = np.linalg.inv(info)
    v = bread @ (sc.T @ sc) @ bread * (g / (g - 1) if small_sample else 1.0)
    np.testing.assert_allclose(fit.vcov, v, rtol=1e-8)
    assert fit.n_clusters == {"country": g}
    assert ("G/(G-1)" in fit.vcov_type) == small_sample
    # statsmodels' ConditionalLogit returns the unclustered SEs for cov_type="cluster"
    assert not np.allclose(fit.bse, np.sqrt(np.diag(fit.vcov_naive)), rtol=1e-3)


def test_swapping_outcome_flips_coefficients():
    d = simulate(seed=2)
    a = clogit("y ~ x1 + x2", d, group="g")
    b = clogit("y0 ~ x1 + x2", d.assign(y0=1 - d.y), group="g")
    np.testing.assert_allclose(b.params, -a.params, rtol=1e-10)
    np.testing.assert_allclose(b.vcov, a.vcov, rtol=1e-8)


def test_many_events_per_group_is_stable():
    """Groups of 200 rows with 60-140 events: no overflow, equal to statsmodels' likelihood."""
    rng = np.random.default_rng(3)
    n_g, size = 5, 200
    d = pd.DataFrame({"g": np.repeat(np.arange(n_g), size), "x1": rng.normal(size=n_g * size)})
    d["y"] = (rng.random(len(d)) < 1 / (1 + np.exp(-(1.5 * d.x1 + 0.4)))).astype(int)
    fit = clogit("y ~ x1", d, group="g")
    sm = ConditionalLogit(d["y"].to_numpy(), d[["x1"]].to_numpy(), groups=d["g"].to_numpy())
    assert fit.loglik == pytest.approx(sm.loglike(fit.params.to_numpy()), rel=1e-10)
    np.testing.assert_allclose(sm.score(fit.params.to_numpy()), 0, atol=1e-6)


def test_bad_input_names_the_cause():
    d = simulate(n_groups=30, seed=4)
    with pytest.raises(ModelInputError, match="'y' must be 0/1"):
        clogit("y ~ x1", d.assign(y=d.y * 2), group="g")
    with pytest.raises(ModelInputError, match=r"\['gx'\] constant within every"):
        clogit("y ~ x1 + gx", d.assign(gx=d.g * 1.5), group="g")
    with pytest.raises(ModelInputError, match="cluster 'x2' varies within a group"):
        clogit("y ~ x1", d, group="g", cluster="x2")
    with pytest.raises(ModelInputError, match="does not vary within any group"):
        clogit("y ~ x1", d.assign(y=0), group="g")
    with pytest.raises(ModelInputError, match="empty"):
        clogit("y ~ x1", d.iloc[:0], group="g")
    with pytest.raises(ModelInputError, match="outcome left of"):
        clogit("~ x1", d, group="g")


def test_perfect_prediction_warns():
    d = simulate(n_groups=40, seed=5)
    d["z"] = d["y"] + 0.0  # z predicts y perfectly within every group
    with pytest.warns(UserWarning, match=r"\['z'\]: coefficient\(s\) may be infinite"):
        clogit("y ~ x1 + z", d, group="g")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clogit("y ~ x1", d, group="g")
