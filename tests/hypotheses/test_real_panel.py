"""H1a, H3 and H5 on the real data: the default verdicts, and a perturbation that flips one."""

from __future__ import annotations

import pandas as pd
import pytest

from polecon import registry

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


@pytest.fixture(scope="module")
def panel_path() -> str:
    try:
        registry.fetch("bla_formation")
    except registry.RegistryError as exc:
        pytest.skip(f"the mirror is not available ({exc})")
    from polecon.hypotheses.grids import pinned_panel

    return pinned_panel()


def test_h1a_real_supported_and_flipped_by_swapping_flows(panel_path: str) -> None:
    from polecon.hypotheses.h1_reciprocity import h1a, h1a_columns

    p = pd.read_parquet(panel_path, columns=h1a_columns("wb"))
    p = p.loc[p["year"].between(1990, 2000)]
    base = h1a(p, "wb", by_decade=False, n_boot=199)
    assert [r.verdict for r in base] == ["supported", "supported"]
    swapped = p.rename(
        columns={
            "exports_ij": "migrants_ij_wb",
            "exports_ji": "migrants_ji_wb",
            "migrants_ij_wb": "exports_ij",
            "migrants_ji_wb": "exports_ji",
        }
    )
    flipped = h1a(swapped, "wb", by_decade=False, n_boot=199)
    assert [r.verdict for r in flipped] == ["contradicted", "contradicted"]
    assert flipped[0].estimate == pytest.approx(-base[0].estimate, abs=1e-12)
    assert flipped[0].nobs == base[0].nobs


def test_h3_blma_effect_flips_when_the_treatment_is_reversed(panel_path: str) -> None:
    """Perturbation: code BLMAs as in force exactly where they are not (and vice versa)."""
    from polecon.hypotheses.h3_substitution import h3, h3_columns

    p = pd.read_parquet(panel_path, columns=h3_columns("wb"))
    base = {r.label: r for r in h3(p, "wb")}
    assert base["blma_in_force"].verdict == "supported"
    rev = p.assign(blma_in_force=~p["blma_in_force"].astype(bool))
    flipped = {r.label: r for r in h3(rev, "wb")}
    assert flipped["blma_in_force"].verdict == "contradicted"
    assert flipped["blma_in_force"].estimate == pytest.approx(
        -base["blma_in_force"].estimate, rel=1e-6
    )


def test_h5_shares_match_the_codings() -> None:
    from polecon.hypotheses.h5_weaker import load_codings, shares

    try:
        codings = load_codings()
    except registry.RegistryError as exc:
        pytest.skip(f"the mirror is not available ({exc})")
    t = shares(codings).set_index(["provision", "kind"])
    blma = codings["blma"]
    assert t.loc[("quota", "blma"), "n_with"] == int(blma["quota"].sum())
    assert t.loc[("quota", "blma"), "n_coded"] == int(blma["quota"].notna().sum())
    assert pd.isna(t.loc[("sectors", "blma"), "n_coded"])
    assert "no sector variable" in t.loc[("sectors", "blma"), "note"]
