"""Robustness checks of the activity recipe on SELFBACK (validation tools, not used at run time).

``python -m walkback.activity._robustness rates DIR`` — device sample rate: two-fold by person
(13 / 13, alternate subjects), each half scored by a model trained on the other half at the native
~100 Hz, with the scored half recorded as if by a device set to 100, 50, 30, 25 or 20 Hz
(:func:`walkback.activity.datasets.as_device_rate`) and then prepared like any recording.
Prints the four scores per rate (3-window smoothing), pooled over both halves.

``python -m walkback.activity._robustness seeds DIR [SEED ...]`` — the training seed's own
effect: leave-one-subject-out with the shipped recipe under each seed (default 20251128 1 2 3),
to tell real differences between two pipelines from the noise of one retraining.

DIR is a SELFBACK thigh folder (``<activity>/<subject>.csv[.gz]``).
"""

from __future__ import annotations

import json
import sys

import numpy as np

from walkback.activity import datasets
from walkback.activity.evaluate import loso, predict_set, scores
from walkback.activity.settings import ActivitySettings, TrainSettings
from walkback.activity.train import fit_windows, training_labels

SENSORS = ("thigh",)
KEYS = ("walking_f1", "merged_macro_f1", "macro_f1", "pace_accuracy")
RATES_HZ = (100.0, 50.0, 30.0, 25.0, 20.0)


def rates(root: str, rates_hz: tuple[float, ...] = RATES_HZ) -> dict[float, dict[str, float]]:
    """Scores per simulated device rate (see the module docstring)."""
    tr = TrainSettings()
    ws = datasets.windows_from_segments(datasets.load_selfback(root), SENSORS, tr.window_s,
                                        tr.train_step_s)
    subjects = sorted(set(ws.subject.tolist()))
    halves = [subjects[0::2], subjects[1::2]]
    models = [fit_windows(datasets.subset(ws, ~np.isin(ws.subject, h)), SENSORS, tr)
              for h in halves]
    out: dict[float, dict[str, float]] = {}
    for rate in rates_hz:
        parts = []
        for half, model in zip(halves, models, strict=True):
            ids = [s.removeprefix("selfback-") for s in half]
            segs = datasets.load_selfback(root, subjects=ids,
                                          device_rate_hz=None if rate >= 100 else rate)
            test = datasets.windows_from_segments(segs, SENSORS, tr.window_s, tr.window_s)
            pr = predict_set(model, test, ActivitySettings())
            parts.append((training_labels(test.activity, SENSORS), pr["activity"], test.pace,
                          pr["pace_walk"], pr["pace_all"]))
        res = scores(*(np.concatenate([p[i] for p in parts]) for i in range(5)))
        out[rate] = {k: res[k] for k in KEYS}
        print(json.dumps({"device_rate_hz": rate, **out[rate]}), flush=True)
    return out


def seeds(root: str, seed_list: tuple[int, ...]) -> dict[int, dict[str, float]]:
    """LOSO scores of the shipped recipe under each training seed (3-window smoothing)."""
    base = TrainSettings()  # windows and features do not depend on the seed: computed once
    ws = datasets.windows_from_segments(datasets.load_selfback(root), SENSORS, base.window_s,
                                        base.train_step_s)
    evaluated = ws.start % int(round(base.window_s * base.fs_hz)) == 0
    out: dict[int, dict[str, float]] = {}
    for seed in seed_list:
        tr = TrainSettings(seed=seed)
        res = loso(ws, evaluated, SENSORS, tr, smooth=(3,))["smooth_3"]
        out[seed] = {k: res[k] for k in KEYS}
        print(json.dumps({"seed": seed, **out[seed]}), flush=True)
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("rates", "seeds"):
        print(__doc__)
        return 2
    if argv[0] == "rates":
        rates(argv[1])
    else:
        seeds(argv[1], tuple(int(a) for a in argv[2:]) or (20251128, 1, 2, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
