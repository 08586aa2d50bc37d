"""Report writers: deterministic Markdown from result objects; the verdict shown is the computed
one; empty H5 cells print their reason."""

from __future__ import annotations

import pandas as pd

from polecon.hypotheses.claims import CLAIMS, Entry
from polecon.hypotheses.measures import Measure
from polecon.hypotheses.result import DecisionRule, decide, not_testable
from polecon.reports.claims import claims_markdown
from polecon.reports.hypotheses import (
    findings_markdown,
    hypotheses_markdown,
    results_table,
    robustness_markdown,
)


def _results():
    r1 = decide(
        "H1a",
        "overall",
        "d > 0",
        DecisionRule("positive"),
        "spec",
        0.17,
        0.16,
        0.18,
        nobs=33003,
        n_clusters=9054,
        params={"series": "wb", "start": 1946},
    )
    r2 = decide(
        "H3",
        "pta_in_force",
        "not < 0",
        DecisionRule("not_negative"),
        "ppml",
        -0.2,
        -0.3,
        -0.1,
        nobs=100,
        params={"series": "wb"},
    )
    r3 = not_testable(
        "H4",
        "colony: blma - bit",
        "p",
        DecisionRule("positive"),
        "cloglog",
        "no cloglog estimator",
        params={"model": "cloglog"},
    )
    return [r1, r2, r3]


def test_tables_show_computed_verdicts_and_reasons() -> None:
    text = "\n".join(results_table(_results()))
    assert "| `overall` | 0.170 | [0.160, 0.180] | 33,003 | 9,054 | supported |" in text
    assert "| contradicted |" in text
    assert "not testable: no cloglog estimator" in text


def test_markdown_is_deterministic() -> None:
    res = _results()
    h5 = pd.DataFrame(
        [
            {
                "period": "all",
                "provision": "sectors",
                "kind": "blma",
                "n_coded": pd.NA,
                "n_with": pd.NA,
                "share": float("nan"),
                "note": "no sector variable",
                "source": "CW",
            }
        ]
    )
    grids = {"H1a": [[res[0]]], "adoption": [[res[2]]]}
    a = (hypotheses_markdown(res, h5), robustness_markdown(grids), findings_markdown(res, grids))
    b = (hypotheses_markdown(res, h5), robustness_markdown(grids), findings_markdown(res, grids))
    assert a == b
    assert "| all | sectors | blma |  |  |  | no sector variable |" in a[0]
    assert "Verdicts: not testable 1" in a[1]


def test_claims_markdown_row() -> None:
    c = next(c for c in CLAIMS if c.id == "us_gulf_none")
    m = Measure(48.0, "USA 47, SAU 2", "agreements: type == 'blma'", {"USA": 47.0})
    text = claims_markdown([Entry(c, m, "contradicted", "fails: ...")], _results())
    assert "| 1 | The United States and many Gulf states have no BLMAs |" in text
    assert "**contradicted**" in text and "USA 47, SAU 2" in text
    assert "Verdicts: contradicted 1." in text
