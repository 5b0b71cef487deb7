"""Settings of the walking stage (steps, cadence, pace, MET, bouts, valid days).

Every field is plain data; load from TOML with :func:`walkback.settings.from_mapping`. Units are in
the names: ``_hz`` Hz, ``_s`` seconds, ``_spm`` steps per minute, ``_met`` MET.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from walkback.definitions import FULL_WEAR_H, TRUNK_LONGEST_DEG, TRUNK_THRESHOLDS_DEG
from walkback.errors import SettingsError

PaceMethod = Literal["model", "cadence"]
MetMethod = Literal["pace", "cadence"]
PACE_METHODS: tuple[str, ...] = get_args(PaceMethod)
MET_METHODS: tuple[str, ...] = get_args(MetMethod)


@dataclass(frozen=True)
class TrunkSettings:
    """How trunk inclination is measured from the lower-back sensor (docs/trunk.md).

    Attributes
    ----------
    enabled: measure trunk angles when a back sensor is present (False: trunk columns empty).
    thresholds_deg: inclination thresholds (whole degrees, increasing) of the daily
        ``trunk_ge{T}_s``, ``trunk_fwd_ge{T}_s`` and ``trunk_fwd_ge{T}_sitting_s`` columns;
        default 20, 30, 60, 90 as ActiPASS / Acti4 report them
        (:data:`walkback.definitions.TRUNK_THRESHOLDS_DEG`).
    longest_deg: forward inclination of ``trunk_fwd_ge{longest_deg}_longest_s`` (the day's longest
        uninterrupted upright period at or above it); must be one of ``thresholds_deg``.
    resolution_s: the angles are computed on block means of this many seconds of the 50 Hz
        signal (0.2 s: 10 samples), so daily times are multiples of it, not of the epoch.
    median_s: running median applied to each angle before thresholding (1 s = 5 blocks, centred;
        an odd number of blocks).
    min_walking_s: walking (back sensor worn) needed for the upright reference; less: no trunk
        columns (Acti4 / ActiPASS accept 60 s).
    walking_lean_deg: the trunk leans this much further forward while walking than standing
        upright, so the reference is the walking orientation tilted back by it (Acti4 / ActiPASS:
        6 degrees, from 50 BAuA measurements); 0 = the walking orientation itself.
    max_reference_deg: a walking orientation further than this from the back sensor's long axis
        (canonical +x) is implausible (sensor not on the back, or its orientation misread): no
        trunk columns.
    min_transitions: sit-to-upright / upright-to-sit transitions with a forward excursion needed
        to take the forward direction from them.
    min_transition_consistency: length of the mean of their unit excursion directions (0-1)
        needed; below it the transitions do not agree on a direction.
    max_transition_p: largest Rayleigh-test p-value (directions uniformly random) accepted, so
        that a few transitions pointing the same way by chance are not taken as evidence.
    min_excursion_deg: a transition counts when the trunk tilts at least this far beyond the
        straight path between the postures before and after it.
    transition_window_s: half-width of the search window around each epoch boundary, seconds.
    forward_from_lying: without enough transitions, take the forward direction from the signal
        stage's skin-normal sign when that came from horizontal postures (supine lying is the
        most common lying posture; see docs/signal.md).
    """

    enabled: bool = True
    thresholds_deg: tuple[int, ...] = TRUNK_THRESHOLDS_DEG
    longest_deg: int = TRUNK_LONGEST_DEG
    resolution_s: float = 0.2
    median_s: float = 1.0
    min_walking_s: float = 60.0
    walking_lean_deg: float = 6.0
    max_reference_deg: float = 45.0
    min_transitions: int = 5
    min_transition_consistency: float = 0.5
    max_transition_p: float = 0.01
    min_excursion_deg: float = 5.0
    transition_window_s: float = 4.0
    forward_from_lying: bool = True

    def __post_init__(self) -> None:
        t = self.thresholds_deg
        if not t or any(not 0 < x < 180 for x in t) or any(b <= a for a, b in zip(t, t[1:], strict=False)):
            raise SettingsError(f"TrunkSettings.thresholds_deg must be increasing whole degrees in "
                                f"(0, 180), got {t}")
        if self.longest_deg not in t:
            raise SettingsError(f"TrunkSettings.longest_deg ({self.longest_deg}) must be one of "
                                f"thresholds_deg {t}")
        if not 0.02 <= self.resolution_s <= 1.0:
            raise SettingsError(f"TrunkSettings.resolution_s must be in [0.02, 1] s, got {self.resolution_s}")
        if not 0 <= self.median_s <= 10:
            raise SettingsError(f"TrunkSettings.median_s must be in [0, 10] s, got {self.median_s}")
        if self.min_walking_s < 0 or self.transition_window_s <= 0:
            raise SettingsError("TrunkSettings: min_walking_s must be >= 0 and transition_window_s > 0")
        if not 0 <= self.walking_lean_deg <= 30:
            raise SettingsError(f"TrunkSettings.walking_lean_deg must be in [0, 30], got {self.walking_lean_deg}")
        if not 0 < self.max_reference_deg <= 90:
            raise SettingsError(f"TrunkSettings.max_reference_deg must be in (0, 90], got {self.max_reference_deg}")
        if (self.min_transitions < 1 or not 0 <= self.min_transition_consistency <= 1
                or not 0 < self.max_transition_p <= 1):
            raise SettingsError("TrunkSettings: min_transitions must be >= 1, "
                                "min_transition_consistency in [0, 1], max_transition_p in (0, 1]")
        if not 0 <= self.min_excursion_deg < 90:
            raise SettingsError(f"TrunkSettings.min_excursion_deg must be in [0, 90), got {self.min_excursion_deg}")


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
    trunk: trunk inclination from the lower-back sensor (:class:`TrunkSettings`, TOML table
        ``[walking.trunk]``).

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
    trunk: TrunkSettings = field(default_factory=TrunkSettings)

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
