"""GLM families: each a small specialisation of :class:`Family` overriding only the inverse
link (mean), its derivatives, the variance function, the deviance and the kernel code of the
fused IRLS update (pyfixest's ``Felogit(Feglm)`` design).

Shapes: every method takes and returns float64 arrays of shape (n,). ``eta`` is the linear
predictor ``x'b + fixed effects (+ offset)``; ``mu = linkinv(eta)`` the conditional mean.
The IRLS weights are ``mu_eta(eta)^2 / variance(mu)`` and the score of row i is
``(y_i - mu_i) mu_eta_i / variance_i`` times its regressors.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

# kernel codes of glm/_kernels.glm_update
LOGIT, CLOGLOG, GAUSSIAN = 0, 1, 2
# the binomial kernels evaluate mu and the weights at eta clipped to this range (mu within
# ~1e-13 of 0 or 1); beyond it the likelihood is flat to machine precision
ETA_CLIP = 30.0


class Family:
    """Exponential-family specification used by :func:`polecon.models.glm.fit`."""

    name: str = ""
    model: str = ""  # results label
    kernel: int = -1  # code for glm_update; -1: the family has its own fast path (Poisson)
    binary: bool = False

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        """d mu / d eta."""
        raise NotImplementedError

    def mu_eta2(self, eta: np.ndarray) -> np.ndarray:
        """d^2 mu / d eta^2 (bias correction, delta-method margins)."""
        raise NotImplementedError

    def variance(self, mu: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def loglik(self, y: np.ndarray, eta: np.ndarray, wt: np.ndarray | None) -> float:
        raise NotImplementedError

    def observed_weight(self, y: np.ndarray, eta: np.ndarray) -> np.ndarray | None:
        """Observed-information weights ``-d^2 loglik_i / d eta^2`` (per unit weight), or
        None when they equal the expected (IRLS) weights, as for canonical links."""
        return None

    def check_y(self, y: np.ndarray, yname: str, index: object, model: str | None = None) -> None:
        """Raise a ValueError naming rows where ``y`` is outside the family's support."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Poisson(Family):
    name, model, kernel = "poisson", "ppml", -1

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        return np.exp(eta)

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        return np.exp(eta)

    def mu_eta2(self, eta: np.ndarray) -> np.ndarray:
        return np.exp(eta)

    def variance(self, mu: np.ndarray) -> np.ndarray:
        return mu

    def check_y(self, y: np.ndarray, yname: str, index: object, model: str | None = None) -> None:
        bad = np.flatnonzero(y < 0)
        if bad.size:
            rows = [index[i] for i in bad[:5]]  # type: ignore[index]
            raise ValueError(
                f"{model or self.model}: dependent variable {yname!r} must be >= 0; negative at "
                f"rows {rows}" + (f" and {bad.size - 5} more" if bad.size > 5 else "")
            )


class Gaussian(Family):
    name, model, kernel = "gaussian", "gaussian", GAUSSIAN

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        return eta

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        return np.ones_like(eta)

    def mu_eta2(self, eta: np.ndarray) -> np.ndarray:
        return np.zeros_like(eta)

    def variance(self, mu: np.ndarray) -> np.ndarray:
        return np.ones_like(mu)


class Binomial(Family):
    """Binary outcomes (0/1); the subclasses fix the link."""

    binary = True

    def variance(self, mu: np.ndarray) -> np.ndarray:
        return mu * (1.0 - mu)

    def check_y(self, y: np.ndarray, yname: str, index: object, model: str | None = None) -> None:
        bad = np.flatnonzero((y != 0) & (y != 1))
        if bad.size:
            rows = [index[i] for i in bad[:5]]  # type: ignore[index]
            vals = sorted({float(v) for v in y[bad[:5]]})
            raise ValueError(
                f"{model or self.model}: the dependent variable {yname!r} must be binary (0/1); "
                f"{bad.size} row(s) have other values, e.g. {vals} at rows {rows}"
            )


class Logit(Binomial):
    name, model, kernel = "binomial(logit)", "logit", LOGIT

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        return expit(eta)

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        m = expit(eta)
        return m * (1.0 - m)

    def mu_eta2(self, eta: np.ndarray) -> np.ndarray:
        m = expit(eta)
        return m * (1.0 - m) * (1.0 - 2.0 * m)

    def loglik(self, y: np.ndarray, eta: np.ndarray, wt: np.ndarray | None) -> float:
        ll = y * eta - np.logaddexp(0.0, eta)
        return float(np.sum(ll if wt is None else wt * ll))


class CLogLog(Binomial):
    """``mu = 1 - exp(-exp(eta))``: the discrete-time proportional-hazards model."""

    name, model, kernel = "binomial(cloglog)", "cloglog", CLOGLOG

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        return -np.expm1(-np.exp(eta))

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        e = np.exp(eta)
        return e * np.exp(-e)

    def mu_eta2(self, eta: np.ndarray) -> np.ndarray:
        e = np.exp(eta)
        return e * np.exp(-e) * (1.0 - e)

    def observed_weight(self, y: np.ndarray, eta: np.ndarray) -> np.ndarray:
        """``mu_eta^2 / V - (y - mu) d(mu_eta / V)/d eta`` with ``mu_eta / V = e^eta / mu``."""
        e = np.exp(np.clip(eta, -30.0, np.log(30.0)))
        mu = -np.expm1(-e)
        g = e / mu  # mu_eta / V
        dg = g * (1.0 - e * (1.0 - mu) / mu)
        return g * e * (1.0 - mu) - (y - mu) * dg

    def loglik(self, y: np.ndarray, eta: np.ndarray, wt: np.ndarray | None) -> float:
        e = np.exp(np.minimum(eta, 700.0))
        ll = np.where(y > 0, np.log(-np.expm1(-np.maximum(e, 1e-300))), -e)
        return float(np.sum(ll if wt is None else wt * ll))


FAMILIES: dict[str, type[Family]] = {
    "poisson": Poisson,
    "gaussian": Gaussian,
    "logit": Logit,
    "cloglog": CLogLog,
}
