"""Validation of the one-participant pipeline on simulated weeks with known truth.

``python -m walkback.simulate._recording_validate --weeks 2 [--source DIR] [--days 7]`` simulates
recordings (:func:`walkback.simulate.recording.simulate_recording`), writes them as .cwa files,
runs :func:`walkback.pipeline.process_one` and prints, per recording and class, the relative error
of the processed totals against the truth (whole recording, and per full calendar day).
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
           "standing_s", "running_s", "steps")


def validate_one(seed: int, days: float, source: str | Path | None, work: Path) -> pd.DataFrame:
    """Relative errors (processed vs truth) for one simulated recording, one row per column."""
    from walkback.pipeline import process_one
    from walkback.simulate.recording import simulate_recording, write_recording

    sim = simulate_recording(days=days, seed=seed, source=source, back_clock_offset_s=2.0,
                             back_clock_drift_ppm=15.0)
    d = write_recording(sim, work / f"sim{seed}")
    t0 = time.perf_counter()
    res = process_one(d / "thigh.cwa", d / "back.cwa", participant_id=f"sim{seed}", out_dir=work / f"out{seed}")
    took = time.perf_counter() - t0
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
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weeks", type=int, default=2)
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--source", default=None)
    ap.add_argument("--seed0", type=int, default=100)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tables = [validate_one(args.seed0 + k, args.days, args.source, Path(tmp)) for k in range(args.weeks)]
    t = pd.concat(tables, ignore_index=True)
    pd.set_option("display.width", 200)
    print(t.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    s = t.groupby("column")[["rel_error_total", "max_abs_rel_error_full_day"]].agg(
        lambda v: np.max(np.abs(v)))
    print("\nworst over recordings:\n" + s.to_string(float_format=lambda v: f"{v:.4f}"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
