"""Benchmark: the walking stage's gait pass grows with locomotion samples, not with runs.

Input: one simulated very active day (24 h, ``walking_share=0.65, intermittent=0.7``: ~250 min
of walking in many short runs, stitched from the real SELFBACK thigh snippets shipped with
walkback; 50 Hz canonical thigh axes), its true locomotion epochs (5 s). Timed (best of
``--repeat``, in this process, kernels already loaded): :func:`walkback.walking.measure_gait`
with the true runs, then with the same epochs cut into ever more runs (one epoch in every k
dropped: almost the same samples, many more runs), and, with ``--reference``, the same method run
one run at a time (``tests/_support/gait_reference.py``: the cost structure of the session-3 code,
a ``sosfiltfilt`` and Python work per run).
Printed: seconds, runs, locomotion samples, and microseconds per 1,000 samples and per run.

Run: ``.venv/bin/python benchmarks/bench_walking.py [--repeat 3] [--reference] [--no-append]``.
Prints the figures and appends them to BENCHMARKS.md (machine, date, command). The machine is
shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from _common import ROOT, append_section


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reference", action="store_true", help="also time the per-run reference")
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    from walkback.simulate.recording import simulate_recording
    from walkback.walking.gait import epoch_runs, measure_gait

    sim = simulate_recording(days=1.0, seed=11, start="2024-05-06 00:00", walking_share=0.65,
                             intermittent=0.7)
    g = sim.thigh_g
    loc0 = sim.truth_epochs["study_class"].isin(["walking", "running"]).to_numpy()
    starts = np.arange(loc0.size) * 250
    ref = None
    if args.reference:
        sys.path.insert(0, str(ROOT / "tests"))
        from _support.gait_reference import reference_gait as ref
    lines = []
    for k in (0, 12, 4, 2):
        loc = loc0.copy()
        if k:
            loc[::k] = False  # cut the runs: one epoch in every k dropped
        runs, samples = len(epoch_runs(loc)), int(loc.sum()) * 250
        measure_gait(g, 50.0, starts, loc, epoch_samples=250)  # warm
        best = min(_timed(lambda loc=loc: measure_gait(g, 50.0, starts, loc, epoch_samples=250))
                   for _ in range(args.repeat))
        row = (f"- {'true runs' if not k else f'1 epoch in {k} dropped'}: {runs:,} runs, "
               f"{samples / 50 / 60:,.0f} min of locomotion: batched {best:.3f} s "
               f"({best / samples * 1e9:.1f} us per 1,000 samples, {best / runs * 1e6:.0f} us per run)")
        if ref is not None:
            t = _timed(lambda loc=loc: ref(g, 50.0, starts, loc, 250))
            row += f"; per-run reference {t:.2f} s ({t / runs * 1e6:.0f} us per run)"
        lines.append(row)
    print("\n".join(lines))
    if not args.no_append:
        append_section("Walking stage: gait pass against runs and samples (one simulated active day)",
                       lines, "bench_walking.py", "; shared with other agents (timings noisy)")
    return 0


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


if __name__ == "__main__":
    sys.exit(main())
