"""Stata percentile / xtile semantics against hand-computed cases and an exact reference."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walkback.cohort.quantiles import (
    assign_groups,
    stata_percentile,
    stata_percentiles,
    xtile,
)
from walkback.errors import InputDataError


def _reference_percentile(values: list[int], p: int) -> float:
    """Stata's default rule written literally with exact rational arithmetic."""
    xs = sorted(values)
    pos = Fraction(len(xs) * p, 100)
    i = pos.numerator // pos.denominator
    if pos.denominator == 1:
        return (xs[i - 1] + xs[i]) / 2
    return float(xs[i])


def test_ties_integer_position_averages_neighbours():
    x = [1, 2, 2, 2, 3, 4, 4, 5]  # n=8: n*p/100 = 2, 4, 6 (all integers)
    assert stata_percentile(x, 25) == 2.0  # (x2 + x3)/2 = (2+2)/2
    assert stata_percentile(x, 50) == 2.5  # (x4 + x5)/2 = (2+3)/2
    assert stata_percentile(x, 75) == 4.0  # (x6 + x7)/2 = (4+4)/2
    codes, cuts = xtile(x, 4)
    assert cuts.tolist() == [2.0, 2.5, 4.0]
    # values equal to a cut point go to the lower group; group 2 is empty, as in Stata
    assert codes.tolist() == [1, 1, 1, 1, 3, 3, 3, 4]


def test_non_integer_position_takes_next_order_statistic():
    x = [3, 1, 4, 1, 5, 9, 2, 6, 5]  # sorted 1 1 2 3 4 5 5 6 9; n*p/100 = 2.25, 4.5, 6.75
    assert stata_percentiles(x, [25, 50, 75]).tolist() == [2.0, 4.0, 5.0]
    codes, _ = xtile(x, 4)
    assert codes.tolist() == [2, 1, 2, 1, 3, 4, 1, 4, 3]


def test_half_tied_sample_and_differs_from_numpy_linear():
    x = [1, 1, 1, 1, 2, 2, 2, 2]
    codes, cuts = xtile(x, 4)
    assert cuts.tolist() == [1.0, 1.5, 2.0]
    assert codes.tolist() == [1, 1, 1, 1, 3, 3, 3, 3]
    y = [10, 20, 30, 40, 50]  # P = 1.25 -> x2 = 20; numpy's linear rule gives 20 too at 25 ...
    assert stata_percentile(y, 10) == 10.0  # P = 0.5 -> x1
    assert stata_percentile(y, 90) == 50.0  # P = 4.5 -> x5 (numpy linear: 46)
    assert stata_percentile([10, 20, 30, 40], 50) == 25.0  # P = 2 -> mean of x2, x3


def test_missing_values_are_ignored_and_coded_zero():
    x = [np.nan, 4.0, 1.0, 3.0, 2.0, np.nan]
    codes, cuts = xtile(x, 2)
    assert cuts.tolist() == [2.5]
    assert codes.tolist() == [0, 2, 1, 2, 1, 0]


def test_no_values_is_an_input_error():
    with pytest.raises(InputDataError):
        stata_percentile([np.nan, np.nan], 50)


def test_bad_arguments():
    with pytest.raises(ValueError):
        stata_percentile([1, 2, 3], 0)
    with pytest.raises(ValueError):
        xtile([1, 2, 3], 1)


def test_assign_groups_boundaries():
    assert assign_groups([0.9, 1.0, 1.1, 2.0, 2.1], [1.0, 2.0]).tolist() == [1, 1, 2, 2, 3]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=99),
)
def test_matches_exact_reference(values, p):
    assert stata_percentile(values, p) == _reference_percentile(values, p)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), min_size=4, max_size=60))
def test_xtile_groups_are_ordered_and_respect_cuts(values):
    codes, cuts = xtile(values, 4)
    x = np.asarray(values, dtype=float)
    assert codes.min() >= 1 and codes.max() <= 4
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(codes[order]) >= 0)
    for g in range(1, 4):
        assert np.all(x[codes == g] <= cuts[g - 1])
        assert np.all(x[codes > g] > cuts[g - 1])


# Real Stata output (Statalist, 16 Jul 2010, "Why does -centile- provide different results
# compared to -sum- or -pctile-?", https://www.stata.com/statalist/archive/2010-07/msg00878.html):
# `sum X, detail` and `_pctile X, nq(10)` on these 31 values print the percentiles below (the same
# default rule in both commands; -centile- uses another one).
STATALIST_X = [223, 104.3333, 198.3333, 126, 95, 101.3333, 133, 90.66666, 38, 91, 101, 36.5, 101,
               203, 92.5, 149, 142.3333, 89.33334, 105.6667, 123.3333, 136, 240.6667, 162.3333,
               98.66666, 181.6667, 261, 206, 251, 339.3333, 219.3333, 114]
STATALIST_SUMMARIZE = {1: 36.5, 5: 38, 10: 90.66666, 25: 98.66666, 50: 126, 75: 203,
                       90: 240.6667, 95: 261, 99: 339.3333}


def test_matches_stata_summarize_detail_output():
    ps = list(STATALIST_SUMMARIZE)
    got = stata_percentiles(STATALIST_X, ps)
    np.testing.assert_allclose(got, [STATALIST_SUMMARIZE[p] for p in ps], rtol=1e-6)
