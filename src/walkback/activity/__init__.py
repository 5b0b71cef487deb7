"""Activity recognition from prepared thigh (+ lower back) signals.

``classify(prepared, model=None, settings=None)`` returns the activity-epochs table
(docs/SCHEMAS.md) using the shipped, checksum-verified thigh model unless a model is given;
``detect_sleep(prepared, epochs, settings.sleep)`` adds the night's time in bed and sleep.
``walkback train`` / ``walkback evaluate`` (see :mod:`walkback._commands.activity`) reproduce the
shipped model and its validation.
"""

from walkback._lazy import lazy_exports

# Every export loads on first use (PEP 562): importing the settings (as the pipeline does before it
# reads a file) must not import pandas, scipy.fft and the feature code; training pulls in the
# dataset loaders (scipy.signal) and through them the signal stage's resampler (numba), which
# classifying a Prepared signal does not need.
_LAZY = {
    "EPOCH_COLUMNS": "classify", "classify": "classify", "predict_pace": "classify",
    "EpochInfo": "epochs", "epoch_info": "epochs", "with_epoch_info": "epochs",
    "FEATURES": "features", "compute_features": "features", "feature_names": "features",
    "Model": "model", "load_default_model": "model", "load_model": "model",
    "ActivitySettings": "settings", "SleepSettings": "settings", "TrainSettings": "settings",
    "SLEEP_COLUMNS": "sleep", "detect_sleep": "sleep", "sleep_periods": "sleep",
    "night_key": "sleep",
    "ActivityClassifier": "estimator", "fit": "train",
}

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)


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
    "night_key",
    "predict_pace",
    "sleep_periods",
    "with_epoch_info",
]
