"""Stitching real thigh snippets into a continuous signal, and a posture-consistent back signal.

All signals here are 50 Hz, canonical axes (:mod:`walkback.signal.types`), g. Consecutive pieces
(tiles of one snippet, or different activities) overlap by ``fade_s`` and are blended with a
raised-cosine crossfade, so neither gravity nor gait has step discontinuities.

Nights (blocks of :mod:`~walkback.simulate._recording_schedule` with a posture, ``asleep`` or
``restless``) are built from the same real lying snippets, changed in three documented ways:

* **posture**: SELFBACK's lying is on the back only, so side and front lying are the real signal
  rolled about the long axes of thigh and trunk (``posture_deg``); a change of posture is a 3-s
  roll (raised cosine) with a burst of movement, a turn over;
* **asleep**: the snippet keeps its mean orientation and :data:`SLEEP_MOTION_GAIN` of its
  movement (SELFBACK's people lay awake and fidgeted), plus a brief twitch every 3-15 min;
* **restless** (awake in bed): the real snippet plus a burst of movement every 10-40 s.

Bursts are band-limited (1-6 Hz) noise under a Hann window, also seen (scaled) by the back.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps

from walkback.simulate._recording_schedule import Block
from walkback.simulate._recording_snippets import FS_HZ, SnippetLibrary

#: Truth label codes (SELFBACK activity names), in order.
CODES: tuple[str, ...] = ("lying", "sitting", "standing", "walk_slow", "walk_mod", "walk_fast",
                          "upstairs", "downstairs", "jogging")

_LEAN_DEG = {"standing": 4.0, "walk_slow": 6.0, "walk_mod": 7.0, "walk_fast": 8.0,
             "upstairs": 12.0, "downstairs": 3.0, "jogging": 12.0}
_BACK_GAIN = {"walk_slow": 0.45, "walk_mod": 0.45, "walk_fast": 0.45, "upstairs": 0.4,
              "downstairs": 0.5, "jogging": 0.5, "standing": 0.3, "sitting": 0.2, "lying": 0.2}

#: Share of a real lying snippet's movement kept while asleep (see the module docstring).
SLEEP_MOTION_GAIN = 0.1
#: Duration of a turn over (roll between postures), s.
TURN_S = 3.0
#: Bursts: (min, max) seconds between them, (min, max) length s, (min, max) rms amplitude g.
RESTLESS_BURSTS = ((10.0, 40.0), (1.0, 4.0), (0.05, 0.3))
SLEEP_TWITCHES = ((180.0, 900.0), (0.5, 1.5), (0.03, 0.1))
TURN_BURST = (TURN_S, (0.1, 0.25))
#: Share of a burst's thigh amplitude the back sees.
BACK_BURST_GAIN = 0.6



def stitch(blocks: list[Block] | list[tuple[str, float]], lib: SnippetLibrary,
           rng: np.random.Generator, fade_s: float = 1.0, noise_g: float = 0.004,
           back_tilt_deg: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thigh (n, 3), back (n, 3) float32 and int8 label codes (n,) for the schedule ``blocks``
    (:class:`Block` s, or ``(activity, duration_s)`` pairs).

    ``back_tilt_deg`` (one per block, degrees, forward positive): the back sensor of that block
    is rotated forward about the lateral (canonical y) axis, as if the trunk bent forward; the
    random draws do not depend on it, so everything else is as without it."""
    blocks = [Block(*b) for b in blocks]
    fs = FS_HZ
    n = int(round(sum(b.duration_s for b in blocks) * fs))
    F = int(round(fade_s * fs))
    thigh = np.zeros((n + F, 3), np.float32)
    back = np.zeros((n + F, 3), np.float32)
    codes = np.zeros(n, np.int8)
    w = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, F, dtype=np.float32)))[:, None]
    hp = sps.butter(2, 0.3, btype="highpass", fs=fs, output="sos")
    hp_cache: dict[tuple[str, int], np.ndarray] = {}
    pos = 0
    for bi, blk in enumerate(blocks):
        act, dur = blk.activity, blk.duration_s
        m = int(round(dur * fs))
        codes[pos : pos + m] = CODES.index(act)
        k = int(rng.integers(len(lib.snippets[act])))
        snip = lib.snippets[act][k][1]
        if blk.asleep:
            mean = snip.mean(axis=0, keepdims=True)
            snip = (mean + np.float32(SLEEP_MOTION_GAIN) * (snip - mean)).astype(np.float32)
        if (act, k, blk.asleep) not in hp_cache:
            hp_cache[(act, k, blk.asleep)] = sps.sosfiltfilt(hp, snip, axis=0).astype(np.float32)
        snip_hp = hp_cache[(act, k, blk.asleep)]
        back_up = _back_gravity(act, snip, rng)
        tilt = _tilt(0.0 if back_tilt_deg is None else float(back_tilt_deg[bi]))
        end = pos + m
        p = pos
        while p < end:
            length = min(end - p, snip.shape[0] - F - 1)
            off = int(rng.integers(0, snip.shape[0] - length - F + 1))
            piece = snip[off : off + length + F]
            bpiece = back_up + np.float32(_BACK_GAIN[act]) * snip_hp[off : off + length + F]
            if tilt is not None:
                bpiece = bpiece @ tilt.T
            for dst, src in ((thigh, piece), (back, bpiece)):
                if p > 0:
                    dst[p : p + F] = w * src[:F] + (1 - w) * dst[p : p + F]
                else:
                    dst[p : p + F] = src[:F]
                dst[p + F : p + length + F] = src[F:]
            p += length
        pos = end
    thigh, back = thigh[:n], back[:n]
    _roll_postures(blocks, thigh, back, rng)
    _add_bursts(blocks, thigh, back, rng)
    for a in (thigh, back):
        for i in range(0, n, 1_000_000):
            a[i : i + 1_000_000] += np.float32(noise_g) * rng.standard_normal(a[i : i + 1_000_000].shape, np.float32)
    return thigh, back, codes


