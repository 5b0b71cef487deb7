"""``walkback manifest`` and ``walkback process``: cohort-scale batch runs."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from walkback._commands._common import add_settings, add_tz, study_settings, tz_arg

_PATTERN_HELP = (
    "file-name pattern relative to DIR: {id} is the participant id, other {name} fields and * ? "
    "[abc] match anything within a folder name, **/ any folders; e.g. '{id}_thigh.cwa' or "
    "'{id}/thigh*.cwa'"
)


def register(subparsers) -> None:
    m = subparsers.add_parser(
        "manifest",
        help="build a batch manifest (participant_id, thigh_path, back_path) from a folder",
        description="Scans DIR for files matching --pattern (thigh) and --back-pattern (lower "
        "back) and writes a manifest CSV or Parquet for 'walkback process'. " + _PATTERN_HELP,
    )
    m.add_argument("dir", type=Path, metavar="DIR", help="folder holding the device files")
    m.add_argument("--pattern", required=True, help="thigh file pattern. " + _PATTERN_HELP)
    m.add_argument("--back-pattern", default=None, help="lower-back file pattern (optional)")
    add_tz(m, "IANA zone written into every row (optional; rows without one use the run's zone)")
    m.add_argument("--out", type=Path, default=Path("manifest.csv"),
                   help="manifest to write, .csv or .parquet (default: manifest.csv)")
    m.set_defaults(func=_manifest)

    p = subparsers.add_parser(
        "process",
        help="process every participant of a manifest (resumable; local processes or Dask)",
        description="Runs the one-participant pipeline for every manifest row into "
        "DIR/participants/<id>/, skipping participants whose inputs, settings and model are "
        "unchanged; records failures in DIR/errors.csv and goes on; writes "
        "DIR/cohort_days.parquet and DIR/qc_summary.csv. Exit status 0 when every participant "
        "succeeded, 3 when some failed, 2 on a usage or manifest error.",
    )
    p.add_argument("manifest", type=Path, metavar="MANIFEST", help="manifest .csv or .parquet")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: the settings file's [batch] workers, "
                   "else as many as cores and memory allow)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on this Dask distributed scheduler instead of local processes")
    p.add_argument("--force", action="store_true", help="reprocess everyone")
    add_tz(p, "time zone for manifest rows without one (default: the settings file's [signal] "
              "timezone, else Europe/Oslo)")
    add_settings(p)
    p.add_argument("--memory-per-worker-gb", type=float, default=None,
                   help="peak memory of one participant in GB, caps local workers (default: "
                   "the settings file's, else estimated from the largest input files)")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    p.add_argument("--task", default=None, help=argparse.SUPPRESS)  # module:function, for tests
    p.set_defaults(func=_process)


def _manifest(args: argparse.Namespace) -> int:
    from walkback.batch import build_manifest, write_manifest

    entries = build_manifest(args.dir, args.pattern, args.back_pattern, timezone=tz_arg(args) or "")
    write_manifest(entries, args.out)
    n_back = sum(bool(e.back_path) for e in entries)
    print(f"wrote {args.out}: {len(entries)} participant(s), {n_back} with a back file")
    return 0


def _process(args: argparse.Namespace) -> int:
    from walkback.batch import run_batch

    task = _load_task(args.task) if args.task else None
    tz = tz_arg(args)
    settings = study_settings(args, {
        "signal.timezone": ("--tz", tz), "batch.workers": ("--workers", args.workers),
        "batch.scheduler": ("--scheduler", args.scheduler),
        "batch.memory_per_worker_gb": ("--memory-per-worker-gb", args.memory_per_worker_gb)})
    summary = run_batch(args.manifest, args.out, task=task, settings=settings, force=args.force,
                        progress=not args.no_progress)
    print(summary.summary())
    if summary.failed:
        print(f"{summary.failed} of {summary.total} participant(s) failed", file=sys.stderr)
    return summary.exit_status


def _load_task(spec: str):
    from walkback.errors import SettingsError

    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SettingsError(f"--task {spec!r}: cannot import ({exc})") from exc
