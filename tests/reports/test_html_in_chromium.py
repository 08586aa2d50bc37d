"""An etable HTML table renders in headless Chromium (skipped where no Chromium is installed).

The screenshot is checked for content where the table should be (dark text pixels in the top
part, none far below it); a person looked at one such screenshot when this test was written.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import polecon

CHROMIUM = next(
    (shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None
)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on PATH")
def test_etable_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    rng = np.random.default_rng(0)
    n = 2000
    d = pd.DataFrame(
        {"x1": rng.normal(size=n), "x2": rng.normal(size=n), "g": rng.integers(0, 40, n)}
    )
    d["y"] = rng.poisson(np.exp(0.3 * d["x1"] - 0.2 * d["x2"]))
    d["b"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.5 * d["x1"]))).astype(float)
    table = polecon.etable(
        {
            "Counts (PPML)": polecon.ppml("y ~ x1 + x2 | g", d, vcov={"CRV1": "g"}),
            "Binary (logit)": polecon.logit("b ~ x1 + x2", d, vcov="hetero"),
        },
        type="html",
        caption="A test table",
    )
    page = tmp_path / "table.html"
    page.write_text(f"<html><head><meta charset='utf-8'></head><body>{table}</body></html>")
    shot = tmp_path / "table.png"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={shot}", "--window-size=700,900", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.is_file(), proc.stderr[-2000:]
    img = mpimg.imread(shot)[..., :3].mean(axis=2)  # grey levels 0..1
    dark = img < 0.5
    assert dark[:350].mean() > 0.01  # the table's text and rules
    assert not dark[600:].any()  # nothing spilled far below it
