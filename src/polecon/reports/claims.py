"""Replication stage ``claims``: the claims ledger ``claims.md`` (HYPOTHESES s.6).

Every claim of :data:`polecon.hypotheses.claims.CLAIMS` beside our figure, the exact data and
filter, and the computed verdict; then the H1-H5 headline tests. Deterministic, atomic.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from polecon._io import atomic_write_text
from polecon.hypotheses.claims import CLAIMS, Entry, ledger
from polecon.hypotheses.result import HypothesisResult
from polecon.reports.hypotheses import ESSAY, GENERATED, ci, num


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def claims_markdown(entries: list[Entry], hypotheses: list[HypothesisResult]) -> str:
    v = pd.Series([e.verdict for e in entries]).value_counts().sort_index()
    out = [
        "# Claims ledger: Gordon (2010) against the data",
        "",
        f"{GENERATED} Essay: {ESSAY} (located by part and footnote). Claims as listed in "
        "HYPOTHESES.md s.6, declared in `polecon.hypotheses.claims` with the rule and tolerance "
        "that decide the verdict.",
        "",
        "Verdicts: " + ", ".join(f"{k} {n}" for k, n in v.items()) + ".",
        "",
        "| # | claim | where | essay | ours | data and filter | verdict | why |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, e in enumerate(entries, 1):
        ours = "" if e.measure is None else e.measure.detail
        data = "" if e.measure is None else e.measure.data
        out.append(
            f"| {n} | {_esc(e.claim.claim)} | {e.claim.where} | {e.claim.essay_figure} | "
            f"{_esc(ours)} | {_esc(data)} | **{e.verdict}** | {_esc(e.reason)} |"
        )
    out += [
        "",
        "## H1-H5 (default specification; see `hypotheses.md` and `findings.md`)",
        "",
        "| hypothesis | test | estimate | 95% CI | N | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for r in hypotheses:
        verdict = r.verdict if r.verdict != "not testable" else f"not testable: {r.reason}"
        out.append(
            f"| {r.hypothesis} | {_esc(r.prediction_text)} (`{r.label}`) | {num(r.estimate)} | "
            f"{ci(r)} | {num(r.nobs)} | **{_esc(verdict)}** |"
        )
    return "\n".join(out) + "\n"


def replicate_stage(reports_dir: Path) -> str:
    """Evaluate every claim and write ``claims.md``."""
    from polecon.hypotheses import grids

    entries = ledger(CLAIMS)
    path = grids.pinned_panel()
    hyp = [r for r in grids.headline(path) if r.hypothesis != "H3 event"]
    atomic_write_text(Path(reports_dir) / "claims.md", claims_markdown(entries, hyp))
    v = pd.Series([e.verdict for e in entries]).value_counts().sort_index()
    return f"{len(entries)} claims: " + ", ".join(f"{k} {n}" for k, n in v.items())
