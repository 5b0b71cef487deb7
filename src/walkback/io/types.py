"""The ``Recording`` type: the samples that are in a device file, with their true times.

Conventions
-----------
* Times are int64 nanoseconds since the Unix epoch, **UTC** (``time_ns``). Devices whose clock keeps
  local wall time with no zone (Axivity, GENEActiv) are converted with the reader's ``timezone``
  setting (IANA name, default ``Europe/Oslo``); the device's own wall-clock reading is kept in
  ``info.clock`` notes so nothing is lost.
* Acceleration is float32, shape (n, 3), in g, in the device's own axes (no orientation
  correction here; that is :mod:`walkback.signal`'s job).
* Auxiliary channels (temperature in degrees C, light in device units, battery in volts) carry their
  own time vectors because devices log them at a lower rate.
* No resampling and no gap filling: gaps appear as jumps in ``time_ns``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Channel:
    """An auxiliary channel: ``values`` sampled at ``time_ns`` (UTC ns). ``unit`` names the unit."""

    time_ns: np.ndarray
    values: np.ndarray
    unit: str

    def __post_init__(self) -> None:
        if self.time_ns.shape[0] != self.values.shape[0]:
            raise ValueError("Channel: time_ns and values differ in length")
        for a in (self.time_ns, self.values):
            a.flags.writeable = False


@dataclass(frozen=True)
class RecordingInfo:
    """What the reader learnt about the file.

    Attributes
    ----------
    path: the file read.
    format: ``"axivity-cwa"``, ``"actigraph-gt3x"``, ``"geneactiv-bin"``, ``"csv-harth"``,
        ``"csv-selfback"``, ``"csv"``.
    device: device type, e.g. ``"AX3"``, ``"AX6"``, ``"wGT3X-BT"``, ``"GENEActiv"``.
    device_id: serial number or id as text ("" when unknown).
    session_id: the recording session id as text ("" when unknown).
    nominal_rate_hz: the rate the device was configured for.
    measured_rate_hz: samples divided by the time they span, excluding gaps.
    start_ns, stop_ns: UTC ns of the first and last sample.
    n_samples, n_blocks: samples returned and data blocks read (blocks: 0 when the format has none).
    rejected_blocks: list of ``{"block": int, "reason": str}`` for blocks skipped.
    gaps: list of ``{"start_ns": int, "stop_ns": int, "duration_s": float}`` where consecutive samples
        are further apart than 2 nominal sample periods (and for ActiGraph idle-sleep periods).
    range_g: the accelerometer range (+/- g) when known.
    timezone: the IANA zone used to convert local device time to UTC ("" when the file stores UTC
        or an explicit offset).
    extra: any further format-specific header fields (plain JSON-able values).
    warnings: human-readable warnings raised while reading.
    """

    path: str
    format: str
    device: str = ""
    device_id: str = ""
    session_id: str = ""
    nominal_rate_hz: float = float("nan")
    measured_rate_hz: float = float("nan")
    start_ns: int = 0
    stop_ns: int = 0
    n_samples: int = 0
    n_blocks: int = 0
    rejected_blocks: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    range_g: float = float("nan")
    timezone: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recording:
    """One sensor's samples as read from a file.

    ``time_ns`` int64 (n,) UTC ns, non-decreasing; ``accel_g`` float32 (n, 3) in g, device axes.
    ``gyro_dps`` float32 (n, 3) in degrees/s when the device has a gyroscope and it was requested.
    ``labels`` (n,) object array of activity labels for annotated research files (HARTH, SELFBACK),
    else None. ``temperature``, ``light``, ``battery`` are :class:`Channel` or None.
    """

    time_ns: np.ndarray
    accel_g: np.ndarray
    info: RecordingInfo
    temperature: Channel | None = None
    light: Channel | None = None
    battery: Channel | None = None
    gyro_dps: np.ndarray | None = None
    labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = self.time_ns.shape[0]
        if self.time_ns.dtype != np.int64:
            raise ValueError(f"Recording: time_ns must be int64, got {self.time_ns.dtype}")
        if self.accel_g.shape != (n, 3) or self.accel_g.dtype != np.float32:
            raise ValueError(
                f"Recording: accel_g must be float32 of shape ({n}, 3), "
                f"got {self.accel_g.dtype} {self.accel_g.shape}"
            )
        for extra in (self.gyro_dps, self.labels):
            if extra is not None and extra.shape[0] != n:
                raise ValueError("Recording: gyro_dps/labels length differs from time_ns")
        for a in (self.time_ns, self.accel_g, self.gyro_dps, self.labels):
            if a is not None:
                a.flags.writeable = False

    @property
    def n(self) -> int:
        """Number of samples."""
        return int(self.time_ns.shape[0])

    @property
    def duration_s(self) -> float:
        """Seconds from first to last sample (0 for fewer than two samples)."""
        return float(self.time_ns[-1] - self.time_ns[0]) / 1e9 if self.n > 1 else 0.0
