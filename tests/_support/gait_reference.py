"""A straightforward per-run implementation of the gait measures, to check the batched one against.

It follows the method in :mod:`walkback.walking.gait` literally, one run at a time, with library
calls only: ``scipy.signal.sosfiltfilt`` on the run plus its finite margins, the autocorrelation of
each epoch's window by a full-length FFT, the principal axis by SVD, ``scipy.signal.find_peaks`` on
the run and the spacing rule by bisection. Slow (a Python loop per run and per peak), never used
by walkback itself.
"""

from __future__ import annotations

import bisect

import numpy as np
from scipy import signal as sps

from walkback.walking import WalkingSettings
from walkback.walking.gait import GaitEpochs, settle_samples


def reference_gait(thigh_g: np.ndarray, fs: float, starts: np.ndarray, locomotion: np.ndarray, L: int,
                   s: WalkingSettings | None = None) -> GaitEpochs:
    s = s or WalkingSettings()
    starts = np.asarray(starts, np.int64)
    m, n_all = starts.size, thigh_g.shape[0]
    cad, per, steps = np.full(m, np.nan), np.full(m, np.nan), np.zeros(m, np.int64)
    strides = []
    finite = np.isfinite(thigh_g).all(axis=1)
    loc = np.asarray(locomotion, bool) & (starts >= 0) & (starts + L <= n_all)
    loc &= np.concatenate([[True], np.diff(starts) > 0])
    for e in np.flatnonzero(loc):
        loc[e] = finite[starts[e] : starts[e] + L].all()
    sos = sps.butter(4, s.band_hz, btype="bandpass", fs=fs, output="sos")
    margin = settle_samples(fs, s.band_hz)
    e = 0
    while e < m:
        if not loc[e]:
            e += 1
            continue
        e1 = e + 1
        while e1 < m and loc[e1] and starts[e1] - starts[e1 - 1] == L:
            e1 += 1
        idx = np.arange(e, e1)
        a, b = int(starts[e]), int(starts[e1 - 1]) + L
        lo, hi = a, b
        while lo > max(0, a - margin) and finite[lo - 1]:
            lo -= 1
        while hi < min(n_all, b + margin) and finite[hi]:
            hi += 1
        f = sps.sosfiltfilt(sos, thigh_g[lo:hi].astype(np.float64), axis=0)[a - lo : b - lo]
        period, rho = _acf(f, starts[idx] - a, L, fs, s)
        rms = np.sqrt(np.mean(np.sum(f.reshape(idx.size, L, 3) ** 2, axis=2), axis=1))
        ok = (rho >= s.min_periodicity) & (rms >= s.min_amplitude_g)
        cad[idx[ok]] = 120.0 / period[ok]
        per[idx] = rho
        pk = _peaks(f, L, np.where(ok, period, np.nan), fs, s)
        for p in pk:
            steps[idx[p // L]] += 2
        strides.extend((pk + a).tolist())
        e = e1
    return GaitEpochs(cad, steps, per, np.array(sorted(strides), np.int64))


def _acf(f, rel_starts, L, fs, s):
    n = f.shape[0]
    W = min(int(round(s.acf_window_s * fs)), n)
    lo = max(int(np.floor(s.stride_s[0] * fs)), 1)
    hi = min(int(np.ceil(s.stride_s[1] * fs)), W - 2)
    period, rho = np.full(rel_starts.size, np.nan), np.zeros(rel_starts.size)
    if hi <= lo:
        return period, rho
    for i, r in enumerate(rel_starts):
        w0 = int(np.clip(r + L // 2 - W // 2, 0, n - W))
        win = f[w0 : w0 + W] - f[w0 : w0 + W].mean(axis=0)
        nfft = int(2 ** np.ceil(np.log2(2 * W)))
        spec = np.fft.rfft(win, n=nfft, axis=0)
        ac = np.fft.irfft(np.abs(spec) ** 2, n=nfft, axis=0)[:W].sum(axis=1)
        if ac[0] <= 0:
            ac = np.zeros_like(ac)
        else:
            ac = ac / ac[0]
        k = lo + int(np.argmax(ac[lo : hi + 1]))
        y0, y1, y2 = ac[k - 1], ac[k], ac[k + 1]
        d = y0 - 2 * y1 + y2
        shift = float(np.clip(0.5 * (y0 - y2) / d, -0.5, 0.5)) if abs(d) > 1e-12 else 0.0
        period[i], rho[i] = (k + shift) / fs, y1
    return period, rho


def _peaks(f, L, period_s, fs, s):
    centred = f - f.mean(axis=0)
    vt = np.linalg.svd(centred, full_matrices=False)[2]
    pc = centred @ vt[0]
    if np.sum(pc**3) < 0:
        pc = -pc
    cand, props = sps.find_peaks(pc, distance=max(1, int(0.25 * s.stride_s[0] * fs)), prominence=1e-3)
    period = period_s[np.minimum(cand // L, period_s.size - 1)]
    ok = np.isfinite(period)
    cand, period, prom = cand[ok], period[ok], props["prominences"][ok]
    kept: list[int] = []
    for i in np.argsort(-prom, kind="stable"):
        c, sp = int(cand[i]), s.min_peak_spacing * period[i] * fs
        j = bisect.bisect_left(kept, c)
        if (j > 0 and c - kept[j - 1] < sp) or (j < len(kept) and kept[j] - c < sp):
            continue
        kept.insert(j, c)
    return np.asarray(kept, np.int64)
