"""Time the full cohort analysis of a simulated 11,194-person cohort (target: < 10 s).

"Full" = what ``walkback analyze`` does: read and validate both CSV tables, build the analytic
sample, fit every model (quartile, spline, joint, stratified, interaction, all eight sensitivity
analyses = 78 Poisson fits), draw the three figures and write every output file. The 24-h
compositional analysis (65 fits) is timed separately after it (``coda``), so the main figure stays
comparable with earlier rows.

Usage: ``.venv/bin/python benchmarks/bench_cohort.py [--n 11194] [--repeat 3] [--no-append]``.
Prints the figures and appends a row to BENCHMARKS.md (machine, date, command).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import append_row, machine

ROOT = Path(__file__).resolve().parents[1]






def run_once(days: Path, parts: Path, out: Path) -> dict[str, float]:
    from walkback.cohort.analyze import analyze
    from walkback.cohort.coda_results import run_coda
    from walkback.cohort.config import CohortSettings
    from walkback.cohort.sample import build_sample
    from walkback.cohort.tables import load_inputs

    t0 = time.perf_counter()
    settings = CohortSettings()
    inputs = load_inputs(days, parts, settings)
    t1 = time.perf_counter()
    sample = build_sample(inputs, settings)
    t2 = time.perf_counter()
    res = analyze(sample, settings, checksums=inputs.checksums)
    t3 = time.perf_counter()
    res.to_dir(out)
    t4 = time.perf_counter()
    coda = run_coda(inputs.days, sample.everyone, settings)
    t5 = time.perf_counter()
    return {"total": t4 - t0, "load": t1 - t0, "sample": t2 - t1, "models": t3 - t2,
            "write": t4 - t3, "n": len(sample.data), "fits": res.provenance["n_models"],
            "coda": t5 - t4, "coda_n": coda.info["n_included"], "coda_fits": coda.info["n_models"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=11194)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-append", action="store_true", help="print only")
    args = ap.parse_args()
    from walkback.simulate.cohort import simulate_cohort, write_cohort

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_cohort(simulate_cohort(args.n, args.seed), Path(tmp) / "data")
        # warm-up imports (matplotlib, scipy) are part of a real CLI run: time the first run too
        runs = [run_once(paths["days"], paths["participants"], Path(tmp) / f"out{i}")
                for i in range(args.repeat)]
    totals = [r["total"] for r in runs]
    first, med = runs[0], statistics.median(totals)
    parts = ", ".join(f"{k} {statistics.median(r[k] for r in runs):.2f} s"
                      for k in ("load", "sample", "models", "write"))
    print(f"cohort analysis, {first['n']} included participants, {first['fits']} model fits: "
          f"median {med:.2f} s over {args.repeat} runs (first run {totals[0]:.2f} s, "
          f"best {min(totals):.2f} s); {parts}; target < 10 s")
    coda = statistics.median(r["coda"] for r in runs)
    coda_text = (f"compositional analysis (sample, {first['coda_fits']} fits, substitutions, "
                 f"secondary runs; figure and files not included), {first['coda_n']:,} "
                 f"participants: median {coda:.2f} s, first {runs[0]['coda']:.2f} s")
    print(coda_text)
    load = os.getloadavg()[0]
    print(f"1-min load average during the run: {load:.1f} on {os.cpu_count()} cores")
    if not args.no_append:
        cmd = "python benchmarks/bench_cohort.py " + " ".join(sys.argv[1:])
        append_row(
            f"\n## Cohort analysis, simulated {args.n:,}-person cohort — "
            f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
            f"Machine: {machine()}; 1-min load average {load:.1f} (shared with other agents, "
            f"so times are noisy). Command: `{cmd.strip()}`\n"
            f"- full analysis as `walkback analyze` does it (read + validate CSVs, sample, "
            f"{first['fits']} Poisson fits incl. all 8 sensitivity analyses, 3 figures, all "
            f"outputs), {first['n']:,} included: median {med:.2f} s of {args.repeat}, first "
            f"{totals[0]:.2f} s, best {min(totals):.2f} s (target < 10 s)\n"
            f"- median split: {parts}\n"
            f"- {coda_text}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
