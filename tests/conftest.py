"""Shared test fixtures: paths to bundled and shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = ROOT / "tests" / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"


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
