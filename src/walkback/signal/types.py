"""The ``Prepared`` type: one calibrated, orientation-normalised, synchronised signal on a uniform grid.

Canonical sensor axes after :func:`walkback.signal.prepare` (whatever the device or dataset wrote):

* **x**: the segment's long axis, pointing up the body when upright. Reads about **+1 g** when the
  segment is vertical and upright (thigh while standing, back while standing or sitting upright).
* **z**: perpendicular to the skin, pointing **out of the body** (anterior for the thigh sensor on the
  front of the thigh, posterior for the lower-back sensor). Thigh z reads about +1 g when sitting or
  lying supine; back z reads about -1 g lying supine.
* **y**: completes a right-handed frame (x, y, z).

Time grid: sample ``i`` is at ``start_ns + round(i * 1e9 / fs_hz)`` UTC ns. Samples that fall in a gap
of a sensor's recording are NaN (all three axes) in that sensor's array, and only there; they are
never interpolated. The ``*_valid`` masks are derived from the NaN on request rather than stored
(29 MB each per sensor-week that the NaN already encodes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

DAYS_COLUMNS = {
    "date": "local calendar date (datetime64[ns] at local midnight, naive) in `timezone`",
    "start_ns": "int64 UTC ns of local midnight starting the day (or first sample if later)",
    "stop_ns": "int64 UTC ns of the next local midnight (or last sample if earlier), exclusive",
    "start_index": "int64 first grid index of the day",
    "stop_index": "int64 grid index one past the day's last sample",
    "day_length_h": "float hours between local midnights: 24, or 23/25 on DST changes",
    "recorded_h": "float hours of the day covered by the recording",
    "partial": "bool True when the recording does not cover the whole local day",
}


@dataclass(frozen=True)
class Prepared:
    """Prepared signals of one participant.

    Attributes
    ----------
    fs_hz: grid rate in Hz (default 50).
    start_ns: UTC ns of grid sample 0.
    thigh_g: (n, 3) in g, canonical thigh axes (see module docstring); NaN in gaps. float16 by
        default (``PrepareSettings.storage``, :mod:`walkback._half`: half the memory, rounded
        once to 11 significant bits), or float32; compute on decoded blocks
        (``walkback._half.to_float32``), never in float16.
    back_g: (n, 3) in g, canonical back axes, on the same grid, after clock sync, same dtype as
        ``thigh_g``; or None.
    thigh_wear, back_wear: bool (n,) True where the sensor has data and is worn.
    timezone: IANA zone used for calendar days.
    days: DataFrame, one row per local calendar day touched by the recording, columns
        :data:`DAYS_COLUMNS`.
    qc: JSON-able dict: ``{"thigh": {...}, "back": {...}, "sync": {...}, "settings": {...}}`` with
        calibration (error before/after in mg, ok), orientation (what was detected and done),
        non-wear intervals (start_ns, stop_ns, reason), resampling (gaps), sync (offset_s,
        drift_ppm, quality, ok).
    """

    fs_hz: float
    start_ns: int
    thigh_g: np.ndarray
    thigh_wear: np.ndarray
    timezone: str
    days: pd.DataFrame
    back_g: np.ndarray | None = None
    back_wear: np.ndarray | None = None
    qc: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.thigh_g.shape[0]
        if self.thigh_g.shape != (n, 3):
            raise ValueError("Prepared: thigh_g must have shape (n, 3)")
        for name in ("thigh_wear", "back_g", "back_wear"):
            a = getattr(self, name)
            if a is not None and a.shape[0] != n:
                raise ValueError(f"Prepared: {name} length {a.shape[0]} != {n}")

    @property
    def n(self) -> int:
        """Number of grid samples."""
        return int(self.thigh_g.shape[0])

    @property
    def thigh_valid(self) -> np.ndarray:
        """bool (n,) True where the thigh sensor has data (not a gap); computed from the NaN."""
        return ~np.isnan(self.thigh_g[:, 0])

    @property
    def back_valid(self) -> np.ndarray | None:
        """bool (n,) True where the back sensor has data (not a gap), or None without a back."""
        return None if self.back_g is None else ~np.isnan(self.back_g[:, 0])

    @property
    def has_back(self) -> bool:
        """True when a back sensor signal is present."""
        return self.back_g is not None

    def signal_f32(self, sensor: str = "thigh", start: int = 0, stop: int | None = None
                   ) -> np.ndarray:
        """float32 (stop - start, 3) g of ``sensor`` ("thigh" or "back") samples ``[start, stop)``,
        decoded from float16 storage (a copy) or the float32 array itself (a view). Use this, not
        NumPy reductions on ``thigh_g`` directly: NumPy sums float16 in float16."""
        a = self.thigh_g if sensor == "thigh" else self.back_g
        if a is None:
            raise ValueError("Prepared.signal_f32: no back sensor signal")
        from walkback._half import to_float32

        return to_float32(a[start:stop])

    def time_ns(self) -> np.ndarray:
        """int64 UTC ns of every grid sample."""
        return self.start_ns + np.round(np.arange(self.n) * (1e9 / self.fs_hz)).astype(np.int64)
