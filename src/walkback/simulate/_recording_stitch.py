"""Stitching real thigh snippets into a continuous signal, and a posture-consistent back signal.

All signals here are 50 Hz, canonical axes (:mod:`walkback.signal.types`), g. Consecutive pieces
(tiles of one snippet, or different activities) overlap by ``fade_s`` and are blended with a
raised-cosine crossfade, so neither gravity nor gait has step discontinuities.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps

from walkback.simulate._recording_snippets import FS_HZ, SnippetLibrary

#: Truth label codes (SELFBACK activity names), in order.
CODES: tuple[str, ...] = ("lying", "sitting", "standing", "walk_slow", "walk_mod", "walk_fast",
                          "upstairs", "downstairs", "jogging")

_LEAN_DEG = {"standing": 4.0, "walk_slow": 6.0, "walk_mod": 7.0, "walk_fast": 8.0,
             "upstairs": 12.0, "downstairs": 3.0, "jogging": 12.0}
_BACK_GAIN = {"walk_slow": 0.45, "walk_mod": 0.45, "walk_fast": 0.45, "upstairs": 0.4,
              "downstairs": 0.5, "jogging": 0.5, "standing": 0.3, "sitting": 0.2, "lying": 0.2}


def stitch(blocks: list[tuple[str, float]], lib: SnippetLibrary, rng: np.random.Generator,
           fade_s: float = 1.0, noise_g: float = 0.004, back_tilt_deg: np.ndarray | None = None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thigh (n, 3), back (n, 3) float32 and int8 label codes (n,) for the schedule ``blocks``.

    ``back_tilt_deg`` (one per block, degrees, forward positive): the back sensor of that block
    is rotated forward about the lateral (canonical y) axis, as if the trunk bent forward; the
    random draws do not depend on it, so everything else is as without it."""
    fs = FS_HZ
    n = int(round(sum(d for _, d in blocks) * fs))
    F = int(round(fade_s * fs))
    thigh = np.zeros((n + F, 3), np.float32)
    back = np.zeros((n + F, 3), np.float32)
    codes = np.zeros(n, np.int8)
    w = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, F, dtype=np.float32)))[:, None]
    hp = sps.butter(2, 0.3, btype="highpass", fs=fs, output="sos")
    hp_cache: dict[tuple[str, int], np.ndarray] = {}
    pos = 0
    for bi, (act, dur) in enumerate(blocks):
        m = int(round(dur * fs))
        codes[pos : pos + m] = CODES.index(act)
        k = int(rng.integers(len(lib.snippets[act])))
        snip = lib.snippets[act][k][1]
        if (act, k) not in hp_cache:
            hp_cache[(act, k)] = sps.sosfiltfilt(hp, snip, axis=0).astype(np.float32)
        snip_hp = hp_cache[(act, k)]
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
