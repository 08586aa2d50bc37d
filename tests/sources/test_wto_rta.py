"""WTO RTA-IS parser (table ``wto_rta``): real mirrored file and malformed copies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from polecon import registry
from polecon.sources import wto_rta
from polecon.sources._schema import SourceError

pytestmark = pytest.mark.realdata

KEY = wto_rta.RAW_KEY


def _fetch(key: str) -> Path:
    return registry.fetch(key)  # without a mirror: FileUnavailableError -> skipped (conftest)


@pytest.fixture(scope="module")
def wto() -> pd.DataFrame:
    return wto_rta.parse(_fetch(KEY))


def test_rows_keys_coverage(wto):
    assert len(wto) == 655
    assert wto["rta_id"].is_unique
    assert wto["signed"].min() == pd.Timestamp("1948-12-06")
    assert wto["signed"].max() == pd.Timestamp("2025-09-16")
    assert wto["in_force"].min() == pd.Timestamp("1949-04-01")
    assert wto["in_force"].max() == pd.Timestamp("2026-01-01")
    assert wto["status"].value_counts()["In Force"] == 401
    assert wto["type"].value_counts()["FTA"] == 321


def test_composition_and_parties(wto):
    assert int(wto["country_bilateral"].sum()) == 361
    assert int(wto["bilateral"].sum()) == 361 + 93 + 5
    # 347 of the 361 name two mapped countries; the rest are early announcements without
    # signatories, and inactive RTAs with a dissolved state whose partner is not listed
    assert int(wto["party_a"].notna().sum()) == 347
    assert wto["unmapped"].isna().all()
    assert (wto["party_a"].dropna() < wto["party_b"].dropna()).all()
    # inactive RTAs: parties from Original signatories
    inactive = wto[wto["status"] == "Inactive"]
    assert inactive["current_parties"].isna().all()
    assert inactive["parties"].notna().mean() > 0.95


def test_known_values(wto):
    kor = wto[(wto["party_a"] == "KOR") & (wto["party_b"] == "USA")]
    assert kor["signed"].dt.year.tolist() == [2007]
    nafta = wto[wto["name"].str.contains("North American Free Trade Agreement", regex=False)]
    assert nafta["parties"].tolist() == ["CAN;MEX;USA"]
    assert nafta["in_force"].dt.year.tolist() == [1994]
    efta_bloc = wto[wto["parties"].fillna("").str.contains("EFTA")]
    assert len(efta_bloc) > 20


# ---------------------------------------------------------------------------
# malformed copies
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_excel(_fetch(KEY), sheet_name=wto_rta.SHEET).head(40)


def _write(df: pd.DataFrame, path: Path) -> Path:
    df.to_excel(path, sheet_name=wto_rta.SHEET, index=False)
    return path


def test_small_copy_parses(raw, tmp_path):
    out = wto_rta.parse(_write(raw, tmp_path / "rta.xlsx"))
    assert len(out) == 40


def test_missing_column(raw, tmp_path):
    with pytest.raises(SourceError, match="Original signatories") as exc:
        wto_rta.parse(_write(raw.drop(columns="Original signatories"), tmp_path / "rta.xlsx"))
    assert exc.value.column == "Original signatories" and "rta.xlsx" in str(exc.value)


def test_wrong_type(raw, tmp_path):
    bad = raw.copy()
    bad["Date of Signature (G)"] = bad["Date of Signature (G)"].astype(object)
    bad.loc[12, "Date of Signature (G)"] = "sometime soon"
    with pytest.raises(SourceError, match="not dates") as exc:
        wto_rta.parse(_write(bad, tmp_path / "rta.xlsx"))
    assert exc.value.column == "Date of Signature (G)" and exc.value.rows == [12]


def test_duplicated_key(raw, tmp_path):
    bad = raw.copy()
    bad.loc[9, "RTA ID"] = bad.loc[8, "RTA ID"]
    with pytest.raises(SourceError, match="duplicated RTA ID") as exc:
        wto_rta.parse(_write(bad, tmp_path / "rta.xlsx"))
    assert exc.value.column == "RTA ID" and exc.value.rows == [8, 9]


def test_unknown_country_is_kept_as_unmapped(raw, tmp_path):
    """Documented behaviour: a signatory name without a code is kept in ``unmapped``."""
    bad = raw.copy()
    row = int(bad["Original signatories"].notna().idxmax())
    bad.loc[row, "Original signatories"] = "Atlantis; Japan"
    out = wto_rta.parse(_write(bad, tmp_path / "rta.xlsx"))
    hit = out[out["rta_id"] == int(bad.loc[row, "RTA ID"])]
    assert hit["unmapped"].tolist() == ["Atlantis"]
    assert "JPN" in hit["parties"].iloc[0]


def test_truncated_file(tmp_path):
    data = _fetch(KEY).read_bytes()
    path = tmp_path / "rta.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="truncated or corrupt") as exc:
        wto_rta.parse(path)
    assert "rta.xlsx" in str(exc.value)
