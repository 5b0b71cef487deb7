"""Generated days and nights with known sleep for the sleep-detector tests (50 Hz, canonical
axes, g; see walkback.signal.types).

A day is a list of :class:`Seg` s. Each becomes a thigh and a back signal with the posture's
gravity (lying: rolled about the body's long axis, 0 on the back, +/-90 on a side, 180 on the
front), sensor noise (4 mg), breathing (0.25 Hz, below the detector's band), and movement:
``"still"`` (none), ``"twitch"`` (a brief small movement every few minutes, as in sleep),
``"restless"`` (a burst every 10-40 s, awake in bed), ``"tossing"`` (vigorous bursts every
5-20 s, tossing and turning), ``"gait"`` (walking, ~1 Hz strides) or
``"fidget"`` (seated). The activity epochs are what the activity stage would produce from the
posture: ``lying`` (or ``sedentary`` without a back sensor), ``sitting``, ``standing``,
``walking``. A turn over between lying postures is a 3-s roll.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal as sps

from walkback.activity.epochs import EpochInfo, with_epoch_info
from walkback.signal.types import Prepared

FS = 50.0
EPOCH = 250  # samples per 5-s epoch


@dataclass(frozen=True)
class Seg:
    """``minutes`` of ``posture`` (lying, sitting, standing, walking) with ``motion``;
    ``roll_deg`` for lying; ``asleep`` is the truth."""

    posture: str
    minutes: float
    motion: str = "still"
    roll_deg: float = 0.0
    asleep: bool = False


@dataclass(frozen=True)
class Day:
    prepared: Prepared
    epochs: pd.DataFrame
    truth_sleep: np.ndarray  # per epoch
    seg_start_epoch: np.ndarray  # first epoch of each segment


def _gravity(posture: str, roll_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Unit gravity seen by thigh and back (canonical axes) in a posture."""
    if posture == "lying":
        r = np.radians(roll_deg)
        thigh = np.array([0.1, -np.sin(r), np.cos(r)])  # thigh front up when on the back
        back = np.array([0.05, np.sin(r), -np.cos(r)])  # back z posterior: down when supine
    elif posture == "sitting":
        thigh, back = np.array([0.15, 0.0, 1.0]), np.array([0.97, 0.0, 0.2])
    else:  # standing, walking
        thigh, back = np.array([1.0, 0.0, 0.05]), np.array([1.0, 0.0, 0.1])
    return thigh / np.linalg.norm(thigh), back / np.linalg.norm(back)


