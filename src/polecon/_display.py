"""Regression tables from fitted results: the low-layer renderer behind ``polecon.etable``.

This module sits below the models (it imports nothing from polecon) so that results classes can
use it for ``_repr_html_`` and ``__str__`` without importing the report layer. It reads only the
results protocol (``params``, ``bse``, ``pvalues``, ``nobs``, ``depvar``, ``fixef_names``,
``vcov_type``, ``model``, ``pseudo_r2``, ``r2``) by duck typing.

Formatting rules (all outputs): estimates and standard errors in fixed point with ``digits``
decimals (``-0.000`` is written ``0.000``); standard errors in parentheses on the row below
their estimate; stars count the thresholds the p-value is strictly below; N with thousands
separators; R² and pseudo R² with ``digits`` decimals; fixed effects ``Yes``/``No``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_STARS: tuple[float, ...] = (0.10, 0.05, 0.01)
# display names of the results protocol's `model` family labels
_MODEL_LABELS = {
    "ppml": "PPML",
    "poisson": "Poisson",
    "ols": "OLS",
    "lpm": "LPM",
    "logit": "Logit",
    "probit": "Probit",
    "cloglog": "Cloglog",
    "cox": "Cox",
    "clogit": "Cond. logit",
    "firth_logit": "Firth logit",
}


# ---- reading the results protocol --------------------------------------------------------------
def _formula_parts(res: Any) -> tuple[str | None, list[str]]:
    """(depvar, fixed-effect names) parsed from a fixest-style ``formula`` attribute, if any."""
    formula = getattr(res, "formula", None)
    if not isinstance(formula, str) or "~" not in formula:
        return None, []
    lhs, rhs = formula.split("~", 1)
    fes = [f.strip() for f in rhs.split("|", 1)[1].split("+")] if "|" in rhs else []
    return lhs.strip() or None, [f for f in fes if f and f != "0"]


def _depvar(res: Any) -> str | None:
    dv = getattr(res, "depvar", None)
    return str(dv) if dv else _formula_parts(res)[0]


def _fixef_names(res: Any) -> list[str]:
    names = getattr(res, "fixef_names", None)
    if names is None:
        names = _formula_parts(res)[1]
    return [str(n) for n in names]


def _optional_float(res: Any, name: str) -> float | None:
    try:
        value = getattr(res, name, None)
    except (ValueError, TypeError, AttributeError):  # a family without this statistic
        return None
    if value is None:
        return None
    value = float(value)
    return None if not np.isfinite(value) else value


def _series(res: Any, name: str, i: int) -> pd.Series:
    value = getattr(res, name, None)
    if value is None:
        raise TypeError(
            f"model {i + 1} ({type(res).__name__}) has no {name!r}: etable needs the results "
            "protocol (params, bse, pvalues, nobs)"
        )
    return pd.Series(value, dtype=float)


# ---- number formatting --------------------------------------------------------------------------
def fmt_num(x: float | None, digits: int) -> str:
    """Fixed point with ``digits`` decimals; ``-0.000`` becomes ``0.000``; None/NaN -> ``""``."""
    if x is None or not np.isfinite(x):
        return ""
    s = f"{x:.{digits}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]
    return s


def _fmt_threshold(t: float) -> str:
    """0.1 -> "0.10", 0.05 -> "0.05", 0.001 -> "0.001"."""
    return f"{t:.2f}" if round(t, 2) == t else f"{t:g}"


def n_stars(p: float, thresholds: Sequence[float]) -> int:
    """Number of thresholds that ``p`` is strictly below (NaN p -> 0)."""
    if not np.isfinite(p):
        return 0
    return sum(p < t for t in thresholds)


# ---- the table ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One rendered row: ``kind`` is coef, se, fe or stat; ``cells`` one string per model."""

    kind: str
    label: str
    cells: tuple[str, ...]
    stars: tuple[int, ...] = ()


