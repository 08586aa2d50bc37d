"""``polecon.etable``: fitted models side by side as Markdown, LaTeX, HTML or a DataFrame.

The name and the arguments follow pyfixest's and fixest's ``etable``. The work is done by
:mod:`polecon._display` (a low layer that results classes use for their own display).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from polecon._display import DEFAULT_STARS, RegressionTable, build_table
from polecon._io import atomic_write_text

Format = Literal["table", "md", "tex", "html", "df"]
_SUFFIX = {".md": "md", ".tex": "tex", ".html": "html", ".htm": "html"}


def etable(
    models: Any,
    type: Format = "table",
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
    path: str | Path | None = None,
) -> RegressionTable | str | pd.DataFrame:
    """Regression table of one or more fitted models.

    ``models``: a results object, a list of them, or a dict ``{column name: results}``. Each
    must follow the results protocol (``params``, ``bse``, ``pvalues``, ``nobs``; ``depvar``,
    ``fixef_names``, ``vcov_type``, ``model``, ``r2``, ``pseudo_r2`` when present).

    ``type``: ``"table"`` (a :class:`RegressionTable`, shown as HTML in Jupyter and Markdown by
    ``print``), ``"md"``, ``"tex"`` (booktabs; needs ``\\usepackage{booktabs}``), ``"html"``
    or ``"df"`` (string cells indexed by (section, row)).

    ``rename`` maps coefficient names before the models are aligned (so differently named
    terms can share a row); ``labels`` maps coefficient, dependent-variable and fixed-effect names
    to display labels. ``keep``/``drop``/``order`` are lists of names or regular expressions
    (``re.fullmatch`` on the renamed terms); ``keep`` also sets the order, ``order`` moves the
    matched terms first. A pattern that matches nothing is an error.

    ``stars``: p-value thresholds (default ``(0.10, 0.05, 0.01)`` for ``*``, ``**``, ``***``;
    stated in the table note), or ``None`` for no stars. ``digits``: decimals of estimates,
    standard errors and R². The likelihood-ratio R² of Poisson and logit-type models
    (``pseudo_r2``) is shown on its own "Pseudo R²" row. ``path``: also write the rendering
    there atomically (format from the suffix ``.md``, ``.tex``, ``.html`` when ``type`` is
    ``"table"``). The output contains no timestamps: same models, same bytes.
    """
    table = build_table(
        models,
        labels=labels,
        rename=rename,
        keep=keep,
        drop=drop,
        order=order,
        stars=stars,
        digits=digits,
        model_names=model_names,
        caption=caption,
        notes=notes,
    )
    kind = type
    if path is not None and kind == "table":
        kind = _SUFFIX.get(Path(path).suffix.lower(), "")
        if not kind:
            raise ValueError(f"path {path}: suffix must be one of {sorted(_SUFFIX)} (or pass type)")
    renderers = {
        "md": table.to_markdown,
        "tex": table.to_latex,
        "html": table.to_html,
        "df": table.to_frame,
    }
    if kind not in (*renderers, "table"):
        raise ValueError(f"type={type!r}; use one of 'table', {', '.join(map(repr, renderers))}")
    out = table if kind == "table" else renderers[kind]()
    if path is not None:
        if kind == "df":
            raise ValueError("path= writes md, tex or html; save a DataFrame yourself")
        atomic_write_text(path, str(renderers[kind]()))
        return table if type == "table" else out
    return out


__all__ = ["RegressionTable", "etable"]
