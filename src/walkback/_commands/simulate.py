"""``walkback simulate recording`` and ``walkback simulate cohort``: data with known truth.

(The older spellings ``simulate-recording`` and ``simulate-cohort`` still work for one release,
with a deprecation notice.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from walkback._commands._common import deprecated_alias

_REC_HELP = "simulate a thigh + back recording stitched from real labelled segments, with truth"
_COH_HELP = "write a synthetic cohort (day table + participant table) with known risk ratios"


def register(subparsers) -> None:
    p = subparsers.add_parser("simulate", help="simulate a recording or a cohort with known truth")
    sub = p.add_subparsers(dest="simulate_kind", metavar="KIND", required=True)
    r = sub.add_parser("recording", help=_REC_HELP, description=_REC_DESCRIPTION)
    _recording_args(r)
    r.set_defaults(func=_simulate_recording)
    c = sub.add_parser("cohort", help=_COH_HELP)
    _cohort_args(c)
    c.set_defaults(func=_simulate_cohort)
    deprecated_alias(subparsers, "simulate-recording", "simulate recording", _recording_args,
                     _simulate_recording, _REC_HELP)
    deprecated_alias(subparsers, "simulate-cohort", "simulate cohort", _cohort_args,
                     _simulate_cohort, _COH_HELP)


_REC_DESCRIPTION = (
    "Writes DIR/thigh.cwa and DIR/back.cwa (AX3, 100 Hz), DIR/truth_epochs.parquet and "
    "DIR/truth_daily.csv. The thigh signal is stitched from real SELFBACK snippets (shipped "
    "library, or --source); the back signal is synthesised from the posture.")


def _recording_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--days", type=float, default=7.0, help="days to simulate (default 7)")
    s.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    s.add_argument("--source", type=Path, default=None, metavar="DIR",
                   help="SELFBACK-layout folder (<activity>/<subject>.csv.gz) for more variety")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.add_argument("--start", default="2024-10-21 10:00", help="local start time (default a Monday 10:00)")
    s.add_argument("--tz", default=None, metavar="ZONE",
                   help="IANA time zone of the device clocks (default Europe/Oslo)")
    s.add_argument("--clock-offset-s", type=float, default=0.0, help="back clock offset, s")
    s.add_argument("--clock-drift-ppm", type=float, default=0.0, help="back clock drift, ppm")
    s.add_argument("--walking-share", type=float, default=None, metavar="P",
                   help="chance that an awake block is walking (default 0.28: ~90-100 min/day; "
                   "0.65 with --intermittent 0.7: ~250 min/day)")
    s.add_argument("--intermittent", type=float, default=0.0, metavar="P",
                   help="chance that a walking block is an errand of short walks between short "
                   "stands (many short walking runs; default 0)")


def _cohort_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--n", type=int, default=11194, help="participants (default 11,194)")
    s.add_argument("--seed", type=int, default=0, help="random seed")
    s.add_argument("--out", required=True, type=Path, help="output directory")
    s.add_argument("--layout", choices=("long", "hunt"), default="long",
                   help="long canonical tables, or HUNT's wide layout and variable names")


def _simulate_recording(args: argparse.Namespace) -> int:
    from walkback.definitions import DEFAULT_TIMEZONE
    from walkback.simulate._recording_schedule import WALKING_SHARE
    from walkback.simulate.recording import simulate_recording, write_recording

    share = WALKING_SHARE if args.walking_share is None else args.walking_share
    sim = simulate_recording(days=args.days, seed=args.seed, source=args.source, start=args.start,
                             timezone=args.tz or DEFAULT_TIMEZONE, back_clock_offset_s=args.clock_offset_s,
                             back_clock_drift_ppm=args.clock_drift_ppm, walking_share=share,
                             intermittent=args.intermittent)
    out = write_recording(sim, args.out)
    d = sim.truth_daily
    print(f"simulated {args.days:g} days -> {out}: true walking "
          f"{d['walking_s'].sum() / 60 / len(d):.1f} min/day over {len(d)} calendar days")
    return 0


def simulate_cohort_to(out: Path, n: int, seed: int, layout: str) -> dict[str, Path]:
    """Write a simulated cohort into ``out``; returns the paths by role (days, participants, ...)."""
    from walkback.simulate.cohort import simulate_cohort, write_cohort

    if n < 10:
        from walkback.errors import SettingsError

        raise SettingsError(f"--n must be at least 10, got {n}")
    return write_cohort(simulate_cohort(n=n, seed=seed), out, layout=layout)


def _simulate_cohort(args: argparse.Namespace) -> int:
    paths = simulate_cohort_to(args.out, args.n, args.seed, args.layout)
    print(f"simulated cohort (about {args.n} participants in the analytic sample, seed "
          f"{args.seed}, layout {args.layout}):")
    for role, path in paths.items():
        print(f"  {role}: {path}")
    if "config" in paths:
        print(f"analyse with: walkback analyze --days {paths['days']} --participants "
              f"{paths['participants']} --settings {paths['config']} --out OUT")
    return 0
