"""``prepare``: thigh (+ back) ``Recording``s to one :class:`~walkback.signal.Prepared` signal.

Order of operations, per sensor: resample to the grid (true sample times, anti-aliasing, gaps kept)
-> autocalibration (sphere fit; applied only when it succeeds) -> orientation (canonical axes) ->
non-wear (stillness + temperature). The back sensor is first synchronised to the thigh sensor (clock
offset and drift from the movement signals) and then resampled through that clock map onto the
thigh's grid. Calendar days come from the thigh grid and its valid samples.

Memory: the grid arrays (float32) are allocated once and every step works in place or in chunks;
beyond the two input recordings and the output, the working set is ~60 MB for a week at
100 Hz.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from walkback.errors import InputDataError, SyncError
from walkback.io.types import Recording
from walkback.settings import to_mapping
from walkback.signal._windows import aggregate, transform, window_stats
from walkback.signal.calibrate import apply_calibration, fit_calibration
from walkback.signal.days import calendar_days
from walkback.signal.nonwear import detect_nonwear
from walkback.signal.orientation import apply_matrix, detect_orientation
from walkback.signal.resample import ResampledSignal, resample_uniform
from walkback.signal.settings import PrepareSettings
from walkback.signal.sync import SyncResult, estimate_sync
from walkback.signal.types import Prepared

__all__ = ["prepare"]

log = logging.getLogger(__name__)
_ROWS = 1 << 20


def prepare(
    thigh: Recording,
    back: Recording | None = None,
    settings: PrepareSettings | None = None,
) -> Prepared:
    """Prepare one participant's thigh (and optional lower-back) recording.

    Returns a :class:`Prepared` on the thigh's uniform grid (``settings.fs_hz``), canonical axes,
    per-sensor valid / wear masks, local calendar days and a JSON-able ``qc`` dict. Raises
    :class:`~walkback.errors.SyncError` when the back cannot be synchronised (unless
    ``settings.on_sync_error == "drop_back"``) and :class:`~walkback.errors.InputDataError` for an
    empty recording.
    """
    s = settings or PrepareSettings()
    for name, rec in (("thigh", thigh), ("back", back)):
        if rec is not None and rec.n < 2:
            raise InputDataError(f"{rec.info.path}: the {name} recording has {rec.n} samples")
    period = 1e9 / s.fs_hz
    start_ns = int(math.ceil(int(thigh.time_ns[0]) / period) * period)
    stop_ns = int(thigh.time_ns[-1])
    qc: dict[str, Any] = {"settings": to_mapping(s)}

    t_res = resample_uniform(thigh.time_ns, thigh.accel_g, s.fs_hz, max_gap_s=s.max_gap_s,
                             start_ns=start_ns, stop_ns=stop_ns)
    thigh_g, thigh_wear, qc["thigh"] = _finish_sensor(t_res, thigh, "thigh", s, None)
    back_g = back_valid = back_wear = None
    if back is not None:
        try:
            sync = _synchronise(thigh_g, back, start_ns, stop_ns, s)
        except SyncError as exc:
            if s.on_sync_error == "raise":
                raise SyncError(f"{thigh.info.path} / {back.info.path}: {exc}") from exc
            log.warning("back sensor dropped: %s", exc)
            qc["sync"] = {"ok": False, "error": str(exc)}
            qc["back"] = {"present": True, "used": False}
        else:
            qc["sync"] = sync.to_dict()
            b_res = resample_uniform(back.time_ns, back.accel_g, s.fs_hz, max_gap_s=s.max_gap_s,
                                     start_ns=start_ns, stop_ns=stop_ns, clock=sync.back_time_ns)
            back_valid = b_res.valid
            back_g, back_wear, qc["back"] = _finish_sensor(b_res, back, "back", s, sync)
    else:
        qc["sync"] = {"ok": False, "error": "no back sensor"}
        qc["back"] = {"present": False}
    days = calendar_days(start_ns, thigh_g.shape[0], s.fs_hz, s.timezone, valid=t_res.valid)
    return Prepared(
        fs_hz=float(s.fs_hz), start_ns=start_ns, thigh_g=thigh_g, thigh_valid=t_res.valid,
        thigh_wear=thigh_wear, timezone=s.timezone, days=days, back_g=back_g,
        back_valid=back_valid, back_wear=back_wear, qc=qc,
    )


def _finish_sensor(res: ResampledSignal, rec: Recording, sensor: str, s: PrepareSettings,
                   sync: SyncResult | None) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Calibrate, orient and find non-wear, in place on ``res.values``."""
    x = res.values
    qc: dict[str, Any] = {
        "present": True, "used": True, "path": str(rec.info.path),
        "resampling": {
            "input_rate_hz": round(res.input_rate_hz, 4),
            "nominal_rate_hz": rec.info.nominal_rate_hz
            if np.isfinite(rec.info.nominal_rate_hz) else None,
            "gaps": [{"start_ns": a, "stop_ns": b, "duration_s": round((b - a) / 1e9, 3)}
                     for a, b in res.gaps],
            "valid_fraction": round(float(res.valid.mean()), 6) if res.n else 0.0,
        },
    }
    # one pass of 5-s window statistics serves calibration (10 s), orientation (5 s) and non-wear
    # (60 s): per-axis stats follow the calibration and the rotation exactly (see _windows)
    w5 = max(8, int(round(5.0 * s.fs_hz)))
    ws5 = window_stats(x, w5)
    off = sc = None
    if s.calibrate:
        cal = fit_calibration(x, s.fs_hz, stats=aggregate(ws5, 2))
        apply_calibration(x, cal, out=x)
        qc["calibration"] = cal.to_dict()
        if cal.ok:
            off, sc = np.asarray(cal.offset_g), np.asarray(cal.scale)
    else:
        qc["calibration"] = {"ok": False, "applied": False, "reason": "disabled in settings"}
    ws5 = transform(ws5, off, sc)
    matrix = None
    if s.orientation == "auto":
        rep = detect_orientation(x, s.fs_hz, sensor, stats=ws5)
        if not np.array_equal(rep.matrix, np.eye(3, dtype=int)):
            apply_matrix(x, rep.matrix, out=x)
            matrix = np.asarray(rep.matrix)
        qc["orientation"] = rep.to_dict()
    else:
        qc["orientation"] = {"evidence": "disabled in settings: device axes kept"}
    temp = _temperature(rec, sync)
    k = int(round(s.nonwear.window_s / 5.0))
    nw_stats = (aggregate(transform(ws5, matrix=matrix), k)
                if abs(k * w5 - s.nonwear.window_s * s.fs_hz) < 1e-6 else None)
    nw = detect_nonwear(x, s.fs_hz, res.start_ns, valid=res.valid, temperature=temp,
                        settings=s.nonwear, stats=nw_stats)
    qc["nonwear"] = nw.to_dict()
    return x, nw.wear, qc


