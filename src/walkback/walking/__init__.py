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

from walkback.walking.bouts import walking_bouts
from walkback.walking.daily import DAILY_COLUMNS, calendar_days, daily_table
from walkback.walking.gait import GaitEpochs, measure_gait
from walkback.walking.measure import measure_epochs, measure_prepared
from walkback.walking.pace import met_from_cadence, met_from_pace, pace_from_cadence
from walkback.walking.pipeline import ParticipantResult, PipelineSettings, process_one
from walkback.walking.settings import WalkingSettings

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
