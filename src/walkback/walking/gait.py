"""Strides, steps and cadence from the thigh signal during walking and running.

Method (one stride = one gait cycle = two steps; the thigh swings forward once per stride):

1. Contiguous runs of locomotion epochs (walking, stairs, running) are processed one at a time; each
   run's thigh signal (canonical axes, g, see :mod:`walkback.signal.types`) is band-passed
   (:attr:`WalkingSettings.band_hz`, default 0.5-3 Hz, zero-phase Butterworth).
2. **Cadence** per epoch: the stride period is the lag of the highest peak of the (biased) 3-axis
   autocorrelation within the physiological stride range (:attr:`WalkingSettings.stride_s`), computed
   over a window centred on the epoch (:attr:`WalkingSettings.acf_window_s`), refined by parabolic
   interpolation. ``cadence_spm = 120 / period_s``. Epochs whose autocorrelation at that lag is below
   :attr:`WalkingSettings.min_periodicity`, or whose band-passed RMS is below
   :attr:`WalkingSettings.min_amplitude_g`, are not gait: cadence NaN, no steps.
3. **Steps**: strides are counted as peaks of the run's first principal component, keeping, in order
   of prominence, only peaks at least ``min_peak_spacing`` x the local stride period from any kept
   peak (the thigh's secondary oscillation at the other leg's step is suppressed). ``steps = 2`` per
   kept peak, attributed to the epoch holding the peak.

Cadence (autocorrelation) and steps (peaks) are two independent estimates; their agreement is
checked in the tests. All array work is vectorised per run; the loop is over runs and over peak
candidates (not samples).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from walkback.walking.settings import WalkingSettings


@dataclass(frozen=True)
class GaitEpochs:
    """Per-epoch gait measures (arrays aligned with the epochs given to :func:`measure_gait`).

    ``cadence_spm`` float64 (NaN where not locomotion or not periodic); ``steps`` int64;
    ``periodicity`` float64 autocorrelation at the stride lag (NaN where not computed);
    ``stride_index`` int64 grid indices of the counted stride peaks (sorted).
    """

    cadence_spm: np.ndarray
    steps: np.ndarray
    periodicity: np.ndarray
    stride_index: np.ndarray


def epoch_runs(locomotion: np.ndarray) -> list[tuple[int, int]]:
    """(first, stop) epoch index pairs of the runs of consecutive True values."""
    loc = np.asarray(locomotion, dtype=bool)
    edges = np.diff(np.concatenate([[0], loc.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def measure_gait(
    thigh_g: np.ndarray,
    fs_hz: float,
    epoch_start_index: np.ndarray,
    locomotion: np.ndarray,
    settings: WalkingSettings | None = None,
    *,
    epoch_samples: int,
) -> GaitEpochs:
    """Cadence and steps for each epoch.

    ``thigh_g`` (n, 3) g canonical thigh axes at ``fs_hz``; ``epoch_start_index`` int (m,) grid index
    of the first sample each epoch owns; each owns ``epoch_samples`` samples from there (sorted;
    with overlapping activity windows, the central part of each window, see
    :mod:`walkback.activity.epochs`); ``locomotion`` bool (m,) True
    for walking / stairs / running epochs. Epochs are joined into one run only when they are adjacent
    on the grid; epochs holding NaN samples (gaps) are skipped and end a run.
    """
    s = settings or WalkingSettings()
    starts = np.asarray(epoch_start_index, dtype=np.int64)
    m = starts.shape[0]
    L = int(epoch_samples)
    if L < 1:
        raise ValueError(f"measure_gait: epoch_samples must be >= 1, got {epoch_samples}")
    cad = np.full(m, np.nan)
    per = np.full(m, np.nan)
    steps = np.zeros(m, dtype=np.int64)
    peaks_all: list[np.ndarray] = []
    loc = np.asarray(locomotion, dtype=bool) & (starts >= 0) & (starts + L <= thigh_g.shape[0])
    loc &= np.concatenate([[True], np.diff(starts) > 0])  # sorted, no duplicates
    sos = sps.butter(4, s.band_hz, btype="bandpass", fs=fs_hz, output="sos")
    for idx in _runs(starts, loc, L, thigh_g):
        a, b = int(starts[idx[0]]), int(starts[idx[-1]]) + L
        f = sps.sosfiltfilt(sos, np.asarray(thigh_g[a:b], dtype=np.float64), axis=0)
        period_s, rho = _acf_period(f, starts[idx] - a, L, fs_hz, s)
        rms = np.sqrt(np.mean(np.sum(f.reshape(len(idx), L, 3) ** 2, axis=2), axis=1))
        ok = (rho >= s.min_periodicity) & (rms >= s.min_amplitude_g)
        cad[idx[ok]] = 120.0 / period_s[ok]
        per[idx] = rho
        pk = _stride_peaks(f, starts[idx] - a, L, np.where(ok, period_s, np.nan), fs_hz, s)
        if pk.size:
            np.add.at(steps, idx[pk // L], 2)
            peaks_all.append(pk + a)
    stride_index = np.sort(np.concatenate(peaks_all)) if peaks_all else np.zeros(0, np.int64)
    return GaitEpochs(cad, steps, per, stride_index.astype(np.int64))


def _runs(starts: np.ndarray, loc: np.ndarray, L: int, thigh_g: np.ndarray) -> list[np.ndarray]:
    """Epoch index arrays of runs of locomotion epochs that are adjacent on the grid and gap-free."""
    loc = loc.copy()
    for e0, e1 in epoch_runs(loc):  # drop epochs holding NaN samples (gaps)
        a, b = int(starts[e0]), int(starts[e1 - 1]) + L
        if b - a == (e1 - e0) * L:
            bad = ~np.isfinite(np.asarray(thigh_g[a:b])).reshape(e1 - e0, -1).all(axis=1)
            loc[e0:e1] &= ~bad
        else:
            for e in range(e0, e1):
                loc[e] &= bool(np.isfinite(thigh_g[starts[e] : starts[e] + L]).all())
    brk = np.concatenate([[True], np.diff(starts) != L]) | ~np.concatenate([[False], loc[:-1]])
    run_start = loc & brk
    ids = np.cumsum(run_start)
    out = []
    for e0, e1 in epoch_runs(loc):
        seg = np.arange(e0, e1)
        for r in np.unique(ids[e0:e1]):
            out.append(seg[ids[e0:e1] == r])
    return out


def _acf_period(
    f: np.ndarray, rel_starts: np.ndarray, L: int, fs: float, s: WalkingSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Stride period (s) and periodicity for each epoch of a run; ``f`` is (n, 3) band-passed."""
    n = f.shape[0]
    W = min(int(round(s.acf_window_s * fs)), n)
    centre = rel_starts + L // 2
    w0 = np.clip(centre - W // 2, 0, n - W)
    win = np.lib.stride_tricks.sliding_window_view(f, W, axis=0)[w0]  # (m, 3, W)
    win = win - win.mean(axis=2, keepdims=True)
    nfft = int(2 ** np.ceil(np.log2(2 * W)))
    spec = np.fft.rfft(win, n=nfft, axis=2)
    ac = np.fft.irfft(spec.real**2 + spec.imag**2, n=nfft, axis=2)[:, :, :W].sum(axis=1)
    ac0 = ac[:, :1]
    ac = np.divide(ac, ac0, out=np.zeros_like(ac), where=ac0 > 0)
    lo = max(int(np.floor(s.stride_s[0] * fs)), 1)
    hi = min(int(np.ceil(s.stride_s[1] * fs)), W - 2)
    if hi <= lo:
        nan = np.full(len(rel_starts), np.nan)
        return nan, np.zeros(len(rel_starts))
    k = lo + np.argmax(ac[:, lo : hi + 1], axis=1)
    rows = np.arange(ac.shape[0])
    y0, y1, y2 = ac[rows, k - 1], ac[rows, k], ac[rows, np.minimum(k + 1, W - 1)]
    denom = y0 - 2 * y1 + y2
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / np.where(denom == 0, 1, denom), 0.0)
    shift = np.clip(shift, -0.5, 0.5)
    return (k + shift) / fs, y1


