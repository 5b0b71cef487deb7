"""How many threads one walkback process may use for its own parallel loops.

``WALKBACK_THREADS`` (or the older ``WALKBACK_IO_THREADS``) when set, else min(2, CPUs). The batch
runner sets it to 1 in its worker processes, where parallelism comes from running several
participants at once. Used by the .cwa decoder, the resampling kernel and the decode-ahead thread.
"""

from __future__ import annotations

import os

__all__ = ["worker_threads"]


def worker_threads() -> int:
    """Threads for walkback's own parallel loops (>= 1)."""
    for var in ("WALKBACK_THREADS", "WALKBACK_IO_THREADS"):
        try:
            return max(1, int(os.environ.get(var, "")))
        except ValueError:
            continue
    return max(1, min(2, os.cpu_count() or 1))
