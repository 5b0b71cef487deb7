"""CSV readers on the real HARTH / HAR70+ / SELFBACK samples and on crafted bad files."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from walkback.errors import InputDataError
from walkback.io import read, read_csv, read_harth_csv, read_selfback_csv


def test_harth_two_sensors_with_labels(shared_data):
    path = shared_data / "harth-samples" / "harth_S006_sample.csv"
    recs = read_harth_csv(path)
    raw = pd.read_csv(path)
    assert set(recs) == {"back", "thigh"}
    for sensor, rec in recs.items():
        assert rec.n == len(raw) == 10_000
        want = raw[[f"{sensor}_{a}" for a in "xyz"]].to_numpy(np.float32)
        np.testing.assert_array_equal(rec.accel_g, want)
        assert rec.info.nominal_rate_hz == 100.0 and rec.info.format == "csv-harth"
        assert rec.info.timezone == "UTC"
    t0 = int(np.datetime64("2019-01-12T00:00:00", "ns").astype(np.int64))
    assert recs["back"].time_ns[0] == t0 and recs["back"].time_ns[1] - t0 == 10_000_000
    names = dict(zip(raw["label"], recs["thigh"].labels, strict=True))
    assert names == {6: "standing", 3: "shuffling", 1: "walking"}
    # this older file version has holes in time: they are reported, never filled
    assert all(g["duration_s"] > 0.02 for g in recs["back"].info.gaps)
    assert len(recs["back"].info.gaps) > 0


def test_har70plus_rate_and_labels(shared_data):
    recs = read_harth_csv(shared_data / "harth-samples" / "har70plus_501_sample.csv")
    assert recs["thigh"].info.nominal_rate_hz == 50.0
    assert set(recs["thigh"].labels) == {"sitting", "standing", "walking", "shuffling"}


def test_selfback_gz_read_by_content(shared_data):
    path = shared_data / "selfback-thigh" / "walk_fast" / "026.csv.gz"
    rec = read(path)
    raw = pd.read_csv(path)
    assert rec.info.format == "csv-selfback" and rec.n == len(raw)
    np.testing.assert_array_equal(rec.accel_g, raw[["x", "y", "z"]].to_numpy(np.float32))
    assert set(rec.labels) == {"walk_fast"}
    assert 95 < rec.info.measured_rate_hz < 105
    assert np.all(np.diff(rec.time_ns) >= 0)


def test_generic_csv_numeric_times_and_scale(tmp_path):
    p = tmp_path / "g.csv"
    t = 1_700_000_000 + np.arange(500) / 25
    df = pd.DataFrame({"ts": t, "ax": 9.80665, "ay": 0.0, "az": -9.80665, "act": "walk"})
    df.to_csv(p, index=False)
    rec = read_csv(p, time_column="ts", time_unit="s", axis_columns=("ax", "ay", "az"),
                   scale=1 / 9.80665, label_column="act")
    np.testing.assert_allclose(rec.accel_g[0], [1, 0, -1], atol=1e-6)
    assert rec.info.nominal_rate_hz == 25.0 and rec.labels[0] == "walk"
    assert abs(rec.time_ns[-1] - int(round(t[-1] * 1e9))) < 1000


def test_generic_csv_local_times_take_one_offset(tmp_path):
    p = tmp_path / "l.csv"
    times = pd.date_range("2024-03-31 01:00", periods=4 * 3600, freq="1s")  # over the DST change
    pd.DataFrame({"time": times.strftime("%Y-%m-%d %H:%M:%S"), "x": 0, "y": 0, "z": 1}).to_csv(
        p, index=False)
    rec = read_csv(p, timezone="Europe/Oslo", rate_hz=1)
    assert rec.info.extra["utc_offset_s"] == 3600.0
    assert np.all(np.diff(rec.time_ns) == 10**9)


@pytest.mark.parametrize("body, match", [
    ("time,x,y,z\n2020-01-01 00:00:00,1,0,0\n2020-01-01 00:00:01,1,oops,0\n",
     "row 3, column 'y'"),
    ("time,x,y,z\n2020-01-01 00:00:01,1,0,0\n2020-01-01 00:00:00,1,0,0\n",
     "row 3, column 'time': time goes backwards"),
    ("time,x,y\n2020-01-01 00:00:00,1,0\n", "missing column"),
    ("time,x,y,z\nnot a time,1,0,0\n", "row 2, column 'time'"),
    ("time,x,y,z\n", "no data rows"),
])
def test_bad_csv_is_named_precisely(tmp_path, body, match):
    p = tmp_path / "bad.csv"
    p.write_text(body)
    with pytest.raises(InputDataError, match=match):
        read_selfback_csv(p)


def test_unknown_harth_code_warns(tmp_path):
    p = tmp_path / "h.csv.gz"
    rows = "".join(f"2020-01-01 00:00:00.{i:02d}0,0,0,1,1,0,0,{c}\n"
                   for i, c in enumerate([6, 6, 99, 7]))
    with gzip.open(p, "wt") as fh:
        fh.write("timestamp,back_x,back_y,back_z,thigh_x,thigh_y,thigh_z,label\n" + rows)
    recs = read_harth_csv(p)
    assert list(recs["back"].labels) == ["standing", "standing", "code_99", "sitting"]
    assert "99" in recs["back"].info.warnings[0]
    with pytest.raises(InputDataError, match="read_harth_csv"):
        read(p)


def test_wall_clock_csv_across_autumn_dst(tmp_path):
    utc = pd.date_range("2024-10-27 00:00", "2024-10-27 02:00", freq="1min", tz="UTC",
                        inclusive="left")
    local = utc.tz_convert("Europe/Oslo").tz_localize(None)  # 02:00-02:59 appears twice
    p = tmp_path / "wall.csv"
    pd.DataFrame({"time": local.strftime("%Y-%m-%d %H:%M:%S"), "x": 0, "y": 0, "z": 1}).to_csv(
        p, index=False)
    with pytest.raises(InputDataError, match="time goes backwards"):
        read_csv(p, timezone="Europe/Oslo")  # a device clock never goes back: refused
    rec = read_csv(p, timezone="Europe/Oslo", clock="wall")
    np.testing.assert_array_equal(rec.time_ns, utc.as_unit("ns").asi8)
    assert rec.info.extra["utc_offset_s"] is None
