"""Fixtures for the activity tests: small real labelled data, tiny trained models, Prepared builders."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from walkback.activity import datasets  # noqa: E402
from walkback.activity.settings import TrainSettings  # noqa: E402
from walkback.activity.train import fit  # noqa: E402
from walkback.signal.types import Prepared  # noqa: E402

SUBJECTS = ["026", "041", "055"]
TINY = TrainSettings(num_boost_round=25, train_step_s=5.0)


@pytest.fixture(scope="session")
def selfback_root(shared_data) -> Path:
    return shared_data / "selfback-thigh"


@pytest.fixture(scope="session")
def selfback_segments(selfback_root):
    return datasets.load_selfback(selfback_root, subjects=SUBJECTS)


@pytest.fixture(scope="session")
def harth_segments(shared_data):
    return datasets.load_harth(shared_data / "harth-samples")


@pytest.fixture(scope="session")
def tiny_model(selfback_segments):
    """A small thigh model trained on 3 SELFBACK subjects (fast)."""
    return fit(selfback_segments, TINY)


def make_prepared(thigh: np.ndarray, back: np.ndarray | None = None, start_ns: int = 0,
                  thigh_wear: np.ndarray | None = None) -> Prepared:
    """A Prepared signal at 50 Hz from canonical arrays (NaN = gap)."""
    valid = np.isfinite(thigh).all(axis=1)
    wear = valid if thigh_wear is None else thigh_wear & valid
    kw = {}
    if back is not None:
        bv = np.isfinite(back).all(axis=1)
        kw = {"back_g": back.astype(np.float32), "back_valid": bv, "back_wear": bv}
    return Prepared(fs_hz=50.0, start_ns=start_ns, thigh_g=thigh.astype(np.float32),
                    thigh_valid=valid, thigh_wear=wear, timezone="UTC", days=pd.DataFrame(), **kw)


def segment_of(segments, subject: str, activity_file: str):
    for s in segments:
        if s.subject == f"selfback-{subject}" and f"/{activity_file}/" in s.name:
            return s
    raise KeyError((subject, activity_file))
