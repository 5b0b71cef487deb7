"""``walkback demo``: simulate a cohort, analyse it, print the main table (what ``make demo`` runs)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="simulate a HUNT-like cohort, run the full analysis and show the main results",
    )
    p.add_argument("--out", type=Path, default=Path("demo-output"), help="output directory")
    p.add_argument("--n", type=int, default=11194, help="participants to simulate")
    p.add_argument("--seed", type=int, default=2025, help="random seed")
    p.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from walkback._commands.cohort import run_analysis, simulate_to

    t0 = time.perf_counter()
    out = Path(args.out)
    data_dir, analysis_dir = out / "cohort-data", out / "cohort-analysis"
    paths = simulate_to(data_dir, args.n, args.seed, "long")
    days, parts = paths["days"], paths["participants"]
    results = run_analysis(days, parts, None, analysis_dir)
    p = results.provenance
    print("walkback demo: simulated HUNT-like cohort -> Poisson risk ratios of chronic low back pain")
    print(f"participants analysed: {p['n_included']}, cases: {p['cases']}, "
          f"models fitted: {p['n_models']}\n")
    print("Risk ratios (95% CI) by quartile of walking volume and intensity:")
    print(results.main_table())
    from walkback.simulate.cohort import TrueRisk

    truth = TrueRisk()
    print("true risk ratios used to simulate (Q2-Q4 vs Q1): volume "
          f"{', '.join(f'{r:.2f}' for r in truth.volume_rr[1:])}; intensity "
          f"{', '.join(f'{r:.2f}' for r in truth.intensity_rr[1:])}")
    print(f"\nsimulated input tables: {days}, {parts}")
    print(f"all results (tables, figures, analysis_data.csv, models.json): {analysis_dir}/")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0
