"""Shared test fixtures (paths to bundled and shared data) and the Hypothesis profiles.

Hypothesis profiles (see tests/README.md):

* ``ci`` (the default): ``derandomize=True``, so every run, on CI and on every machine, tries the
  same examples (a pass is reproducible and a failure is seen by everyone); no example database;
  no deadline (the machine is shared: timings are noise, speed is measured in benchmarks/);
  ``print_blob=True`` so a failure prints the line that replays it.
* ``random``: fresh random examples on every run and the local example database
  (``.hypothesis/``, git-ignored) so a failure found once is replayed first next time. For
  exploring locally: ``HYPOTHESIS_PROFILE=random python -m pytest tests/io``. A case it finds is
  fixed and kept as an explicit ``@example`` on the property test.

The profile comes from the ``HYPOTHESIS_PROFILE`` environment variable (or pytest's
``--hypothesis-profile NAME``). Each test's own ``@settings`` (``max_examples``, health checks)
still apply on top of the profile.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from _support.paths import SHARED_DATA, TEST_DATA

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("random", derandomize=False, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Small real files committed in tests/data (always present)."""
    return TEST_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data; tests that use it skip with a reason when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not found at {SHARED_DATA} (only present beside the project)")
    return SHARED_DATA
