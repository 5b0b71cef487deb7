"""The pre-declared comparison of temporal smoothers (docs/VALIDATION.md, "Smoothing").

Run: ``python -m walkback.activity.compare --data ../shared/data/selfback-thigh [--out FILE]``.

Leave-one-subject-out class and pace probabilities of the training recipe
(:func:`walkback.activity.evaluate.loso_proba`) are decoded by each smoother and scored twice:

(i) as recorded: SELFBACK's 3-minute single-activity files, i.e. no transitions, where any
    smoothing looks good;
(ii) "short bouts": each held-out person's windows re-ordered into bouts of a random activity and
    a random length of 1-12 windows (5-60 s), seed 1, so activities change as often as in free
    living and a smoother's cost at transitions shows.

Smoothers: none, centred moving average of 3 and 5 windows (:func:`smooth_proba`), and an HMM
forward-backward posterior with uniform switching probability 0.1 or 0.02 per window
(:func:`hmm_proba`). The rule for changing the default (moving average of 3) was fixed before the
first run: a candidate must score at least as high on (i) in walking_f1, merged_macro_f1, macro_f1
and pace_accuracy, and lose at most 0.005 walking_f1 and merged_macro_f1 on (ii).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

import numpy as np

from walkback.activity.evaluate import loso_proba, scores
from walkback.activity.labels import PACE_CLASSES
from walkback.activity.smoothing import hmm_proba, smooth_proba

KEYS = ("walking_f1", "merged_macro_f1", "macro_f1", "pace_accuracy", "macro_f1_with_pace")

SMOOTHERS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "none": lambda p, b: p,
    "mean_3": lambda p, b: smooth_proba(p, 3, b),
    "mean_5": lambda p, b: smooth_proba(p, 5, b),
    "hmm_0.1": lambda p, b: hmm_proba(p, 0.1, b),
    "hmm_0.02": lambda p, b: hmm_proba(p, 0.02, b),
}


def run_breaks(segment: np.ndarray, start: np.ndarray) -> np.ndarray:
    """True where a window starts a new run (new segment or not the next window in time)."""
    b = np.ones(len(start), dtype=bool)
    if len(b) > 1:
        step = np.diff(start)
        b[1:] = (np.diff(segment) != 0) | (step <= 0) | (step > np.median(step))
    return b


def short_bouts(subject: np.ndarray, label: np.ndarray, seed: int = 1
                ) -> tuple[np.ndarray, np.ndarray]:
    """Row order of scenario (ii) and its run breaks (one run per person): per person, bouts of
    a random remaining label (activity + pace) of 1-12 consecutive windows of that label."""
    rng = np.random.default_rng(seed)
    order, breaks = [], []
    for s in sorted(set(subject.tolist())):
        rows = np.flatnonzero(subject == s)
        pools = {lab: list(rows[label[rows] == lab]) for lab in sorted(set(label[rows].tolist()))}
        seq: list[int] = []
        while pools:
            lab = list(pools)[rng.integers(len(pools))]
            n = int(rng.integers(1, 13))
            seq += pools[lab][:n]
            pools[lab] = pools[lab][n:]
            if not pools[lab]:
                del pools[lab]
        order += seq
        breaks += [True] + [False] * (len(seq) - 1)
    return np.asarray(order, dtype=np.int64), np.asarray(breaks, dtype=bool)


def score_smoother(smooth, p, q, classes, breaks, truth, pace) -> dict[str, float]:
    """The five headline scores of one smoother (pace decoded over runs of all windows, as
    ``pace_accuracy`` is defined in :mod:`walkback.activity.evaluate`)."""
    act = np.asarray(classes, dtype=object)[np.argmax(smooth(p, breaks), axis=1)]
    pace_all = np.asarray(PACE_CLASSES, dtype=object)[np.argmax(smooth(q, breaks), axis=1)]
    pace_walk = np.where(act == "walking", pace_all, "")
    s = scores(truth, act, pace, pace_walk, pace_all)
    return {k: s[k] for k in KEYS}


def compare(ws, eval_mask, sensors, train) -> dict[str, dict[str, dict[str, float]]]:
    """Scores of every smoother in scenarios (i) and (ii) (see module docstring)."""
    from walkback.activity.train import training_labels

    test, p, q, classes = loso_proba(ws, eval_mask, sensors, train)
    truth = training_labels(test.activity, sensors)
    pace = np.asarray(test.pace, dtype=object)
    b1 = run_breaks(test.segment, test.start)
    order, b2 = short_bouts(test.subject, np.char.add(truth.astype(str), pace.astype(str)))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, sm in SMOOTHERS.items():
        out[name] = {
            "as_recorded": score_smoother(sm, p, q, classes, b1, truth, pace),
            "short_bouts": score_smoother(sm, p[order], q[order], classes, b2, truth[order],
                                          pace[order]),
        }
    return out


def markdown(res: dict) -> str:
    """The comparison as a Markdown table."""
    head = " | ".join(f"(i) {k}" for k in KEYS) + " | " + " | ".join(f"(ii) {k}" for k in KEYS)
    lines = [f"| smoother | {head} |", "|---" * (1 + 2 * len(KEYS)) + "|"]
    for name, r in res.items():
        cells = [f"{r['as_recorded'][k]:.4f}" for k in KEYS]
        cells += [f"{r['short_bouts'][k]:.4f}" for k in KEYS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - command line
    from walkback.activity import datasets
    from walkback.activity.settings import TrainSettings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="SELFBACK folder")
    ap.add_argument("--out", help="JSON file for the scores")
    args = ap.parse_args(argv)
    tr = TrainSettings(sensors="thigh")
    segs = datasets.load_selfback(args.data)
    ws = datasets.windows_from_segments(segs, ("thigh",), tr.window_s, tr.train_step_s)
    res = compare(ws, ws.start % int(round(tr.window_s * tr.fs_hz)) == 0, ("thigh",), tr)
    print(markdown(res), end="")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(res, fh, indent=1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
