"""What the sleep detector makes of real people lying and sitting awake (SELFBACK).

``python -m walkback.activity._sleep_eval ../shared/data/selfback-thigh [--minutes 60]`` takes each
person's real SELFBACK lying and sitting file (awake, ~3 min, thigh, canonical axes), repeats it
back and forth (mirrored, so no junction jumps) to ``minutes`` and runs
:func:`walkback.activity.detect_sleep` on it as a bed period, with the trunk given as lying or
sitting. It prints, per person, the thigh's movement (share of 1-s means of the band-passed
magnitude above the noise floor; its mean after the floor) and the minutes scored asleep; and
the thigh roll about its long axis (degrees), which the thigh-only mode needs at >= 65 to call a
sedentary bout lying.

These are awake people, so every minute scored asleep is an error: the quiet-wakefulness limit of
accelerometer sleep scoring, measured on real signals (docs/VALIDATION.md "Sleep").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.activity.epochs import EpochInfo, with_epoch_info
from walkback.activity.settings import SleepSettings
from walkback.activity.sleep import _movement, detect_sleep
from walkback.signal.types import Prepared

_TRUNK = {"lying": (0.05, 0.0, -1.0), "sitting": (0.97, 0.0, 0.2)}  # back gravity, canonical


def mirrored(g: np.ndarray, n: int) -> np.ndarray:
    """``g`` (m, 3) repeated forward and backward to ``n`` samples (continuous at the joins)."""
    reps = -(-n // len(g)) + 1
    tiles = [g if k % 2 == 0 else g[::-1] for k in range(reps)]
    return np.concatenate(tiles)[:n]


def score(thigh: np.ndarray, posture: str, fs: float = 50.0, minutes: float = 60.0,
          settings: SleepSettings | None = None) -> dict[str, float]:
    """Minutes scored asleep when the real ``thigh`` signal (canonical, g, ``fs`` Hz) is lain (or
    sat) for ``minutes`` in a 4-h bed period, and the movement the detector sees."""
    s = settings or SleepSettings()
    n_real = int(minutes * 60 * fs)
    g = mirrored(np.asarray(thigh, np.float32), n_real)
    # a bed period needs >= 3 h: the real signal first, then quiet lying (never scored)
    quiet = np.tile(np.median(g, axis=0), (int(4 * 3600 * fs) - n_real, 1)).astype(np.float32)
    th = np.concatenate([g, quiet])
    n = len(th)
    back = np.tile(np.array(_TRUNK[posture], np.float32), (n, 1))
    ok = np.ones(n, bool)
    prep = Prepared(fs_hz=fs, start_ns=int(pd.Timestamp("2024-03-11 22:00", tz="UTC").value),
                    thigh_g=th, thigh_wear=ok, timezone="UTC",
                    days=pd.DataFrame(), back_g=back, back_wear=ok)
    step = int(5 * fs)
    m = n // step
    cls = np.where(np.arange(m) * step < n_real, posture, "lying")
    ep = pd.DataFrame({"start_ns": prep.start_ns + np.arange(m, dtype=np.int64) * 5_000_000_000,
                       "study_class": cls, "activity": cls})
    with_epoch_info(ep, EpochInfo(window_s=5.0, step_s=5.0, timezone="UTC"))
    out = detect_sleep(prep, ep, s)
    real = np.arange(m) * step < n_real
    a, _ = _movement(g, np.ones(len(g), bool), 0, len(g), int(fs), fs, s)
    mean = thigh.mean(axis=0)
    return {"asleep_min": float(out["sleep"].to_numpy()[real].sum() * 5 / 60),
            "moving_share": float(np.mean(a > 0)), "movement_g": float(a.mean()),
            "roll_deg": float(np.degrees(np.arctan2(abs(mean[1]), mean[2])))}


def evaluate(root: str | Path, minutes: float = 60.0) -> pd.DataFrame:
    """:func:`score` for every SELFBACK person's lying and sitting file under ``root``."""
    from walkback.activity.datasets import load_selfback

    rows = []
    for seg in load_selfback(root):
        act = str(seg.activity[0])
        if act not in _TRUNK:
            continue
        ok = np.isfinite(seg.thigh_g).all(axis=1)
        rows.append({"subject": seg.subject, "activity": act,
                     **score(seg.thigh_g[ok], act, seg.fs_hz, minutes)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("root")
    ap.add_argument("--minutes", type=float, default=60.0)
    args = ap.parse_args(argv)
    t = evaluate(args.root, args.minutes)
    pd.set_option("display.width", 200)
    print(t.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for act, g in t.groupby("activity"):
        print(f"\n{act}: {len(g)} people; scored asleep (of {args.minutes:g} min awake): median "
              f"{g.asleep_min.median():.1f} min, {int((g.asleep_min > 0).sum())} people with any; "
              f"roll max {g.roll_deg.max():.0f} deg")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
