"""etable: exact rendered numbers (against the results' own params/bse/pvalues), layout rules,
LaTeX that compiles, well-formed HTML, determinism."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import polecon
from polecon.reports.etable import etable


@dataclass
class FakeResults:
    """The results protocol, nothing more (a logit-like fit)."""

    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    nobs: int = 12345
    depvar: str = "bit_signed"
    fixef_names: list[str] = field(default_factory=lambda: ["pair", "year"])
    vcov_type: str = "CRV1 clustered by pair"
    model: str = "logit"
    pseudo_r2: float | None = 0.12345
    r2: float | None = None


def fake(**kw) -> FakeResults:
    idx = ["gdp", "dist", "colony"]
    base = dict(
        params=pd.Series([0.12345, -0.0004, 2.5], index=idx),
        bse=pd.Series([0.0412, 0.00021, 1.96], index=idx),
        pvalues=pd.Series([0.004, 0.05, 0.5], index=idx),
    )
    base.update(kw)
    return FakeResults(**base)


def synthetic(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "f1": rng.integers(0, 30, n),
            "f2": rng.integers(0, 20, n),
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "cl": rng.integers(0, 60, n),
        }
    )
    eta = 0.4 * d.x1 - 0.03 * d.x2 + rng.normal(0, 0.5, 30)[d.f1] - 0.2
    d["y"] = rng.poisson(np.exp(eta)).astype(float)
    d["yl"] = eta + rng.normal(size=n)
    return d


@pytest.fixture(scope="module")
def gravity_fits():
    d = synthetic()
    m1 = polecon.ppml("y ~ x1 + x2 | f1 + f2", d, vcov={"CRV1": "cl"})
    m2 = polecon.ols("yl ~ x1 | f1", d, vcov={"CRV1": "cl"})
    return m1, m2


EXPECTED_MD = """\
|  | (1) |
|---|:---:|
| Dependent variable | bit_signed |
| Estimator | Logit |
| gdp | 0.123\\*\\*\\* |
|  | (0.041) |
| dist | 0.000\\* |
|  | (0.000) |
| colony | 2.500 |
|  | (1.960) |
| FE: pair | Yes |
| FE: year | Yes |
| Standard errors | CRV1 clustered by pair |
| Observations | 12,345 |
| Pseudo R² | 0.123 |

