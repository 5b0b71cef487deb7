"""Temporal smoothing of window class probabilities.

A centred moving average of the class probabilities over ``k`` consecutive windows (k odd), never
across a break (a gap, non-wear, or a different recording), followed by argmax. It is the
minimum-bout idea in probabilistic form: an isolated window is outvoted by confident neighbours,
while a bout of ``(k + 1) / 2`` or more windows survives. Vectorised (one shifted sum per offset).
:func:`hmm_proba` is the hidden-Markov alternative (forward-backward, compiled loop over windows),
compared in :mod:`walkback.activity.compare` and not used by default.
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
    """Centred ``k``-window moving average of probabilities ``p`` (m, c) within runs (float32;
    sums in float64, one shifted copy per offset: a week's windows need ~15 MB)."""
    if k <= 1 or len(p) == 0:
        return p
    h = k // 2
    m = len(p)
    breaks = np.zeros(m, dtype=bool) if breaks is None else breaks
    first, last = run_bounds(breaks)
    idx = np.arange(m)
    acc = p.astype(np.float64)
    for d in range(1, min(h, m - 1) + 1):
        back = idx[d:] - d >= first[d:]  # window i - d is in i's run
        acc[d:][back] += p[:-d][back]
        ahead = idx[:-d] + d < last[:-d]
        acc[:-d][ahead] += p[d:][ahead]
    cnt = np.minimum(idx + h + 1, last) - np.maximum(idx - h, first)
    acc /= cnt[:, None]
    return acc.astype(np.float32)


def _hmm_kernel():
    from numba import njit

    @njit(cache=True, nogil=True)
    def posterior(p, switch, first):  # pragma: no cover - compiled
        m, c = p.shape
        stay = 1.0 - switch - switch / (c - 1)  # A @ v = stay * v + switch / (c-1) * sum(v)
        move = switch / (c - 1)
        alpha = np.empty((m, c))
        out = np.empty((m, c), dtype=np.float32)
        for t in range(m):
            tot = 0.0
            for k in range(c):
                prior = 1.0 / c if first[t] else stay * alpha[t - 1, k] + move
                alpha[t, k] = prior * max(p[t, k], 1e-12)
                tot += alpha[t, k]
            for k in range(c):
                alpha[t, k] /= tot
        beta = np.ones(c)
        nb = np.empty(c)
        for t in range(m - 1, -1, -1):
            tot = 0.0
            for k in range(c):
                tot += alpha[t, k] * beta[k]
            for k in range(c):
                out[t, k] = alpha[t, k] * beta[k] / tot
            if first[t]:
                beta[:] = 1.0
                continue
            s = 0.0
            for k in range(c):
                nb[k] = max(p[t, k], 1e-12) * beta[k]
                s += nb[k]
            for k in range(c):
                beta[k] = (stay * nb[k] + move * s) / s
        return out

    return posterior


_HMM: list = []


def hmm_proba(p: np.ndarray, switch: float, breaks: np.ndarray | None = None) -> np.ndarray:
    """Posterior class probabilities (m, c) float32 of a hidden Markov chain over windows.

    Each window's classifier probabilities ``p`` are taken as its emission likelihoods (the
    classes were weighted equally in training, so the classifier's prior is flat); between
    consecutive windows of a run the class changes with probability ``switch``, to any other
    class alike; a run (``breaks``) starts from a flat prior. Forward-backward is a loop over
    windows, compiled with numba.
    """
    if len(p) == 0 or switch <= 0:
        return p
    if not _HMM:
        _HMM.append(_hmm_kernel())
    first = np.ones(len(p), bool) if breaks is None else np.asarray(breaks, bool).copy()
    if breaks is None:
        first[1:] = False
    first[0] = True
    return _HMM[0](np.ascontiguousarray(p, dtype=np.float64), float(switch), first)
