"""The adoption report: table content, deterministic bytes, the real-panel stage end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from polecon.models.adoption import fit
from polecon.reports.adoption import models_markdown, replicate_stage

from .test_stacked import simulate


def test_markdown_table_is_deterministic_and_exact(tmp_path: Path) -> None:
    def run() -> str:
        sets = simulate(5)
        return models_markdown({k: fit(v, terms=["x1", "x2"]) for k, v in sets.items()})

    text = run()
    assert text == run()
    res = fit(simulate(5)["blma"], terms=["x1", "x2"])
    row = next(line for line in text.splitlines() if line.startswith("| `x2` |"))
    assert row.split(" | ")[-1].rstrip(" |") == f"{res.params['x2']:.3f} ({res.bse['x2']:.3f})"
    assert f"| N (pair-years) | {1440:,} | {1440:,} | {1440:,} |" in text


@pytest.mark.realdata
@pytest.mark.slow
def test_replicate_stage_on_the_real_panel(tmp_path: Path) -> None:
    if not (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").exists():
        pytest.skip("the data mirror ../shared/data is absent")
    summary = replicate_stage(tmp_path)
    text = (tmp_path / "adoption_models.md").read_text()
    assert summary.startswith("bit: N=") and "blma: N=" in summary
    for term in ("colony", "contig", "lgdppc_ratio", "twoway_governing"):
        assert f"| `{term}` |" in text
