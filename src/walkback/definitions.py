"""The study's definitions: every fact that more than one stage uses, defined once.

Stages read these names; none keeps a copy. Where a stage lets a user change a fact (a setting), the
setting's default is the name here. Sources: the HUNT walking / chronic low back pain study
(Haddadj et al., JAMA Netw Open 2025;8(6):e2515592; the authors' Stata code ``1_Cleaning.do``, see
``study-spec.md`` §1.2-1.3) and NTNU's HUNT4 label merge (study-spec §3.3).

Units are in the names: ``_s`` seconds, ``_h`` hours, ``_hz`` Hz, MET.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: IANA zone of device clocks and calendar days when nothing else is said (HUNT: Norway).
DEFAULT_TIMEZONE = "Europe/Oslo"

#: Rate of the prepared signal grid (Hz): HUNT4 and HARTH store 50 Hz.
GRID_HZ = 50.0

#: Length of one activity epoch (window) in seconds: NTNU's HUNT4 bulk output gives 5-s epochs.
EPOCH_S = 5.0

#: Walking pace classes, slowest first (the study's Walk1 / Walk2 / Walk3).
PACES: tuple[str, str, str] = ("slow", "moderate", "brisk")

#: MET of slow, moderate and brisk walking (the study's fixed weights, authors' code).
MET_BY_PACE: tuple[float, float, float] = (2.8, 3.8, 4.8)

#: Study class of each fine activity class: stairs count as walking and shuffling as standing
#: (NTNU's HUNT4 merge); thigh-only recordings report sitting + lying as ``sedentary``.
STUDY_CLASS: dict[str, str] = {
    "lying": "lying",
    "sitting": "sitting",
    "sedentary": "sedentary",
    "standing": "standing",
    "shuffling": "standing",
    "walking": "walking",
    "stairs_up": "walking",
    "stairs_down": "walking",
    "running": "running",
    "cycling": "cycling",
    "other": "other",
    "non_wear": "non_wear",
}

#: The day table's activity parts (seconds per day) whose row total is the day's wear time
#: (``egen rowtotal(..., missing)``). Total walking (``walking_s``) is the sum of the three paces
#: and is not added again. ``other_s`` (walkback's unclassified transitions; HUNT has no such
#: column, its transitions were merged into these classes) is added when a table has it.
WEAR_PARTS: tuple[str, ...] = ("lying_s", "sitting_s", "standing_s", "walk_slow_s",
                               "walk_moderate_s", "walk_brisk_s", "running_s", "cycling_s")

#: A day with zero seconds in any of these has no valid walking (its walking is set to missing).
NONZERO_FOR_WALKING: tuple[str, ...] = ("lying_s", "sitting_s", "standing_s", "walking_s")

#: Hours of wear for the day table's ``valid_wear20h`` flag.
FULL_WEAR_H = 20.0

#: Trunk inclination thresholds (degrees) of the day table's trunk exposures, as ActiPASS / Acti4
#: report them; the longest forward bend is counted at :data:`TRUNK_LONGEST_DEG`.
TRUNK_THRESHOLDS_DEG: tuple[int, ...] = (20, 30, 60, 90)
TRUNK_LONGEST_DEG = 60


def trunk_day_columns(thresholds_deg: tuple[int, ...] = TRUNK_THRESHOLDS_DEG,
                      longest_deg: int = TRUNK_LONGEST_DEG) -> tuple[str, ...]:
    """Names of the day table's trunk exposure columns (seconds per day), in order.

    ``trunk_upright_s`` (upright time with the back sensor worn: the denominator),
    ``trunk_ge{T}_s`` (inclination >= T while upright), ``trunk_fwd_ge{T}_s`` (forward
    inclination >= T while upright), ``trunk_fwd_ge{L}_longest_s`` (the longest uninterrupted
    upright period >= L forward), ``trunk_sitting_s`` (sitting time with the back worn) and
    ``trunk_fwd_ge{T}_sitting_s`` (forward inclination >= T while sitting). Written by
    :mod:`walkback.walking.trunk`, read (optionally) by the cohort analysis.
    """
    t = thresholds_deg
    return ("trunk_upright_s", *(f"trunk_ge{x}_s" for x in t), *(f"trunk_fwd_ge{x}_s" for x in t),
            f"trunk_fwd_ge{longest_deg}_longest_s", "trunk_sitting_s",
            *(f"trunk_fwd_ge{x}_sitting_s" for x in t))


def _col(table: Mapping[str, Any], name: str, n: int) -> np.ndarray:
    return np.asarray(table[name], dtype=float) if name in table else np.full(n, np.nan)


def _rows(table: Mapping[str, Any]) -> int:
    return len(np.asarray(table[WEAR_PARTS[-1]]))


def thigh_only_sedentary(table: Mapping[str, Any]) -> np.ndarray:
    """``sedentary_s`` on thigh-only days (lying and sitting both missing), NaN elsewhere.

    A thigh sensor alone cannot tell sitting from lying (the thigh is horizontal in both), so
    walkback's thigh-only days leave ``lying_s`` / ``sitting_s`` empty and report their sum as
    ``sedentary_s``. On such days the rules below use that sum in place of lying + sitting.
    """
    n = _rows(table)
    sed = _col(table, "sedentary_s", n)
    both_missing = np.isnan(_col(table, "lying_s", n)) & np.isnan(_col(table, "sitting_s", n))
    return np.where(both_missing, sed, np.nan)


def wear_seconds(table: Mapping[str, Any]) -> np.ndarray:
    """Wear time of each day (s): the row total of :data:`WEAR_PARTS` (plus ``other_s`` when the
    table has it), NaN when every part is missing. Thigh-only days count ``sedentary_s``."""
    n = _rows(table)
    parts = np.column_stack([_col(table, c, n) for c in WEAR_PARTS]
                            + ([_col(table, "other_s", n)] if "other_s" in table else []))
    sed = thigh_only_sedentary(table)
    parts[:, 0] = np.where(np.isnan(sed), parts[:, 0], sed)
    present = ~np.all(np.isnan(parts), axis=1)
    return np.where(present, np.nansum(parts, axis=1), np.nan)


def walking_blanked(table: Mapping[str, Any]) -> np.ndarray:
    """True on days with zero lying, sitting, standing or walking (bool per day): the study sets
    their walking to missing. A missing value is not zero and does not blank a day (as in Stata);
    thigh-only days test ``sedentary_s`` for lying and sitting."""
    n = _rows(table)
    sed = thigh_only_sedentary(table)
    zero = np.zeros(n, dtype=bool)
    for c in NONZERO_FOR_WALKING:
        v = _col(table, c, n)
        if c in ("lying_s", "sitting_s"):
            v = np.where(np.isnan(sed), v, sed)
        zero |= v == 0
    return zero


def valid_walking_day(table: Mapping[str, Any]) -> np.ndarray:
    """True on days that count for the walking exposures (bool per day): total walking recorded
    and the day not :func:`walking_blanked` (the study's ``valid_days_walk`` counts these)."""
    n = _rows(table)
    return ~np.isnan(_col(table, "walking_s", n)) & ~walking_blanked(table)
