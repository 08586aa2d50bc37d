"""Linear hypotheses ``R b = q`` and their Wald tests (after linearmodels' ``shared/hypotheses``).

A restriction is given either as a matrix ``R`` (m, k) with a vector ``q`` (m,) or as strings
over the coefficient names, one equation each, e.g. ``"x1 = 0"``, ``"x1 = x2"``,
``"2*x1 - x2 = 1"``, or several at once as a list or comma-separated (``"x1 = 0, x2 = 0"``).
A string without ``=`` means ``... = 0``. Term names may contain any characters (``np.log(d)``,
``C(g)[T.b]``): the parser matches the longest coefficient name at each position.

The statistic is ``W = (R b - q)' (R V R')^{-1} (R b - q)``, chi-square with m degrees of
freedom; with ``df_denom`` (models using t inference) the F form ``W / m`` with (m, df_denom)
degrees of freedom is reported instead, as linearmodels and statsmodels do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

_NUMBER = re.compile(r"\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")


class HypothesisError(ValueError):
    """A restriction that cannot be parsed or tested (names the restriction and the cause)."""


@dataclass(frozen=True)
class WaldTestStatistic:
    """Result of a Wald test: ``stat``, ``df`` (restrictions), ``df_denom`` (None: chi2),
    ``pval``, ``dist_name`` ("chi2" or "F") and the tested ``null`` as text."""

    stat: float
    df: int
    pval: float
    dist_name: str
    null: str
    df_denom: int | None = None

    # aliases in the team's naming (tidy columns)
    @property
    def statistic(self) -> float:
        return self.stat

    @property
    def p_value(self) -> float:
        return self.pval

    def __getitem__(self, key: str) -> float | int | str | None:
        return self.to_series()[key]

    def to_series(self) -> pd.Series:
        return pd.Series(
            {
                "statistic": self.stat,
                "df": self.df,
                "df_denom": self.df_denom,
                "p_value": self.pval,
                "distribution": self.dist_name,
                "null": self.null,
            },
            dtype=object,
        )

    def __str__(self) -> str:
        dist = f"F({self.df}, {self.df_denom})" if self.df_denom else f"chi2({self.df})"
        return f"Wald test of {self.null}: {dist} = {self.stat:.4f}, p-value = {self.pval:.4g}"


def _split_equations(hypotheses: str | Sequence[str]) -> list[str]:
    items = [hypotheses] if isinstance(hypotheses, str) else list(hypotheses)
    out: list[str] = []
    for h in items:
        if not isinstance(h, str):
            raise HypothesisError(f"a restriction must be a string, got {h!r}")
        out += [e.strip() for e in h.split(",") if e.strip()]
    if not out:
        raise HypothesisError("no restriction given")
    return out


def _parse_side(text: str, names: list[str], eq: str) -> tuple[np.ndarray, float]:
    """Coefficient row and constant of one side of an equation (sum of [sign][num *]term)."""
    row = np.zeros(len(names))
    const = 0.0
    by_len = sorted(names, key=len, reverse=True)
    pos, n = 0, len(text)
    expect_term = True
    sign = 1.0
    while pos < n:
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        if ch in "+-" and expect_term:
            sign *= -1.0 if ch == "-" else 1.0
            pos += 1
            continue
        if ch in "+-":
            sign = -1.0 if ch == "-" else 1.0
            expect_term = True
            pos += 1
            continue
        if not expect_term:
            raise HypothesisError(f"cannot parse {eq!r} at {text[pos:]!r} (missing + or -?)")
        name = next((nm for nm in by_len if text.startswith(nm, pos)), None)
        if name is not None:
            row[names.index(name)] += sign
            pos += len(name)
        else:
            m = _NUMBER.match(text, pos)
            if m is None:
                raise HypothesisError(
                    f"unknown term at {text[pos:]!r} in restriction {eq!r}; "
                    f"coefficients are {names}"
                )
            value = float(m.group())
            j = m.end()
            while j < n and text[j].isspace():
                j += 1
            if j < n and text[j] == "*":
                j += 1
                while j < n and text[j].isspace():
                    j += 1
                name = next((nm for nm in by_len if text.startswith(nm, j)), None)
                if name is None:
                    raise HypothesisError(f"expected a coefficient after '*' in {eq!r}")
                row[names.index(name)] += sign * value
                pos = j + len(name)
            else:
                const += sign * value
                pos = m.end()
        sign = 1.0
        expect_term = False
    if expect_term and pos > 0 and text.strip():
        raise HypothesisError(f"restriction {eq!r} ends with an operator")
    return row, const


def parse_restrictions(
    hypotheses: str | Sequence[str], names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Strings -> (R (m, k), q (m,), the equations as text)."""
    names = [str(x) for x in names]
    rows, qs, eqs = [], [], _split_equations(hypotheses)
    for eq in eqs:
        if eq.count("=") > 1:
            raise HypothesisError(f"restriction {eq!r} has more than one '='")
        lhs, rhs = (eq.split("=") + ["0"])[:2]
        r1, c1 = _parse_side(lhs, names, eq)
        r2, c2 = _parse_side(rhs, names, eq)
        row = r1 - r2
        if not row.any():
            raise HypothesisError(f"restriction {eq!r} involves no coefficient")
        rows.append(row)
        qs.append(c2 - c1)
    return np.vstack(rows), np.asarray(qs, dtype=float), eqs


def wald_test(
    params: pd.Series,
    vcov: pd.DataFrame | np.ndarray,
    restriction: str | Sequence[str] | np.ndarray,
    value: np.ndarray | Sequence[float] | None = None,
    df_denom: int | None = None,
) -> WaldTestStatistic:
    """Wald test of ``R b = q`` (``restriction``: R or strings; ``value``: q, default 0)."""
    names = list(params.index)
    b = params.to_numpy(dtype=float)
    v = np.asarray(vcov, dtype=float)
    if isinstance(restriction, str) or (
        isinstance(restriction, Sequence) and restriction and isinstance(restriction[0], str)
    ):
        if value is not None:
            raise HypothesisError("give the constants inside the strings, not as value=")
        r, q, eqs = parse_restrictions(restriction, names)  # type: ignore[arg-type]
        null = ", ".join(eqs)
    else:
        r = np.atleast_2d(np.asarray(restriction, dtype=float))
        if r.shape[1] != len(names):
            raise HypothesisError(
                f"R has {r.shape[1]} columns but the model has {len(names)} coefficients"
            )
        q = np.zeros(r.shape[0]) if value is None else np.asarray(value, dtype=float).ravel()
        if q.shape != (r.shape[0],):
            raise HypothesisError(f"q must have {r.shape[0]} elements, got {q.shape}")
        null = "R b = q"
    m = r.shape[0]
    if np.linalg.matrix_rank(r) < m:
        raise HypothesisError(f"the {m} restrictions ({null}) are linearly dependent")
    diff = r @ b - q
    rvr = r @ v @ r.T
    try:
        stat = float(diff @ np.linalg.solve(rvr, diff))
    except np.linalg.LinAlgError as exc:
        raise HypothesisError(f"R V R' is singular for {null}: {exc}") from exc
    if df_denom is not None:
        f = stat / m
        return WaldTestStatistic(f, m, float(stats.f.sf(f, m, df_denom)), "F", null, int(df_denom))
    return WaldTestStatistic(stat, m, float(stats.chi2.sf(stat, m)), "chi2", null)
