"""``walkback analyze``: the cohort analysis from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from walkback._commands._common import add_settings, deprecated


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "analyze",
        help="run the HUNT walking / low back pain analysis on a day table and a participant table",
        description="Reads the day table (long or wide) and the participant table (CSV, Parquet or "
        "Stata .dta), builds the analytic sample, fits every model of the study and writes the "
        "fixed set of output files (see docs/cohort-outputs.md) into --out, atomically. The "
        "[cohort] table of the --settings file maps column names, codes and models.",
    )
    p.add_argument("--days", required=True, type=Path, help="per-day activity table")
    p.add_argument("--participants", required=True, type=Path, help="participant table")
    add_settings(p)
    p.add_argument("--config", type=Path, default=None, help=argparse.SUPPRESS)  # deprecated
    p.add_argument("--out", required=True, type=Path, help="output directory (replaced whole)")
    p.set_defaults(func=_analyze)


def run_analysis(days: Path, participants: Path, settings_path: Path | None, out: Path):
    """Load, analyse and write; returns the ``CohortResults``. ``settings_path`` is a study
    settings file (its ``[cohort]`` table) or None for the defaults."""
    from walkback.cohort.analyze import analyze
    from walkback.cohort.tables import load_inputs
    from walkback.study_settings import load_study_settings

    study = load_study_settings(settings_path)
    inputs = load_inputs(days, participants, study.cohort)
    results = analyze(inputs, study.cohort)
    results.provenance["settings_file"] = "" if settings_path is None else str(settings_path)
    results.provenance["settings_sources"] = study.sources_dict()
    results.to_dir(out)
    return results


def _analyze(args: argparse.Namespace) -> int:
    settings = args.settings
    if args.config is not None:
        deprecated("'walkback analyze --config'", "--settings")
        if settings is not None:
            from walkback.errors import SettingsError

            raise SettingsError("give --settings or the deprecated --config, not both")
        settings = args.config
    results = run_analysis(args.days, args.participants, settings, args.out)
    print(results.summary())
    print(f"\nwrote {args.out}/ (quartile_models.csv, spline_*.csv, joint_models.csv, figures, "
          "analysis_data.csv, models.json, provenance.json, ...)")
    return 0
