"""Benchmark: one participant-week (two 7-day 100 Hz AX3 .cwa files) -> daily table, on two weeks.

Inputs (written as AX3 files, thigh.cwa + back.cwa, 100 Hz, ~250 MB each, cached in the temp folder):

- ``typical``: :func:`walkback.simulate.recording.simulate_recording` defaults (real SELFBACK thigh
  snippets shipped with walkback, synthesised back, back clock 2 s offset and 15 ppm drift):
  ~95 min/day of walking in 5-min bouts.
- ``high-walking``: a real-signal week with ~250 min/day of walking in many short runs: the same
  simulator with ``walking_share=0.65, intermittent=0.7`` (errands of 8-40 s walks between 3-20 s
  stands), stitched from the whole real SELFBACK thigh recordings of ``../shared/data/selfback-thigh``
  (26 people; the shipped snippets when that folder is absent, said in the output). After
  classification that is ~25,000 locomotion epochs in ~1,600 runs: the case where a per-run walking
  stage is slow. Why not a real recording repeated: no week-long thigh recording is shared, and a
  few minutes repeated 2,000 times has a seam every few minutes and one person's one gait; the
  stitched week has every walking sample real, 26 people's gait, and a known truth.

Timed: ``walkback process-one`` (what users run: stream, prepare, classify, walking, atomic write)
in a child process, thigh + back and thigh-only; wall time, peak RSS (sampled every 20 ms) and the
stage split from qc.json (``timing_s``). acti-motus (when installed in a side venv, see
benchmarks/peers/README.md): its thigh classification of the same thigh file in the same run
(samples decoded once by walkback's reader, not timed; see benchmarks/peers/actimotus_thigh.py),
and the ratio acti-motus thigh-only time / walkback wall time. Targets (issue 14): high-walking
week thigh + back >= 5x faster than acti-motus thigh-only, thigh-only >= 6x, walking stage <= 1 s,
peak RSS <= 1.0 GB.

Run: ``.venv/bin/python benchmarks/bench_participant.py [--weeks typical high-walking]
[--repeat 1] [--actimotus-python /tmp/actimotus-venv/bin/python] [--no-append]``. Prints the
figures and appends them to BENCHMARKS.md (machine, date, command). The machine is shared with
other agents: timings are noisy (+-1 s run to run is common), run it once or twice.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import append_section, run_sampled

ROOT = Path(__file__).resolve().parents[1]
SELFBACK = ROOT.parent / "shared" / "data" / "selfback-thigh"
AM_PYTHON = Path("/tmp/actimotus-venv/bin/python")
WEEKS = ("typical", "high-walking")


def make_inputs(week: str, days: float = 7.0) -> tuple[Path, str]:
    """The week's folder (simulated once, cached) and a description of its source."""
    from walkback.simulate.recording import simulate_recording, write_recording

    if week == "typical":
        d = Path(tempfile.gettempdir()) / f"walkback-bench-participant-{days:g}d"
        kw: dict = {}
        src = "shipped SELFBACK snippets"
    else:
        real = SELFBACK.is_dir()
        d = Path(tempfile.gettempdir()) / f"walkback-bench-participant-hw-{days:g}d{'' if real else '-snippets'}"
        kw = {"walking_share": 0.65, "intermittent": 0.7, "source": SELFBACK if real else None}
        src = "whole SELFBACK thigh recordings" if real else "shipped SELFBACK snippets (no ../shared/data)"
    if not (d / "back.cwa").exists():
        sim = simulate_recording(days=days, seed=7, back_clock_offset_s=2.0, back_clock_drift_ppm=15.0, **kw)
        write_recording(sim, d)
    return d, src


def timed_child(d: Path, out: Path, back: bool) -> dict:
    """``walkback process-one`` in a child process: wall s, peak RSS GB, qc.json stage times."""
    exe = Path(sys.executable).with_name("walkback")
    cmd = [str(exe), "process-one", "--thigh", str(d / "thigh.cwa"), "--id", "bench", "--out", str(out)]
    if back:
        cmd += ["--back", str(d / "back.cwa")]
    took, peak, rc, stderr = run_sampled(cmd, every_s=0.02)
    if rc != 0:
        raise SystemExit(f"process-one failed:\n{stderr[-4000:]}")
    timing = json.loads((out / "qc.json").read_text())["timing_s"]
    return {"wall_s": took, "peak_gb": peak / 2**30, "timing": {k: round(v, 2) for k, v in timing.items()}}


