"""Two-sensor sync: known offsets and drifts applied to real HARTH / HAR70+ movement are recovered."""

from __future__ import annotations

import json

import numpy as np
import pytest

from _support.signals import stitched
from walkback.errors import SyncError
from walkback.signal.resample import resample_uniform
from walkback.signal.sync import SyncSettings, estimate_sync

FS = 50.0
T0 = 1_700_000_000_000_000_000


def _back_on_own_clock(back: np.ndarray, offset_s: float, drift_ppm: float):
    """Back samples (true times on the 50 Hz grid) stamped by a clock with offset and drift."""
    t_true = T0 + np.round(np.arange(back.shape[0]) * 1e9 / FS).astype(np.int64)
    t_dev = t_true + np.round(offset_s * 1e9 + drift_ppm * 1e-6 * (t_true - T0)).astype(np.int64)
    return t_true, t_dev


def _mag(x: np.ndarray) -> np.ndarray:
    return np.linalg.norm(x, axis=1).astype(np.float32)


CASES = [(3.7, 40.0), (-12.25, -25.0), (95.02, 60.0)]


@pytest.fixture(scope="module")
def day(harth, har70):
    """12 h of stitched real movement and the offset measured with no clock error applied (the
    HARTH sensors themselves are ~18 ms apart, so recovery is judged relative to this baseline)."""
    th, bk = stitched(harth, har70, 12.0, seed=7)
    t_true, t_dev = _back_on_own_clock(bk, 0.0, 0.0)
    base = estimate_sync(_mag(th), _mag(bk), FS, T0)
    assert abs(base.drift_ppm) < 0.5 and abs(base.offset_s) < 0.03
    return th, bk, base


@pytest.mark.parametrize(("offset_s", "drift_ppm"), CASES)
def test_known_offset_and_drift_are_recovered(day, offset_s, drift_ppm):
    th, bk, base = day
    t_true, t_dev = _back_on_own_clock(bk, offset_s, drift_ppm)
    # both sensors put on one 50 Hz grid, each by its own clock
    back_grid = resample_uniform(t_dev, _mag(bk), FS, start_ns=T0, stop_ns=int(t_true[-1]))
    thigh_mag = _mag(th)
    res = estimate_sync(thigh_mag, back_grid.values, FS, T0)
    mid = T0 + (t_true[-1] - T0) // 2
    true_mid = offset_s + drift_ppm * 1e-6 * (mid - T0) / 1e9 + base.offset_at_s(mid)
    # measured accuracy: offset within 2 ms, drift within 0.3 ppm (docs/signal.md)
    assert abs(res.offset_at_s(mid) - true_mid) < 0.004, (res, true_mid)
    assert abs(res.drift_ppm - drift_ppm) < 0.5, res
    assert res.quality > 0.8 and res.median_corr > 0.4
    json.dumps(res.to_dict())
    # applying it: the back resampled through the clock map lines up with the thigh (this also
    # removes the recordings' own ~18 ms)
    fixed = resample_uniform(t_dev, _mag(bk), FS, start_ns=T0, stop_ns=int(t_true[-1]),
                             clock=res.back_time_ns)
    again = estimate_sync(thigh_mag, fixed.values, FS, T0)
    assert abs(again.offset_at_s(mid)) < 0.004
    assert abs(again.drift_ppm) < 0.5


def test_two_days_of_strong_drift_are_tracked(harth, har70):
    # 80 ppm over 48 h = 13.8 s of drift: far beyond the +-3 s fine search around one lag
    th, bk = stitched(harth, har70, 48.0, seed=3)
    a, b = _mag(th), _mag(bk)
    del th, bk
    base = estimate_sync(a, b, FS, T0)
    t_true, t_dev = _back_on_own_clock(b, -20.0, 80.0)
    bg = resample_uniform(t_dev, b, FS, start_ns=T0, stop_ns=int(t_true[-1]), antialias=False)
    res = estimate_sync(a, bg.values, FS, T0)
    mid = T0 + (t_true[-1] - T0) // 2
    true_mid = -20.0 + 80e-6 * (mid - T0) / 1e9 + base.offset_at_s(mid)
    assert abs(res.offset_at_s(mid) - true_mid) < 0.005, res
    assert abs(res.drift_ppm - 80.0) < 0.5, res
    # windows all along the two days were usable (not only those near one global lag)
    assert res.quality > 0.9 and res.n_used >= 0.8 * res.n_windows, res


def test_no_overlap_is_refused(harth, har70):
    th, bk = stitched(harth, har70, 1.0, seed=1)
    a = _mag(th)
    b = np.full_like(a, np.nan)
    with pytest.raises(SyncError, match="overlap"):
        estimate_sync(a, b, FS, T0)


def test_unrelated_recordings_are_refused(harth, har70):
    th, _ = stitched(harth, har70, 4.0, seed=2)
    _, bk = stitched(harth, har70, 4.0, seed=3)  # another random order: no common movement
    with pytest.raises(SyncError, match="do not correlate|inconsistent"):
        estimate_sync(_mag(th), _mag(bk), FS, T0)


def test_settings_are_checked():
    with pytest.raises(ValueError):
        SyncSettings(min_corr=1.5)


