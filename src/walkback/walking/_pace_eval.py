"""How well cadence separates SELFBACK's slow / moderate / fast walking (the pace default's evidence).

``python -m walkback.walking._pace_eval DIR`` (DIR = a SELFBACK thigh folder,
``<activity>/<subject>.csv.gz``) measures the cadence of every 5-s epoch of ``walk_slow``,
``walk_mod`` and ``walk_fast`` and prints the balanced accuracy (mean per-class recall, averaged
over people) of:

* fixed thresholds (the study-spec guess 100 / 120 spm, and the shipped default);
* thresholds learnt leave-one-subject-out (grid search on the other subjects, tested on the held-out
  one);
* per-person tertiles of the person's own cadence (an oracle here, since every SELFBACK person
  walked the three paces for equal times; not usable in free living, shown as a ceiling).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.walking.gait import measure_gait
from walkback.walking.pace import pace_from_cadence
from walkback.walking.settings import WalkingSettings

PACES = ("walk_slow", "walk_mod", "walk_fast")
LABEL = {"walk_slow": "slow", "walk_mod": "moderate", "walk_fast": "brisk"}


def _canonical_50hz(path: Path) -> np.ndarray:
    from scipy import signal as sps

    df = pd.read_csv(path, usecols=["time", "x", "y", "z"])
    t = pd.to_datetime(df["time"], format="%Y-%m-%d %H:%M:%S.%f").to_numpy("datetime64[ns]").astype(np.int64) / 1e9
    t = t - t[0]
    grid = np.arange(0.0, t[-1], 0.01)
    u = np.stack([np.interp(grid, t, df[c].to_numpy(float)) for c in ("x", "y", "z")], axis=1)
    return (sps.resample_poly(u, 1, 2, axis=0) * np.array([-1.0, 1.0, -1.0])).astype(np.float32)


def epoch_cadence(root: Path) -> pd.DataFrame:
    """One row per 5-s epoch: subject, true pace, cadence (spm)."""
    rows = []
    subjects = sorted(p.name.split(".")[0] for p in (root / "walk_slow").glob("*.csv*"))
    for s in subjects:
        for a in PACES:
            f = next(iter(sorted((root / a).glob(f"{s}.csv*"))), None)
            if f is None:
                continue
            g = _canonical_50hz(f)
            m = g.shape[0] // 250
            r = measure_gait(g, 50.0, np.arange(m) * 250, np.ones(m, bool), WalkingSettings(), epoch_samples=250)
            rows.append(pd.DataFrame({"subject": s, "pace": LABEL[a], "cadence_spm": r.cadence_spm}))
    return pd.concat(rows, ignore_index=True)


def balanced_accuracy(true: np.ndarray, pred: np.ndarray) -> float:
    return float(np.mean([np.mean(pred[true == k] == k) for k in ("slow", "moderate", "brisk")]))


def evaluate(ep: pd.DataFrame) -> dict[str, float | tuple]:
    ep = ep.dropna()
    subjects = ep.subject.unique()

    def per_person(th) -> float:
        return float(np.mean([balanced_accuracy(g.pace.to_numpy(), pace_from_cadence(g.cadence_spm, th))
                              for _, g in ep.groupby("subject")]))

    grid = [(a, b) for a in np.arange(85.0, 116.0) for b in np.arange(100.0, 136.0) if b > a]
    loso, learnt = [], []
    for s in subjects:
        tr, te = ep[ep.subject != s], ep[ep.subject == s]
        best = max(grid, key=lambda th: balanced_accuracy(tr.pace.to_numpy(), pace_from_cadence(tr.cadence_spm, th)))
        learnt.append(best)
        loso.append(balanced_accuracy(te.pace.to_numpy(), pace_from_cadence(te.cadence_spm, best)))
    tert = [balanced_accuracy(g.pace.to_numpy(), pace_from_cadence(g.cadence_spm, tuple(np.quantile(g.cadence_spm, [1 / 3, 2 / 3]))))
            for _, g in ep.groupby("subject")]
    return {
        "n_subjects": len(subjects), "n_epochs": len(ep),
        "median_cadence_slow_moderate_brisk": tuple(ep.groupby("pace").cadence_spm.median()[["slow", "moderate", "brisk"]].round(1)),
        "fixed_100_120": per_person((100.0, 120.0)),
        "default": per_person(WalkingSettings().pace_thresholds_spm),
        "loso_learnt": float(np.mean(loso)),
        "loso_thresholds_median": tuple(np.median(learnt, axis=0)),
        "loso_thresholds_range": (tuple(np.min(learnt, axis=0)), tuple(np.max(learnt, axis=0))),
        "per_person_tertiles_oracle": float(np.mean(tert)),
    }


if __name__ == "__main__":  # pragma: no cover
    res = evaluate(epoch_cadence(Path(sys.argv[1])))
    for k, v in res.items():
        print(f"{k}: {v}")
