"""Resampling onto a uniform grid: accuracy, anti-aliasing, gaps, real data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walkback.errors import InputDataError
from walkback.signal.resample import resample_uniform

T0 = 1_600_000_000_000_000_000


def _irregular_times(n: int, rate_hz: float, jitter: float = 0.01, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = 1e9 / rate_hz * (1 + rng.normal(0, jitter, n))
    return (T0 + np.cumsum(dt)).astype(np.int64)


def _sine(t: np.ndarray, f_hz: float) -> np.ndarray:
    return np.sin(2 * np.pi * f_hz * (t - T0) / 1e9)


def test_sine_from_irregular_95hz_is_exact_on_the_grid():
    t = _irregular_times(60_000, 95.4)
    r = resample_uniform(t, np.stack([_sine(t, 2.0), _sine(t, 7.0)], 1), 50.0)
    tg = r.time_ns()
    assert np.all(np.diff(tg) == 20_000_000)
    assert r.valid.all()
    assert abs(r.input_rate_hz - 95.4) < 0.05
    inner = slice(50, r.n - 50)
    # interpolation between ~95 Hz samples (polynomial, 6 points): well within the linear bound
    # (2 pi f / fs_in)^2 / 8, which the tolerances still allow
    for a, (f, tol) in enumerate(((2.0, 0.005), (7.0, 0.035))):
        err = np.abs(r.values[inner, a] - _sine(tg[inner], f))
        assert err.max() < tol, (f, err.max())


@pytest.mark.parametrize(("fs_in", "f_hz", "keep"), [(50.0, 10.0, 0.98), (50.0, 6.0, 0.995),
                                                     (100.0, 10.0, 0.995), (30.0, 6.0, 0.985)])
def test_movement_band_keeps_its_amplitude_whatever_the_device_rate(fs_in, f_hz, keep):
    """Interpolation must not act as a rate-dependent low-pass: window features (band powers,
    jerk) of the same movement would then differ between devices set to 30, 50 or 100 Hz. Linear
    interpolation kept 81-100 % of a 10 Hz sine from a 50 Hz input (88 % on average) depending on
    where the samples fall between grid points; every offset is tried here."""
    for offset in np.linspace(0.0, 1.0, 8, endpoint=False):
        t = (T0 + np.round((np.arange(int(60 * fs_in)) + offset) * 1e9 / fs_in)).astype(np.int64)
        r = resample_uniform(t, np.stack([_sine(t, f_hz)] * 3, 1), 50.0)
        v = r.values[200:-200, 0]
        amplitude = np.sqrt(2 * np.mean(v * v))
        assert keep <= amplitude <= 1.005, (offset, amplitude)


def test_uneven_spacing_is_interpolated_linearly_not_by_a_swinging_polynomial():
    """A 0.6-s hole among 10-ms steps (below the gap limit, so interpolated): a polynomial through
    the surrounding samples would overshoot inside the hole; the result must stay between the
    hole's edge values, as linear interpolation does. Full-fidelity resampling (the polynomial
    path); grid samples within 0.2 s of the hole's edges are left out, where the low-pass also
    sees the samples outside it."""
    t = T0 + np.arange(400, dtype=np.int64) * 10_000_000
    t[200:] += 600_000_000
    x = np.where(np.arange(400) < 200, 0.0, 1.0) + 0.3 * _sine(t, 3.0)
    r = resample_uniform(t, np.stack([x] * 3, 1), 50.0)
    tg = r.time_ns()
    inside = (tg > t[199] + 200_000_000) & (tg < t[200] - 200_000_000)
    lo, hi = sorted((x[199], x[200]))
    assert inside.sum() >= 9  # 0.2 s in from each edge of the 0.61-s hole: ~10 grid samples
    assert np.all(r.values[inside, 0] >= lo - 1e-6) and np.all(r.values[inside, 0] <= hi + 1e-6)


def test_content_above_output_nyquist_is_suppressed_not_aliased():
    # 40 Hz at 95.4 Hz input would alias to 10 Hz at 50 Hz output without a low-pass.
    t = _irregular_times(60_000, 95.4, jitter=0.001)
    r = resample_uniform(t, _sine(t, 40.0)[:, None], 50.0)
    rms = float(np.sqrt(np.nanmean(r.values[100:-100, 0] ** 2)))
    assert rms < 0.707 * 10 ** (-30 / 20)  # > 30 dB attenuation


def test_long_gap_is_nan_and_short_gap_interpolated():
    t = _irregular_times(30_000, 100.0)
    t[10_000:] += int(5e9)  # 5 s gap: masked
    t[20_000:] += int(0.5e9)  # 0.5 s gap: interpolated
    x = np.ones((t.size, 3))
    r = resample_uniform(t, x, 50.0, max_gap_s=1.0)
    assert len(r.gaps) == 1
    g0, g1 = r.gaps[0]
    assert g0 == t[9_999] and g1 == t[10_000]
    tg = r.time_ns()
    inside = (tg > g0) & (tg < g1)
    assert inside.sum() >= 249
    assert not r.valid[inside].any() and np.isnan(r.values[inside]).all()
    assert r.valid[~inside].all()
    np.testing.assert_allclose(r.values[~inside], 1.0, atol=1e-6)


def test_slower_input_is_interpolated_without_filter():
    t = _irregular_times(3_000, 30.0, jitter=0.0)
    r = resample_uniform(t, _sine(t, 1.0), 50.0)
    assert r.values.ndim == 1
    tg = r.time_ns()
    assert np.nanmax(np.abs(r.values - _sine(tg, 1.0))) < 0.01


def test_real_harth_recording_keeps_mean_and_duration(harth):
    t, thigh, back, _ = harth
    r = resample_uniform(t, thigh, 50.0)
    dur_s = (t[-1] - t[0]) / 1e9
    assert abs(r.n - dur_s * 50) <= 2
    ok = r.valid
    assert ok.mean() > 0.99
    # low-frequency content (posture) unchanged; HARTH S006 has spikes in raw data
    np.testing.assert_allclose(np.median(r.values[ok], 0), np.median(thigh, 0), atol=0.02)
    # the 5-s mean (gravity) is preserved
    np.testing.assert_allclose(np.nanmean(r.values[ok], 0), thigh.mean(0), atol=0.01)


def test_times_going_backwards_are_rejected():
    t = _irregular_times(100, 100.0)
    t[50] = t[10]
    with pytest.raises(InputDataError, match="backwards at sample 50"):
        resample_uniform(t, np.zeros((100, 3)), 50.0)


def test_explicit_start_and_stop_define_the_grid():
    t = _irregular_times(1_000, 100.0)
    start = int(t[0]) - 2_000_000_000
    r = resample_uniform(t, np.ones(1_000), 50.0, start_ns=start, stop_ns=int(t[-1]) + 10**9)
    assert r.start_ns == start
    assert not r.valid[:100].any()  # 2 s before the first sample
    assert r.valid[101:-51].all() and not r.valid[-49:].any()


@settings(max_examples=25, deadline=None)
@given(rate=st.floats(20.0, 210.0), n=st.integers(50, 3_000), fs=st.sampled_from([25.0, 50.0]),
       c=st.floats(-8, 8))
def test_constant_signal_stays_constant_and_duration_is_kept(rate, n, fs, c):
    t = _irregular_times(n, rate, jitter=0.02, seed=n)
    r = resample_uniform(t, np.full((n, 2), c), fs)
    dur_s = (t[-1] - t[0]) / 1e9
    assert abs(r.n - dur_s * fs) <= 1.0 + 1e-6
    assert r.valid.sum() >= r.n - 1
    np.testing.assert_allclose(r.values[r.valid], c, atol=1e-5 * max(1, abs(c)))


def test_magnitude_mode_equals_resampling_the_magnitude(harth):
    t, thigh, _, _ = harth
    a = resample_uniform(t, thigh, 25.0, antialias=False, magnitude=True)
    b = resample_uniform(t, np.linalg.norm(thigh, axis=1), 25.0, antialias=False)
    assert a.values.ndim == 1
    np.testing.assert_allclose(a.values, b.values, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(gap_s=st.floats(1.2, 30.0), at=st.integers(100, 2_000), rate=st.floats(40.0, 120.0))
def test_gaps_are_never_interpolated(gap_s, at, rate):
    t = _irregular_times(3_000, rate, seed=at)
    t[at:] += int(gap_s * 1e9)
    r = resample_uniform(t, np.ones((t.size, 3)), 50.0, max_gap_s=1.0)
    tg = r.time_ns()
    inside = (tg > t[at - 1]) & (tg < t[at])
    assert r.gaps == [(int(t[at - 1]), int(t[at]))]
    assert not r.valid[inside].any() and np.isnan(r.values[inside]).all()
    assert r.valid[~inside].all()
