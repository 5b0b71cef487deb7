"""ActiGraph .gt3x and GENEActiv .bin readers against independent decodes.

Tolerances: gt3x vs actipy: acceleration 0.0005 g (actipy rounds to 3 decimals), time 0.5 ms
(actipy keeps ms); GENEActiv vs scikit-digital-health: acceleration 5e-5 g (the .npz holds 4
decimals), time exact, light < 1 lux (skdh truncates to integers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from walkback.io import read

IDLE = "example_actigraph_idle_sleep_mode.gt3x"


def test_gt3x_matches_actipy_and_reports_idle_sleep_as_gap(test_data):
    rec = read(test_data / IDLE)
    ref = pd.read_csv(test_data / "example_actigraph_idle_sleep_mode_actipy_every10th.csv")
    assert rec.n == 3870 and rec.info.nominal_rate_hz == 30.0
    np.testing.assert_allclose(rec.accel_g[::10], ref[["x", "y", "z"]], atol=5.01e-4, rtol=0)
    off = int(rec.info.extra["utc_offset_s"] * 1e9)
    assert off == -6 * 3600 * 10**9  # info.txt TimeZone -06:00:00
    assert np.abs(rec.time_ns[::10] + off - ref["time_local_ns"]).max() <= 500_000
    # idle sleep: ~24 s without records, reported and not filled
    assert [round(g["duration_s"]) for g in rec.info.gaps] == [24]
    assert np.all(np.diff(rec.time_ns) > 0)
    assert rec.info.format == "actigraph-gt3x" and rec.info.device_id == "MOS2E17210537"
    assert abs(rec.info.measured_rate_hz - 30) < 1e-6
    assert rec.battery is not None and 3.5 < float(rec.battery.values[0]) < 4.5


def test_gt3x_60hz_record_layout(test_data):
    rec = read(test_data / "example_actigraph.gt3x")
    assert rec.n == 81 * 60 and rec.info.nominal_rate_hz == 60.0
    g = np.linalg.norm(rec.accel_g, axis=1)
    assert 0.9 < float(np.median(g)) < 1.1
    assert rec.info.rejected_blocks == []


def test_geneactiv_matches_skdh(shared_data):
    folder = shared_data / "devices" / "geneactiv"
    rec = read(folder / "gnactv_sample.bin")
    ref = np.load(folder / "gnactv_data.npz")
    assert rec.n == ref["time"].shape[0] == 900
    np.testing.assert_allclose(rec.accel_g, ref["accel"], atol=5.01e-5, rtol=0)
    off = rec.info.extra["utc_offset_s"]
    assert off == -4 * 3600  # header "Time Zone:GMT -04:00"
    np.testing.assert_allclose(rec.time_ns / 1e9 + off, ref["time"], atol=1e-6, rtol=0)
    assert np.abs(rec.light.values - ref["light"]).max() < 1
    np.testing.assert_allclose(np.unique(rec.temperature.values), np.unique(ref["temperature"]),
                               atol=1e-5)


def test_geneactiv_truncated_file_reports_the_cut_page(shared_data):
    rec = read(shared_data / "devices" / "geneactiv" / "GENEActiv_testfile.bin")
    assert rec.n == 16 * 300 and rec.info.nominal_rate_hz == 85.7
    assert rec.info.rejected_blocks == [{"block": 16, "reason": "data line is not 3600 hex digits"}]


def test_geneactiv_explicit_timezone_overrides_header(test_data):
    by_header = read(test_data / "gnactv_sample.bin")
    oslo = read(test_data / "gnactv_sample.bin", timezone="Europe/Oslo")  # May: UTC+2
    np.testing.assert_array_equal(by_header.time_ns - oslo.time_ns, 6 * 3600 * 10**9)
    assert oslo.info.timezone == "Europe/Oslo"


def test_iter_read_of_non_cwa_skips_gaps_and_concatenates(test_data):
    from walkback.io import iter_read

    full = read(test_data / IDLE)
    chunks = list(iter_read(test_data / IDLE, chunk_s=20))
    assert all(c.n > 0 for c in chunks)
    np.testing.assert_array_equal(np.concatenate([c.time_ns for c in chunks]), full.time_ns)
    np.testing.assert_array_equal(np.concatenate([c.accel_g for c in chunks]), full.accel_g)
