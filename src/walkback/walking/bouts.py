"""Walking bouts from the epoch timeline.

A bout is a run of walking epochs; runs separated by less than ``bout_gap_s`` of anything else
(other classes, non-wear, unrecorded time) are merged; a bout counts when its span, first walking
second to last, is at least ``bout_min_s``. Times are UTC ns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def walking_bouts(
    start_ns: np.ndarray, walking: np.ndarray, epoch_s: float, min_s: float, gap_s: float
) -> pd.DataFrame:
    """Bouts as a DataFrame: ``start_ns``, ``stop_ns`` (int64 UTC ns, stop exclusive), ``duration_s``,
    ``walking_s`` (walking time inside the bout). ``start_ns`` (sorted) and ``walking`` (bool) are
    per epoch."""
    t = np.asarray(start_ns, dtype=np.int64)[np.asarray(walking, dtype=bool)]
    cols = {"start_ns": np.zeros(0, np.int64), "stop_ns": np.zeros(0, np.int64),
            "duration_s": np.zeros(0), "walking_s": np.zeros(0)}
    if t.size == 0:
        return pd.DataFrame(cols)
    ep_ns = int(round(epoch_s * 1e9))
    gap = t[1:] - (t[:-1] + ep_ns)
    new = np.concatenate([[True], gap >= int(round(gap_s * 1e9))])
    bout_id = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:] - 1, [t.size - 1]])
    start, stop = t[first], t[last] + ep_ns
    n_ep = np.bincount(bout_id)
    dur = (stop - start) / 1e9
    keep = dur >= min_s
    return pd.DataFrame({"start_ns": start[keep], "stop_ns": stop[keep], "duration_s": dur[keep],
                         "walking_s": (n_ep * epoch_s)[keep].astype(float)})
