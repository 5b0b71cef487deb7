"""Synthetic data with known truth, for demos and tests.

Submodules (imported lazily, so ``import walkback.simulate`` stays cheap):

- :mod:`walkback.simulate.cohort` — HUNT-like cohort tables with a chosen true risk pattern
  (``simulate_cohort``, ``write_cohort``, ``TrueRisk``, ``SimulatedCohort``).
- :mod:`walkback.simulate.recording` — raw sensor recordings with known activities
  (``simulate_recording``, ``write_recording``, ``SimulatedRecording``).
"""

from __future__ import annotations

from walkback._lazy import lazy_exports

_LAZY = {
    "simulate_cohort": "cohort",
    "write_cohort": "cohort",
    "TrueRisk": "cohort",
    "SimulatedCohort": "cohort",
    "simulate_recording": "recording",
    "write_recording": "recording",
    "SimulatedRecording": "recording",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
