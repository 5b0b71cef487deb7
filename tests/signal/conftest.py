"""Helpers for signal tests: real HARTH / HAR70+ / SELFBACK recordings as arrays."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

# test modules here import _sig_helpers; keep that working under any pytest import mode
sys.path.insert(0, str(Path(__file__).resolve().parent))


def load_harth(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """time_ns, thigh (n,3) g, back (n,3) g, labels from a HARTH-layout CSV."""
    d = pd.read_csv(path)
    t = pd.to_datetime(d["timestamp"]).to_numpy("datetime64[ns]").astype(np.int64)
    thigh = d[["thigh_x", "thigh_y", "thigh_z"]].to_numpy(np.float32)
    back = d[["back_x", "back_y", "back_z"]].to_numpy(np.float32)
    return t, thigh, back, d["label"].to_numpy()


def load_selfback(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """time_ns and thigh (n,3) g from a SELFBACK CSV."""
    d = pd.read_csv(path)
    t = pd.to_datetime(d["time"]).to_numpy("datetime64[ns]").astype(np.int64)
    return t, d[["x", "y", "z"]].to_numpy(np.float32)


@pytest.fixture(scope="session")
def harth(shared_data: Path):
    return load_harth(shared_data / "harth-samples" / "harth_S006_sample.csv")


@pytest.fixture(scope="session")
def har70(shared_data: Path):
    return load_harth(shared_data / "harth-samples" / "har70plus_501_sample.csv")


@pytest.fixture(scope="session")
def selfback(shared_data: Path):
    """Callable: selfback(activity, subject) -> (time_ns, accel_g)."""
    cache: dict = {}

    def get(activity: str, subject: str = "027"):
        key = (activity, subject)
        if key not in cache:
            cache[key] = load_selfback(shared_data / "selfback-thigh" / activity
                                       / f"{subject}.csv.gz")
        return cache[key]

    return get
