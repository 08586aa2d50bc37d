"""Figures (matplotlib, Agg), written as PNG and PDF with deterministic bytes.

Data figures (drawn by :func:`replicate_stage` into ``reports/figures/``):

- :func:`agreements_per_year`: agreements signed per year by type, 1946-2020, and cumulative
  counts, from the canonical ``agreements`` table;
- :func:`twoway_distributions`: distributions of the two-way indices of trade and migration
  over undirected dyad-years of the standard panel.

Model figures (called by the adoption and hypotheses reports with a tidy DataFrame):

- :func:`plot_coefficients`: coefficients by agreement type with confidence intervals;
- :func:`plot_event_study`: event-study estimates (e.g. BLMA and FTA effects on migration).

Every figure is saved by :func:`save_figure`: no timestamps or software versions in the files
(PDF ``CreationDate``/``Creator``/``Producer`` and PNG ``Software`` removed, fixed SVG hash
salt), so the same data give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from polecon._io import atomic_path, atomic_write_text

#: display names of the agreement types (canonical ``agreements.type``), in plotting order
TYPE_LABELS: dict[str, str] = {
    "bit": "BITs",
    "tip": "Other treaties with investment provisions",
    "bfta": "Bilateral FTAs",
    "pta": "Plurilateral PTAs",
    "blma": "Bilateral labour migration agreements",
}
TYPE_COLORS: dict[str, str] = {
    "bit": "#1b6ca8",
    "tip": "#7fb3d5",
    "bfta": "#d35400",
    "pta": "#f0b27a",
    "blma": "#1e8449",
}
TWOWAY_LABELS: dict[str, str] = {
    "twoway_trade": "Trade (COW exports)",
    "twoway_migration_wb": "Migration (World Bank stocks)",
    "twoway_migration_undesa": "Migration (UN DESA stocks)",
}
RC = {
    "svg.hashsalt": "polecon",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
FORMATS = ("png", "pdf")


def save_figure(fig: Figure, stem: str | Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write ``fig`` to ``stem.png`` and ``stem.pdf`` atomically, without metadata that varies."""
    meta = {
        "png": {"Software": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
        "svg": {"Date": None, "Creator": None},
    }
    out = []
    for fmt in formats:
        path = Path(stem).with_suffix(f".{fmt}")
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=150, metadata=meta[fmt])
        out.append(path)
    return out


def _figure(width: float, height: float) -> Figure:
    import matplotlib as mpl

    mpl.rcParams.update(RC)
    return Figure(figsize=(width, height), layout="constrained")


# ---- data figures -------------------------------------------------------------------------------
def agreements_per_year(
    agreements: pd.DataFrame, start: int = 1946, end: int = 2020
) -> pd.DataFrame:
    """Agreements signed per year by type, and cumulative counts (all signed up to that year).

    An agreement counts once, in the year of its earliest signature over its pairs. Returns
    columns ``year, type, signed, cumulative`` for ``start..end`` and every type; agreements
    without a signature date are left out (their number is in ``attrs["undated"]``).
    """
    first = agreements.groupby("agreement_id", sort=True).agg(
        type=("type", "first"), signed=("signed", "min")
    )
    undated = first["signed"].isna()
    first = first[~undated]
    first["year"] = first["signed"].dt.year.astype(int)
    types = [t for t in TYPE_LABELS if t in set(first["type"])]
    counts = first.groupby(["type", "year"]).size().unstack("type", fill_value=0)
    years = np.arange(min(start, counts.index.min()), end + 1)
    counts = counts.reindex(index=years, columns=types, fill_value=0)
    cumulative = counts.cumsum()
    out = (
        pd.concat({"signed": counts.stack(), "cumulative": cumulative.stack()}, axis=1)
        .reset_index()
        .rename(columns={"level_0": "year"})
    )
    out.columns = ["year", "type", "signed", "cumulative"]
    out = out[(out["year"] >= start) & (out["year"] <= end)].reset_index(drop=True)
    out["type"] = pd.Categorical(out["type"], categories=types)
    out = out.sort_values(["type", "year"]).reset_index(drop=True)
    out["type"] = out["type"].astype(str)
    out.attrs["undated"] = int(undated.sum())
    return out