def _stride_peaks(
    f: np.ndarray, rel_starts: np.ndarray, L: int, period_s: np.ndarray, fs: float, s: WalkingSettings
) -> np.ndarray:
    """Indices (relative to the run) of stride peaks, one per stride."""
    centred = f - f.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[:: max(1, len(f) // 5000)], full_matrices=False)
    pc = centred @ vt[0]
    cand, props = sps.find_peaks(pc, distance=max(1, int(0.25 * s.stride_s[0] * fs)), prominence=1e-3)
    if cand.size == 0:
        return cand
    # local stride period of each candidate, from its epoch; candidates in aperiodic epochs dropped
    ep = np.minimum(cand // L, len(rel_starts) - 1)
    period = period_s[ep]
    keep_mask = np.isfinite(period)
    cand, period, prom = cand[keep_mask], period[keep_mask], props["prominences"][keep_mask]
    if cand.size == 0:
        return cand
    spacing = s.min_peak_spacing * period * fs
    kept: list[int] = []
    for i in np.argsort(-prom, kind="stable"):
        c = int(cand[i])
        j = bisect.bisect_left(kept, c)
        if j > 0 and c - kept[j - 1] < spacing[i]:
            continue
        if j < len(kept) and kept[j] - c < spacing[i]:
            continue
        kept.insert(j, c)
    return np.asarray(kept, dtype=np.int64)
