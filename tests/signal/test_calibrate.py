"""Autocalibration: known offset/gain errors on real still-sensor noise are recovered."""

from __future__ import annotations

import json

import numpy as np
import pytest

from walkback.signal.calibrate import apply_calibration, fit_calibration

OFFSET = np.array([0.030, -0.020, 0.045])
SCALE = np.array([1.02, 0.985, 1.01])


def _still_noise(selfback, n_windows: int) -> np.ndarray:
    """Real still-posture noise: 10-s pieces of SELFBACK standing / sitting / lying, mean removed."""
    pieces = []
    for act in ("standing", "sitting", "lying"):
        for subj in ("026", "027", "028"):
            x = selfback(act, subj)[1]
            k = x.shape[0] // 1000
            p = x[: k * 1000].reshape(k, 1000, 3)
            p = p[np.all(p.std(axis=1) < 0.013, axis=1)]
            pieces.append(p - p.mean(axis=1, keepdims=True))
    noise = np.concatenate(pieces)
    return noise[np.arange(n_windows) % noise.shape[0]]


def _distorted(selfback, n_windows: int, seed: int = 0, spread: bool = True) -> np.ndarray:
    """Still windows in many orientations (real noise), raw = true / SCALE - OFFSET."""
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(n_windows, 3))
    if not spread:
        g[:, 0] = -np.abs(g[:, 0]) * 5  # only x-down-ish orientations
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    true = _still_noise(selfback, n_windows) + g[:, None, :]
    raw = true / SCALE - OFFSET
    return raw.reshape(-1, 3).astype(np.float32)


def test_known_offsets_and_gains_are_recovered(selfback):
    raw = _distorted(selfback, 120)
    cal = fit_calibration(raw, 100.0)
    assert cal.ok, cal.reason
    np.testing.assert_allclose(cal.offset_g, OFFSET, atol=0.002)
    np.testing.assert_allclose(cal.scale, SCALE, atol=0.002)
    assert cal.error_before_mg > 15 and cal.error_after_mg < 2.0
    json.dumps(cal.to_dict())


def test_calibrating_twice_changes_nothing(selfback):
    raw = _distorted(selfback, 80, seed=1)
    cal = fit_calibration(raw, 100.0)
    fixed = apply_calibration(raw, cal)
    again = fit_calibration(fixed, 100.0)
    assert again.ok
    np.testing.assert_allclose(again.offset_g, 0.0, atol=5e-4)
    np.testing.assert_allclose(again.scale, 1.0, atol=5e-4)
    np.testing.assert_allclose(apply_calibration(fixed, again), fixed, atol=2e-3)


def test_in_place_application(selfback):
    raw = _distorted(selfback, 40, seed=2)
    cal = fit_calibration(raw, 100.0)
    expected = apply_calibration(raw, cal)
    buf = raw.copy()
    res = apply_calibration(buf, cal, out=buf)
    assert res is buf
    np.testing.assert_allclose(buf, expected)


def test_temperature_term_is_recovered(selfback):
    raw = _distorted(selfback, 150, seed=3)
    n = raw.shape[0]
    temp = np.linspace(22.0, 34.0, n).astype(np.float32)
    coef = np.array([0.002, -0.001, 0.0015])  # g per degree C
    raw_t = raw - (temp[:, None] - 28.0) * coef
    cal = fit_calibration(raw_t.astype(np.float32), 100.0, temperature_c=temp)
    assert cal.ok
    np.testing.assert_allclose(cal.temp_coef_g_per_c, coef, atol=3e-4)
    assert cal.error_after_mg < 3.0


def test_not_enough_still_data_is_a_qc_outcome_not_a_crash(selfback):
    walk = selfback("walk_mod", "027")[1]
    cal = fit_calibration(walk, 100.0)
    assert not cal.ok and cal.reason.startswith("not enough still data")
    np.testing.assert_array_equal(apply_calibration(walk, cal), walk)
    d = cal.to_dict()
    assert d["applied"] is False and d["error_after_mg"] is None
    json.dumps(d)


def test_orientations_not_spread_is_refused(selfback):
    raw = _distorted(selfback, 60, spread=False)
    cal = fit_calibration(raw, 100.0)
    assert not cal.ok and "not spread" in cal.reason


@pytest.mark.parametrize("subject", ["026", "027"])
def test_real_selfback_still_data_without_spread(selfback, subject):
    # a real scripted session: standing, sitting and lying never turn the y axis both ways
    x = np.concatenate([selfback(a, subject)[1] for a in ("standing", "sitting", "lying")])
    cal = fit_calibration(x, 100.0)
    assert cal.n_still_windows >= 20
    assert cal.error_before_mg > 5  # SELFBACK magnitudes read 1.01-1.05 g when still
    assert not cal.ok and "not spread" in cal.reason


def _sphere_fit_lstsq(x, temp, max_iter=1000):
    """Independent reference: van Hees 2014 iterated with NumPy's lstsq on the weighted design."""
    n = x.shape[0]
    tref = float(np.mean(temp)) if temp is not None else 0.0
    t = np.zeros(n) if temp is None else temp - tref
    off, sc, tc, w, prev = np.zeros(3), np.ones(3), np.zeros(3), np.ones(n), np.inf
    for it in range(1, max_iter + 1):
        cur = (x + off + t[:, None] * tc) * sc
        cl = cur / np.linalg.norm(cur, axis=1, keepdims=True)
        for k in range(3):
            a = np.stack([np.ones(n), x[:, k]] + ([t] if temp is not None else []), 1)
            c = np.linalg.lstsq(a * w[:, None], cl[:, k] * w, rcond=None)[0]
            sc[k], off[k] = c[1], c[0] / c[1]
            if temp is not None:
                tc[k] = c[2] / c[1]
        cur = (x + off + t[:, None] * tc) * sc
        res = np.linalg.norm(cur - cur / np.linalg.norm(cur, axis=1, keepdims=True), axis=1)
        w = np.minimum(1.0 / np.maximum(res, 1e-12), 100.0)
        err = float(np.mean(res))
        if abs(prev - err) < 1e-9:
            return off, sc, tc, it
        prev = err
    return off, sc, tc, max_iter


@pytest.mark.parametrize("with_temp", [False, True])
def test_compiled_sphere_fit_equals_the_lstsq_iteration(with_temp):
    from walkback.signal.calibrate import _sphere_fit

    rng = np.random.default_rng(3)
    u = rng.standard_normal((5000, 3)) * [1.0, 1.0, 0.3]  # orientations unevenly spread
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    temp = 22 + 4 * rng.standard_normal(5000) if with_temp else None
    x = u / [1.02, 0.98, 1.01] - [0.03, -0.02, 0.01] + 0.004 * rng.standard_normal((5000, 3))
    if with_temp:
        x -= 0.001 * (temp - 22)[:, None]
    off, sc, tc, _, it = _sphere_fit(x, temp, 1000)
    r_off, r_sc, r_tc, r_it = _sphere_fit_lstsq(x, temp)
    assert it == r_it
    np.testing.assert_allclose(off, r_off, atol=1e-10)
    np.testing.assert_allclose(sc, r_sc, atol=1e-10)
    np.testing.assert_allclose(tc, r_tc, atol=1e-10)
    np.testing.assert_allclose(off, [0.03, -0.02, 0.01], atol=0.002)  # and it recovers the truth