def plot_agreements_per_year(counts: pd.DataFrame) -> Figure:
    """Two panels: agreements signed per year by type; cumulative counts (log scale)."""
    fig = _figure(7.0, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    for t, g in counts.groupby("type", sort=False):
        kw = {"color": TYPE_COLORS.get(t), "label": TYPE_LABELS.get(t, t), "lw": 1.4}
        top.plot(g["year"], g["signed"], **kw)
        bottom.plot(g["year"], g["cumulative"], **kw)
    lo, hi = int(counts["year"].min()), int(counts["year"].max())
    top.set_ylabel("Agreements signed in the year")
    top.set_title(f"Agreements signed per year by type, {lo}-{hi}", loc="left")
    bottom.set_yscale("log")
    bottom.set_ylabel("Cumulative agreements signed (log scale)")
    bottom.set_xlabel("Year of signature")
    bottom.set_xlim(lo, hi)
    top.legend(frameon=False, loc="upper left")
    for ax in (top, bottom):
        ax.grid(axis="y", color="#dddddd", lw=0.6)
    return fig


def twoway_distributions(panel: pd.DataFrame, bins: int = 20) -> pd.DataFrame:
    """Histogram of each two-way index over undirected dyad-years (``i < j``; both directions of
    a pair carry the same index). Columns ``index, bin_low, bin_high, count, share``."""
    cols = [c for c in TWOWAY_LABELS if c in panel.columns]
    if not cols:
        raise KeyError(f"the panel has none of the two-way index columns {list(TWOWAY_LABELS)}")
    rows = panel.loc[panel["i"] < panel["j"], cols] if "i" in panel.columns else panel[cols]
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = []
    for c in cols:
        v = pd.to_numeric(rows[c], errors="coerce").dropna().to_numpy(float)
        n, _ = np.histogram(v, bins=edges)
        out.append(
            pd.DataFrame(
                {
                    "index": c,
                    "bin_low": edges[:-1],
                    "bin_high": edges[1:],
                    "count": n,
                    "share": n / max(n.sum(), 1),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def plot_twoway_distributions(hist: pd.DataFrame) -> Figure:
    """One panel per index: share of dyad-years per bin of the two-way index."""
    names = list(dict.fromkeys(hist["index"]))
    fig = _figure(3.0 * len(names), 3.2)
    axes = np.atleast_1d(fig.subplots(1, len(names), sharey=True))
    for ax, name in zip(axes, names, strict=True):
        h = hist[hist["index"] == name]
        width = (h["bin_high"] - h["bin_low"]).to_numpy()
        ax.bar(h["bin_low"], h["share"], width=width, align="edge", color="#5d6d7e", ec="white")
        ax.set_title(f"{TWOWAY_LABELS.get(name, name)}\nN = {int(h['count'].sum()):,}", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_xlabel("Two-way index (0 one-way, 1 balanced)")
    axes[0].set_ylabel("Share of dyad-years")
    return fig


# ---- model figures ------------------------------------------------------------------------------
def _check(tidy: pd.DataFrame, needed: Sequence[str], what: str) -> None:
    missing = [c for c in needed if c not in tidy.columns]
    if missing:
        raise KeyError(
            f"{what}: the tidy frame lacks column(s) {missing} (has {list(tidy.columns)})"
        )


def plot_coefficients(
    tidy: pd.DataFrame,
    path: str | Path | None = None,
    *,
    group: str = "type",
    labels: dict[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Coefficients by ``group`` (agreement type) with their confidence intervals.

    ``tidy``: columns ``term, estimate, conf_low, conf_high`` and ``group`` (e.g. the stacked
    adoption model's ``type_effects()``; the interval is whatever the caller computed, 95% by
    default). One row per term, one marker per group; ``path`` (a stem) saves PNG and PDF.
    """
    _check(tidy, ["term", "estimate", "conf_low", "conf_high", group], "plot_coefficients")
    labels = labels or {}
    terms = list(dict.fromkeys(tidy["term"]))
    groups = list(dict.fromkeys(tidy[group]))
    fig = _figure(6.5, 0.6 + 0.45 * len(terms) * max(1, len(groups)) ** 0.5 + 0.8)
    ax = fig.subplots()
    step = 0.7 / max(len(groups), 1)
    for k, g in enumerate(groups):
        d = tidy[tidy[group] == g].set_index("term").reindex(terms)
        y = np.arange(len(terms)) - 0.35 + step * (k + 0.5)
        ax.errorbar(
            d["estimate"],
            y,
            xerr=[d["estimate"] - d["conf_low"], d["conf_high"] - d["estimate"]],
            fmt="o",
            ms=4,
            capsize=2,
            color=TYPE_COLORS.get(str(g)),
            label=labels.get(str(g), TYPE_LABELS.get(str(g), str(g))),
        )
    ax.axvline(0, color="#555555", lw=0.8)
    ax.set_yticks(np.arange(len(terms)), [labels.get(t, t) for t in terms])
    ax.invert_yaxis()
    ax.set_xlabel("Estimate and confidence interval")
    fig.legend(frameon=False, loc="outside lower center", ncols=min(len(groups), 3))
    if title:
        ax.set_title(title, loc="left")
    if path is not None:
        save_figure(fig, path)
    return fig


def plot_event_study(
    tidy: pd.DataFrame,
    path: str | Path | None = None,
    *,
    time: str = "event_time",
    group: str = "agreement",
    reference: object | None = None,
    labels: dict[str, str] | None = None,
    title: str | None = None,
    ylabel: str = "Effect on migrant stock (log points)",
) -> Figure:
    """Event-study estimates by ``group`` (e.g. BLMA vs FTA) against event time.

    ``tidy``: columns ``time`` (numeric years since the event, or ordered bin labels),
    ``estimate, conf_low, conf_high`` and ``group``. ``reference`` (a value of ``time``) is the
    omitted period, drawn at 0 without an interval; a dashed line marks the event (left of
    year 0, or right of the reference bin). ``path`` (a stem) saves PNG and PDF.
    """
    _check(tidy, [time, "estimate", "conf_low", "conf_high", group], "plot_event_study")
    labels = labels or {}
    numeric = pd.api.types.is_numeric_dtype(tidy[time])
    ticks = list(dict.fromkeys(tidy[time]))
    if reference is not None and reference not in ticks:
        if not numeric:
            raise ValueError(
                f"reference={reference!r} is not a value of {time!r}: with bin labels, include "
                "the reference bin as rows (estimate 0, intervals NaN) to fix its position"
            )
        ticks = sorted([*ticks, reference])
    pos = {t: (float(t) if numeric else float(k)) for k, t in enumerate(ticks)}
    groups = list(dict.fromkeys(tidy[group]))
    fig = _figure(6.5, 3.6)
    ax = fig.subplots()
    span = (max(pos.values()) - min(pos.values())) or 1.0
    dodge = 0.012 * span
    colors = ("#1e8449", "#d35400", "#1b6ca8", "#7d3c98")
    for k, g in enumerate(groups):
        d = tidy[tidy[group] == g]
        x = d[time].map(pos).to_numpy(float) + dodge * (k - (len(groups) - 1) / 2)
        c = colors[k % len(colors)]
        lab = labels.get(str(g), str(g))
        ax.errorbar(
            x,
            d["estimate"],
            yerr=[d["estimate"] - d["conf_low"], d["conf_high"] - d["estimate"]],
            fmt="o-",
            ms=4,
            lw=1.0,
            capsize=2,
            color=c,
            label=lab,
        )
    if reference is not None:
        ax.plot([pos[reference]], [0.0], "o", mfc="white", mec="#333333", label="reference")
    ax.axhline(0, color="#555555", lw=0.8)
    if numeric or reference is not None:  # the event (year 0) starts right of this line
        ax.axvline(-0.5 if numeric else pos[reference] + 0.5, color="#999999", lw=0.8, ls="--")
    if not numeric:
        ax.set_xticks([pos[t] for t in ticks], [labels.get(str(t), str(t)) for t in ticks])
    ax.set_xlabel("Years relative to the first signing")
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="best")
    if title:
        ax.set_title(title, loc="left")
    if path is not None:
        save_figure(fig, path)
    return fig


# ---- replication stage --------------------------------------------------------------------------
def replicate_stage(reports_dir: Path) -> str:
    """Draw the data figures into ``reports_dir/figures`` (PNG, PDF and the CSV behind each)."""
    from polecon.panel import build_panel
    from polecon.sources import load

    out = Path(reports_dir) / "figures"
    counts = agreements_per_year(load("agreements"))
    atomic_write_text(out / "agreements_per_year.csv", counts.to_csv(index=False))
    save_figure(plot_agreements_per_year(counts), out / "agreements_per_year")
    hist = twoway_distributions(build_panel(cache=True))
    atomic_write_text(out / "twoway_indices.csv", hist.to_csv(index=False, float_format="%.6g"))
    save_figure(plot_twoway_distributions(hist), out / "twoway_indices")
    return (
        f"figures/agreements_per_year and figures/twoway_indices (PNG, PDF, CSV); "
        f"{counts['signed'].sum():,} agreements signed {counts['year'].min()}-"
        f"{counts['year'].max()}, {counts.attrs['undated']} undated left out"
    )
