"""``classify(prepared, model)``: a Prepared signal -> the activity-epochs table (docs/SCHEMAS.md).

Steps per window (default 5 s, no overlap): wear check (``thigh_wear`` over the window), features
of the sensors the model uses, class probabilities, optional smoothing, cycling rule,
horizontal-thigh rule and trunk rule (thigh-only model; the trunk rule with a back sensor), walking
pace (pace booster) for walking windows (:mod:`walkback.activity.rules`).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from walkback._threads import worker_threads
from walkback.activity.epochs import EpochInfo, with_epoch_info
from walkback.activity.features import (
    compute_features,
    feature_names,
    inclination,
    orientation_summary,
    window_starts,
)
from walkback.activity.labels import STUDY_CLASS, WALKING_CLASSES
from walkback.activity.model import Model, load_default_model
from walkback.activity.rules import (
    RULE_FEATURES,
    apply_cycling,
    apply_horizontal,
    cycling_mask,
    horizontal_still_mask,
    persistent,
    trunk_split,
)
from walkback.activity.settings import ActivitySettings
from walkback.activity.smoothing import smooth_proba
from walkback.errors import InputDataError
from walkback.settings import to_mapping

log = logging.getLogger(__name__)

#: Windows whose features are computed and scored together (bounded memory).
_BATCH = 2048

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
    col = {n: i for i, n in enumerate(model.feature_names)}
    rules = X[:, [col[n] for n in RULE_FEATURES]] if len(X) else np.zeros((0, len(RULE_FEATURES)))
    return decide_proba(model, model.predict_proba(X, settings.num_threads), rules, settings,
                        breaks, back_incl_deg, back_vm_std_g, back_worn)


def decide_proba(model: Model, p: np.ndarray, rules: np.ndarray, settings: ActivitySettings,
                 breaks: np.ndarray | None = None, back_incl_deg: np.ndarray | None = None,
                 back_vm_std_g: np.ndarray | None = None, back_worn: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`decide` from class probabilities ``p`` (m, classes) and the :data:`RULE_FEATURES`
    columns ``rules`` (m, len(RULE_FEATURES)) of the windows."""
    p = smooth_proba(p, settings.smooth_windows, breaks)
    k = np.argmax(p, axis=1)
    act = np.asarray(model.classes, dtype=object)[k] if len(k) else np.zeros(0, object)
    conf = p[np.arange(len(k)), k].astype(np.float32)
    if settings.cycling_rule and "cycling" not in model.classes:
        f = {n: rules[:, i] for i, n in enumerate(RULE_FEATURES)}
        cyc = persistent(cycling_mask(f, back_vm_std_g, back_incl_deg), breaks)
        act = apply_cycling(act, cyc)
        conf = np.where(act == "cycling", np.float32(np.nan), conf).astype(np.float32)
    if settings.horizontal_rule and "sedentary" in model.classes:
        f = {n: rules[:, i] for i, n in enumerate(RULE_FEATURES)}
        flip = horizontal_still_mask(f) & (act != "sedentary") & (act != "cycling")
        act = apply_horizontal(act, flip)
        conf = np.where(flip, np.float32(np.nan), conf).astype(np.float32)
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
    return pace_from_proba(model, model.predict_pace_proba(X, num_threads), smooth_windows, breaks)


def pace_from_proba(model: Model, q: np.ndarray, smooth_windows: int = 1,
                    breaks: np.ndarray | None = None) -> np.ndarray:
    """:func:`predict_pace` from pace probabilities ``q`` (m, pace classes)."""
    if not model.pace_booster:
        return np.full(len(q), "", dtype=object)
    q = smooth_proba(q, smooth_windows, breaks)
    return np.asarray(model.pace_classes, dtype=object)[np.argmax(q, axis=1)]


def _pace_candidates(p: np.ndarray, model: Model, half: int) -> np.ndarray:
    """Windows of a batch that can end up walking after smoothing ``2 * half + 1`` windows.

    A smoothed probability is an average of the neighbours' probabilities, and the winning class
    of ``c`` classes has at least 1/c; so a window can be walking only if some window within
    ``half`` of it gives a walking class >= 1/c. The batch's first and last ``half`` windows
    (neighbours in other batches) are always kept, so the set contains every walking window.
    """
    walk = [i for i, c in enumerate(model.classes) if c in WALKING_CLASSES]
    if not walk or not len(p):
        return np.zeros(len(p), dtype=bool)
    hit = p[:, walk].max(axis=1) >= 1.0 / len(model.classes) - 1e-6
    near = hit.copy()
    for k in range(1, half + 1):
        near[k:] |= hit[:-k]
        near[:-k] |= hit[k:]
    near[:half] = True
    near[len(near) - half :] = True
    return near


