"""``walkback report participant`` and ``walkback report cohort``: self-contained HTML reports."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report for one participant or for a cohort",
        description="Reports read the folders the pipeline writes and need no network: figures "
        "are inline SVG, styles inline. See docs/reports.md.",
    )
    sub = p.add_subparsers(dest="report_kind", metavar="KIND", required=True)
    pp = sub.add_parser("participant", help="one participant's week from a process-one folder")
    pp.add_argument("folder", type=Path, metavar="DIR",
                    help="process-one output folder (daily.csv, epochs.parquet, qc.json)")
    pp.add_argument("--out", required=True, type=Path, help="HTML file to write")
    pp.set_defaults(func=_participant)
    pc = sub.add_parser("cohort", help="the cohort analysis from an analyze folder")
    pc.add_argument("folder", type=Path, metavar="DIR", help="analyze output folder")
    pc.add_argument("--process", type=Path, default=None, metavar="DIR",
                    help="process output folder (qc_summary.csv, errors.csv, cohort_days.parquet)")
    pc.add_argument("--out", required=True, type=Path, help="HTML file to write")
    pc.set_defaults(func=_cohort)


def _participant(args: argparse.Namespace) -> int:
    from walkback.report import participant_report

    out = participant_report(args.folder, args.out)
    print(f"participant report: {out}")
    return 0


def _cohort(args: argparse.Namespace) -> int:
    from walkback.report import cohort_report

    out = cohort_report(args.folder, args.out, process=args.process)
    print(f"cohort report: {out}")
    return 0
