"""Monte Carlo coverage of the robust (pair-clustered) Cox CIs on counting-process data, and of
the country-clustered conditional-logit CIs.

Data-generating process: pairs of 4 spells whose event times are dependent within the pair
(Clayton copula, Kendall's tau = 1/3, Marshall-Olkin construction) with exponential marginal
hazards ``0.1 exp(0.5 x1 - 0.5 x2)``: the marginal Cox model holds exactly, and the within-pair
dependence is what the Lin-Wei variance must absorb. x1 has a pair-level component. Spells are
administratively censored at t = 8 and split into yearly (start, stop] rows (t-1, t], so every
row after the first starts at the previous row's stop.

Conditional logit: 600 pairs (groups) x 12 years in 60 countries (clusters); x has a
country-year component, so scores are correlated within a country; y ~ Bernoulli(logistic(a_pair
+ 0.7 x)) with pair effects a ~ N(-1.5, 1): the conditional likelihood is correct.

Run as a script (``python tests/survival/test_monte_carlo.py``) to print the figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from polecon.models.survival import clogit, cox

BETA = np.array([0.5, -0.5])


def simulate(rng: np.random.Generator, n_pairs: int = 250, size: int = 4) -> pd.DataFrame:
    theta = 1.0  # Clayton: tau = theta / (theta + 2)
    n = n_pairs * size
    pair = np.repeat(np.arange(n_pairs), size)
    x1 = rng.normal(size=n_pairs)[pair] * 0.7 + rng.normal(size=n) * 0.7
    x2 = rng.integers(0, 2, n).astype(float)
    v = rng.gamma(1 / theta, 1.0, n_pairs)[pair]
    u = (1 + rng.exponential(size=n) / v) ** (-1 / theta)
    t = -np.log(u) / (0.1 * np.exp(BETA[0] * x1 + BETA[1] * x2))
    stop_all = np.minimum(t, 8.0)
    event_all = t <= 8.0
    # yearly episodes (k-1, min(k, stop)]
    n_ep = np.ceil(stop_all).astype(int)
    idx = np.repeat(np.arange(n), n_ep)
    k = np.arange(len(idx)) - np.repeat(np.cumsum(n_ep) - n_ep, n_ep)
    start = k.astype(float)
    stop = np.minimum(k + 1.0, stop_all[idx])
    last = k == n_ep[idx] - 1
    return pd.DataFrame(
        {
            "pair": pair[idx],
            "x1": x1[idx],
            "x2": x2[idx],
            "start": start,
            "stop": stop,
            "event": (last & event_all[idx]).astype(int),
        }
    )


def coverage(reps: int = 500, seed: int = 20261205) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    hits_r = np.zeros(2)
    hits_n = np.zeros(2)
    est = np.zeros((reps, 2))
    rows = events = 0
    for r in range(reps):
        d = simulate(rng)
        fit = cox("event ~ x1 + x2", d, start="start", stop="stop", cluster="pair")
        b = fit.params.to_numpy()
        est[r] = b
        se_r = fit.bse.to_numpy()
        se_n = np.sqrt(np.diag(fit.vcov_naive.to_numpy()))
        hits_r += np.abs(b - BETA) <= 1.959963984540054 * se_r
        hits_n += np.abs(b - BETA) <= 1.959963984540054 * se_n
        rows += fit.nobs
        events += fit.n_events
    return {
        "coverage_robust_x1": hits_r[0] / reps,
        "coverage_robust_x2": hits_r[1] / reps,
        "coverage_naive_x1": hits_n[0] / reps,
        "coverage_naive_x2": hits_n[1] / reps,
        "mean_estimate_x1": est[:, 0].mean(),
        "mean_estimate_x2": est[:, 1].mean(),
        "mean_rows": rows / reps,
        "mean_events": events / reps,
    }


def clogit_coverage(reps: int = 500, seed: int = 7) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    n_pairs, years, n_c, beta = 600, 12, 60, 0.7
    pair = np.repeat(np.arange(n_pairs), years)
    year = np.tile(np.arange(years), n_pairs)
    country = pair % n_c
    hits_c = hits_n = 0
    est = np.zeros(reps)
    for r in range(reps):
        shock = rng.normal(size=(n_c, years))
        x = shock[country, year] + rng.normal(size=len(pair)) * 0.5
        a = rng.normal(-1.5, 1.0, n_pairs)[pair]
        y = (rng.random(len(pair)) < 1 / (1 + np.exp(-(a + beta * x)))).astype(int)
        d = pd.DataFrame({"pair": pair, "country": country, "x": x, "y": y})
        fit = clogit("y ~ x", d, group="pair", cluster="country")
        est[r] = fit.params["x"]
        hits_c += abs(est[r] - beta) <= 1.959963984540054 * fit.bse["x"]
        hits_n += abs(est[r] - beta) <= 1.959963984540054 * np.sqrt(fit.vcov_naive.iloc[0, 0])
    return {
        "clogit_coverage_clustered": hits_c / reps,
        "clogit_coverage_naive": hits_n / reps,
        "clogit_mean_estimate": est.mean(),
    }


@pytest.mark.slow
def test_clustered_clogit_ci_coverage_500_replications():
    out = clogit_coverage()
    assert 0.93 <= out["clogit_coverage_clustered"] <= 0.97, out
    assert abs(out["clogit_mean_estimate"] - 0.7) < 0.02, out


@pytest.mark.slow
def test_robust_cox_ci_coverage_500_replications():
    out = coverage()
    for term in ("x1", "x2"):
        assert 0.93 <= out[f"coverage_robust_{term}"] <= 0.97, out
    # the DGP has real within-pair dependence: the naive CIs of the pair-level covariate
    # under-cover, which is what the clustered variance is for
    assert out["coverage_naive_x1"] < out["coverage_robust_x1"], out
    assert abs(out["mean_estimate_x1"] - BETA[0]) < 0.02, out
    assert abs(out["mean_estimate_x2"] - BETA[1]) < 0.02, out


if __name__ == "__main__":
    for key, value in {**coverage(), **clogit_coverage()}.items():
        print(f"{key}: {value:.4f}")
