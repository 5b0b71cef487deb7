"""acti-motus's thigh classification of one decoded recording, timed (run with the SIDE venv's python).

acti-motus has no .cwa reader: its users read the file with another reader and hand it a pandas
DataFrame (DatetimeIndex, three acceleration columns in g). Here the samples were decoded once by
the benchmark (walkback's reader, not timed) and saved as ``.npz`` (``time_ns`` int64 UTC ns,
``accel_g`` float32 (n, 3) device axes). Timed, as a user runs it: building that DataFrame,
``actimotus.Features().compute(df)`` (resampling to 30 Hz, autocalibration, features) and
``actimotus.Activities().compute(features)`` (activity types at 1 s). Prints one JSON line:
seconds per step, the process's peak resident memory (GB) and the package version.

Usage: ``/tmp/actimotus-venv/bin/python benchmarks/peers/actimotus_thigh.py FILE.npz``
"""

from __future__ import annotations

import json
import resource
import sys
import time
from importlib.metadata import version

import numpy as np
import pandas as pd


def main(path: str) -> int:
    from actimotus import Activities, Features

    with np.load(path) as z:
        t_ns, acc = z["time_ns"], z["accel_g"]
    t0 = time.perf_counter()
    df = pd.DataFrame(acc, columns=["acc_x", "acc_y", "acc_z"],
                      index=pd.DatetimeIndex(pd.to_datetime(t_ns, unit="ns", utc=True), name="datetime"))
    del acc
    t1 = time.perf_counter()
    features = Features().compute(df)
    t2 = time.perf_counter()
    activities, _ = Activities().compute(features)
    t3 = time.perf_counter()
    print(json.dumps({
        "version": version("acti-motus"), "samples": int(t_ns.size), "dataframe_s": t1 - t0,
        "features_s": t2 - t1, "activities_s": t3 - t2, "total_s": t3 - t0,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        "seconds_classified": int(len(activities)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
