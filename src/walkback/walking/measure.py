"""The measured epoch timeline: activity epochs plus time, cadence, steps, pace and MET.

Columns added to the activity epochs (docs/SCHEMAS.md "activity -> walking"):

| column | dtype | meaning |
|---|---|---|
| ``time`` | datetime64[ns, UTC] | epoch start (= ``start_ns``) |
| ``pace_model`` | str | the activity model's pace (its ``pace`` column as received) |
| ``pace`` | str | final pace of walking epochs (``settings.pace_method``), ``""`` otherwise |
| ``cadence_spm`` | float64 | steps/min in walking and running epochs, NaN elsewhere or aperiodic |
| ``steps`` | int32 | steps counted in the epoch (walking and running) |
| ``met`` | float64 | MET of walking / running epochs (``settings.met_method``), NaN elsewhere |
| ``trunk_incl_deg`` | float64 | mean trunk inclination (degrees from upright), NaN without back |
| ``trunk_fwd_deg`` | float64 | mean forward inclination (degrees, forward +), NaN without back |

The trunk columns come from :func:`walkback.walking.trunk.measure_trunk` (``trunk=``); they are
NaN where the back sensor is absent, not worn, or its reference was not found.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from walkback.activity.epochs import epoch_info
from walkback.signal.types import Prepared
from walkback.walking.gait import GaitEpochs, measure_gait
from walkback.walking.pace import choose_pace, epoch_met
from walkback.walking.settings import WalkingSettings
from walkback.walking.trunk import TrunkAngles, epoch_trunk

LOCOMOTION = ("walking", "running")


def _gait_inputs(fs_hz: float, grid_start_ns: int, epochs: pd.DataFrame
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per epoch: first grid sample it owns, study class, locomotion mask; samples per epoch."""
    info = epoch_info(epochs)
    start = epochs["start_ns"].to_numpy(np.int64)
    # each epoch owns the central step_s of its window (walkback.activity.epochs); the offset is
    # a whole number of samples, so consecutive epochs own adjacent, equally long stretches
    offset = int(info.offset_s * fs_hz)
    idx = np.round((start - int(grid_start_ns)) * (fs_hz / 1e9)).astype(np.int64) + offset
    cls = epochs["study_class"].to_numpy(object)
    loco = np.isin(cls, LOCOMOTION)
    if "thigh_wear" in epochs:
        loco &= epochs["thigh_wear"].to_numpy(bool)
    return idx, cls, loco, int(round(info.step_s * fs_hz))


def epoch_gait(thigh_g: np.ndarray, fs_hz: float, grid_start_ns: int, epochs: pd.DataFrame,
               settings: WalkingSettings | None = None) -> GaitEpochs:
    """The gait measures (cadence, steps, periodicity per epoch) of the walking / running epochs,
    the signal-heavy half of :func:`measure_epochs`; pass the result as its ``gait=`` (the
    one-participant pipeline runs this beside the sleep and trunk stages). Arguments as there."""
    idx, _, loco, n = _gait_inputs(fs_hz, grid_start_ns, epochs)
    return measure_gait(thigh_g, fs_hz, idx, loco, settings or WalkingSettings(), epoch_samples=n)


def measure_epochs(
    thigh_g: np.ndarray | None,
    fs_hz: float,
    grid_start_ns: int,
    epochs: pd.DataFrame,
    settings: WalkingSettings | None = None,
    trunk: TrunkAngles | None = None,
    gait: GaitEpochs | None = None,
) -> pd.DataFrame:
    """Measure gait in the walking/running epochs of ``epochs`` from ``thigh_g``.

    ``thigh_g`` (n, 3) g, canonical thigh axes, sample ``i`` at ``grid_start_ns + i / fs_hz`` s (UTC).
    ``epochs`` needs ``start_ns`` and ``study_class`` (and optionally ``pace``, ``thigh_wear``) and
    its :class:`~walkback.activity.EpochInfo` (window and step). ``trunk``: the recording's trunk
    angles (None: NaN trunk columns). ``gait``: :func:`epoch_gait` of the same epochs, when
    already computed (then ``thigh_g`` is not read and may be None). Returns a new DataFrame (see
    the module docstring); the input is not modified.
    """
    s = settings or WalkingSettings()
    out = epochs.copy()
    start = out["start_ns"].to_numpy(np.int64)
    idx, cls, loco, n = _gait_inputs(fs_hz, grid_start_ns, out)
    if gait is None:
        if thigh_g is None:
            raise ValueError("measure_epochs: thigh_g is needed when no gait= is given")
        gait = measure_gait(thigh_g, fs_hz, idx, loco, s, epoch_samples=n)
    elif gait.steps.shape[0] != len(out):
        raise ValueError(f"measure_epochs: gait has {gait.steps.shape[0]} epochs, epochs {len(out)}")
    model_pace = out["pace"].to_numpy(object) if "pace" in out else np.full(len(out), "", object)
    cad = np.where(loco, gait.cadence_spm, np.nan)
    pace = choose_pace(cad, model_pace, cls == "walking", s)
    out.insert(0, "time", pd.to_datetime(start, unit="ns", utc=True))
    out["pace_model"] = pd.Series(model_pace, index=out.index, dtype=object).fillna("")
    out["pace"] = pace
    out["cadence_spm"] = cad
    out["steps"] = np.where(loco, gait.steps, 0).astype(np.int32)
    out["met"] = epoch_met(pace, cad, cls, s)
    for col, v in epoch_trunk(trunk, len(out)).items():
        out[col] = v
    return out


def measure_prepared(prepared: Prepared, epochs: pd.DataFrame, settings: WalkingSettings | None = None,
                     trunk: TrunkAngles | None = None) -> pd.DataFrame:
    """:func:`measure_epochs` on a :class:`~walkback.signal.types.Prepared` signal (``trunk``:
    its :func:`~walkback.walking.trunk.measure_trunk` angles, or None)."""
    return measure_epochs(prepared.thigh_g, prepared.fs_hz, prepared.start_ns, epochs, settings, trunk)
