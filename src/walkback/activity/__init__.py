"""Activity recognition from prepared thigh (+ lower back) signals.

``classify(prepared, model=None, settings=None)`` returns the activity-epochs table
(docs/SCHEMAS.md) using the shipped, checksum-verified thigh model unless a model is given.
``walkback train`` / ``walkback evaluate`` (see :mod:`walkback._commands.activity`) reproduce the
shipped model and its validation.
"""

from walkback._lazy import lazy_exports
from walkback.activity.classify import EPOCH_COLUMNS, classify, predict_pace
from walkback.activity.epochs import EpochInfo, epoch_info, with_epoch_info
from walkback.activity.features import FEATURES, compute_features, feature_names
from walkback.activity.model import Model, load_default_model, load_model
from walkback.activity.settings import ActivitySettings, TrainSettings

#: Names imported on first use: training pulls in the dataset loaders and through them the signal
#: stage's resampler (scipy.signal, numba), which classifying a Prepared signal does not need.
_LAZY = {"ActivityClassifier": "estimator", "fit": "train"}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)


__all__ = [
    "EPOCH_COLUMNS",
    "EpochInfo",
    "FEATURES",
    "ActivityClassifier",
    "ActivitySettings",
    "Model",
    "TrainSettings",
    "classify",
    "compute_features",
    "epoch_info",
    "feature_names",
    "fit",
    "load_default_model",
    "load_model",
    "predict_pace",
    "with_epoch_info",
]
