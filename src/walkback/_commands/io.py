"""``walkback info FILE``: what a device file holds (header, duration, rates, gaps, rejected blocks)."""

from __future__ import annotations

import argparse
import collections
import json
from datetime import UTC, datetime
from pathlib import Path

from walkback._commands._common import add_settings, add_tz, study_settings, tz_arg


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "info",
        help="describe a device or CSV recording: header, duration, rates, gaps, rejected blocks",
    )
    p.add_argument("file", type=Path, help=".cwa, .gt3x, GENEActiv .bin or CSV file")
    add_tz(p, "IANA zone of the device clock (default: the settings file's [signal] timezone, "
              "else Europe/Oslo for Axivity and GENEActiv without a header zone, UTC for CSV)")
    add_settings(p)
    p.add_argument("--max-rows", type=int, default=10, help="gaps / rejected blocks listed")
    p.add_argument("--json", action="store_true", help="print RecordingInfo as JSON instead")
    p.set_defaults(func=_info)


def _utc(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


def _duration(seconds: float) -> str:
    d, rem = divmod(int(round(seconds)), 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return (f"{d} d " if d else "") + f"{h:02d}:{m:02d}:{s:02d} ({seconds:,.1f} s)"


def _table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def format_info(rec, max_rows: int = 10) -> str:
    """A readable multi-section summary of a Recording's info."""
    i = rec.info
    rows = [
        ("file", i.path), ("format", i.format), ("device", f"{i.device} {i.device_id}".strip()),
        ("session", i.session_id or "-"), ("start", _utc(i.start_ns)), ("stop", _utc(i.stop_ns)),
        ("duration", _duration(rec.duration_s)), ("samples", f"{i.n_samples:,}"),
        ("blocks read", f"{i.n_blocks:,}"), ("nominal rate", f"{i.nominal_rate_hz:g} Hz"),
        ("measured rate", f"{i.measured_rate_hz:.4f} Hz (gaps excluded)"),
        ("range", f"+/-{i.range_g:g} g"),
        ("time zone", i.timezone or f"file offset {i.extra.get('utc_offset_s', 0):+g} s"),
        ("gaps", f"{len(i.gaps)} totalling {sum(g['duration_s'] for g in i.gaps):,.1f} s"),
        ("rejected blocks", str(len(i.rejected_blocks))),
    ]
    for name in ("temperature", "battery", "light"):
        ch = getattr(rec, name)
        if ch is not None and ch.values.size:
            rows.append((name, f"{ch.values.min():.2f} .. {ch.values.max():.2f} {ch.unit} "
                               f"({ch.values.size} values)"))
    out = ["Recording", _table(rows)]
    if i.gaps:
        out.append(f"\nGaps (first {min(max_rows, len(i.gaps))} of {len(i.gaps)})")
        out.append(_table([(_utc(g["start_ns"]), f"{g['duration_s']:,.3f} s")
                           for g in i.gaps[:max_rows]]))
    if i.rejected_blocks:
        by_reason = collections.Counter(b["reason"] for b in i.rejected_blocks)
        out.append("\nRejected blocks by reason")
        out.append(_table([(r, str(c)) for r, c in by_reason.most_common()]))
        out.append("  blocks: " + ", ".join(str(b["block"]) for b in i.rejected_blocks[:max_rows])
                   + (" ..." if len(i.rejected_blocks) > max_rows else ""))
    if i.warnings:
        out.append("\nWarnings")
        out.extend(f"  - {w}" for w in i.warnings)
    return "\n".join(out)


def _info(args: argparse.Namespace) -> int:
    from walkback.io import read, read_harth_csv, sniff
    from walkback.io.csvfiles import HARTH_COLUMNS

    tz = tz_arg(args)
    if tz is None and args.settings is not None:
        s = study_settings(args)
        if s.source_of("signal.timezone") != "default":
            tz = s.signal.timezone
    recs = {}
    if sniff(args.file) == "csv":
        import pandas as pd

        if set(HARTH_COLUMNS) <= set(pd.read_csv(args.file, nrows=0).columns):
            recs = read_harth_csv(args.file, timezone=tz or "UTC")
    if not recs:
        recs = {"": read(args.file, timezone=tz)}
    for name, rec in recs.items():
        if args.json:
            import dataclasses

            print(json.dumps(dataclasses.asdict(rec.info), indent=2, default=str))
            continue
        if name:
            print(f"\n[{name} sensor]")
        print(format_info(rec, args.max_rows))
    return 0