@dataclass
class RegressionTable:
    """Models side by side. Render with :meth:`to_markdown`, :meth:`to_latex`, :meth:`to_html`
    or :meth:`to_frame`; ``str()`` is the Markdown table, Jupyter shows the HTML table."""

    columns: list[str]
    depvars: list[str]
    models: list[str]
    rows: list[Row]
    stars: tuple[float, ...]
    caption: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def note_lines(self) -> list[str]:
        """The stated conventions followed by the user's notes."""
        first = "Standard errors in parentheses."
        if self.stars:
            marks = ", ".join(
                f"{'*' * (k + 1)} p < {_fmt_threshold(t)}"
                for k, t in enumerate(sorted(self.stars, reverse=True))
            )
            first += f" {marks}."
        return [first, *self.notes]

    def _header_rows(self) -> list[tuple[str, list[str]]]:
        out = [("", self.columns)]
        if any(self.depvars):
            out.append(("Dependent variable", self.depvars))
        if any(self.models):
            out.append(("Estimator", self.models))
        return out

    # -- DataFrame --
    def to_frame(self) -> pd.DataFrame:
        """String cells; index (section, row) with sections header, coef, se, fe, stat."""
        index, data = [], []
        for label, cells in self._header_rows()[1:]:
            index.append(("header", label))
            data.append(cells)
        for row in self.rows:
            index.append((row.kind, row.label))
            stars = row.stars or (0,) * len(row.cells)
            data.append([c + "*" * k for c, k in zip(row.cells, stars, strict=True)])
        mi = pd.MultiIndex.from_tuples(index, names=["section", "row"])
        return pd.DataFrame(data, index=mi, columns=self.columns)

    # -- Markdown --
    def to_markdown(self) -> str:
        def esc(s: str) -> str:
            return s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")

        def line(cells: Sequence[str]) -> str:
            return "| " + " | ".join(esc(c) for c in cells) + " |"

        header = self._header_rows()
        out = []
        if self.caption:
            out += [f"**{esc(self.caption)}**", ""]
        out.append(line(["", *header[0][1]]))
        out.append("|" + "---|" + ":---:|" * len(self.columns))
        for label, cells in header[1:]:
            out.append(line([label, *cells]))
        for row in self.rows:
            cells = row.cells
            if row.stars:
                cells = tuple(c + "*" * s for c, s in zip(row.cells, row.stars, strict=True))
            out.append(line([row.label if row.kind != "se" else "", *cells]))
        out.append("")
        out += [esc(n) for n in self.note_lines]
        return "\n".join(out) + "\n"

    def __str__(self) -> str:
        return self.to_markdown()

    # -- LaTeX (booktabs) --
    def to_latex(self, label: str | None = None) -> str:
        """A ``table`` environment with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
        k = len(self.columns)
        out = ["\\begin{table}[htbp]", "\\centering"]
        if self.caption:
            out.append(f"\\caption{{{latex_escape(self.caption)}}}")
        if label:
            out.append(f"\\label{{{label}}}")
        out.append(f"\\begin{{tabular}}{{l{'c' * k}}}")
        out.append("\\toprule")
        header = self._header_rows()
        for lab, cells in header:
            out.append(" & ".join([latex_escape(lab), *map(latex_escape, cells)]) + " \\\\")
        out.append("\\midrule")
        prev = _section(self.rows[0].kind) if self.rows else None
        for row in self.rows:
            if _section(row.kind) != prev:
                out.append("\\midrule")
                prev = _section(row.kind)
            cells = [latex_escape(c) for c in row.cells]
            if row.stars:
                cells = [
                    c + (f"$^{{{'*' * s}}}$" if s else "")
                    for c, s in zip(cells, row.stars, strict=True)
                ]
            lab = latex_escape(row.label) if row.kind != "se" else ""
            out.append(" & ".join([lab, *cells]) + " \\\\")
        out.append("\\bottomrule")
        out.append("\\end{tabular}")
        out.append("\\par\\smallskip")
        out.append(
            "\\parbox{\\linewidth}{\\footnotesize "
            + " ".join(latex_escape(n) for n in self.note_lines)
            + "}"
        )
        out.append("\\end{table}")
        return "\n".join(out) + "\n"

    # -- HTML --
    def to_html(self) -> str:
        """A self-contained ``<table>`` with inline styles (renders the same in Jupyter and files)."""
        e = html.escape
        k = len(self.columns)
        rule = "border-top:1px solid #000;"
        thick = "border-top:2px solid #000;"
        td = "padding:2px 10px;text-align:center;"
        th = "padding:2px 10px;text-align:left;font-weight:normal;"
        out = ['<table class="polecon-etable" style="border-collapse:collapse;">']
        if self.caption:
            out.append(
                f'<caption style="caption-side:top;padding:4px;">{e(self.caption)}</caption>'
            )
        out.append("<thead>")
        for i, (lab, cells) in enumerate(self._header_rows()):
            style = thick if i == 0 else ""
            out.append(
                f'<tr style="{style}"><th style="{th}">{e(lab)}</th>'
                + "".join(f'<th style="{td}font-weight:normal;">{e(c)}</th>' for c in cells)
                + "</tr>"
            )
        out.append("</thead>")
        out.append("<tbody>")
        prev = None
        for row in self.rows:
            style = rule if _section(row.kind) != prev else ""
            prev = _section(row.kind)
            cells = []
            for j, c in enumerate(row.cells):
                s = row.stars[j] if row.stars else 0
                cells.append(e(c) + (f"<sup>{'*' * s}</sup>" if s else ""))
            lab = e(row.label) if row.kind != "se" else ""
            out.append(
                f'<tr style="{style}"><th style="{th}">{lab}</th>'
                + "".join(f'<td style="{td}">{c}</td>' for c in cells)
                + "</tr>"
            )
        out.append("</tbody>")
        notes = "<br>".join(e(n) for n in self.note_lines)
        out.append(
            f'<tfoot><tr style="{thick}"><td colspan="{k + 1}" '
            f'style="padding:4px 10px;text-align:left;font-size:85%;">{notes}</td></tr></tfoot>'
        )
        out.append("</table>")
        return "\n".join(out) + "\n"

    def _repr_html_(self) -> str:
        return self.to_html()


def _section(kind: str) -> str:
    return "coef" if kind in ("coef", "se") else kind


_LATEX_SPECIAL = {
    "\\": "\\textbackslash{}",
    "&": "\\&",
    "%": "\\%",
    "$": "\\$",
    "#": "\\#",
    "_": "\\_",
    "{": "\\{",
    "}": "\\}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    "²": "$^2$",
    "×": "$\\times$",
    "<": "$<$",
    ">": "$>$",
}


def latex_escape(s: str) -> str:
    """Escape LaTeX specials (and ², ×, <, >) in plain text."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in s)


