"""The daily table (docs/SCHEMAS.md "walking -> cohort").

One row per participant and local calendar day (:func:`walkback.signal.calendar_days`, IANA zone;
DST days are 23 h / 25 h long). Epochs are assigned to the day holding their start. Seconds are
epoch counts x the epochs' step (:func:`walkback.activity.epoch_info`: each epoch stands for one
step, whatever the window overlap); time the recording does not cover is in no column (so
``wear_s + non_wear_s`` can be below ``day_length_s`` on partial days). Wear time and the study's
valid-day rule are :mod:`walkback.definitions`' (shared with the cohort analysis).

``sleep_s`` counts the epochs :func:`walkback.activity.detect_sleep` marked ``sleep``, by epoch
start like every other column: a night is split at local midnight, its evening part in one day and
its morning part in the next (as HUNT's day columns, where ``SleTmD`` adds up to 24 h with the
other parts of the same day). Sleep is part of ``lying_s`` (of ``sedentary_s`` in thigh-only mode),
so lying awake is ``lying_s - sleep_s``. Epochs without a ``sleep`` column (the detector not run)
give an empty ``sleep_s``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from walkback.activity.epochs import epoch_info
from walkback.definitions import valid_walking_day, wear_seconds
from walkback.walking.bouts import walking_bouts
from walkback.walking.settings import WalkingSettings
from walkback.walking.trunk import TrunkAngles, trunk_columns, trunk_daily

#: The daily table's columns before the trunk exposures, in order (docs/SCHEMAS.md).
BASE_DAILY_COLUMNS: tuple[str, ...] = (
    "participant_id", "day", "date", "weekday",
    "lying_s", "sitting_s", "sedentary_s", "sleep_s", "standing_s",
    "walk_slow_s", "walk_moderate_s", "walk_brisk_s", "walking_s",
    "running_s", "cycling_s", "other_s", "non_wear_s", "wear_s", "day_length_s",
    "steps", "cadence_walking_spm", "walking_bouts", "longest_bout_s",
    "partial_day", "valid_study", "valid_wear20h",
)

#: Columns of the daily table with the default settings, in order (docs/SCHEMAS.md): the base
#: columns, then the trunk exposures (:func:`walkback.walking.trunk.trunk_columns`; their names
#: follow ``TrunkSettings.thresholds_deg``).
DAILY_COLUMNS: tuple[str, ...] = BASE_DAILY_COLUMNS + trunk_columns()

_CLASS_COLUMNS = {
    "lying": "lying_s", "sitting": "sitting_s", "sedentary": "sedentary_s",
    "standing": "standing_s", "walking": "walking_s", "running": "running_s",
    "cycling": "cycling_s", "other": "other_s", "non_wear": "non_wear_s",
}


def daily_table(
    epochs: pd.DataFrame,
    days: pd.DataFrame,
    participant_id: str,
    *,
    thigh_only: bool,
    settings: WalkingSettings | None = None,
    trunk: TrunkAngles | None = None,
) -> pd.DataFrame:
    """Daily table from measured epochs.

    ``epochs`` needs ``start_ns``, ``study_class``, ``pace`` (final pace), ``cadence_spm``,
    ``steps`` and its :class:`~walkback.activity.EpochInfo`; ``days`` the
    :data:`walkback.signal.types.DAYS_COLUMNS` ``date``, ``start_ns``, ``stop_ns``,
    ``day_length_h``, ``partial``. In thigh-only mode ``lying_s`` and ``sitting_s`` are NaN and
    ``sedentary_s`` holds both; with a back sensor ``sedentary_s`` = lying + sitting. ``sleep_s``
    needs a bool ``sleep`` column (NaN without one).
    ``trunk``: the recording's :func:`~walkback.walking.trunk.measure_trunk` angles, for the trunk
    exposure columns (None: those columns are empty, as for thigh-only recordings).
    """
    s = settings or WalkingSettings()
    step_s = epoch_info(epochs).step_s
    nd = len(days)
    start = epochs["start_ns"].to_numpy(np.int64)
    day_idx = np.searchsorted(days["start_ns"].to_numpy(np.int64), start, side="right") - 1
    inside = (day_idx >= 0) & (start < days["stop_ns"].to_numpy(np.int64)[np.clip(day_idx, 0, None)])
    d = np.where(inside, day_idx, nd)  # nd = outside every day (dropped by bincount slicing)
    cls = epochs["study_class"].to_numpy(object)
    pace = epochs["pace"].to_numpy(object)
    out: dict[str, object] = {}

    def secs(mask: np.ndarray) -> np.ndarray:
        return np.bincount(d[mask], minlength=nd + 1)[:nd] * step_s

    for c, col in _CLASS_COLUMNS.items():
        out[col] = secs(cls == c)
    walking = cls == "walking"
    for p in ("slow", "moderate", "brisk"):
        out[f"walk_{p}_s"] = secs(walking & (pace == p))
    if thigh_only:
        out["sedentary_s"] = out["sedentary_s"] + out["lying_s"] + out["sitting_s"]
        out["lying_s"] = np.full(nd, np.nan)
        out["sitting_s"] = np.full(nd, np.nan)
    else:
        out["sedentary_s"] = out["lying_s"] + out["sitting_s"] + out["sedentary_s"]
    out["sleep_s"] = (secs(epochs["sleep"].to_numpy(bool)) if "sleep" in epochs
                      else np.full(nd, np.nan))
    out["wear_s"] = wear_seconds(out)
    steps = epochs["steps"].to_numpy(np.int64)
    out["steps"] = np.bincount(d, weights=steps, minlength=nd + 1)[:nd].astype(np.int64)
    cad = epochs["cadence_spm"].to_numpy(float)
    okc = walking & np.isfinite(cad)
    csum = np.bincount(d[okc], weights=cad[okc], minlength=nd + 1)[:nd]
    cn = np.bincount(d[okc], minlength=nd + 1)[:nd]
    out["cadence_walking_spm"] = np.divide(csum, cn, out=np.full(nd, np.nan), where=cn > 0)
    out.update(_bouts_per_day(start, walking, days, step_s, s))
    dates = pd.DatetimeIndex(days["date"])
    table = pd.DataFrame(out)
    table.insert(0, "participant_id", str(participant_id))
    table.insert(1, "day", np.arange(1, nd + 1))
    table.insert(2, "date", dates.strftime("%Y-%m-%d"))
    table.insert(3, "weekday", dates.strftime("%a"))
    table["day_length_s"] = days["day_length_h"].to_numpy(float) * 3600.0
    table["partial_day"] = days["partial"].to_numpy(bool)
    table["valid_study"] = valid_walking_day(table)
    table["valid_wear20h"] = table["wear_s"] >= s.valid_wear_h * 3600.0
    for col, v in trunk_daily(trunk, d, cls, nd, s.trunk).items():
        table[col] = v
    return table[list(BASE_DAILY_COLUMNS + trunk_columns(s.trunk))]


def _bouts_per_day(start: np.ndarray, walking: np.ndarray, days: pd.DataFrame, step_s: float,
                   s: WalkingSettings) -> dict:
    nd = len(days)
    b = walking_bouts(start, walking, step_s, s.bout_min_s, s.bout_gap_s)
    bd = np.searchsorted(days["start_ns"].to_numpy(np.int64), b["start_ns"].to_numpy(np.int64), side="right") - 1
    ok = bd >= 0
    count = np.bincount(bd[ok], minlength=nd)[:nd]
    longest = np.zeros(nd)
    np.maximum.at(longest, bd[ok], b["duration_s"].to_numpy(float)[ok])
    return {"walking_bouts": count.astype(np.int64), "longest_bout_s": longest}
