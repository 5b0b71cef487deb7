"""Walking measures: steps, cadence, pace, MET, bouts and the daily table.

The walking stage measures: a :class:`~walkback.signal.Prepared` signal + activity epochs ->
per-epoch walking measures -> the daily table. (The one-participant pipeline that runs every stage
in a row is :func:`walkback.pipeline.process_one`, above the stages.)

Public API::

    measure_gait(thigh_g, fs_hz, epoch_start_index, locomotion, settings, epoch_samples=)
        -> GaitEpochs
    measure_epochs(thigh_g, fs_hz, grid_start_ns, epochs, settings) -> DataFrame (epoch timeline)
    measure_trunk(prepared, epochs, settings.trunk) -> TrunkAngles | None (lower-back sensor)
    daily_table(epochs, days, participant_id, thigh_only=..., settings=..., trunk=) -> DataFrame

Conventions: canonical thigh axes and the 50 Hz grid of :mod:`walkback.signal.types`; times UTC ns;
calendar days local to an IANA zone. See docs/SCHEMAS.md for the tables.
"""

from walkback.walking.bouts import walking_bouts
from walkback.walking.daily import DAILY_COLUMNS, daily_table
from walkback.walking.gait import GaitEpochs, measure_gait
from walkback.walking.measure import measure_epochs, measure_prepared
from walkback.walking.pace import met_from_cadence, met_from_pace, pace_from_cadence
from walkback.walking.settings import TrunkSettings, WalkingSettings
from walkback.walking.trunk import TrunkAngles, TrunkReference, measure_trunk, trunk_columns

__all__ = [
    "DAILY_COLUMNS",
    "GaitEpochs",
    "TrunkAngles",
    "TrunkReference",
    "TrunkSettings",
    "WalkingSettings",
    "daily_table",
    "measure_epochs",
    "measure_gait",
    "measure_prepared",
    "measure_trunk",
    "met_from_cadence",
    "met_from_pace",
    "pace_from_cadence",
    "trunk_columns",
    "walking_bouts",
]
