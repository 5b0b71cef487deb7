"""Walking measures: steps, cadence, pace, MET, bouts, the daily table and the one-participant pipeline.

Public API::

    measure_gait(thigh_g, fs_hz, epoch_start_index, locomotion, settings, *, epoch_samples) -> GaitEpochs
    measure_epochs(thigh_g, fs_hz, grid_start_ns, epochs, settings) -> DataFrame (epoch timeline)
    daily_table(epochs, days, participant_id, thigh_only=..., settings=...) -> DataFrame
    process_one(thigh_path, back_path=None, *, participant_id, out_dir, timezone, settings)
        -> ParticipantResult

Conventions: canonical thigh axes and the 50 Hz grid of :mod:`walkback.signal.types`; times UTC ns;
calendar days local to an IANA zone. See docs/SCHEMAS.md for the tables.
"""

from importlib import import_module
from typing import Any

# Exports load on first use (PEP 562): `walkback process-one` imports process_one from here before
# it reads a byte, and should not pay for pandas, scipy.signal and numba until a stage needs them.
_EXPORTS = {
    "walking_bouts": "bouts", "DAILY_COLUMNS": "daily", "calendar_days": "daily",
    "daily_table": "daily", "GaitEpochs": "gait", "measure_gait": "gait",
    "measure_epochs": "measure", "measure_prepared": "measure", "met_from_cadence": "pace",
    "met_from_pace": "pace", "pace_from_cadence": "pace", "ParticipantResult": "pipeline",
    "PipelineSettings": "pipeline", "process_one": "pipeline", "WalkingSettings": "settings",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'walkback.walking' has no attribute {name!r}")
    value = getattr(import_module(f"walkback.walking.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "DAILY_COLUMNS",
    "GaitEpochs",
    "ParticipantResult",
    "PipelineSettings",
    "WalkingSettings",
    "calendar_days",
    "daily_table",
    "measure_epochs",
    "measure_gait",
    "measure_prepared",
    "met_from_cadence",
    "met_from_pace",
    "pace_from_cadence",
    "process_one",
    "walking_bouts",
]
