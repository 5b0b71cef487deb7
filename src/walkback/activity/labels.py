"""Activity label sets: fine classes, study summary classes, pace, and dataset label maps.

Fine classes (the ``activity`` column of the activity-epochs table, docs/SCHEMAS.md) and the study
summary classes (``study_class``). Thigh-only mode cannot tell sitting from lying (the thigh is
horizontal in both), so it reports both as ``sedentary``.
"""

from __future__ import annotations

import numpy as np

from walkback import definitions

#: Every fine class the epochs table may hold, in a fixed order.
FINE_CLASSES: tuple[str, ...] = (
    "lying",
    "sitting",
    "sedentary",
    "standing",
    "shuffling",
    "walking",
    "stairs_up",
    "stairs_down",
    "running",
    "cycling",
    "other",
    "non_wear",
)

#: Study summary class of each fine class (defined in :mod:`walkback.definitions`).
STUDY_CLASS = definitions.STUDY_CLASS

#: Walking pace classes, slowest first.
PACE_CLASSES: tuple[str, ...] = definitions.PACES

#: Classes that count as walking for the walking-vs-rest score and for pace prediction.
WALKING_CLASSES: frozenset[str] = frozenset({"walking", "stairs_up", "stairs_down"})

#: SELFBACK activity folder -> (fine class, pace or "").
SELFBACK_LABELS: dict[str, tuple[str, str]] = {
    "walk_slow": ("walking", "slow"),
    "walk_mod": ("walking", "moderate"),
    "walk_fast": ("walking", "brisk"),
    "jogging": ("running", ""),
    "upstairs": ("stairs_up", ""),
    "downstairs": ("stairs_down", ""),
    "standing": ("standing", ""),
    "sitting": ("sitting", ""),
    "lying": ("lying", ""),
}

#: HARTH label names from :mod:`walkback.io` that are not fine classes -> fine class. Inactive
#: cycling (sitting or standing on a bike without pedalling, HARTH codes 130 / 140) is mapped to
#: what the thigh does: sitting / standing.
HARTH_IO_NAMES: dict[str, str] = {
    "cycling_sit": "cycling",
    "cycling_stand": "cycling",
    "cycling_sit_inactive": "sitting",
    "cycling_stand_inactive": "standing",
}


def merge_sedentary(labels: np.ndarray) -> np.ndarray:
    """Map ``sitting`` and ``lying`` to ``sedentary`` (thigh-only mode); other labels unchanged."""
    labels = np.asarray(labels, dtype=object)
    out = labels.copy()
    out[(labels == "sitting") | (labels == "lying")] = "sedentary"
    return out


def study_classes(fine: np.ndarray) -> np.ndarray:
    """Study summary class of each fine label (object array of str)."""
    fine = np.asarray(fine, dtype=object)
    lookup = np.vectorize(lambda a: STUDY_CLASS.get(a, "other"), otypes=[object])
    return lookup(fine) if fine.size else fine.copy()
