"""Streaming: chunked resampling and prepare() from .cwa streams equal the whole-array results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _support.signals import stitched
from walkback import io
from walkback.errors import InputDataError
from walkback.signal import prepare
from walkback.signal.resample import Resampler, grid_length, resample_uniform

T0 = int(pd.Timestamp("2025-06-02 08:00", tz="Europe/Oslo").tz_convert("UTC").value)


def _irregular(n: int, rate_hz: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (T0 + np.cumsum(1e9 / rate_hz * (1 + rng.normal(0, 0.01, n)))).astype(np.int64)


@pytest.fixture(scope="module")
def week_piece(harth):
    """Real HARTH thigh at its own ~100 Hz times, with two gaps (3 s and 40 s)."""
    _, thigh, _, _ = harth
    t = _irregular(thigh.shape[0], 99.6, 3)
    t[3000:] += 3_000_000_000
    t[7000:] += 40_000_000_000
    return t, thigh


def _stream(t, x, cuts, fs, **kw):
    start = kw.pop("start_ns", None)
    ref = resample_uniform(t, x, fs, start_ns=start, **kw)
    r = Resampler(fs, ref.start_ns, ref.n, fs_in_hz=ref.input_rate_hz,
                  max_gap_s=kw.get("max_gap_s", 1.0), clock=kw.get("clock"),
                  antialias=kw.get("antialias", True), magnitude=kw.get("magnitude", False),
                  columns=x.shape[1])
    edges = [0, *sorted(set(cuts)), t.shape[0]]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        r.feed(t[a:b], x[a:b])
    return ref, r.finish()


@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.integers(1, 9999), max_size=12))
def test_chunked_resampling_equals_whole_array(week_piece, cuts):
    # chunk edges anywhere: inside gaps, one-sample chunks, next to the filter's support
    t, x = week_piece
    ref, got = _stream(t, x, cuts, 50.0)
    np.testing.assert_array_equal(got.valid, ref.valid)
    np.testing.assert_allclose(got.values, ref.values, atol=2e-6, equal_nan=True)
    assert got.gaps == ref.gaps and len(got.gaps) == 2
    assert got.input_rate_hz == pytest.approx(ref.input_rate_hz, rel=1e-12)


def test_chunked_resampling_through_a_clock_map_and_magnitude(week_piece):
    t, x = week_piece

    def clock(g):  # device clock 1.7 s ahead, 40 ppm fast
        return g + 1_700_000_000 + np.round((g - T0) * 40e-6).astype(np.int64)

    cuts = list(range(137, t.shape[0], 997))
    ref, got = _stream(t, x, cuts, 50.0, clock=clock, start_ns=int(t[0]) - 2 * 10**9)
    np.testing.assert_array_equal(got.valid, ref.valid)
    np.testing.assert_allclose(got.values, ref.values, atol=2e-6, equal_nan=True)
    # grid sample i is device time t0 - 0.3 s + i * 20 ms: the first 15 precede the first sample
    assert not ref.valid[:15].any() and ref.valid[16:200].all()
    ref, got = _stream(t, x, cuts, 25.0, antialias=False, magnitude=True)
    assert got.values.ndim == 1
    np.testing.assert_allclose(got.values, ref.values, atol=2e-6, equal_nan=True)


def test_times_going_backwards_across_chunks_name_the_sample():
    t = _irregular(500, 100.0, 1)
    r = Resampler(50.0, int(t[0]), grid_length(int(t[0]), int(t[-1]), 50.0), source="x.cwa")
    r.feed(t[:200], np.zeros((200, 3)))
    with pytest.raises(InputDataError, match=r"x\.cwa: sample times go backwards at sample 200"):
        r.feed(t[100:], np.zeros((400, 3)))


@pytest.fixture(scope="module")
def cwa_pair(harth, har70, tmp_path_factory):
    """3 h of real thigh + back movement written as two AX3 files; the back clock is 2.5 s ahead
    and 30 ppm fast and its file has a 10-min gap."""
    th, bk = stitched(harth, har70, 3.0, seed=5)
    d = tmp_path_factory.mktemp("cwa")
    src = np.arange(th.shape[0]) / 50.0

    def write(name, x, rate, seed, clock=None, drop=None):
        rng = np.random.default_rng(seed)
        ts = np.cumsum(np.full(int(src[-1] * rate), 1 / rate) * (1 + rng.normal(0, 0.002)))
        ts = ts[ts < src[-1]]
        y = np.stack([np.interp(ts, src, x[:, k]) for k in range(3)], 1)
        dev = ts if clock is None else clock(ts)
        keep = np.ones(ts.size, bool) if drop is None else ~((ts > drop[0]) & (ts < drop[1]))
        tn = T0 + np.round(dev[keep] * 1e9).astype(np.int64)
        return io.write_cwa(d / name, y[keep], time_ns=tn, temperature_c=31.0)

    thigh = write("thigh.cwa", th * np.array([1, -1, -1], np.float32), 99.7, 1)
    back = write("back.cwa", bk, 100.3, 2, clock=lambda s: s + 2.5 + 30e-6 * s,
                 drop=(5000.0, 5600.0))
    return thigh, back


def test_stream_chunks_and_info_equal_read(cwa_pair):
    thigh, _ = cwa_pair
    rec = io.read(thigh)
    st_ = io.open_stream(thigh)
    assert (st_.info.start_ns, st_.info.stop_ns, st_.n) == (rec.time_ns[0], rec.time_ns[-1], rec.n)
    for _ in range(2):  # every call is a new pass
        parts = list(st_.chunks(600.0))
        assert len(parts) >= 18
        np.testing.assert_array_equal(np.concatenate([p.time_ns for p in parts]), rec.time_ns)
        np.testing.assert_array_equal(np.concatenate([p.accel_g for p in parts]), rec.accel_g)


def test_prepare_from_streams_equals_prepare_from_recordings(cwa_pair):
    thigh, back = cwa_pair
    a = prepare(io.open_stream(thigh), io.open_stream(back))
    b = prepare(io.read(thigh), io.read(back))
    assert a.qc["sync"]["ok"] and abs(a.qc["sync"]["drift_ppm"] - 30) < 3
    assert a.qc["sync"] == b.qc["sync"]
    for name in ("thigh_g", "back_g", "thigh_valid", "back_valid", "thigh_wear", "back_wear"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.days.equals(b.days)
    assert a.qc["back"]["resampling"]["gaps"] == b.qc["back"]["resampling"]["gaps"]
    assert len(a.qc["back"]["resampling"]["gaps"]) == 1
    assert a.qc["thigh"]["nonwear"] == b.qc["thigh"]["nonwear"]


@pytest.mark.parametrize("head", [3, 64, 4096])
def test_chunk_edges_are_joined_from_a_short_head(week_piece, monkeypatch, head):
    # grid samples at a chunk edge come from the carried samples plus the chunk's first `head`
    from walkback.signal import resample

    monkeypatch.setattr(resample, "_HEAD", head)
    t, x = week_piece
    ref, got = _stream(t, x, list(range(700, t.shape[0], 1300)), 50.0)
    np.testing.assert_array_equal(got.valid, ref.valid)
    np.testing.assert_allclose(got.values, ref.values, atol=2e-6, equal_nan=True)
