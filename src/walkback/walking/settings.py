"""Settings of the walking stage (steps, cadence, pace, MET, bouts, valid days).

Every field is plain data; load from TOML with :func:`walkback.settings.from_mapping`. Units are in
the names: ``_hz`` Hz, ``_s`` seconds, ``_spm`` steps per minute, ``_met`` MET.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from walkback.definitions import FULL_WEAR_H
from walkback.errors import SettingsError

PaceMethod = Literal["model", "cadence"]
MetMethod = Literal["pace", "cadence"]
PACE_METHODS: tuple[str, ...] = get_args(PaceMethod)
MET_METHODS: tuple[str, ...] = get_args(MetMethod)


@dataclass(frozen=True)
class WalkingSettings:
    """How steps, cadence, pace, MET and bouts are measured.

    Attributes
    ----------
    band_hz: band-pass (low, high) applied to the thigh signal before stride detection.
    stride_s: physiologically possible stride durations (min, max) in seconds; one stride = 2 steps,
        so (0.5, 2.0) s bounds cadence to 60-240 steps/min.
    acf_window_s: window (centred on each epoch) for the autocorrelation stride-period estimate.
    min_peak_spacing: a stride peak is kept only if it lies at least this fraction of the local stride
        period after the previous kept peak (suppresses the secondary thigh oscillation of each step).
    min_periodicity: autocorrelation at the stride lag below which an epoch has no cadence (NaN) and
        no steps are counted in it (irregular movement, not gait).
    min_amplitude_g: band-passed thigh acceleration (RMS of the 3-axis norm over the epoch) below
        which an epoch has no cadence and no steps (a still or barely moving thigh is not gait).
    pace_method: ``"model"`` (the activity model's ``pace``; default: leave-one-subject-out on
        SELFBACK it is right for 78 % of walking windows against 72 % for the best cadence
        thresholds, docs/VALIDATION.md) or ``"cadence"`` (thresholds below). Either falls back to
        the other where it has no answer.
    pace_thresholds_spm: cadence cut points (slow/moderate, moderate/brisk): slow below the first,
        brisk at or above the second. Default 100 / 112: learnt leave-one-subject-out on SELFBACK's
        slow / moderate / fast walking (docs/VALIDATION.md); the study-spec guess is 100 / 120.
        Used when ``pace_method="cadence"`` and where the model gives no pace.
    met_method: ``"pace"`` (fixed MET per pace class, the study's
        :data:`walkback.definitions.MET_BY_PACE`) or ``"cadence"`` (continuous, from the
        CADENCE-Adults cadence-MET points, see :func:`walkback.walking.met_from_cadence`).
    running_met: MET given to running epochs (Compendium 2011 code 12020, jogging general: 7.0).
    bout_min_s: shortest walking bout counted.
    bout_gap_s: walking runs separated by less than this are merged into one bout; a bout's duration
        is its span from first to last walking second (bridged gaps included, though they are not
        counted as walking time).
    valid_wear_h: the "≥ 20 h wear" valid-day rule threshold, hours
        (:data:`walkback.definitions.FULL_WEAR_H`).

    The epoch length and step are not settings of this stage: they travel with the activity
    epochs table (:func:`walkback.activity.epoch_info`).
    """

    band_hz: tuple[float, float] = (0.5, 3.0)
    stride_s: tuple[float, float] = (0.5, 2.0)
    acf_window_s: float = 10.0
    min_peak_spacing: float = 0.6
    min_periodicity: float = 0.2
    min_amplitude_g: float = 0.03
    pace_method: PaceMethod = "model"
    pace_thresholds_spm: tuple[float, float] = (100.0, 112.0)
    met_method: MetMethod = "pace"
    running_met: float = 7.0
    bout_min_s: float = 10.0
    bout_gap_s: float = 5.0
    valid_wear_h: float = FULL_WEAR_H

    def __post_init__(self) -> None:
        lo, hi = self.band_hz
        if not 0 < lo < hi < 12.5:
            raise SettingsError(f"WalkingSettings.band_hz must satisfy 0 < low < high < 12.5, got {self.band_hz}")
        s0, s1 = self.stride_s
        if not 0.2 <= s0 < s1 <= 4.0:
            raise SettingsError(f"WalkingSettings.stride_s must satisfy 0.2 <= min < max <= 4, got {self.stride_s}")
        t0, t1 = self.pace_thresholds_spm
        if not 0 < t0 <= t1:
            raise SettingsError(f"WalkingSettings.pace_thresholds_spm must be increasing, got {self.pace_thresholds_spm}")
        if self.pace_method not in PACE_METHODS:
            raise SettingsError(f"WalkingSettings.pace_method must be one of {PACE_METHODS}, got {self.pace_method!r}")
        if self.met_method not in MET_METHODS:
            raise SettingsError(f"WalkingSettings.met_method must be one of {MET_METHODS}, got {self.met_method!r}")
        if self.acf_window_s < 2 * s1:
            raise SettingsError("WalkingSettings.acf_window_s must be at least twice the longest stride")
        if self.bout_min_s < 0 or self.bout_gap_s < 0:
            raise SettingsError("WalkingSettings: bout_min_s and bout_gap_s must be >= 0")
