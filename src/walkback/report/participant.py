"""Participant report: one self-contained HTML page from a ``process-one`` output folder.

Inputs (see ``docs/SCHEMAS.md``): ``daily.csv`` (required), ``epochs.parquet`` and ``qc.json``
(each optional: the report says what is missing). Times in ``epochs.parquet`` are UTC; the timeline
is drawn in local clock time of the zone named in ``qc.json`` (default ``Europe/Oslo``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.definitions import DEFAULT_TIMEZONE, EPOCH_S
from walkback.errors import InputDataError
from walkback.report import _inputs
from walkback.report._html import write_report
from walkback.report.study import PACE_MET

log = logging.getLogger(__name__)

DEFAULT_TZ = DEFAULT_TIMEZONE
DAILY_REQUIRED = ("date", "walking_s", "wear_s", "valid_study")
DAILY_SECONDS = (
    "lying_s", "sitting_s", "sedentary_s", "sleep_s", "standing_s", "walk_slow_s", "walk_moderate_s",
    "walk_brisk_s", "walking_s", "running_s", "cycling_s", "other_s", "non_wear_s", "wear_s",
    "day_length_s", "longest_bout_s",
)
DAILY_NUMERIC = (*DAILY_SECONDS, "day", "steps", "cadence_walking_spm", "walking_bouts")
EPOCH_COLUMNS = ("start_ns", "time", "activity", "study_class", "pace", "cadence_spm", "steps",
                 "thigh_wear", "back_wear", "met", "confidence")


@dataclass(frozen=True)
class ParticipantData:
    """Everything the participant report shows, read from one output folder."""

    folder: Path
    participant_id: str
    daily: pd.DataFrame  # daily.csv, numeric columns as float, valid flags as bool
    epochs: pd.DataFrame | None  # with ``local`` (tz-aware local time) and ``date`` (YYYY-MM-DD)
    qc: dict | None
    timezone: str
    epoch_s: float

    @property
    def valid(self) -> pd.DataFrame:
        """Days meeting the study's validity rule."""
        return self.daily[self.daily["valid_study"]]

    def volume_min(self) -> float:
        """Mean walking minutes per valid day (the study's volume exposure); NaN without one."""
        v = self.valid
        return float(v["walking_s"].mean() / 60.0) if len(v) else float("nan")

    def intensity_met(self) -> float:
        """Time-weighted MET of walking over valid days (the study's intensity exposure)."""
        v = self.valid
        cols = [f"walk_{p}_s" for p in PACE_MET]
        if not len(v) or any(c not in v.columns for c in cols):
            return float("nan")
        means = {p: v[f"walk_{p}_s"].mean() for p in PACE_MET}
        total = sum(means.values())
        if not total > 0:
            return float("nan")
        return float(sum(PACE_MET[p] * means[p] for p in PACE_MET) / total)


def _as_bool(series: pd.Series, path: Path, col: str) -> pd.Series:
    if series.dtype == bool:
        return series
    text = series.astype(str).str.strip().str.lower()
    mapping = {"true": True, "false": False, "1": True, "0": False, "1.0": True, "0.0": False,
               "yes": True, "no": False}
    bad = ~text.isin(list(mapping))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputDataError(f"{path}: column {col!r} row {row + 2} holds {series.iloc[row]!r}; "
                             "expected True or False")
    return text.map(mapping).astype(bool)


def _find_key(data: object, names: tuple[str, ...]) -> object:
    """First value under any key in ``names`` (depth-first through nested dicts)."""
    if isinstance(data, dict):
        for k, v in data.items():
            if str(k).lower() in names and not isinstance(v, dict):
                return v
        for v in data.values():
            found = _find_key(v, names)
            if found is not None:
                return found
    return None


def read_daily(path: Path) -> pd.DataFrame:
    """``daily.csv`` checked: required columns present, durations numeric, flags boolean."""
    daily = _inputs.read_csv(path, DAILY_REQUIRED, DAILY_NUMERIC)
    for col in ("valid_study", "valid_wear20h", "partial_day"):
        if col in daily.columns:
            daily[col] = _as_bool(daily[col], path, col)
    daily["date"] = daily["date"].astype(str)
    return daily.sort_values("date").reset_index(drop=True)


def read_epochs(path: Path, tz: str) -> tuple[pd.DataFrame, float]:
    """``epochs.parquet`` with local time and local date added; returns (table, epoch seconds)."""
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    time_col = "start_ns" if "start_ns" in names else "time"
    ep = _inputs.read_parquet(path, (time_col, "study_class"), EPOCH_COLUMNS)
    t = ep[time_col]
    if pd.api.types.is_integer_dtype(t):
        utc = pd.to_datetime(t.to_numpy(), unit="ns", utc=True)
    else:
        utc = pd.DatetimeIndex(pd.to_datetime(t, utc=True))
    utc_ns = np.asarray(utc.as_unit("ns").asi8, dtype=np.int64)
    local = utc.tz_convert(tz)
    wall_ns = np.asarray(local.tz_localize(None).as_unit("ns").asi8, dtype=np.int64)
    ep = ep.assign(local=local, utc_ns=utc_ns, offset_s=(wall_ns - utc_ns) / 1e9)
    ep = ep.sort_values("utc_ns").reset_index(drop=True)
    ep["date"] = ep["local"].dt.strftime("%Y-%m-%d")
    diffs = np.diff(ep["utc_ns"].to_numpy()) / 1e9
    epoch_s = float(np.median(diffs)) if len(diffs) else EPOCH_S
    return ep, epoch_s if epoch_s > 0 else EPOCH_S


def load_participant(folder: str | Path) -> ParticipantData:
    """Read a participant output folder; InputDataError/ReadError name the offending file."""
    folder = _inputs.require_dir(Path(folder), "a process-one output folder")
    daily_path = folder / "daily.csv"
    if not daily_path.is_file():
        raise InputDataError(f"{daily_path}: not found (a process-one folder holds daily.csv, "
                             "epochs.parquet and qc.json)")
    daily = read_daily(daily_path)
    qc = _inputs.read_json(folder / "qc.json")
    tz = str(_find_key(qc, ("timezone", "tz", "time_zone")) or DEFAULT_TZ)
    try:
        pd.Timestamp("2020-01-01", tz=tz)
    except Exception as exc:  # noqa: BLE001 - any zone parsing failure is the same input error
        raise InputDataError(f"{folder / 'qc.json'}: unknown time zone {tz!r}") from exc
    epochs, epoch_s = None, EPOCH_S
    if (folder / "epochs.parquet").is_file():
        epochs, epoch_s = read_epochs(folder / "epochs.parquet", tz)
        step = (qc.get("epochs") or {}).get("step_s") if isinstance(qc, dict) else None
        if isinstance(step, int | float) and step > 0:  # the pipeline records it (qc.json)
            epoch_s = float(step)
    pid = ""
    if "participant_id" in daily.columns and len(daily):
        pid = str(daily["participant_id"].iloc[0])
    pid = pid or str(_find_key(qc, ("participant_id", "id")) or folder.name)
    return ParticipantData(folder, pid, daily, epochs, qc, tz, epoch_s)


def render_participant(data: ParticipantData) -> str:
    """The report's complete HTML text."""
    from walkback.report._participant_sections import build_page

    return build_page(data)


def participant_report(folder: str | Path, out: str | Path) -> Path:
    """Write the participant report of ``folder`` to ``out`` (atomically); returns ``out``."""
    data = load_participant(folder)
    out = Path(out)
    write_report(out, render_participant(data))
    log.info("participant report written to %s", out)
    return out
