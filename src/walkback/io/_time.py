"""Device wall-clock time to UTC.

Axivity and GENEActiv clocks are set once, when the device is configured, to the configuring
computer's local wall time, and then run on: they never jump at a daylight-saving change. So
a whole recording uses ONE UTC offset, the offset the IANA zone had when the clock was set (the
reference instant). Converting each sample with the zone's offset at that sample would put a
false one-hour jump into every recording that crosses a DST change.

Rule (documented in docs/io.md): ``utc = local - offset(zone, reference_local)``. When the
reference local time is ambiguous (the repeated hour when clocks go back) the first occurrence
(the summer-time offset, ``fold=0``) is used; a non-existent local time (the skipped hour) takes
the offset in force just before the change (``fold=0`` again).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from walkback.errors import SettingsError

_EPOCH = datetime(1970, 1, 1)
NS = 1_000_000_000


def zone(timezone: str) -> ZoneInfo:
    """The IANA zone ``timezone``; an unknown name raises :class:`SettingsError`."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"unknown IANA time zone {timezone!r}") from exc


def utc_offset_ns(local_ns: int, timezone: str) -> int:
    """UTC offset (ns) of ``timezone`` at the local wall time ``local_ns`` (ns since 1970, naive)."""
    dt = _EPOCH + timedelta(microseconds=int(local_ns) // 1000)
    off = dt.replace(tzinfo=zone(timezone), fold=0).utcoffset()
    return int(off.total_seconds()) * NS if off is not None else 0


def local_to_utc(local_ns: np.ndarray | int, timezone: str, reference_local_ns: int) -> tuple:
    """Convert device local times to UTC with the single offset in force at the reference time.

    Returns ``(utc_ns, offset_ns)``.
    """
    off = utc_offset_ns(reference_local_ns, timezone)
    return np.asarray(local_ns, dtype=np.int64) - off, off


def iso(ns: int) -> str:
    """ISO text of a (UTC or naive local) ns timestamp, to the microsecond."""
    return (_EPOCH + timedelta(microseconds=int(ns) // 1000)).isoformat()


def wall_to_utc(local_ns: np.ndarray, timezone: str) -> np.ndarray:
    """Convert local wall times that FOLLOW the zone's DST (e.g. a tool's CSV export) to UTC.

    Each time takes the zone's offset at that wall time. The repeated autumn hour is resolved by
    the order of the samples: times in it before the clock goes back take the first occurrence
    (summer offset), times after it the second. Skipped spring times take the offset in force
    before the change. Local times must be non-decreasing except for that one step back.
    """
    local_ns = np.asarray(local_ns, dtype=np.int64)
    if local_ns.size == 0:
        return local_ns.copy()
    z = zone(timezone)
    hour = np.floor_divide(local_ns, 3600 * NS)
    h0, h1 = int(hour.min()), int(hour.max())
    hours = np.arange(h0, h1 + 1)
    off = np.empty((2, hours.size), dtype=np.int64)
    for k, h in enumerate(hours):
        dt = _EPOCH + timedelta(hours=int(h), minutes=30)
        for fold in (0, 1):
            o = dt.replace(tzinfo=z, fold=fold).utcoffset()
            off[fold, k] = int(o.total_seconds()) * NS if o is not None else 0
    idx = hour - h0
    o0, o1 = off[0, idx], off[1, idx]
    ambiguous = o0 != o1
    fold = np.zeros(local_ns.size, dtype=bool)
    if ambiguous.any():
        back = np.r_[False, np.diff(local_ns) < 0]
        fold = ambiguous & (np.cumsum(back) > 0)
    return local_ns - np.where(fold, o1, o0)
