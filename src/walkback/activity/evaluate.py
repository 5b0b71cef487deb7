"""Scores of activity predictions and leave-one-subject-out (LOSO) evaluation of the recipe.

Definitions (all in ``metrics.json``):

* ``macro_f1``: fine classes (the epochs ``activity`` column; sitting+lying merged as ``sedentary``
  for thigh-only models), mean F1 over the classes present in the truth; predicted classes absent
  from the truth (e.g. a cycling false positive) count as errors in the classes they took windows
  from.
* ``macro_f1_with_pace``: the same with walking split into slow / moderate / brisk (true pace from
  the labels, predicted pace from the pace booster on predicted walking windows): the definition
  of the quick baseline's "fine classes" figure.
* ``merged_macro_f1``: study summary classes (stairs count as walking).
* ``walking_f1``: F1 of walking (incl. stairs) against everything else.
* ``pace_accuracy``: share of windows with a true pace label whose pace-booster prediction is right
  (pace is predicted for every truly walking window, independent of the activity prediction, and
  smoothed like the activity probabilities within runs of consecutive windows).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from walkback.activity.classify import decide, predict_pace
from walkback.activity.datasets import WindowSet, subset
from walkback.activity.datasets import concat as concat_windows
from walkback.activity.labels import FINE_CLASSES, PACE_CLASSES, WALKING_CLASSES, study_classes
from walkback.activity.model import Model
from walkback.activity.settings import ActivitySettings, TrainSettings
from walkback.activity.train import fit_windows, training_labels

log = logging.getLogger(__name__)

_ORDER = list(FINE_CLASSES) + [f"walking_{p}" for p in PACE_CLASSES] + ["walking_"]


def _ordered(labels) -> list[str]:
    labels = set(labels)
    known = [c for c in _ORDER if c in labels]
    return known + sorted(labels - set(known))


def confusion(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Labels (truth classes first, in a fixed order) and the confusion matrix (rows = truth)."""
    labels = _ordered(set(y_true.tolist()) | set(y_pred.tolist()))
    idx = {c: i for i, c in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(cm, ([idx[c] for c in y_true], [idx[c] for c in y_pred]), 1)
    return labels, cm


def per_class(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[dict[str, dict], float, dict]:
    """Per-class precision/recall/F1/support, macro F1 over truth classes, and the confusion."""
    labels, cm = confusion(np.asarray(y_true, object), np.asarray(y_pred, object))
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    pred = cm.sum(axis=0)
    prec = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
    rec = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    f1 = np.divide(2 * prec * rec, prec + rec, out=np.zeros_like(tp), where=(prec + rec) > 0)
    table = {c: {"precision": round(float(prec[i]), 4), "recall": round(float(rec[i]), 4),
                 "f1": round(float(f1[i]), 4), "support": int(support[i])}
             for i, c in enumerate(labels)}
    macro = float(f1[support > 0].mean()) if (support > 0).any() else float("nan")
    return table, macro, {"labels": labels, "matrix": cm.tolist()}


def binary_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    """F1 of the positive class for boolean arrays."""
    tp = float(np.sum(truth & pred))
    den = float(np.sum(truth) + np.sum(pred))
    return 2 * tp / den if den else float("nan")


def _r(x: float) -> float | None:
    """Rounded score; None (JSON null) when undefined (e.g. no pace labels in the data)."""
    return round(float(x), 4) if np.isfinite(x) else None


def scores(true_act: np.ndarray, pred_act: np.ndarray, true_pace: np.ndarray,
           pred_pace_walk: np.ndarray, pred_pace_all: np.ndarray) -> dict[str, Any]:
    """All metrics (see module docstring). ``pred_pace_walk``: pace where the prediction is walking
    (else ""); ``pred_pace_all``: pace-booster output for every window."""
    true_act = np.asarray(true_act, object)
    pred_act = np.asarray(pred_act, object)
    table, macro, cm = per_class(true_act, pred_act)
    _, merged, cm_study = per_class(study_classes(true_act), study_classes(pred_act))
    walk_t = np.isin(true_act, list(WALKING_CLASSES))
    walk_p = np.isin(pred_act, list(WALKING_CLASSES))
    has_pace = np.isin(true_pace, PACE_CLASSES)
    # walking split by pace when the data have pace labels (else the plain fine classes)
    if has_pace.any():
        tp_ = np.where(true_act == "walking", "walking_" + true_pace.astype(str), true_act)
        pp_ = np.where(pred_act == "walking", "walking_" + pred_pace_walk.astype(str), pred_act)
    else:
        tp_, pp_ = true_act, pred_act
    pace_table, macro_pace, _ = per_class(tp_, pp_)
    pace_acc = float(np.mean(pred_pace_all[has_pace] == true_pace[has_pace])) if has_pace.any() \
        else float("nan")
    return {
        "macro_f1": _r(macro),
        "merged_macro_f1": _r(merged),
        "walking_f1": _r(binary_f1(walk_t, walk_p)),
        "pace_accuracy": _r(pace_acc),
        "macro_f1_with_pace": _r(macro_pace),
        "n_windows": int(len(true_act)),
        "per_class": table,
        "confusion_matrix": cm,
        "study_confusion_matrix": cm_study,
        "per_class_with_pace": pace_table,
    }


def predict_set(model: Model, ws: WindowSet, settings: ActivitySettings) -> dict[str, np.ndarray]:
    """Predictions for the windows of ``ws`` (rows in time order within each segment)."""
    breaks = np.ones(len(ws.segment), dtype=bool)
    if len(breaks) > 1:
        step = np.diff(ws.start)
        breaks[1:] = (np.diff(ws.segment) != 0) | (step <= 0) | (step > np.median(step))
    act, _ = decide(model, ws.X, settings, breaks)
    pace_all = predict_pace(model, ws.X, settings.num_threads, settings.smooth_windows, breaks)
    pace_walk = np.where(act == "walking", pace_all, "")
    return {"activity": act, "pace_all": pace_all, "pace_walk": pace_walk}


def evaluate_model(model: Model, ws: WindowSet, settings: ActivitySettings) -> dict[str, Any]:
    """Scores of a given model on window set ``ws``."""
    pr = predict_set(model, ws, settings)
    truth = training_labels(ws.activity, model.sensors)
    out = scores(truth, pr["activity"], ws.pace, pr["pace_walk"], pr["pace_all"])
    out.update({"evaluation": "given model", "model_sha256": model.sha256})
    return out


def loso_proba(ws: WindowSet, eval_mask: np.ndarray, sensors: tuple[str, ...],
               train: TrainSettings) -> tuple[WindowSet, np.ndarray, np.ndarray, tuple[str, ...]]:
    """Leave-one-subject-out class and pace probabilities: for each subject, a model trained on
    the others' windows (``ws``, with the training step) scores that subject's evaluation windows
    (``eval_mask``: non-overlapping). Returns the evaluation windows (subjects in sorted order,
    time order within each), their class probabilities, pace probabilities and the classes."""
    subjects = sorted(set(ws.subject.tolist()))
    tests, ps, qs, classes = [], [], [], ()
    for i, s in enumerate(subjects):
        model = fit_windows(subset(ws, ws.subject != s), sensors, train)
        test = subset(ws, (ws.subject == s) & eval_mask)
        tests.append(test)
        ps.append(model.predict_proba(test.X))
        qs.append(model.predict_pace_proba(test.X))
        classes = classes or model.classes
        if model.classes != classes:
            raise ValueError(f"LOSO fold {s} learned classes {model.classes}, others {classes}")
        log.info("LOSO %d/%d %s: %d test windows", i + 1, len(subjects), s, len(test.X))
    return concat_windows(tests), np.concatenate(ps), np.concatenate(qs), classes


def loso(ws: WindowSet, eval_mask: np.ndarray, sensors: tuple[str, ...],
         train: TrainSettings, smooth: tuple[int, ...] = (1, 3, 5),
         cycling_rule: bool = True) -> dict[str, Any]:
    """Leave-one-subject-out: for each subject, train on the others' windows (``ws``, with the
    training step) and predict that subject's evaluation windows (``eval_mask``: non-overlapping).
    Returns scores for every smoothing width in ``smooth`` (key ``smooth_<k>``)."""
    subjects = sorted(set(ws.subject.tolist()))
    preds: dict[int, list] = {k: [] for k in smooth}
    truth, tpace = [], []
    for i, s in enumerate(subjects):
        model = fit_windows(subset(ws, ws.subject != s), sensors, train)
        test = subset(ws, (ws.subject == s) & eval_mask)
        for k in smooth:
            preds[k].append(predict_set(model, test, ActivitySettings(
                smooth_windows=k, cycling_rule=cycling_rule)))
        truth.append(training_labels(test.activity, sensors))
        tpace.append(test.pace)
        log.info("LOSO %d/%d %s: %d test windows", i + 1, len(subjects), s, len(test.X))
    cat = np.concatenate
    out: dict[str, Any] = {"evaluation": "leave-one-subject-out", "subjects": subjects}
    for k in smooth:
        out[f"smooth_{k}"] = scores(cat(truth), cat([p["activity"] for p in preds[k]]),
                                    cat(tpace), cat([p["pace_walk"] for p in preds[k]]),
                                    cat([p["pace_all"] for p in preds[k]]))
    return out
