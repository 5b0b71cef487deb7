"""Benchmark: activity features + prediction for a 7-day, 50 Hz, two-sensor Prepared signal.

The week is built from real snippets tiled: the thigh from SELFBACK subjects 026 and 041 (all nine
activities, prepared like any recording), the back from the HAR70+ sample. Times ``classify`` with
the shipped thigh model (thigh features + trunk rule from the back; default settings), and, for
comparison, the full two-sensor feature matrix (what a thigh+back model computes).

Run: ``.venv/bin/python benchmarks/bench_activity.py`` (needs ../shared/data). Prints the figures and
appends a row to BENCHMARKS.md (machine, date, command, CPU time and load, since the machine is
shared). Target: < 5 s and < 1 GB peak. The peak is split into what the process held before
``classify`` (the week's signals and masks, the interpreter and the libraries the signal stage and
the loaders imported) and what ``classify`` adds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from _common import PeakRSS, append_row

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FS = 50.0
N = int(7 * 86400 * FS)


def tile(a: np.ndarray, n: int) -> np.ndarray:
    a = a[np.isfinite(a).all(axis=1)]
    reps = -(-n // len(a))
    return np.tile(a, (reps, 1))[:n].astype(np.float32)


def build_week():
    from walkback.activity import datasets
    from walkback.signal.types import Prepared

    segs = datasets.load_selfback(SHARED / "selfback-thigh", subjects=["026", "041"])
    thigh = tile(np.concatenate([s.thigh_g for s in segs]), N)
    har = next(s for s in datasets.load_harth(SHARED / "harth-samples") if "har70" in s.subject)
    back = tile(har.back_g, N)
    ones = np.ones(N, dtype=bool)
    return Prepared(fs_hz=FS, start_ns=1_700_000_000_000_000_000, thigh_g=thigh,
                    thigh_wear=ones, timezone="Europe/Oslo", days=pd.DataFrame(), back_g=back,
                    back_wear=ones.copy())


def _warm(prep, model) -> None:
    """Classify the first 1,000 s once, so compiled kernels and thread pools exist before timing."""
    from walkback.activity import classify

    k = 50_000
    cut = {name: getattr(prep, name)[:k] for name in ("thigh_g", "thigh_wear", "back_g",
                                                      "back_wear")}
    classify(prep.__class__(**{**prep.__dict__, **cut}), model)


def stage_alone(folder: str) -> int:
    """Child process: a classify stage alone. Loads the week saved by the parent (.npy), builds the
    Prepared exactly as the parent did, classifies, and prints JSON with its RSS figures (MB) and the
    kernel's own peak (``VmHWM``), so nothing the parent's loaders left behind is counted."""
    import psutil

    from walkback.activity import classify, load_default_model
    from walkback.signal.types import Prepared

    proc = psutil.Process()

    def hwm() -> int:
        # VmHWM belongs to this process image; ru_maxrss would carry the forking parent's peak
        # across exec (Linux keeps it), which is why it is not used here.
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")

    rss = {"imports": proc.memory_info().rss}
    thigh = np.load(Path(folder) / "thigh_g.npy")
    back = np.load(Path(folder) / "back_g.npy")
    ones = np.ones(len(thigh), dtype=bool)
    prep = Prepared(fs_hz=FS, start_ns=1_700_000_000_000_000_000, thigh_g=thigh,
                    thigh_wear=ones, timezone="Europe/Oslo", days=pd.DataFrame(), back_g=back,
                    back_wear=ones.copy())
    rss["loaded"] = proc.memory_info().rss
    model = load_default_model()
    _warm(prep, model)
    rss["warm"] = proc.memory_info().rss
    t0 = time.perf_counter()
    classify(prep, model)
    secs = time.perf_counter() - t0
    peak = hwm()
    print(json.dumps({"secs": secs, "peak": peak / 2**20,
                      **{k: v / 2**20 for k, v in rss.items()}}))
    return 0


def run_stage_alone(prep) -> dict:
    """Save the week's two signals and run :func:`stage_alone` in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as d:
        np.save(Path(d) / "thigh_g.npy", prep.thigh_g)
        np.save(Path(d) / "back_g.npy", prep.back_g)
        out = subprocess.run([sys.executable, __file__, "--stage-alone", d], check=True,
                             capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    from walkback.activity import classify, load_default_model
    from walkback.activity.features import compute_features, window_starts

    prep = build_week()
    model = load_default_model()
    _warm(prep, model)
    input_mb = (prep.thigh_g.nbytes + prep.back_g.nbytes) / 2**20
    mask_mb = sum({id(m): m.nbytes for m in (prep.thigh_wear, prep.back_wear)}.values()) / 2**20
    load0 = os.getloadavg()[0]
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        ep = classify(prep, model)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    starts = window_starts(N, 250, 250)
    t2, c2 = time.perf_counter(), time.process_time()
    Xt = compute_features(prep.thigh_g, starts, 250, FS, names=list(model.feature_names))
    secs_feat, cpu_feat = time.perf_counter() - t2, time.process_time() - c2
    t3, c3 = time.perf_counter(), time.process_time()
    model.predict_proba(Xt)
    secs_pred, cpu_pred = time.perf_counter() - t3, time.process_time() - c3
    del Xt
    with PeakRSS() as mem2:
        t1 = time.perf_counter()
        X = compute_features(prep.thigh_g, starts, 250, FS, back_g=prep.back_g)
        secs2 = time.perf_counter() - t1
    del X
    alone = run_stage_alone(prep)
    peak_gb = mem.peak / 2**30
    base_mb = mem.start / 2**20
    extra_mb = (mem.peak - mem.start) / 2**20
    other_mb = base_mb - input_mb - mask_mb
    load = max(load0, os.getloadavg()[0])
    print(f"7-day 50 Hz thigh+back Prepared: {N:,} samples/sensor, {len(ep):,} windows, "
          f"input signals {input_mb:.0f} MB + masks {mask_mb:.0f} MB")
    print(f"classify (thigh model + trunk rule): {secs:.2f} s wall, {cpu:.2f} s CPU, "
          f"peak RSS {peak_gb:.2f} GB")
    print(f"  RSS before classify {base_mb:.0f} MB (signals {input_mb:.0f}, masks {mask_mb:.0f}, "
          f"interpreter, libraries and the rest {other_mb:.0f}); classify adds {extra_mb:.0f} MB")
    print(f"  thigh features alone {secs_feat:.2f} s ({cpu_feat:.2f} s CPU), activity-booster "
          f"prediction alone {secs_pred:.2f} s ({cpu_pred:.2f} s CPU)")
    print(f"full two-sensor features (110 columns): {secs2:.2f} s, "
          f"+{(mem2.peak - mem2.start) / 2**20:.0f} MB")
    print(f"classify stage alone (fresh process, week loaded from .npy): {alone['secs']:.2f} s, "
          f"peak RSS {alone['peak']:.0f} MB (kernel VmHWM); RSS after imports "
          f"{alone['imports']:.0f} MB, with the week {alone['loaded']:.0f} MB, after warm-up "
          f"{alone['warm']:.0f} MB")
    host = f"{platform.node()} {psutil.cpu_count()} cores, 1-min load up to {load:.1f}"
    append_row(
        f"| activity classify, 7-day 50 Hz thigh+back (shipped thigh model + trunk rule) | "
        f"{secs:.2f} s wall, {cpu:.2f} s CPU (thigh features {secs_feat:.2f} s, "
        f"activity prediction {secs_pred:.2f} s) | "
        f"peak RSS {peak_gb:.2f} GB: {base_mb:.0f} MB before classify ({input_mb:.0f} MB "
        f"signals, {mask_mb:.0f} MB masks, {other_mb:.0f} MB interpreter + libraries + rest) "
        f"+{extra_mb:.0f} MB classify | "
        f"stage alone (fresh process, week from .npy): {alone['secs']:.2f} s, peak "
        f"{alone['peak'] / 1024:.2f} GB ({alone['warm']:.0f} MB held before classify) | "
        f"all 110 two-sensor features: {secs2:.2f} s | {host} (machine shared with other agents) | "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC | "
        f"`.venv/bin/python benchmarks/bench_activity.py` |"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--stage-alone":
        sys.exit(stage_alone(sys.argv[2]))
    sys.exit(main())
