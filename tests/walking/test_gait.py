"""Steps and cadence on generated gait of known frequency, and on real SELFBACK thigh walking."""

from __future__ import annotations

import numpy as np
import pytest

from walkback.walking import WalkingSettings, measure_gait

FS = 50.0


def _run(g: np.ndarray, settings: WalkingSettings | None = None):
    m = g.shape[0] // 250
    return measure_gait(g, FS, np.arange(m) * 250, np.ones(m, bool), settings, epoch_samples=250)


@pytest.mark.parametrize(("stride_hz", "n"), [(0.75, 45), (0.9, 54), (1.0, 60), (1.08, 65), (1.4, 84)])
def test_exact_step_count_on_generated_gait(gait, stride_hz: float, n: int) -> None:
    g = gait(stride_hz, n, seed=int(stride_hz * 100))
    g = g[: (g.shape[0] // 250) * 250]
    whole = int(np.floor(g.shape[0] / FS * stride_hz))
    r = _run(g)
    assert r.steps.sum() in (2 * whole, 2 * (whole + 1))  # a cut cycle may or may not have its peak
    assert np.nanmedian(r.cadence_spm) == pytest.approx(120 * stride_hz, rel=0.015)


def test_exact_count_whole_cycles_in_whole_epochs(gait) -> None:
    # 1.0 Hz strides, 60 s = exactly 60 strides = 120 steps in 12 epochs of 5 s
    r = _run(gait(1.0, 60, seed=3))
    assert r.steps.sum() == 120
    assert list(r.steps) == [10] * 12
    np.testing.assert_allclose(r.cadence_spm, 120.0, rtol=0.01)


def test_no_steps_outside_locomotion_and_in_still_signal(gait) -> None:
    g = gait(0.9, 60)
    m = g.shape[0] // 250
    loc = np.zeros(m, bool)
    loc[2:6] = True
    r = measure_gait(g, FS, np.arange(m) * 250, loc, epoch_samples=250)
    assert r.steps[~loc].sum() == 0 and np.isnan(r.cadence_spm[~loc]).all()
    assert r.steps[loc].sum() == pytest.approx(0.9 * 20 * 2, abs=2)
    still = np.tile(np.array([[1.0, 0.0, 0.05]], np.float32), (2500, 1))
    still += np.random.default_rng(0).normal(0, 0.01, still.shape).astype(np.float32)
    r = _run(still)
    assert r.steps.sum() <= 2  # noise is aperiodic: at most a stray peak


def test_steps_agree_with_cadence_times_time(gait) -> None:
    rng = np.random.default_rng(7)
    parts = [gait(f, int(f * 40), seed=i) for i, f in enumerate(rng.uniform(0.7, 1.1, 5))]
    parts = [p[: (p.shape[0] // 250) * 250] for p in parts]
    g = np.concatenate(parts)
    r = _run(g)
    expected = np.nansum(r.cadence_spm) * 5 / 60
    assert r.steps.sum() == pytest.approx(expected, rel=0.03)


def test_gaps_end_runs_and_are_skipped(gait) -> None:
    g = gait(1.0, 60, seed=1).copy()
    g[1000:1100] = np.nan
    r = _run(g)
    assert r.steps[4] == 0 and np.isnan(r.cadence_spm[4])
    assert r.steps.sum() >= 100
