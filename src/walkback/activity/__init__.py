"""Activity recognition from prepared thigh (+ lower back) signals.

``classify(prepared, model=None, settings=None)`` returns the activity-epochs table
(docs/SCHEMAS.md) using the shipped, checksum-verified thigh model unless a model is given;
``detect_sleep(prepared, epochs, settings.sleep)`` adds the night's time in bed and sleep.
``walkback train`` / ``walkback evaluate`` (see :mod:`walkback._commands.activity`) reproduce the
shipped model and its validation.
"""

from walkback.activity.classify import EPOCH_COLUMNS, classify, predict_pace
from walkback.activity.epochs import EpochInfo, epoch_info, with_epoch_info
from walkback.activity.features import FEATURES, compute_features, feature_names
from walkback.activity.model import Model, load_default_model, load_model
from walkback.activity.settings import ActivitySettings, SleepSettings, TrainSettings

#: Names imported on first use: training pulls in the dataset loaders and through them the signal
#: stage's resampler (scipy.signal, numba), which classifying a Prepared signal does not need.
_LAZY = {"ActivityClassifier": "walkback.activity.estimator", "fit": "walkback.activity.train",
         "detect_sleep": "walkback.activity.sleep", "sleep_periods": "walkback.activity.sleep"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'walkback.activity' has no attribute {name!r}")


__all__ = [
    "EPOCH_COLUMNS",
    "EpochInfo",
    "FEATURES",
    "ActivityClassifier",
    "ActivitySettings",
    "Model",
    "SleepSettings",
    "TrainSettings",
    "classify",
    "compute_features",
    "detect_sleep",
    "epoch_info",
    "feature_names",
    "fit",
    "load_default_model",
    "load_model",
    "predict_pace",
    "sleep_periods",
    "with_epoch_info",
]
