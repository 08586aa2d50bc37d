"""Formula parsing and input checks shared by cox, clogit and firth_logit.

The right-hand side is an ordinary Wilkinson formula materialised by formulaic (``np.log(x)``,
``C(g)`` work as in formulaic). The intercept column is dropped where the model has none (Cox,
conditional logit), which keeps the reduced-rank coding of categorical terms.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import formulaic
import numpy as np
import pandas as pd


class ModelInputError(ValueError):
    """Input that a survival-type model cannot use (names the variable and the cause)."""


@dataclass
class Design:
    """Model matrix of the rows kept: ``x`` (n, k) float64, ``names`` (k,), ``keep`` (n_input,)
    boolean mask of the input rows used, ``dropped`` {column: rows missing}, ``spec`` the
    formulaic model spec (for predictions on new data)."""

    x: np.ndarray
    names: list[str]
    keep: np.ndarray
    dropped: dict[str, int]
    spec: Any


def split_formula(formula: str) -> tuple[str | None, str]:
    """``"y ~ a + b"`` -> ``("y", "a + b")``; ``"~ a + b"`` or ``"a + b"`` -> ``(None, "a + b")``."""
    if not isinstance(formula, str):
        raise ModelInputError(f"formula must be a string, got {type(formula).__name__}")
    if "|" in formula:
        raise ModelInputError(
            f"formula {formula!r}: fixed effects after '|' are not supported by this model "
            "(use strata= for Cox, group= for clogit)"
        )
    if formula.count("~") > 1:
        raise ModelInputError(f"formula {formula!r} has more than one '~'")
    if "~" in formula:
        lhs, rhs = (s.strip() for s in formula.split("~"))
    else:
        lhs, rhs = "", formula.strip()
    if not rhs:
        raise ModelInputError(f"formula {formula!r} has no covariates right of '~'")
    return (lhs or None), rhs


def check_columns(data: pd.DataFrame, cols: Sequence[str | None], model: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ModelInputError(
            f"{model}: data must be a pandas DataFrame, got {type(data).__name__}"
        )
    if len(data) == 0:
        raise ModelInputError(f"{model}: the data are empty (0 rows)")
    missing = [c for c in cols if c is not None and c not in data.columns]
    if missing:
        raise ModelInputError(f"{model}: column(s) {missing} not in the data")


def build_design(
    data: pd.DataFrame,
    rhs: str,
    other: Sequence[str | None],
    *,
    model: str,
    intercept: bool,
) -> Design:
    """Materialise ``rhs``; rows with a missing value in a formula variable or in one of the
    ``other`` columns (time, event, cluster, ...) are dropped with a warning that counts them
    by column (never silently). Non-finite covariate values (e.g. ``np.log(0)``) are an error.
    """
    used = sorted(formulaic.Formula(rhs).required_variables)
    check_columns(data, [*used, *other], model)
    cols = list(dict.fromkeys([*used, *(c for c in other if c is not None)]))
    keep = np.ones(len(data), dtype=bool)
    dropped = {}
    for c in cols:
        na = data[c].isna().to_numpy()
        if na.any():
            dropped[c] = int(na.sum())
            keep &= ~na
    if dropped:
        warnings.warn(
            f"{model}: {int((~keep).sum())} of {len(data)} rows dropped for missing values "
            f"(missing per column: {dropped})",
            stacklevel=3,
        )
    sub = data.loc[keep] if not keep.all() else data
    if len(sub) == 0:
        raise ModelInputError(f"{model}: no rows left after dropping missing values {dropped}")
    mm = formulaic.model_matrix(rhs, sub, na_action="ignore")
    spec = mm.model_spec
    names = [str(c) for c in mm.columns]
    if not intercept and "Intercept" in names:
        names.remove("Intercept")
        mm = mm[names]
    x = mm.to_numpy(dtype=np.float64)
    if not x.flags.writeable or not x.flags.c_contiguous:
        x = np.ascontiguousarray(x).copy() if not x.flags.writeable else np.ascontiguousarray(x)
    if x.shape[1] == 0:
        raise ModelInputError(f"{model}: formula {rhs!r} gives no covariates")
    bad = ~np.isfinite(x)
    if bad.any():
        j = int(np.nonzero(bad.any(axis=0))[0][0])
        i = int(np.nonzero(bad[:, j])[0][0])
        raise ModelInputError(
            f"{model}: covariate {names[j]!r} is not finite in {int(bad[:, j].sum())} rows "
            f"(first: row {sub.index[i]!r}), e.g. log of 0"
        )
    check_rank(x, names, model=model, intercept=intercept)
    return Design(x=x, names=names, keep=keep, dropped=dropped, spec=spec)


def check_rank(x: np.ndarray, names: list[str], *, model: str, intercept: bool) -> None:
    """Error naming covariates that are constant (where the model has no intercept, a constant
    is absorbed by the baseline) or linear combinations of earlier ones."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    const = [
        n
        for n, a, b in zip(names, lo, hi, strict=True)
        if b - a <= 1e-12 * max(abs(a), abs(b), 1.0)
    ]
    if intercept and "Intercept" in names:
        const = [n for n in const if n != "Intercept"]
    if const:
        raise ModelInputError(
            f"{model}: covariate(s) {const} constant in the estimation sample "
            f"({'collinear with the intercept' if intercept else 'absorbed by the baseline'}); "
            "drop them"
        )
    # Gram matrix of the (centred, if no intercept) standardised columns: O(k^2) memory
    g = x.T @ x / len(x)
    if not intercept:
        m = x.mean(axis=0)
        g -= np.outer(m, m)
    sc = 1.0 / np.sqrt(np.maximum(np.diag(g), 1e-300))
    g = g * np.outer(sc, sc)
    k = len(names)
    basis: list[int] = []
    for j in range(k):
        idx = basis + [j]
        ev = np.linalg.eigvalsh(g[np.ix_(idx, idx)])
        if ev[0] <= 1e-10 * max(ev[-1], 1.0):
            raise ModelInputError(
                f"{model}: covariate {names[j]!r} is collinear with "
                f"{[names[b] for b in basis] or 'the intercept'} in the estimation sample; drop it"
            )
        basis.append(j)