def actimotus(d: Path, am_python: Path) -> dict | None:
    """acti-motus's thigh classification of ``d/thigh.cwa`` in the side venv, or None."""
    if not am_python.exists():
        return None
    from walkback import io

    npz = d / "thigh_decoded.npz"
    if not npz.exists():
        rec = io.read(d / "thigh.cwa")
        with open(npz.with_suffix(".tmp"), "wb") as fh:
            import numpy as np

            np.savez(fh, time_ns=rec.time_ns, accel_g=rec.accel_g)
        npz.with_suffix(".tmp").rename(npz)
        del rec
    script = Path(__file__).with_name("peers") / "actimotus_thigh.py"
    t0 = time.perf_counter()
    res = subprocess.run([str(am_python), str(script), str(npz)], capture_output=True, text=True)
    if res.returncode != 0:
        print(f"acti-motus failed (not measured):\n{res.stderr[-2000:]}", file=sys.stderr)
        return None
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - t0
    return out


def bench_week(week: str, repeat: int, am_python: Path) -> list[str]:
    import pandas as pd

    d, src = make_inputs(week)
    truth = pd.read_csv(d / "truth_daily.csv")
    days = truth.shape[0]
    lines = [f"- **{week} week** ({src}; true walking {truth.walking_s.sum() / 60 / 7:.0f} min per 24 h, "
             f"{int(truth.steps.sum()):,} true steps over {days} calendar days)"]
    best = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode, back in (("thigh + back", True), ("thigh-only", False)):
            runs = [timed_child(d, Path(tmp) / f"{mode[:5]}{k}", back) for k in range(repeat)]
            b = min(runs, key=lambda r: r["wall_s"])
            best[mode] = b
            daily = pd.read_csv(Path(tmp) / f"{mode[:5]}0" / "daily.csv")
            lines.append(f"  - process-one {mode}: {b['wall_s']:.1f} s wall (best of {len(runs)}), peak "
                         f"{max(r['peak_gb'] for r in runs):.2f} GB; stages {json.dumps(b['timing'])}; "
                         f"walking {daily.walking_s.sum() / 60 / 7:.0f} min per 24 h, "
                         f"{int(daily.steps.sum()):,} steps")
    am = actimotus(d, am_python)
    if am is None:
        lines.append(f"  - acti-motus: not measured (no side venv at {am_python}; see benchmarks/peers/README.md)")
    else:
        tb, to = best["thigh + back"]["wall_s"], best["thigh-only"]["wall_s"]
        lines.append(f"  - acti-motus {am['version']} thigh-only classification (Features + Activities, "
                     f"{am['samples']:,} samples): {am['total_s']:.1f} s (features {am['features_s']:.1f}, "
                     f"activities {am['activities_s']:.1f}), peak {am['peak_rss_gb']:.2f} GB")
        lines.append(f"  - ratio acti-motus thigh-only / walkback: thigh + back **{am['total_s'] / tb:.1f}x** "
                     f"(target >= 5), thigh-only **{am['total_s'] / to:.1f}x** (target >= 6)")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", nargs="+", choices=WEEKS, default=list(WEEKS))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--actimotus-python", type=Path, default=AM_PYTHON,
                    help="python of a side venv with acti-motus (default /tmp/actimotus-venv/bin/python)")
    ap.add_argument("--no-append", action="store_true", help="print only; do not append to BENCHMARKS.md")
    args = ap.parse_args()
    lines = []
    for week in args.weeks:
        lines += bench_week(week, args.repeat, args.actimotus_python)
    print("\n".join(lines))
    if args.no_append:
        return 0
    load = os.getloadavg()[0]
    append_section("One participant-week -> daily table (7 days, two AX3 100 Hz files)", lines,
                   "bench_participant.py", "; shared with other agents (timings noisy), 1-min load "
                   f"average {load:.1f} when it finished")
    return 0


if __name__ == "__main__":
    sys.exit(main())
