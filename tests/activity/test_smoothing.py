"""Temporal smoothers: moving average and HMM forward-backward; the short-bout scenario."""

from __future__ import annotations

import numpy as np

from walkback.activity.compare import short_bouts
from walkback.activity.smoothing import hmm_proba, smooth_proba


def _brute_force(p: np.ndarray, switch: float) -> np.ndarray:
    """Forward-backward with the full transition matrix, one run."""
    m, c = p.shape
    A = np.full((c, c), switch / (c - 1))
    np.fill_diagonal(A, 1 - switch)
    alpha = np.zeros((m, c))
    a = np.full(c, 1 / c) * p[0]
    alpha[0] = a / a.sum()
    for t in range(1, m):
        a = (alpha[t - 1] @ A) * p[t]
        alpha[t] = a / a.sum()
    beta = np.ones(c)
    post = np.zeros((m, c))
    for t in range(m - 1, -1, -1):
        g = alpha[t] * beta
        post[t] = g / g.sum()
        b = A @ (p[t] * beta)
        beta = b / b.sum()
    return post


def test_hmm_equals_matrix_forward_backward():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=40)
    np.testing.assert_allclose(hmm_proba(p, 0.1), _brute_force(p, 0.1), atol=1e-6)
    # a break restarts the chain: the two runs are decoded independently
    b = np.zeros(40, bool)
    b[17] = True
    got = hmm_proba(p, 0.1, b)
    np.testing.assert_allclose(got[:17], _brute_force(p[:17], 0.1), atol=1e-6)
    np.testing.assert_allclose(got[17:], _brute_force(p[17:], 0.1), atol=1e-6)


def test_hmm_removes_an_isolated_flip_and_keeps_a_short_bout():
    walk, run = [0.9, 0.1], [0.1, 0.9]
    flip = np.array([walk] * 5 + [[0.4, 0.6]] + [walk] * 5)
    assert hmm_proba(flip, 0.1).argmax(axis=1).tolist() == [0] * 11
    bout = np.array([walk] * 5 + [run] * 2 + [walk] * 5)
    assert hmm_proba(bout, 0.1).argmax(axis=1).tolist() == [0] * 5 + [1] * 2 + [0] * 5
    assert smooth_proba(bout, 3).argmax(axis=1).tolist() == [0] * 5 + [1] * 2 + [0] * 5
    assert hmm_proba(bout, 0.0) is bout  # no switching model: unchanged


def test_short_bouts_use_every_window_once_in_bouts_of_one_label():
    subject = np.repeat(["a", "b"], 60)
    label = np.tile(np.repeat(["walk", "sit", "run"], 20), 2)
    order, breaks = short_bouts(subject, label, seed=1)
    assert sorted(order.tolist()) == list(range(120))
    assert breaks.sum() == 2 and breaks[0] and breaks[60]
    lab = label[order]
    change = np.flatnonzero(lab[1:] != lab[:-1]) + 1
    lengths = np.diff(np.concatenate([[0], change, [120]]))
    assert lengths.max() <= 24  # two bouts of one label may meet (12 + 12)
    assert len(change) >= 6


def test_moving_average_equals_cumulative_sum_definition():
    from walkback.activity.smoothing import run_bounds

    rng = np.random.default_rng(0)
    for m in (1, 2, 3, 10, 500):
        p = rng.dirichlet(np.ones(5), m).astype(np.float32)
        b = rng.random(m) < 0.2
        first, last = run_bounds(b)
        cs = np.vstack([np.zeros((1, 5)), np.cumsum(p, axis=0, dtype=np.float64)])
        for k in (3, 5, 7):
            idx = np.arange(m)
            lo, hi = np.maximum(idx - k // 2, first), np.minimum(idx + k // 2 + 1, last)
            want = (cs[hi] - cs[lo]) / (hi - lo)[:, None]
            np.testing.assert_allclose(smooth_proba(p, k, b), want, atol=1e-6)
