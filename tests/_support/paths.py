"""Where the test data are, and the environment of a subprocess that imports ``_support``."""

from __future__ import annotations

import os
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
TEST_DATA = TESTS / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"


def subprocess_env(**extra: str) -> dict[str, str]:
    """``os.environ`` plus ``extra``, with ``tests/`` first on ``PYTHONPATH`` (so a child process,
    e.g. a Dask worker or ``walkback process --task _support.batch:light_task``, can import
    ``_support``)."""
    old = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), old]) if old else str(TESTS),
                **extra)
