"""Validation of the one-participant pipeline on simulated weeks with known truth.

``python -m walkback.simulate._recording_validate --weeks 2 [--source DIR] [--days 7]
[--thigh-only]`` simulates recordings (:func:`walkback.simulate.recording.simulate_recording`),
writes them as .cwa files, runs :func:`walkback.pipeline.process_one` and prints, per recording
and class, the relative error of the processed totals against the truth (whole recording, and per
full calendar day), then the sleep minutes of every night (noon-to-noon local window) against the
truth, with the epoch-by-epoch sensitivity and specificity of ``sleep``. ``--thigh-only`` also
processes each recording without its back file and reports its nights too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ("walking_s", "walk_slow_s", "walk_moderate_s", "walk_brisk_s", "lying_s", "sitting_s",
           "standing_s", "running_s", "steps", "sleep_s")


def night_sleep(truth: pd.DataFrame, got: pd.DataFrame, timezone: str,
                night_start_h: float = 12.0) -> pd.DataFrame:
    """Sleep minutes per night (noon-to-noon local window) of processed epochs ``got`` against
    ``truth`` (both with ``start_ns`` and a bool ``sleep``; matched on ``start_ns``): columns
    ``night, truth_min, detected_min, error_min, rel_error, sensitivity, specificity``. Nights
    with no true sleep are left out."""
    from walkback.activity import night_key

    m = truth[["start_ns", "sleep"]].merge(got[["start_ns", "sleep"]], on="start_ns",
                                           suffixes=("_true", "_got"))
    step_min = float(np.median(np.diff(m["start_ns"].to_numpy()))) / 60e9 if len(m) > 1 else 5 / 60
    m["night"] = night_key(m["start_ns"].to_numpy(), timezone, night_start_h)
    rows = []
    for night, g in m.groupby("night"):
        t, d = g["sleep_true"].to_numpy(bool), g["sleep_got"].to_numpy(bool)
        if not t.any():
            continue
        tm, dm = t.sum() * step_min, d.sum() * step_min
        rows.append({"night": night, "truth_min": tm, "detected_min": dm, "error_min": dm - tm,
                     "rel_error": (dm - tm) / tm, "sensitivity": (t & d).sum() / t.sum(),
                     "specificity": (~t & ~d).sum() / max((~t).sum(), 1)})
    return pd.DataFrame(rows)


def validate_one(seed: int, days: float, source: str | Path | None, work: Path,
                 thigh_only: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Relative errors (processed vs truth) for one simulated recording, one row per column, and
    its nights' sleep (:func:`night_sleep`, column ``mode`` thigh+back or thigh-only)."""
    from walkback.pipeline import process_one
    from walkback.simulate.recording import simulate_recording, write_recording

    sim = simulate_recording(days=days, seed=seed, source=source, back_clock_offset_s=2.0,
                             back_clock_drift_ppm=15.0)
    d = write_recording(sim, work / f"sim{seed}")
    t0 = time.perf_counter()
    res = process_one(d / "thigh.cwa", d / "back.cwa", participant_id=f"sim{seed}", out_dir=work / f"out{seed}")
    took = time.perf_counter() - t0
    nights = [night_sleep(sim.truth_epochs, pd.read_parquet(work / f"out{seed}" / "epochs.parquet"),
                          sim.timezone).assign(seed=seed, mode="thigh+back")]
    if thigh_only:
        process_one(d / "thigh.cwa", None, participant_id=f"sim{seed}", out_dir=work / f"thigh{seed}")
        nights.append(night_sleep(sim.truth_epochs,
                                  pd.read_parquet(work / f"thigh{seed}" / "epochs.parquet"),
                                  sim.timezone).assign(seed=seed, mode="thigh-only"))
    got, want = res.daily.set_index("date"), sim.truth_daily.set_index("date")
    full = ~want["partial_day"]
    rows = []
    for c in COLUMNS:
        total_err = (got[c].sum() - want[c].sum()) / max(want[c].sum(), 1.0)
        day_err = ((got.loc[full, c] - want.loc[full, c]) / want.loc[full, c].clip(lower=1.0)).abs()
        rows.append({"seed": seed, "column": c, "truth_min_per_day": want[c].sum() / 60 / days
                     if c != "steps" else want[c].sum() / days,
                     "rel_error_total": total_err, "max_abs_rel_error_full_day": day_err.max(),
                     "process_s": took})
    return pd.DataFrame(rows), pd.concat(nights, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weeks", type=int, default=2)
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--source", default=None)
    ap.add_argument("--seed0", type=int, default=100)
    ap.add_argument("--thigh-only", action="store_true",
                    help="also process each recording without its back sensor")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        out = [validate_one(args.seed0 + k, args.days, args.source, Path(tmp), args.thigh_only)
               for k in range(args.weeks)]
    t = pd.concat([o[0] for o in out], ignore_index=True)
    nights = pd.concat([o[1] for o in out], ignore_index=True)
    pd.set_option("display.width", 200)
    print(t.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    s = t.groupby("column")[["rel_error_total", "max_abs_rel_error_full_day"]].agg(
        lambda v: np.max(np.abs(v)))
    print("\nworst over recordings:\n" + s.to_string(float_format=lambda v: f"{v:.4f}"))
    print("\nsleep per night (noon-to-noon local):\n"
          + nights.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for mode, g in nights.groupby("mode"):
        e = g["rel_error"].abs()
        print(f"\n{mode}: {len(g)} nights, |error| median {e.median():.1%}, max {e.max():.1%}, "
              f"within 5 %: {(e <= 0.05).sum()}/{len(g)}; mean error {g['error_min'].mean():+.1f} "
              f"min; sensitivity {g['sensitivity'].mean():.3f}, specificity "
              f"{g['specificity'].mean():.3f}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
