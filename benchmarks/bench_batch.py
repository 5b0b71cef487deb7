"""Batch throughput: participant-weeks per hour with 1 and 2 local workers, and the projection for a
cohort on a cluster.

Simulates ``--participants`` recordings of ``--days`` days (thigh + back, AX3 100 Hz, via
:mod:`walkback.simulate.recording`; cached in ``--cache``), then runs ``walkback.batch.run_batch``
with the real pipeline (:func:`walkback.pipeline.process_one`) twice from scratch: 1 worker, then 2.

Usage: ``python benchmarks/bench_batch.py [--participants 4] [--days 1] [--cache DIR] [--no-week]
[--cohort 33000] [--cores 100] [--no-append]``. Prints the figures and appends a row to
BENCHMARKS.md (machine, date, command).

Projection: core-seconds per participant-week x weeks / (cores x efficiency), efficiency = the
2-worker speed-up / 2 measured here (Dask adds < 1 % per task of this length). Two core-second
figures are stated: from the batch of short simulated recordings (1-worker wall time per
participant-week), and from one whole real-signal week (the high-walking week of
bench_participant.py, thigh + back, ~250 min/day of walking: the costly case): ``walkback
process-one`` in a child with ``WALKBACK_THREADS=1`` as in a batch worker, its CPU seconds (user +
system, from ``getrusage``). The projection quoted is the larger.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import append_row, machine, run_sampled

ROOT = Path(__file__).resolve().parents[1]






def make_inputs(cache: Path, n: int, days: float) -> Path:
    """Simulated recordings (cached by n/days) and their manifest; returns the manifest path."""
    from walkback.batch import Entry, write_manifest
    from walkback.simulate.recording import simulate_recording, write_recording

    entries = []
    for i in range(n):
        folder = cache / f"sim_d{days:g}_s{i}"
        if not (folder / "back.cwa").exists():
            sim = simulate_recording(days=days, seed=100 + i, start="2024-10-21 00:00",
                                     participant_id=f"b{i:03d}", back_clock_offset_s=2.0,
                                     back_clock_drift_ppm=5.0)
            write_recording(sim, folder)
            del sim
        entries.append(Entry(f"b{i:03d}", str(folder / "thigh.cwa"), str(folder / "back.cwa")))
    return write_manifest(entries, cache / f"manifest_n{n}_d{days:g}.csv")


def timed_run(manifest: Path, workers: int) -> tuple[float, int]:
    from walkback.batch import run_batch

    out = Path(tempfile.mkdtemp(prefix=f"bench_batch_w{workers}_"))
    try:
        t0 = time.perf_counter()
        s = run_batch(manifest, out, workers=workers, progress=False)
        return time.perf_counter() - t0, s.processed
    finally:
        shutil.rmtree(out, ignore_errors=True)


def peak_rss_gb(manifest: Path) -> float:
    """Peak resident memory (GiB) of one participant processed alone in a fresh interpreter,
    sampled every 10 ms (psutil). Not ``ru_maxrss``: Linux keeps the high-water mark across
    fork + exec, so a child of this benchmark (which has just processed participants itself)
    reported this process's peak, not its own (1.68 GB for a 1-day participant on 2026-12-08)."""
    import pandas as pd

    row = pd.read_csv(manifest).iloc[0]
    code = ("import sys, tempfile; from walkback.pipeline import process_one; "
            "process_one(sys.argv[1], sys.argv[2], participant_id='m', out_dir=tempfile.mkdtemp())")
    # as `walkback` commands run it (walkback.cli sets this before NumPy loads: without it
    # transparent huge pages inflate the resident set of a 1-day participant to ~1.6 GB)
    env = dict(os.environ, NUMPY_MADVISE_HUGEPAGE="0")
    _, peak, rc, err = run_sampled([sys.executable, "-c", code, row["thigh_path"], row["back_path"]],
                                   env=env)
    if rc:
        raise SystemExit(f"peak_rss_gb: process_one failed:\n{err[-2000:]}")
    return peak / 2**30


