"""Expectations an estimator needs without drawing: normal tails, clipped lognormals, capped Poissons."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(40)  # expectations over a normal, by quadrature
GH_W = _GH_W / _GH_W.sum()


def lognormal_points(median: F64 | float, sigma: float, low: float, high: float) -> F64:
    """Quadrature points of a clipped lognormal, shape (..., 40); weight them with ``GH_W``."""
    return np.asarray(np.clip(np.exp(np.log(np.asarray(median))[..., None] + sigma * GH_X), low, high), np.float64)


def capped_poisson_mean(lam: npt.ArrayLike, cap: npt.ArrayLike) -> F64:
    """E[min(Poisson(lam), cap)], elementwise; ``cap`` (whole numbers) broadcasts against ``lam``."""
    rate = np.asarray(lam, dtype=np.float64)
    caps = np.asarray(cap, dtype=np.int64)
    k = np.arange(int(caps.max(initial=0)))
    logp = (
        -rate[..., None] + k * np.log(np.maximum(rate[..., None], 1e-300)) - np.array([math.lgamma(x + 1) for x in k])
    )
    p = np.exp(logp) * (k < caps[..., None])  # only the terms below each cap
    return np.asarray((p * k).sum(-1) + caps * (1 - p.sum(-1)), dtype=np.float64)


def normal_sf(x: npt.ArrayLike) -> F64:
    """P(Z > x) for a standard normal: Abramowitz and Stegun 7.1.26 (error below 1.5e-7), vectorized."""
    v = np.asarray(x, dtype=np.float64)
    z = np.abs(v) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    upper = 0.5 * poly * np.exp(-z * z)  # P(Z > |x|)
    return np.asarray(np.where(v >= 0, upper, 1.0 - upper), dtype=np.float64)


def demand_tail(mu: F64, var: F64, gap: F64) -> F64:
    """P(demand ≥ gap) for demand of mean ``mu`` and variance ``var`` (normal, continuity-corrected)."""
    sd = np.sqrt(np.maximum(var, 1e-12))
    return np.asarray(np.where(mu > 0, normal_sf((gap - 0.5 - mu) / sd), 0.0), dtype=np.float64)
