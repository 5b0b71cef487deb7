"""Autocalibration from still periods (sphere fit of gravity; van Hees et al., J Appl Physiol 2014).

When the sensor is still, it measures only gravity, so the vector magnitude should be 1 g in every
orientation. We take non-overlapping 10-s windows where every axis has sd < 13 mg, and fit per-axis
offsets and gains (optionally a linear temperature term) so that the window means lie on the unit
sphere, by iterating closest-point projection and weighted least squares (as the paper does).

Outcome (always returned, never raised):

* ``ok`` True: enough still windows, spread over orientations (each axis seen both above +0.3 g and
  below -0.3 g), and the fit brings the mean sphere error under ``max_error_after_mg``.
* ``ok`` False with ``reason``: ``"not enough still data"`` (fewer than ``min_windows``),
  ``"orientations not spread"`` (sphere not covered), or ``"fit did not reduce the error"``. The
  signal is then left uncalibrated; the reason is QC data.

Model: ``calibrated = (raw + offset_g + temp_coef_g_per_c * (T - temp_ref_c)) * scale``, per axis.
Errors are the mean absolute deviation of the still-window magnitude from 1 g, in mg.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from walkback.signal._windows import WindowStats, window_stats

__all__ = ["CalibrationResult", "fit_calibration", "apply_calibration"]

STILL_SD_G = 0.013
WINDOW_S = 10.0


@dataclass(frozen=True)
class CalibrationResult:
    """Sphere-fit calibration of one sensor (device axes). See module docstring for the model."""

    ok: bool
    reason: str
    offset_g: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    scale: list[float] = field(default_factory=lambda: [1.0, 1.0, 1.0])
    temp_coef_g_per_c: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    temp_ref_c: float = 0.0
    error_before_mg: float = float("nan")
    error_after_mg: float = float("nan")
    n_still_windows: int = 0
    iterations: int = 0

    @property
    def applied(self) -> bool:
        """Calibration is applied only when ``ok``."""
        return self.ok

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (NaN as None)."""
        d = asdict(self)
        for k in ("error_before_mg", "error_after_mg"):
            d[k] = None if not np.isfinite(d[k]) else round(float(d[k]), 3)
        d["applied"] = self.applied
        return d


def fit_calibration(
    accel_g: np.ndarray,
    fs_hz: float,
    *,
    temperature_c: np.ndarray | None = None,
    min_windows: int = 10,
    max_error_after_mg: float = 10.0,
    max_iter: int = 1000,
    stats: WindowStats | None = None,
) -> CalibrationResult:
    """Fit offsets and gains (and a temperature term when ``temperature_c`` is given: one value per
    sample of ``accel_g``, degrees C) from still 10-s windows of ``accel_g`` (n, 3) in g.
    ``stats``: precomputed 10-s :class:`WindowStats` of ``accel_g`` (saves a pass)."""
    w = max(1, int(round(WINDOW_S * fs_hz)))
    ws = stats if stats is not None and stats.w == w else window_stats(accel_g, w)
    still = ws.ok & np.all(ws.sd_g < STILL_SD_G, axis=1) & (ws.mag_mean_g > 0.5) & (
        ws.mag_mean_g < 1.5)
    x = ws.mean_g[still].astype(np.float64)
    temp = None
    if temperature_c is not None:
        tw = window_stats(np.repeat(np.asarray(temperature_c, np.float32)[:, None], 3, axis=1), w)
        temp = tw.mean_g[still, 0].astype(np.float64)
        if not np.all(np.isfinite(temp)) or np.ptp(temp) < 1.0:
            temp = None  # no usable temperature spread: fit without it
    n = x.shape[0]
    before = _sphere_error_mg(x)
    if n < min_windows:
        return CalibrationResult(False, f"not enough still data ({n} still 10-s windows, "
                                 f"need {min_windows})", error_before_mg=before, n_still_windows=n)
    if not np.all((x.max(axis=0) > 0.3) & (x.min(axis=0) < -0.3)):
        return CalibrationResult(False, "orientations not spread (each axis must be seen above "
                                 "+0.3 g and below -0.3 g while still)", error_before_mg=before,
                                 n_still_windows=n)
    offset, scale, tcoef, tref, it = _sphere_fit(x, temp, max_iter)
    t_dev = np.zeros(n) if temp is None else temp - tref
    after = _sphere_error_mg((x + offset + t_dev[:, None] * tcoef) * scale)
    ok = bool(after < max_error_after_mg and after <= before)
    reason = "" if ok else (f"fit did not reduce the error enough ({after:.1f} mg after, "
                            f"{before:.1f} mg before)")
    return CalibrationResult(ok, reason, offset.tolist(), scale.tolist(), tcoef.tolist(),
                             float(tref), before, after, n, it)


def _sphere_error_mg(x: np.ndarray) -> float:
    if x.shape[0] == 0:
        return float("nan")
    return float(np.mean(np.abs(np.linalg.norm(x, axis=1) - 1.0)) * 1000.0)


def _sphere_fit(x: np.ndarray, temp: np.ndarray | None, max_iter: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    """Iterative closest-point weighted least squares (van Hees 2014)."""
    n = x.shape[0]
    tref = float(np.mean(temp)) if temp is not None else 0.0
    t = np.zeros(n) if temp is None else temp - tref
    offset, scale, tcoef = np.zeros(3), np.ones(3), np.zeros(3)
    weights = np.ones(n)
    prev = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - iteration count is reported
        curr = (x + offset + t[:, None] * tcoef) * scale
        closest = curr / np.linalg.norm(curr, axis=1, keepdims=True)
        for k in range(3):
            cols = [np.ones(n), x[:, k]] + ([t] if temp is not None else [])
            a = np.stack(cols, axis=1) * weights[:, None]
            coef, *_ = np.linalg.lstsq(a, closest[:, k] * weights, rcond=None)
            # closest = c0 + c1 * x (+ c2 * t)  =>  scale = c1, offset = c0 / c1, tcoef = c2 / c1
            scale[k] = coef[1]
            offset[k] = coef[0] / coef[1]
            if temp is not None:
                tcoef[k] = coef[2] / coef[1]
        curr = (x + offset + t[:, None] * tcoef) * scale
        resid = np.linalg.norm(curr - curr / np.linalg.norm(curr, axis=1, keepdims=True), axis=1)
        weights = np.minimum(1.0 / np.maximum(resid, 1e-12), 100.0)
        err = float(np.mean(resid))
        if abs(prev - err) < 1e-9:
            break
        prev = err
    return offset, scale, tcoef, tref, it


def apply_calibration(
    accel_g: np.ndarray,
    cal: CalibrationResult,
    *,
    temperature_c: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Apply ``cal`` to ``accel_g`` (n, 3) g; returns float32. Pass ``out=accel_g`` to work in place.
    Does nothing (returns a copy, or ``out`` unchanged) when ``cal.ok`` is False."""
    if out is None:
        out = np.array(accel_g, dtype=np.float32, copy=True)
    elif out is not accel_g:
        out[...] = accel_g
    if not cal.ok:
        return out
    off = np.asarray(cal.offset_g, np.float32)
    sc = np.asarray(cal.scale, np.float32)
    tc = np.asarray(cal.temp_coef_g_per_c, np.float32)
    step = 1 << 20
    for i0 in range(0, out.shape[0], step):
        blk = out[i0 : i0 + step]
        blk += off
        if temperature_c is not None and np.any(tc != 0):
            dt = np.asarray(temperature_c[i0 : i0 + step], np.float32) - np.float32(cal.temp_ref_c)
            blk += dt[:, None] * tc
        blk *= sc
    return out
