"""Acceptance: every country identifier in every source file maps or is a documented exception.

Reads the real files through the registry (mirror), prints the coverage table and fails on any
unaccounted identifier or any unexpected code/name disagreement.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon.sources import _splitters, wto_rta
from polecon.sources.agreements import unctad
from polecon.sources.coverage import (
    EXPECTED_DISAGREEMENTS,
    consistency_table,
    coverage_table,
    declarations,
    extract_all,
    replicate_stage,
)

pytestmark = pytest.mark.realdata


@pytest.mark.slow
def test_every_source_is_covered() -> None:
    cols = extract_all()
    sources = {c.source.split("/")[0] for c in cols}
    assert sources == {"bits", "ptas", "blas", "trade", "migration", "geo", "macro", "codes"}
    assert len(cols) >= 80


def test_covered_columns_are_the_declared_ones() -> None:
    """The report covers exactly the (file, column) identifiers the parsers declare."""
    _, detail = coverage_table()
    declared = {(d.key, d.name) for d in declarations()}
    assert len(declared) == len(declarations())  # no column declared twice
    assert set(detail) == declared


def test_declared_splitters_are_the_parsers_own() -> None:
    """The declaration names the very function the parser calls, not a copy."""
    by_name = {(d.key, d.name): d for d in declarations()}
    bits = "bits/unctad_iia_navigator_2025-02/bits_raw.rda"
    title = by_name[(bits, "short_title of BITs (split on ' - ')")]
    tips = by_name[(bits, "parties of TIPs (split on ', ')")]
    assert title.split is unctad.split_title is _splitters.split_title
    assert tips.split is unctad.split_parties is _splitters.split_parties
    wto = [d for d in declarations() if d.key == wto_rta.RAW_KEY and "signatories" in d.name]
    assert len(wto) == 2
    assert all(d.split is wto_rta._names is _splitters.split_semicolons for d in wto)
    parties_2020 = by_name[(unctad.UNCTAD_2020_KEY, "Parties (split on ';')")]
    assert parties_2020.split is unctad.split_semicolons is _splitters.split_semicolons


def test_no_identifier_is_unaccounted() -> None:
    table, detail = coverage_table()
    with pd.option_context(
        "display.width", 250, "display.max_rows", 200, "display.max_colwidth", 50
    ):
        print(table.drop(columns=["n_rows"]).to_string(index=False))
    unaccounted = {
        f"{s} [{c}]": list(
            zip(
                d.loc[d.status == "unaccounted", "value"],
                d.loc[d.status == "unaccounted", "n_rows"],
                strict=True,
            )
        )
        for (s, c), d in detail.items()
        if (d["status"] == "unaccounted").any()
    }
    assert not unaccounted, unaccounted
    assert (table["n_distinct"] == table["n_mapped"] + table["n_exceptions"]).all()
    # spot checks on real identifiers
    rows = {(s, c): d.set_index("value") for (s, c), d in detail.items()}
    unctad = rows[
        ("bits/unctad_iia_navigator_2025-02/bits_raw.rda", "short_title of BITs (split on ' - ')")
    ]
    assert unctad.loc["BLEU (Belgium-Luxembourg Economic Union)", "canonical"] == "BLEU"
    assert unctad.loc["BLEU (Belgium-Luxembourg Economic Union)", "n_rows"] == 101
    assert unctad.loc["Türkiye", "canonical"] == "TUR"
    cow = rows[("trade/cow_dyadic_trade_v4_directed_1870_2014.rds", "ccode1+ccode2")]
    assert cow.loc["260.0", "canonical"] == "DEU" and cow.loc["730.0", "canonical"] == "KOR"
    desa = rows[("migration/un_desa_ims2019_bilateral_stocks_wide.csv", "Dest")]
    assert desa.loc["Micronesia", "status"] == "exception"


def test_code_and_name_columns_agree() -> None:
    c = consistency_table()
    keys = set(zip(c["source"], c["value_a"], c["value_b"], strict=True))
    unexpected = keys - set(EXPECTED_DISAGREEMENTS)
    assert not unexpected, c[
        [k in unexpected for k in zip(c["source"], c["value_a"], c["value_b"], strict=True)]
    ]


def test_replicate_stage_writes_report(tmp_path: Path) -> None:
    summary = replicate_stage(tmp_path)
    text = (tmp_path / "country_coverage.md").read_text()
    assert "0 unaccounted" in summary and "\n" not in summary
    assert "| source | column | scheme |" in text and "## Unaccounted identifiers\n\nNone." in text
