"""A small progress display with rate and ETA (no third-party dependency).

On a terminal it redraws one line on stderr; otherwise (a log file, a cluster job's output) it
writes a log line at most every ``every_s`` seconds and at the end.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

__all__ = ["Progress", "format_duration"]

log = logging.getLogger("walkback.batch")


def format_duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``42s``; ``?`` when unknown."""
    if seconds != seconds or seconds == float("inf") or seconds < 0:
        return "?"
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


class Progress:
    """Counts finished participants of ``total`` to process; shows done/failed, rate, ETA."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        every_s: float = 10.0,
        width: int = 28,
    ) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = every_s
        self.width = width
        self.done = 0
        self.failed = 0
        self._t0 = time.monotonic()
        self._last = -float("inf")

    def update(self, failed: bool = False) -> None:
        """One more participant finished (``failed`` when it failed)."""
        self.done += 1
        self.failed += int(failed)
        now = time.monotonic()
        if self.done == self.total or now - self._last >= (0.2 if self.tty else self.every_s):
            self._last = now
            self._show(final=self.done == self.total)

    def line(self) -> str:
        """The current progress text."""
        elapsed = time.monotonic() - self._t0
        rate_h = self.done / elapsed * 3600 if elapsed > 0 else float("nan")
        eta = (self.total - self.done) / (rate_h / 3600) if self.done else float("nan")
        frac = self.done / self.total if self.total else 1.0
        fill = int(frac * self.width)
        bar = "#" * fill + "." * (self.width - fill)
        return (
            f"[{bar}] {self.done}/{self.total} ({frac:4.0%}) failed {self.failed} | "
            f"{rate_h:,.0f}/h | elapsed {format_duration(elapsed)} | ETA {format_duration(eta)}"
        )

    def close(self) -> None:
        """Finish the display (newline on a terminal)."""
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, final: bool) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r" + self.line())
            self.stream.flush()
        else:
            log.info("progress %s", self.line())
