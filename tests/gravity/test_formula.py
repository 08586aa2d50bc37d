"""Formula parsing and clear errors for bad formulas or columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from polecon.models._core.formula import FormulaError, parse_cluster, parse_formula
from polecon.models.gravity import ols, ppml


def test_parse_basic_and_interactions() -> None:
    f = parse_formula("y ~ x1 + np.log(x2) | fe1 + fe2^fe3")
    assert f.lhs == "y"
    assert f.rhs == "x1 + np.log(x2)"
    assert f.fixef == (("fe1",), ("fe2", "fe3"))
    assert f.fe_names == ["fe1", "fe2^fe3"]
    assert parse_formula("y ~ x").fixef == ()
    assert parse_cluster("exporter+importer") == (("exporter",), ("importer",))
    assert parse_cluster("a^b") == (("a", "b"),)


@pytest.mark.parametrize(
    ("formula", "match"),
    [
        ("y x1", "exactly one '~'"),
        ("y ~ x ~ z", "exactly one '~'"),
        (" ~ x", "no dependent variable"),
        ("y ~ x | a | b", "only 'y ~ x | fe'"),
        ("y ~ x | ", "empty fixed-effect part"),
        ("y ~ x | a + ", "empty fixed-effect term"),
        ("y ~ x | log(a)", "not a column name"),
        ("y ~ x | a + a", "same fixed effect twice"),
        ("y ~ | a", "empty regressor part"),
    ],
)
def test_parse_errors(formula: str, match: str) -> None:
    with pytest.raises(FormulaError, match=match):
        parse_formula(formula)


def _data() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "y": rng.poisson(2.0, 50).astype(float),
            "x": rng.normal(size=50),
            "a": rng.integers(0, 5, 50),
        }
    )


def test_unknown_columns_name_the_column() -> None:
    d = _data()
    with pytest.raises(FormulaError, match="fixed-effect column 'nope'"):
        ppml("y ~ x | nope", d)
    with pytest.raises(FormulaError, match="cannot evaluate formula"):
        ols("y ~ x + missing_var | a", d)
    with pytest.raises(FormulaError, match="cluster column 'cl'"):
        ols("y ~ x | a", d, vcov={"CRV1": "cl"})
    with pytest.raises(FormulaError, match="weights column 'w'"):
        ols("y ~ x | a", d, weights="w")


def test_intercept_only_with_fixed_effects_and_transforms() -> None:
    d = _data()
    r = ppml("y ~ 1 | a", d)
    assert len(r.params) == 0 and r.converged
    r = ols("np.log(y + 1) ~ x + I(x**2) | a", d)
    assert list(r.params.index) == ["x", "I(x ** 2)"]


def test_not_a_dataframe() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        ols("y ~ x", {"y": [1.0], "x": [2.0]})  # type: ignore[arg-type]
