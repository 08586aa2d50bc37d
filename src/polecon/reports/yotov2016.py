"""Replication of Yotov, Piermartini, Monteiro & Larch (2016), chapter 1, Tables 1 and 3.

Source: Y. V. Yotov, R. Piermartini, J.-A. Monteiro and M. Larch (2016), *An Advanced Guide to
Trade Policy Analysis: The Structural Gravity Model*, WTO/UNCTAD, chapter 1 (applications
"traditional gravity" and "RTA effects"). Data: ``trade/yotov2016_agtpa_applications.rda``
(R package ``tradepolicy`` 0.7.0; see ``data/trade/PROVENANCE.md`` §2). Published numbers:
``reference/yotov2016_targets.md`` (copied into :data:`TARGETS` below, with the same rounding).

Specification (book, chapter 1; sample years 1986, 1990, ..., 2006; SEs clustered by pair):

- ``Y_it`` (output) and ``E_jt`` (expenditure) are sums of ``trade`` by exporter-year and
  importer-year *including domestic flows*; remoteness ``REM_EXP_it = sum_j dist_ij / (E_jt / E_t)``
  and ``REM_IMP_jt = sum_i dist_ij / (Y_it / Y_t)`` with world totals ``E_t``, ``Y_t``, also over
  all pairs including domestic ones.
- Table 1: (1) OLS of ln trade (trade > 0, international) on ln DIST, CNTG, LANG, CLNY, ln Y, ln E;
  (2) adds ln REM_EXP and ln REM_IMP; (3) OLS with exporter-year and importer-year fixed effects;
  (4) PPML with the same fixed effects on all international flows (zeros kept).
- Table 3: (1) OLS as Table 1 (3) plus RTA; (2) PPML as Table 1 (4) plus RTA; (3) PPML on all
  flows including domestic ones, with one fixed effect per domestic pair (international flows share
  one level: the international-border dummy); (4) PPML with exporter-year, importer-year and pair
  fixed effects, domestic pairs pooled into one pair level, after dropping pairs whose trade sums to
  zero over the sample years (N = 28,482).

Estimation uses :func:`polecon.models.gravity.ppml` / ``ols`` with ``vcov={"CRV1": "pair_id"}``.
This is a report writer (the ``gravity`` stage of ``polecon replicate``); the estimators live in
:mod:`polecon.models`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from polecon._io import atomic_write_text

__all__ = [
    "COEF_TOL",
    "DATA_KEY",
    "SE_TOL",
    "SPECS",
    "TARGETS",
    "Spec",
    "build_samples",
    "load_yotov",
    "replicate_stage",
    "run_table",
    "table1",
    "table3",
]

DATA_KEY = "trade/yotov2016_agtpa_applications.rda"
YEARS = (1986, 1990, 1994, 1998, 2002, 2006)
# The book prints three decimals: a correct replication is within half a printed unit of every
# coefficient and SE (reference/yotov2016_targets.md); a looser tolerance cannot tell Stata's
# clustered-SE convention (G/(G-1) only) from fixest's, which differs in the third decimal.
COEF_TOL = 0.0005
SE_TOL = 0.0005
CLUSTER = {"CRV1": "pair_id"}
_REQUIRED = (
    "exporter",
    "importer",
    "pair_id",
    "year",
    "trade",
    "dist",
    "cntg",
    "lang",
    "clny",
    "rta",
)

# Published (estimate, pair-clustered SE) and N; reference/yotov2016_targets.md.
TARGETS: dict[tuple[str, str], dict[str, tuple[float, float] | int]] = {
    ("1", "1"): {
        "log_dist": (-1.002, 0.027),
        "cntg": (0.574, 0.185),
        "lang": (0.802, 0.082),
        "clny": (0.735, 0.144),
        "log_y": (1.190, 0.009),
        "log_e": (0.908, 0.010),
        "N": 25689,
    },
    ("1", "2"): {
        "log_dist": (-1.185, 0.031),
        "cntg": (0.247, 0.177),
        "lang": (0.739, 0.078),
        "clny": (0.842, 0.150),
        "log_rem_exp": (0.972, 0.068),
        "log_rem_imp": (0.274, 0.060),
        "N": 25689,
    },
    ("1", "3"): {
        "log_dist": (-1.216, 0.038),
        "cntg": (0.223, 0.199),
        "lang": (0.661, 0.081),
        "clny": (0.670, 0.147),
        "N": 25689,
    },
    ("1", "4"): {
        "log_dist": (-0.841, 0.032),
        "cntg": (0.437, 0.083),
        "lang": (0.247, 0.077),
        "clny": (-0.222, 0.116),
        "N": 28152,
    },
    ("3", "1"): {"rta": (-0.004, 0.053)},
    ("3", "2"): {"rta": (0.191, 0.066)},
    ("3", "3"): {"rta": (0.409, 0.069)},
    ("3", "4"): {"rta": (0.557, 0.102), "N": 28482},
}

_GRAVITY = "log_dist + cntg + lang + clny"


@dataclass(frozen=True)
class Spec:
    """One column of a published table."""

    table: str
    column: str
    label: str
    estimator: str  # "ols" | "ppml"
    formula: str
    sample: str  # key of build_samples()


SPECS: tuple[Spec, ...] = (
    Spec("1", "1", "OLS", "ols", f"log_trade ~ {_GRAVITY} + log_y + log_e", "intl_pos"),
    Spec(
        "1",
        "2",
        "OLS, remoteness",
        "ols",
        f"log_trade ~ {_GRAVITY} + log_y + log_e + log_rem_exp + log_rem_imp",
        "intl_pos",
    ),
    Spec("1", "3", "OLS, FE", "ols", f"log_trade ~ {_GRAVITY} | exp_year + imp_year", "intl_pos"),
    Spec("1", "4", "PPML, FE", "ppml", f"trade ~ {_GRAVITY} | exp_year + imp_year", "intl"),
    Spec(
        "3",
        "1",
        "OLS, FE",
        "ols",
        f"log_trade ~ {_GRAVITY} + rta | exp_year + imp_year",
        "intl_pos",
    ),
    Spec("3", "2", "PPML, FE", "ppml", f"trade ~ {_GRAVITY} + rta | exp_year + imp_year", "intl"),
    Spec(
        "3",
        "3",
        "PPML, domestic flows, intl-border FE",
        "ppml",
        f"trade ~ {_GRAVITY} + rta | exp_year + imp_year + intl_brdr",
        "all",
    ),
    Spec(
        "3",
        "4",
        "PPML, pair FE",
        "ppml",
        "trade ~ rta | exp_year + imp_year + pair_fe",
        "all_pos_pairs",
    ),
)


def load_yotov(path: str | Path | None = None) -> pd.DataFrame:
    """Read the ``agtpa_applications`` panel (99,981 rows; trade in millions of current USD).

    ``path`` None (default) reads the canonical source table ``polecon.load("yotov2016")``
    (parsed and schema-checked by :mod:`polecon.sources.yotov2016`); a path reads that .rda.
    """
    import pyreadr

    if path is None:
        from polecon.sources import load

        df = load("yotov2016").loc[:, list(_REQUIRED)].copy()
        df["exporter"] = df["exporter"].astype(object)
        df["importer"] = df["importer"].astype(object)
        df["year"] = df["year"].astype(int)
        df["pair_id"] = df["pair_id"].astype(int)
        return df
    path = Path(path)
    objects = pyreadr.read_r(str(path))
    if "agtpa_applications" not in objects:
        raise ValueError(f"{path}: no R object 'agtpa_applications' (found {list(objects)})")
    df = objects["agtpa_applications"]
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    df = df.loc[:, list(_REQUIRED)].copy()
    for col in ("trade", "dist"):
        bad = np.flatnonzero(~np.isfinite(df[col].to_numpy(float)))
        if bad.size:
            raise ValueError(f"{path}: non-finite '{col}' in rows {bad[:10].tolist()}")
    bad = np.flatnonzero(df["trade"].to_numpy(float) < 0)
    if bad.size:
        raise ValueError(f"{path}: negative 'trade' in rows {bad[:10].tolist()}")
    bad = np.flatnonzero(df["dist"].to_numpy(float) <= 0)
    if bad.size:
        raise ValueError(f"{path}: non-positive 'dist' in rows {bad[:10].tolist()}")
    df["year"] = df["year"].astype(int)
    df["pair_id"] = df["pair_id"].astype(int)
    return df


def build_samples(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Derived variables and the four estimation samples of the chapter.

    Returns samples ``all`` (all pairs incl. domestic, sample years), ``intl`` (exporter !=
    importer), ``intl_pos`` (international with trade > 0, with ``log_trade``) and
    ``all_pos_pairs`` (``all`` without pairs whose trade sums to zero over the sample years).
    """
    d = df[df["year"].isin(YEARS)].copy()
    d = d.sort_values(["year", "exporter", "importer"], kind="stable").reset_index(drop=True)
    d["log_dist"] = np.log(d["dist"])
    d["Y"] = d.groupby(["exporter", "year"])["trade"].transform("sum")
    d["E"] = d.groupby(["importer", "year"])["trade"].transform("sum")
    d["log_y"] = np.log(d["Y"])
    d["log_e"] = np.log(d["E"])
    world_e = d.drop_duplicates(["importer", "year"]).groupby("year")["E"].sum()
    world_y = d.drop_duplicates(["exporter", "year"]).groupby("year")["Y"].sum()
    share_e = d["E"] / d["year"].map(world_e)
    share_y = d["Y"] / d["year"].map(world_y)
    d["log_rem_exp"] = np.log(
        (d["dist"] / share_e).groupby([d["exporter"], d["year"]]).transform("sum")
    )
    d["log_rem_imp"] = np.log(
        (d["dist"] / share_y).groupby([d["importer"], d["year"]]).transform("sum")
    )
    year = d["year"].astype(str)
    d["exp_year"] = d["exporter"] + "_" + year
    d["imp_year"] = d["importer"] + "_" + year
    domestic = d["exporter"] == d["importer"]
    pair = d["pair_id"].astype(str)
    d["intl_brdr"] = np.where(domestic, "dom_" + pair, "intl")
    d["pair_fe"] = np.where(domestic, "domestic", pair)
    intl = d[~domestic].copy()
    intl_pos = intl[intl["trade"] > 0].copy()
    intl_pos["log_trade"] = np.log(intl_pos["trade"])
    pair_sum = d.groupby("pair_id")["trade"].transform("sum")
    return {"all": d, "intl": intl, "intl_pos": intl_pos, "all_pos_pairs": d[pair_sum > 0].copy()}


