"""Loaders: labels, preparation like real recordings, orientation robustness, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from walkback.activity import datasets
from walkback.activity.evaluate import evaluate_model
from walkback.activity.settings import ActivitySettings
from walkback.errors import InputDataError

# proper rotations of the device: upside down, inside out, 90 degrees about the long axis
ROTATIONS = {
    "upside_down": np.diag([-1.0, -1.0, 1.0]),
    "inside_out": np.diag([1.0, -1.0, -1.0]),
    "rot90_long_axis": np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]]),
}


def test_selfback_segments_are_canonical(selfback_segments):
    by = {s.name.split("/")[-2]: s for s in selfback_segments if s.subject.endswith("026")}
    assert len(by) == 9
    stand = np.nanmean(by["standing"].thigh_g, axis=0)
    sit = np.nanmean(by["sitting"].thigh_g, axis=0)
    assert stand[0] > 0.9  # x up the thigh reads +1 g upright (raw SELFBACK reads -1 g)
    assert sit[2] > 0.9  # z out of the front of the thigh reads +1 g sitting
    assert by["walk_fast"].pace[0] == "brisk" and by["jogging"].activity[0] == "running"
    assert by["standing"].fs_hz == 50.0


def test_harth_labels_and_both_sensors(harth_segments):
    har = next(s for s in harth_segments if "har70plus" in s.subject)
    assert set(har.activity) >= {"sitting", "standing", "walking", "shuffling"}
    up = har.activity == "standing"
    assert np.nanmean(har.thigh_g[up, 0]) > 0.9 and np.nanmean(har.back_g[up, 0]) > 0.8
    assert np.nanmean(har.thigh_g[har.activity == "sitting", 2]) > 0.8


@pytest.mark.parametrize("name", sorted(ROTATIONS))
def test_orientation_robustness(selfback_root, tiny_model, name):
    """A rotated sensor gives the same canonical signal and the same accuracy after preparation."""
    subj = ["062"]
    orig = datasets.load_selfback(selfback_root, subjects=subj)
    rot = datasets.load_selfback(selfback_root, subjects=subj, transform=ROTATIONS[name])
    for a, b in zip(orig, rot, strict=True):
        np.testing.assert_allclose(a.thigh_g, b.thigh_g, atol=1e-5)
    s = ActivitySettings()
    m0 = evaluate_model(tiny_model, datasets.windows_from_segments(orig), s)
    m1 = evaluate_model(tiny_model, datasets.windows_from_segments(rot), s)
    assert m1["macro_f1"] == m0["macro_f1"]
    assert m1["confusion_matrix"] == m0["confusion_matrix"]


def test_window_labels_drop_transitions(harth_segments):
    ws = datasets.windows_from_segments(harth_segments, ("thigh", "back"), 5.0, 5.0)
    assert ws.X.shape[1] == len(ws.feature_names) and np.isfinite(ws.X).all()
    assert set(ws.subject) == {s.subject for s in harth_segments}
    for seg in harth_segments:  # every kept window's label covers >= 80 % of its samples
        for st, lab in zip(ws.start[ws.subject == seg.subject],
                           ws.activity[ws.subject == seg.subject], strict=True):
            assert np.mean(seg.activity[st : st + 250] == lab) >= 0.8


def test_bad_input_names_the_file(tmp_path):
    with pytest.raises(InputDataError, match="no SELFBACK files"):
        datasets.load_selfback(tmp_path)
    (tmp_path / "walk_slow").mkdir()
    p = tmp_path / "walk_slow" / "001.csv"
    p.write_text("time,x,y\n2020-01-01 00:00:00,1,2\n")
    with pytest.raises(InputDataError, match=r"001\.csv.*missing column"):
        datasets.load_selfback(tmp_path)
    p.write_text("time,x,y,z\nnot-a-time,1,2,3\nalso-not,1,2,3\n")
    with pytest.raises(InputDataError, match=r"001\.csv: row 2, column 'time'"):
        datasets.load_selfback(tmp_path)
    with pytest.raises(InputDataError, match="unknown dataset format"):
        datasets.load(tmp_path, "parquet")


@pytest.mark.parametrize("rate", [50.0, 25.0])
def test_as_device_rate_keeps_movement_below_the_new_nyquist(rate):
    """The device-rate simulation used by the rate-robustness check: uniform times at the new
    rate over the same span, movement well below the new Nyquist frequency kept, content above it
    removed (not aliased)."""
    t = 1_600_000_000_000_000_000 + np.round(np.arange(6_000) * 1e9 / 99.7).astype(np.int64)
    s = (t - t[0]) / 1e9
    a = np.stack([np.sin(2 * np.pi * 2.0 * s), np.sin(2 * np.pi * 0.4 * rate * s),
                  np.sin(2 * np.pi * 0.8 * rate * s)], axis=1)
    tt, b = datasets.as_device_rate(t, a, rate)
    assert np.all(np.diff(tt) == round(1e9 / rate))
    assert abs((tt[-1] - t[-1]) / 1e9) < 2 / rate
    inner = slice(int(rate), len(b) - int(rate))
    assert np.sqrt(2 * np.mean(b[inner, 0] ** 2)) == pytest.approx(1.0, abs=0.01)
    assert np.sqrt(2 * np.mean(b[inner, 1] ** 2)) > 0.9  # 0.4 x rate: below the new Nyquist
    assert np.sqrt(2 * np.mean(b[inner, 2] ** 2)) < 0.05  # 0.8 x rate: above it, removed
