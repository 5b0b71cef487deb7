"""Local calendar days of a recording in an IANA time zone (default Europe/Oslo).

A day runs from local midnight to the next local midnight, so it lasts 24 h, or 23 h / 25 h on the
days daylight saving time starts / ends. The first and last days are usually cut by the recording
(and any day may have gaps): they are flagged ``partial``. Columns: :data:`walkback.signal.DAYS_COLUMNS`.
"""

from __future__ import annotations

import math
import zoneinfo

import numpy as np
import pandas as pd

from walkback.definitions import DEFAULT_TIMEZONE
from walkback.errors import SettingsError
from walkback.signal.types import DAYS_COLUMNS

__all__ = ["calendar_days"]


def calendar_days(
    start_ns: int,
    n: int,
    fs_hz: float,
    timezone: str = DEFAULT_TIMEZONE,
    valid: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per local calendar day touched by the grid ``start_ns + round(i * 1e9 / fs_hz)``,
    ``i < n`` (UTC ns). ``valid`` (n,) bool marks samples with data (all when None): ``recorded_h``
    counts valid samples, and a day is ``partial`` when less than all but one minute of it is
    recorded."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"timezone {timezone!r} is not an IANA time zone name") from exc
    if n <= 0:
        return pd.DataFrame({k: pd.Series(dtype=_dtype(k)) for k in DAYS_COLUMNS})
    period = 1e9 / fs_hz
    t_first = int(start_ns)
    t_end = int(start_ns + round((n - 1) * period) + round(period))  # exclusive
    first = pd.Timestamp(t_first, tz="UTC").tz_convert(timezone).normalize().tz_localize(None)
    last = pd.Timestamp(t_end - 1, tz="UTC").tz_convert(timezone).normalize().tz_localize(None)
    dates = pd.date_range(first, last + pd.Timedelta(days=1), freq="D")
    mid = dates.tz_localize(timezone, nonexistent="shift_forward", ambiguous=False)
    mid_ns = mid.tz_convert("UTC").as_unit("ns").asi8
    day_start, day_stop = mid_ns[:-1], mid_ns[1:]
    s_ns = np.maximum(day_start, t_first)
    e_ns = np.minimum(day_stop, t_end)
    s_idx = np.array([_index_at(t, start_ns, fs_hz, n) for t in s_ns], np.int64)
    e_idx = np.array([_index_at(t, start_ns, fs_hz, n) for t in e_ns], np.int64)
    length_h = (day_stop - day_start) / 3.6e12
    if valid is None:
        rec_h = (e_idx - s_idx) / fs_hz / 3600.0
    else:
        v = np.asarray(valid, bool)
        counts = np.array([np.count_nonzero(v[a:b]) for a, b in zip(s_idx, e_idx, strict=True)],
                          dtype=np.float64)
        rec_h = counts / fs_hz / 3600.0
    df = pd.DataFrame({
        "date": dates[:-1].as_unit("ns"),
        "start_ns": s_ns.astype(np.int64),
        "stop_ns": e_ns.astype(np.int64),
        "start_index": s_idx,
        "stop_index": e_idx,
        "day_length_h": length_h.astype(float),
        "recorded_h": rec_h.astype(float),
        "partial": rec_h < length_h - 1.0 / 60.0,
    })
    return df[list(DAYS_COLUMNS)]


def _index_at(t_ns: int, start_ns: int, fs_hz: float, n: int) -> int:
    """First grid index whose time is >= t_ns (clipped to 0..n)."""
    i = math.ceil((t_ns - start_ns) * fs_hz / 1e9 - 1e-6)
    return int(min(max(i, 0), n))


def _dtype(col: str) -> str:
    return {"date": "datetime64[ns]", "partial": "bool", "day_length_h": "float64",
            "recorded_h": "float64"}.get(col, "int64")
