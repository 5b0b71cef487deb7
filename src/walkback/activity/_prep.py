"""Preparation of labelled training signals: the same resampling and axis canonicalisation as real
recordings get in :mod:`walkback.signal` (``resample_uniform``, ``detect_orientation``).

Labelled research files are short (SELFBACK 3 min per activity, HARTH samples < 4 min), so
orientation is decided over all of a subject's data together, and when the signal stage cannot decide
the long axis from gait (too little walking) the labels supply the posture hint: samples labelled
standing or walking are upright.
"""

from __future__ import annotations

import logging

import numpy as np

from walkback.signal.orientation import apply_matrix, detect_orientation
from walkback.signal.resample import resample_uniform

log = logging.getLogger(__name__)

UPRIGHT_LABELS = ("standing", "walking", "shuffling")
#: Labels with the segment horizontal, per sensor.
HORIZONTAL_LABELS = {"thigh": ("sitting", "lying"), "back": ("lying",)}


def resample(time_ns: np.ndarray, accel_g: np.ndarray, fs_hz: float = 50.0) -> tuple[int, np.ndarray]:
    """Resample (n, 3) g samples at true UTC ns times onto a uniform ``fs_hz`` grid (FIR
    anti-aliasing, gaps NaN). Returns ``(start_ns, samples float32 (m, 3))``."""
    res = resample_uniform(np.asarray(time_ns, np.int64), np.asarray(accel_g, np.float32), fs_hz)
    return int(res.start_ns), np.asarray(res.values, dtype=np.float32)


def _axis(code: str) -> np.ndarray:
    v = np.zeros(3)
    v["xyz".index(code[1])] = 1.0 if code[0] == "+" else -1.0
    return v


def orientation_matrix(
    accel_g: np.ndarray, fs_hz: float, sensor: str, upright: np.ndarray | None = None,
    horizontal: np.ndarray | None = None,
) -> tuple[np.ndarray, dict]:
    """3x3 matrix (canonical = matrix @ device) and the orientation report as a dict.

    ``upright`` / ``horizontal``: optional boolean masks of samples whose label says the segment
    is upright / horizontal (thigh: sitting or lying); passed to the signal stage as
    ``posture_hint`` only when the data alone do not decide the long axis (too little gait).
    """
    ok = np.isfinite(accel_g).all(axis=1)
    rep = detect_orientation(accel_g[ok], fs_hz, sensor)
    if rep.long_axis_evidence != "undetermined" or upright is None or not (upright & ok).any():
        return np.asarray(rep.matrix, dtype=np.float32), rep.to_dict()
    rep_u = detect_orientation(accel_g[upright & ok], fs_hz, sensor, posture_hint="upright")
    ex = _axis(rep_u.long_axis)
    ez = _axis(rep_u.skin_axis)
    info = {"long_axis": rep_u.long_axis, "long_axis_evidence": "label_upright",
            "skin_axis": rep_u.skin_axis, "skin_axis_evidence": rep_u.skin_axis_evidence}
    if horizontal is not None and (horizontal & ok).sum() > fs_hz * 10:
        rep_h = detect_orientation(accel_g[horizontal & ok], fs_hz, sensor,
                                   posture_hint="horizontal")
        ez_h = _axis(rep_h.skin_axis)
        if rep_h.skin_axis_evidence == "posture_hint" and abs(ez_h @ ex) < 0.5:
            ez = ez_h
            info.update(skin_axis=rep_h.skin_axis, skin_axis_evidence="label_horizontal")
    log.info("%s: orientation from labelled postures: %s", sensor, info)
    return np.vstack([ex, np.cross(ez, ex), ez]).astype(np.float32), info


def canonicalise(accel_g: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``accel_g`` (n, 3) rotated by ``matrix`` into canonical axes (float32)."""
    return apply_matrix(accel_g, matrix)
