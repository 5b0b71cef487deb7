"""The training recipe: labelled windows -> a deterministic :class:`~walkback.activity.model.Model`.

Two LightGBM multiclass boosters: activity (fine classes; thigh-only models merge sitting and
lying into ``sedentary``) and walking pace (trained on windows labelled with a pace, i.e. SELFBACK
walk_slow / walk_mod / walk_fast). Classes are weighted inversely to their frequency so that every
class counts equally (the scores are macro-averaged). ``deterministic=True``, one thread and fixed
seeds make the model text identical between runs on the same data.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import numpy as np

from walkback.activity.datasets import LabelledSegment, WindowSet, windows_from_segments
from walkback.activity.labels import FINE_CLASSES, PACE_CLASSES, merge_sedentary
from walkback.activity.model import Model
from walkback.activity.settings import TrainSettings
from walkback.errors import InputDataError

log = logging.getLogger(__name__)


def resolve_sensors(segments: list[LabelledSegment], sensors: str) -> tuple[str, ...]:
    """``("thigh",)`` or ``("thigh", "back")`` for the requested ``sensors`` setting."""
    all_back = all(s.back_g is not None for s in segments)
    if sensors == "thigh+back" and not all_back:
        raise InputDataError("thigh+back model asked for, but some training data have no back")
    if sensors == "thigh+back" or (sensors == "auto" and all_back):
        return ("thigh", "back")
    return ("thigh",)


def lgb_params(settings: TrainSettings, num_class: int) -> dict[str, Any]:
    """LightGBM parameters of the recipe (deterministic, single-threaded, seeded)."""
    s = settings
    return {
        "objective": "multiclass",
        "num_class": num_class,
        "learning_rate": s.learning_rate,
        "num_leaves": s.num_leaves,
        "min_data_in_leaf": s.min_data_in_leaf,
        "feature_fraction": s.feature_fraction,
        "bagging_fraction": s.bagging_fraction,
        "bagging_freq": 1,
        "lambda_l2": s.lambda_l2,
        "seed": s.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "verbosity": -1,
    }


def _fit_booster(X, y, classes, settings: TrainSettings, names) -> str:
    import lightgbm as lgb

    idx = {c: i for i, c in enumerate(classes)}
    yi = np.array([idx[c] for c in y], dtype=np.int32)
    counts = np.bincount(yi, minlength=len(classes)).astype(np.float64)
    weight = (len(yi) / (len(classes) * counts))[yi]
    if len(classes) == 1:
        raise InputDataError(f"only one class ({classes[0]}) in the training data")
    ds = lgb.Dataset(X, label=yi, weight=weight, feature_name=list(names), free_raw_data=True,
                     params={"verbosity": -1})
    booster = lgb.train(lgb_params(settings, len(classes)), ds,
                        num_boost_round=settings.num_boost_round)
    return booster.model_to_string()


def training_labels(activity: np.ndarray, sensors: tuple[str, ...]) -> np.ndarray:
    """The activity labels a model with ``sensors`` learns (sedentary merged when thigh-only)."""
    return merge_sedentary(activity) if sensors == ("thigh",) else np.asarray(activity, object)


def fit_windows(ws: WindowSet, sensors: tuple[str, ...], settings: TrainSettings,
                description: dict[str, Any] | None = None) -> Model:
    """Train both boosters on feature rows ``ws`` and return the model."""
    y = training_labels(ws.activity, sensors)
    classes = tuple(c for c in FINE_CLASSES if c in set(y))
    act_text = _fit_booster(ws.X, y, classes, settings, ws.feature_names)
    walk = (ws.activity == "walking") & np.isin(ws.pace, PACE_CLASSES)
    pace_classes = tuple(c for c in PACE_CLASSES if c in set(ws.pace[walk]))
    pace_text = ""
    if len(pace_classes) >= 2:
        pace_text = _fit_booster(ws.X[walk], ws.pace[walk], pace_classes, settings,
                                 ws.feature_names)
    training = dict(description or {})
    training.update({
        "subjects": sorted(set(ws.subject.tolist())),
        "windows_per_class": dict(sorted(Counter(y.tolist()).items())),
        "pace_windows_per_class": dict(sorted(Counter(ws.pace[walk].tolist()).items())),
        "window_s": settings.window_s,
        "train_step_s": settings.train_step_s,
    })
    return Model.build(
        sensors=sensors, classes=classes, pace_classes=pace_classes,
        feature_names=tuple(ws.feature_names), window_s=settings.window_s, fs_hz=settings.fs_hz,
        params=lgb_params(settings, 0) | {"num_boost_round": settings.num_boost_round},
        training=training, activity_booster=act_text, pace_booster=pace_text,
    )


def fit(segments: list[LabelledSegment], settings: TrainSettings | None = None,
        description: dict[str, Any] | None = None) -> Model:
    """Train a model on labelled segments with the recipe ``settings``."""
    settings = settings or TrainSettings()
    if not segments:
        raise InputDataError("no training data")
    sensors = resolve_sensors(segments, settings.sensors)
    ws = windows_from_segments(segments, sensors, settings.window_s, settings.train_step_s)
    log.info("training on %d windows from %d subjects (%s)", len(ws.X),
             len(set(ws.subject.tolist())), "+".join(sensors))
    return fit_windows(ws, sensors, settings, description)