def week_core_seconds() -> tuple[float, float, str]:
    """CPU seconds (user + system) and wall seconds of one single-threaded ``process-one`` on the
    high-walking real-signal week (thigh + back), and where the week came from."""
    import resource
    import subprocess

    from bench_participant import make_inputs

    d, src = make_inputs("high-walking")
    exe = Path(sys.executable).with_name("walkback")
    out = Path(tempfile.mkdtemp(prefix="bench_batch_week_"))
    env = dict(os.environ, WALKBACK_THREADS="1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    try:
        subprocess.run([str(exe), "process-one", "--thigh", str(d / "thigh.cwa"), "--back",
                        str(d / "back.cwa"), "--id", "w", "--out", str(out / "o")], check=True, env=env,
                       stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, src


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=4)
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "walkback_bench")
    ap.add_argument("--cohort", type=int, default=33_000)
    ap.add_argument("--cores", type=int, default=100)
    ap.add_argument("--no-week", action="store_true",
                    help="skip the whole real-signal week (projection from the short recordings only)")
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    args.cache.mkdir(parents=True, exist_ok=True)

    t0 = time.perf_counter()
    manifest = make_inputs(args.cache, args.participants, args.days)
    print(f"inputs: {args.participants} x {args.days:g} d simulated in "
          f"{time.perf_counter() - t0:.0f} s ({manifest})")
    weeks = args.participants * args.days / 7
    rss = peak_rss_gb(manifest)
    print(f"peak memory of one {args.days:g}-day participant: {rss:.2f} GiB")
    load0 = os.getloadavg()[0]
    t1, ok1 = timed_run(manifest, 1)
    t2, ok2 = timed_run(manifest, 2)
    load1 = os.getloadavg()[0]
    if ok1 != args.participants or ok2 != args.participants:
        print(f"error: only {ok1}/{ok2} of {args.participants} participants processed",
              file=sys.stderr)
        return 1
    rate1, rate2 = weeks / (t1 / 3600), weeks / (t2 / 3600)
    speedup = t1 / t2
    core_s_per_week = t1 / weeks
    eff = min(1.0, speedup / 2)
    proj_h = args.cohort * core_s_per_week / (args.cores * eff) / 3600
    print(f"1 worker : {t1:7.1f} s  {rate1:6.1f} participant-weeks/h")
    print(f"2 workers: {t2:7.1f} s  {rate2:6.1f} participant-weeks/h  speed-up {speedup:.2f}")
    print(f"load average (1 min) before / after: {load0:.1f} / {load1:.1f} on {os.cpu_count()} cores")
    print(f"{core_s_per_week:.0f} core-s per participant-week; {args.cohort:,} participant-weeks "
          f"on {args.cores} cores at efficiency {eff:.2f}: {proj_h:.1f} h")
    week_line = ""
    if not args.no_week:
        cpu_w, wall_w, src = week_core_seconds()
        proj_w = args.cohort * cpu_w / (args.cores * eff) / 3600
        week_line = (f"Whole real-signal week (high-walking, {src}, thigh + back, one thread): "
                     f"{cpu_w:.1f} core-s ({wall_w:.1f} s wall); {args.cohort:,} such weeks on "
                     f"{args.cores} cores (efficiency {eff:.2f}): **{proj_w:.2f} h**. ")
        print(week_line)
        proj_h = max(proj_h, proj_w)
    print(f"projection quoted (the larger): {proj_h:.2f} h for {args.cohort:,} participant-weeks on "
          f"{args.cores} cores (goal: within 2 h)")
    if load1 > (os.cpu_count() or 1) * 0.75:
        print(f"note: 1-min load {load1:.1f} on {os.cpu_count()} cores: other jobs shared the cores, so "
              f"the 2-worker speed-up (and the efficiency) measures contention, not scaling")
    if not args.no_append:
        cmd = "python benchmarks/bench_batch.py " + " ".join(sys.argv[1:])
        append_row(
            f"\n## batch throughput ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}; "
            f"machine shared with other agents: timings noisy, the speed-up pessimistic)\n"
            f"`{cmd.strip()}` — {args.participants} simulated participants x {args.days:g} d "
            f"(thigh + back, AX3 100 Hz), real pipeline (process_one):\n\n"
            f"| workers | wall s | participant-weeks/h | speed-up |\n|---|---|---|---|\n"
            f"| 1 | {t1:.1f} | {rate1:.1f} | 1.00 |\n| 2 | {t2:.1f} | {rate2:.1f} | "
            f"{speedup:.2f} |\n\n"
            f"Projection from the short recordings: {core_s_per_week:.0f} core-s per participant-week; "
            f"{args.cohort:,} participant-weeks on {args.cores} cores (efficiency {eff:.2f}): "
            f"{args.cohort * core_s_per_week / (args.cores * eff) / 3600:.1f} h. {week_line}"
            f"Quoted: **{proj_h:.2f} h** wall time (goal 2 h). Peak memory of one {args.days:g}-day participant "
            f"(alone, fresh process, sampled every 10 ms): {rss:.2f} GiB. Load average (1 min) before / after the "
            f"runs: {load0:.1f} / {load1:.1f} on {os.cpu_count()} cores (other agents' jobs)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
