"""A plausible daily schedule of activity blocks for simulated recordings.

Local time of day drives it: sleep (lying) at night, then, while awake, sitting, standing, walking
bouts of several paces (some with stairs), a little lying on a sofa, and on some days a run. Night lying is split
into 20-90 min blocks, each with its own lying snippet (a turn in bed). Blocks
are ``(activity, duration_s)`` with SELFBACK activity names (see ``_recording_snippets``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_PACES = ("walk_slow", "walk_mod", "walk_fast")


def schedule(start_ns: int, days: float, timezone: str, rng: np.random.Generator) -> list[tuple[str, float]]:
    """Blocks covering ``days`` x 24 h of wall time from ``start_ns`` (UTC ns), local-time aware."""
    total_s = days * 86400.0
    t0 = pd.Timestamp(int(start_ns), unit="ns", tz="UTC").tz_convert(timezone)
    blocks: list[tuple[str, float]] = []
    elapsed = 0.0
    day_plan = _day_plan(rng)
    last_date = t0.date()
    while elapsed < total_s:
        now = t0 + pd.Timedelta(seconds=elapsed)
        if now.date() != last_date:
            day_plan, last_date = _day_plan(rng), now.date()
        hour = now.hour + now.minute / 60 + now.second / 3600
        wake, bed, run_at = day_plan
        if hour < wake or hour >= bed:
            until = wake if hour < wake else 24.0 + wake
            # sleepers turn over: a new lying posture every 20-90 min
            act, dur = "lying", min(max(60.0, (until - hour) * 3600.0), float(rng.uniform(20, 90) * 60))
        elif run_at is not None and run_at <= hour < run_at + 0.5:
            act, dur = "jogging", float(rng.uniform(10, 25) * 60)
            day_plan = (wake, bed, None)
        else:
            act, dur = _awake_block(rng)
            dur = min(dur, max(30.0, (bed - hour) * 3600.0))
        dur = float(np.round(min(dur, total_s - elapsed)))
        if dur <= 0:
            break
        if blocks and blocks[-1][0] == act and act != "lying":
            blocks[-1] = (act, blocks[-1][1] + dur)
        else:
            blocks.append((act, dur))
        elapsed += dur
    return blocks


def _day_plan(rng: np.random.Generator) -> tuple[float, float, float | None]:
    wake = float(rng.normal(7.0, 0.6))
    bed = float(np.clip(rng.normal(23.0, 0.6), 21.5, 23.9))
    run_at = float(rng.uniform(16.0, 19.0)) if rng.random() < 0.35 else None
    return wake, bed, run_at


def _awake_block(rng: np.random.Generator) -> tuple[str, float]:
    r = rng.random()
    if r < 0.38:
        return "sitting", float(rng.gamma(2.0, 12.0) * 60 + 60)
    if r < 0.62:
        return "standing", float(rng.uniform(0.5, 8.0) * 60)
    if r < 0.67:
        return "lying", float(rng.uniform(5, 30) * 60)
    if r < 0.72:
        return ("upstairs", "downstairs")[int(rng.integers(2))], float(rng.uniform(10, 30))
    pace = _PACES[int(rng.choice(3, p=[0.3, 0.4, 0.3]))]
    return pace, float(rng.gamma(1.5, 3.0) * 60 + 20)
