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
    g = p.add_argument_group(
        "CSV of another layout",
        "HARTH and SELFBACK CSVs are recognised by their columns; name the columns of any other")
    g.add_argument("--time-column", metavar="COL",
                   help="column of the sample times (default 'time' when --axis-columns is given)")
    g.add_argument("--axis-columns", metavar="X,Y,Z",
                   help="the three acceleration columns, comma-separated (default x,y,z)")
    g.add_argument("--time-unit", choices=["s", "ms", "us", "ns"],
                   help="numeric times: their unit since 1970 (default: text times, ISO 8601)")
    g.add_argument("--time-format", metavar="STRFTIME",
                   help="text times: their strftime pattern (default ISO 8601)")
    g.add_argument("--scale", type=float, default=None,
                   help="factor from the axis columns' unit to g (e.g. 0.10197 for m/s^2)")
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


_CSV_OPTIONS = ("time_column", "axis_columns", "time_unit", "time_format", "scale")


def _read_csv_named(args: argparse.Namespace, tz: str | None):
    """A CSV read with the columns named on the command line."""
    from walkback.errors import SettingsError
    from walkback.io import read_csv

    axes = tuple(c.strip() for c in (args.axis_columns or "x,y,z").split(","))
    if len(axes) != 3 or not all(axes):
        raise SettingsError(f"--axis-columns {args.axis_columns!r}: give three column names "
                            "separated by commas, e.g. ax,ay,az")
    return read_csv(args.file, time_column=args.time_column or "time", time_unit=args.time_unit,
                    time_format=args.time_format, axis_columns=axes,
                    scale=1.0 if args.scale is None else args.scale,
                    timezone=tz or "UTC")


def _zone(args: argparse.Namespace) -> str | None:
    """``--tz``, else the settings file's [signal] timezone when it sets one, else None (the
    format's own default)."""
    tz = tz_arg(args)
    if tz is None and args.settings is not None:
        s = study_settings(args)
        if s.source_of("signal.timezone") != "default":
            tz = s.signal.timezone
    return tz


def _read_for_info(args: argparse.Namespace) -> dict:
    """``{sensor name or "": Recording}`` of the file, as the command's options say."""
    tz = _zone(args)
    from walkback.errors import InputDataError, SettingsError
    from walkback.io import read, read_harth_csv, sniff
    from walkback.io.csvfiles import KNOWN_LAYOUTS, csv_layout, read_csv_header

    fmt = sniff(args.file)
    named = [o for o in _CSV_OPTIONS if getattr(args, o) is not None]
    if fmt != "csv":
        if named:
            flags = ", ".join("--" + o.replace("_", "-") for o in named)
            raise SettingsError(f"{args.file}: {flags} only apply to CSV files; this is {fmt}")
        return {"": read(args.file, timezone=tz)}
    if named:
        return {"": _read_csv_named(args, tz)}
    header = read_csv_header(args.file)
    layout = csv_layout(header)
    if layout == "harth":
        return read_harth_csv(args.file, timezone=tz or "UTC")
    if layout is None:
        raise InputDataError(
            f"{args.file}: CSV columns {header} match no known layout ({KNOWN_LAYOUTS}); "
            "name its columns: --time-column COL --axis-columns X,Y,Z (with --time-unit "
            "s|ms|us|ns for numeric times, --scale for units other than g)")
    return {"": read(args.file, timezone=tz)}


def _info(args: argparse.Namespace) -> int:
    recs = _read_for_info(args)
    for name, rec in recs.items():
        if args.json:
            import dataclasses

            print(json.dumps(dataclasses.asdict(rec.info), indent=2, default=str))
            continue
        if name:
            print(f"\n[{name} sensor]")
        print(format_info(rec, args.max_rows))
    return 0