def _temperature(rec: Recording, sync: SyncResult | None) -> tuple[np.ndarray, np.ndarray] | None:
    """The temperature channel with its times on the thigh clock (back: minus the clock offset)."""
    ch = rec.temperature
    if ch is None or ch.values.shape[0] < 2:
        return None
    t = np.asarray(ch.time_ns, np.int64)
    if sync is not None:
        t = t - np.round(np.asarray(sync.offset_at_s(t)) * 1e9).astype(np.int64)
    return t, np.asarray(ch.values, np.float64)


def _synchronise(thigh_g: np.ndarray, back: Recording, start_ns: int, stop_ns: int,
                 s: PrepareSettings) -> SyncResult:
    """Clock model of the back against the thigh, from acceleration magnitudes on one grid."""
    if back.time_ns[-1] < start_ns or back.time_ns[0] > stop_ns:
        raise SyncError("the thigh and back recordings do not overlap in time")
    # sync works on magnitudes at half the grid rate (>= 20 Hz): the 0.5-8 Hz band it uses is
    # kept, the sub-sample peak interpolation keeps ms precision, and it halves the cost
    dec = 2 if s.fs_hz >= 40 else 1
    fs_sync = s.fs_hz / dec
    b_res = resample_uniform(back.time_ns, back.accel_g, fs_sync, max_gap_s=s.max_gap_s,
                             start_ns=start_ns, stop_ns=stop_ns, antialias=False, magnitude=True)
    sub = thigh_g[::dec]
    mag_t = np.empty(sub.shape[0], np.float32)
    for i0 in range(0, sub.shape[0], _ROWS):
        blk = sub[i0 : i0 + _ROWS]
        mag_t[i0 : i0 + _ROWS] = np.sqrt(np.einsum("ij,ij->i", blk, blk))
    return estimate_sync(mag_t, b_res.values, fs_sync, start_ns, s.sync)
