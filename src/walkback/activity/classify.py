"""``classify(prepared, model)``: a Prepared signal -> the activity-epochs table (docs/SCHEMAS.md).

Steps per window (default 5 s, no overlap): wear check (``thigh_wear`` over the window), features
of the sensors the model uses, class probabilities, optional smoothing, cycling rule, trunk rule
(thigh-only model + back sensor), walking pace (pace booster) for walking windows.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from walkback.activity.features import (
    compute_features,
    feature_names,
    orientation_summary,
    window_starts,
)
from walkback.activity.labels import STUDY_CLASS, WALKING_CLASSES
from walkback.activity.model import Model, load_default_model
from walkback.activity.rules import (
    RULE_FEATURES,
    apply_cycling,
    cycling_mask,
    persistent,
    trunk_split,
)
from walkback.activity.settings import ActivitySettings
from walkback.activity.smoothing import smooth_proba
from walkback.errors import InputDataError

log = logging.getLogger(__name__)

EPOCH_COLUMNS = ("start_ns", "activity", "study_class", "pace", "confidence", "thigh_wear",
                 "back_wear")


def _window_fraction(mask: np.ndarray, starts: np.ndarray, window: int) -> np.ndarray:
    """Share of True samples of ``mask`` in each window (no full-length cumulative sum: a week at
    50 Hz would need 240 MB of int64)."""
    if not len(starts):
        return np.zeros(0)
    step = int(starts[1] - starts[0]) if len(starts) > 1 else window
    block = math.gcd(window, step)
    nb = (int(starts[-1]) + window) // block
    counts = mask[: nb * block].reshape(nb, block).sum(axis=1, dtype=np.int64)
    cs = np.concatenate([[0], np.cumsum(counts)])
    b0 = starts // block
    return (cs[b0 + window // block] - cs[b0]) / window


def decide(model: Model, X: np.ndarray, settings: ActivitySettings,
           breaks: np.ndarray | None = None, back_incl_deg: np.ndarray | None = None,
           back_vm_std_g: np.ndarray | None = None, back_worn: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Fine-class labels and confidences for feature rows ``X`` (columns ``model.feature_names``).

    ``breaks`` marks windows that start a new run for smoothing; the back arrays (per window) enable
    the trunk rule and the back conditions of the cycling rule.
    """
    p = smooth_proba(model.predict_proba(X, settings.num_threads), settings.smooth_windows, breaks)
    k = np.argmax(p, axis=1)
    act = np.asarray(model.classes, dtype=object)[k] if len(k) else np.zeros(0, object)
    conf = p[np.arange(len(k)), k].astype(np.float32)
    if settings.cycling_rule and "cycling" not in model.classes:
        col = {n: i for i, n in enumerate(model.feature_names)}
        f = {n: X[:, col[n]] for n in RULE_FEATURES}
        cyc = persistent(cycling_mask(f, back_vm_std_g, back_incl_deg), breaks)
        act = apply_cycling(act, cyc)
        conf = np.where(act == "cycling", np.float32(np.nan), conf).astype(np.float32)
    if back_incl_deg is not None and "sedentary" in model.classes:
        worn = np.ones(len(act), bool) if back_worn is None else back_worn
        act = trunk_split(act, back_incl_deg, worn, settings.trunk_lying_deg)
    return act, conf


def predict_pace(model: Model, X: np.ndarray, num_threads: int = 1, smooth_windows: int = 1,
                 breaks: np.ndarray | None = None) -> np.ndarray:
    """Walking pace (``slow``/``moderate``/``brisk``) for feature rows ``X`` of walking windows.

    ``smooth_windows`` > 1 averages the pace probabilities over that many consecutive windows
    within runs (``breaks`` marks the first window of each run, e.g. of each walking bout).
    """
    if not model.pace_booster:
        return np.full(len(X), "", dtype=object)
    p = smooth_proba(model.predict_pace_proba(X, num_threads), smooth_windows, breaks)
    return np.asarray(model.pace_classes, dtype=object)[np.argmax(p, axis=1)]


