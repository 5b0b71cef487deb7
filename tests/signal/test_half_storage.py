"""float16 storage of the prepared signals (walkback._half): exact codec, and every stage reading
float16 storage gives what it gives on the same values held as float32."""

from __future__ import annotations

import numpy as np
import pytest

from walkback._half import LUT, encode_array, kernel_view, store, to_float32
from walkback.activity.features import (
    compute_features,
    feature_names,
    inclination,
    orientation_summary,
)
from walkback.errors import SettingsError
from walkback.io.types import Recording, RecordingInfo
from walkback.signal import PrepareSettings, prepare
from walkback.signal._windows import magnitude, window_stats
from walkback.signal.orientation import apply_matrix
from walkback.simulate.recording import simulate_recording
from walkback.walking.gait import measure_gait


def _special_values() -> np.ndarray:
    """Every float16 value, the midpoints between neighbours (ties) and their float32
    neighbours, random values over many octaves, and the edge cases."""
    rng = np.random.default_rng(0)
    every = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)
    pos = np.sort(every[np.isfinite(every) & (every >= 0)])
    mid = ((pos[:-1].astype(np.float64) + pos[1:]) / 2).astype(np.float32)
    near = [np.nextafter(mid, np.float32(np.inf)), np.nextafter(mid, np.float32(-np.inf))]
    wide = (rng.random(200_000) * 2.0 ** rng.integers(-30, 20, 200_000)).astype(np.float32)
    edges = np.array([np.nan, np.inf, -np.inf, 65504, 65519.99, 65520, 1e9, -1e9, 0.0, -0.0,
                      2.0**-25, 2.0**-24, 1.5 * 2.0**-25, 2.0**-26], np.float32)
    return np.concatenate([every, mid, -mid, *near, wide, -wide, edges])


def test_encoding_rounds_exactly_as_numpy():
    v = _special_values()
    with np.errstate(over="ignore"):
        want = v.astype(np.float16)
    got = encode_array(v)
    nan = np.isnan(v)
    assert np.array_equal(got.view(np.uint16)[~nan], want.view(np.uint16)[~nan])
    assert np.isnan(got[nan]).all()
    assert np.array_equal(to_float32(got)[~nan], want.astype(np.float32)[~nan])


def test_decoding_is_exact_and_float32_passes_through():
    codes = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    ref = codes.astype(np.float32)
    fin = np.isfinite(ref)
    assert np.array_equal(to_float32(codes)[fin], ref[fin]) and np.array_equal(LUT[fin], ref[fin])
    a = np.ones((4, 3), np.float32)
    assert to_float32(a) is a and kernel_view(a) is a
    dst = np.zeros((6, 3), np.float32)
    store(dst, 2, a)
    assert dst[2:].sum() == 12 and dst[:2].sum() == 0


def _real_like(seconds: float = 7200.0) -> np.ndarray:
    """Two hours of the simulator's real SELFBACK snippets (50 Hz thigh, g), a NaN gap in it."""
    sim = simulate_recording(days=seconds / 86400, seed=9, start="2024-05-06 09:00")
    g = sim.thigh_g.astype(np.float32)
    g[40_000:40_600] = np.nan
    return g


@pytest.fixture(scope="module")
def pair():
    g32 = encode_array(_real_like()).astype(np.float32)  # float32 holding exactly the half values
    return encode_array(g32), g32


def test_kernels_read_float16_storage_as_its_values(pair):
    g16, g32 = pair
    a, b = window_stats(g16, 250), window_stats(g32, 250)
    for f in ("mean_g", "sd_g", "mag_mean_g", "mag_sd_g", "ok"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    starts = np.arange(0, g32.shape[0] - 250, 125)
    names = feature_names(("thigh", "back"))
    np.testing.assert_array_equal(compute_features(g16, starts, 250, 50.0, back_g=g16, names=names),
                                  compute_features(g32, starts, 250, 50.0, back_g=g32, names=names))
    sparse = starts[::37]  # far-apart windows: only their samples are decoded
    np.testing.assert_array_equal(inclination(g16, sparse, 250), inclination(g32, sparse, 250))
    for x, y in zip(orientation_summary(g16, sparse, 250), orientation_summary(g32, sparse, 250),
                    strict=True):
        np.testing.assert_array_equal(x, y)
    ep = np.arange(0, g32.shape[0] - 250, 250)
    loc = np.ones(ep.shape[0], bool)
    a, b = measure_gait(g16, 50.0, ep, loc, epoch_samples=250), measure_gait(g32, 50.0, ep, loc,
                                                                            epoch_samples=250)
    assert a.steps.sum() > 100  # the snippets walk
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.cadence_spm, b.cadence_spm)


