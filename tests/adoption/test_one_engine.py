"""The adoption models run on the shared GLM engine, checked on the real BLMA risk set.

``polecon.adoption.fit`` prepares the risk set and calls the IRLS engine of
:mod:`polecon.models.glm`; the oracle here is statsmodels, fitted live to the same rows with the
year effects as dummies: ``Logit``/``GLM(Binomial(CLogLog))`` with ``cov_type="cluster"`` by
pair, whose default small-sample factor G/(G-1)*(N-1)/(N-K) (K counting the year dummies) is
the convention the adoption models state (Stata's ``logit ... i.year, vce(cluster pair)``).
The years are restricted to 1995-2005 to keep the dense statsmodels design small.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import polecon
from polecon.adoption import fit
from polecon.models.adoption import SPECS

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

TERMS = ["colony", "contig", "ldist", "lgdppc_ratio", "lgdp_rich", "lgdp_poor", "t_risk"]


@pytest.fixture(scope="module")
def blma() -> pd.DataFrame:
    rs = polecon.risk_set(polecon.build_panel(cache=True), kind="blma")
    sub = rs.loc[rs["year"].between(1995, 2005)].dropna(subset=["event", *TERMS])
    sub = sub.reset_index(drop=True)
    sub.attrs = dict(rs.attrs)
    return sub


def oracle(sub: pd.DataFrame, link: str) -> tuple[pd.Series, pd.Series]:
    years = sorted(sub["year"].unique())
    x = sub[TERMS].astype(float)
    for y in years:
        x[f"y{y}"] = (sub["year"] == y).astype(float)
    groups = pd.factorize(sub["pair"])[0]
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    if link == "logit":
        res = sm.Logit(sub["event"].astype(float), x).fit(
            disp=0, method="newton", tol=1e-12, maxiter=100, **kw
        )
    else:
        fam = sm.families.Binomial(link=sm.families.links.CLogLog())
        res = sm.GLM(sub["event"].astype(float), x, family=fam).fit(tol=1e-12, maxiter=200, **kw)
        # statsmodels' GLM uses the expected information in the bread; the adoption models
        # (as Stata's cloglog) use the observed one, so compare coefficients only for cloglog
    return res.params[TERMS], res.bse[TERMS]


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_adoption_fit_equals_statsmodels_on_real_blma(blma: pd.DataFrame, link: str) -> None:
    assert blma.groupby("year")["event"].max().min() == 1  # no year is dropped by either
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fit(blma, terms=TERMS, link=link)
    params, bse = oracle(blma, link)
    assert ours.nobs == len(blma)
    assert ours.n_events == {"blma": int(blma["event"].sum())}
    np.testing.assert_allclose(ours.params[TERMS].to_numpy(), params.to_numpy(), atol=1e-6)
    if link == "logit":
        np.testing.assert_allclose(ours.bse[TERMS].to_numpy(), bse.to_numpy(), rtol=1e-4)


def test_default_spec_runs_on_the_glm_engine() -> None:
    """The default BLMA model: every SPECS term estimated, pair-clustered, events counted."""
    rs = polecon.risk_set(polecon.build_panel(cache=True), kind="blma")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit(rs)
        glm = polecon.logit(
            "event ~ " + " + ".join(SPECS["blma"].terms) + " | year",
            rs,
            vcov={"CRV1": "pair"},
            ssc="fixest",
        )
    assert list(res.params.index) == list(SPECS["blma"].terms)
    assert res.nobs == glm.nobs
    np.testing.assert_allclose(res.params.to_numpy(), glm.params[res.params.index], atol=1e-9)
    np.testing.assert_allclose(res.bse.to_numpy(), glm.bse[res.params.index], rtol=1e-9)
