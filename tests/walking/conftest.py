"""Fixtures of the walking tests: generated thigh gait of known stride frequency."""

from __future__ import annotations

import pytest

from _support.synth import thigh_gait


@pytest.fixture(scope="session")
def gait():
    """The generator :func:`_support.synth.thigh_gait`."""
    return thigh_gait
