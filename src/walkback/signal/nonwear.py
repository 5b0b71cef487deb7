"""Non-wear detection per sensor, from stillness and temperature.

A sensor that is not worn lies perfectly still (on a table, in a drawer): every axis' standard
deviation within a minute stays at the noise floor, the orientation does not change at all, and its
temperature falls to room temperature. A sensor worn during sleep is also mostly still, but it stays
at skin temperature and its orientation shifts now and then (turning over, micro-movements).

Rules (per sensor, on 1-min windows; thresholds in :class:`NonWearSettings`):

1. A minute is *still* when every axis has sd < ``still_sd_g`` (13 mg, as van Hees et al. 2013).
   Runs of consecutive still minutes are candidates; a run ends at a gap in the recording and
   where the minute mean moves more than ``max_drift_g`` on any axis (a change of posture).
2. With a temperature channel: the wearer's *skin temperature* is the median temperature during
   moving minutes. A still run of at least ``min_cool_min`` minutes is non-wear when its second half
   is at least ``cool_delta_c`` below skin temperature (reason ``"still and cool"``). Warm still runs
   are wear, however long (sleep).
3. Without temperature (or for runs too short for rule 2): a still run of at least
   ``min_still_no_temp_min`` minutes whose minute means never move more than ``max_drift_g`` on any
   axis (no posture shift at all) is non-wear (reason ``"perfectly still"``). With temperature the
   rule applies only to runs at least ``max_still_warm_h`` hours long.

The interval covers the whole still run: the stillness starts when the sensor is taken off.
Samples in recording gaps are neither worn nor non-worn: the wear mask is False there, and they are
reported by the resampler, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from walkback.errors import SettingsError

if TYPE_CHECKING:  # the window kernels (numba) load when non-wear is detected, not with the settings
    from walkback.signal._windows import WindowStats

__all__ = ["NonWearSettings", "NonWearResult", "detect_nonwear"]


@dataclass(frozen=True)
class NonWearSettings:
    """Thresholds for :func:`detect_nonwear` (units in the names)."""

    window_s: float = 60.0
    still_sd_g: float = 0.013
    min_cool_min: float = 15.0
    cool_delta_c: float = 3.0
    min_still_no_temp_min: float = 90.0
    max_drift_g: float = 0.02
    max_still_warm_h: float = 6.0

    def __post_init__(self) -> None:
        for k, v in self.__dict__.items():
            if not (isinstance(v, int | float) and v > 0):
                raise SettingsError(f"NonWearSettings.{k} must be a positive number, got {v!r}")


@dataclass(frozen=True)
class NonWearResult:
    """Non-wear of one sensor on the grid it was computed on.

    ``wear``: bool (n,) True where the sample is valid and worn. ``intervals``: list of
    ``{"start_ns", "stop_ns", "duration_min", "reason"}`` (UTC ns, stop exclusive).
    ``skin_temp_c``: the wearer's skin temperature (None without a temperature channel).
    ``warm_still_min``: minutes in still runs kept as wear because warm (sleep, rest).
    """

    wear: np.ndarray
    intervals: list[dict[str, Any]] = field(default_factory=list)
    skin_temp_c: float | None = None
    warm_still_min: float = 0.0
    has_temperature: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (without the mask)."""
        return {
            "intervals": self.intervals,
            "non_wear_min": round(sum(i["duration_min"] for i in self.intervals), 2),
            "skin_temp_c": None if self.skin_temp_c is None else round(self.skin_temp_c, 2),
            "warm_still_min": round(self.warm_still_min, 2),
            "has_temperature": self.has_temperature,
        }


