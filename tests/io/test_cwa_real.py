"""The .cwa reader against real files and independent decodes (skdh .npz, GGIR CSV exports).

Tolerances, and why:
* acceleration: exact (packed data are integers / 256; the .npz stores float64, the GGIR CSVs
  round to 6 decimals -> 1e-6 g; gyro CSV 6 decimals -> 1e-5 deg/s).
* time vs scikit-digital-health: |dt| < 1.5 sample periods. skdh ignores the fractional-second
  field (up to 1 period off) and spaces each block's samples uniformly from the previous block's
  end (up to ~0.5 period more); walkback follows the fractional timestamps (module docstring of
  walkback.io._cwa_scan). The median difference must stay below 0.6 period (no drift).
* GGIR resamples to the nominal 100 Hz grid by repeating/skipping samples, so each GGIR row must
  equal one of our samples within 2 periods of its time (values exact, positions shifted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.errors import CorruptFileError
from walkback.io import iter_read, read

AX3 = "ax3_testfile.cwa"
AX6 = "ax6_testfile.cwa"
CORRUPT = "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa"


@pytest.mark.parametrize("name, ref, fs", [("ax3_sample.cwa", "ax3_data.npz", 200.0),
                                           ("ax6_sample.cwa", "ax6_data.npz", 100.0)])
def test_matches_scikit_digital_health(shared_data, name, ref, fs):
    folder = shared_data / "devices" / "axivity"
    rec = read(folder / name, timezone="UTC", gyro=True)
    want = np.load(folder / ref)
    assert rec.n == want["time"].shape[0]
    assert rec.info.nominal_rate_hz == fs
    np.testing.assert_allclose(rec.accel_g, want["accel"], atol=1e-6, rtol=0)
    if "gyro" in want.files:
        np.testing.assert_allclose(rec.gyro_dps, want["gyro"], atol=1e-4, rtol=0)
    dt = np.abs(rec.time_ns / 1e9 - want["time"]) * fs
    assert dt.max() < 1.5
    assert np.median(dt) < 0.6
    assert np.all(np.diff(rec.time_ns) > 0)


def test_ax6_matches_ggir_export(test_data):
    rec = read(test_data / AX6, timezone="UTC", gyro=True)
    ref = pd.read_csv(test_data / "ax6_testfile_formatted_timestamps.csv", header=None)
    n = len(ref)
    vals = ref.iloc[:, 1:].to_numpy(float)
    np.testing.assert_allclose(rec.accel_g[:n], vals[:, 0:3], atol=1e-6, rtol=0)
    np.testing.assert_allclose(rec.gyro_dps[:n], vals[:, 3:6], atol=1e-5, rtol=0)
    t_ref = pd.to_datetime(ref[0]).to_numpy().astype("int64")
    assert np.abs(rec.time_ns[:n] - t_ref).max() < 1.1 * 10_000_000  # one period
    assert rec.info.device == "AX6" and rec.info.extra["sample_format"] == "unpacked"


def test_ax3_matches_ggir_resampled_export(test_data):
    rec = read(test_data / AX3, timezone="UTC")
    ref = pd.read_csv(test_data / "ax3_testfile_unix_timestamps.csv", header=None).to_numpy()
    t = (rec.time_ns - rec.time_ns[0]) / 1e9
    for row in ref:
        near = np.flatnonzero(np.abs(t - (row[0] - ref[0, 0])) <= 0.02)
        assert np.any(np.all(rec.accel_g[near] == row[1:].astype(np.float32), axis=1)), row


def test_corrupt_blocks_rejected_exactly(test_data):
    clean = read(test_data / AX3, timezone="UTC")
    rec = read(test_data / CORRUPT, timezone="UTC")
    assert [b["block"] for b in rec.info.rejected_blocks] == [0, 13, 14, 142, 143, 144]
    assert all(b["reason"] == "checksum mismatch" for b in rec.info.rejected_blocks)
    assert rec.info.extra["blocks_in_file"] == 145 and rec.info.n_blocks == 139
    keep = np.r_[1:13, 15:142]
    want = clean.accel_g.reshape(-1, 120, 3)[keep].reshape(-1, 3)
    np.testing.assert_array_equal(rec.accel_g, want)
    # times of surviving blocks agree with the clean file within a tenth of a period
    t_want = clean.time_ns.reshape(-1, 120)[keep].ravel()
    assert np.abs(rec.time_ns - t_want).max() < 1_000_000
    assert len(rec.info.gaps) == 1  # blocks 13-14 missing: a 2.4 s gap


def test_timezone_is_one_fixed_offset(test_data):
    utc = read(test_data / AX3, timezone="UTC")
    oslo = read(test_data / AX3)  # default Europe/Oslo; recorded 2019-02-26: UTC+1
    np.testing.assert_array_equal(utc.time_ns - oslo.time_ns, 3600 * 10**9)
    assert oslo.info.extra["clock"]["utc_offset_s"] == 3600.0
    assert oslo.info.timezone == "Europe/Oslo"


def test_start_stop_and_iter_read_agree_with_full_read(test_data):
    full = read(test_data / AX6, gyro=True)
    a, b = int(full.time_ns[1000]), int(full.time_ns[5000])
    part = read(test_data / AX6, start_ns=a, stop_ns=b, gyro=True)
    np.testing.assert_array_equal(part.time_ns, full.time_ns[1000:5000])
    np.testing.assert_array_equal(part.gyro_dps, full.gyro_dps[1000:5000])
    assert part.info.n_samples == 4000
    chunks = list(iter_read(test_data / AX6, chunk_s=10.0))
    assert len(chunks) > 5
    np.testing.assert_array_equal(np.concatenate([c.time_ns for c in chunks]), full.time_ns)
    np.testing.assert_array_equal(np.concatenate([c.accel_g for c in chunks]), full.accel_g)
    assert sum(c.info.n_samples for c in chunks) == full.n


def test_info_and_channels(test_data):
    rec = read(test_data / AX3)
    info = rec.info
    assert info.format == "axivity-cwa" and info.device == "AX3"
    assert info.n_samples == rec.n == 145 * 120
    assert 95 < info.measured_rate_hz < 101 and info.nominal_rate_hz == 100
    assert info.range_g == 8 and info.start_ns == rec.time_ns[0]
    assert rec.temperature.time_ns.shape == (145,)
    assert 10 < float(np.median(rec.temperature.values)) < 40
    assert 3.0 < float(np.median(rec.battery.values)) < 4.5


def test_header_only_file_has_no_data(tmp_path, test_data):
    p = tmp_path / "hdr.cwa"
    p.write_bytes((test_data / AX3).read_bytes()[:1024])
    with pytest.raises(CorruptFileError, match="no valid data blocks"):
        read(p)


def test_threaded_multi_chunk_decoding_equals_single_pass(test_data, monkeypatch):
    from walkback.io import cwa

    whole = read(test_data / CORRUPT, timezone="UTC")
    monkeypatch.setattr(cwa, "DECODE_CHUNK_BLOCKS", 7)
    monkeypatch.setenv("WALKBACK_IO_THREADS", "2")
    parts = read(test_data / CORRUPT, timezone="UTC")
    np.testing.assert_array_equal(parts.time_ns, whole.time_ns)
    np.testing.assert_array_equal(parts.accel_g, whole.accel_g)
    a, b = int(whole.time_ns[1234]), int(whole.time_ns[9876])
    sub = read(test_data / CORRUPT, timezone="UTC", start_ns=a, stop_ns=b)
    np.testing.assert_array_equal(sub.accel_g, whole.accel_g[1234:9876])
