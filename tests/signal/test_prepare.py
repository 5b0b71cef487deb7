"""prepare(): real two-sensor movement with clock error, flips, gaps and non-wear -> Prepared."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from _support.signals import stitched
from walkback.errors import ReadError, SyncError
from walkback.io.stream import RecordingStream
from walkback.io.types import Channel, Recording, RecordingInfo
from walkback.settings import from_mapping
from walkback.signal import DAYS_COLUMNS, PrepareSettings, prepare

FS = 50.0
# 2025-03-29 20:00 Europe/Oslo (19:00 UTC): the recording runs over the spring DST change
T0 = int(pd.Timestamp("2025-03-29 20:00", tz="Europe/Oslo").tz_convert("UTC").value)
HOURS = 7.0
OFFSET_S, DRIFT_PPM = 2.5, 30.0


def _recording(t_ns, accel, path, temp=None) -> Recording:
    info = RecordingInfo(path=path, format="test", nominal_rate_hz=100.0)
    ch = None
    if temp is not None:
        ch = Channel(t_ns[::100].copy(), temp[::100].astype(np.float32), "degC")
    return Recording(t_ns.astype(np.int64), accel.astype(np.float32), info, temperature=ch)


def _upsample_irregular(x: np.ndarray, rate_hz: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Real 50 Hz signal re-sampled at an irregular ~rate_hz (true times in s from T0)."""
    rng = np.random.default_rng(seed)
    n = int(x.shape[0] / FS * rate_hz)
    t = np.cumsum(np.full(n, 1.0 / rate_hz) * (1 + rng.normal(0, 0.005, n)))
    t = t[t < (x.shape[0] - 1) / FS]
    src = np.arange(x.shape[0]) / FS
    return t, np.stack([np.interp(t, src, x[:, k]) for k in range(3)], 1)


@pytest.fixture(scope="module")
def inputs(harth, har70):
    th, bk = stitched(harth, har70, HOURS, seed=11)
    # thigh: worn inside out; taken off for 2 h onto a table (real sensor noise level, cooling)
    th = th * np.array([1, -1, -1], np.float32)
    a, b = int(3 * 3600 * FS), int(5 * 3600 * FS)
    rng = np.random.default_rng(0)
    th[a:b] = np.array([0, 0, -1], np.float32) + rng.normal(0, 0.003, (b - a, 3))
    # back: upside down
    bk = bk * np.array([-1, -1, 1], np.float32)
    t_th, x_th = _upsample_irregular(th, 95.4, 1)
    t_bk, x_bk = _upsample_irregular(bk, 101.2, 2)
    temp_th = np.where((t_th > 3 * 3600) & (t_th < 5 * 3600),
                       21 + 11 * np.exp(-(t_th - 3 * 3600) / 600), 32.0)
    thigh = _recording(T0 + np.round(t_th * 1e9).astype(np.int64), x_th, "thigh.cwa", temp_th)
    t_dev = t_bk * 1e9 + OFFSET_S * 1e9 + DRIFT_PPM * 1e-6 * t_bk * 1e9
    keep = (t_bk < 6 * 3600) | (t_bk > 6 * 3600 + 600)  # a 10-min gap in the back file
    back = _recording(T0 + np.round(t_dev[keep]).astype(np.int64), x_bk[keep], "back.cwa")
    return thigh, back


def test_prepare_two_sensors(inputs):
    thigh, back = inputs
    p = prepare(thigh, back)
    assert p.fs_hz == 50.0 and p.has_back and p.n == pytest.approx(HOURS * 3600 * FS, abs=2)
    q = p.qc
    json.dumps(q)
    # sync recovered (the HARTH pair itself is ~18 ms apart; see test_sync)
    mid = T0 + int(HOURS / 2 * 3600e9)
    assert abs(q["sync"]["offset_s"] + q["sync"]["drift_ppm"] * 1e-6 * (mid - q["sync"]["ref_ns"])
               / 1e9 - (OFFSET_S + DRIFT_PPM * 1e-6 * HOURS / 2 * 3600) + 0.018) < 0.01
    assert abs(q["sync"]["drift_ppm"] - DRIFT_PPM) < 1.0
    # orientation: thigh inside out relative to HARTH's device axes, back upside down
    assert q["back"]["orientation"]["long_axis_evidence"] == "gait"
    walking_ish = p.thigh_wear & p.back_wear
    assert np.nanmedian(p.back_g[walking_ish, 0]) > 0.8
    assert np.nanmedian(p.thigh_g[walking_ish, 0]) > 0.5
    # non-wear: the table period on the thigh, with its reason
    iv = q["thigh"]["nonwear"]["intervals"]
    assert len(iv) == 1 and iv[0]["reason"].startswith("still and cool")
    assert abs(iv[0]["start_ns"] - (T0 + 3 * 3600e9)) < 61e9
    assert abs(iv[0]["duration_min"] - 120) <= 2
    assert not p.thigh_wear[int(3.1 * 3600 * FS) : int(4.9 * 3600 * FS)].any()
    # the back's 10-min gap is invalid, not interpolated
    g0 = int((6 * 3600 + 30) * FS)
    assert not p.back_valid[g0 : g0 + 500].any() and np.isnan(p.back_g[g0 : g0 + 500]).all()
    assert len(q["back"]["resampling"]["gaps"]) == 1
    assert abs(q["thigh"]["resampling"]["input_rate_hz"] - 95.4) < 0.2
    # days: the night of the DST change, 23-h day, both days partial
    assert list(p.days.columns) == list(DAYS_COLUMNS)
    assert p.days["day_length_h"].tolist() == [24.0, 23.0]
    assert p.days["partial"].all()
    assert p.days["stop_index"].iloc[-1] == p.n


