"""walkback._dsp against scipy: the same taps, transfer functions, filtered signals, peaks and
median-filtered flags as the scipy.signal / scipy.ndimage calls it replaces on the process-one
path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import ndimage
from scipy import signal as sps

from _support.synth import thigh_gait
from walkback import _dsp

NAN = float("nan")


# -- FIR low-pass ---------------------------------------------------------------------------------

@pytest.mark.parametrize("numtaps", [1, 2, 5, 12, 13, 25, 37, 61, 98])
@pytest.mark.parametrize(("cutoff", "fs"), [(20.0, 100.0), (20.0, 150.0), (8.0, 60.0), (3.3, 10.0),
                                            (0.2, 50.0), (24.9, 50.0)])
@pytest.mark.parametrize("beta", [0.0, 5.0, 8.6])
def test_firwin_lowpass_equals_scipy(numtaps, cutoff, fs, beta):
    got = _dsp.firwin_lowpass(numtaps, cutoff, fs, beta)
    ref = sps.firwin(numtaps, cutoff, window=("kaiser", beta), fs=fs)
    assert got.shape == (numtaps,) and got.dtype == np.float64
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-15)
    assert np.sum(got) == pytest.approx(1.0, abs=1e-14)  # unit gain at 0 Hz


@pytest.mark.parametrize("fs_in", [30.0, 52.0, 95.4, 100.0, 200.0, 400.0, 1600.0])
def test_resampler_design_unchanged(fs_in):
    from walkback.signal.resample import _HALF_TAPS_PER_L, _design

    L, taps = _design(fs_in, 25.0)
    ref = sps.firwin(2 * _HALF_TAPS_PER_L * L + 1, 0.4 * 25.0, window=("kaiser", 5.0), fs=L * 25.0)
    np.testing.assert_array_equal(taps, ref.astype(np.float32))  # the float32 taps used: identical


@pytest.mark.parametrize(("args", "msg"), [((0, 10.0, 100.0, 5.0), "numtaps"),
                                           ((11, 50.0, 100.0, 5.0), "cutoff"),
                                           ((11, 0.0, 100.0, 5.0), "cutoff")])
def test_firwin_lowpass_rejects(args, msg):
    with pytest.raises(ValueError, match=msg):
        _dsp.firwin_lowpass(*args)


# -- Butterworth band-pass ------------------------------------------------------------------------

CASES = [((0.5, 3.0), 50.0), ((0.5, 10.0), 50.0), ((0.1, 20.0), 50.0), ((1.0, 2.0), 100.0),
         ((0.3, 45.0), 100.0), ((0.5, 3.0), 30.0), ((5.0, 6.0), 25.0)]


def _zpk_response(z, p, k, w):
    """H(e^iw) of a zpk design in factored form (accurate near the zeros at z = +-1, where the
    expanded polynomials of scipy's own sections lose relative precision)."""
    e = np.exp(1j * w)[:, None]
    return k * np.prod(e - z[None, :], axis=1) / np.prod(e - p[None, :], axis=1)


@pytest.mark.parametrize("order", range(1, 9))
@pytest.mark.parametrize(("band", "fs"), CASES)
def test_butter_bandpass_response_equals_scipy(order, band, fs):
    sos, poles = _dsp.butter_bandpass(order, band, fs)
    z, p, k = sps.butter(order, band, btype="bandpass", fs=fs, output="zpk")
    ref_sos = sps.butter(order, band, btype="bandpass", fs=fs, output="sos")
    w = np.linspace(0.0, np.pi, 40_001)[1:-1]
    ref = _zpk_response(z, p, k, w)
    # the transfer function: zeros at +-1, our poles and gain, against scipy's, pointwise (|H|
    # down to ~1e-40 near 0 Hz and Nyquist)
    ours = _zpk_response(np.r_[np.ones(order), -np.ones(order)], poles, sos[0, 0], w)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=0)
    # the sections realise it: their response, evaluated as polynomials (absolute rounding up to
    # ~1e-12 of the unit peak gain near poles close to the unit circle; scipy's sections alike),
    # against both
    got = sps.sosfreqz(sos, worN=w)[1]
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(got, sps.sosfreqz(ref_sos, worN=w)[1], rtol=1e-9, atol=1e-11)
    assert np.abs(sps.sosfreqz(sos, worN=[2 * np.arctan(np.sqrt(np.prod(np.tan(np.pi * np.array(band)
                                                                                / fs))))])[1]) \
        == pytest.approx(1.0, abs=1e-12)  # unit gain at the (pre-warped) geometric centre
    # poles: the same as scipy's, the largest radius too
    np.testing.assert_allclose(np.sort_complex(poles), np.sort_complex(p), rtol=0, atol=1e-13)
    assert abs(np.abs(poles).max() - np.abs(p).max()) < 1e-15
    # structure: one pole pair per section, farthest from the unit circle first; zeros at +-1,
    # double at +1 with the lower-frequency pairs and at -1 with the upper ones
    assert sos.shape == (order, 6)
    np.testing.assert_array_equal(sos[:, 3], 1.0)
    num = sos[:, :3] / sos[:, :1]
    ang = [np.abs(np.angle(np.roots(row[3:]))).mean() for row in sos]
    expect = np.tile([1.0, 0.0, -1.0], (order, 1))
    expect[np.argsort(ang)[: order // 2]] = [1.0, -2.0, 1.0]
    expect[np.argsort(ang)[order - order // 2 :]] = [1.0, 2.0, 1.0]
    np.testing.assert_array_equal(num, expect)
    radius = np.array([np.abs(np.roots(row[3:])).max() for row in sos])
    assert (np.diff(radius) >= -1e-15).all() and (radius < 1).all()


@pytest.mark.parametrize(("band", "fs", "n_real"), [((0.1, 20.0), 50.0, 2), ((0.5, 3.0), 50.0, 2),
                                                     ((1.0, 2.0), 100.0, 0)])
def test_butter_bandpass_odd_order_real_pole_pair(band, fs, n_real):
    """An odd order's real prototype pole gives two real poles when the band is wide relative to
    its centre (one section holds both), else a complex pair; the response test covers both."""
    sos, poles = _dsp.butter_bandpass(3, band, fs)
    assert int((poles.imag == 0).sum()) == n_real
    assert (np.abs(poles) < 1).all()


@pytest.mark.parametrize("band", [(0.0, 3.0), (3.0, 1.0), (1.0, 25.0), (-1.0, 2.0)])
def test_butter_bandpass_rejects(band):
    with pytest.raises(ValueError, match="band"):
        _dsp.butter_bandpass(4, band, 50.0)


# -- sosfilt, sosfilt_zi, sosfiltfilt -------------------------------------------------------------

def _signals(fs: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    g = thigh_gait(1.0, 120, fs=fs).astype(np.float64)
    night = np.cumsum(rng.normal(0, 1e-3, 60_000)) + 0.98  # slow drift around 1 g, small bursts
    night[20_000:20_400] += 0.3 * np.sin(np.arange(400) * 0.7)
    return {"white": rng.normal(0, 1, 30_000), "gait": g[:, 0], "gait_z": g[:, 2], "night": night,
            "step": np.r_[np.zeros(500), np.ones(2000)], "short": rng.normal(0, 1, 7)}


@pytest.mark.parametrize("order", [2, 4, 5, 6, 8])
@pytest.mark.parametrize(("band", "fs"), [((0.5, 3.0), 50.0), ((0.5, 10.0), 50.0), ((0.1, 20.0), 50.0),
                                          ((1.0, 2.0), 100.0), ((0.3, 45.0), 100.0)])
def test_sosfilt_equals_scipy(order, band, fs):
    sos = _dsp.butter_bandpass(order, band, fs)[0]
    ref_sos = sps.butter(order, band, btype="bandpass", fs=fs, output="sos")
    for name, x in _signals(fs).items():
        scale = np.abs(x).max()
        ref = sps.sosfilt(ref_sos, x)
        # the same sections: the same arithmetic as scipy's
        np.testing.assert_allclose(_dsp.sosfilt(ref_sos, x), ref, rtol=0, atol=1e-13 * scale,
                                   err_msg=name)
        # our sections: the same transfer function, rounding apart
        got = _dsp.sosfilt(sos, x)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * scale, err_msg=name)
        # from initial states, with the final states returned
        zi = np.random.default_rng(1).normal(0, 0.1, (order, 2))
        y, zf = _dsp.sosfilt(ref_sos, x, zi=zi)
        ry, rzf = sps.sosfilt(ref_sos, x, zi=zi)
        np.testing.assert_allclose(y, ry, rtol=0, atol=1e-13 * max(scale, 1))
        np.testing.assert_allclose(zf, rzf, rtol=0, atol=1e-13 * max(scale, 1))


def test_sosfilt_leaves_input_unless_told():
    sos = _dsp.butter_bandpass(2, (0.5, 3.0), 50.0)[0]
    x = np.random.default_rng(2).normal(size=100)
    keep = x.copy()
    y = _dsp.sosfilt(sos, x)
    np.testing.assert_array_equal(x, keep)
    y2 = _dsp.sosfilt(sos, x, overwrite_x=True)
    assert y2 is x and np.array_equal(y2, y)
    with pytest.raises(ValueError, match="a0"):
        _dsp.sosfilt(2 * sos, keep)


@pytest.mark.parametrize("kind", ["bandpass", "lowpass", "highpass"])
@pytest.mark.parametrize("order", [2, 4, 6])
def test_sosfilt_zi_equals_scipy(kind, order):
    band = (0.5, 3.0) if kind == "bandpass" else 3.0
    sos = sps.butter(order, band, btype=kind, fs=50.0, output="sos")
    sos[0, :3] *= 0.7  # a gain not in the first section only
    sos[-1, :3] /= 0.7
    ref = sps.sosfilt_zi(sos)
    np.testing.assert_allclose(_dsp.sosfilt_zi(sos), ref, rtol=0, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("order", [1, 2, 4, 6, 8])
@pytest.mark.parametrize("c", [1.0, -0.37])
def test_sosfilt_zi_starts_in_steady_state(order, c):
    sos = _dsp.butter_bandpass(order, (0.5, 3.0), 50.0)[0]
    zi = _dsp.sosfilt_zi(sos)
    y, zf = _dsp.sosfilt(sos, np.full(300, c), zi=c * zi)
    np.testing.assert_allclose(y, 0.0, atol=1e-13)  # a band-pass: no DC, and no start-up step
    np.testing.assert_allclose(zf, c * zi, rtol=0, atol=1e-14 * max(1.0, np.abs(zi).max()))
    ref_sos = sps.butter(order, (0.5, 3.0), btype="bandpass", fs=50.0, output="sos")
    ry = sps.sosfilt(ref_sos, np.full(300, c), zi=c * sps.sosfilt_zi(ref_sos))[0]
    np.testing.assert_allclose(y, ry, atol=1e-12)  # scipy starts flat too (to its rounding)
    # and a constant offset on a signal only shifts nothing: filtered from c * zi as scipy is
    x = c + np.random.default_rng(3).normal(0, 0.1, 2000)
    got = _dsp.sosfilt(sos, x, zi=x[0] * zi)[0]
    ref = sps.sosfilt(ref_sos, x, zi=x[0] * sps.sosfilt_zi(ref_sos))[0]
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9 * np.abs(x).max())


@pytest.mark.parametrize(("band", "fs"), [((0.5, 3.0), 50.0), ((0.5, 3.0), 100.0), ((0.8, 5.0), 60.0)])
def test_gait_filtfilt_equals_scipy_sosfiltfilt(band, fs):
    """The gait stage's compiled zero-phase filter with this design, against scipy's sosfiltfilt
    with scipy's design, on gait and noise segments of several lengths (shorter than the odd
    extension too)."""
    from walkback._half import LUT
    from walkback.walking._gait_kernels import filtfilt_segments
    from walkback.walking.gait import filter_design

    sos, zi, edge, margin = filter_design(fs, band)
    ref_sos = sps.butter(4, band, btype="bandpass", fs=fs, output="sos")
    assert sos.shape == (4, 6) and edge == 27
    assert margin == int(np.ceil(np.log(1e-6) / np.log(np.abs(sps.sos2zpk(ref_sos)[1]).max())))
    rng = np.random.default_rng(4)
    x = np.concatenate([thigh_gait(0.9, 60, fs=fs), rng.normal(1, 0.3, (3000, 3))]).astype(np.float64)
    lo = np.array([0, 500, 2500, 4000, 6000, x.shape[0] - 5])
    hi = np.array([400, 2400, 2520, 5990, 6010, x.shape[0]])
    off = np.concatenate([[0], np.cumsum(hi - lo)])
    out = np.empty((3, int(off[-1])))
    filtfilt_segments(x, LUT, lo, hi, off[:-1], sos, zi, edge, out)
    for k in range(lo.size):
        seg = x[lo[k] : hi[k]]
        ref = sps.sosfiltfilt(ref_sos, seg, axis=0, padlen=min(edge, seg.shape[0] - 1))
        np.testing.assert_allclose(out[:, off[k] : off[k + 1]].T, ref, rtol=0,
                                   atol=1e-9 * np.abs(seg).max(), err_msg=str(k))


# -- find_peaks -----------------------------------------------------------------------------------

def _same_peaks(x, distance, prominence):
    x = np.asarray(x, np.float64)
    got, prom = _dsp.find_peaks(x, distance=distance, prominence=prominence)
    ref, props = sps.find_peaks(x, distance=distance, prominence=prominence)
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(prom, props["prominences"])
    assert got.dtype == np.int64 and prom.dtype == np.float64
    return got


_values = st.one_of(st.integers(0, 4).map(float), st.just(NAN),
                    st.floats(-2.0, 2.0, allow_nan=False, width=32).map(float))


@settings(max_examples=600)
@given(x=st.lists(_values, max_size=120), distance=st.one_of(st.integers(1, 25).map(float),
                                                             st.floats(1.0, 12.0)),
       prominence=st.sampled_from([0.0, 1e-3, 0.5, 1.0, 2.5]))
@example(x=[], distance=1.0, prominence=0.0)
@example(x=[1.0], distance=1.0, prominence=0.0)
@example(x=[0.0, 1.0], distance=1.0, prominence=0.0)
@example(x=[0.0, 1.0, 1.0, 0.0], distance=1.0, prominence=0.0)  # even plateau: left middle
@example(x=[0.0, 2.0, 2.0, 2.0, 0.0], distance=1.0, prominence=0.0)
@example(x=[0.0, 1.0, 1.0, 1.0], distance=1.0, prominence=0.0)  # plateau to the end: no peak
@example(x=[0.0, 1.0, NAN, 1.0, 0.0], distance=1.0, prominence=0.0)  # NaN beside: no peak
@example(x=[1.0, 0.0, 3.0, 0.0, NAN, 0.0, 2.0, 0.0], distance=1.0, prominence=0.0)  # NaN ends bases
@example(x=[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], distance=3.0, prominence=0.0)  # ties
@example(x=[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], distance=2.5, prominence=0.0)  # rounded up
@example(x=[0.0, 3.0, 0.0, 2.0, 0.0, 1.0, 0.0], distance=4.0, prominence=0.0)
@example(x=[0.0, 1.0, 0.5, 1.0005, 0.0], distance=1.0, prominence=1e-3)
def test_find_peaks_equals_scipy(x, distance, prominence):
    _same_peaks(x, distance, prominence)


@pytest.mark.parametrize("seed", range(40))
def test_find_peaks_equals_scipy_long_random(seed):
    """Longer signals: quantised (many plateaus and ties), continuous, and NaN-separated runs."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5000))
    x = rng.integers(0, 8, n).astype(float) if seed % 2 else np.cumsum(rng.normal(size=n))
    if seed % 3 == 0:
        x[rng.random(n) < 0.02] = NAN
    for distance in (1.0, 3.0, 12.5, 40.0):
        for prominence in (0.0, 1e-3, 1.0):
            _same_peaks(x, distance, prominence)


def test_find_peaks_equals_scipy_on_gait_runs():
    """The gait stage's use: a band-passed thigh component of several runs of different cadence,
    separated by NaN, with the gait settings' distance and prominence."""
    fs = 50.0
    sos = _dsp.butter_bandpass(4, (0.5, 3.0), fs)[0]
    parts = []
    for k, (hz, n) in enumerate([(0.8, 30), (1.0, 50), (0.95, 8), (1.2, 70), (0.5, 5)]):
        f = sps.sosfiltfilt(sos, thigh_gait(hz, n, fs=fs, seed=k).astype(np.float64), axis=0)
        parts += [np.full(12, NAN), f[:, 0] - f[:, 0].mean()]
    pc = np.concatenate(parts + [np.full(12, NAN)])
    got = _same_peaks(pc, 12.0, 1e-3)
    assert got.size > 150
    quantised = np.round(pc, 2)  # flat tops and equal heights as well
    _same_peaks(quantised, 12.0, 1e-3)


def test_find_peaks_rejects_distance_below_one():
    with pytest.raises(ValueError, match="distance"):
        _dsp.find_peaks(np.zeros(5), distance=0.5, prominence=0.0)


# -- binary median filter -------------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 8, 18, 19, 20, 59, 60])
def test_binary_median_filter_equals_scipy(size):
    rng = np.random.default_rng(size)
    for n in [1, 2, 3, size - 1, size, size + 1, 50, 1000]:
        if n < 1:
            continue
        for share in (0.0, 0.05, 0.5, 0.95, 1.0):
            x = rng.random(n) < share
            ref = ndimage.median_filter(x.astype(np.uint8), size=size, mode="nearest") > 0
            np.testing.assert_array_equal(_dsp.binary_median_filter(x, size), ref,
                                          err_msg=f"n={n} share={share}")


def test_binary_median_filter_bouts():
    x = np.zeros(60, bool)
    x[10:14] = True  # 4 s: shorter than half of 9 -> removed
    x[30:36] = True  # 6 s: kept, with its edges
    x[50] = True
    got = _dsp.binary_median_filter(x, 9)
    np.testing.assert_array_equal(np.flatnonzero(got), np.arange(30, 36))
    assert _dsp.binary_median_filter(np.zeros(0, bool), 9).size == 0


def test_fast_length_is_the_smallest_5_smooth_length() -> None:
    from walkback._dsp import fast_length

    def smooth(k: int) -> bool:
        for p in (2, 3, 5):
            while k % p == 0:
                k //= p
        return k == 1

    for n in list(range(1, 3000)) + [700_001, 1_048_577]:
        want = next(k for k in range(n, 2 * n + 2) if smooth(k))
        assert fast_length(n) == want, n