def _bursts(n: int, every_s: tuple[float, float], len_s: tuple[float, float],
            amp_g: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    out = np.zeros((n, 3))
    sos = sps.butter(2, (1.0, 6.0), btype="bandpass", fs=FS, output="sos")
    t = rng.uniform(0, every_s[1]) * FS
    while True:
        m = int(rng.uniform(*len_s) * FS)
        if t + m >= n:
            return out
        x = sps.sosfilt(sos, rng.standard_normal((m + 50, 3)), axis=0)[50:]
        x *= rng.uniform(*amp_g) / np.sqrt(np.mean(x * x) * 3)
        out[int(t) : int(t) + m] += x * np.hanning(m)[:, None]
        t += m + rng.uniform(*every_s) * FS


def _motion(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "still":
        return np.zeros((n, 3))
    if kind == "twitch":
        return _bursts(n, (180, 900), (0.5, 1.5), (0.03, 0.1), rng)
    if kind == "restless":
        return _bursts(n, (10, 40), (1, 4), (0.1, 0.3), rng)
    if kind == "tossing":
        return _bursts(n, (5, 20), (2, 5), (0.2, 0.5), rng)
    if kind == "fidget":
        return _bursts(n, (20, 90), (1, 3), (0.05, 0.15), rng)
    if kind == "gait":
        t = np.arange(n) / FS
        f = 0.95
        return np.column_stack([0.4 * np.sin(2 * np.pi * f * t) + 0.15 * np.sin(4 * np.pi * f * t),
                                0.05 * np.sin(2 * np.pi * f * t),
                                0.3 * np.cos(2 * np.pi * f * t)])
    raise ValueError(kind)


def build(segs: list[Seg], start: str = "2024-03-11 18:00", timezone: str = "Europe/Oslo",
          back: bool = True, seed: int = 0, step_s: float = 5.0) -> Day:
    """The signals, activity epochs (``step_s`` apart, 5-s windows) and truth of ``segs``."""
    rng = np.random.default_rng(seed)
    start_ns = int(pd.Timestamp(start, tz=timezone).tz_convert("UTC").value)
    lengths = [int(round(s.minutes * 60 * FS)) for s in segs]
    n = sum(lengths)
    thigh = np.empty((n, 3))
    bk = np.empty((n, 3))
    asleep = np.zeros(n, bool)
    cls = np.empty(n, object)
    edges = np.concatenate([[0], np.cumsum(lengths)])
    for s, a, b in zip(segs, edges[:-1], edges[1:], strict=True):
        gt, gb = _gravity(s.posture, s.roll_deg)
        mv = _motion(s.motion, b - a, rng)
        thigh[a:b] = gt + mv
        bk[a:b] = gb + 0.6 * mv if s.motion != "gait" else gb + 0.3 * mv
        asleep[a:b] = s.asleep
        cls[a:b] = s.posture
    for i in range(1, len(segs)):  # a turn over: 3-s roll between lying postures
        p, q = segs[i - 1], segs[i]
        if p.posture == q.posture == "lying" and p.roll_deg != q.roll_deg:
            j0, j1 = edges[i] - 75, edges[i] + 75
            w = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, j1 - j0))
            for k, roll in enumerate(p.roll_deg + (q.roll_deg - p.roll_deg) * w):
                gt, gb = _gravity("lying", roll)
                thigh[j0 + k], bk[j0 + k] = gt, gb
    t = np.arange(n) / FS
    breath = 0.005 * np.sin(2 * np.pi * 0.25 * t)[:, None]
    thigh = (thigh + breath + 0.004 * rng.standard_normal((n, 3))).astype(np.float32)
    bk = (bk + breath + 0.004 * rng.standard_normal((n, 3))).astype(np.float32)
    ok = np.ones(n, bool)
    kw = {"back_g": bk, "back_wear": ok} if back else {}
    prepared = Prepared(fs_hz=FS, start_ns=start_ns, thigh_g=thigh, thigh_wear=ok,
                        timezone=timezone, days=pd.DataFrame(), **kw)
    step = int(round(step_s * FS))
    starts = np.arange(0, n - EPOCH + 1, step)
    centre = starts + EPOCH // 2
    posture = cls[centre]
    study = np.where(posture == "lying", "lying" if back else "sedentary",
                     np.where(posture == "sitting", "sitting" if back else "sedentary", posture))
    ep = pd.DataFrame({"start_ns": start_ns + (starts * 20_000_000).astype(np.int64),
                       "activity": study, "study_class": study,
                       "thigh_wear": True, "back_wear": back})
    with_epoch_info(ep, EpochInfo(window_s=EPOCH / FS, step_s=step_s, timezone=timezone))
    seg_epoch = np.searchsorted(centre, edges[:-1])
    return Day(prepared, ep, asleep[centre], seg_epoch)


def night_with_wake_bout(latency_min: float = 12.0) -> list[Seg]:
    """An evening, a night in bed with turns over and a bathroom trip, and a morning."""
    return [
        Seg("sitting", 60, "fidget"),
        Seg("standing", 3, "fidget"), Seg("walking", 0.5, "gait"),
        Seg("lying", latency_min, "still", 0),  # falling asleep (awake, quiet)
        Seg("lying", 80 - latency_min, "twitch", 0, True),
        Seg("lying", 50, "twitch", 90, True),
        Seg("lying", 40, "twitch", 180, True),
        Seg("lying", 45, "twitch", 90, True),
        Seg("lying", 2, "restless", 90),  # awake, then up to the bathroom
        Seg("standing", 1, "fidget"), Seg("walking", 1, "gait"), Seg("standing", 2, "fidget"),
        Seg("walking", 1, "gait"),
        Seg("lying", 6, "still", -90),  # back in bed, awake
        Seg("lying", 70, "twitch", -90, True),
        Seg("lying", 60, "twitch", 0, True),
        Seg("lying", 55, "twitch", 90, True),
        Seg("lying", 8, "restless", 90),  # awake before getting up
        Seg("standing", 2, "fidget"), Seg("walking", 0.5, "gait"),
        Seg("sitting", 30, "fidget"),
    ]