Standard errors in parentheses. \\* p < 0.10, \\*\\* p < 0.05, \\*\\*\\* p < 0.01.
"""


def test_markdown_exact_for_the_protocol_alone():
    # -0.0004 -> "0.000" (no negative zero); p = 0.05 is not below 0.05 -> one star only
    assert etable(fake(), "md") == EXPECTED_MD


def stars_of(p: float, thresholds=(0.10, 0.05, 0.01)) -> str:
    return "*" * sum(p < t for t in thresholds)


def test_gravity_numbers_are_the_results_own(gravity_fits):
    m1, m2 = gravity_fits
    df = etable([m1, m2], "df")
    for col, m in zip(["(1)", "(2)"], [m1, m2], strict=True):
        for term in m.params.index:
            est = df.loc[("coef", term), col]
            assert est == f"{m.params[term]:.3f}" + stars_of(m.pvalues[term])
            assert df.loc[("se", term), col] == f"({m.bse[term]:.3f})"
        assert df.loc[("stat", "Observations"), col] == f"{m.nobs:,}"
    assert df.loc[("coef", "x2"), "(2)"] == ""  # not in model 2
    assert df.loc[("stat", "Pseudo R²"), "(1)"] == f"{m1.pseudo_r2:.3f}"
    assert df.loc[("stat", "Pseudo R²"), "(2)"] == ""
    assert df.loc[("stat", "R²"), "(2)"] == f"{m2.r2:.3f}"
    assert list(df.loc["fe"].index) == ["FE: f1", "FE: f2"]
    assert df.loc[("fe", "FE: f2")].tolist() == ["Yes", "No"]
    assert df.loc[("header", "Estimator")].tolist() == ["PPML", "OLS"]
    assert df.loc[("header", "Dependent variable")].tolist() == ["y", "yl"]
    assert df.loc[("stat", "Standard errors")].tolist() == [m1.vcov_type, m2.vcov_type]


def test_digits_and_custom_stars(gravity_fits):
    m1, _ = gravity_fits
    df = etable(m1, "df", digits=5, stars=(0.001,))
    p = m1.pvalues["x2"]
    assert df.loc[("coef", "x2"), "(1)"] == f"{m1.params['x2']:.5f}" + ("*" if p < 0.001 else "")
    md = etable(m1, "md", stars=(0.001,))
    assert md.rstrip().endswith("\\* p < 0.001.")
    none = etable(m1, "md", stars=None)
    assert "\\*" not in none and "p <" not in none


def test_keep_drop_order_rename_labels():
    a = fake()
    b = fake(
        params=pd.Series([1.0, 2.0], index=["gdp_lag", "dist"]),
        bse=pd.Series([0.5, 0.5], index=["gdp_lag", "dist"]),
        pvalues=pd.Series([0.2, 0.2], index=["gdp_lag", "dist"]),
        fixef_names=["year"],
        model="ppml",
    )
    df = etable([a, b], "df", rename={"gdp_lag": "gdp"}, labels={"gdp": "GDP (log)"})
    assert df.loc[("coef", "GDP (log)")].tolist() == ["0.123***", "1.000"]
    assert df.loc["coef"].index.tolist() == ["GDP (log)", "dist", "colony"]
    df = etable([a, b], "df", keep=["colony", "g.*"], rename={"gdp_lag": "gdp"})
    assert df.loc["coef"].index.tolist() == ["colony", "gdp"]
    df = etable([a, b], "df", drop=["dist"], order=["colony"])
    assert df.loc["coef"].index.tolist() == ["colony", "gdp", "gdp_lag"]
    assert df.loc[("fe", "FE: pair")].tolist() == ["Yes", "No"]
    with pytest.raises(ValueError, match="keep='gpd' matches no coefficient"):
        etable([a, b], keep=["gpd"])
    with pytest.raises(ValueError, match="rename maps two terms"):
        etable(a, rename={"gdp": "x", "dist": "x"})


def test_named_models_caption_notes_and_bad_input():
    md = etable({"BIT": fake(), "FTA": fake()}, "md", caption="Adoption", notes="Logit models.")
    assert md.startswith("**Adoption**\n\n|  | BIT | FTA |")
    assert md.rstrip().endswith("Logit models.")
    with pytest.raises(TypeError, match="has no 'params'"):
        etable([object()])
    with pytest.raises(ValueError, match="type='pdf'"):
        etable(fake(), "pdf")


def test_deterministic_and_written_atomically(tmp_path, gravity_fits):
    out = tmp_path / "t.tex"
    etable(list(gravity_fits), path=out)
    first = out.read_bytes()
    etable(list(gravity_fits), path=out)
    assert out.read_bytes() == first
    assert first.decode() == etable(list(gravity_fits), "tex")
    assert not re.search(r"20\d\d-\d\d-\d\d", first.decode())


def test_latex_booktabs_structure_and_compiles(tmp_path, gravity_fits):
    tex = etable(
        [*gravity_fits, fake()], "tex", caption="Gravity & adoption", labels={"x1": "log_x"}
    )
    body = tex.split("\\begin{tabular}{lccc}\n", 1)[1].split("\\end{tabular}", 1)[0]
    lines = [ln for ln in body.splitlines() if ln.endswith("\\\\")]
    assert all(ln.count(" & ") == 3 for ln in lines)  # label + 3 models on every row
    assert body.startswith("\\toprule") and body.rstrip().endswith("\\bottomrule")
    assert "\\caption{Gravity \\& adoption}" in tex and "log\\_x" in tex
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed: structure validated only")
    doc = tmp_path / "t.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
        + tex
        + "\\end{document}\n"
    )
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 0


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.stack: list[str] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag, f"mis-nested </{tag}>"
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_html_well_formed_with_the_same_cells(gravity_fits):
    m1, m2 = gravity_fits
    html = etable([m1, m2], "html", caption="<Gravity>")
    parser = _Cells()
    parser.feed(html)
    assert parser.stack == []
    assert "&lt;Gravity&gt;" in html
    body = [r for r in parser.rows if len(r) == 3]
    row = next(r for r in body if r[0] == "x1")
    assert row[1] == f"{m1.params['x1']:.3f}" + stars_of(m1.pvalues["x1"])
    assert row[2] == f"{m2.params['x1']:.3f}" + stars_of(m2.pvalues["x1"])
    assert etable([m1, m2])._repr_html_() == etable([m1, m2], "html")


def test_gravity_results_protocol_fallbacks(gravity_fits):
    """depvar and fixef_names come from the protocol, else from the fixest formula."""
    m1, _ = gravity_fits
    md = str(etable(m1))
    assert "| FE: f1 | Yes |" in md and "| Dependent variable | y |" in md
