"""``walkback analyze`` and ``walkback simulate-cohort``: the cohort analysis from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="run the HUNT walking / low back pain analysis on a day table and a participant table",
        description="Reads the day table (long or wide) and the participant table (CSV, Parquet or "
        "Stata .dta), builds the analytic sample, fits every model of the study and writes the "
        "fixed set of output files (see docs/cohort-outputs.md) into --out, atomically.",
    )
    p.add_argument("--days", required=True, type=Path, help="per-day activity table")
    p.add_argument("--participants", required=True, type=Path, help="participant table")
    p.add_argument("--config", type=Path, default=None,
                   help="cohort TOML config (column mapping, codes, models); default: canonical")
    p.add_argument("--out", required=True, type=Path, help="output directory (replaced whole)")
    p.set_defaults(func=_analyze)

    s = subparsers.add_parser(
        "simulate-cohort",
        help="write a synthetic cohort (day table + participant table) with known risk ratios",
    )
    s.add_argument("--n", type=int, default=11194, help="participants (default 11,194)")
    s.add_argument("--seed", type=int, default=0, help="random seed")
    s.add_argument("--out", required=True, type=Path, help="output directory")
    s.add_argument("--layout", choices=("long", "hunt"), default="long",
                   help="long canonical tables, or HUNT's wide layout and variable names")
    s.set_defaults(func=_simulate)


def run_analysis(days: Path, participants: Path, config: Path | None, out: Path):
    """Load, analyse and write; returns the ``CohortResults``."""
    from walkback.cohort.analyze import analyze
    from walkback.cohort.config import load_settings
    from walkback.cohort.tables import load_inputs

    settings = load_settings(config)
    inputs = load_inputs(days, participants, settings)
    results = analyze(inputs, settings)
    results.to_dir(out)
    return results


def _analyze(args: argparse.Namespace) -> int:
    results = run_analysis(args.days, args.participants, args.config, args.out)
    print(results.summary())
    print(f"\nwrote {args.out}/ (quartile_models.csv, spline_*.csv, joint_models.csv, figures, "
          "analysis_data.csv, models.json, provenance.json, ...)")
    return 0


def simulate_to(out: Path, n: int, seed: int, layout: str) -> dict[str, Path]:
    """Write a simulated cohort into ``out``; returns the paths by role (days, participants, ...)."""
    from walkback.simulate.cohort import simulate_cohort, write_cohort

    if n < 10:
        from walkback.errors import SettingsError

        raise SettingsError(f"--n must be at least 10, got {n}")
    return write_cohort(simulate_cohort(n=n, seed=seed), out, layout=layout)


def _simulate(args: argparse.Namespace) -> int:
    paths = simulate_to(args.out, args.n, args.seed, args.layout)
    print(f"simulated cohort (about {args.n} participants in the analytic sample, seed "
          f"{args.seed}, layout {args.layout}):")
    for role, path in paths.items():
        print(f"  {role}: {path}")
    if "config" in paths:
        print(f"analyse with: walkback analyze --days {paths['days']} --participants "
              f"{paths['participants']} --config {paths['config']} --out OUT")
    return 0
