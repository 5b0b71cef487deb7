"""Stata-scaled restricted cubic spline basis, knots and the dose-response curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.poisson import build_design, fit_poisson
from walkback.cohort.splines import grid, rcs_basis, spline_curve, spline_knots
from walkback.errors import ModelError


def test_basis_hand_computed():
    # knots 1, 2, 4: (k3-k1)^2 = 9, (k3-k1)/(k3-k2) = 3/2, (k2-k1)/(k3-k2) = 1/2
    b = rcs_basis([0.0, 1.0, 1.5, 3.0, 5.0], [1, 2, 4])
    np.testing.assert_allclose(b[:, 0], [0, 1, 1.5, 3, 5])
    expected = [0.0, 0.0, 0.5**3 / 9, (2**3 - 1.5 * 1**3) / 9, (4**3 - 1.5 * 3**3 + 0.5 * 1) / 9]
    np.testing.assert_allclose(b[:, 1], expected, rtol=1e-12)
    assert b[4, 1] == pytest.approx(24 / 9)


def test_basis_is_linear_beyond_last_knot_and_smooth():
    x = np.linspace(4.0, 10.0, 7)
    s2 = rcs_basis(x, [1, 2, 4])[:, 1]
    np.testing.assert_allclose(np.diff(s2, 2), 0, atol=1e-9)
    # continuity at the knots
    for k in (1.0, 2.0, 4.0):
        lo, hi = rcs_basis([k - 1e-6, k + 1e-6], [1, 2, 4])[:, 1]
        assert abs(hi - lo) < 1e-5  # slope <= 1/3 near the knots, step 2e-6


def test_knots_use_stata_percentiles():
    k = spline_knots(np.arange(1, 11, dtype=float), (10, 50, 90))
    np.testing.assert_allclose(k, [1.5, 5.5, 9.5])  # n*p/100 integer -> average neighbours
    k = spline_knots(np.arange(1, 13, dtype=float), (10, 50, 90))
    np.testing.assert_allclose(k, [2.0, 6.5, 11.0])  # 1.2 -> x(2); 6 -> avg; 10.8 -> x(11)
    with pytest.raises(ModelError, match="not distinct"):
        spline_knots(np.r_[np.zeros(50), np.ones(2)], (10, 50, 90))


def test_grid_like_stata_numlist():
    np.testing.assert_allclose(grid(0, 1, 0.25), [0, 0.25, 0.5, 0.75, 1.0])
    g = grid(2.8, 3.5, 0.01)
    assert len(g) == 71 and g[-1] == pytest.approx(3.5)
    assert len(grid(10.1, 11.0, 0.25)) == 4


def test_curve_is_one_at_reference_and_matches_delta_method():
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.uniform(20, 200, n)
    knots = spline_knots(x, (10, 50, 90))
    basis = rcs_basis(x, knots)
    df = pd.DataFrame({"s1": basis[:, 0], "s2": basis[:, 1]})
    risk = 0.25 * np.exp(-0.006 * np.minimum(x, 110))
    y = (rng.random(n) < risk).astype(float)
    res = fit_poisson(y, build_design(df, ["s1", "s2"]))
    xs = np.array([knots[0], 60.0, 150.0])
    c = spline_curve(res, ["s1", "s2"], knots, xs, knots[0])
    assert c.loc[0, "rr"] == pytest.approx(1.0) and c.loc[0, "ci_low"] == pytest.approx(1.0)
    d = rcs_basis([150.0], knots)[0] - rcs_basis([knots[0]], knots)[0]
    b, V = res.params[1:3], res.cov[1:3, 1:3]
    se = np.sqrt(d @ V @ d)
    assert c.loc[2, "rr"] == pytest.approx(np.exp(d @ b))
    assert c.loc[2, "ci_high"] == pytest.approx(np.exp(d @ b + 1.959964 * se), rel=1e-6)
    # the true curve is flat after 110: RR(150) close to RR(110) = exp(-0.006 * (110 - p10))
    assert c.loc[2, "ci_low"] < np.exp(-0.006 * (110 - knots[0])) < c.loc[2, "ci_high"]
