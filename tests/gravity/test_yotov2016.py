"""Replication of Yotov et al. (2016), chapter 1, Tables 1 and 3 (see replication.py)."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from polecon.reports import yotov2016 as rep

pytestmark = pytest.mark.realdata

REFERENCE = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "yotov2016_targets.md"
)
_TERMS = {"ln DIST": "log_dist", "CNTG": "cntg", "LANG": "lang", "CLNY": "clny"}
_OTHER = {"ln Y": "log_y", "ln E": "log_e", "REM_EXP": "log_rem_exp", "REM_IMP": "log_rem_imp"}
_CELL = re.compile(r"(−|-)?(\d+\.\d+) \((\d+\.\d+)\)")


def _num(sign: str | None, digits: str) -> float:
    return -float(digits) if sign else float(digits)


def parse_targets(text: str) -> dict[tuple[str, str], dict[str, tuple[float, float] | int]]:
    """Published (coefficient, SE) and N per (table, column) from the reference file."""
    out: dict[tuple[str, str], dict[str, tuple[float, float] | int]] = {}
    section = ""
    t1_rows = 0
    for line in text.splitlines():
        if line.startswith("## Table 1"):
            section = "1"
        elif line.startswith("## Table 3"):
            section = "3"
        if not line.startswith("| ") or line.startswith("| column") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if section == "1":
            t1_rows += 1
            col: dict[str, tuple[float, float] | int] = {}
            for term, cell in zip(_TERMS.values(), cells[1:5], strict=True):
                m = _CELL.fullmatch(cell)
                assert m, cell
                col[term] = (_num(m.group(1), m.group(2)), float(m.group(3)))
            for label, term in _OTHER.items():
                m = re.search(re.escape(label) + r" " + _CELL.pattern, cells[5])
                if m:
                    col[term] = (_num(m.group(1), m.group(2)), float(m.group(3)))
            col["N"] = int(cells[6].replace(",", ""))
            out[("1", str(t1_rows))] = col
        elif section == "3":
            m = _CELL.fullmatch(cells[2])
            assert m, cells[2]
            out[("3", cells[0].strip("()"))] = {
                "rta": (_num(m.group(1), m.group(2)), float(m.group(3)))
            }
    n4 = re.search(r"N for the pair-FE column is ([\d,]+)", text)
    assert n4
    out[("3", "4")]["N"] = int(n4.group(1).replace(",", ""))
    return out


@pytest.fixture(scope="module")
def published() -> dict[tuple[str, str], dict[str, tuple[float, float] | int]]:
    if not REFERENCE.exists():
        pytest.skip(f"reference file {REFERENCE} not available")
    return parse_targets(REFERENCE.read_text(encoding="utf-8"))


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


def test_module_targets_equal_the_reference(published: dict) -> None:
    """The report's copy of the published numbers is the reference file, cell by cell."""
    assert published == rep.TARGETS


def test_every_target_is_checked(stata_results: pd.DataFrame) -> None:
    expected = {(t, c, term) for (t, c), terms in rep.TARGETS.items() for term in terms}
    got = set(stata_results[["table", "column", "term"]].itertuples(index=False, name=None))
    assert got == expected


@pytest.mark.parametrize("key", sorted(rep.TARGETS))
def test_stata_matches_published(
    stata_results: pd.DataFrame, published: dict, key: tuple[str, str]
) -> None:
    """ssc="stata" (the book's convention) is within half a printed unit (0.0005) of every
    coefficient and SE parsed from the reference file; N exact."""
    table, column = key
    res = stata_results[(stata_results["table"] == table) & (stata_results["column"] == column)]
    assert set(res["term"]) == set(published[key])
    for r in res.itertuples(index=False):
        target = published[key][r.term]
        if r.term == "N":
            assert r.estimate == target, f"T{table}c{column}: N {r.estimate} != {target}"
            continue
        coef, se = target
        assert abs(r.estimate - coef) <= 0.0005, (
            f"T{table}c{column} {r.term}: {r.estimate} vs {coef}"
        )
        assert abs(r.se - se) <= 0.0005, f"T{table}c{column} {r.term}: SE {r.se} vs {se}"
        assert r.ok


@pytest.mark.parametrize("key", sorted(rep.TARGETS))
def test_fixest_ssc_matches_pyfixest(
    samples: dict[str, pd.DataFrame], key: tuple[str, str]
) -> None:
    """ssc="fixest" equals pyfixest (feols / fepois, default ssc, called live) on the same sample:
    N exactly, coefficients to 1e-6, SEs to 1e-5 relative (both projections at 1e-10)."""
    pf = pytest.importorskip("pyfixest")
    spec = next(s for s in rep.SPECS if (s.table, s.column) == key)
    data = samples[spec.sample]
    fit = rep._fit(spec, data, "fixest")
    est = pf.fepois if spec.estimator == "ppml" else pf.feols
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = est(spec.formula, data, vcov=rep.CLUSTER, fixef_tol=1e-10)
    assert int(fit.nobs) == int(ref._N)
    coef, se = ref.coef(), ref.se()
    for term in fit.params.index:
        assert abs(float(fit.params[term]) - float(coef[term])) <= 1e-6, (key, term)
        assert math.isclose(float(fit.bse[term]), float(se[term]), rel_tol=1e-5), (key, term)


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
