"""Helpers of the activity tests: ``Prepared`` signals from arrays, a tiny training setup,
SELFBACK segment lookup."""

from __future__ import annotations

import numpy as np
import pandas as pd

from walkback.activity.settings import TrainSettings
from walkback.signal.types import Prepared

#: SELFBACK subjects of the small real training set.
SUBJECTS = ["026", "041", "055"]
#: A fast training configuration (25 rounds, 5-s training step).
TINY = TrainSettings(num_boost_round=25, train_step_s=5.0)


def make_prepared(thigh: np.ndarray, back: np.ndarray | None = None, start_ns: int = 0,
                  thigh_wear: np.ndarray | None = None) -> Prepared:
    """A Prepared signal at 50 Hz from canonical arrays (g; NaN = gap), time zone UTC."""
    valid = np.isfinite(thigh).all(axis=1)
    wear = valid if thigh_wear is None else thigh_wear & valid
    kw = {}
    if back is not None:
        bv = np.isfinite(back).all(axis=1)
        kw = {"back_g": back.astype(np.float32), "back_wear": bv}
    return Prepared(fs_hz=50.0, start_ns=start_ns, thigh_g=thigh.astype(np.float32),
                    thigh_wear=wear, timezone="UTC", days=pd.DataFrame(), **kw)


def segment_of(segments, subject: str, activity_file: str):
    """The SELFBACK segment of ``subject`` (e.g. "026") recorded in ``activity_file``."""
    for s in segments:
        if s.subject == f"selfback-{subject}" and f"/{activity_file}/" in s.name:
            return s
    raise KeyError((subject, activity_file))
