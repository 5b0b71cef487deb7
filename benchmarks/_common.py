"""Helpers shared by the benchmark scripts: the machine description and appending to BENCHMARKS.md.

Scripts are run as ``python benchmarks/bench_<stage>.py``, so this folder is on ``sys.path``.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    """One line: processor, cores, memory (GB) and Python version."""
    import psutil

    mem = psutil.virtual_memory().total / 2**30
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{mem:.0f} GB, Python {platform.python_version()}")


def append_row(text: str) -> None:
    """Append ``text`` (one row or a whole section) to BENCHMARKS.md, ending in one newline."""
    with (ROOT / "BENCHMARKS.md").open("a", encoding="utf-8") as fh:
        fh.write(text.rstrip("\n") + "\n")


def append_section(title: str, lines: list[str], script: str, note: str = "") -> None:
    """Append a dated ``## title`` section to BENCHMARKS.md: the machine (``note`` follows it,
    e.g. "; shared with other agents"), the command that ran (``python benchmarks/<script>`` and
    this run's arguments) and ``lines``."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    cmd = f"python benchmarks/{script} " + " ".join(sys.argv[1:])
    append_row(f"\n## {title} — {now}\nMachine: {machine()}{note}. Command: `{cmd.strip()}`\n"
               + "\n".join(lines) + "\n")


class PeakRSS:
    """Context manager sampling this process's resident memory (bytes) every 20 ms.

    ``start`` is the RSS on entry and ``peak`` the largest seen until exit.
    """

    def __enter__(self) -> PeakRSS:
        import psutil

        self.proc = psutil.Process()
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def run_sampled(cmd: list[str], env: dict[str, str] | None = None, every_s: float = 0.01
                ) -> tuple[float, int, int, str]:
    """Run ``cmd`` in a child process, sampling its resident memory every ``every_s`` seconds:
    (wall s, peak RSS bytes, return code, stderr text). Output goes to temporary files, not
    pipes, so a child that writes a lot cannot block on a full pipe while it is polled. (Not
    ``ru_maxrss``: Linux keeps a high-water mark across fork + exec, so a child reports its
    parent's peak when that is higher.)"""
    import subprocess
    import tempfile

    import psutil

    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        ps, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            try:
                peak = max(peak, ps.memory_info().rss)
            except psutil.Error:
                break
            time.sleep(every_s)
        proc.wait()
        took = time.perf_counter() - t0
        err.seek(0)
        return took, peak, proc.returncode, err.read().decode("utf-8", "replace")
