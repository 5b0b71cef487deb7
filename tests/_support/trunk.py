"""Builders for the trunk tests: sensor mountings, known rotations, real HARTH / HAR70+ loops."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from walkback.activity.epochs import EpochInfo, with_epoch_info
from walkback.definitions import STUDY_CLASS
from walkback.io.types import Recording, RecordingInfo

FS = 50.0
BLOCK = 10  # samples per trunk block (0.2 s at 50 Hz, the default resolution)


def mountings() -> list[np.ndarray]:
    """The 24 proper signed permutations: every way a box-shaped sensor can be attached."""
    out = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((-1.0, 1.0), repeat=3):
            m = np.zeros((3, 3))
            m[[0, 1, 2], perm] = signs
            if np.linalg.det(m) > 0:
                out.append(m)
    assert len(out) == 24
    return out


def rotation(axis: np.ndarray, deg: float) -> np.ndarray:
    """Right-handed rotation matrix about unit ``axis`` by ``deg`` degrees (Rodrigues)."""
    k = np.asarray(axis, float) / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    a = np.radians(deg)
    return np.eye(3) + np.sin(a) * K + (1 - np.cos(a)) * K @ K


def recording(start_ns: int, g: np.ndarray, name: str) -> Recording:
    t = start_ns + np.round(np.arange(g.shape[0]) * 1e9 / FS).astype(np.int64)
    return Recording(t, np.ascontiguousarray(g, np.float32),
                     RecordingInfo(path=name, format="test", nominal_rate_hz=FS))


def block_units(g: np.ndarray) -> np.ndarray:
    m = g.shape[0] // BLOCK
    b = g[: m * BLOCK].reshape(m, BLOCK, 3).mean(axis=1).astype(float)
    return b / np.linalg.norm(b, axis=1, keepdims=True)


@dataclass(frozen=True)
class Frame:
    """The true trunk frame in the sensor's own axes: upright, forward, lateral (unit)."""

    up: np.ndarray
    fwd: np.ndarray

    @property
    def lateral_axis(self) -> np.ndarray:
        """Rotating about this by +deg moves ``up`` towards ``fwd`` (a forward bend)."""
        return np.cross(self.up, self.fwd)

    def angles(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = u @ self.up, u @ self.fwd
        return np.degrees(np.arccos(np.clip(a, -1, 1))), np.degrees(np.arctan2(b, a))


def true_frame(g: np.ndarray, walking: np.ndarray, forward_axis: np.ndarray,
               lean_deg: float = 6.0) -> Frame:
    """The reference the method should find, from TRUE labels: median orientation of labelled
    walking samples, tilted back by ``lean_deg`` towards -``forward_axis`` (projected)."""
    u = block_units(g)
    w = walking[: len(u) * BLOCK].reshape(len(u), BLOCK).all(axis=1)
    r = np.median(u[w], axis=0)
    r /= np.linalg.norm(r)
    f = forward_axis - np.dot(forward_axis, r) * r
    f /= np.linalg.norm(f)
    a = np.radians(lean_deg)
    return Frame(np.cos(a) * r - np.sin(a) * f, np.sin(a) * r + np.cos(a) * f)


def label_epochs(labels: np.ndarray, start_ns: int, timezone: str = "Europe/Oslo") -> pd.DataFrame:
    """5-s epochs labelled by the majority sample label (the truth, no classifier)."""
    L = int(5 * FS)
    m = len(labels) // L
    lab = np.array([pd.Series(labels[i * L:(i + 1) * L]).mode()[0] for i in range(m)], object)
    ep = pd.DataFrame({"start_ns": start_ns + np.arange(m, dtype=np.int64) * int(5e9),
                       "activity": lab,
                       "study_class": np.array([STUDY_CLASS.get(a, "other") for a in lab], object),
                       "back_wear": True})
    return with_epoch_info(ep, EpochInfo(5.0, 5.0, timezone))


@dataclass(frozen=True)
class RealLoop:
    """Real thigh + back samples (device axes, 50 Hz) and labels, looped into a longer record."""

    thigh: np.ndarray
    back: np.ndarray
    labels: np.ndarray
    pieces: list[tuple[str, int, int]]  # (excerpt, first sample, stop sample) of each piece


def real_loop(harth_csvs: dict[str, str], reps: int, fade: int = 50) -> RealLoop:
    """HAR70+ 501 and HARTH S006 (every second sample of its 100 Hz) back to back, ``reps``
    times, joined by ``fade``-sample raised-cosine crossfades. Both were recorded with the same
    HARTH sensor placement, so their device axes agree; HAR70+ 501 holds one real
    walking-to-sitting transition, repeated in every loop."""
    from walkback.io import read_harth_csv

    ex = []
    for name, path in harth_csvs.items():
        r = read_harth_csv(path)
        step = 2 if name == "S006" else 1
        ex.append((name, r["thigh"].accel_g[::step].astype(float),
                   r["back"].accel_g[::step].astype(float), r["back"].labels[::step]))
    w = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade)))[:, None]
    th, bk, lb, pieces = None, None, None, []
    for _ in range(reps):
        for name, t, b, lab in ex:
            if th is None:
                th, bk, lb = t.copy(), b.copy(), lab.copy()
                pieces.append((name, 0, len(t)))
                continue
            s0 = len(th) - fade
            th[-fade:] = (1 - w) * th[-fade:] + w * t[:fade]
            bk[-fade:] = (1 - w) * bk[-fade:] + w * b[:fade]
            th = np.concatenate([th, t[fade:]])
            bk = np.concatenate([bk, b[fade:]])
            lb = np.concatenate([lb, lab[fade:]])
            pieces.append((name, s0, s0 + len(t)))
    return RealLoop(th, bk, lb, pieces)


def label_runs(labels: np.ndarray, label: str, min_samples: int) -> list[tuple[int, int]]:
    """(start, stop) sample ranges of runs of ``label`` at least ``min_samples`` long."""
    is_l = labels == label
    edges = np.flatnonzero(np.diff(np.concatenate([[0], is_l.astype(int), [0]])))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)
            if b - a >= min_samples]
