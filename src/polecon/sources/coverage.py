"""Crosswalk coverage: every country identifier that appears in every source file.

A loop over the source declarations: every identifier column is declared once, next to the
parser that reads its file (``COUNTRY_IDS``, :class:`~polecon.sources._decl.RawIdentifier`:
file, raw column(s), scheme, the parser's own splitter, years, row filter), and read here with
the parser's reader options (:func:`~polecon.sources._coverage_read.extract_all`), so the report
certifies exactly what the parsers extract. ``coverage_table`` maps them all and counts, per
column: distinct identifiers, mapped, documented exceptions (deliberately ``<NA>``) and
unaccounted (neither).  ``replicate_stage`` writes the table to ``reports/country_coverage.md``.
The tests fail if anything is unaccounted.

Code layout: ``IdColumn``, the collection and reading of the declarations in
:mod:`._coverage_read`, the consistency pairs in :mod:`._coverage_pairs` (both imported back
here); this module classifies, counts and renders the report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon._io import atomic_write_text
from polecon.countries.crosswalk import (
    _NOT_FOUND,
    SCHEMES,
    _exception_index,
    _is_missing,
    _resolve_one,
)
from polecon.sources._coverage_pairs import EXPECTED_DISAGREEMENTS, consistency_table
from polecon.sources._coverage_pairs import IdPair as IdPair
from polecon.sources._coverage_read import IdColumn, declarations, extract_all
from polecon.sources._coverage_read import _raw as _raw

__all__ = [
    "IdColumn",
    "classify",
    "consistency_table",
    "coverage_table",
    "declarations",
    "extract_all",
    "replicate_stage",
]

# --------------------------------------------------------------------------------------------
# Classification and the coverage table
# --------------------------------------------------------------------------------------------


def _via_exception(scheme: str, key: str) -> bool:
    idx = _exception_index()
    return any((s, key) in idx for s in (scheme, *SCHEMES[scheme].parents))


def classify(col: IdColumn) -> pd.DataFrame:
    """One row per distinct identifier (and year, where the mapping is year-dependent).

    Columns: value, n_rows, canonical, status (``mapped`` | ``exception`` | ``unaccounted``),
    documented (True when the exception table decided the outcome).
    """
    from polecon.countries.crosswalk import _needs_year

    spec = SCHEMES[col.scheme]
    vals = col.values.reset_index(drop=True)
    codes, uniques = pd.factorize(vals.astype(object), use_na_sentinel=True)
    counts = pd.Series(codes[codes >= 0]).value_counts()
    by_key: dict[str, list[int]] = {}
    for j, u in enumerate(uniques):
        if _is_missing(u):
            continue
        by_key.setdefault(spec.normalize(u), []).append(j)
    years = (
        None
        if col.years is None
        else pd.to_numeric(col.years.reset_index(drop=True), errors="coerce")
    )
    rows = []
    for key in sorted(by_key):
        js = by_key[key]
        raw = str(uniques[js[0]]).strip()
        documented = _via_exception(col.scheme, key)
        if _needs_year(col.scheme, key) and years is not None:
            mask = pd.Series(codes).isin(js).to_numpy()
            per_year = [
                (int(y), int(n), _resolve_one(col.scheme, key, int(y)))
                for y, n in years[mask].value_counts().sort_index().items()
            ]
            runs: list[list] = []  # [first_year, last_year, outcome, n_rows] per run of years
            for y, n, res in per_year:
                if runs and runs[-1][2] == res:
                    runs[-1][1] = y
                    runs[-1][3] += n
                else:
                    runs.append([y, y, res, n])
            items = [
                (f"{raw} ({a}-{b})" if a != b else f"{raw} ({a})", n, res) for a, b, res, n in runs
            ]
        else:
            items = [
                (raw, int(sum(counts.get(j, 0) for j in js)), _resolve_one(col.scheme, key, None))
            ]
        for label, n, res in items:
            if res is _NOT_FOUND:
                status, canon = "unaccounted", None
            elif res is None:
                status, canon = "exception", None
            else:
                status, canon = "mapped", res
            rows.append(
                {
                    "value": label,
                    "n_rows": n,
                    "canonical": canon,
                    "status": status,
                    "documented": documented,
                }
            )
    return pd.DataFrame(rows, columns=["value", "n_rows", "canonical", "status", "documented"])


def coverage_table(
    columns: tuple[IdColumn, ...] | None = None,
) -> tuple[pd.DataFrame, dict[tuple[str, str], pd.DataFrame]]:
    """Per-column coverage counts, and the per-value detail of every column.

    Counts: n_distinct, n_mapped (of which n_via_table through the reviewed table),
    n_exceptions (documented, deliberately NA), n_unaccounted.
    """
    cols = extract_all() if columns is None else columns
    rows, detail = [], {}
    for c in cols:
        d = classify(c)
        detail[(c.source, c.column)] = d
        rows.append(
            {
                "source": c.source,
                "column": c.column,
                "scheme": c.scheme,
                "n_rows": int(d["n_rows"].sum()),
                "n_distinct": len(d),
                "n_mapped": int((d["status"] == "mapped").sum()),
                "n_via_table": int(((d["status"] == "mapped") & d["documented"]).sum()),
                "n_exceptions": int((d["status"] == "exception").sum()),
                "n_unaccounted": int((d["status"] == "unaccounted").sum()),
            }
        )
    return pd.DataFrame(rows), detail


def _md_table(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = [
        "| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |"
        for row in df.itertuples(index=False)
    ]
    return "\n".join([head, sep, *body])


def render_report(
    table: pd.DataFrame,
    detail: dict[tuple[str, str], pd.DataFrame],
    consistency: pd.DataFrame | None = None,
) -> str:
    """Markdown: the coverage table, the exceptions seen per column, and any unaccounted values."""
    lines = [
        "# Country crosswalk coverage",
        "",
        "Every identifier column of every source in `../shared/data`, mapped with",
        "`polecon.countries.to_canonical`. *mapped* = a canonical code (state, territory or bloc);",
        "*via table* = of those, decided by the reviewed table `datasets/countries/exceptions.csv`;",
        "*exceptions* = documented there as deliberately unmapped (`<NA>`); *unaccounted* must be 0.",
        "For year-dependent schemes (`maddison`, `vdem_text`, `vdem_id`) an identifier counts once per",
        "run of years with the same outcome (e.g. Maddison `SUN` -> RUS up to 1990 and `<NA>` from 1991).",
        "",
        _md_table(table),
        "",
        f"Totals: {int(table['n_distinct'].sum())} distinct identifiers (summed over columns), "
        f"{int(table['n_mapped'].sum())} mapped, {int(table['n_exceptions'].sum())} documented exceptions, "
        f"{int(table['n_unaccounted'].sum())} unaccounted.",
        "",
        "## Documented exceptions by column (deliberately unmapped)",
        "",
    ]
    for (src, col), d in detail.items():
        ex = d[d["status"] == "exception"]
        if len(ex):
            vals = ", ".join(f"`{v}` ({n})" for v, n in zip(ex["value"], ex["n_rows"], strict=True))
            lines.append(f"- {src} [{col}]: {vals}")
    if consistency is not None:
        lines += [
            "",
            "## Consistency between identifier columns of the same rows",
            "",
            "Where a file has two identifiers per row (a code and a name, two code lists), both must",
            "map to the same canonical code. Disagreements:",
            "",
        ]
        if consistency.empty:
            lines.append("None.")
        else:
            shown = consistency.assign(
                accepted=[
                    EXPECTED_DISAGREEMENTS.get((s, a, b), "**unexpected**")
                    for s, a, b in zip(
                        consistency["source"],
                        consistency["value_a"],
                        consistency["value_b"],
                        strict=True,
                    )
                ]
            )
            lines.append(_md_table(shown))
    un = [(s, c, d[d["status"] == "unaccounted"]) for (s, c), d in detail.items()]
    un = [(s, c, d) for s, c, d in un if len(d)]
    lines += ["", "## Unaccounted identifiers", ""]
    if not un:
        lines.append("None.")
    for s, c, d in un:
        vals = ", ".join(f"`{v}` ({n})" for v, n in zip(d["value"], d["n_rows"], strict=True))
        lines.append(f"- {s} [{c}]: {vals}")
    return "\n".join(lines) + "\n"


def replicate_stage(reports_dir: Path) -> str:
    """Compute the coverage of every source, write ``<reports_dir>/country_coverage.md``."""
    table, detail = coverage_table()
    consistency = consistency_table()
    target = Path(reports_dir) / "country_coverage.md"
    atomic_write_text(target, render_report(table, detail, consistency))
    n_un = int(table["n_unaccounted"].sum())
    unexpected = [
        (s, a, b)
        for s, a, b in zip(
            consistency["source"], consistency["value_a"], consistency["value_b"], strict=True
        )
        if (s, a, b) not in EXPECTED_DISAGREEMENTS
    ]
    summary = (
        f"{len(table)} identifier columns in {table['source'].nunique()} files: "
        f"{int(table['n_mapped'].sum())} mapped, {int(table['n_exceptions'].sum())} documented exceptions, "
        f"{n_un} unaccounted; {len(consistency)} code/name disagreements "
        f"({len(unexpected)} unexpected) -> {target}"
    )
    if n_un or unexpected:
        raise RuntimeError(
            f"country crosswalk: {n_un} unaccounted identifiers and {len(unexpected)} unexpected "
            f"code/name disagreements (see {target}); {summary}"
        )
    return summary
