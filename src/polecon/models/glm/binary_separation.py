"""Separation in binary-outcome models (logit, cloglog), on both sides (y = 0 and y = 1).

Row i is *separated* when some linear combination ``z`` of the regressors and fixed-effect
dummies has ``s_j z_j >= 0`` on every row (``s = +1`` where y = 1, ``-1`` where y = 0) and
``s_i z_i > 0``: moving along ``z`` raises the likelihood without bound, so the MLE of that
row's fitted probability is exactly 0 or 1 and some coefficients diverge (Albert & Anderson
1984; Correia, Guimarães & Zylkin 2019 for fixed effects). Such rows are dropped before the
fit (reason ``"separation"``), as fixest and pyfixest ``feglm`` do for fixed-effect groups.

Checks, applied in order to the rows not yet flagged:

- ``"fe"``: fixed-effect levels whose outcome never varies (all 0 or all 1): the level's dummy
  (with the sign of its outcome) is a certificate.
- ``"simplex"``: the linear programme ``max sum_i t_i`` subject to ``0 <= t_i <= 1``,
  ``t_i <= s_i z_i`` with ``z = X b + D a`` (b, a free). Its optimum is positive exactly on
  the separated rows (a sum of certificates is a certificate). Solved by HiGHS
  (:func:`scipy.optimize.linprog`) on sparse dummies when the problem has at most
  ``LP_MAX_NNZ`` non-zeros; larger problems use the regressors alone (fixed effects left to
  the "fe" check) and, above that size too, single-regressor certificates ``z = +-x_j`` (a
  regressor, e.g. a dummy, whose non-zero values all have the sign of s). HiGHS runs under ``time_limit`` seconds: past it the check exits cleanly
  as *undecided* (a :class:`SeparationUndecidedWarning`; nothing is flagged by it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from polecon.models.glm.separation import SeparationUndecidedWarning

METHODS: tuple[str, ...] = ("fe", "simplex")
LP_MAX_NNZ = 250_000
_FLAG_TOL = 1e-7  # t_i above this (on the 0..1 scale) flags row i


@dataclass
class BinarySeparation:
    """``separated`` (n,) bool; ``method`` (n,) object ("fe", "simplex" or ""); ``undecided``
    True when the LP hit its budget; ``diagnostics`` counts per method."""

    separated: np.ndarray
    method: np.ndarray
    undecided: bool = False
    diagnostics: dict[str, object] = field(default_factory=dict)


def fe_check(y: np.ndarray, fe: np.ndarray | None, active: np.ndarray) -> np.ndarray:
    """Rows (among ``active``) in a fixed-effect level whose active outcomes never vary."""
    flag = np.zeros(y.shape[0], dtype=bool)
    if fe is None:
        return flag
    fe = fe.reshape(y.shape[0], -1)
    for q in range(fe.shape[1]):
        codes = fe[:, q]
        g = int(codes.max()) + 1 if codes.size else 0
        n1 = np.bincount(codes[active], weights=y[active], minlength=g)
        nn = np.bincount(codes[active], minlength=g)
        constant = (n1 == 0) | (n1 == nn)
        flag |= active & constant[codes]
    return flag


def lp_check(
    y: np.ndarray,
    X: np.ndarray | None,
    fe: np.ndarray | None,
    active: np.ndarray,
    time_limit: float,
) -> tuple[np.ndarray, bool, str]:
    """The LP of the module docstring on the active rows; returns (flag, decided, scope)."""
    n = y.shape[0]
    flag = np.zeros(n, dtype=bool)
    idx = np.flatnonzero(active)
    m = idx.size
    k = 0 if X is None else X.shape[1]
    if m * (k + 1) > LP_MAX_NNZ:
        return _column_check(y, X, active), True, "single columns"
    blocks = []
    if k:
        xa = X[idx]
        scale = np.abs(xa).max(axis=0)
        xa = xa[:, scale > 0] / scale[scale > 0]
        blocks.append(sparse.csr_matrix(xa))
    scope = "regressors"
    if fe is not None:
        fe2 = fe.reshape(n, -1)[idx]
        nnz_fe = m * fe2.shape[1]
        if m * k + nnz_fe + m <= LP_MAX_NNZ:
            scope = "regressors+fixed effects"
            for q in range(fe2.shape[1]):
                _, codes = np.unique(fe2[:, q], return_inverse=True)
                g = int(codes.max()) + 1
                blocks.append(
                    sparse.csr_matrix((np.ones(m), (np.arange(m), codes.ravel())), shape=(m, g))
                )
    if not blocks:
        return flag, True, "none"
    sgn = np.where(y[idx] > 0, 1.0, -1.0)
    z = sparse.diags(sgn) @ sparse.hstack(blocks, format="csr")
    p = z.shape[1]
    # variables [b (p), t (m)]: minimise -sum t  s.t.  t - s z b <= 0,  0 <= t <= 1
    a_ub = sparse.hstack([-z, sparse.identity(m, format="csr")], format="csr")
    c = np.concatenate([np.zeros(p), -np.ones(m)])
    bounds = [(None, None)] * p + [(0.0, 1.0)] * m
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.zeros(m),
        bounds=bounds,
        method="highs",
        options={"time_limit": float(time_limit), "presolve": True},
    )
    if res.status != 0 or res.x is None:
        return flag, False, scope
    t = res.x[p:]
    flag[idx[t > _FLAG_TOL]] = True
    return flag, True, scope


def _column_check(y: np.ndarray, X: np.ndarray | None, active: np.ndarray) -> np.ndarray:
    """Certificates ``z = +-x_j`` of single regressors: rows where x_j != 0 when x_j has the
    sign of s on every active row where it is non-zero (e.g. a dummy that predicts y).

    Per column, the smallest and largest ``s * x_j`` over the active non-zero rows, gathered
    over fixed row chunks (no (n, k) temporaries, whatever the layout of X)."""
    flag = np.zeros(y.shape[0], dtype=bool)
    if X is None or X.shape[1] == 0:
        return flag
    k = X.shape[1]
    lo, hi = np.full(k, np.inf), np.full(k, -np.inf)
    every = bool(active.all())  # then contiguous slices, not gathered rows
    idx = np.arange(0) if every else np.flatnonzero(active)
    n_act = y.shape[0] if every else idx.size
    step = 1 << 15
    for a in range(0, n_act, step):
        rows = slice(a, a + step) if every else idx[a : a + step]
        xc = X[rows]
        v = xc * np.where(y[rows] > 0, 1.0, -1.0)[:, None]
        nz = xc != 0
        lo = np.minimum(lo, np.where(nz, v, np.inf).min(axis=0))
        hi = np.maximum(hi, np.where(nz, v, -np.inf).max(axis=0))
    seen = np.isfinite(lo)
    certified = np.flatnonzero(seen & ((lo > 0) | (hi < 0)))
    for j in certified:
        flag |= active & (X[:, j] != 0)
    return flag


def detect_binary_separation(
    y: np.ndarray,
    X: np.ndarray | None,
    fe: np.ndarray | None,
    methods: tuple[str, ...] = METHODS,
    time_limit: float = 60.0,
) -> BinarySeparation:
    """Flag rows separated in a binary-outcome model (module docstring). ``y`` (n,) in {0, 1};
    ``X`` (n, k) regressors (an intercept column when there are no fixed effects); ``fe``
    (n, Q) integer codes or None."""
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ValueError(f"binary separation methods {sorted(unknown)} unknown; use {METHODS}")
    n = y.shape[0]
    separated = np.zeros(n, dtype=bool)
    method = np.full(n, "", dtype=object)
    diag: dict[str, object] = {}
    undecided = False
    for name in methods:
        active = ~separated
        if not active.any():
            break
        if name == "fe":
            flag = fe_check(y, fe, active)
        else:
            flag, decided, scope = lp_check(y, X, fe, active, time_limit)
            diag["simplex_scope"] = scope
            if not decided:
                undecided = True
                warnings.warn(
                    f"separation 'simplex': the linear programme on {scope} did not finish "
                    f"within {time_limit:g} s; separation is undecided for the remaining rows "
                    "(nothing flagged by this check). Raise separation_time_limit or drop "
                    "perfectly predicting regressors.",
                    SeparationUndecidedWarning,
                    stacklevel=3,
                )
        flag &= active
        separated |= flag
        method[flag] = name
        diag[f"n_{name}"] = int(flag.sum())
    return BinarySeparation(separated, method, undecided, diag)
