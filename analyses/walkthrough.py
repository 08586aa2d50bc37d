# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A walk through polecon
#
# From the registered sources to a regression table and a figure, in a few calls. The panel
# is built for a short span (2005-2010) to keep this quick; drop `start`/`end` for 1946-2020.
# Open it in Jupyter with `jupytext --to notebook analyses/walkthrough.py`, or run it as a
# script.

# %%
import io

import numpy as np
from IPython.display import Image

import polecon
from polecon.models.adoption import SPECS
from polecon.reports import etable
from polecon.reports.figures import agreements_per_year, plot_agreements_per_year

panel = polecon.build_panel(start=2005, end=2010, cache=True)  # directed dyad-years (i, j, year)
print(f"{len(panel):,} dyad-years, {panel.shape[1]} columns")
panel[["i", "j", "year", "exports_ij", "bit_in_force", "bfta_in_force", "blma_in_force"]].head()

# %% [markdown]
# ## Gravity: trade agreements and exports (PPML)
#
# Exports from *i* to *j* on standard gravity covariates and agreements in force, with
# exporter-year and importer-year fixed effects; standard errors clustered by pair.

# %%
trade = panel[panel["exports_ij"].notna() & (panel["i"] != panel["j"])].copy()
trade["pair"] = np.minimum(trade["i"], trade["j"]) + "-" + np.maximum(trade["i"], trade["j"])
gravity = polecon.ppml(
    "exports_ij ~ ldist + contig + comlang_off + colony + bfta_in_force + pta_in_force"
    " | i^year + j^year",
    trade,
    vcov={"CRV1": "pair"},
)
print(gravity.summary())

# %% [markdown]
# ## Adoption: who signs a bilateral labour migration agreement, and when?
#
# The risk set holds undirected pairs from 1946 (or the year both states exist) until their
# first BLMA, with covariates lagged one year and a cubic in the time at risk
# (Carter-Signorino); the discrete-time hazard is a logit with year fixed effects and
# pair-clustered standard errors (HYPOTHESES.md section 5). The lagged covariates need the
# full panel, so this cell builds (once, then cached) the 1946-2020 panel.

# %%
full = polecon.build_panel(cache=True)
rs = polecon.risk_set(full, kind="blma")
print(f"{len(rs):,} pair-years at risk, {int(rs['event'].sum())} first BLMAs ({rs.attrs['kind']})")
adoption = polecon.logit(
    "event ~ " + " + ".join(SPECS["blma"].terms) + " | year", rs, vcov={"CRV1": "pair"}
)
adoption.tidy().head(8)

# %% [markdown]
# ## Both models side by side
#
# `etable` reads only the results protocol, so gravity, adoption and stacked models share one
# table; `type="tex"` gives a booktabs table, `"md"` Markdown, `"df"` a DataFrame.

# %%
table = etable(
    {"Exports (PPML)": gravity, "First BLMA (logit)": adoption},
    labels={
        "ldist": "Log distance",
        "contig": "Contiguity",
        "comlang_off": "Common official language",
        "colony": "Colonial tie",
        "bfta_in_force": "Bilateral FTA in force",
        "pta_in_force": "Plurilateral PTA in force",
        "ltrade": "Log two-way trade (t-1)",
        "lmigrants": "Log migrant stock (t-1)",
    },
    caption="Gravity (2005-2010) and BLMA adoption (1946-2020)",
)
table  # noqa: B018 (shown as HTML in Jupyter; print(table) gives Markdown)

# %% [markdown]
# ## Agreements signed per year by type

# %%
counts = agreements_per_year(polecon.load("agreements"))
fig = plot_agreements_per_year(counts)
png = io.BytesIO()
fig.savefig(png, format="png", dpi=100)  # fig.savefig("file.pdf") keeps it
Image(png.getvalue())
