"""analyses/walkthrough.py runs headlessly as a notebook (jupytext -> nbclient) without error."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WALKTHROUGH = ROOT / "analyses" / "walkthrough.py"

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_walkthrough_executes_as_a_notebook():
    from polecon import registry

    registry.fetch("ptas/desta_v2.3/desta_list_of_treaties_02_03.csv")  # skips without a mirror
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(WALKTHROUGH)
    assert [c.cell_type for c in nb.cells].count("code") >= 5
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": ROOT}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="polecon-etable"' in h and "Exports (PPML)" in h for h in html)
    assert any("image/png" in o.get("data", {}) for o in outputs)
