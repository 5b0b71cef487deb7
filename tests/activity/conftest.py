"""Fixtures of the activity tests: small real labelled data and a tiny trained model."""

from __future__ import annotations

from pathlib import Path

import pytest

from _support.activity import SUBJECTS, TINY
from walkback.activity import datasets
from walkback.activity.train import fit


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
