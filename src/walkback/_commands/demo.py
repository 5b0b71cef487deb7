"""``walkback demo``: what ``make demo`` runs, on built-in data only (no network, no user files).

1. Simulates a HUNT-like cohort (``walkback.simulate.cohort``), runs the full study analysis and prints
   the main quartile table beside the true risk ratios used to simulate it, then a few lines of the
   24-h compositional analysis (isotemporal substitution).
2. Simulates one participant-week of thigh + back AX3 files stitched from the real snippets shipped
   in the package, processes it with the one-participant pipeline (``process-one``) and prints the
   daily table beside the truth.
3. Writes the cohort report and the participant report (self-contained HTML) and prints their paths.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

#: Daily-table columns the demo prints, in minutes, with short headings.
_DEMO_COLUMNS = {
    "walking_s": "walk",
    "walk_slow_s": "slow",
    "walk_moderate_s": "mod",
    "walk_brisk_s": "brisk",
    "lying_s": "lying",
    "sitting_s": "sit",
    "standing_s": "stand",
    "running_s": "run",
}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="simulate a cohort and a participant-week, run the whole pipeline, write both reports",
    )
    p.add_argument("--out", type=Path, default=Path("demo-output"), help="output directory")
    p.add_argument("--n", type=int, default=11194, help="participants to simulate")
    p.add_argument("--seed", type=int, default=2025, help="random seed")
    p.add_argument("--days", type=float, default=7.0,
                   help="days of the simulated participant recording (default 7; 0 skips it)")
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    out = Path(args.out)
    analysis_dir = _cohort_part(out, args.n, args.seed)
    participant_dir = _participant_part(out, args.days, args.seed) if args.days > 0 else None
    reports = _reports(out, analysis_dir, participant_dir)
    print("\nreports (open in any browser, they work offline):")
    for path in reports:
        print(f"  {path}")
    print(f"done in {time.perf_counter() - t0:.1f} s; everything is in {out}/")
    return 0


def _cohort_part(out: Path, n: int, seed: int) -> Path:
    from walkback._commands.cohort import run_analysis
    from walkback._commands.simulate import simulate_cohort_to
    from walkback.simulate.cohort import TrueRisk

    data_dir, analysis_dir = out / "cohort-data", out / "cohort-analysis"
    paths = simulate_cohort_to(data_dir, n, seed, "long")
    results = run_analysis(paths["days"], paths["participants"], None, analysis_dir)
    p = results.provenance
    print("== 1. Cohort: simulated HUNT-like cohort -> Poisson risk ratios of chronic low back pain")
    print(f"participants analysed: {p['n_included']}, cases: {p['cases']}, "
          f"models fitted: {p['n_models']}\n")
    print("Risk ratios (95% CI) by quartile of walking volume and intensity:")
    print(results.main_table())
    truth = TrueRisk()
    print("true risk ratios used to simulate (Q2-Q4 vs Q1): volume "
          f"{', '.join(f'{r:.2f}' for r in truth.volume_rr[1:])}; intensity "
          f"{', '.join(f'{r:.2f}' for r in truth.intensity_rr[1:])}")
    if results.coda is not None:
        print("\n24-h time use as a composition (sleep, sedentary, standing, walking, running + "
              "cycling; the authors' CoDA analysis):")
        print("\n".join(results.coda.summary_lines()))
        print("(the simulated truth acts through walking volume only; all pairs and moves: "
              f"{analysis_dir / 'coda_isotemporal.csv'})")
    else:
        print(f"\ncompositional analysis not run: {p['coda'].get('reason', '')}")
    print(f"simulated input tables: {paths['days']}, {paths['participants']}")
    print(f"all results (tables, figures, analysis_data.csv, models.json): {analysis_dir}/")
    return analysis_dir


def _participant_part(out: Path, days: float, seed: int) -> Path:
    import pandas as pd

    from walkback.pipeline import process_one
    from walkback.simulate.recording import simulate_recording, write_recording

    rec_dir, result_dir = out / "participant-recording", out / "participant"
    print(f"\n== 2. One participant: {days:g} simulated days of thigh + back AX3 files "
          "stitched from real labelled snippets -> process-one")
    sim = simulate_recording(days=days, seed=seed, participant_id="demo-001",
                             back_clock_offset_s=2.5, back_clock_drift_ppm=20.0)
    write_recording(sim, rec_dir)
    t = time.perf_counter()
    res = process_one(rec_dir / "thigh.cwa", rec_dir / "back.cwa", participant_id="demo-001",
                      out_dir=result_dir)
    print(f"processed in {time.perf_counter() - t:.1f} s: {res.summary()}")
    truth = pd.read_csv(rec_dir / "truth_daily.csv")
    print("\nDaily minutes, measured (m) beside the truth (t):")
    print(_side_by_side(res.daily, truth).to_string(index=False))
    print(f"\nrecording and truth: {rec_dir}/; results (daily.csv, epochs.parquet, qc.json): "
          f"{result_dir}/")
    return result_dir


def _side_by_side(measured, truth):
    """One row per date: measured and true minutes of the main classes."""
    import pandas as pd

    m = measured.set_index("date")
    t = truth.set_index("date")
    rows = pd.DataFrame(index=m.index)
    rows.insert(0, "date", m.index)
    for col, short in _DEMO_COLUMNS.items():
        if col not in m or col not in t:
            continue
        rows[f"{short} m"] = (m[col] / 60).round(1)
        rows[f"{short} t"] = (t[col].reindex(m.index) / 60).round(1)
    return rows


def _reports(out: Path, analysis_dir: Path, participant_dir: Path | None) -> list[Path]:
    from walkback.report import cohort_report, participant_report

    print("\n== 3. Reports")
    paths = [cohort_report(analysis_dir, out / "cohort_report.html")]
    if participant_dir is not None:
        paths.append(participant_report(participant_dir, out / "participant_report.html"))
    return [Path(p) for p in paths]
