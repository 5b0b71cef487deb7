"""Fixtures of the signal tests: real HARTH / HAR70+ / SELFBACK recordings as arrays."""

from __future__ import annotations

from pathlib import Path

import pytest

from _support.signals import load_harth, load_selfback


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
