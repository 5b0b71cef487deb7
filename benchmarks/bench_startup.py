"""Benchmark: what ``walkback process-one`` imports before it reads the first byte of a sensor file.

A child ``python -X importtime`` runs the CLI with an audit hook that, at the first ``open()`` of a
``.cwa`` file, prints a marker and ends the process. The import lines before the marker are what
the command paid for before reading: their self times are summed (``-X importtime`` itself adds a
little). Also timed: ``walkback --help`` (wall, fresh process). Target (issue 14): < 0.5 s of
imports before the first byte.

Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeat 3] [--no-append]``. Prints the
figures and appends them to BENCHMARKS.md (machine, date, command). Timings are noisy on the
shared machine: the median of ``--repeat`` runs is reported.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, append_section

HOOK = """
import os, sys, time
T0 = time.perf_counter()
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and str(args[0]).endswith(".cwa"):
        sys.stderr.write(f"@@FIRST_BYTE {time.perf_counter() - T0:.4f}\\n")
        sys.stderr.flush()
        os._exit(0)
sys.addaudithook(hook)
from walkback.cli import main
sys.exit(main(sys.argv[1:]))
"""


def first_byte(cwa: Path) -> tuple[float, float, list[tuple[float, str]]]:
    """(imports before the first byte s, wall to the first byte s, top-level imports by cost)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-X", "importtime", "-c", HOOK, "process-one", "--thigh", str(cwa),
               "--id", "s", "--out", str(Path(tmp) / "o")]
        err = subprocess.run(cmd, capture_output=True, text=True).stderr
    total, top, wall = 0, [], float("nan")
    for line in err.splitlines():
        if line.startswith("@@FIRST_BYTE"):
            wall = float(line.split()[1])
            break
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            total += int(m[1])
            if len(m[3]) == 1:
                top.append((int(m[2]) / 1e6, m[4]))
    return total / 1e6, wall, sorted(top, reverse=True)[:4]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-append", action="store_true")
    args = ap.parse_args()
    cwa = ROOT / "tests" / "data" / "ax3_testfile.cwa"
    runs = [first_byte(cwa) for _ in range(args.repeat)]
    imp = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    exe = Path(sys.executable).with_name("walkback")
    helps = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        helps.append(time.perf_counter() - t0)
    top = ", ".join(f"{n} {s:.3f} s" for s, n in runs[-1][2])
    lines = [f"- process-one, imports before the first byte of the sensor file: {imp:.3f} s (median of "
             f"{len(runs)}; {min(r[0] for r in runs):.3f}-{max(r[0] for r in runs):.3f}), wall to the "
             f"first byte {wall:.3f} s; largest top-level imports: {top} (target < 0.5 s)",
             f"- `walkback --help`: {statistics.median(helps):.3f} s wall (median of {len(helps)})"]
    print("\n".join(lines))
    if not args.no_append:
        append_section("Start-up imports", lines, "bench_startup.py",
                       "; shared with other agents (timings noisy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
