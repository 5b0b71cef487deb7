"""Temporal smoothing of window class probabilities.

A centred moving average of the class probabilities over ``k`` consecutive windows (k odd), never
across a break (a gap, non-wear, or a different recording), followed by argmax. It is the
minimum-bout idea in probabilistic form: an isolated window is outvoted by confident neighbours,
while a bout of ``(k + 1) / 2`` or more windows survives. Fully vectorised (cumulative sums), unlike
an HMM Viterbi pass, which needs a Python loop over a week's 120,960 windows.
"""

from __future__ import annotations

import numpy as np


def run_bounds(breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each window, the first and one-past-last index of its run; ``breaks[i]`` True when
    window ``i`` starts a new run (``breaks[0]`` is treated as True)."""
    n = len(breaks)
    b = np.asarray(breaks, dtype=bool).copy()
    if n:
        b[0] = True
    first = np.maximum.accumulate(np.where(b, np.arange(n), 0))
    ends = np.append(np.flatnonzero(b)[1:], n)
    last = ends[np.cumsum(b) - 1]
    return first, last


def smooth_proba(p: np.ndarray, k: int, breaks: np.ndarray | None = None) -> np.ndarray:
    """Centred ``k``-window moving average of probabilities ``p`` (m, c) within runs."""
    if k <= 1 or len(p) == 0:
        return p
    h = k // 2
    m = len(p)
    breaks = np.zeros(m, dtype=bool) if breaks is None else breaks
    first, last = run_bounds(breaks)
    idx = np.arange(m)
    lo = np.maximum(idx - h, first)
    hi = np.minimum(idx + h + 1, last)
    cs = np.vstack([np.zeros((1, p.shape[1])), np.cumsum(p, axis=0, dtype=np.float64)])
    return ((cs[hi] - cs[lo]) / (hi - lo)[:, None]).astype(np.float32)