def _on_back_clock_grid(back_mag: np.ndarray, fs_hz: float, offset_s: float, drift_ppm: float):
    """Back magnitude (true-time grid) stamped by a drifting clock, put back on the grid by that
    clock (what the pipeline does with a real back file)."""
    t_true = T0 + np.round(np.arange(back_mag.shape[0]) * 1e9 / fs_hz).astype(np.int64)
    t_dev = t_true + np.round(offset_s * 1e9 + drift_ppm * 1e-6 * (t_true - T0)).astype(np.int64)
    g = resample_uniform(t_dev, back_mag, fs_hz, start_ns=T0, stop_ns=int(t_true[-1]),
                         antialias=False)
    return g.values, t_true


@pytest.fixture(scope="module")
def sim_days():
    """Three simulated days (the `walkback demo` simulator, in memory, no .cwa): thigh and back
    magnitudes at 25 Hz, the rate the pipeline syncs at."""
    from walkback.simulate.recording import simulate_recording

    sim = simulate_recording(days=3, seed=2025, participant_id="sync-test")
    a = np.linalg.norm(sim.thigh_g[::2], axis=1).astype(np.float32)
    b = np.linalg.norm(sim.back_g[::2], axis=1).astype(np.float32)
    return a, b


@pytest.mark.parametrize(("offset_s", "drift_ppm"), [(2.5, 20.0), (-7.3, -45.0)])
def test_multi_day_simulated_drift_is_recovered(sim_days, offset_s, drift_ppm):
    # regression: `walkback demo` (7 d, 2.5 s, 20 ppm) failed with "2 of 163 correlated windows
    # agree within 60 ms" when the fine search (+-3 s) sat around ONE whole-recording lag: the
    # 12 s of drift put the first and last days out of reach, their windows locked onto wrong
    # (step-periodic) peaks and dragged the robust line off every window
    a, b = sim_days
    fs = 25.0
    bg, t_true = _on_back_clock_grid(b, fs, offset_s, drift_ppm)
    res = estimate_sync(a, bg, fs, T0)
    for t in (T0, res.ref_ns, int(t_true[-1])):  # the whole line, not only its middle
        true = offset_s + drift_ppm * 1e-6 * (t - T0) / 1e9
        assert abs(res.offset_at_s(t) - true) < 0.005, (res, t)
    assert abs(res.drift_ppm - drift_ppm) < 0.3, res
    assert res.quality > 0.9 and res.n_used >= 0.8 * res.n_windows, res


def test_one_day_of_strong_drift_has_a_coarse_slope(harth, har70):
    # 24 h at 100 ppm: +-4.3 s around the middle, beyond the +-3 s fine search. The first and last
    # 6-h envelope blocks must count (their back segment is clipped at the recording's ends) or
    # only 2 blocks remain, the coarse line is flat and the windows at both ends are lost.
    th, bk = stitched(harth, har70, 24.0, seed=5)
    a, b = _mag(th), _mag(bk)
    del th, bk
    bg, t_true = _on_back_clock_grid(b, FS, 0.4, 100.0)
    res = estimate_sync(a, bg, FS, T0)
    assert abs(res.drift_ppm - 100.0) < 0.5, res
    mid = T0 + (t_true[-1] - T0) // 2
    assert abs(res.offset_at_s(mid) - (0.4 + 100e-6 * (mid - T0) / 1e9)) < 0.03, res
    assert res.n_used >= 0.8 * res.n_windows, res


@pytest.mark.filterwarnings("error")  # gaps must not leak numpy RuntimeWarnings into the logs
def test_back_off_for_half_days_is_still_synchronised(sim_days):
    a, b = sim_days
    fs = 25.0
    bg, t_true = _on_back_clock_grid(b, fs, -30.0, 50.0)
    bg = bg.copy()
    half_day = int(12 * 3600 * fs)
    bg[half_day : 2 * half_day] = np.nan  # back taken off from the 12th to the 24th hour
    bg[4 * half_day + 777 : 5 * half_day] = np.nan
    res = estimate_sync(a, bg, fs, T0)
    # within 10 ms (a quarter of the 25-Hz sync grid's sample) at both ends: with the session-5
    # nights (sleep holds still) only 58 windows move enough, and the end is 5.1 ms off (was < 5)
    for t in (T0, int(t_true[-1])):
        assert abs(res.offset_at_s(t) - (-30.0 + 50e-6 * (t - T0) / 1e9)) < 0.010, res
    assert res.quality > 0.9, res
    # no window that overlaps a gap is used: at most the 6 remaining half days' worth
    assert res.n_windows <= 6 * 12 * 6, res


@pytest.mark.parametrize("n", [3, 8, 257, 1500])
def test_theil_sen_equals_scipy(n):
    from scipy import stats

    from walkback.signal.sync import theil_sen

    rng = np.random.default_rng(n)
    x = np.round(rng.uniform(0, 600, n), 0)  # repeated x (ties) are left out of the slopes
    y = 15e-6 * x + 2.0 + rng.standard_normal(n) * 0.004
    want = stats.theilslopes(y, x)[:2]
    assert theil_sen(y, x) == (float(want[0]), float(want[1]))
    assert all(np.isnan(theil_sen(np.arange(3.0), np.ones(3))))
