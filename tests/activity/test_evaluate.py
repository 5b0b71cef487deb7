"""Scores and smoothing on hand-checkable examples."""

from __future__ import annotations

import numpy as np
import pytest

from walkback.activity.evaluate import binary_f1, per_class, scores
from walkback.activity.smoothing import run_bounds, smooth_proba


def test_per_class_against_hand_values():
    t = np.array(["a", "a", "a", "b", "b", "c"], object)
    p = np.array(["a", "a", "b", "b", "c", "c"], object)
    table, macro, cm = per_class(t, p)
    assert table["a"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert table["b"]["precision"] == 0.5 and table["b"]["recall"] == 0.5
    assert table["c"]["f1"] == pytest.approx(0.6667, abs=1e-4)
    assert macro == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert cm["labels"] == ["a", "b", "c"]
    assert cm["matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_predicted_only_class_does_not_enter_the_macro_average():
    t = np.array(["walking", "walking", "sedentary"], object)
    p = np.array(["walking", "cycling", "sedentary"], object)
    table, macro, _ = per_class(t, p)
    assert table["cycling"]["support"] == 0
    assert macro == pytest.approx((2 / 3 + 1.0) / 2)


def test_scores_all_metrics():
    t = np.array(["walking", "walking", "stairs_up", "running", "sedentary", "standing"], object)
    p = np.array(["walking", "walking", "walking", "running", "sedentary", "walking"], object)
    tp = np.array(["slow", "brisk", "", "", "", ""], object)
    pall = np.array(["slow", "moderate", "slow", "brisk", "slow", "slow"], object)
    pw = np.where(p == "walking", pall, "")
    s = scores(t, p, tp, pw, pall)
    assert s["pace_accuracy"] == 0.5
    assert s["walking_f1"] == pytest.approx(2 * 3 / (3 + 4), abs=1e-4)
    assert s["merged_macro_f1"] == pytest.approx(np.mean([2 * 3 / 7, 1, 1, 0]), abs=1e-4)
    assert set(s) >= {"macro_f1", "merged_macro_f1", "walking_f1", "pace_accuracy", "per_class",
                      "confusion_matrix", "macro_f1_with_pace"}
    assert binary_f1(np.zeros(3, bool), np.zeros(3, bool)) != binary_f1(t == t, t == t)


def test_smoothing_removes_isolated_windows_within_runs_only():
    p = np.tile([0.9, 0.1], (9, 1)).astype(np.float32)
    p[4] = [0.3, 0.7]  # an isolated, uncertain switch
    p[7:] = [0.0, 1.0]  # a new run after a break
    breaks = np.zeros(9, bool)
    breaks[7] = True
    s = smooth_proba(p, 3, breaks)
    assert s.argmax(axis=1).tolist() == [0] * 7 + [1, 1]
    np.testing.assert_allclose(s[7], [0.0, 1.0])  # never averaged across the break
    np.testing.assert_allclose(s.sum(axis=1), 1.0, atol=1e-6)
    assert smooth_proba(p, 1) is p
    first, last = run_bounds(breaks)
    assert first.tolist() == [0] * 7 + [7, 7] and last.tolist() == [7] * 7 + [9, 9]


def test_walking_without_pace_labels_is_not_penalised_and_nan_is_null():
    t = np.array(["walking", "standing"], object)
    p = np.array(["walking", "standing"], object)
    pall = np.array(["slow", "slow"], object)
    s = scores(t, p, np.array(["", ""], object), np.where(p == "walking", pall, ""), pall)
    assert s["macro_f1_with_pace"] == 1.0
    assert s["pace_accuracy"] is None


def test_window_fraction_matches_direct_count():
    from walkback.activity.classify import _window_fraction
    from walkback.activity.features import window_starts

    rng = np.random.default_rng(0)
    mask = rng.random(5_003) < 0.7
    for win, step in ((250, 250), (250, 125), (250, 100)):
        st = window_starts(len(mask), win, step)
        direct = np.array([mask[s : s + win].mean() for s in st])
        np.testing.assert_allclose(_window_fraction(mask, st, win), direct)
