"""Synthetic data with known truth, for demos and tests.

Submodules (imported lazily, so ``import walkback.simulate`` stays cheap):

- :mod:`walkback.simulate.cohort` — HUNT-like cohort tables with a chosen true risk pattern
  (``simulate_cohort``, ``write_cohort``, ``TrueRisk``, ``SimulatedCohort``).
- :mod:`walkback.simulate.recording` — raw sensor recordings with known activities
  (``simulate_recording``, ``write_recording``, ``SimulatedRecording``).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "simulate_cohort": "walkback.simulate.cohort",
    "write_cohort": "walkback.simulate.cohort",
    "TrueRisk": "walkback.simulate.cohort",
    "SimulatedCohort": "walkback.simulate.cohort",
    "simulate_recording": "walkback.simulate.recording",
    "write_recording": "walkback.simulate.recording",
    "SimulatedRecording": "walkback.simulate.recording",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'walkback.simulate' has no attribute {name!r}")
