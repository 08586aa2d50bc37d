"""Regression tests for the defects found in the review of the gravity engine (issue 5).

Each test failed before its fix: memory of the separation check on tall problems, predict()
rebuilding the design from the first 1,000 rows, one-cluster ZeroDivisionError, absolute IRLS
stopping rule for tiny y, unseen categorical levels in predict, cluster-dependent samples,
dropped-row order, the "non_finite" reason and the silent step-halving give-up.
"""

from __future__ import annotations

import importlib.util
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polecon.models._core import _kernels as K
from polecon.models.glm import _separation_base as base
from polecon.models.glm import _separation_ir as ir
from polecon.models.glm import separation as sep
from polecon.models.gravity import ConvergenceWarning, ols, ppml


# ------------------------------------------------------------------ 1. separation memory
def test_null_space_of_tall_matrix_does_not_allocate_rows_squared() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20_000, 6))
    a[:, 5] = a[:, 0] - 2 * a[:, 1]  # rank 5: one null direction
    tracemalloc.start()
    try:
        basis = base._null_space(a)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50e6  # a full SVD would hold a 20,000 x 20,000 U (3.2 GB)
    assert basis.shape == (6, 1)
    np.testing.assert_allclose(a @ basis, 0.0, atol=1e-8)
    v = basis[:, 0] / basis[0, 0]
    np.testing.assert_allclose(v, [1.0, -2.0, 0.0, 0.0, 0.0, -1.0], atol=1e-8)


def _tall_no_fe(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)})
    d["d"] = (rng.uniform(size=n) < 0.01).astype(float)
    d["y"] = rng.poisson(np.exp(1.0 + 0.3 * d.x1 - 0.2 * d.x2)).astype(float)  # ~8% zeros
    d.loc[d.d == 1, "y"] = 0.0  # separated by the dummy d
    return d


def test_ir_on_100k_rows_without_fixed_effects_is_cheap() -> None:
    d = _tall_no_fe(100_000)
    X = np.column_stack([np.ones(len(d)), d[["x1", "x2", "d"]].to_numpy()])
    tracemalloc.start()
    try:
        res = sep.detect_separation(d.y.to_numpy(), X, None, methods=("ir",))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 300e6
    np.testing.assert_array_equal(res.separated, d.d.to_numpy() == 1)


def test_ppml_200k_rows_no_fe_with_zeros() -> None:
    d = _tall_no_fe(200_000, seed=2)  # above the exact path's row cap: weighted back-end
    r = ppml("y ~ x1 + x2 + d", d)
    assert r.converged
    assert set(r.dropped[r.dropped == "separation"].index) == set(d.index[d.d == 1])
    assert "d" in r.collinear
    np.testing.assert_allclose(r.params[["x1", "x2"]], [0.3, -0.2], atol=0.01)


# ------------------------------------------------------------------ 2. predict uses the fit's spec
def _late_levels() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 3000
    d = pd.DataFrame({"e": rng.integers(0, 10, n), "x1": rng.normal(size=n) + 1.0})
    # levels "a" and "d" appear only after row 1,000
    d["g"] = np.where(np.arange(n) < 1000, rng.choice(["b", "c"], n), rng.choice(list("abcd"), n))
    d["y"] = rng.poisson(np.exp(0.3 * d.x1 + (d.g == "d") * 0.5)).astype(float)
    return d


@pytest.mark.parametrize("fml", ["y ~ x1 + C(g) | e", "y ~ x1 + g | e", "y ~ center(x1) + g"])
def test_predict_reuses_fitted_model_spec(fml: str) -> None:
    d = _late_levels()
    r = ppml(fml, d)
    fitted = r.predict()
    np.testing.assert_allclose(r.predict(d).loc[fitted.index], fitted, rtol=1e-10)
    tail = d.tail(5)  # also a subset of rows: stateful transforms keep the fit's state
    np.testing.assert_allclose(r.predict(tail), fitted.loc[tail.index], rtol=1e-10)


def test_predict_center_uses_estimation_mean_for_ols() -> None:
    d = _late_levels()
    r = ols("y ~ center(x1) | e", d)
    one = d.iloc[[2500]]
    np.testing.assert_allclose(r.predict(one), r.predict().loc[one.index], rtol=1e-10)