# ---- building a table from results ---------------------------------------------------------------
def _match(patterns: Sequence[str], terms: Sequence[str], what: str) -> list[str]:
    """Terms matched by each pattern (``re.fullmatch``), in pattern order; unmatched -> error."""
    out: list[str] = []
    for pat in patterns:
        hits = [t for t in terms if t == pat or re.fullmatch(pat, t)]
        if not hits:
            raise ValueError(f"{what}={pat!r} matches no coefficient; terms are {list(terms)}")
        out += [t for t in hits if t not in out]
    return out


def _as_models(models: Any, model_names: Sequence[str] | None) -> tuple[list[Any], list[str]]:
    if isinstance(models, Mapping):
        names, fits = [str(k) for k in models], list(models.values())
    else:
        fits = list(models) if isinstance(models, list | tuple) else [models]
        names = [f"({i + 1})" for i in range(len(fits))]
    if model_names is not None:
        if len(model_names) != len(fits):
            raise ValueError(f"{len(model_names)} model_names for {len(fits)} models")
        names = [str(n) for n in model_names]
    if not fits:
        raise ValueError("etable needs at least one fitted model")
    return fits, names


def build_table(
    models: Any,
    *,
    labels: Mapping[str, str] | None = None,
    rename: Mapping[str, str] | None = None,
    keep: Sequence[str] | None = None,
    drop: Sequence[str] | None = None,
    order: Sequence[str] | None = None,
    stars: Sequence[float] | None = DEFAULT_STARS,
    digits: int = 3,
    model_names: Sequence[str] | None = None,
    caption: str | None = None,
    notes: Sequence[str] | str | None = None,
) -> RegressionTable:
    """Align fitted models into a :class:`RegressionTable` (see :func:`polecon.etable`)."""
    fits, columns = _as_models(models, model_names)
    labels, rename = dict(labels or {}), dict(rename or {})
    thresholds = tuple(sorted(stars, reverse=True)) if stars else ()
    if any(not 0 < t < 1 for t in thresholds):
        raise ValueError(f"star thresholds must lie in (0, 1), got {thresholds}")
    est, se, pv = [], [], []
    for i, res in enumerate(fits):
        b, s = _series(res, "params", i), _series(res, "bse", i)
        p = _series(res, "pvalues", i) if thresholds else pd.Series(np.nan, index=b.index)
        new = [rename.get(str(t), str(t)) for t in b.index]
        if len(set(new)) < len(new):
            dup = sorted({t for t in new if new.count(t) > 1})
            raise ValueError(f"rename maps two terms of model {columns[i]} onto {dup}")
        est.append(pd.Series(b.to_numpy(), index=new))
        se.append(pd.Series(s.reindex(b.index).to_numpy(), index=new))
        pv.append(pd.Series(p.reindex(b.index).to_numpy(), index=new))
    terms: list[str] = []
    for b in est:
        terms += [t for t in b.index if t not in terms]
    if keep is not None:
        terms = _match(keep, terms, "keep")
    if drop is not None:
        gone = set(_match(drop, terms, "drop"))
        terms = [t for t in terms if t not in gone]
    if order is not None:
        first = _match(order, terms, "order")
        terms = first + [t for t in terms if t not in first]

    rows: list[Row] = []
    for t in terms:
        b = [fmt_num(m.get(t), digits) for m in est]
        s = [f"({fmt_num(m.get(t), digits)})" if t in m.index else "" for m in se]
        k = [n_stars(float(m.get(t, np.nan)), thresholds) for m in pv] if thresholds else []
        rows.append(Row("coef", labels.get(t, t), tuple(b), tuple(k)))
        rows.append(Row("se", labels.get(t, t), tuple(s)))
    fes = [_fixef_names(res) for res in fits]
    for fe in dict.fromkeys(f for names in fes for f in names):
        lab = labels.get(fe, fe.replace("^", " × "))
        rows.append(Row("fe", f"FE: {lab}", tuple("Yes" if fe in n else "No" for n in fes)))
    stat: list[Row] = []
    vt = [str(getattr(res, "vcov_type", "") or "") for res in fits]
    if any(vt):
        stat.append(Row("stat", "Standard errors", tuple(vt)))
    nobs = [getattr(res, "nobs", None) for res in fits]
    stat.append(
        Row("stat", "Observations", tuple("" if n is None else f"{int(n):,}" for n in nobs))
    )
    for name, lab in (("r2", "R²"), ("pseudo_r2", "Pseudo R²")):
        vals = [_optional_float(res, name) for res in fits]
        if any(v is not None for v in vals):
            stat.append(Row("stat", lab, tuple(fmt_num(v, digits) for v in vals)))
    rows += stat
    depvars = [_depvar(res) or "" for res in fits]
    kinds = [str(getattr(res, "model", "") or "") for res in fits]
    if isinstance(notes, str):
        notes = [notes]
    return RegressionTable(
        columns=columns,
        depvars=[labels.get(d, d) for d in depvars],
        models=[_MODEL_LABELS.get(m.lower(), m) for m in kinds],
        rows=rows,
        stars=thresholds,
        caption=caption,
        notes=list(notes or []),
    )


def results_html(res: Any) -> str:
    """HTML table of one fitted model (for a results class's ``_repr_html_``)."""
    return build_table([res]).to_html()


def results_text(res: Any) -> str:
    """Markdown table of one fitted model (for a results class's ``__str__``)."""
    return build_table([res]).to_markdown()