def test_prepare_thigh_only_and_settings_from_toml_mapping(inputs):
    thigh, _ = inputs
    s = from_mapping(PrepareSettings, {"timezone": "UTC", "nonwear": {"min_cool_min": 30.0}})
    p = prepare(thigh, None, s)
    assert not p.has_back and p.back_wear is None
    assert p.timezone == "UTC" and p.days["day_length_h"].tolist() == [24.0, 24.0]
    assert p.qc["back"] == {"present": False}


def test_unsynchronisable_back_is_refused_or_dropped(inputs):
    thigh, back = inputs
    far = Recording(back.time_ns + np.int64(30 * 86400 * 10**9), back.accel_g, back.info)
    with pytest.raises(SyncError, match="thigh.cwa / back.cwa: .*overlap"):
        prepare(thigh, far)
    p = prepare(thigh, far, PrepareSettings(on_sync_error="drop_back"))
    assert not p.has_back and p.qc["sync"]["ok"] is False


def test_prepare_real_axivity_200hz_file(shared_data):
    from walkback import io

    rec = io.read(shared_data / "devices" / "axivity" / "ax3_sample.cwa")
    p = prepare(rec)
    q = p.qc["thigh"]
    json.dumps(p.qc)
    assert abs(q["resampling"]["input_rate_hz"] - rec.info.measured_rate_hz) < 0.5  # ~197 Hz
    assert abs(p.n - rec.duration_s * 50) <= 2 and p.thigh_valid.all()
    # 5 minutes with little stillness: calibration declines with a reason instead of guessing
    assert not q["calibration"]["ok"] and "not enough still data" in q["calibration"]["reason"]
    # orientation is a signed permutation; the low-frequency signal is the device's, re-axed
    m = np.array(q["orientation"]["matrix"])
    raw = rec.accel_g.astype(np.float64) @ m.T
    np.testing.assert_allclose(np.nanmean(p.signal_f32("thigh"), 0), raw.mean(0), atol=0.01)
    assert q["nonwear"]["has_temperature"] and q["nonwear"]["intervals"] == []


@pytest.mark.parametrize("threads", ["1", "2"])
def test_overlapping_uncorrelated_back_is_dropped_alike_on_one_or_two_threads(inputs, monkeypatch,
                                                                              threads):
    """A back that overlaps in time but whose movement is another recording's (time-reversed)
    cannot be synchronised: with two threads its magnitude pass has run beside the thigh's
    calibration; the outcome (dropped back, same thigh) does not depend on it."""
    thigh, back = inputs
    alien = Recording(back.time_ns, np.ascontiguousarray(back.accel_g[::-1]), back.info)
    monkeypatch.setenv("WALKBACK_THREADS", threads)
    p = prepare(thigh, alien, PrepareSettings(on_sync_error="drop_back"))
    monkeypatch.setenv("WALKBACK_THREADS", "1")
    ref = prepare(thigh, None)
    assert not p.has_back and p.qc["sync"]["ok"] is False and "correlate" in p.qc["sync"]["error"]
    assert np.array_equal(p.thigh_g, ref.thigh_g, equal_nan=True)
    assert np.array_equal(p.thigh_wear, ref.thigh_wear)


@pytest.mark.parametrize("threads", ["1", "2"])
def test_back_failing_mid_pass_surfaces_from_prepare(inputs, monkeypatch, threads):
    """A back file that turns out corrupt half-way through the sync pass (run in a second
    thread with two threads) raises its ReadError from prepare, also with drop_back (only a
    SyncError drops the back)."""
    thigh, back = inputs
    half = back.n // 2

    def chunks(_chunk_s):
        yield Recording(back.time_ns[:half], back.accel_g[:half], back.info)
        raise ReadError("back.cwa: block 12345: checksum mismatch")

    info = RecordingStream.from_recording(back).info
    monkeypatch.setenv("WALKBACK_THREADS", threads)
    for mode in ("raise", "drop_back"):
        with pytest.raises(ReadError, match="block 12345"):
            prepare(thigh, RecordingStream(info, chunks), PrepareSettings(on_sync_error=mode))
