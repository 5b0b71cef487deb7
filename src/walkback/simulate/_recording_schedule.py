"""A plausible daily schedule of activity blocks for simulated recordings.

Local time of day drives it: sleep (lying) at night, then, while awake, sitting, standing, walking
bouts of several paces (some with stairs), a little lying on a sofa, and on some days a run. Night lying is split
into 20-90 min blocks, each with its own lying snippet (a turn in bed). Blocks
are ``(activity, duration_s)`` with SELFBACK activity names (see ``_recording_snippets``).

Two knobs shape the walking (the defaults give ~90-100 min/day of walking in 5-min bouts):
``walking_share`` is the chance that an awake block is a walking bout (the other awake activities
keep their relative chances), and ``intermittent`` the chance that a walking bout is instead an
errand: 2-6 min of short walks (8-40 s) between short stands (3-20 s), the pattern of shop, office
or household walking, which gives many short walking runs. ``walking_share=0.65, intermittent=0.7`` gives ~240-260 min/day
of walking in ~360-410 walks a day (a very active person; the high-walking benchmark week).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from walkback.errors import SettingsError

_PACES = ("walk_slow", "walk_mod", "walk_fast")
#: Default chance that an awake block is a walking bout.
WALKING_SHARE = 0.28


def schedule(start_ns: int, days: float, timezone: str, rng: np.random.Generator, *,
             walking_share: float = WALKING_SHARE, intermittent: float = 0.0) -> list[tuple[str, float]]:
    """Blocks covering ``days`` x 24 h of wall time from ``start_ns`` (UTC ns), local-time aware.

    ``walking_share`` in [0, 0.95], ``intermittent`` in [0, 1] (see the module docstring); the
    defaults reproduce the historical schedules draw for draw.
    """
    if not 0.0 <= walking_share <= 0.95:
        raise SettingsError(f"schedule: walking_share must be in [0, 0.95], got {walking_share}")
    if not 0.0 <= intermittent <= 1.0:
        raise SettingsError(f"schedule: intermittent must be in [0, 1], got {intermittent}")
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
            pieces = [("lying", min(max(60.0, (until - hour) * 3600.0), float(rng.uniform(20, 90) * 60)))]
        elif run_at is not None and run_at <= hour < run_at + 0.5:
            pieces = [("jogging", float(rng.uniform(10, 25) * 60))]
            day_plan = (wake, bed, None)
        else:
            act, dur = _awake_block(rng, walking_share)
            cap = max(30.0, (bed - hour) * 3600.0)
            if act in _PACES and intermittent > 0 and rng.random() < intermittent:
                pieces = _errand(rng, act, cap)
            else:
                pieces = [(act, min(dur, cap))]
        for act, d in pieces:
            dur = float(np.round(min(d, total_s - elapsed)))
            if dur <= 0:
                break
            if blocks and blocks[-1][0] == act and act != "lying":
                blocks[-1] = (act, blocks[-1][1] + dur)
            else:
                blocks.append((act, dur))
            elapsed += dur
        else:
            continue
        break
    return blocks


def _day_plan(rng: np.random.Generator) -> tuple[float, float, float | None]:
    wake = float(rng.normal(7.0, 0.6))
    bed = float(np.clip(rng.normal(23.0, 0.6), 21.5, 23.9))
    run_at = float(rng.uniform(16.0, 19.0)) if rng.random() < 0.35 else None
    return wake, bed, run_at


def _awake_block(rng: np.random.Generator, walking_share: float = WALKING_SHARE) -> tuple[str, float]:
    # the non-walking thresholds scale with 1 - walking_share (exactly 1 at the default)
    k = 1.0 if walking_share == WALKING_SHARE else (1.0 - walking_share) / (1.0 - WALKING_SHARE)
    r = rng.random()
    if r < 0.38 * k:
        return "sitting", float(rng.gamma(2.0, 12.0) * 60 + 60)
    if r < 0.62 * k:
        return "standing", float(rng.uniform(0.5, 8.0) * 60)
    if r < 0.67 * k:
        return "lying", float(rng.uniform(5, 30) * 60)
    if r < 0.72 * k:
        return ("upstairs", "downstairs")[int(rng.integers(2))], float(rng.uniform(10, 30))
    pace = _PACES[int(rng.choice(3, p=[0.3, 0.4, 0.3]))]
    return pace, float(rng.gamma(1.5, 3.0) * 60 + 20)


def _errand(rng: np.random.Generator, pace: str, cap_s: float) -> list[tuple[str, float]]:
    """2-6 min (at most ``cap_s``) of short walks at ``pace`` between short stands, whole seconds."""
    total = min(float(rng.uniform(2.0, 6.0) * 60), cap_s)
    out: list[tuple[str, float]] = []
    t = 0.0
    while t < total:
        walk = float(np.round(rng.uniform(8.0, 40.0)))
        stand = float(np.round(rng.uniform(3.0, 20.0)))
        out += [(pace, walk), ("standing", stand)]
        t += walk + stand
    return out
