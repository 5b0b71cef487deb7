"""Benchmark: ``walkback.signal.prepare`` on two 7-day 100 Hz sensors (thigh + lower back).

Inputs are built from REAL movement: random 4-40 s pieces of the HARTH S006 and HAR70+ 501 samples
(both sensors cut at the same points, so they stay correlated), one day stitched and tiled to 7
days, re-sampled at irregular ~99.7 Hz (thigh) and ~100.4 Hz (back) true times; the back clock has a
4.2 s offset and 35 ppm drift. Those Recordings are built in memory, so that run excludes reading
and its peak includes the 2.3 GB of inputs.

The run that counts for memory comes first: the same two-sensor week as .cwa files (the participant
benchmark's simulated week), streamed through ``walkback.io.open_stream`` into ``prepare``, decoding
included, so the raw samples are never all in memory.

Prints time and peak RSS (sampled every 20 ms) and appends a row to BENCHMARKS.md. Target: < 6 s
and < 1.5 GB peak. Run: ``.venv/bin/python benchmarks/bench_prepare.py [--days 7]``.
"""

from __future__ import annotations

import os

# as the walkback command line does (walkback/cli.py): no NumPy huge-page advice, which made first
# touches of large arrays ~5x slower on this VM; set before NumPy is imported
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

import argparse
import datetime as dt
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from _common import PeakRSS, append_row

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "harth-samples"
FS_IN = 50.0
T0 = int(pd.Timestamp("2025-03-26 09:00", tz="Europe/Oslo").tz_convert("UTC").value)




def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    d = pd.read_csv(SHARED / name)
    step = 2 if "harth_" in name else 1  # 100 Hz file -> 50 Hz
    th = d[["thigh_x", "thigh_y", "thigh_z"]].to_numpy(np.float32)[::step]
    bk = d[["back_x", "back_y", "back_z"]].to_numpy(np.float32)[::step]
    return th, bk


def one_day(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """24 h of 50 Hz thigh + back from random pieces of real recordings."""
    pairs = [_load("harth_S006_sample.csv"), _load("har70plus_501_sample.csv")]
    th = np.concatenate([p[0] for p in pairs])
    bk = np.concatenate([p[1] for p in pairs])
    rng = np.random.default_rng(seed)
    n = int(86400 * FS_IN)
    lens = (rng.uniform(4, 40, n // 200) * FS_IN).astype(int)
    lens = lens[: np.searchsorted(np.cumsum(lens), n) + 1]
    starts = rng.integers(0, th.shape[0] - 2000, lens.size)
    idx = np.concatenate([np.arange(s, s + L) for s, L in zip(starts, lens, strict=True)])[:n]
    return th[idx], bk[idx]


def recording(x50: np.ndarray, days: int, rate_hz: float, offset_s: float, drift_ppm: float,
              seed: int, path: str):
    """A ``Recording`` at irregular ~rate_hz of ``x50`` (one day at 50 Hz) tiled ``days`` times."""
    from walkback.io.types import Channel, Recording, RecordingInfo

    rng = np.random.default_rng(seed)
    n = int(days * 86400 * rate_hz)
    t_s = np.arange(n, dtype=np.float64) / rate_hz
    t_s += rng.normal(0, 0.0005, n)
    src = (t_s * FS_IN) % x50.shape[0]
    i0 = np.floor(src).astype(np.int64)
    f = (src - i0).astype(np.float32)[:, None]
    i1 = (i0 + 1) % x50.shape[0]
    acc = np.empty((n, 3), np.float32)
    for a in range(0, n, 1 << 22):
        b = min(n, a + (1 << 22))
        acc[a:b] = x50[i0[a:b]] * (1 - f[a:b]) + x50[i1[a:b]] * f[a:b]
    del i0, i1, f, src
    t_ns = T0 + np.round((t_s + offset_s + drift_ppm * 1e-6 * t_s) * 1e9).astype(np.int64)
    del t_s
    tt = t_ns[:: int(rate_hz * 60)].copy()  # temperature once a minute, warm
    temp = Channel(tt, np.full(tt.shape[0], 32.0, np.float32), "degC")
    info = RecordingInfo(path=path, format="synthetic", nominal_rate_hz=100.0)
    return Recording(t_ns, acc, info, temperature=temp)




def from_files(days: int) -> tuple[float, float, float, str]:
    """prepare() on two .cwa files streamed with walkback.io.open_stream (decoding included):
    (wall s, CPU s, peak RSS GB, sync summary). The files are the participant benchmark's
    simulated week (bench_participant.make_inputs), written once and cached."""
    from bench_participant import make_inputs
    from walkback import io
    from walkback.signal import prepare

    d, _ = make_inputs("typical", float(days))
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        p = prepare(io.open_stream(d / "thigh.cwa"), io.open_stream(d / "back.cwa"))
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    s = p.qc["sync"]
    return secs, cpu, mem.peak / 2**30, f"drift {s['drift_ppm']:.2f} ppm (true 15)"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    from walkback.signal import prepare

    f_secs, f_cpu, f_peak, f_sync = from_files(args.days)
    print(f"from two {args.days}-day AX3 .cwa files, streamed (decoding included): {f_secs:.2f} s "
          f"wall, {f_cpu:.2f} s CPU, peak RSS {f_peak:.2f} GB; sync {f_sync}")

    th50, bk50 = one_day()
    thigh = recording(th50 * np.array([1, -1, -1], np.float32), args.days, 99.7, 0.0, 0.0, 1,
                      "thigh(synthetic)")
    back = recording(bk50 * np.array([-1, -1, 1], np.float32), args.days, 100.4, 4.2, 35.0, 2,
                     "back(synthetic)")
    in_mb = sum(r.time_ns.nbytes + r.accel_g.nbytes for r in (thigh, back)) / 2**20
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        c0 = time.process_time()
        p = prepare(thigh, back)
        secs = time.perf_counter() - t0
        cpu = time.process_time() - c0
    peak_gb = mem.peak / 2**30
    s = p.qc["sync"]
    print(f"from in-memory Recordings ({thigh.n:,} + {back.n:,} samples, {in_mb:.0f} MB): "
          f"{secs:.2f} s wall, {cpu:.2f} s CPU, peak RSS {peak_gb:.2f} GB (inputs included); "
          f"sync drift {s['drift_ppm']:.2f} ppm (true 35), quality {s['quality']:.2f}; "
          f"days: {len(p.days)}")
    load = os.getloadavg()[0]
    host = f"{platform.node()} {psutil.cpu_count()} cores, 1-min load {load:.1f}"
    if not args.no_append:
        append_row(
            f"| signal prepare, two {args.days}-day ~100 Hz sensors -> 50 Hz (resample, calibrate, "
            f"orientation, non-wear, sync, days) | from .cwa files (streamed, decoding included): "
            f"{f_secs:.2f} s wall ({f_cpu:.1f} s CPU), peak {f_peak:.2f} GB; from in-memory "
            f"Recordings: {secs:.2f} s wall ({cpu:.1f} s CPU), peak {peak_gb:.2f} GB incl. "
            f"{in_mb:.0f} MB inputs | target < 6 s, < 1.5 GB | {host} | "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC | "
            f"`.venv/bin/python benchmarks/bench_prepare.py --days {args.days}` |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