def _tilt(deg: float) -> np.ndarray | None:
    """Rotation (3, 3) of the canonical back axes bending the trunk ``deg`` forward (about y:
    gravity moves from +x towards +z, the posterior axis), or None for 0."""
    if deg == 0.0:
        return None
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]], np.float32)


def _back_gravity(act: str, snip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gravity seen by the lower-back sensor for a posture (canonical back axes: x up the spine,
    z posterior). Upright classes lean forward a little; sitting leans back or slouches; lying
    follows the thigh's side/supine/prone orientation (back z = -thigh z, back y = -thigh y)."""
    if act == "lying":
        gy, gz = -float(snip[:, 1].mean()), -float(snip[:, 2].mean())
        v = np.array([0.05, gy, gz])
    else:
        lean = _LEAN_DEG.get(act, float(rng.uniform(-20.0, 10.0)))
        lean += float(rng.normal(0, 2.0))
        r = np.radians(lean)
        v = np.array([np.cos(r), float(rng.normal(0, 0.03)), np.sin(r)])
    return (v / np.linalg.norm(v)).astype(np.float32)


def _wrap(deg: float) -> float:
    """``deg`` wrapped into (-180, 180]."""
    return float(-((-deg + 180.0) % 360.0 - 180.0))


def _block_edges(blocks: list[Block]) -> np.ndarray:
    """Sample index of each block's start, and the end (len(blocks) + 1 values)."""
    return np.round(np.cumsum([0.0] + [b.duration_s for b in blocks]) * FS_HZ).astype(np.int64)


def _rotate(a: np.ndarray, lo: int, hi: int, deg: float | np.ndarray) -> None:
    """Roll samples ``[lo, hi)`` of ``a`` (n, 3) by ``deg`` about canonical x, in place."""
    r = np.radians(np.asarray(deg, np.float64))
    c, s = np.cos(r).astype(np.float32), np.sin(r).astype(np.float32)
    y, z = a[lo:hi, 1].copy(), a[lo:hi, 2].copy()
    a[lo:hi, 1] = c * y - s * z
    a[lo:hi, 2] = s * y + c * z


def _roll_postures(blocks: list[Block], thigh: np.ndarray, back: np.ndarray,
                   rng: np.random.Generator) -> None:
    """Roll lying blocks to their posture (thigh and trunk turn together about the body's long
    axis), with a :data:`TURN_S` raised-cosine roll and a movement burst at each change."""
    if not any(b.posture_deg for b in blocks):
        return
    edges = _block_edges(blocks)
    angle = [0.0]
    for b in blocks:  # cumulative angles: every turn takes the short way round
        want = b.posture_deg if b.activity == "lying" else 0.0
        angle.append(angle[-1] + _wrap(want - angle[-1]))
    angle = angle[1:]
    half = int(round(TURN_S * FS_HZ / 2))
    lengths = np.diff(edges)
    for i in range(len(blocks)):
        h0 = min(half, int(lengths[i - 1]) // 2, int(lengths[i]) // 2) if i > 0 else 0
        h1 = min(half, int(lengths[i]) // 2, int(lengths[i + 1]) // 2) if i + 1 < len(blocks) else 0
        lo, hi = int(edges[i]) + h0, int(edges[i + 1]) - h1
        if angle[i] and hi > lo:
            for a in (thigh, back):
                _rotate(a, lo, hi, angle[i])
        if i + 1 < len(blocks) and h1 > 0 and (angle[i] or angle[i + 1]):
            j0, j1 = int(edges[i + 1]) - h1, int(edges[i + 1]) + h1
            w = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, j1 - j0))
            ramp = angle[i] + (angle[i + 1] - angle[i]) * w
            for a in (thigh, back):
                _rotate(a, j0, j1, ramp)
            if angle[i] != angle[i + 1] and blocks[i].activity == blocks[i + 1].activity == "lying":
                amp = float(rng.uniform(*TURN_BURST[1]))
                _burst(thigh, back, j0, j1 - j0, amp, rng)


def _add_bursts(blocks: list[Block], thigh: np.ndarray, back: np.ndarray,
                rng: np.random.Generator) -> None:
    """Movement bursts of restless (awake in bed) and asleep lying blocks."""
    edges = _block_edges(blocks)
    for i, b in enumerate(blocks):
        if b.activity != "lying" or not (b.restless or b.asleep):
            continue
        (g0, g1), (l0, l1), (a0, a1) = RESTLESS_BURSTS if b.restless else SLEEP_TWITCHES
        t = float(edges[i]) + rng.uniform(0.0, g1) * FS_HZ
        while True:
            length = int(round(rng.uniform(l0, l1) * FS_HZ))
            if t + length >= edges[i + 1]:
                break
            _burst(thigh, back, int(t), length, float(rng.uniform(a0, a1)), rng)
            t += length + rng.uniform(g0, g1) * FS_HZ


_BURST_SOS = sps.butter(2, (1.0, 6.0), btype="bandpass", fs=FS_HZ, output="sos")


def _burst(thigh: np.ndarray, back: np.ndarray, at: int, length: int, amp_g: float,
           rng: np.random.Generator) -> None:
    """Add a movement burst (band-limited noise, rms ``amp_g`` under a Hann window) to the thigh
    and, scaled by :data:`BACK_BURST_GAIN`, the back at samples ``[at, at + length)``."""
    length = min(length, thigh.shape[0] - at)
    if length < 4:
        return
    x = sps.sosfilt(_BURST_SOS, rng.standard_normal((length + 50, 3)), axis=0)[50:]
    x *= amp_g / max(float(np.sqrt(np.mean(x * x) * 3)), 1e-9)
    x *= np.hanning(length)[:, None]
    thigh[at : at + length] += x.astype(np.float32)
    back[at : at + length] += (BACK_BURST_GAIN * x).astype(np.float32)
