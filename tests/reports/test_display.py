"""Rich display of one fitted model, and progress bars that stay quiet off a terminal."""

from __future__ import annotations

import pytest

import polecon
from polecon import _progress
from polecon._display import results_html, results_text

from .test_etable import fake, synthetic


def test_one_model_html_and_text():
    m = polecon.ppml("y ~ x1 + x2 | f1", synthetic(), vcov={"CRV1": "cl"})
    html = results_html(m)
    assert html.startswith('<table class="polecon-etable"')
    assert f"{m.params['x1']:.3f}" in html and f"({m.bse['x2']:.3f})" in html
    text = results_text(fake())
    assert "| gdp | 0.123\\*\\*\\* |" in text and "| Pseudo R² | 0.123 |" in text


@pytest.mark.parametrize("flag", ["", "0"])
def test_progress_quiet_off_a_terminal(capsys, monkeypatch, flag):
    monkeypatch.setenv("POLECON_PROGRESS", flag)
    assert not _progress.enabled()  # pytest's captured stderr is not a terminal
    assert list(_progress.track(range(3), "grid")) == [0, 1, 2]
    with _progress.steps("panel", 2) as advance:
        advance("a")
        advance("b")
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_forced_on_runs_every_item(monkeypatch):
    monkeypatch.setenv("POLECON_PROGRESS", "1")
    assert _progress.enabled()
    assert list(_progress.track(iter([1, 2]), "grid", total=2)) == [1, 2]
    with _progress.steps("panel", 1) as advance:
        advance("only")
