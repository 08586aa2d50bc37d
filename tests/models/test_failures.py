"""Numerical failure modes: each gives a clear error or warning naming the cause."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from polecon.models._core.formula import FormulaError
from polecon.models.glm import (
    CollinearityWarning,
    ConvergenceWarning,
    SeparationUndecidedWarning,
    logit,
    lpm,
    ppml,
)
from polecon.models.glm.separation import detect_separation


@pytest.fixture(scope="module")
def trade() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    c = [f"c{i}" for i in range(12)]
    rows = [(o, dd, t) for o in c for dd in c if o != dd for t in range(4)]
    d = pd.DataFrame(rows, columns=["exporter", "importer", "year"])
    d["pair"] = d["exporter"] + "-" + d["importer"]
    d["ldist"] = rng.normal(size=len(d))
    d["colony"] = (d.groupby("pair")["ldist"].transform("first") > 1).astype(float)
    d["rta"] = (rng.uniform(size=len(d)) < 0.3).astype(float)
    d["trade"] = rng.poisson(np.exp(1 - 0.5 * d["ldist"] + 0.3 * d["rta"])).astype(float)
    d["signed"] = (rng.uniform(size=len(d)) < 0.3).astype(float)
    return d


def test_ppml_and_logit_non_convergence_warn(trade: pd.DataFrame) -> None:
    with pytest.warns(ConvergenceWarning, match="ppml: IRLS did not converge in 1 iteration"):
        ppml("trade ~ ldist + rta | exporter + importer", trade, maxiter=1)
    with pytest.warns(ConvergenceWarning, match="logit: IRLS did not converge in 1 iteration"):
        logit("signed ~ ldist + rta | exporter", trade, maxiter=1)


def test_perfect_collinearity_names_the_regressor(trade: pd.DataFrame) -> None:
    d = trade.assign(both=trade["ldist"] + 2 * trade["rta"])
    with pytest.warns(CollinearityWarning, match=r"\['both'\] perfectly collinear"):
        r = logit("signed ~ ldist + rta + both", d)
    assert r.collinear == ["both"] and "both" not in r.params.index


def test_fixed_effect_absorbing_the_regressor_of_interest(trade: pd.DataFrame) -> None:
    with pytest.warns(CollinearityWarning, match=r"\['colony'\] is absorbed by the fixed effects"):
        r = ppml("trade ~ colony + rta | pair + year", trade, vcov={"CRV1": "pair"})
    assert "colony" not in r.params.index and r.collinear == ["colony"]


def test_all_zero_outcome(trade: pd.DataFrame) -> None:
    d = trade.assign(trade=0.0, signed=0.0)
    with pytest.raises(ValueError, match="ppml: the dependent variable 'trade' is 0 on every row"):
        ppml("trade ~ ldist | exporter", d)
    with pytest.raises(ValueError, match="logit: the dependent variable 'signed' is 0 on every"):
        logit("signed ~ ldist", d)


def test_sample_with_one_country(trade: pd.DataFrame) -> None:
    one = trade[trade["exporter"] == "c0"]
    with pytest.raises(ValueError, match="at least 2 clusters.*exporter"):
        ppml("trade ~ ldist | importer", one, vcov={"CRV1": "exporter"})
    one = one.assign(gdp_o=3.0)
    with pytest.warns(CollinearityWarning, match=r"\['gdp_o'\] is absorbed by the fixed effects"):
        ppml("trade ~ ldist + gdp_o | exporter + importer", one)


def test_non_binary_outcome_for_logit_and_lpm(trade: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"logit: the dependent variable 'trade' must be binary"):
        logit("trade ~ ldist", trade)
    with pytest.raises(ValueError, match=r"lpm: the dependent variable 'trade' must be binary"):
        lpm("trade ~ ldist | exporter", trade)


def test_empty_sample(trade: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="data has no rows"):
        logit("signed ~ ldist", trade.iloc[:0])
    with pytest.raises(ValueError, match="no rows left after dropping rows with missing"):
        logit("signed ~ ldist", trade.assign(ldist=np.nan))
    with pytest.raises(FormulaError, match="'nope' is not in the data"):
        logit("signed ~ ldist | nope", trade)


def test_separation_rectifier_budget_exits_undecided() -> None:
    """The iterated rectifier stops at its wall-clock budget: undecided rows are kept, the
    result says it did not converge, and a warning names the count (no unbounded loop)."""
    rng = np.random.default_rng(1)
    n = 400
    fe = np.column_stack([rng.integers(0, 20, n), rng.integers(0, 15, n)])
    x = rng.normal(size=(n, 2))
    y = rng.poisson(np.exp(0.3 * x[:, 0]), n).astype(float)
    y[fe[:, 0] == 3] = 0.0
    with pytest.warns(SeparationUndecidedWarning, match="undecided"):
        res = detect_separation(y, x, fe, methods=("ir",), time_limit=1e-9)
    assert not res.converged and res.diagnostics["ir_stop"] == "budget"
    assert not res.separated.any()
    # the default budget decides the same problem
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = detect_separation(y, x, fe, methods=("ir",))
    assert full.converged and full.separated[fe[:, 0] == 3].all()
