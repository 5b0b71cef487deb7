"""Simulated recordings: schedule, smooth stitching, truth tables, files, determinism, DST."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.simulate.recording import THIGH_DEVICE_SIGN, simulate_recording, write_recording
from walkback.walking import DAILY_COLUMNS


@pytest.fixture(scope="module")
def sim():
    return simulate_recording(days=1, seed=11, start="2024-05-06 10:00")


def test_truth_daily_is_consistent(sim) -> None:
    d = sim.truth_daily
    assert list(d.columns) == list(DAILY_COLUMNS)
    assert d.date.tolist() == ["2024-05-06", "2024-05-07"] and d.partial_day.all()
    total = d[["lying_s", "sitting_s", "standing_s", "walking_s", "running_s"]].sum(axis=1)
    assert total.sum() == pytest.approx(86400, abs=5)
    np.testing.assert_allclose(d.walking_s, d.walk_slow_s + d.walk_moderate_s + d.walk_brisk_s)
    assert 20 * 60 < d.walking_s.sum() < 5 * 3600
    assert (d.lying_s > 3 * 3600).any()  # a night's sleep
    ep = sim.truth_epochs
    # steps counted on the stitched walking agree with cadence x time
    loco = ep[ep.study_class.isin(["walking", "running"]) & ep.cadence_spm.notna()]
    assert loco.steps.sum() == pytest.approx(loco.cadence_spm.sum() * 5 / 60, rel=0.05)
    walk = ep[ep.study_class == "walking"].cadence_spm
    assert 85 < walk.median() < 135


def test_schedule_follows_local_time(sim) -> None:
    ep = sim.truth_epochs
    hour = ep.time.dt.tz_convert("Europe/Oslo").dt.hour
    assert (ep.activity[(hour >= 1) & (hour < 5)] == "lying").all()
    assert set(ep.source_label) >= {"sitting", "standing", "walk_slow", "walk_mod", "walk_fast"}


def test_junctions_are_crossfaded_not_stepped() -> None:
    from walkback.simulate._recording_snippets import SELFBACK_CLASSES, SnippetLibrary
    from walkback.simulate._recording_stitch import stitch

    # constant "snippets": any step at a junction would be a jump of up to 1.4 g in one sample
    up = {"sitting": (0, 0, 1), "lying": (0, 1, 0), "standing": (1, 0, 0)}
    lib = SnippetLibrary({a: [("x", np.tile(np.array(up.get(a, (1, 0, 0)), np.float32), (2250, 1)))]
                          for a in SELFBACK_CLASSES}, "test")
    blocks = [("sitting", 100.0), ("standing", 100.0), ("lying", 100.0), ("sitting", 100.0)]
    thigh, back, codes = stitch(blocks, lib, np.random.default_rng(0), fade_s=1.0, noise_g=0.0)
    jump = np.abs(np.diff(thigh, axis=0)).max()
    assert jump <= np.pi / 2 / 49 + 1e-6  # raised-cosine over 1 s (50 samples)
    assert np.abs(np.diff(back, axis=0)).max() < 0.05
    np.testing.assert_array_equal(np.bincount(codes), [100 * 50, 200 * 50, 100 * 50])


def test_same_seed_same_recording() -> None:
    a = simulate_recording(days=0.05, seed=5)
    b = simulate_recording(days=0.05, seed=5)
    c = simulate_recording(days=0.05, seed=6)
    np.testing.assert_array_equal(a.thigh_g, b.thigh_g)
    assert not np.array_equal(a.thigh_g, c.thigh_g)


def test_dst_day_in_truth() -> None:
    s = simulate_recording(days=1.2, seed=2, start="2024-10-26 22:00")
    d = s.truth_daily.set_index("date")
    assert d.loc["2024-10-27", "day_length_s"] == 90000
    assert not d.loc["2024-10-27", "partial_day"]
    assert d.loc["2024-10-27", "wear_s"] == pytest.approx(90000, abs=5)


def test_write_and_read_back(tmp_path) -> None:
    from walkback.io import read

    s = simulate_recording(days=0.05, seed=1, back_clock_offset_s=3.0)
    out = write_recording(s, tmp_path / "sim")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["back.cwa", "simulation.json", "thigh.cwa", "truth_daily.csv", "truth_epochs.parquet"]
    thigh = read(out / "thigh.cwa")
    assert thigh.n == s.thigh_g.shape[0] * 2
    assert thigh.time_ns[0] == s.start_ns
    dev = thigh.accel_g[::2][:2000]
    want = (s.thigh_g * THIGH_DEVICE_SIGN)[:2000]
    assert np.median(np.abs(dev - want)) < 0.02  # AX3 packed resolution and upsampling
    assert 30 < float(np.median(thigh.temperature.values)) < 34
    back = read(out / "back.cwa")
    assert back.time_ns[0] - s.start_ns == 3_000_000_000
    truth = pd.read_parquet(out / "truth_epochs.parquet")
    assert str(truth.time.dt.tz) == "UTC" and len(truth) == len(s.truth_epochs)
    assert pd.read_csv(out / "truth_daily.csv").walking_s.sum() == s.truth_daily.walking_s.sum()


def test_walking_share_and_errands_shape_the_schedule() -> None:
    from walkback.errors import SettingsError
    from walkback.simulate._recording_schedule import WALKING_SHARE, schedule

    start = pd.Timestamp("2024-05-06 00:00", tz="Europe/Oslo").value

    def walks(**kw):
        b = schedule(start, 7, "Europe/Oslo", np.random.default_rng(3), **kw)
        assert sum(d for _, d in b) == pytest.approx(7 * 86400)
        return [d for a, d in b if a.startswith("walk")]

    # the defaults are the historical schedule, draw for draw (figures from the session-3 code)
    hist = schedule(start, 2, "Europe/Oslo", np.random.default_rng(3))
    assert len(hist) == 133 and hist[:3] == [("lying", 3645.0), ("lying", 1595.0), ("lying", 3019.0)]
    assert sum(d for a, d in hist if a.startswith("walk")) == 11810
    assert hist == schedule(start, 2, "Europe/Oslo", np.random.default_rng(3), walking_share=WALKING_SHARE,
                            intermittent=0.0)
    usual, busy = walks(), walks(walking_share=0.65, intermittent=0.7)
    assert 60 < sum(usual) / 60 / 7 < 130 and 200 < sum(busy) / 60 / 7 < 320  # min per 24 h
    assert len(busy) > 3 * len(usual)  # errands: many short walks
    assert np.median(busy) <= 40 < np.median(usual)
    for bad in ({"walking_share": 1.0}, {"intermittent": -0.1}):
        with pytest.raises(SettingsError):
            schedule(start, 1, "Europe/Oslo", np.random.default_rng(0), **bad)
