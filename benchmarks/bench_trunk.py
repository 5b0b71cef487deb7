"""Benchmark: the trunk inclination step alone (walkback.walking.measure_trunk) on a week.

Inputs: a simulated week (:func:`walkback.simulate.recording.simulate_recording`, seed 7, the
participant benchmark's recording) prepared in memory (``walkback.signal.prepare`` on the 50 Hz
canonical signals) and classified with the shipped model; then ``measure_trunk`` is timed
``--repeat`` times (after one warm-up call that loads the compiled kernels) and the daily trunk
exposures once. The participant-week benchmark (bench_participant.py) reports the step's share of
a whole run in its stage times (``trunk``).

Run: ``.venv/bin/python benchmarks/bench_trunk.py [--days 7] [--repeat 5]``. Prints the figures and
appends them to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

import numpy as np

from _common import PeakRSS, append_row, machine


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-append", action="store_true", help="print only; do not append")
    args = ap.parse_args()

    from walkback import activity, signal
    from walkback.io.types import Recording, RecordingInfo
    from walkback.simulate.recording import THIGH_DEVICE_SIGN, simulate_recording
    from walkback.walking import daily_table, measure_prepared, measure_trunk

    sim = simulate_recording(days=args.days, seed=7)
    start_ns, fs = sim.start_ns, sim.fs_hz

    def rec(g: np.ndarray, name: str) -> Recording:
        t = start_ns + np.round(np.arange(g.shape[0]) * 1e9 / fs).astype(np.int64)
        return Recording(t, np.ascontiguousarray(g, np.float32),
                         RecordingInfo(path=name, format="simulated", nominal_rate_hz=fs))

    p = signal.prepare(rec(sim.thigh_g * THIGH_DEVICE_SIGN, "thigh"), rec(sim.back_g, "back"))
    del sim
    ep = activity.classify(p, activity.load_default_model())
    measure_trunk(p, ep)  # warm-up: compiled kernels from the cache
    times = []
    with PeakRSS() as mem:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            tr = measure_trunk(p, ep)
            times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    measured = measure_prepared(p, ep, None, tr)
    daily_table(measured, p.days, "bench", thigh_only=False, trunk=tr)
    t_daily = time.perf_counter() - t0
    t0 = time.perf_counter()
    measured = measure_prepared(p, ep, None, None)
    daily_table(measured, p.days, "bench", thigh_only=False)
    t_plain = time.perf_counter() - t0
    ref = tr.reference
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    row = (f"| trunk inclination, {args.days:g}-day 50 Hz back signal ({p.n:,} samples -> "
           f"{len(tr.incl_deg):,} blocks of 0.2 s) | measure_trunk {statistics.median(times):.3f} s "
           f"median of {len(times)} (best {min(times):.3f} s); walking measures + daily table "
           f"with trunk {t_daily:.3f} s vs {t_plain:.3f} s without | peak RSS +"
           f"{(mem.peak - mem.start) / 2**20:.0f} MB during measure_trunk | reference found "
           f"{ref.found} ({ref.forward_evidence}, {ref.walking_s:.0f} s walking) | vm "
           f"{machine()}, 1-min load {os.getloadavg()[0]:.1f} (shared machine) | {now} | "
           f"`.venv/bin/python benchmarks/bench_trunk.py --days {args.days:g} "
           f"--repeat {args.repeat}` |")
    print(row)
    if not args.no_append:
        append_row(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
