"""``walkback process-one`` and ``walkback simulate-recording``."""

from __future__ import annotations

import argparse
from pathlib import Path


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
    p.add_argument("--tz", default="Europe/Oslo", metavar="ZONE",
                   help="IANA time zone of the device clocks and calendar days (default Europe/Oslo)")
    p.add_argument("--settings", type=Path, default=None, metavar="TOML", help="pipeline settings TOML")
    p.set_defaults(func=_process_one)

    s = subparsers.add_parser(
        "simulate-recording",
        help="simulate a thigh + back recording stitched from real labelled segments, with truth",
        description="Writes DIR/thigh.cwa and DIR/back.cwa (AX3, 100 Hz), DIR/truth_epochs.parquet "
        "and DIR/truth_daily.csv. The thigh signal is stitched from real SELFBACK snippets (shipped "
        "library, or --source); the back signal is synthesised from the posture.",
    )
    s.add_argument("--days", type=float, default=7.0, help="days to simulate (default 7)")
    s.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    s.add_argument("--source", type=Path, default=None, metavar="DIR",
                   help="SELFBACK-layout folder (<activity>/<subject>.csv.gz) for more variety")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.add_argument("--start", default="2024-10-21 10:00", help="local start time (default a Monday 10:00)")
    s.add_argument("--tz", default="Europe/Oslo", metavar="ZONE", help="IANA time zone")
    s.add_argument("--clock-offset-s", type=float, default=0.0, help="back clock offset, s")
    s.add_argument("--clock-drift-ppm", type=float, default=0.0, help="back clock drift, ppm")
    s.add_argument("--walking-share", type=float, default=None, metavar="P",
                   help="chance that an awake block is walking (default 0.28: ~90-100 min/day; "
                   "0.65 with --intermittent 0.7: ~250 min/day)")
    s.add_argument("--intermittent", type=float, default=0.0, metavar="P",
                   help="chance that a walking block is an errand of short walks between short "
                   "stands (many short walking runs; default 0)")
    s.set_defaults(func=_simulate)


def _process_one(args: argparse.Namespace) -> int:
    from walkback.walking import process_one
    from walkback.walking.pipeline import load_pipeline_settings

    settings = load_pipeline_settings(args.settings) if args.settings else None
    res = process_one(args.thigh, args.back, participant_id=args.participant_id, out_dir=args.out,
                      timezone=args.tz, settings=settings)
    print(res.summary())
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from walkback.simulate._recording_schedule import WALKING_SHARE
    from walkback.simulate.recording import simulate_recording, write_recording

    share = WALKING_SHARE if args.walking_share is None else args.walking_share
    sim = simulate_recording(days=args.days, seed=args.seed, source=args.source, start=args.start,
                             timezone=args.tz, back_clock_offset_s=args.clock_offset_s,
                             back_clock_drift_ppm=args.clock_drift_ppm, walking_share=share,
                             intermittent=args.intermittent)
    out = write_recording(sim, args.out)
    d = sim.truth_daily
    print(f"simulated {args.days:g} days -> {out}: true walking "
          f"{d['walking_s'].sum() / 60 / len(d):.1f} min/day over {len(d)} calendar days")
    return 0