def detect_nonwear(
    accel_g: np.ndarray,
    fs_hz: float,
    start_ns: int,
    *,
    valid: np.ndarray | None = None,
    temperature: tuple[np.ndarray, np.ndarray] | None = None,
    settings: NonWearSettings | None = None,
    stats: WindowStats | None = None,
) -> NonWearResult:
    """Find non-wear in ``accel_g`` (n, 3) g on a uniform grid (``fs_hz``, sample 0 at ``start_ns``
    UTC ns). ``valid`` (n,) marks samples with data; ``temperature`` is ``(time_ns, values_c)`` of
    the sensor's temperature channel (any rate) or None. ``stats``: precomputed
    :class:`WindowStats` of ``accel_g`` with ``settings.window_s`` windows (saves a pass)."""
    s = settings or NonWearSettings()
    n = accel_g.shape[0]
    w = max(1, int(round(s.window_s * fs_hz)))
    from walkback.signal._windows import window_stats

    ws = stats if stats is not None and stats.w == w else window_stats(accel_g, w)
    nw = ws.n
    still = ws.ok & np.all(ws.sd_g < s.still_sd_g, axis=1)
    centres = start_ns + ((np.arange(nw) + 0.5) * w * 1e9 / fs_hz).astype(np.int64)
    temp = _window_temperature(temperature, centres)
    moving = ws.ok & ~still & np.isfinite(temp) if temp is not None else None
    skin = float(np.median(temp[moving])) if moving is not None and moving.any() else None
    nonwear_w = np.zeros(nw, dtype=bool)
    intervals: list[dict[str, Any]] = []
    warm_min = 0.0
    # a change of orientation between two still minutes is a movement: it ends the run
    shift = np.zeros(nw, dtype=bool)
    shift[1:] = np.any(np.abs(np.diff(ws.mean_g, axis=0)) > s.max_drift_g, axis=1)
    for a, b in _split_runs(still, shift):
        reason = _judge_run(ws.mean_g[a:b], None if temp is None else temp[a:b], skin, s,
                            s.window_s / 60.0)
        if reason:
            nonwear_w[a:b] = True
            intervals.append({
                "start_ns": int(start_ns + round(a * w * 1e9 / fs_hz)),
                "stop_ns": int(start_ns + round(b * w * 1e9 / fs_hz)),
                "duration_min": round((b - a) * s.window_s / 60.0, 3),
                "reason": reason,
            })
        elif temp is not None:
            warm_min += (b - a) * s.window_s / 60.0
    wear = np.ones(n, dtype=bool) if valid is None else np.asarray(valid, dtype=bool).copy()
    for a, b in _runs(nonwear_w):
        wear[a * w : b * w] = False
    return NonWearResult(wear, intervals, skin, warm_min, temp is not None)


def _window_temperature(temperature: tuple[np.ndarray, np.ndarray] | None, centres: np.ndarray
                        ) -> np.ndarray | None:
    if temperature is None:
        return None
    t, v = (np.asarray(a) for a in temperature)
    ok = np.isfinite(v)
    if ok.sum() < 2:
        return None
    t, v = t[ok], v[ok].astype(np.float64)
    out = np.interp(centres.astype(np.float64), t.astype(np.float64), v)
    out[(centres < t[0]) | (centres > t[-1])] = np.nan
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of runs of True (stop exclusive)."""
    d = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(),
                    strict=True))


def _split_runs(mask: np.ndarray, breaks: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in ``mask``, also split before every index where ``breaks`` is True."""
    out = []
    for a, b in _runs(mask):
        cuts = [a, *(a + 1 + np.flatnonzero(breaks[a + 1 : b])).tolist(), b]
        out.extend(zip(cuts[:-1], cuts[1:], strict=True))
    return out


def _judge_run(means: np.ndarray, temp: np.ndarray | None, skin: float | None, s: NonWearSettings,
               min_per_window: float) -> str:
    """Reason string when a still run is non-wear, else ""."""
    dur_min = means.shape[0] * min_per_window
    drift = float(np.max(np.ptp(means, axis=0))) if means.shape[0] else 0.0
    if temp is not None and skin is not None and np.isfinite(temp).any():
        half = temp[temp.shape[0] // 2 :]
        half = half[np.isfinite(half)]
        if dur_min >= s.min_cool_min and half.size and np.mean(half) < skin - s.cool_delta_c:
            return (f"still and cool: {np.mean(half):.1f} C vs skin {skin:.1f} C "
                    f"for {dur_min:.0f} min")
        if dur_min >= s.max_still_warm_h * 60.0 and drift <= s.max_drift_g:
            return f"perfectly still for {dur_min / 60:.1f} h (warm)"
        return ""
    if dur_min >= s.min_still_no_temp_min and drift <= s.max_drift_g:
        return f"perfectly still for {dur_min:.0f} min (no temperature)"
    return ""
