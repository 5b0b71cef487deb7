"""Window features: documented table, physical meaning on known signals, vectorisation invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from walkback.activity import features as F

ROOT = Path(__file__).resolve().parents[2]


def test_docs_features_table_matches_code():
    doc = (ROOT / "docs" / "features.md").read_text(encoding="utf-8")
    assert doc == F.features_markdown(), "regenerate: python -m walkback.activity.features"
    names = F.feature_names(("thigh", "back"))
    assert len(names) == len(set(names)) == len(F.FEATURES)
    for f in F.FEATURES:
        assert f.unit and f.meaning and f.sensor in ("thigh", "back", "thigh+back")


def _static(deg: float, n: int = 500) -> np.ndarray:
    """Segment tilted ``deg`` forward from vertical (gravity between x and z), at rest."""
    th = np.radians(deg)
    return np.tile([np.cos(th), 0.0, np.sin(th)], (n, 1)).astype(np.float32)


@pytest.mark.parametrize("deg", [0.0, 30.0, 60.0, 90.0, 135.0])
def test_inclination_of_static_postures(deg):
    a = _static(deg)
    X = F.compute_features(a, F.window_starts(len(a), 250, 250), 250, 50.0)
    col = {n: i for i, n in enumerate(F.feature_names())}
    assert X[:, col["thigh_incl_deg"]] == pytest.approx(deg, abs=0.1)  # float32 arccos near 0
    assert X[:, col["thigh_pitch_deg"]] == pytest.approx(deg, abs=0.01)
    assert X[:, col["thigh_std_x_g"]] == pytest.approx(0.0, abs=1e-5)
    assert X[:, col["thigh_vm_mean_g"]] == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("freq", [0.9, 1.8, 2.6])
def test_dominant_frequency_and_autocorrelation_of_a_sinusoid(freq):
    t = np.arange(1000) / 50.0
    a = np.column_stack([1 + 0.3 * np.sin(2 * np.pi * freq * t), 0 * t, 0.1 + 0 * t])
    X = F.compute_features(a.astype(np.float32), F.window_starts(1000, 250, 250), 250, 50.0)
    col = {n: i for i, n in enumerate(F.feature_names())}
    assert X[:, col["thigh_x_fdom_hz"]] == pytest.approx(freq, abs=0.05)
    assert X[:, col["thigh_vm_fdom_hz"]] == pytest.approx(freq, abs=0.05)
    assert X[:, col["thigh_x_pdom_frac"]].min() > 0.7  # Hann main lobe spans ~4 padded bins
    assert X[:, col["thigh_vm_acf_lag_s"]] == pytest.approx(1 / freq, abs=0.04)


def test_chunking_and_overlap_do_not_change_values(monkeypatch):
    rng = np.random.default_rng(3)
    a = rng.normal(0, 0.3, (5000, 3)).astype(np.float32)
    a[:, 0] += 1
    starts = F.window_starts(len(a), 250, 125)
    full = F.compute_features(a, starts, 250, 50.0)
    monkeypatch.setattr(F, "_CHUNK", 7)
    small = F.compute_features(a, starts, 250, 50.0)
    np.testing.assert_allclose(small, full, rtol=1e-5, atol=1e-5)
    # a window at start s equals the first window of the signal cut at s
    single = F.compute_features(a[starts[3]:], np.array([0]), 250, 50.0)
    np.testing.assert_allclose(single[0], full[3], rtol=1e-4, atol=1e-4)


def test_back_and_cross_features_present_only_with_back():
    a = _static(10.0, 750)
    b = _static(70.0, 750)
    st = F.window_starts(750, 250, 250)
    assert F.compute_features(a, st, 250, 50.0).shape == (3, len(F.feature_names()))
    X = F.compute_features(a, st, 250, 50.0, back_g=b)
    col = {n: i for i, n in enumerate(F.feature_names(("thigh", "back")))}
    assert X[:, col["back_incl_deg"]] == pytest.approx(70.0, abs=0.01)
    assert X[:, col["cross_incl_diff_deg"]] == pytest.approx(-60.0, abs=0.01)
    incl, sd = F.orientation_summary(b, st, 250)
    np.testing.assert_allclose(incl, 70.0, atol=0.01)
    np.testing.assert_allclose(sd, 0.0, atol=1e-4)


def test_gaps_are_filled_within_the_window_not_propagated():
    a = _static(20.0, 500)
    a[10:60] = np.nan
    X = F.compute_features(a, F.window_starts(500, 250, 250), 250, 50.0)
    assert np.isfinite(X).all()
    col = {n: i for i, n in enumerate(F.feature_names())}
    assert X[0, col["thigh_incl_deg"]] == pytest.approx(20.0, abs=0.01)


def test_window_starts():
    assert F.window_starts(249, 250, 250).size == 0
    np.testing.assert_array_equal(F.window_starts(1000, 250, 250), [0, 250, 500, 750])
    np.testing.assert_array_equal(F.window_starts(500, 250, 125), [0, 125, 250])
