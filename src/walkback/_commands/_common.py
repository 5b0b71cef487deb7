"""Flags every command spells the same way, and the deprecation of older spellings.

One flag name per concept across commands: ``--settings FILE`` (the study settings file, see
:mod:`walkback.study_settings`), ``--tz ZONE`` (IANA time zone), ``--out``. A flag given on the
command line wins over the settings file, which wins over the built-in default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

#: Shown by ``--help`` for every ``--settings`` flag.
SETTINGS_HELP = ("study settings TOML ([signal], [activity], [walking], [batch], [cohort] tables; "
                 "command-line flags win over it)")


def add_settings(p: argparse.ArgumentParser) -> None:
    """``--settings FILE``."""
    p.add_argument("--settings", type=Path, default=None, metavar="TOML", help=SETTINGS_HELP)


def add_tz(p: argparse.ArgumentParser, help: str) -> None:
    """``--tz ZONE`` (default: unset, so the settings file or the built-in default decides), with
    the older ``--timezone`` kept as a deprecated alias."""
    p.add_argument("--tz", default=None, metavar="ZONE", help=help)
    p.add_argument("--timezone", dest="tz_deprecated", default=None, help=argparse.SUPPRESS)


def tz_arg(args: argparse.Namespace) -> str | None:
    """The ``--tz`` value (or the deprecated ``--timezone``'s, with a notice)."""
    old = getattr(args, "tz_deprecated", None)
    if old is not None:
        deprecated("--timezone", "--tz")
        if args.tz is None:
            return old
    return args.tz


def study_settings(args: argparse.Namespace, flags: dict[str, tuple[str, Any]] | None = None):
    """The study settings: the ``--settings`` file (if any), then the command-line ``flags``
    (dotted key -> (flag name, value); a None value is a flag not given), each recorded as coming
    from ``command line <flag>``."""
    from walkback.study_settings import load_study_settings

    settings = load_study_settings(getattr(args, "settings", None))
    for key, (flag, value) in (flags or {}).items():
        settings = settings.with_values({key: value}, f"command line {flag}")
    return settings


def deprecated(old: str, new: str) -> None:
    """Tell a command-line user that ``old`` is an older spelling of ``new``."""
    print(f"walkback: {old} is deprecated and will be removed in the next release; use {new}",
          file=sys.stderr)


def deprecated_alias(subparsers, old: str, new: str, register_args, handler, help_: str) -> None:
    """Register ``old`` as a hidden-in-spirit alias of the command ``new``: same arguments, same
    handler, plus a deprecation notice."""
    p = subparsers.add_parser(old, help=f"(deprecated: use 'walkback {new}') {help_}")
    register_args(p)

    def run(args: argparse.Namespace) -> int:
        deprecated(f"'walkback {old}'", f"'walkback {new}'")
        return handler(args)

    p.set_defaults(func=run)
