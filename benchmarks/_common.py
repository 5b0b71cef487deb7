"""Helpers shared by the benchmark scripts: the machine description and appending to BENCHMARKS.md.

Scripts are run as ``python benchmarks/bench_<stage>.py``, so this folder is on ``sys.path``.
"""

from __future__ import annotations

import os
import platform
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
