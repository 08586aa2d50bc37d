"""Separation checks on a real trade panel, and the large-problem screen's exact span test.

Real data: COW dyadic trade (``polecon.load("trade_flows")``, 1990-2014, directed, missing
flows dropped; 685,632 rows), the sample of ``/tmp/usertest/t11.py``: PPML of exports with
exporter-year, importer-year and pair fixed effects. There the default checks
(``("fe", "simplex", "ir")``) must find exactly what ``("fe",)`` finds, through the cheap path
(random screen + small exact LP) and in agreement with the full iterated rectifier; and the one
row that pyfixest keeps but polecon drops is a singleton created by dropping separated rows.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polecon.models.glm import _separation_ir as ir
from polecon.models.glm import separation as sep
from polecon.models.gravity import ppml

pytestmark = pytest.mark.realdata

FORMULA = "value_usd ~ traded_before | iy + jy + pair"


def _suite_module() -> object:
    """tests/gravity/test_separation.py (its exact per-row LP oracle and suite loaders)."""
    spec = importlib.util.spec_from_file_location(
        "_gravity_test_separation_rp", Path(__file__).with_name("test_separation.py")
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_SUITE = _suite_module()
_ORACLE: Callable[..., np.ndarray] = _SUITE.oracle  # type: ignore[attr-defined]


# ------------------------------------------------------------------ real panel (COW trade)


@pytest.fixture(scope="module")
def trade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pd.DataFrame]:
    """Directed COW trade 1990-2014 with the fixed-effect keys and a lagged-trade dummy."""
    from polecon import load

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLECON_CACHE", str(tmp_path_factory.mktemp("cache")))
        tr = load("trade_flows")
    keep = tr.year.between(1990, 2014) & tr.value_usd.notna()
    d = tr.loc[keep, ["exporter", "importer", "year", "value_usd"]].reset_index(drop=True)
    d["pair"] = d.exporter + "_" + d.importer
    d["iy"] = d.exporter + d.year.astype(str)
    d["jy"] = d.importer + d.year.astype(str)
    lag = d[["pair", "year", "value_usd"]].assign(year=d.year + 1)
    d = d.merge(lag.rename(columns={"value_usd": "lag"}), on=["pair", "year"], how="left")
    d["traded_before"] = (d.lag > 0).astype(float)  # 0 where the previous year is missing
    yield d


def _arrays(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    fe = np.column_stack([pd.factorize(d[c])[0] for c in ("iy", "jy", "pair")]).astype(np.int64)
    return d.value_usd.to_numpy(float), d[["traded_before"]].to_numpy(float), fe


def _singleton_free(d: pd.DataFrame, keep: np.ndarray) -> np.ndarray:
    """Largest subset of ``keep`` in which no iy / jy / pair group has a single row."""
    keep = keep.copy()
    while True:
        single = np.zeros(len(d), dtype=bool)
        for c in ("iy", "jy", "pair"):
            size = d[c][keep].map(d[c][keep].value_counts())
            single[np.flatnonzero(keep)[size.to_numpy() == 1]] = True
        if not single.any():
            return keep
        keep &= ~single


@pytest.mark.realdata
def test_default_checks_equal_fe_only_on_real_panel(trade: pd.DataFrame) -> None:
    """Nothing is separated beyond the all-zero groups: the default fit drops exactly the rows
    of the fe-only fit and gives the same coefficient."""
    full = ppml(FORMULA, trade, vcov={"CRV1": "pair"})
    fe_only = ppml(FORMULA, trade, vcov={"CRV1": "pair"}, separation=("fe",))
    assert full.converged and fe_only.converged
    pd.testing.assert_series_equal(full.dropped, fe_only.dropped)
    np.testing.assert_allclose(full.params, fe_only.params, rtol=1e-10)
    assert full.nobs == fe_only.nobs == len(trade) - len(full.dropped)


@pytest.mark.slow
@pytest.mark.realdata
def test_span_screen_agrees_with_rectifier_on_real_panel(
    trade: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cheap decision (random screen + exact LP on the draws' span) and the full iterated
    rectifier (forced by declaring the span undecided) flag the same rows; here the screen
    leaves a few candidate rows and the LP proves that none is separated."""
    y, X, fe = _arrays(trade)
    fast = sep.detect_separation(y, X, fe)
    diag = fast.diagnostics
    assert diag["ir_solver"] == "weighted-demean"
    assert diag["ir_stop"] == "span-lp", diag
    assert diag["ir_screened_candidates"] > 0 and diag["ir_iterations"] == 0
    assert diag["n_ir"] == 0 and diag["n_simplex"] == 0

    monkeypatch.setattr(ir, "_span_certificate", lambda span, *_: None)
    slow = sep.detect_separation(y, X, fe)
    assert slow.diagnostics["ir_stop"] != "span-lp" and slow.diagnostics["ir_iterations"] > 0
    np.testing.assert_array_equal(fast.separated, slow.separated)


