"""The adoption models and the shared GLM engine give the same BLMA hazard model.

``polecon.adoption.fit`` (the stacked model's per-type logit) and ``polecon.logit`` (the IRLS
engine of :mod:`polecon.models.glm`) are fitted to the same real risk set: coefficients agree
to 1e-6. Pair-clustered SEs differ by one named convention: the adoption model follows Stata's
``logit ... i.year, vce(cluster pair)``, ``G/(G-1) * (N-1)/(N-K)`` with K counting the year
dummies, while ``ssc="stata"`` of the GLM engine is the asymptotic ``G/(G-1)`` of ppmlhdfe; so
adoption SE = GLM SE * sqrt((N-1)/(N-K)).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import polecon
from polecon.adoption import fit
from polecon.models.adoption import SPECS

pytestmark = [pytest.mark.realdata, pytest.mark.slow]


def test_adoption_fit_equals_glm_logit() -> None:
    rs = polecon.risk_set(polecon.build_panel(cache=True), kind="blma")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # years without an event are dropped by both
        ours = fit(rs)
        glm = polecon.logit(
            "event ~ " + " + ".join(SPECS["blma"].terms) + " | year",
            rs,
            vcov={"CRV1": "pair"},
            ssc="stata",
        )
    assert ours.nobs == glm.nobs
    np.testing.assert_allclose(ours.params.to_numpy(), glm.params[ours.params.index], atol=1e-6)
    n, k = glm.nobs, len(ours.params) + rs.loc[glm_rows(glm, rs), "year"].nunique()
    factor = np.sqrt((n - 1) / (n - k))
    np.testing.assert_allclose(
        ours.bse.to_numpy(), glm.bse[ours.params.index].to_numpy() * factor, rtol=1e-5
    )


def glm_rows(res: object, rs) -> np.ndarray:  # noqa: ANN001
    """The rows of ``rs`` that the fit used (complete cases in years with an event)."""
    cols = ["event", *SPECS["blma"].terms]
    ok = rs[cols].notna().all(axis=1)
    has_event = rs[ok].groupby("year")["event"].transform("max") > 0
    keep = np.zeros(len(rs), dtype=bool)
    keep[np.flatnonzero(ok.to_numpy())[has_event.to_numpy()]] = True
    return keep


def test_adoption_cloglog_equals_glm_cloglog() -> None:
    """The cloglog link of the block engine against ``polecon.cloglog`` (itself checked against
    statsmodels in tests/models): same coefficients; SEs after the same named convention."""
    rs = polecon.risk_set(polecon.build_panel(cache=True), kind="blma")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fit(rs, link="cloglog")
        glm = polecon.cloglog(
            "event ~ " + " + ".join(SPECS["blma"].terms) + " | year",
            rs,
            vcov={"CRV1": "pair"},
            ssc="stata",
        )
    assert ours.model == "cloglog" and ours.nobs == glm.nobs
    np.testing.assert_allclose(ours.params.to_numpy(), glm.params[ours.params.index], atol=1e-6)
    n, k = glm.nobs, len(ours.params) + rs.loc[glm_rows(glm, rs), "year"].nunique()
    factor = np.sqrt((n - 1) / (n - k))
    np.testing.assert_allclose(
        ours.bse.to_numpy(), glm.bse[ours.params.index].to_numpy() * factor, rtol=1e-5
    )
