"""Walking measures: steps, cadence, pace, MET, bouts and the daily table.

The walking stage measures: a :class:`~walkback.signal.Prepared` signal + activity epochs ->
per-epoch walking measures -> the daily table. (The one-participant pipeline that runs every stage
in a row is :func:`walkback.pipeline.process_one`, above the stages.)

Public API::

    measure_gait(thigh_g, fs_hz, epoch_start_index, locomotion, settings, *, epoch_samples)
        -> GaitEpochs
    epoch_gait(thigh_g, fs_hz, grid_start_ns, epochs, settings) -> GaitEpochs (per epoch)
    measure_epochs(thigh_g, fs_hz, grid_start_ns, epochs, settings, trunk, gait) -> DataFrame
        (epoch timeline)
    measure_trunk(prepared, epochs, settings.trunk) -> TrunkAngles | None (lower-back sensor)
    daily_table(epochs, days, participant_id, thigh_only=..., settings=..., trunk=) -> DataFrame

Conventions: canonical thigh axes and the 50 Hz grid of :mod:`walkback.signal.types`; times UTC ns;
calendar days local to an IANA zone. See docs/SCHEMAS.md for the tables.
"""

from walkback._lazy import lazy_exports

# Exports load on first use (PEP 562): `walkback process-one` imports the settings before it reads a
# byte, and should not pay for pandas and numba until a stage needs them.
_LAZY = {
    "walking_bouts": "bouts", "DAILY_COLUMNS": "daily", "daily_table": "daily",
    "GaitEpochs": "gait", "measure_gait": "gait",
    "epoch_gait": "measure", "measure_epochs": "measure", "measure_prepared": "measure", "met_from_cadence": "pace",
    "met_from_pace": "pace", "pace_from_cadence": "pace",
    "TrunkSettings": "settings", "WalkingSettings": "settings",
    "TrunkAngles": "trunk", "TrunkReference": "trunk", "measure_trunk": "trunk",
    "trunk_columns": "trunk",
}

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = [
    "DAILY_COLUMNS",
    "GaitEpochs",
    "TrunkAngles",
    "TrunkReference",
    "TrunkSettings",
    "WalkingSettings",
    "daily_table",
    "epoch_gait",
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