def _window_inputs(prepared, model: Model, starts: np.ndarray, win: int, back_worn: np.ndarray,
                   smooth_windows: int = 1, threads: int = 1):
    """Per worn window: class probabilities, pace probabilities (NaN for windows that cannot be
    walking, :func:`_pace_candidates`), the rule features, and the back's trunk inclination when
    a thigh-only model meets a back sensor (else None; NaN where the back is not worn).

    Features are computed and scored :data:`_BATCH` windows at a time, so memory stays bounded
    (a week: ~121,000 windows x 53 features would be 26 MB) and only per-window results are kept.
    With ``threads`` > 1 that many batches run at once (NumPy, pocketfft and the compiled trees
    release the GIL); every batch writes its own rows, so the result does not depend on it.
    """
    use_back = "back" in model.sensors
    names = list(model.feature_names)
    n_thigh = len(feature_names(("thigh",)))
    rule_cols = [names.index(n) for n in RULE_FEATURES]
    m = len(starts)
    p = np.empty((m, len(model.classes)), dtype=np.float32)
    q = np.full((m, len(model.pace_classes)), np.nan, dtype=np.float32)
    rules = np.empty((m, len(rule_cols)), dtype=np.float32)

    def batch(c0: int) -> None:
        st = starts[c0 : c0 + _BATCH]
        X = compute_features(prepared.thigh_g, st, win, prepared.fs_hz,
                             back_g=prepared.back_g if use_back else None, names=names)
        if use_back:
            X[~back_worn[c0 : c0 + _BATCH], n_thigh:] = np.nan
        pb = p[c0 : c0 + len(st)]
        pb[:] = model.predict_proba(X)
        cand = _pace_candidates(pb, model, smooth_windows // 2)
        q[c0 + np.flatnonzero(cand)] = model.predict_pace_proba(X[cand])
        rules[c0 : c0 + len(st)] = X[:, rule_cols]

    firsts = range(0, m, _BATCH)
    if threads > 1 and len(firsts) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(threads, len(firsts))) as pool:
            list(pool.map(batch, firsts))
    else:
        for c0 in firsts:
            batch(c0)
    b_incl = None
    if prepared.has_back and not use_back:
        b_incl = inclination(prepared.back_g, starts, win)
        b_incl[~back_worn] = np.nan
    return p, q, rules, b_incl


def _back_sd(prepared, rules: np.ndarray, b_incl: np.ndarray, starts: np.ndarray, win: int
             ) -> np.ndarray:
    """sd of back |a| (g) for the windows the thigh conditions of the cycling rule pass (the only
    windows where the back's conditions matter); NaN elsewhere and where the back is not worn."""
    sd = np.full(len(starts), np.nan, dtype=np.float32)
    cand = cycling_mask({n: rules[:, i] for i, n in enumerate(RULE_FEATURES)})
    cand &= np.isfinite(b_incl)
    if cand.any():
        sd[cand] = orientation_summary(prepared.back_g, starts[cand], win)[1]
    return sd


def _study_class(activity: np.ndarray) -> np.ndarray:
    """Study class of each fine class (object array of str). The columns hold a few shared str
    objects, not one string per window (a week's three text columns as fresh strings: ~25 MB)."""
    names, inv = np.unique(activity.astype(object), return_inverse=True)
    return np.asarray([STUDY_CLASS[a] for a in names] or [], dtype=object)[inv]


def classify(prepared, model: Model | None = None,
             settings: ActivitySettings | None = None) -> pd.DataFrame:
    """Activity epochs of a :class:`walkback.signal.Prepared` signal (schema: docs/SCHEMAS.md).

    ``model`` defaults to the shipped thigh model (checksum-verified). A thigh+back model needs
    ``prepared.back_g``; a thigh-only model with a back sensor present uses the trunk rule.
    ``confidence`` is NaN for non-wear and rule-decided (cycling, horizontal-thigh) windows. ``df.attrs`` holds the
    table's :class:`~walkback.activity.EpochInfo` (window, step, time zone, model sha256; read it
    with :func:`walkback.activity.epoch_info`), ``model_sensors``, ``mode`` and the settings.
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
    idx = np.flatnonzero(worn)
    p, q, rules, b_incl = _window_inputs(prepared, model, starts[idx], win, back_worn[idx],
                                         settings.smooth_windows, worker_threads())
    b_sd = None if b_incl is None else _back_sd(prepared, rules, b_incl, starts[idx], win)
    breaks = np.ones(len(idx), dtype=bool)
    breaks[1:] = np.diff(idx) > 1
    act_w, conf_w = decide_proba(model, p, rules, settings, breaks, b_incl, b_sd,
                                 back_worn[idx] if b_incl is not None else None)
    activity = np.full(len(starts), "non_wear", dtype=object)
    confidence = np.full(len(starts), np.nan, dtype=np.float32)
    activity[worn], confidence[worn] = act_w, conf_w
    pace = np.full(len(starts), "", dtype=object)
    walking = np.isin(act_w, list(WALKING_CLASSES))
    if walking.any():
        wi = idx[walking]
        bout = np.ones(len(wi), dtype=bool)
        bout[1:] = np.diff(wi) > 1
        qw = q[walking]
        if np.isnan(qw).any():  # _pace_candidates must cover every walking window
            raise RuntimeError("classify: a walking window has no pace probabilities")
        pace[wi] = pace_from_proba(model, qw, settings.smooth_windows, bout)
    times = prepared.start_ns + np.round(starts * (1e9 / prepared.fs_hz)).astype(np.int64)
    df = pd.DataFrame({
        "start_ns": times.astype(np.int64),
        "activity": activity,
        "study_class": _study_class(activity),
        "pace": pace,
        "confidence": confidence,
        "thigh_wear": thigh_frac >= 1.0,
        "back_wear": back_worn,
    }, columns=list(EPOCH_COLUMNS))
    mode = "thigh+back model" if use_back else (
        "thigh model + trunk rule" if prepared.has_back else "thigh model")
    df.attrs.update({"model_sensors": list(model.sensors), "mode": mode,
                     "settings": to_mapping(settings)})
    return with_epoch_info(df, EpochInfo(window_s=win / prepared.fs_hz,
                                         step_s=step / prepared.fs_hz,
                                         timezone=prepared.timezone, model_sha256=model.sha256))
