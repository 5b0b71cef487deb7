"""Activity recognition from prepared thigh (+ lower back) signals.

``classify(prepared, model=None, settings=None)`` returns the activity-epochs table
(docs/SCHEMAS.md) using the shipped, checksum-verified thigh model unless a model is given.
``walkback train`` / ``walkback evaluate`` (see :mod:`walkback._commands.activity`) reproduce the
shipped model and its validation.
"""

from importlib import import_module
from typing import Any

# Every export loads on first use (PEP 562): importing the settings (as the pipeline does before it
# reads a file) must not import pandas, scipy.fft and the feature code; training pulls in the
# dataset loaders and through them the signal stage's resampler (scipy.signal, numba), which
# classifying a Prepared signal does not need.
_LAZY = {
    "EPOCH_COLUMNS": "classify", "classify": "classify", "predict_pace": "classify",
    "FEATURES": "features", "compute_features": "features", "feature_names": "features",
    "Model": "model", "load_default_model": "model", "load_model": "model",
    "ActivitySettings": "settings", "TrainSettings": "settings",
    "ActivityClassifier": "estimator", "fit": "train",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'walkback.activity' has no attribute {name!r}")
    value = getattr(import_module(f"walkback.activity.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "EPOCH_COLUMNS",
    "FEATURES",
    "ActivityClassifier",
    "ActivitySettings",
    "Model",
    "TrainSettings",
    "classify",
    "compute_features",
    "feature_names",
    "fit",
    "load_default_model",
    "load_model",
    "predict_pace",
]
