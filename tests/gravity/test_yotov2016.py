"""Replication of Yotov et al. (2016), chapter 1, Tables 1 and 3 (see replication.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from polecon.models.gravity import replication as rep

pytestmark = pytest.mark.realdata

# Reference values computed with pyfixest 0.60 (feols/fepois, vcov={"CRV1": "pair_id"}, default
# ssc = fixest's: adj=True with K counting non-nested FE levels, cluster_adj=True) on the samples
# built by replication.build_samples(); rounded to 6 decimals. {column: ({term: (coef, se)}, N)}.
PYFIXEST_060: dict[tuple[str, str], tuple[dict[str, tuple[float, float]], int]] = {
    ("1", "1"): (
        {
            "log_dist": (-1.001607, 0.02734),
            "cntg": (0.573805, 0.18471),
            "lang": (0.801548, 0.082102),
            "clny": (0.734853, 0.144193),
            "log_y": (1.190236, 0.009456),
            "log_e": (0.907588, 0.00991),
        },
        25689,
    ),
    ("1", "2"): (
        {
            "log_dist": (-1.184812, 0.031268),
            "cntg": (0.246585, 0.176925),
            "lang": (0.739364, 0.078415),
            "clny": (0.842497, 0.150251),
            "log_y": (1.164259, 0.009479),
            "log_e": (0.902638, 0.009908),
            "log_rem_exp": (0.971772, 0.068192),
            "log_rem_imp": (0.273693, 0.059782),
        },
        25689,
    ),
    ("1", "3"): (
        {
            "log_dist": (-1.215573, 0.038176),
            "cntg": (0.223159, 0.202789),
            "lang": (0.660912, 0.082074),
            "clny": (0.670451, 0.149418),
        },
        25689,
    ),
    ("1", "4"): (
        {
            "log_dist": (-0.840927, 0.032135),
            "cntg": (0.437443, 0.084414),
            "lang": (0.247477, 0.077693),
            "clny": (-0.22249, 0.117997),
        },
        28152,
    ),
    ("3", "1"): (
        {
            "log_dist": (-1.215906, 0.038996),
            "cntg": (0.223002, 0.20289),
            "lang": (0.660715, 0.082126),
            "clny": (0.670464, 0.149423),
            "rta": (-0.00439, 0.05399),
        },
        25689,
    ),
    ("3", "2"): (
        {
            "log_dist": (-0.82157, 0.031448),
            "cntg": (0.415528, 0.084043),
            "lang": (0.249867, 0.077824),
            "clny": (-0.205438, 0.116038),
            "rta": (0.190718, 0.06679),
        },
        28152,
    ),
    ("3", "3"): (
        {
            "log_dist": (-0.800304, 0.030752),
            "cntg": (0.39316, 0.080137),
            "lang": (0.243694, 0.078325),
            "clny": (-0.182158, 0.115249),
            "rta": (0.408522, 0.069937),
        },
        28566,
    ),
    ("3", "4"): ({"rta": (0.557185, 0.10844)}, 28482),
}


@pytest.fixture(scope="module")
def samples() -> dict[str, pd.DataFrame]:
    return rep.build_samples(rep.load_yotov())


@pytest.fixture(scope="module")
def stata_results(samples: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([rep.table1(samples=samples), rep.table3(samples=samples)], ignore_index=True)


def test_sample_sizes(samples: dict[str, pd.DataFrame]) -> None:
    assert len(samples["all"]) == 69 * 69 * 6
    assert len(samples["intl"]) == 28152
    assert len(samples["intl_pos"]) == 25689
    assert len(samples["all_pos_pairs"]) == 28482
    # world expenditure equals world output in every year (both sum all flows)
    d = samples["all"]
    e = d.drop_duplicates(["importer", "year"]).groupby("year")["E"].sum()
    y = d.drop_duplicates(["exporter", "year"]).groupby("year")["Y"].sum()
    pd.testing.assert_series_equal(e, y, check_names=False)


def test_every_target_is_checked(stata_results: pd.DataFrame) -> None:
    expected = {(t, c, term) for (t, c), terms in rep.TARGETS.items() for term in terms}
    got = set(stata_results[["table", "column", "term"]].itertuples(index=False, name=None))
    assert got == expected


@pytest.mark.parametrize("key", sorted(rep.TARGETS))
def test_stata_matches_published(stata_results: pd.DataFrame, key: tuple[str, str]) -> None:
    table, column = key
    res = stata_results[(stata_results["table"] == table) & (stata_results["column"] == column)]
    for r in res.itertuples(index=False):
        if r.term == "N":
            assert r.estimate == r.target, f"T{table}c{column}: N {r.estimate} != {r.target}"
            continue
        assert abs(r.diff) <= rep.COEF_TOL, (
            f"T{table}c{column} {r.term}: coef {r.estimate} vs {r.target}"
        )
        assert abs(r.diff_se) <= rep.SE_TOL, (
            f"T{table}c{column} {r.term}: SE {r.se} vs {r.target_se}"
        )
        assert r.ok


@pytest.mark.parametrize("key", sorted(PYFIXEST_060))
def test_fixest_ssc_matches_pyfixest(
    samples: dict[str, pd.DataFrame], key: tuple[str, str]
) -> None:
    spec = next(s for s in rep.SPECS if (s.table, s.column) == key)
    fit = rep._fit(spec, samples[spec.sample], "fixest")
    terms, nobs = PYFIXEST_060[key]
    assert int(fit.nobs) == nobs
    for term, (coef, se) in terms.items():
        assert abs(float(fit.params[term]) - coef) <= 1e-5, (
            key,
            term,
            float(fit.params[term]),
            coef,
        )
        assert math.isclose(float(fit.bse[term]), se, rel_tol=1e-4, abs_tol=1e-6), (
            key,
            term,
            float(fit.bse[term]),
            se,
        )


def test_table3_col4_fixest_vs_stata(
    samples: dict[str, pd.DataFrame], stata_results: pd.DataFrame
) -> None:
    """The issue's example: the book prints 0.102, fixest/pyfixest give 0.108."""
    spec = next(s for s in rep.SPECS if (s.table, s.column) == ("3", "4"))
    fixest_se = float(rep._fit(spec, samples[spec.sample], "fixest").bse["rta"])
    row = stata_results[(stata_results["table"] == "3") & (stata_results["column"] == "4")]
    stata_se = float(row.loc[row["term"] == "rta", "se"].iloc[0])
    assert round(fixest_se, 3) == 0.108
    assert round(stata_se, 3) == 0.102


def test_report_is_deterministic(tmp_path: Path, stata_results: pd.DataFrame) -> None:
    summary = rep.replicate_stage(tmp_path, results=stata_results)
    text = (tmp_path / "yotov2016_replication.md").read_text()
    assert text == rep.render_report(stata_results)
    assert "FAIL" not in text
    n = len(stata_results)
    assert f"{n}/{n} checks pass" in summary
    # a wrong number must show up as a failure
    broken = stata_results.copy()
    broken.loc[0, ["estimate", "diff", "ok"]] = [broken.loc[0, "estimate"] + 0.01, 0.01, False]
    assert "FAIL" in rep.render_report(broken)
