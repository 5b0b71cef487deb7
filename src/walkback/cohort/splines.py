"""Restricted cubic splines with Stata's ``mkspline, cubic`` scaling, and the dose-response curve.

With three knots k1 < k2 < k3 the basis is (study-spec 1.8, Stata ``mkspline ..., cubic nknots(3)``)

    S1(x) = x
    S2(x) = [ (x-k1)+^3 - (x-k2)+^3 (k3-k1)/(k3-k2) + (x-k3)+^3 (k2-k1)/(k3-k2) ] / (k3-k1)^2

where (u)+ = max(u, 0). The knots are the 10th, 50th and 90th percentiles of the analytic sample with
Stata's ``summarize, detail`` rule. The curve is the risk ratio relative to the reference value
(the 10th percentile, as ``xbrcspline ..., ref(p10) eform``):

    RR(x) = exp(b1 (S1(x) - S1(ref)) + b2 (S2(x) - S2(ref)))

with a Wald 95 % CI from the 2x2 (robust) covariance of (b1, b2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from walkback.cohort.poisson import Z975, PoissonResults
from walkback.errors import ModelError


def rcs_basis(x: np.ndarray | Sequence[float], knots: Sequence[float]) -> np.ndarray:
    """Stata-scaled restricted cubic spline basis, shape (n, len(knots) - 1); column 0 is x.

    Implemented for any number of knots >= 3 with Stata's formula (for 3 knots it is the formula in
    the module docstring).
    """
    x = np.asarray(x, dtype=float)
    k = np.asarray(knots, dtype=float)
    if k.ndim != 1 or len(k) < 3 or np.any(np.diff(k) <= 0):
        raise ModelError(f"spline knots must be >= 3 strictly increasing values, got {k.tolist()}")
    nk = len(k)
    out = np.empty((len(x), nk - 1))
    out[:, 0] = x
    kl, kp = k[-1], k[-2]
    scale = (kl - k[0]) ** 2

    def pos3(u: np.ndarray) -> np.ndarray:
        return np.where(u > 0, u, 0.0) ** 3

    for i in range(nk - 2):
        ki = k[i]
        out[:, i + 1] = (
            pos3(x - ki)
            - pos3(x - kp) * (kl - ki) / (kl - kp)
            + pos3(x - kl) * (kp - ki) / (kl - kp)
        ) / scale
    return out


def spline_knots(x: np.ndarray, percentiles: Sequence[float]) -> np.ndarray:
    """Knots at the given percentiles of ``x`` (Stata ``summarize, detail`` rule)."""
    from walkback.cohort.quantiles import stata_percentile

    x = np.asarray(x, dtype=float)
    knots = np.array([stata_percentile(x, p) for p in percentiles], dtype=float)
    if np.any(np.diff(knots) <= 0):
        raise ModelError(
            f"spline knots at percentiles {list(percentiles)} are not distinct ({knots.tolist()}); "
            "the exposure has too few distinct values for a 3-knot spline"
        )
    return knots


def grid(lo: float, hi: float, step: float) -> np.ndarray:
    """Stata numlist ``lo(step)hi``: lo, lo+step, ... up to hi (inclusive within rounding)."""
    if step <= 0:
        raise ModelError(f"grid step must be > 0, got {step}")
    k = int(np.floor((hi - lo) / step + 1e-9)) + 1
    return lo + step * np.arange(k)


def spline_curve(
    result: PoissonResults,
    columns: Sequence[str],
    knots: Sequence[float],
    x: np.ndarray,
    ref: float,
) -> pd.DataFrame:
    """RR(x) relative to ``ref`` with 95 % CI from ``result``'s covariance of the spline columns."""
    idx = [result.index(c) for c in columns]
    b = result.params[idx]
    V = result.cov[np.ix_(idx, idx)]
    D = rcs_basis(x, knots) - rcs_basis([ref], knots)
    lin = D @ b
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", D, V, D), 0.0))
    return pd.DataFrame(
        {
            "x": x,
            "rr": np.exp(lin),
            "ci_low": np.exp(lin - Z975 * se),
            "ci_high": np.exp(lin + Z975 * se),
        }
    )
