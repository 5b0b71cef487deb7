"""Real recordings as arrays for the signal tests, and long two-sensor signals stitched from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FS = 50.0


def load_harth(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """time_ns (UTC), thigh (n,3) g, back (n,3) g, labels from a HARTH-layout CSV."""
    d = pd.read_csv(path)
    t = pd.to_datetime(d["timestamp"]).to_numpy("datetime64[ns]").astype(np.int64)
    thigh = d[["thigh_x", "thigh_y", "thigh_z"]].to_numpy(np.float32)
    back = d[["back_x", "back_y", "back_z"]].to_numpy(np.float32)
    return t, thigh, back, d["label"].to_numpy()


def load_selfback(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """time_ns (UTC) and thigh (n,3) g from a SELFBACK CSV."""
    d = pd.read_csv(path)
    t = pd.to_datetime(d["time"]).to_numpy("datetime64[ns]").astype(np.int64)
    return t, d[["x", "y", "z"]].to_numpy(np.float32)


def _real_pairs(harth, har70) -> tuple[np.ndarray, np.ndarray]:
    """Thigh and back of HARTH S006 (100 Hz, every 2nd sample) and HAR70+ 501 (50 Hz), at 50 Hz."""
    th = np.concatenate([harth[1][::2], har70[1]])
    bk = np.concatenate([harth[2][::2], har70[2]])
    return th, bk


def stitched(harth, har70, hours: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``hours`` of 50 Hz thigh+back built from random 4-40 s pieces of the real recordings (same
    cut points in both sensors, 0.5-s cross-fades so the joins make no common spikes)."""
    th, bk = _real_pairs(harth, har70)
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 * FS)
    out_t = np.empty((n, 3), np.float32)
    out_b = np.empty((n, 3), np.float32)
    fade = np.linspace(0, 1, 25, dtype=np.float32)[:, None]
    i = 0
    while i < n:
        L = int(rng.uniform(4, 40) * FS)
        a = int(rng.integers(0, th.shape[0] - L))
        L = min(L, n - i)
        seg_t, seg_b = th[a : a + L].copy(), bk[a : a + L].copy()
        if i >= 25 and L > 25:
            seg_t[:25] = out_t[i - 25 : i] * (1 - fade) + seg_t[:25] * fade
            seg_b[:25] = out_b[i - 25 : i] * (1 - fade) + seg_b[:25] * fade
            i -= 25
        out_t[i : i + L] = seg_t
        out_b[i : i + L] = seg_b
        i += L
    return out_t, out_b
