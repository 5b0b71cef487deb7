"""A plausible daily schedule of activity blocks for simulated recordings.

Local time of day drives it: a night in bed, then, while awake, sitting, standing, walking bouts
of several paces (some with stairs), a little lying on a sofa, and on some days a run. Blocks are
:class:`Block` s with SELFBACK activity names (see ``_recording_snippets``).

A night (:func:`night`) is, in order:

* **going to bed**: standing 1-4 min (washing, brushing teeth), then a short walk to bed;
* **falling asleep**: lying awake for the sleep-onset latency, 3-45 min (gamma, mean 15 min;
  PSG norms for adults are 10-20 min), with the real movement of SELFBACK's awake lying and no
  scripted restlessness;
* **sleep**: lying in postures held 5-120 min each (gamma, mean 37.5 min: 1.6 position shifts
  per hour) and chosen with the shares Skarpsno et al. measured in bed with thigh + trunk
  accelerometers (Nat Sci Sleep 2017;9:267-275): side 54 %, back (supine) 37.5 %, front
  (prone) 7.5 %; every change is a turn over;
* **one wake bout** 30-70 % into the sleep: a bathroom trip (65 %: a minute or two awake and
  restless in bed, standing, walking, standing a few minutes, walking back, then lying awake
  2-12 min, as when falling asleep, before sleeping again) or lying awake and restless for
  8-30 min, turning over 1-3 times (35 %);
* **waking up**: lying awake and restless 2-15 min, then getting up (standing 30 s-2 min and a
  short walk).

A night runs from the bedtime to the next day's wake time, both on the local clock: the night
the clocks go back is an hour longer in elapsed time (a 25-h day), the night they go forward an
hour shorter, as for a sleeper who keeps to the clock.

Only the sleep blocks are asleep (``Block.asleep``); that is the truth the sleep detector is
checked against.

Two knobs shape the walking (the defaults give ~90-100 min/day of walking in 5-min bouts):
``walking_share`` is the chance that an awake block is a walking bout (the other awake activities
keep their relative chances), and ``intermittent`` the chance that a walking bout is instead an
errand: 2-6 min of short walks (8-40 s) between short stands (3-20 s), the pattern of shop, office
or household walking, which gives many short walking runs. ``walking_share=0.65, intermittent=0.7`` gives ~240-260 min/day
of walking in ~360-410 walks a day (a very active person; the high-walking benchmark week).
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

import numpy as np
import pandas as pd

from walkback.errors import SettingsError

_PACES = ("walk_slow", "walk_mod", "walk_fast")
#: Default chance that an awake block is a walking bout.
WALKING_SHARE = 0.28

#: Lying postures (roll of the body about its long axis, degrees: 0 on the back, +/-90 on a side,
#: 180 on the front) and their shares of time in bed (Skarpsno et al. 2017).
POSTURES_DEG: tuple[float, ...] = (0.0, 90.0, -90.0, 180.0)
POSTURE_SHARES: tuple[float, ...] = (0.375, 0.27, 0.27, 0.085)


class Block(NamedTuple):
    """One stretch of the schedule.

    activity: SELFBACK activity name; duration_s: seconds; posture_deg: roll about the body's
    long axis while lying (:data:`POSTURES_DEG`; 0 otherwise); asleep: the truth sleep;
    restless: lying awake in bed with scripted movement (fidgeting, small adjustments) on top of
    the real awake-lying signal.
    """

    activity: str
    duration_s: float
    posture_deg: float = 0.0
    asleep: bool = False
    restless: bool = False


def schedule(start_ns: int, days: float, timezone: str, rng: np.random.Generator, *,
             walking_share: float = WALKING_SHARE, intermittent: float = 0.0) -> list[Block]:
    """Blocks covering ``days`` x 24 h of wall time from ``start_ns`` (UTC ns), local-time aware.

    ``walking_share`` in [0, 0.95], ``intermittent`` in [0, 1] (see the module docstring).
    """
    if not 0.0 <= walking_share <= 0.95:
        raise SettingsError(f"schedule: walking_share must be in [0, 0.95], got {walking_share}")
    if not 0.0 <= intermittent <= 1.0:
        raise SettingsError(f"schedule: intermittent must be in [0, 1], got {intermittent}")
    total_s = days * 86400.0
    t0 = pd.Timestamp(int(start_ns), unit="ns", tz="UTC").tz_convert(timezone)
    blocks: list[Block] = []
    elapsed = 0.0
    day_plan = _day_plan(rng)
    last_date = t0.date()
    while elapsed < total_s:
        now = t0 + pd.Timedelta(seconds=elapsed)
        if now.date() != last_date:
            day_plan, last_date = _day_plan(rng), now.date()
        hour = now.hour + now.minute / 60 + now.second / 3600
        wake, bed, run_at = day_plan
        if hour >= bed or hour < wake - 1.0 / 60.0:
            if hour >= bed:  # tonight ends at tomorrow's wake time: draw tomorrow's plan now
                day_plan = _day_plan(rng)
                last_date = now.date() + datetime.timedelta(days=1)
                until = _local_time_s(now, last_date, day_plan[0])
            else:
                until = _local_time_s(now, now.date(), wake)
            length = float(np.round(min(max(60.0, until), total_s - elapsed)))
            if length <= 0:
                break
            for b in night(length, rng):
                _append(blocks, b)
                elapsed += b.duration_s
            continue
        if run_at is not None and run_at <= hour < run_at + 0.5:
            pieces = [("jogging", float(rng.uniform(10, 25) * 60))]
            day_plan = (wake, bed, None)
        else:
            act, dur = _awake_block(rng, walking_share)
            cap = max(30.0, (bed - hour) * 3600.0)
            if act in _PACES and intermittent > 0 and rng.random() < intermittent:
                pieces = _errand(rng, act, cap)
            else:
                pieces = [(act, min(dur, cap))]
        stop = False
        for act, d in pieces:
            dur = float(np.round(min(d, total_s - elapsed)))
            if dur <= 0:
                stop = True
                break
            _append(blocks, Block(act, dur))
            elapsed += dur
        if stop:
            break
    return blocks


def _local_time_s(now: pd.Timestamp, date: datetime.date, hour: float) -> float:
    """Seconds of elapsed time from ``now`` (tz-aware) to ``hour`` (local clock hours) on the local
    ``date``: a difference of instants, not of clock readings, so a night across a clock change
    lasts to the local wake time (an hour longer when the clocks go back, shorter when they go
    forward). A clock time the change skips is taken just after it, a repeated one the first time."""
    target = (pd.Timestamp(date) + pd.Timedelta(hours=hour)).tz_localize(
        now.tz, ambiguous=True, nonexistent="shift_forward")
    return (target - now).total_seconds()


def _append(blocks: list[Block], b: Block) -> None:
    """Add ``b``, merging it into the previous block when both are the same upright activity."""
    if b.duration_s <= 0:
        return
    if blocks and blocks[-1].activity == b.activity and b.activity != "lying":
        blocks[-1] = blocks[-1]._replace(duration_s=blocks[-1].duration_s + b.duration_s)
    else:
        blocks.append(b)


def night(length_s: float, rng: np.random.Generator) -> list[Block]:
    """The blocks of one night in bed lasting ``length_s`` seconds (see the module docstring);
    durations are whole seconds summing to ``length_s``."""
    length_s = float(np.round(length_s))
    routine = [Block("standing", float(rng.uniform(1.0, 4.0) * 60.0)),
               Block("walk_slow", float(rng.uniform(10.0, 40.0)))]
    onset = float(np.clip(rng.gamma(2.0, 7.5), 3.0, 45.0) * 60.0)
    morning = float(rng.uniform(2.0, 15.0) * 60.0)
    getting_up = [Block("standing", float(rng.uniform(30.0, 120.0))),
                  Block("walk_slow", float(rng.uniform(10.0, 40.0)))]
    posture = _posture(rng, None)
    out = routine + [Block("lying", onset, posture, False, False)]
    sleep_s = (length_s - sum(b.duration_s for b in out) - morning
               - sum(b.duration_s for b in getting_up))
    if sleep_s < 3600.0:  # a short night (the recording starts or ends in it): no wake bout
        out += _sleep(max(0.0, length_s - sum(b.duration_s for b in out)), posture, rng)
        return _whole_seconds(out, length_s)
    bout = _wake_bout(rng)
    bout_s = sum(b.duration_s for b in bout)
    before = (sleep_s - bout_s) * float(rng.uniform(0.3, 0.7))
    after = sleep_s - bout_s - before
    first = _sleep(before, posture, rng)
    posture = first[-1].posture_deg if first else posture
    bout = [b._replace(posture_deg=posture) if i == 0 and b.activity == "lying" else b
            for i, b in enumerate(bout)]
    bout = _repose(bout, rng)
    posture = next((b.posture_deg for b in reversed(bout) if b.activity == "lying"), posture)
    second = _sleep(after, posture, rng)
    posture = second[-1].posture_deg if second else posture
    out += first + bout + second + [Block("lying", morning, posture, False, True)] + getting_up
    return _whole_seconds(out, length_s)


def _posture(rng: np.random.Generator, current: float | None) -> float:
    """A posture (degrees) drawn with :data:`POSTURE_SHARES`, different from ``current``."""
    p = np.array(POSTURE_SHARES)
    if current is not None:
        p = np.where(np.array(POSTURES_DEG) == current, 0.0, p)
    return float(POSTURES_DEG[int(rng.choice(len(p), p=p / p.sum()))])


def _sleep(total_s: float, posture: float, rng: np.random.Generator) -> list[Block]:
    """Asleep lying for ``total_s``: the current posture, then a new one every 5-120 min."""
    out: list[Block] = []
    left = total_s
    while left > 0:
        dur = min(left, float(np.clip(rng.gamma(2.0, 18.75), 5.0, 120.0) * 60.0))
        out.append(Block("lying", dur, posture, True, False))
        left -= dur
        posture = _posture(rng, posture)
    return out


def _wake_bout(rng: np.random.Generator) -> list[Block]:
    """A bathroom trip or a restless spell in bed (postures of lying blocks set later)."""
    if rng.random() < 0.65:
        return [Block("lying", float(rng.uniform(1.0, 3.0) * 60.0), 0.0, False, True),
                Block("standing", float(rng.uniform(20.0, 60.0))),
                Block("walk_slow", float(rng.uniform(30.0, 90.0))),
                Block("standing", float(rng.uniform(60.0, 240.0))),
                Block("walk_slow", float(rng.uniform(30.0, 90.0))),
                Block("lying", float(rng.uniform(2.0, 12.0) * 60.0), 0.0, False, False)]
    total = float(rng.uniform(8.0, 30.0) * 60.0)
    k = int(rng.integers(2, 5))  # 1-3 turns over
    cuts = np.sort(rng.uniform(0.0, total, k - 1))
    parts = np.diff(np.concatenate([[0.0], cuts, [total]]))
    return [Block("lying", float(d), 0.0, False, True) for d in parts]


def _repose(bout: list[Block], rng: np.random.Generator) -> list[Block]:
    """Postures of a wake bout's lying blocks: the first keeps the sleeper's posture; each later
    one (back in bed, or a turn over) is a new one."""
    out: list[Block] = []
    current: float | None = None
    for b in bout:
        if b.activity != "lying":
            out.append(b)
            current = None
            continue
        current = b.posture_deg if not out else _posture(rng, current)
        out.append(b._replace(posture_deg=current))
    return out


def _whole_seconds(blocks: list[Block], length_s: float) -> list[Block]:
    """Blocks with whole-second durations that sum to ``length_s`` (the last absorbs the
    rounding); blocks rounded to nothing are dropped."""
    out: list[Block] = []
    used = 0.0
    for b in blocks:
        d = float(np.round(b.duration_s))
        d = min(d, length_s - used)
        if d > 0:
            out.append(b._replace(duration_s=d))
            used += d
    if out and used < length_s:
        out[-1] = out[-1]._replace(duration_s=out[-1].duration_s + (length_s - used))
    return out


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
