"""CSV readers: HARTH / HAR70+ (two sensors + labels), SELFBACK, and a generic layout.

Time zone: research CSVs hold naive wall-clock times. By default they are taken as **UTC**
(``timezone="UTC"``): HARTH/HAR70+ times are not tied to a real zone, and keeping the times as
written is the least surprising choice. Give ``timezone=`` (IANA) when a file's times are a
device's local clock: the whole file is then shifted by that zone's offset at its first sample
(one fixed offset, as for device files; see :mod:`walkback.io._time`). ``clock="wall"`` is for
files whose times follow the zone's daylight-saving changes (exports of tools that print local
time): each time takes the zone's offset, the repeated autumn hour resolved by sample order.

Errors: a missing column, a non-numeric value or a time that goes backwards raises
:class:`walkback.errors.InputDataError` naming the file, the (1-based, header = row 1) row and
the column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.errors import InputDataError, ReadError, SettingsError
from walkback.io._summary import estimate_rate, gaps_and_rate
from walkback.io._time import local_to_utc, wall_to_utc
from walkback.io.types import Recording, RecordingInfo

#: HARTH / HAR70+ label codes (Logacjov et al. 2021; Ustad et al. 2023).
HARTH_LABELS = {
    1: "walking", 2: "running", 3: "shuffling", 4: "stairs_up", 5: "stairs_down",
    6: "standing", 7: "sitting", 8: "lying", 13: "cycling_sit", 14: "cycling_stand",
    130: "cycling_sit_inactive", 140: "cycling_stand_inactive",
}
HARTH_COLUMNS = ("timestamp", "back_x", "back_y", "back_z", "thigh_x", "thigh_y", "thigh_z")
SELFBACK_COLUMNS = ("time", "x", "y", "z")
_UNITS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def _load(path: str | Path, columns: Sequence[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, low_memory=False)
    except FileNotFoundError as exc:
        raise ReadError(f"{path}: file not found") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not a readable CSV table ({exc})") from exc
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputDataError(f"{path}: missing column(s) {missing}; found {list(df.columns)}")
    if len(df) == 0:
        raise InputDataError(f"{path}: the table has no data rows")
    return df


def _numeric(df: pd.DataFrame, cols: Sequence[str], path, scale: float = 1.0) -> np.ndarray:
    out = np.empty((len(df), len(cols)), dtype=np.float32)
    for k, col in enumerate(cols):
        v = pd.to_numeric(df[col], errors="coerce").to_numpy(np.float64)
        bad = np.flatnonzero(~np.isfinite(v))
        if bad.size:
            raise InputDataError(
                f"{path}: row {bad[0] + 2}, column {col!r}: expected a number, got "
                f"{df[col].iloc[bad[0]]!r}"
            )
        out[:, k] = v * scale
    return out


def _times(df: pd.DataFrame, col: str, path, *, unit: str | None, fmt: str | None,
           timezone: str, clock: str = "device") -> tuple[np.ndarray, float | None]:
    """Column ``col`` -> int64 UTC ns (and the UTC offset used, s)."""
    raw = df[col]
    if unit is not None:
        if unit not in _UNITS:
            raise InputDataError(f"time unit must be one of {sorted(_UNITS)}, got {unit!r}")
        num = pd.to_numeric(raw, errors="coerce").to_numpy(np.float64)
        bad = np.flatnonzero(~np.isfinite(num))
        if bad.size:
            raise InputDataError(f"{path}: row {bad[0] + 2}, column {col!r}: expected a number "
                                 f"of {unit}, got {raw.iloc[bad[0]]!r}")
        local = np.rint(num * _UNITS[unit]).astype(np.int64)
    else:
        parsed = pd.to_datetime(raw, format=fmt or "ISO8601", errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
            timezone = "UTC"
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            raise InputDataError(f"{path}: row {bad[0] + 2}, column {col!r}: not a time "
                                 f"({raw.iloc[bad[0]]!r}; format {fmt or 'ISO 8601'})")
        local = parsed.to_numpy().astype("datetime64[ns]").astype(np.int64)
    if clock not in ("device", "wall"):
        raise SettingsError(f"clock must be 'device' or 'wall', got {clock!r}")
    off = None
    if clock == "wall":
        utc = wall_to_utc(local, timezone)
    else:
        utc, off_ns = local_to_utc(local, timezone, int(local[0]))
        off = off_ns / 1e9
    back = np.flatnonzero(np.diff(utc) < 0)
    if back.size:
        raise InputDataError(f"{path}: row {back[0] + 3}, column {col!r}: time goes backwards "
                             f"({raw.iloc[back[0] + 1]!r} after {raw.iloc[back[0]]!r})")
    return utc, off


def _recording(path, fmt: str, t: np.ndarray, acc: np.ndarray, labels, timezone: str,
               off_s: float | None, rate_hz: float | None, device: str = "",
               extra=None) -> Recording:
    rate = float(rate_hz) if rate_hz else estimate_rate(t)
    gaps, measured = gaps_and_rate(t, rate)
    info = RecordingInfo(
        path=str(path), format=fmt, device=device, nominal_rate_hz=rate,
        measured_rate_hz=measured, start_ns=int(t[0]), stop_ns=int(t[-1]),
        n_samples=int(t.size), gaps=gaps, timezone=timezone,
        extra={"utc_offset_s": off_s, **(extra or {})},
    )
    return Recording(time_ns=t, accel_g=acc, info=info, labels=labels)


def read_harth_csv(path: str | Path, *, timezone: str = "UTC", rate_hz: float | None = None,
                   clock: str = "device") -> dict[str, Recording]:
    """Read a HARTH / HAR70+ CSV: ``{"back": Recording, "thigh": Recording}`` with labels.

    Columns ``timestamp,back_x,back_y,back_z,thigh_x,thigh_y,thigh_z[,label]`` (g). Integer
    labels become names (:data:`HARTH_LABELS`; unknown codes become ``"code_<n>"`` with a
    warning). Both recordings share the time vector and labels.
    """
    df = _load(path, HARTH_COLUMNS)
    t, off = _times(df, "timestamp", path, unit=None, fmt=None, timezone=timezone, clock=clock)
    labels, warnings = None, []
    if "label" in df.columns:
        codes = pd.to_numeric(df["label"], errors="coerce")
        if codes.isna().any():
            i = int(np.flatnonzero(codes.isna().to_numpy())[0])
            raise InputDataError(f"{path}: row {i + 2}, column 'label': expected an integer "
                                 f"code, got {df['label'].iloc[i]!r}")
        codes = codes.to_numpy().astype(np.int64)
        uniq = np.unique(codes)
        names = {c: HARTH_LABELS.get(int(c), f"code_{c}") for c in uniq}
        unknown = [int(c) for c in uniq if int(c) not in HARTH_LABELS]
        if unknown:
            warnings.append(f"unknown HARTH label code(s) {unknown} kept as 'code_<n>'")
        lut_keys = np.array(list(names), dtype=np.int64)
        lut_vals = np.array([names[k] for k in lut_keys], dtype=object)
        labels = lut_vals[np.searchsorted(lut_keys, codes)]
    out = {}
    for sensor in ("back", "thigh"):
        acc = _numeric(df, [f"{sensor}_{a}" for a in "xyz"], path)
        rec = _recording(path, "csv-harth", t.copy(), acc,
                         None if labels is None else labels.copy(), timezone, off, rate_hz,
                         extra={"sensor": sensor})
        rec.info.warnings.extend(warnings)
        out[sensor] = rec
    return out


def read_selfback_csv(path: str | Path, *, timezone: str = "UTC", rate_hz: float | None = None,
                      clock: str = "device") -> Recording:
    """Read a SELFBACK CSV (``time,x,y,z[,class]``; g; times ``YYYY-MM-DD hh:mm:ss.fff``).

    The ``class`` column (activity names such as ``walk_fast``) becomes ``labels``. The times
    are the Axivity's own (about 100 Hz, with the device's jitter), kept as they are.
    """
    df = _load(path, SELFBACK_COLUMNS)
    t, off = _times(df, "time", path, unit=None, fmt=None, timezone=timezone, clock=clock)
    acc = _numeric(df, ["x", "y", "z"], path)
    labels = df["class"].astype(str).to_numpy(dtype=object) if "class" in df.columns else None
    return _recording(path, "csv-selfback", t, acc, labels, timezone, off, rate_hz,
                      device="AX3")


def read_csv(path: str | Path, *, time_column: str = "time", time_unit: str | None = None,
             time_format: str | None = None, axis_columns: Sequence[str] = ("x", "y", "z"),
             scale: float = 1.0, label_column: str | None = None, timezone: str = "UTC",
             rate_hz: float | None = None, clock: str = "device") -> Recording:
    """Read a generic CSV of one sensor.

    ``time_column`` holds either numbers in ``time_unit`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``
    since 1970) or text times (``time_format`` strftime pattern, default ISO 8601; text with an
    explicit UTC offset is honoured and ``timezone`` is then ignored). ``axis_columns`` are the
    three acceleration columns, multiplied by ``scale`` to give g (e.g. 1/9.80665 for m/s^2).
    ``rate_hz`` is the nominal rate (default: estimated from the median interval).
    """
    if len(axis_columns) != 3:
        raise InputDataError(f"axis_columns must name 3 columns, got {list(axis_columns)}")
    cols = [time_column, *axis_columns] + ([label_column] if label_column else [])
    df = _load(path, cols)
    t, off = _times(df, time_column, path, unit=time_unit, fmt=time_format, timezone=timezone,
                    clock=clock)
    acc = _numeric(df, axis_columns, path, scale)
    labels = df[label_column].astype(str).to_numpy(dtype=object) if label_column else None
    return _recording(path, "csv", t, acc, labels, timezone, off, rate_hz)


def csv_layout(columns: Sequence[str]) -> str | None:
    """The known layout a CSV header matches: ``"harth"``, ``"selfback"`` or None."""
    have = set(columns)
    if set(HARTH_COLUMNS) <= have:
        return "harth"
    if set(SELFBACK_COLUMNS) <= have:
        return "selfback"
    return None


#: The known layouts, as told to a user whose file matches none.
KNOWN_LAYOUTS = (f"HARTH: {', '.join(HARTH_COLUMNS)}; SELFBACK: {', '.join(SELFBACK_COLUMNS)}")


def read_csv_header(path: str | Path) -> list[str]:
    """Column names of a CSV file (raises :class:`ReadError` / :class:`InputDataError`)."""
    try:
        return list(pd.read_csv(path, nrows=0).columns)
    except FileNotFoundError as exc:
        raise ReadError(f"{path}: file not found") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not a readable CSV table ({exc})") from exc


def read_csv_auto(path: str | Path, *, timezone: str = "UTC") -> Recording:
    """Read a CSV whose layout is recognised by its header (used by :func:`walkback.io.read`).

    HARTH files (two sensors) are refused here with a pointer to :func:`read_harth_csv`;
    SELFBACK-like ``time,x,y,z`` files are read with :func:`read_selfback_csv`. Any other
    layout is refused naming the known ones: rename the columns, or give them to
    :func:`read_csv` (the ``walkback info`` command has ``--time-column``/``--axis-columns``).
    """
    header = read_csv_header(path)
    layout = csv_layout(header)
    if layout == "harth":
        raise InputDataError(f"{path}: a HARTH two-sensor CSV; read it with "
                             "walkback.io.read_harth_csv (returns back and thigh)")
    if layout == "selfback":
        return read_selfback_csv(path, timezone=timezone)
    raise InputDataError(f"{path}: CSV columns {header} match no known layout ({KNOWN_LAYOUTS}); "
                         "rename the columns to time, x, y, z (g), or read the file with "
                         "walkback.io.read_csv(time_column=..., axis_columns=...)")
