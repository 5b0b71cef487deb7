"""Day validity and person-level walking exposures, exactly as the study (study-spec §1.2-1.3).

Reproduces the authors' Stata code (``1_Cleaning.do``) on the long day table:

1. Wear time of a day = row total of lying + sitting + standing + slow + moderate + brisk walking
   + running + cycling (``egen rowtotal(..., missing)``: missing only if all eight are missing).
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
   volume_min`` with the MET weights (2.8, 3.8, 4.8); ``walk_mvpa_min`` = moderate + brisk;
   ``other_pa_min`` = running + cycling.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from walkback.cohort.schema import DAY_ACTIVITY_COLUMNS

__all__ = ["EXPOSURE_COLUMNS", "day_validity", "person_exposures"]

_WEAR_PARTS = ("lying_s", "sitting_s", "standing_s", "walk_slow_s", "walk_moderate_s",
               "walk_brisk_s", "running_s", "cycling_s")
_WALK_COLS = ("walk_slow_s", "walk_moderate_s", "walk_brisk_s", "walking_s")
_BLANK_IF_ZERO = ("lying_s", "sitting_s", "standing_s", "walking_s")

#: Columns of :func:`person_exposures`, besides ``participant_id``.
EXPOSURE_COLUMNS: tuple[str, ...] = (
    "valid_days", "valid_days_walk", "volume_min", "intensity_met", "walk_slow_min",
    "walk_moderate_min", "walk_brisk_min", "walk_mvpa_min", "running_min", "cycling_min",
    "other_pa_min", "wear_min",
)


def day_validity(days: pd.DataFrame) -> pd.DataFrame:
    """The day table after steps 1-2: adds ``wear_min`` (NaN if all eight parts are missing),
    ``valid_day`` / ``valid_walk_day`` (bool), and blanks the walking columns (NaN) on days with
    zero lying, sitting, standing or walking. Returns a new DataFrame; the input is unchanged.
    """
    out = days.copy()
    parts = out.loc[:, list(_WEAR_PARTS)].to_numpy(dtype=float)
    thigh_only = _thigh_only_sedentary(out)
    if thigh_only is not None:
        # thigh-only days: sitting + lying arrive as one sedentary figure; it takes their place
        parts[:, 0] = np.where(np.isnan(thigh_only), parts[:, 0], thigh_only)
    any_present = ~np.all(np.isnan(parts), axis=1)
    wear_s = np.where(any_present, np.nansum(parts, axis=1), np.nan)
    out["wear_min"] = wear_s / 60.0
    zero = np.zeros(len(out), dtype=bool)
    for col in _BLANK_IF_ZERO:
        v = out[col].to_numpy(dtype=float)
        if thigh_only is not None and col in ("lying_s", "sitting_s"):
            v = np.where(np.isnan(thigh_only), v, thigh_only)
        zero |= v == 0
    for col in _WALK_COLS:
        v = out[col].to_numpy(dtype=float).copy()
        v[zero] = np.nan
        out[col] = v
    out["valid_day"] = any_present
    out["valid_walk_day"] = out["walking_s"].notna().to_numpy()
    return out


def _thigh_only_sedentary(days: pd.DataFrame) -> np.ndarray | None:
    """``sedentary_s`` on thigh-only days (lying and sitting both missing), else NaN; None when the
    table has no ``sedentary_s`` column.

    A thigh sensor alone cannot tell sitting from lying (both put the thigh horizontal), so
    walkback's thigh-only daily tables leave ``lying_s``/``sitting_s`` empty and report their sum as
    ``sedentary_s``. On such days the study's rules use that sum: it counts towards wear time in
    place of lying + sitting, and the "zero lying or sitting" blanking rule becomes "zero sedentary".
    """
    if "sedentary_s" not in days.columns:
        return None
    sed = days["sedentary_s"].to_numpy(dtype=float)
    both_missing = days["lying_s"].isna().to_numpy() & days["sitting_s"].isna().to_numpy()
    return np.where(both_missing, sed, np.nan)


def person_exposures(
    days: pd.DataFrame,
    met_weights: Sequence[float] = (2.8, 3.8, 4.8),
    participants: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Person-level exposures (one row per participant; see the module docstring).

    ``days`` is the canonical long day table (seconds). ``participants`` fixes the rows and
    their order (participants without any day get 0 valid days and NaN exposures); default: the
    participants of ``days`` in order of first appearance. Minutes per day; MET.
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
    return pd.DataFrame(
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