# ------------------------------------------------------------------ 3. one cluster
def test_single_cluster_raises_clear_error() -> None:
    d = _late_levels().assign(one=1)
    with pytest.raises(ValueError, match="at least 2 clusters"):
        ppml("y ~ x1 | e", d, vcov={"CRV1": "one"})
    with pytest.raises(ValueError, match="'one'"):
        ols("y ~ x1 | e", d, vcov={"CRV1": "one"}, ssc="fixest")


# ------------------------------------------------------------------ 4. scale invariance
def _fe_panel(seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2000
    d = pd.DataFrame(
        {"e": rng.integers(0, 30, n), "i": rng.integers(0, 30, n), "x1": rng.normal(size=n)}
    )
    d["y"] = rng.poisson(np.exp(0.3 * d.x1 + d.e / 30)).astype(float)
    return d


@pytest.mark.parametrize("scale", [1e-12, 1e9])
def test_ppml_is_scale_invariant(scale: float) -> None:
    d = _fe_panel()
    a = ppml("y ~ x1 | e + i", d, vcov={"CRV1": "e"})
    b = ppml("y ~ x1 | e + i", d.assign(y=d.y * scale), vcov={"CRV1": "e"})
    assert b.converged
    np.testing.assert_allclose(b.params, a.params, rtol=1e-8)
    np.testing.assert_allclose(b.bse, a.bse, rtol=1e-8)
    np.testing.assert_allclose(b.deviance, a.deviance * scale, rtol=1e-8)
    np.testing.assert_allclose(b.predict(), a.predict() * scale, rtol=1e-8)
    fa, fb = a.fixef()["e"], b.fixef()["e"]
    np.testing.assert_allclose(fb - fa, np.log(scale), rtol=1e-8)
    # without fixed effects: same slope, intercept shifted by log(scale)
    a0 = ppml("y ~ x1", d)
    b0 = ppml("y ~ x1", d.assign(y=d.y * scale))
    np.testing.assert_allclose(b0.params["x1"], a0.params["x1"], rtol=1e-8)
    np.testing.assert_allclose(
        b0.params["Intercept"] - a0.params["Intercept"], np.log(scale), rtol=1e-10
    )


# ------------------------------------------------------------------ 5. unseen categorical level
def test_predict_unseen_categorical_level_is_nan() -> None:
    d = _late_levels()
    r = ppml("y ~ x1 + C(g) | e", d)
    new = d.head(4).copy()
    new["g"] = ["zzz", "b", None, "c"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no formulaic DataMismatchWarning leaks out
        p = r.predict(new)
    assert np.isnan(p.iloc[0]) and np.isnan(p.iloc[2])
    ok = new.iloc[[1, 3]]
    np.testing.assert_allclose(p.iloc[[1, 3]], r.predict(d.loc[ok.index].assign(g=ok.g)))
    assert np.isfinite(p.iloc[[1, 3]]).all()


# ------------------------------------------------------------------ 6. missing cluster values
def test_missing_cluster_value_raises() -> None:
    d = _fe_panel()
    d["cl"] = d.e.astype(float)
    d.loc[[3, 7, 11], "cl"] = np.nan
    with pytest.raises(ValueError, match=r"'cl' is missing on 3 row"):
        ppml("y ~ x1 | e + i", d, vcov={"CRV1": "cl"})
    with pytest.raises(ValueError, match=r"'cl' is missing on 3 row"):
        ols("y ~ x1 | e + i", d, vcov={"CRV1": "i+cl"})
    # a missing cluster on a row that is dropped anyway (missing x1) is not an error
    d2 = d.copy()
    d2.loc[[3, 7, 11], "x1"] = np.nan
    r = ppml("y ~ x1 | e + i", d2, vcov={"CRV1": "cl"})
    r_h = ppml("y ~ x1 | e + i", d2, vcov="hetero")
    assert r.nobs == r_h.nobs
    assert r.dropped.equals(r_h.dropped)


# ------------------------------------------------------------------ 7. bookkeeping and warnings
def test_dropped_in_input_row_order_and_non_finite_reason() -> None:
    d = _fe_panel()
    d.loc[d.e == 3, "y"] = 0.0  # separation by the fixed effect
    d.loc[[10, 500], "x1"] = np.nan
    d.loc[20, "x1"] = np.inf
    d["o"] = 0.0
    d.loc[30, "o"] = -np.inf
    d.index = np.arange(len(d))[::-1] * 3  # reversed, non-default labels
    r = ppml("y ~ x1 | e + i", d, offset="o")
    pos = d.index.get_indexer(r.dropped.index)
    assert (np.diff(pos) > 0).all()
    lab = d.index
    assert r.dropped.loc[lab[10]] == "missing" and r.dropped.loc[lab[500]] == "missing"
    assert r.dropped.loc[lab[20]] == "non_finite" and r.dropped.loc[lab[30]] == "non_finite"
    assert r.dropped.loc[lab[np.flatnonzero(d.e.to_numpy() == 3)]].eq("separation").all()
    assert r.nobs + len(r.dropped) == len(d)


def test_non_numeric_weights_column_raises() -> None:
    d = _fe_panel()
    d["w"] = "1.0"
    d.loc[4, "w"] = "heavy"
    with pytest.raises(ValueError, match=r"weights column 'w' is not numeric at rows \[4\]"):
        ppml("y ~ x1 | e", d, weights="w")


def test_step_halving_give_up_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    orig = K.poisson_update
    calls = {"n": 0}

    def worse_every_time(*args: object) -> float:
        calls["n"] += 1
        dev = orig(*args)
        return dev + (0.0 if calls["n"] == 1 else 1e3 * calls["n"])

    monkeypatch.setattr(K, "poisson_update", worse_every_time)
    with pytest.warns(ConvergenceWarning, match="step-halving"):
        ppml("y ~ x1 | e", _fe_panel(), maxiter=2)


def _oracle() -> Callable[..., np.ndarray]:
    """The exact per-row LP oracle of test_separation.py (tests run with importlib mode)."""
    spec = importlib.util.spec_from_file_location(
        "_gravity_test_separation", Path(__file__).with_name("test_separation.py")
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.oracle


_ORACLE = _oracle()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    n=st.integers(4, 14),
    k=st.integers(0, 2),
    g=st.integers(1, 3),
)
def test_screen_candidates_contain_every_separated_row(
    data: st.DataObject, n: int, k: int, g: int
) -> None:
    """The per-row screen that shrinks the rectifier's candidates never excludes a separated
    row (compared with the exact per-row LP oracle of test_separation)."""

    y = np.array(data.draw(st.lists(st.sampled_from([0, 0, 1, 2]), min_size=n, max_size=n)), float)
    X = np.array(
        data.draw(
            st.lists(st.lists(st.integers(-2, 2), min_size=k, max_size=k), min_size=n, max_size=n)
        ),
        float,
    ).reshape(n, k)
    fe = np.array(
        data.draw(
            st.lists(st.lists(st.integers(0, 3), min_size=g, max_size=g), min_size=n, max_size=n)
        )
    ).reshape(n, g)
    truth = _ORACLE(y, X, fe)
    xa = ir._scale_columns(X) if k else np.zeros((n, 0))
    cand = ir._screen_candidates(xa, ir._dense_codes(fe), y == 0, 1e-8)
    assert not (truth & ~cand).any(), (y, X, fe)


def test_weighted_ir_backend_with_screened_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force the large-problem back-end on a joint (regressor + fixed effect) separation."""
    rng = np.random.default_rng(7)
    n = 1000
    d = pd.DataFrame(
        {"e": rng.integers(0, 10, n), "i": rng.integers(0, 10, n), "x1": rng.normal(size=n)}
    )
    d["y"] = rng.poisson(np.exp(1 + 0.3 * d.x1)).astype(float)
    q = (d.x1 > 1.0).astype(float) + (d.e == 5)
    d.loc[q > 0, "y"] = 0.0
    d["q3"] = d.x1.clip(lower=1.0) - 1.0
    monkeypatch.setattr(ir, "_IR_DENSE_MAX_CELLS", 0)
    X = d[["q3", "x1"]].to_numpy()
    fe = d[["e", "i"]].to_numpy()
    res = sep.detect_separation(d.y.to_numpy(), X, fe, methods=("fe", "ir"))
    assert res.diagnostics["ir_solver"] == "weighted-demean"
    assert 0 < res.diagnostics["ir_screened_candidates"] < int((d.y == 0).sum())
    np.testing.assert_array_equal(res.separated, (q > 0).to_numpy())


def test_all_zero_outcome_without_separation_check_raises() -> None:
    d = _fe_panel().assign(y=0.0)
    with pytest.raises(ValueError, match="is 0 on every row"):
        ppml("y ~ x1", d, separation=None)
