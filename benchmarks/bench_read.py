"""Read a 7-day, 100 Hz AX3 .cwa file: walkback (full and streaming) vs peers, time and memory.

Targets: walkback's full read at least 2x faster than the fastest peer measured in the same run;
streaming (``iter_read``) peak memory under 1 GB.

The file is written with ``walkback.io.write_cwa`` into a temporary directory: packed format,
range 8 g, a device clock running at 99.2 Hz (real AX3s run a few % off nominal), and a realistic
signal (night lying, sitting, standing, walking bouts with 1.6-2.0 Hz gait, sensor noise),
generated vectorised. Every reader runs in a fresh subprocess; wall time covers the read call only
(imports excluded) and peak memory is the subprocess's ``ru_maxrss``. Peers (scikit-digital-health
``ReadCwa``, actipy ``read_device`` with no resampling/calibration/filtering) run when a side
environment has them (``--peers-python``; see benchmarks/peers/README.md).

Usage: ``.venv/bin/python benchmarks/bench_read.py [--days 7] [--repeat 3]
[--peers-python /tmp/peers-venv/bin/python] [--file existing.cwa] [--no-append]``.
Prints the figures and appends rows to BENCHMARKS.md (machine, date, command).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import append_row, machine

ROOT = Path(__file__).resolve().parents[1]
PEERS_PY = Path("/tmp/peers-venv/bin/python")

_PRELUDE = "import json, resource, sys, time\n"
_EPILOGUE = (
    "print(json.dumps({'s': dt, 'n': int(n), "
    "'rss_gb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, "
    "'child_rss_gb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20}))\n"
)
READERS = {
    "walkback read": (
        "from walkback.io import read\n"
        "t = time.perf_counter(); r = read(sys.argv[1]); dt = time.perf_counter() - t\n"
        "n = r.n\n"
    ),
    "walkback iter_read (1 h chunks)": (
        "from walkback.io import iter_read\n"
        "t = time.perf_counter(); n = 0\n"
        "for c in iter_read(sys.argv[1], chunk_s=3600):\n"
        "    n += c.n\n"
        "dt = time.perf_counter() - t\n"
    ),
    "scikit-digital-health ReadCwa": (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from skdh.io import ReadCwa\n"
        "t = time.perf_counter(); r = ReadCwa().predict(file=sys.argv[1])\n"
        "dt = time.perf_counter() - t; n = r['accel'].shape[0]\n"
    ),
    "actipy read_device": (
        "import actipy\n"
        "t = time.perf_counter()\n"
        "d, info = actipy.read_device(sys.argv[1], lowpass_hz=None, calibrate_gravity=False,\n"
        "    detect_nonwear=False, resample_hz=None, verbose=False)\n"
        "dt = time.perf_counter() - t; n = len(d)\n"
    ),
}






def make_signal(n: int, rate_hz: float, seed: int = 0) -> np.ndarray:
    """A week-like thigh signal (float32, g): posture per minute, walking bouts, noise."""
    rng = np.random.default_rng(seed)
    per_min = int(60 * rate_hz)
    n_min = -(-n // per_min)
    minute_of_day = np.arange(n_min) % 1440
    night = (minute_of_day < 6 * 60) | (minute_of_day >= 23 * 60)
    state = np.where(night, 0, rng.choice([1, 2, 3], size=n_min, p=[0.6, 0.25, 0.15]))
    gravity = np.array([[0.0, 0.0, 1.0], [0.05, 0.1, 0.99], [0.99, 0.05, 0.1],
                        [0.97, 0.1, 0.15]], dtype=np.float32)  # lying, sitting, standing, walking
    cadence_hz = rng.uniform(1.6, 2.0, n_min).astype(np.float32)
    out = np.empty((n, 3), dtype=np.float32)
    step = 1 << 22
    for a in range(0, n, step):
        b = min(n, a + step)
        m = np.arange(a, b) // per_min
        out[a:b] = gravity[state[m]]
        walk = state[m] == 3
        phase = 2 * np.pi * cadence_hz[m] * (np.arange(a, b, dtype=np.float32) / rate_hz)
        swing = np.sin(phase) * walk
        out[a:b, 0] += 0.45 * swing
        out[a:b, 2] += 0.3 * np.sin(phase + 1.1) * walk
        out[a:b] += rng.normal(0, 0.01, (b - a, 3)).astype(np.float32)
    return out


def write_file(path: Path, days: float, device_rate_hz: float = 99.2) -> float:
    from walkback.io import write_cwa

    n = int(days * 86400 * device_rate_hz)
    t0 = time.perf_counter()
    acc = make_signal(n, device_rate_hz)
    start = int(np.datetime64("2024-03-26T08:00:00", "ns").astype(np.int64))
    times = start + np.rint(np.arange(n) * (1e9 / device_rate_hz)).astype(np.int64)
    write_cwa(path, acc, time_ns=times, rate_hz=100.0, packed=True, range_g=8)
    return time.perf_counter() - t0


def run(python: Path, code: str, path: Path) -> dict:
    """Run one reader in a fresh interpreter. The parent must stay small: Linux keeps the peak
    RSS (ru_maxrss) across fork + exec, so a large parent would inflate the child's figure."""
    proc = subprocess.run([str(python), "-c", _PRELUDE + code + _EPILOGUE, str(path)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(path: Path, repeat: int, peers_python: Path | None) -> dict[str, dict]:
    results = {}
    for name, code in READERS.items():
        python = Path(sys.executable) if name.startswith("walkback") else peers_python
        if python is None or not python.exists():
            results[name] = {"error": "peer environment not installed"}
            continue
        runs = [run(python, code, path) for _ in range(repeat)]
        good = [r for r in runs if "error" not in r]
        if not good:
            results[name] = runs[0]
            continue
        results[name] = {"s": statistics.median(r["s"] for r in good),
                         "best_s": min(r["s"] for r in good),
                         "rss_gb": max(max(r["rss_gb"], r["child_rss_gb"]) for r in good),
                         "n": good[0]["n"], "runs": len(good)}
        print(f"  {name}: {results[name]}", flush=True)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=7.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peers-python", type=Path, default=PEERS_PY)
    ap.add_argument("--file", type=Path, default=None, help="use this .cwa instead of writing one")
    ap.add_argument("--no-append", action="store_true", help="print only")
    ap.add_argument("--write-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write_only:  # runs in a subprocess so the parent stays small (see run())
        secs = write_file(args.write_only, args.days)
        print(f"wrote {args.write_only.stat().st_size / 1e6:.0f} MB ({args.days:g} days) "
              f"in {secs:.1f} s")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "week.cwa"
        if args.file is None:
            subprocess.run([sys.executable, __file__, "--days", str(args.days),
                            "--write-only", str(path)], check=True)
        res = measure(path, args.repeat, args.peers_python)
        size_mb = path.stat().st_size / 1e6
    report(res, args, size_mb)
    return 0


def report(res: dict[str, dict], args, size_mb: float) -> None:
    ours = res["walkback read"]
    stream = res["walkback iter_read (1 h chunks)"]
    peers = {k: v for k, v in res.items() if not k.startswith("walkback") and "s" in v}
    fastest = min(peers.items(), key=lambda kv: kv[1]["s"]) if peers else None
    lines = []
    for name, r in res.items():
        if "s" in r:
            lines.append(f"{name}: {r['s']:.2f} s median of {r['runs']} (best {r['best_s']:.2f}), "
                         f"peak {r['rss_gb']:.2f} GB, {r['n']:,} samples")
        else:
            lines.append(f"{name}: not measured ({r.get('error')})")
    verdict = []
    if fastest and "s" in ours:
        speedup = fastest[1]["s"] / ours["s"]
        verdict.append(f"speed-up vs fastest peer ({fastest[0]}): {speedup:.2f}x (target >= 2)")
    if "rss_gb" in stream:
        verdict.append(f"streaming peak {stream['rss_gb']:.2f} GB (target < 1 GB)")
    print("\n".join(lines + verdict))
    if args.no_append:
        return
    cmd = "python benchmarks/bench_read.py " + " ".join(sys.argv[1:])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    append_row(f"\n## Device read, {args.days:g}-day 100 Hz AX3 .cwa ({size_mb:.0f} MB) — {stamp}\n"
               f"Machine: {machine()}; 1-min load average {os.getloadavg()[0]:.1f} at the end "
               f"(compare readers within the run). Command: `{cmd}`\n")
    for line in lines + verdict:
        append_row(f"- {line}")


if __name__ == "__main__":
    sys.exit(main())