def test_signed_permutation_on_codes_is_exact(pair):
    g16, g32 = pair
    m = [[0, -1, 0], [0, 0, 1], [-1, 0, 0]]
    out = g16.copy()
    apply_matrix(out, m, out=out)
    want = apply_matrix(g32, m)
    np.testing.assert_array_equal(out.astype(np.float32), want)
    rot = np.array([[0.8, -0.6, 0.0], [0.6, 0.8, 0.0], [0.0, 0.0, 1.0]])  # general rotation
    out = g16.copy()
    apply_matrix(out, rot, out=out)
    np.testing.assert_array_equal(out, encode_array(apply_matrix(g32, rot)))


def test_prepare_float16_equals_float32_within_half_an_ulp():
    sim = simulate_recording(days=0.25, seed=9, start="2024-05-06 09:00", back_clock_offset_s=1.0)
    n = sim.thigh_g.shape[0]
    t = sim.start_ns + np.arange(n, dtype=np.int64) * 20_000_000
    info = RecordingInfo(path="thigh.test", format="test", nominal_rate_hz=50.0)
    binfo = RecordingInfo(path="back.test", format="test", nominal_rate_hz=50.0)
    thigh = Recording(t, sim.thigh_g.astype(np.float32), info)
    back = Recording(t + 1_000_000_000, sim.back_g.astype(np.float32), binfo)
    p16 = prepare(thigh, back, PrepareSettings(timezone="Europe/Oslo"))
    p32 = prepare(thigh, back, PrepareSettings(timezone="Europe/Oslo", storage="float32"))
    assert p16.thigh_g.dtype == np.float16 and p32.thigh_g.dtype == np.float32
    for a, b in ((p16.thigh_g, p32.thigh_g), (p16.back_g, p32.back_g)):
        fin = np.isfinite(b)
        assert np.array_equal(np.isfinite(a), fin)
        # two roundings (resampled, then calibrated/rotated): each <= 2^-11 relative; the back's
        # clock fit sees the thigh's rounded magnitude, so its grid may move by microseconds
        err = np.abs(a.astype(np.float32)[fin] - b[fin])
        assert np.all(err <= 2.0**-10 * np.abs(b[fin]) + 1e-5)
        assert np.quantile(err / np.maximum(np.abs(b[fin]), 0.1), 0.999) <= 2.0**-11
    assert np.array_equal(p16.thigh_wear, p32.thigh_wear)
    assert np.array_equal(p16.back_wear, p32.back_wear)
    assert abs(p16.qc["sync"]["offset_s"] - p32.qc["sync"]["offset_s"]) < 1e-4
    assert p16.qc["thigh"]["orientation"] == p32.qc["thigh"]["orientation"]
    np.testing.assert_allclose(np.nanmean(p16.signal_f32("back"), 0), np.nanmean(p32.back_g, 0),
                               atol=1e-4)


def test_storage_setting_is_checked():
    with pytest.raises(SettingsError, match="storage"):
        PrepareSettings(storage="float64")


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("step", [1, 2, 3])
def test_magnitude_kernel_equals_the_float32_expression(dtype, step):
    """The sync's thigh magnitude: compiled, bit-equal to NumPy's float32 x*x + y*y + z*z and
    sqrt on the decoded rows (NaN / inf rows included), for every row step."""
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((100_003, 3)) * 0.7 + [0.0, 0.0, 1.0]).astype(dtype)
    x[100:200] = np.nan
    x[7, 1] = np.inf
    blk = to_float32(np.ascontiguousarray(x[::step]))
    m = blk[:, 0] * blk[:, 0]
    m += blk[:, 1] * blk[:, 1]
    m += blk[:, 2] * blk[:, 2]
    assert np.array_equal(magnitude(x, step), np.sqrt(m), equal_nan=True)
    assert magnitude(x[:0], step).shape == (0,)
