"""Settings of the activity stage: classification (:class:`ActivitySettings`) and the training
recipe (:class:`TrainSettings`). Frozen plain data; load from TOML with
:func:`walkback.settings.from_mapping` (unknown keys rejected)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from walkback.definitions import EPOCH_S, GRID_HZ
from walkback.errors import SettingsError


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
    num_threads: LightGBM prediction threads, used only for boosters the compiled tree evaluator
        does not lay out (:mod:`walkback.activity._trees`). Feature batches run on
        ``WALKBACK_THREADS`` threads (:func:`walkback._threads.worker_threads`).
    model_path: a model file for :func:`walkback.activity.load_model` (text model + sha256
        sidecar); ``""`` = the shipped, checksum-verified model.
    """

    overlap: float = 0.0
    smooth_windows: int = 3
    trunk_lying_deg: float = 65.0
    min_wear_fraction: float = 0.5
    cycling_rule: bool = True
    num_threads: int = 1
    model_path: str = ""

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
