"""Non-wear: still-on-table segments inserted into real recordings are found; sleep is wear."""

from __future__ import annotations

import json

import numpy as np
import pytest

from walkback.signal.nonwear import NonWearSettings, detect_nonwear

FS = 50.0
T0 = 1_700_000_000_000_000_000
DAY_ACTS = ("walk_mod", "sitting", "standing", "walk_slow", "sitting", "upstairs", "downstairs",
            "sitting", "walk_fast", "standing")


def _at50(x: np.ndarray) -> np.ndarray:
    return x[::2]  # SELFBACK ~100 Hz -> ~50 Hz (good enough for stillness statistics)


def _day_then_night(selfback, day_h: float, night_h: float) -> tuple[np.ndarray, int]:
    """Real SELFBACK activities cycled for ``day_h`` hours, then real lying (3 subjects' files
    stitched, each repeated, so posture shifts at the joins) for ``night_h`` hours."""
    day = np.concatenate([_at50(selfback(a, s)[1]) for s in ("026", "027", "028")
                          for a in DAY_ACTS])
    n_day = int(day_h * 3600 * FS)
    day = np.resize(day, (n_day, 3))
    lying = [_at50(selfback("lying", s)[1]) for s in ("026", "027", "028", "029")]
    per = int(night_h * 3600 * FS) // len(lying)
    night = np.concatenate([np.resize(x, (per, 3)) for x in lying])
    return np.concatenate([day, night]).astype(np.float32), n_day


def _skin_temperature(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t_s = np.arange(n) / FS
    return (32.0 + 0.6 * np.sin(2 * np.pi * t_s / 7200) + rng.normal(0, 0.05, n)).astype(
        np.float32)


def _insert_table(x: np.ndarray, temp: np.ndarray, a: int, b: int, axis: int, sign: float,
                  seed: int, room_c: float = 21.0) -> None:
    """Still on a table: gravity on one axis + 3 mg noise; temperature decays to room (tau 10 min)
    and warms back after (tau 5 min)."""
    rng = np.random.default_rng(seed)
    g = np.zeros(3, np.float32)
    g[axis] = sign
    x[a:b] = g + rng.normal(0, 0.003, (b - a, 3))
    t = np.arange(b - a) / FS
    start = temp[a]
    temp[a:b] = room_c + (start - room_c) * np.exp(-t / 600.0)
    end = temp[b - 1]
    n_back = min(int(1800 * FS), temp.shape[0] - b)
    t2 = np.arange(n_back) / FS
    temp[b : b + n_back] = temp[b : b + n_back] + (end - temp[b : b + n_back]) * np.exp(-t2 / 300)


def _span(at_h: float, dur_h: float) -> tuple[int, int]:
    """Sample span of an insert; starts 17 s past the hour so it is not minute-aligned."""
    a = int((at_h * 3600 + 17) * FS)
    return a, a + int(dur_h * 3600 * FS)


INSERTS = [(1.0, 2.0, 2, 1.0), (5.0, 0.75, 0, -1.0), (9.5, 0.5, 1, 1.0), (13.0, 3.0, 2, -1.0)]


@pytest.fixture(scope="module")
def recording(selfback):
    x, n_day = _day_then_night(selfback, 16.0, 8.0)
    temp = _skin_temperature(x.shape[0])
    truth = np.zeros(x.shape[0], bool)
    for k, (at_h, dur_h, axis, sign) in enumerate(INSERTS):
        a, b = _span(at_h, dur_h)
        _insert_table(x, temp, a, b, axis, sign, seed=k)
        truth[a:b] = True
    times = T0 + (np.arange(0, x.shape[0], 50) * 1e9 / FS).astype(np.int64)
    return x, (times, temp[::50]), truth, n_day


def _sens_spec(wear: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    nonwear = ~wear
    return float(nonwear[truth].mean()), float(wear[~truth].mean())


def test_inserted_nonwear_is_found_with_temperature(recording):
    x, temp, truth, n_day = recording
    res = detect_nonwear(x, FS, T0, temperature=temp)
    sens, spec = _sens_spec(res.wear, truth)
    # measured: sensitivity 0.989, specificity 1.000 (lost: the partial minutes at each edge)
    assert sens > 0.98 and spec > 0.999, (sens, spec)
    assert len(res.intervals) == len(INSERTS)
    assert all(i["reason"].startswith("still and cool") for i in res.intervals)
    assert 31.0 < res.skin_temp_c < 33.0
    assert res.warm_still_min > 0  # the still minutes of real lying/sitting kept as wear
    assert res.wear[n_day:].all()  # 8 h of warm lying at night is wear
    json.dumps(res.to_dict())


def test_inserted_nonwear_without_temperature(recording):
    x, _, truth, n_day = recording
    res = detect_nonwear(x, FS, T0)
    sens, spec = _sens_spec(res.wear, truth)
    # without temperature only runs >= 90 min are called: the 2 h and 3 h inserts
    long_truth = truth.copy()
    for at_h, dur_h, *_ in INSERTS:
        if dur_h < 1.5:
            a, b = _span(at_h, dur_h)
            long_truth[a:b] = False
    assert (~res.wear[long_truth]).mean() > 0.98
    assert spec > 0.999, spec
    assert all("no temperature" in i["reason"] for i in res.intervals)
    assert res.wear[n_day:].all()


def test_still_warm_lying_for_8h_is_wear_even_if_perfectly_quiet(selfback):
    # worst case: one subject's real lying looped for 8 h (no posture shifts except at the joins),
    # at skin temperature
    lying = _at50(selfback("lying", "027")[1])
    x = np.resize(lying, (int(8 * 3600 * FS), 3)).astype(np.float32)
    temp = _skin_temperature(x.shape[0], seed=5)
    times = T0 + (np.arange(0, x.shape[0], 50) * 1e9 / FS).astype(np.int64)
    res = detect_nonwear(x, FS, T0, temperature=(times, temp[::50]))
    assert res.wear.all()


def test_valid_mask_and_settings(recording):
    x, temp, truth, _ = recording
    valid = np.ones(x.shape[0], bool)
    valid[:1000] = False
    res = detect_nonwear(x, FS, T0, valid=valid, temperature=temp,
                         settings=NonWearSettings(min_cool_min=240.0))
    assert not res.wear[:1000].any()
    assert len(res.intervals) == 0  # no insert lasts 4 h
    with pytest.raises(ValueError, match="positive"):
        NonWearSettings(still_sd_g=0)
