"""Year-varying pair geography derived from the canonical gravity tables.

- :func:`contiguity_years`: COW direct contiguity spells (table ``gravity_contiguity``)
  expanded to directed pair-years.
- :func:`capital_distance`: great-circle capital-to-capital distance by pair-year from the
  capital-city spells (table ``gravity_capitals``); :func:`haversine_km` is the distance.

The tables are parsed and loaded by :mod:`polecon.sources.gravity_years`; the time-invariant
CEPII/COLDAT pair geography is added to the panel by :func:`polecon.panel.add_gravity`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def contiguity_years(
    start: int = 1816, end: int = 2016, spells: pd.DataFrame | None = None
) -> pd.DataFrame:
    """COW contiguity expanded to directed pair-years ``i, j, year, conttype``.

    A spell counts in every year it overlaps. With several spells in one year the closest
    contiguity wins (the smallest non-zero type; 0 only if every spell that year is a 0-gap).
    Pairs absent from the result are not contiguous in COW's coding (COW lists every dyad within
    400 miles of water or sharing a border); COW's coverage ends in 2016, so later years must be
    treated as NA, not as 0. ``spells`` defaults to the table ``gravity_contiguity``
    (:func:`polecon.sources.gravity_years.contiguity_spells`).
    """
    if spells is None:
        from polecon.sources.gravity_years import contiguity_spells

        spells = contiguity_spells()
    sp = spells
    y0 = np.maximum(sp["start"].dt.year.to_numpy(), start)
    y1 = np.minimum(sp["end"].dt.year.to_numpy(), end)
    n = np.clip(y1 - y0 + 1, 0, None)
    idx = np.repeat(np.arange(len(sp)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    years = y0[idx] + offs
    ct = sp["conttype"].to_numpy()[idx]
    rank = np.where(ct == 0, 99, ct)
    df = pd.DataFrame(
        {"i": sp["i"].to_numpy()[idx], "j": sp["j"].to_numpy()[idx], "year": years, "_r": rank}
    )
    g = df.groupby(["i", "j", "year"], sort=True)["_r"].min().reset_index()
    g["conttype"] = np.where(g["_r"] == 99, 0, g["_r"]).astype("int64")
    return g.drop(columns="_r").astype({"i": "string", "j": "string", "year": "int64"})


def haversine_km(
    lat1: np.ndarray, lng1: np.ndarray, lat2: np.ndarray, lng2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in km (sphere of radius :data:`EARTH_RADIUS_KM`)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def capital_distance(
    pairs: pd.DataFrame, system: Literal["cow", "gw"] = "cow", cap: pd.DataFrame | None = None
) -> pd.Series:
    """Capital-to-capital great-circle distance (km) for rows ``i, j, year`` of ``pairs``.

    Uses the capital in office on 1 July of the year; NA where a state has no capital spell
    covering that day. Returns a float Series aligned with ``pairs``. ``cap`` defaults to the
    capital spells of ``system`` (:func:`polecon.sources.gravity_years.capitals`).
    """
    if cap is None:
        from polecon.sources.gravity_years import capitals

        cap = capitals(system)
    mid = pd.to_datetime(pairs["year"].astype("int64").astype(str) + "-07-01")
    coords = []
    for side in ("i", "j"):
        q = pd.DataFrame({"code": pairs[side].astype("string").to_numpy(), "mid": mid.to_numpy(),
                          "_row": np.arange(len(pairs))})  # fmt: skip
        m = q.merge(cap[["code", "start", "end", "lat", "lng"]], on="code", how="left")
        ok = (m["start"] <= m["mid"]) & (m["mid"] <= m["end"])
        m = m[ok].drop_duplicates("_row", keep="last").set_index("_row")
        coords.append(m.reindex(np.arange(len(pairs)))[["lat", "lng"]].to_numpy(dtype=float))
    (a, b) = coords
    d = haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return pd.Series(d, index=pairs.index, name="distcap_km", dtype="float64")


__all__ = ["EARTH_RADIUS_KM", "capital_distance", "contiguity_years", "haversine_km"]