def _fit(spec: Spec, data: pd.DataFrame, ssc: str) -> Any:
    from polecon.models.gravity import ols, ppml

    estimator: Callable[..., Any] = ppml if spec.estimator == "ppml" else ols
    return estimator(spec.formula, data, vcov=CLUSTER, ssc=ssc)


def run_table(
    table: str,
    ssc: str = "stata",
    samples: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Estimate every column of ``table`` ("1" or "3") and compare with :data:`TARGETS`.

    Returns one row per (column, term) with ``estimate``, ``se``, ``target``, ``target_se``,
    ``diff`` (estimate - target), ``diff_se`` and ``ok`` (within :data:`COEF_TOL` /
    :data:`SE_TOL`; N must match exactly). The row with ``term == "N"`` holds the observation count.
    """
    if samples is None:
        samples = build_samples(load_yotov())
    rows: list[dict[str, Any]] = []
    for spec in SPECS:
        if spec.table != table:
            continue
        fit = _fit(spec, samples[spec.sample], ssc)
        params, bse = fit.params, fit.bse
        targets = TARGETS[(spec.table, spec.column)]
        for term, target in targets.items():
            if isinstance(target, int):  # the observation count
                nobs = int(fit.nobs)
                ok_n = nobs == target
                rows.append(_row(spec, ssc, term, nobs, math.nan, target, math.nan, ok_n))
                continue
            est, se = float(params[term]), float(bse[term])
            t_est, t_se = target
            ok = abs(est - t_est) <= COEF_TOL and abs(se - t_se) <= SE_TOL
            rows.append(_row(spec, ssc, term, est, se, t_est, t_se, ok))
    return pd.DataFrame(rows)


def _row(
    spec: Spec, ssc: str, term: str, est: float, se: float, t_est: float, t_se: float, ok: bool
) -> dict[str, Any]:
    return {
        "table": spec.table,
        "column": spec.column,
        "model": spec.label,
        "ssc": ssc,
        "term": term,
        "estimate": est,
        "se": se,
        "target": t_est,
        "target_se": t_se,
        "diff": est - t_est,
        "diff_se": se - t_se,
        "ok": bool(ok),
    }


def table1(ssc: str = "stata", samples: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Table 1 (traditional gravity), ours vs published; see :func:`run_table`."""
    return run_table("1", ssc=ssc, samples=samples)


def table3(ssc: str = "stata", samples: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Table 3 columns 1-4 (RTA effects), ours vs published; see :func:`run_table`."""
    return run_table("3", ssc=ssc, samples=samples)


def _fmt(x: float, digits: int) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = f"{x:,.0f}" if digits == 0 else f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text


def render_report(results: pd.DataFrame) -> str:
    """Markdown report of a :func:`run_table` result (deterministic)."""
    lines = [
        "# Replication: Yotov, Piermartini, Monteiro & Larch (2016), chapter 1",
        "",
        "Data: `trade/yotov2016_agtpa_applications.rda` (tradepolicy 0.7.0). Targets: the book, as",
        "listed in `reference/yotov2016_targets.md`. Standard errors clustered by pair,",
        f'small-sample convention `ssc="stata"`. Pass: |coef diff| <= {COEF_TOL}, '
        f"|SE diff| <= {SE_TOL}, N exact.",
        "",
        "| table | column | model | term | estimate | SE | target | target SE | diff | diff SE | pass |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results.itertuples(index=False):
        digits = 0 if r.term == "N" else 4
        tdigits = 0 if r.term == "N" else 3
        lines.append(
            f"| {r.table} | {r.column} | {r.model} | {r.term} | {_fmt(r.estimate, digits)} | "
            f"{_fmt(r.se, 4)} | {_fmt(r.target, tdigits)} | {_fmt(r.target_se, 3)} | "
            f"{_fmt(r.diff, digits)} | {_fmt(r.diff_se, 4)} | {'pass' if r.ok else 'FAIL'} |"
        )
    n_ok = int(results["ok"].sum())
    lines += ["", f"{n_ok}/{len(results)} checks pass.", ""]
    return "\n".join(lines)


def replicate_stage(reports_dir: Path, *, results: pd.DataFrame | None = None) -> str:
    """Run Tables 1 and 3 with ``ssc="stata"``, write ``yotov2016_replication.md`` atomically.

    ``results`` (the concatenated :func:`table1` and :func:`table3` output) may be passed to
    skip re-estimation. Returns a one-line summary.
    """
    if results is None:
        samples = build_samples(load_yotov())
        results = pd.concat([table1(samples=samples), table3(samples=samples)], ignore_index=True)
    target = Path(reports_dir) / "yotov2016_replication.md"
    atomic_write_text(target, render_report(results))
    n_ok = int(results["ok"].sum())
    failed = results.loc[~results["ok"], ["table", "column", "term"]]
    detail = (
        ""
        if failed.empty
        else "; failing: "
        + ", ".join(f"T{t}c{c} {term}" for t, c, term in failed.itertuples(index=False))
    )
    return f"Yotov et al. (2016) ch.1 Tables 1 and 3: {n_ok}/{len(results)} checks pass{detail} -> {target}"
