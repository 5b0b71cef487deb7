"""Where the peak memory of one participant-week comes from: RSS per stage of ``process_one``.

Runs :func:`walkback.pipeline.process_one` once in this process on a benchmark week (the
``high-walking`` or ``typical`` inputs of ``bench_participant.py``, made there if missing) with a
thread sampling the resident set size every 10 ms, and the pipeline's stage functions wrapped to
mark when each starts and ends (the prepare sub-stages: resampling of each sensor, calibration /
orientation / non-wear, the back's magnitude pass and the sync estimate). Prints, per stage, RSS
at its start, its peak, and RSS at its end, its wall time (rough: the sampler thread perturbs it
a little) and the process peak (kernel VmHWM). Wrapping adds no copies. With two threads some
stages overlap (``walkback._threads.alongside``), and the table says so; ``--threads 1`` runs
them in turn, as batch workers do.

Run: ``.venv/bin/python benchmarks/profile_memory.py [--week high-walking] [--thigh-only]
[--threads N] [--no-append]``. Prints the table and appends it to BENCHMARKS.md (machine, date, command).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from _common import append_section

MB = 2**20


class Sampler:
    """RSS every 10 ms, and named marks (stage start / end) on the same clock."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.samples: list[tuple[float, int]] = []
        self.marks: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), self.proc.memory_info().rss))
            time.sleep(0.01)

    def mark(self, name: str) -> None:
        self.samples.append((time.perf_counter(), self.proc.memory_info().rss))
        self.marks.append((time.perf_counter(), name))

    def wrap(self, owner: object, attr: str, label: str) -> None:
        fn = getattr(owner, attr)

        @functools.wraps(fn)
        def inner(*a, **k):
            self.mark(f"{label} start")
            try:
                return fn(*a, **k)
            finally:
                self.mark(f"{label} end")

        setattr(owner, attr, inner)

    def stages(self) -> list[tuple[str, float, float, float, float]]:
        """(stage, RSS at start, peak inside, RSS at end) in MB and wall s, in order of start."""
        out = []
        open_at: dict[str, list[float]] = {}
        for t, name in self.marks:
            label, what = name.rsplit(" ", 1)
            if what == "start":
                open_at.setdefault(label, []).append(t)
            else:
                t0 = open_at[label].pop()
                inside = [r for ts, r in self.samples if t0 <= ts <= t]
                at0 = min(self.samples, key=lambda s: abs(s[0] - t0))[1]
                out.append((t0, label, at0 / MB, max(inside) / MB, inside[-1] / MB, t - t0))
        return [o[1:] for o in sorted(out)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--week", choices=("high-walking", "typical"), default="high-walking")
    ap.add_argument("--thigh-only", action="store_true")
    ap.add_argument("--no-append", action="store_true")
    ap.add_argument("--threads", type=int, default=None,
                    help="WALKBACK_THREADS for the run (default: the environment's, else 2 on 2 "
                         "cores); with 2 the back's sync pass and the gait measures overlap other "
                         "stages, so their rows' peaks include the overlapping stage's memory")
    args = ap.parse_args()
    if args.threads is not None:
        os.environ["WALKBACK_THREADS"] = str(args.threads)  # before walkback is imported
    from bench_participant import make_inputs

    d, src = make_inputs(args.week)

    import walkback.activity as activity
    import walkback.io as wio
    import walkback.signal as signal
    import walkback.signal.pipeline as sp
    import walkback.walking.daily as daily
    import walkback.walking.measure as measure
    from walkback.pipeline import process_one

    s = Sampler()
    s.wrap(sp, "_resample", "prepare: resample (a sensor)")
    s.wrap(sp, "_finish_sensor", "prepare: calibrate + orient + non-wear (a sensor)")
    s.wrap(sp, "_back_magnitude", "prepare: back magnitude pass for the sync (a decode pass)")
    s.wrap(sp, "_synchronise", "prepare: synchronise (estimate)")
    s.wrap(sp, "calendar_days", "prepare: days")
    s.wrap(wio, "open_stream", "open (a sensor)")
    s.wrap(signal, "prepare", "prepare (read + all of the above)")
    s.wrap(activity, "classify", "classify")
    s.wrap(measure, "measure_gait", "walking: gait (steps, cadence)")
    s.wrap(measure, "measure_epochs", "walking: epoch timeline")
    s.wrap(daily, "daily_table", "walking: daily table")
    import pandas as pd

    import walkback.walking as walking

    s.wrap(activity, "detect_sleep", "sleep")
    s.wrap(walking, "measure_trunk", "trunk")
    s.wrap(pd.DataFrame, "to_parquet", "write epochs.parquet")
    s._t.start()
    with tempfile.TemporaryDirectory() as tmp:
        s.mark("process_one start")
        process_one(d / "thigh.cwa", None if args.thigh_only else d / "back.cwa", participant_id="m",
                    out_dir=Path(tmp) / "out")
        s.mark("process_one end")
    s._stop.set()
    s._t.join()
    status = Path("/proc/self/status").read_text().splitlines()
    hwm = next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM")), 0)
    mode = "thigh-only" if args.thigh_only else "thigh + back"
    from walkback._threads import worker_threads

    lines = [f"- {args.week} week ({src}), {mode}, {worker_threads()} thread(s): process peak "
             f"(VmHWM) {hwm / MB:,.0f} MB",
             "", "| stage | RSS at start MB | peak inside MB | RSS at end MB | wall s (rough) |",
             "|---|---|---|---|---|"]
    lines += [f"| {n} | {a:,.0f} | {p:,.0f} | {e:,.0f} | {w:.2f} |" for n, a, p, e, w in s.stages()]
    if worker_threads() > 1:
        lines += ["", "Two threads: the back magnitude pass runs beside the thigh's calibration and the "
                  "gait measures beside sleep and trunk, so those rows overlap in time and share "
                  "their peaks (`--threads 1` separates them)."]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Peak memory of one participant-week, per stage", lines, "profile_memory.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
