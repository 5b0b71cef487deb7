"""Day validity and person-level walking exposures, exactly as the study (study-spec §1.2-1.3).

Reproduces the authors' Stata code (``1_Cleaning.do``) on the long day table:

1. Wear time of a day = row total of lying + sitting + standing + slow + moderate + brisk walking
   + running + cycling (``egen rowtotal(..., missing)``: missing only if all eight are missing),
   plus ``other_s`` where a table has it (walkback's own tables; HUNT's have no such time).
   Total walking (``walking_s``) is *not* part of it.
2. The four walking columns (slow, moderate, brisk, total) are set to missing on days where
   lying, sitting, standing OR total walking equals 0 (a missing value is not 0 and does not
   blank the day, as in Stata).
3. ``valid_days`` = days with non-missing wear time; ``valid_days_walk`` = days with non-missing
   total walking after step 2.
4. Person means are unweighted means over non-missing days (``egen rowmean``), in minutes:
   slow/moderate/brisk walking over their own non-missing days, ``volume_min`` (``walk_tot``) over
   the non-missing total-walking days, running and cycling over their non-missing days (the
   blanking does not apply to them).
5. ``intensity_met = (w_slow*walk_slow_min + w_mod*walk_moderate_min + w_brisk*walk_brisk_min) /
   volume_min`` with the MET weights (:data:`walkback.definitions.MET_BY_PACE`); ``walk_mvpa_min`` = moderate + brisk;
   ``other_pa_min`` = running + cycling.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from walkback.cohort.schema import DAY_ACTIVITY_COLUMNS
from walkback.definitions import MET_BY_PACE, valid_walking_day, walking_blanked, wear_seconds

__all__ = ["EXPOSURE_COLUMNS", "day_validity", "person_exposures"]

_WALK_COLS = ("walk_slow_s", "walk_moderate_s", "walk_brisk_s", "walking_s")

#: Columns of :func:`person_exposures`, besides ``participant_id``.
EXPOSURE_COLUMNS: tuple[str, ...] = (
    "valid_days", "valid_days_walk", "volume_min", "intensity_met", "walk_slow_min",
    "walk_moderate_min", "walk_brisk_min", "walk_mvpa_min", "running_min", "cycling_min",
    "other_pa_min", "wear_min",
)


def day_validity(days: pd.DataFrame) -> pd.DataFrame:
    """The day table after steps 1-2: adds ``wear_min`` (NaN if all parts are missing),
    ``valid_day`` / ``valid_walk_day`` (bool), and blanks the walking columns (NaN) on days with
    zero lying, sitting, standing or walking. Returns a new DataFrame; the input is unchanged.

    The rules are :mod:`walkback.definitions`' (:func:`~walkback.definitions.wear_seconds`,
    :func:`~walkback.definitions.walking_blanked`), shared with walkback's own daily table; on
    thigh-only days ``sedentary_s`` stands in for lying + sitting.
    """
    out = days.copy()
    wear_s = wear_seconds(out)
    valid_walk = valid_walking_day(out)
    blank = walking_blanked(out)
    out["wear_min"] = wear_s / 60.0
    for col in _WALK_COLS:
        v = out[col].to_numpy(dtype=float).copy()
        v[blank] = np.nan
        out[col] = v
    out["valid_day"] = ~np.isnan(wear_s)
    out["valid_walk_day"] = valid_walk
    return out


def person_exposures(
    days: pd.DataFrame,
    met_weights: Sequence[float] = MET_BY_PACE,
    participants: Sequence[str] | None = None,
    trunk_column: str | None = None,
) -> pd.DataFrame:
    """Person-level exposures (one row per participant; see the module docstring).

    ``days`` is the canonical long day table (seconds). ``participants`` fixes the rows and
    their order (participants without any day get 0 valid days and NaN exposures); default: the
    participants of ``days`` in order of first appearance. Minutes per day; MET. With
    ``trunk_column`` (a day-table column in seconds, e.g. ``trunk_fwd_ge30_s``) the table also
    holds ``trunk_min``: its mean over the valid walking days that have a value (NaN without one;
    thigh-only days have none).
    """
    missing = [c for c in DAY_ACTIVITY_COLUMNS if c not in days.columns]
    if missing:
        raise KeyError(f"day table lacks canonical columns {missing}")
    d = day_validity(days)
    keys = d["participant_id"].to_numpy(dtype=object)
    if participants is None:
        participants = pd.unique(keys)
    index = pd.Index(participants, name="participant_id")
    codes = index.get_indexer(keys)
    keep = codes >= 0
    n = len(index)
    cols = ["walk_slow_s", "walk_moderate_s", "walk_brisk_s", "walking_s", "running_s",
            "cycling_s", "wear_min"]
    if trunk_column is not None:
        if trunk_column not in d.columns:
            raise KeyError(f"day table lacks the trunk column {trunk_column!r} ([cohort.trunk] "
                           "column)")
        trunk = d[trunk_column].to_numpy(dtype=float)
        d["_trunk_s"] = np.where(d["valid_walk_day"].to_numpy(), trunk, np.nan)
        cols.append("_trunk_s")
    vals = d.loc[keep, cols].to_numpy(dtype=float)
    c = codes[keep]
    present = ~np.isnan(vals)
    filled = np.where(present, vals, 0.0)
    sums = np.column_stack([np.bincount(c, weights=filled[:, j], minlength=n)
                            for j in range(len(cols))])
    counts = np.column_stack([np.bincount(c, weights=present[:, j], minlength=n)
                              for j in range(len(cols))])
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / counts, np.nan)
    w1, w2, w3, vol, run, cyc = (means[:, i] / 60.0 for i in range(6))
    weights = [float(w) for w in met_weights]
    with np.errstate(invalid="ignore", divide="ignore"):
        intensity = (weights[0] * w1 + weights[1] * w2 + weights[2] * w3) / vol
    out = pd.DataFrame(
        {
            "participant_id": index.to_numpy(dtype=object),
            "valid_days": np.bincount(c[d["valid_day"].to_numpy()[keep]], minlength=n),
            "valid_days_walk": counts[:, 3].astype(np.int64),
            "volume_min": vol,
            "intensity_met": intensity,
            "walk_slow_min": w1,
            "walk_moderate_min": w2,
            "walk_brisk_min": w3,
            "walk_mvpa_min": w2 + w3,
            "running_min": run,
            "cycling_min": cyc,
            "other_pa_min": run + cyc,
            "wear_min": means[:, 6],
        }
    )
    if trunk_column is not None:
        out["trunk_min"] = means[:, 7] / 60.0
    return out
