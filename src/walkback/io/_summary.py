"""Shared helpers: gaps and measured rate from sample times; checks on decoded arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

NS = 1_000_000_000


def gaps_and_rate(time_ns: np.ndarray, nominal_rate_hz: float) -> tuple[list[dict[str, Any]], float]:
    """Gaps (consecutive samples more than 2 nominal periods apart) and the measured rate.

    The measured rate is the number of sample intervals divided by the time they span, leaving
    gaps out: ``(n - runs) / sum(run spans)``.
    """
    n = time_ns.shape[0]
    if n < 2:
        return [], float("nan")
    d = np.diff(time_ns)
    gi = np.flatnonzero(d > 2 * NS / nominal_rate_hz) if nominal_rate_hz > 0 else np.array([], int)
    gaps = [{"start_ns": int(time_ns[i]), "stop_ns": int(time_ns[i + 1]),
             "duration_s": float(d[i]) / NS} for i in gi]
    span = float(d.sum() - d[gi].sum()) / NS
    measured = (n - 1 - gi.size) / span if span > 0 else float("nan")
    return gaps, measured


def estimate_rate(time_ns: np.ndarray) -> float:
    """A nominal rate from the median sample interval, to 3 significant digits (nan if < 2)."""
    if time_ns.shape[0] < 2:
        return float("nan")
    med = float(np.median(np.diff(time_ns[: 100_000])))
    if med <= 0:
        return float("nan")
    rate = NS / med
    return float(f"{rate:.3g}")
