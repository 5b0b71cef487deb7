"""The ``walkback`` command line: a thin dispatcher.

Each group of subcommands lives in ``walkback/_commands/<group>.py`` and exposes
``register(subparsers)``, which adds its subcommands with ``set_defaults(func=handler)``. A handler
takes the parsed ``argparse.Namespace`` and returns an exit status. Heavy imports happen inside
handlers so that ``walkback --help`` stays fast.

Errors derived from :class:`walkback.errors.WalkbackError` are printed as one clear line and give
exit status 2; anything else is a bug and shows its traceback. Every command names what it writes
with ``--out``: that location is checked before the command runs (so a long computation does not
end in an unwritable folder), and an operating-system error on a named file (an input or output
the user gave) is printed as one line ``walkback CMD: error: PATH: what failed``, also exit 2
(with ``--verbose`` the traceback is logged too).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

# NumPy advises transparent huge pages for large arrays; where the kernel compacts memory on the
# first touch of such pages (THP defrag = "madvise", a common default) a fresh 360 MB array took
# 0.8-1.0 s to fill instead of 0.15 s, and a participant-week ~1.2 s longer. Set before NumPy is
# imported (the commands import it lazily); an explicit user setting wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from walkback import __version__
from walkback.errors import WalkbackError

#: Command modules, in the order their commands appear in ``--help``.
COMMAND_MODULES = (
    "demo",
    "io",
    "activity",
    "walking",
    "batch",
    "cohort",
    "report",
    "simulate",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every available command module registered."""
    parser = argparse.ArgumentParser(
        prog="walkback",
        description="Wearable-accelerometer epidemiology of walking (thigh + lower back).",
    )
    parser.add_argument("--version", action="version", version=f"walkback {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"walkback._commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"walkback._commands.{name}":
                continue  # this command group is not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``walkback`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        out = getattr(args, "out", None)
        if out is not None:
            from walkback._atomic import check_output_location

            check_output_location(out)
        return int(args.func(args) or 0)
    except WalkbackError as exc:
        print(f"walkback {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.filename is None:
            raise  # not about a path the user named: a bug, keep the traceback
        logging.getLogger("walkback").debug("operating-system error", exc_info=True)
        print(f"walkback {args.command}: error: {_os_error_line(exc)}", file=sys.stderr)
        return 2


def _os_error_line(exc: OSError) -> str:
    """``PATH: what failed`` for an OSError that names a file (``-> PATH2`` for a rename)."""
    where = os.fsdecode(exc.filename)
    if getattr(exc, "filename2", None) is not None:
        where += f" -> {os.fsdecode(exc.filename2)}"
    return f"{where}: {exc.strerror or exc}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