@pytest.mark.slow
@pytest.mark.realdata
def test_singletons_created_by_separation_are_dropped(trade: pd.DataFrame) -> None:
    """The final sample is the largest singleton-free subset of the non-separated rows
    (ppmlhdfe's convention), recomputed independently here. One row (KOR -> PLW, 1997, y > 0)
    becomes a singleton only once the other row of importer-year PLW1997 (y == 0, separated) is
    dropped: polecon drops it, pyfixest 0.60 keeps it (it drops singletons once, before the
    separation check), hence its N is one larger with the same coefficient."""
    fit = ppml(FORMULA, trade, vcov={"CRV1": "pair"})
    reason = fit.dropped.reindex(trade.index)
    not_separated = (reason != "separation").to_numpy()
    final = _singleton_free(trade, not_separated)
    np.testing.assert_array_equal(final, reason.isna().to_numpy())
    initial_singletons = ~_singleton_free(trade, np.ones(len(trade), dtype=bool))
    late = np.flatnonzero(not_separated & ~final & ~initial_singletons)
    row = trade.index[(trade.exporter == "KOR") & (trade.importer == "PLW") & (trade.year == 1997)]
    assert late.tolist() == row.tolist()
    assert trade.value_usd[row[0]] > 0 and reason[row[0]] == "singleton"
    pf = pytest.importorskip("pyfixest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pf.fepois(FORMULA, data=trade, vcov={"CRV1": "pair"})
    assert fit.nobs + 1 == ref._N
    np.testing.assert_allclose(ref.coef().to_numpy(), fit.params.to_numpy(), rtol=1e-6)


# ------------------------------------------------------------------ the span test, synthetic


def _draw_problem(
    data: st.DataObject, n: int, k: int, g: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.array(data.draw(st.lists(st.sampled_from([0, 0, 1, 2]), min_size=n, max_size=n)), float)
    X = np.array(
        data.draw(
            st.lists(st.lists(st.integers(-2, 2), min_size=k, max_size=k), min_size=n, max_size=n)
        ),
        float,
    ).reshape(n, k)
    fe = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 4), min_size=g, max_size=g), min_size=n, max_size=n)
        )
    ).reshape(n, g)
    return y, X, fe


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(4, 16), k=st.integers(0, 2), g=st.integers(1, 3))
def test_span_lp_decision_matches_oracle(data: st.DataObject, n: int, k: int, g: int) -> None:
    """With more draws than candidates, the exact LP on the draws' span finds a certificate
    exactly when some row is separated (per-row LP oracle with explicit dummies)."""
    y, X, fe = _draw_problem(data, n, k, g)
    truth = _ORACLE(y, X, fe)
    xa = ir._scale_columns(X) if k else np.zeros((n, 0))
    cand, span = ir._screen(xa, ir._dense_codes(fe), y == 0, 1e-10, n_draws=n + 1)
    assert not (truth & ~cand).any(), (y, X, fe)
    decision = ir._span_certificate(span)
    assert decision is not None, (y, X, fe)
    np.testing.assert_array_equal(decision, truth[cand], err_msg=str((y, X, fe, span)))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(4, 16), k=st.integers(0, 2), g=st.integers(1, 3))
def test_weighted_backend_matches_oracle(data: st.DataObject, n: int, k: int, g: int) -> None:
    """The large-problem path (screen, span LP, rectifier fallback), forced on small problems,
    flags exactly the separated rows, alone and after the fe and simplex checks."""
    y, X, fe = _draw_problem(data, n, k, g)
    truth = _ORACLE(y, X, fe)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ir, "_IR_DENSE_MAX_CELLS", 0)
        for methods in (("ir",), ("fe", "simplex", "ir")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # rectifier maxiter (rare)
                res = sep.detect_separation(y, X, fe, methods=methods)
            assert res.diagnostics.get("ir_solver", "weighted-demean") == "weighted-demean"
            if res.converged:
                np.testing.assert_array_equal(res.separated, truth, err_msg=str(res.diagnostics))
            else:  # undecided rows are kept, certified ones flagged: never a false positive
                assert not (res.separated & ~truth).any(), res.diagnostics


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("name", [f"{i:02d}.csv" for i in range(1, 19)])
def test_suite_weighted_backend_with_span_lp(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """ppmlhdfe suite, large-problem path forced: exact flags with the default checks and with
    the rectifier alone; file 14 (no separation, candidate rows left by the screen) is decided
    by the span LP."""
    monkeypatch.setattr(ir, "_IR_DENSE_MAX_CELLS", 0)
    df = _SUITE.load(name)  # type: ignore[attr-defined]
    y, X, fe = _SUITE.arrays(df)  # type: ignore[attr-defined]
    expected = df["separated"].to_numpy() == 1
    for methods in (("ir",), ("fe", "simplex", "ir")):
        res = sep.detect_separation(y, X, fe, methods=methods)
        np.testing.assert_array_equal(res.separated, expected, err_msg=str(res.diagnostics))
        if name == "14.csv" and methods == ("ir",):
            assert res.diagnostics["ir_stop"] == "span-lp", res.diagnostics
