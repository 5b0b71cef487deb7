"""Benchmark: one participant-week (two 7-day 100 Hz AX3 .cwa files) -> daily table.

Inputs: a simulated week (:func:`walkback.simulate.recording.simulate_recording`, real SELFBACK
thigh snippets, synthesised back, back clock 2 s offset and 15 ppm drift) written as two AX3 files
(thigh.cwa, back.cwa, 100 Hz, ~250 MB each) and cached in the temp folder. The timed run is
``walkback process-one`` (the command users run: stream, prepare, classify, walking measures,
atomic write) in a child process; its peak RSS is sampled every 20 ms. Target: < 15 s and < 1.5 GB peak
(acti-motus: 36.8 s and 6.6 GB for the thigh classification alone, docs: peers.md).

Run: ``.venv/bin/python benchmarks/bench_participant.py [--days 7] [--repeat 1]``. Prints the
figures and appends them to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psutil

from _common import append_row, machine

ROOT = Path(__file__).resolve().parents[1]






def make_inputs(days: float) -> Path:
    from walkback.simulate.recording import simulate_recording, write_recording

    d = Path(tempfile.gettempdir()) / f"walkback-bench-participant-{days:g}d"
    if not (d / "back.cwa").exists():
        sim = simulate_recording(days=days, seed=7, back_clock_offset_s=2.0, back_clock_drift_ppm=15.0)
        write_recording(sim, d)
    return d


def timed_child(d: Path, out: Path) -> tuple[float, float, str]:
    """``walkback process-one`` on the two files in a child process (what users run): wall time,
    peak RSS (GB, sampled every 20 ms) and the stage times from its qc.json."""
    exe = Path(sys.executable).with_name("walkback")
    cmd = [str(exe), "process-one", "--thigh", str(d / "thigh.cwa"), "--back", str(d / "back.cwa"),
           "--id", "bench", "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.02)
    took = time.perf_counter() - t0
    _, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"process-one failed:\n{stderr}")
    timing = json.loads((out / "qc.json").read_text())["timing_s"]
    return took, peak / 2**30, json.dumps({k: round(v, 2) for k, v in timing.items()})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-append", action="store_true", help="print only; do not append to BENCHMARKS.md")
    args = ap.parse_args()
    d = make_inputs(args.days)
    size = sum((d / f).stat().st_size for f in ("thigh.cwa", "back.cwa")) / 2**20
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            runs.append(timed_child(d, Path(tmp) / f"out{k}"))
        daily = pd.read_csv(Path(tmp) / "out0" / "daily.csv")
    truth = pd.read_csv(d / "truth_daily.csv")
    best = min(runs, key=lambda r: r[0])
    walk = daily.walking_s.sum() / 60 / args.days
    walk_t = truth.walking_s.sum() / 60 / args.days
    lines = [
        f"- process_one, thigh + back ({size:.0f} MB of .cwa): {best[0]:.1f} s (best of {len(runs)}), "
        f"peak {max(r[1] for r in runs):.2f} GB; stage times {best[2]}",
        "- targets: < 15 s and < 1.5 GB (acti-motus thigh-only classification: 36.8 s, 6.6 GB)",
        f"- walking {walk:.1f} min/day processed vs {walk_t:.1f} true; steps {int(daily.steps.sum())} vs "
        f"{int(truth.steps.sum())} (truth counted on the clean stitched signal)",
    ]
    print("\n".join(lines))
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.no_append:
        return 0
    load = os.getloadavg()[0]
    append_row(f"\n## One participant-week -> daily table ({args.days:g} days, two AX3 100 Hz files) — {now}\n"
               f"Machine: {machine()}; 1-min load average {load:.1f} when it finished. Command: "
               f"`python benchmarks/bench_participant.py --days {args.days:g} "
               f"--repeat {args.repeat}`\n" + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
