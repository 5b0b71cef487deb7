"""Settings of the activity stage: classification (:class:`ActivitySettings`, with the sleep
detector's :class:`SleepSettings` nested as ``sleep``) and the training recipe
(:class:`TrainSettings`). Frozen plain data; load from TOML with
:func:`walkback.settings.from_mapping` (unknown keys rejected)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from walkback.definitions import EPOCH_S, GRID_HZ
from walkback.errors import SettingsError

SleepSensors = Literal["thigh", "thigh+back"]


@dataclass(frozen=True)
class SleepSettings:
    """How :func:`walkback.activity.detect_sleep` finds the night's bed period and the sleep in it.

    The defaults are the published ActiPASS / Acti4 values (method and sources:
    :mod:`walkback.activity.sleep`, docs/VALIDATION.md "Sleep").

    enabled: run the detector (False: epochs get no ``in_bed`` / ``sleep`` columns and the daily
        table's ``sleep_s`` is empty).
    min_bed_min: shortest bed period, minutes (ActiPASS ``BDMINLIET``, 180).
    max_gap_min: lying bouts separated by less than this many minutes of anything else (getting up
        to the bathroom, a short non-wear) form one bed period (ActiPASS ``BDMAXAKTT``, 20).
    night_start_h: local hour at which one night's window ends and the next begins (12 = noon to
        noon); the bed period with most lying time whose midpoint falls in a window is that night's
        main period, the only one scored for sleep (naps and lying on the sofa are not).
    min_lying_min: lying runs shorter than this inside the bed period are awake (Acti4: 15 min).
    bridge_s: a non-lying stretch up to this long inside a lying run (a window the activity stage
        labels otherwise while the sleeper turns over) does not end the run; it is never sleep.
    band_hz: band-pass (low, high) of the movement signal, Hz (Acti4: 0.5-10 Hz, 6th order).
    noise_floor_g: 1-s means of the band-passed acceleration magnitude below this count as no
        movement, g (Acti4: 0.02 g).
    time_constant_min, gain_per_g: the thigh's wake integrator ``I <- exp(-1 s / tau) I + gain *
        movement`` (movement in g per 1-s step): awake while ``I > 1``; ``I`` starts at ``e``
        (fully awake) when a lying run starts, so sleep begins ``tau`` (18.5 min) of stillness
        after lying down (Acti4 thigh: 18.5 min, 0.19).
    back_time_constant_min, back_gain_per_g: the same for the back sensor (Acti4 trunk: 21 min,
        0.24); used only with ``movement_sensors = "thigh+back"``.
    movement_sensors: ``"thigh"`` (the published, PSG-evaluated thigh configuration) or
        ``"thigh+back"`` (awake when either sensor's integrator says so; not validated).
    wake_lead_s: each wake onset is moved this much earlier (Acti4: 2 min: people wake before
        they move enough to show it).
    median_s: width of the running median (majority) over the 1-s sleep/wake flags, s (odd; 19).
    backdate_onsets: each sleep onset (after the lead and the median) is moved back to the start
        of the stillness that ended in it: the run of seconds in which no sensor the integrator
        reads showed movement (1-s means under ``noise_floor_g``, valid data). The integrator
        is a causal detector that takes ~18.5 min to accept a still period; the still period is
        the evidence, as in the sleep-onset rules of Actiware (first epoch of the first immobile
        stretch) and van Hees et al. 2015 (a sustained-inactivity bout is sleep from its start).
        Not part of the published Acti4 method (False restores it exactly); see
        docs/VALIDATION.md "Sleep" for why it is on and what it costs in quiet wakefulness.
    thigh_rotation_deg, thigh_rotation_min_s: without a worn back sensor the trunk is unknown and
        a bed period must show the thigh rolled at least this far about its long axis (side or
        front lying, which sitting does not do; Lyden et al. 2017, Hettiarachchi et al. 2021:
        65 degrees) for at least this long.
    """

    enabled: bool = True
    min_bed_min: float = 180.0
    max_gap_min: float = 20.0
    night_start_h: float = 12.0
    min_lying_min: float = 15.0
    bridge_s: float = 15.0
    band_hz: tuple[float, float] = (0.5, 10.0)
    noise_floor_g: float = 0.02
    time_constant_min: float = 18.5
    gain_per_g: float = 0.19
    back_time_constant_min: float = 21.0
    back_gain_per_g: float = 0.24
    movement_sensors: SleepSensors = "thigh"
    wake_lead_s: float = 120.0
    median_s: int = 19
    backdate_onsets: bool = True
    thigh_rotation_deg: float = 65.0
    thigh_rotation_min_s: float = 60.0

    def __post_init__(self) -> None:
        positive = ("min_bed_min", "time_constant_min", "gain_per_g", "back_time_constant_min",
                    "back_gain_per_g")
        for name in positive:
            if not getattr(self, name) > 0:
                raise SettingsError(f"sleep.{name} must be > 0, got {getattr(self, name)}")
        for name in ("max_gap_min", "min_lying_min", "bridge_s", "noise_floor_g", "wake_lead_s",
                     "thigh_rotation_min_s"):
            if not getattr(self, name) >= 0:
                raise SettingsError(f"sleep.{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 <= self.night_start_h < 24.0:
            raise SettingsError(f"sleep.night_start_h must be in [0, 24), got {self.night_start_h}")
        lo, hi = self.band_hz
        if not 0.0 < lo < hi:
            raise SettingsError(f"sleep.band_hz must be (low, high) with 0 < low < high, got "
                                f"{self.band_hz}")
        if self.median_s < 1 or self.median_s % 2 == 0:
            raise SettingsError(f"sleep.median_s must be an odd integer >= 1, got {self.median_s}")
        if not 0.0 < self.thigh_rotation_deg < 180.0:
            raise SettingsError("sleep.thigh_rotation_deg must be in (0, 180), got "
                                f"{self.thigh_rotation_deg}")
        if self.movement_sensors not in ("thigh", "thigh+back"):
            raise SettingsError("sleep.movement_sensors must be 'thigh' or 'thigh+back', got "
                                f"{self.movement_sensors!r}")


@dataclass(frozen=True)
class ActivitySettings:
    """How :func:`walkback.activity.classify` turns a ``Prepared`` signal into epochs.

    overlap: fraction of a window shared with the next one (0 = the 5-s epochs of the schema).
    smooth_windows: width (windows) of the centred moving average of class and pace
        probabilities (1 = no smoothing). Default 3 (15 s): it improved every LOSO score
        (docs/VALIDATION.md) and still keeps bouts of two windows (10 s), the shortest walking
        bout the walking stage counts; 5 scored marginally higher on SELFBACK's 3-minute
        single-activity files but would erase more short free-living bouts.
    trunk_lying_deg: trunk (back x) inclination from vertical at or above which a sedentary window
        is lying rather than sitting (thigh-only model + back sensor).
    min_wear_fraction: windows with less thigh wear than this are ``non_wear``.
    cycling_rule: apply the documented thigh pedalling rule (models without a cycling class).
    horizontal_rule: a still window with a horizontal thigh is ``sedentary`` whatever the model
        says (thigh-only models; :mod:`walkback.activity.rules`). It keeps side and front lying,
        which the shipped model never saw, out of ``standing``.
    num_threads: LightGBM prediction threads, used only for boosters the compiled tree evaluator
        does not lay out (:mod:`walkback.activity._trees`). Feature batches run on
        ``WALKBACK_THREADS`` threads (:func:`walkback._threads.worker_threads`).
    model_path: a model file for :func:`walkback.activity.load_model` (text model + sha256
        sidecar); ``""`` = the shipped, checksum-verified model.
    sleep: the sleep detector (:class:`SleepSettings`, TOML table ``[activity.sleep]``).
    """

    overlap: float = 0.0
    smooth_windows: int = 3
    trunk_lying_deg: float = 65.0
    min_wear_fraction: float = 0.5
    cycling_rule: bool = True
    horizontal_rule: bool = True
    num_threads: int = 1
    model_path: str = ""
    sleep: SleepSettings = field(default_factory=SleepSettings)

    def __post_init__(self) -> None:
        if not 0.0 <= self.overlap < 1.0:
            raise SettingsError(f"overlap must be in [0, 1), got {self.overlap}")
        if self.smooth_windows < 1 or self.smooth_windows % 2 == 0:
            raise SettingsError(f"smooth_windows must be an odd integer >= 1, got {self.smooth_windows}")
        if not 0.0 < self.trunk_lying_deg < 180.0:
            raise SettingsError(f"trunk_lying_deg must be in (0, 180), got {self.trunk_lying_deg}")
        if not 0.0 <= self.min_wear_fraction <= 1.0:
            raise SettingsError("min_wear_fraction must be in [0, 1]")
        if self.num_threads < 1:
            raise SettingsError("num_threads must be >= 1")


@dataclass(frozen=True)
class TrainSettings:
    """The fixed training recipe (chosen a priori, not tuned on the validation subjects).

    sensors: ``"auto"`` (thigh+back when every training segment has a back signal), ``"thigh"``
        or ``"thigh+back"``.
    window_s / train_step_s: window length, and the step between training windows (2.5 s = 50 %
        overlap, a common augmentation; evaluation always uses non-overlapping windows).
    The remaining fields are LightGBM parameters; ``seed`` seeds every random choice. 60 rounds at
    learning rate 0.2 (instead of a first 150 at 0.1) keep prediction of a week under the speed
    budget: LightGBM's cost grows with rounds x classes (docs/VALIDATION.md compares both).
    """

    sensors: Literal["auto", "thigh", "thigh+back"] = "auto"
    window_s: float = EPOCH_S
    train_step_s: float = 2.5
    fs_hz: float = GRID_HZ
    num_boost_round: int = 60
    learning_rate: float = 0.2
    num_leaves: int = 15
    min_data_in_leaf: int = 20
    feature_fraction: float = 0.7
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    seed: int = 20251128

    def __post_init__(self) -> None:
        if self.sensors not in ("auto", "thigh", "thigh+back"):
            raise SettingsError(f"sensors must be auto, thigh or thigh+back, got {self.sensors!r}")
        if self.window_s <= 0 or self.train_step_s <= 0:
            raise SettingsError("window_s and train_step_s must be > 0")
        if self.num_boost_round < 1:
            raise SettingsError("num_boost_round must be >= 1")