def _window_inputs(prepared, model: Model, starts: np.ndarray, win: int, back_worn: np.ndarray):
    """Model features of the worn windows, and the back's trunk inclination / sd of |a| when a
    thigh-only model meets a back sensor (else None). Back values are NaN where it is not worn."""
    use_back = "back" in model.sensors
    X = compute_features(prepared.thigh_g, starts, win, prepared.fs_hz,
                         back_g=prepared.back_g if use_back else None,
                         names=list(model.feature_names))
    if use_back:
        X[~back_worn, len(feature_names(("thigh",))) :] = np.nan
    b_incl = b_sd = None
    if prepared.has_back and not use_back:
        b_incl, b_sd = orientation_summary(prepared.back_g, starts, win)
        b_incl[~back_worn] = np.nan
        b_sd[~back_worn] = np.nan
    return X, b_incl, b_sd


def classify(prepared, model: Model | None = None,
             settings: ActivitySettings | None = None) -> pd.DataFrame:
    """Activity epochs of a :class:`walkback.signal.Prepared` signal (schema: docs/SCHEMAS.md).

    ``model`` defaults to the shipped thigh model (checksum-verified). A thigh+back model needs
    ``prepared.back_g``; a thigh-only model with a back sensor present uses the trunk rule.
    ``confidence`` is NaN for non-wear and rule-decided (cycling) windows. ``df.attrs`` holds
    ``model_sha256``, ``model_sensors``, ``mode`` and the settings, for qc.json.
    """
    model = model or load_default_model()
    settings = settings or ActivitySettings()
    if abs(prepared.fs_hz - model.fs_hz) > 1e-6:
        raise InputDataError(f"classify: Prepared is at {prepared.fs_hz} Hz but the model "
                             f"{model.name} expects {model.fs_hz} Hz")
    if "back" in model.sensors and not prepared.has_back:
        raise InputDataError(f"classify: model {model.name} needs a back sensor signal")
    win = int(round(model.window_s * prepared.fs_hz))
    step = max(1, int(round(win * (1.0 - settings.overlap))))
    starts = window_starts(prepared.n, win, step)
    thigh_frac = _window_fraction(prepared.thigh_wear, starts, win)
    worn = thigh_frac >= settings.min_wear_fraction
    back_worn = np.zeros(len(starts), dtype=bool)
    if prepared.has_back:
        back_worn = _window_fraction(prepared.back_wear, starts, win) >= 1.0
    use_back = "back" in model.sensors
    X, b_incl, b_sd = _window_inputs(prepared, model, starts[worn], win, back_worn[worn])
    idx = np.flatnonzero(worn)
    breaks = np.ones(len(idx), dtype=bool)
    breaks[1:] = np.diff(idx) > 1
    act_w, conf_w = decide(model, X, settings, breaks, b_incl, b_sd,
                           back_worn[worn] if b_incl is not None else None)
    activity = np.full(len(starts), "non_wear", dtype=object)
    confidence = np.full(len(starts), np.nan, dtype=np.float32)
    activity[worn], confidence[worn] = act_w, conf_w
    pace = np.full(len(starts), "", dtype=object)
    walking = np.isin(act_w, list(WALKING_CLASSES))
    if walking.any():
        wi = idx[walking]
        bout = np.ones(len(wi), dtype=bool)
        bout[1:] = np.diff(wi) > 1
        pace[wi] = predict_pace(model, X[walking], settings.num_threads,
                                settings.smooth_windows, bout)
    times = prepared.start_ns + np.round(starts * (1e9 / prepared.fs_hz)).astype(np.int64)
    df = pd.DataFrame({
        "start_ns": times.astype(np.int64),
        "activity": activity.astype(str),
        "study_class": np.array([STUDY_CLASS[a] for a in activity], dtype=object).astype(str),
        "pace": pace.astype(str),
        "confidence": confidence,
        "thigh_wear": thigh_frac >= 1.0,
        "back_wear": back_worn,
    }, columns=list(EPOCH_COLUMNS))
    mode = "thigh+back model" if use_back else (
        "thigh model + trunk rule" if prepared.has_back else "thigh model")
    df.attrs.update({"model_sha256": model.sha256, "model_sensors": list(model.sensors),
                     "mode": mode, "window_s": model.window_s,
                     "settings": {k: getattr(settings, k) for k in settings.__dataclass_fields__}})
    return df
