"""``walkback process-one``: one participant's files -> daily table, epochs, QC."""

from __future__ import annotations

import argparse
from pathlib import Path

from walkback._commands._common import add_settings, add_tz, study_settings, tz_arg


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "process-one",
        help="one participant's thigh (+ back) files -> daily.csv, epochs.parquet, qc.json",
        description="Reads, calibrates, synchronises and classifies one participant's recording, "
        "measures steps, cadence, pace and MET, and writes DIR/daily.csv (one row per local "
        "calendar day), DIR/epochs.parquet (5-s epochs) and DIR/qc.json, all at once (atomically).",
    )
    p.add_argument("--thigh", required=True, type=Path, metavar="FILE", help="thigh sensor file")
    p.add_argument("--back", type=Path, default=None, metavar="FILE", help="lower-back sensor file")
    p.add_argument("--id", required=True, dest="participant_id", help="participant identifier")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    add_tz(p, "IANA time zone of the device clocks and calendar days (default: the settings "
              "file's [signal] timezone, else Europe/Oslo)")
    add_settings(p)
    p.set_defaults(func=_process_one)


def _process_one(args: argparse.Namespace) -> int:
    from walkback.pipeline import process_one

    settings = study_settings(args, {"signal.timezone": ("--tz", tz_arg(args))})
    res = process_one(args.thigh, args.back, participant_id=args.participant_id, out_dir=args.out,
                      settings=settings)
    print(res.summary())
    return 0
