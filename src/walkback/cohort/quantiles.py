"""Percentiles and quantile groups with Stata's exact semantics.

The study cuts walking volume and intensity into quartiles with Stata's ``xtile ..., nquantile(4)``
and places spline knots with ``summarize, detail`` percentiles. Both use Stata's *default*
(non-``altdef``) percentile rule, reproduced here exactly.

Stata's default rule ([D] pctile, "Methods and formulas", https://www.stata.com/manuals/dpctile.pdf;
the same rule is used by ``summarize, detail`` and ``_pctile``, see [R] summarize). For the
``n`` non-missing values sorted ascending, ``x(1) <= ... <= x(n)``, and a percentage ``p`` in
(0, 100), let ``P = n * p / 100`` and ``i = floor(P)``:

* if ``P`` is an integer: the p-th percentile is ``(x(i) + x(i+1)) / 2`` (average of the two
  neighbouring order statistics);
* otherwise: the p-th percentile is ``x(i+1)`` (the next order statistic).

This is the empirical distribution function with averaging (the rule SAS documents as
``PCTLDEF=5``: ``y = (x_j + x_{j+1})/2`` if ``g = 0``, else ``x_{j+1}``, with ``np = j + g``).
It is checked in the tests against real Stata output: ``summarize, detail`` and ``_pctile`` on a
31-value example posted to Statalist (2010-07, msg00878, "Why does -centile- provide different
results compared to -sum- or -pctile-?"), where both commands print the same percentiles (Stata's
``centile`` uses a different, interpolating rule and is not what the study used). It is *not*
numpy's default linear interpolation, and ``pandas.qcut`` bins can differ from it on ties.

``xtile`` puts an observation in group ``g`` when ``x <= c_g`` and ``x > c_{g-1}``, where
``c_1 < ... < c_{n-1}`` are the percentiles at ``100*g/n`` (the manual: "categorizes exp by its
quantiles"; groups are ``(-inf, c_1]``, ``(c_1, c_2]``, ..., ``(c_{n-1}, +inf)``). With heavy ties a
group can be empty, exactly as in Stata.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from walkback.errors import InputDataError

__all__ = ["stata_percentile", "stata_percentiles", "xtile", "xtile_cutpoints", "assign_groups"]

#: Relative tolerance for deciding that ``n * p / 100`` is an integer (guards against binary
#: rounding such as ``30 * 10 / 100`` while never merging genuinely distinct positions, which
#: differ by at least ``1/100`` of an observation for percentages with two decimals).
_INTEGER_TOL = 1e-9


def _clean(x: npt.ArrayLike) -> np.ndarray:
    arr = np.asarray(x, dtype=float).ravel()
    return np.sort(arr[~np.isnan(arr)])


def _percentiles_sorted(xs: np.ndarray, ps: np.ndarray) -> np.ndarray:
    n = xs.size
    if n == 0:
        raise InputDataError("stata_percentile: no non-missing values to take percentiles of")
    if np.any((ps <= 0) | (ps >= 100)):
        raise ValueError(f"percentages must lie strictly between 0 and 100, got {ps.tolist()}")
    pos = n * ps / 100.0
    rounded = np.round(pos)
    is_int = np.abs(pos - rounded) <= _INTEGER_TOL * np.maximum(1.0, pos)
    i = np.where(is_int, rounded, np.floor(pos)).astype(np.int64)  # 1-based count below
    # integer P: mean of x(i) and x(i+1) (1-based) -> xs[i-1], xs[i]; else x(i+1) -> xs[i]
    upper = xs[np.minimum(i, n - 1)]
    lower = xs[np.clip(i - 1, 0, n - 1)]
    return np.where(is_int, (lower + upper) / 2.0, upper)


def stata_percentile(x: npt.ArrayLike, p: float) -> float:
    """The ``p``-th percentile (0 < p < 100) of ``x`` by Stata's default rule.

    Missing values (NaN) are ignored, as Stata ignores missing. Raises
    :class:`~walkback.errors.InputDataError` when ``x`` has no non-missing value.

    >>> stata_percentile([1, 2, 2, 2, 3, 4, 4, 5], 25)   # n*p/100 = 2: (x(2)+x(3))/2
    2.0
    >>> stata_percentile([1, 2, 3, 4, 5], 25)            # 1.25: x(2)
    2.0
    """
    return float(_percentiles_sorted(_clean(x), np.array([float(p)]))[0])


def stata_percentiles(x: npt.ArrayLike, ps: Sequence[float]) -> np.ndarray:
    """Several percentiles at once (one sort); same rule as :func:`stata_percentile`."""
    return _percentiles_sorted(_clean(x), np.asarray(ps, dtype=float))


def xtile_cutpoints(x: npt.ArrayLike, n: int = 4) -> np.ndarray:
    """The ``n - 1`` cut points ``xtile, nquantile(n)`` uses: percentiles at ``100*g/n``."""
    if int(n) != n or n < 2:
        raise ValueError(f"xtile needs an integer number of groups >= 2, got {n!r}")
    ps = 100.0 * np.arange(1, n) / n
    return stata_percentiles(x, ps)


def assign_groups(x: npt.ArrayLike, cutpoints: npt.ArrayLike) -> np.ndarray:
    """Group codes 1..len(cutpoints)+1 with Stata's rule: group g when ``c_{g-1} < x <= c_g``.

    NaN values get code 0 (Stata leaves them missing; 0 is never a valid group).
    """
    arr = np.asarray(x, dtype=float).ravel()
    cuts = np.asarray(cutpoints, dtype=float)
    codes = np.searchsorted(cuts, arr, side="left").astype(np.int64) + 1
    codes[np.isnan(arr)] = 0
    return codes


def xtile(x: npt.ArrayLike, n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Stata ``xtile newvar = x, nquantile(n)``: ``(codes, cutpoints)``.

    ``codes`` is an int64 array (same length as ``x``) with values 1..n; NaN in ``x`` gets 0.
    ``cutpoints`` holds the ``n - 1`` percentiles used (see the module docstring); an observation
    equal to a cut point belongs to the lower group.

    >>> codes, cuts = xtile([1, 2, 2, 2, 3, 4, 4, 5], 4)
    >>> cuts.tolist(), codes.tolist()
    ([2.0, 2.5, 4.0], [1, 1, 1, 1, 3, 3, 3, 4])
    """
    cuts = xtile_cutpoints(x, n)
    return assign_groups(x, cuts), cuts
