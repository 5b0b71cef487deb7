"""Strides, steps and cadence from the thigh signal during walking and running.

Method (one stride = one gait cycle = two steps; the thigh swings forward once per stride):

1. **Runs**: consecutive locomotion epochs (walking, stairs, running) that are adjacent on the grid
   and hold no NaN sample form a run. The thigh signal (canonical axes, g, see
   :mod:`walkback.signal.types`) is band-passed (:attr:`WalkingSettings.band_hz`, default
   0.5-3 Hz, zero-phase 4th-order Butterworth) over each run plus up to :func:`settle_samples`
   (~15 s at the default band) of the finite signal on either side, so a run's filtered signal has
   no filter start-up transient at its ends (the margin stops at a gap or the recording's ends,
   where the odd extension of ``scipy.signal.sosfiltfilt`` is used). Runs whose margins meet
   share one filtered segment.
2. **Cadence** per epoch: the stride period is the lag of the highest peak of the (biased) 3-axis
   autocorrelation within the physiological stride range (:attr:`WalkingSettings.stride_s`), computed
   over a window centred on the epoch (:attr:`WalkingSettings.acf_window_s`, kept inside the run),
   refined by parabolic interpolation. ``cadence_spm = 120 / period_s``. Epochs whose
   autocorrelation at that lag is below :attr:`WalkingSettings.min_periodicity`, or whose
   band-passed RMS is below :attr:`WalkingSettings.min_amplitude_g`, are not gait: cadence NaN, no
   steps.
3. **Steps**: strides are counted as peaks of the run's first principal component (the axis of
   largest band-passed variance over the run), signed so that its skewness is positive: the
   stride peaks are then the sharp side of the waveform, not the broad side whose small double
   bumps the spacing rule has to arbitrate (on SELFBACK thigh walking this brings steps closer to
   cadence x time than either fixed sign: mean per-file deviation 1.3 % against 1.8-2.2 %). In
   order of prominence, only peaks at least ``min_peak_spacing`` x the local stride period from
   any kept peak of the run are kept (the thigh's secondary oscillation at the other leg's step
   is suppressed). ``steps = 2`` per kept peak, attributed to the epoch holding the peak.

Cadence (autocorrelation) and steps (peaks) are two independent estimates; their agreement is
checked in the tests.

Cost: one pass over the locomotion samples (plus margins), in batches of about
:data:`BATCH_SAMPLES` samples of whole segments (memory ~60 B per batch sample, float64 only per
batch): the filter and the greedy peak selection are compiled loops over all segments and
candidates of a batch (:mod:`walkback.walking._gait_kernels`), the autocorrelations are batched
FFTs, the principal components batched 3x3 eigen-decompositions, and peak candidates come from one
:func:`walkback._dsp.find_peaks` call per batch (``scipy.signal.find_peaks``' rules; runs separated
by NaN, which that function treats as an edge). Nothing loops in Python per run, epoch or peak,
and a run's result does not depend on how the runs are batched.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from walkback._dsp import fast_length
from walkback.errors import SettingsError
from walkback.walking.settings import WalkingSettings

#: Samples (of whole segments) filtered and analysed together; a segment longer than this is one
#: batch on its own.
BATCH_SAMPLES = 1 << 19
#: Epochs whose autocorrelation windows are transformed together (small: stays in cache).
_ACF_BATCH = 64
#: Relative size below which the filter's start-up transient is taken as settled (margin length).
_SETTLE = 1e-6


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

    ``thigh_g`` (n, 3) g canonical thigh axes at ``fs_hz`` (float32, float64 or float16
    storage; read, never copied whole); ``epoch_start_index`` int (m,) grid index of the first sample each epoch owns
    (sorted); each epoch owns the samples ``[start, start + epoch_samples)`` (``epoch_samples`` =
    the activity epochs' step in samples, ``round(step_s * fs_hz)``; with overlapping activity
    windows, the central part of each window, see :mod:`walkback.activity.epochs`);
    ``locomotion`` bool (m,) True for walking / stairs / running epochs. Epochs are joined into one
    run only when they are adjacent on the grid (starts ``epoch_samples`` apart); epochs holding
    NaN samples (gaps) are skipped and end a run.
    """
    s = settings or WalkingSettings()
    thigh_g = np.asarray(thigh_g)
    L = int(epoch_samples)
    if L < 2 or epoch_samples != L:
        raise SettingsError(f"measure_gait: epoch_samples must be a whole number >= 2, got {epoch_samples!r}")
    starts = np.asarray(epoch_start_index, dtype=np.int64)
    m = starts.shape[0]
    cad = np.full(m, np.nan)
    per = np.full(m, np.nan)
    steps = np.zeros(m, dtype=np.int64)
    loc = np.asarray(locomotion, dtype=bool) & (starts >= 0) & (starts + L <= thigh_g.shape[0])
    loc &= np.concatenate([[True], np.diff(starts) > 0])  # sorted, no duplicates
    first, count = _runs(thigh_g, starts, loc, L)
    if first.size == 0:
        return GaitEpochs(cad, steps, per, np.zeros(0, np.int64))
    a = starts[first]
    b = a + count * L
    sos, zi, edge, margin = filter_design(float(fs_hz), tuple(float(v) for v in s.band_hz))
    seg_lo, seg_hi, run_seg = _segments(thigh_g, a, b, margin)
    from walkback._half import LUT, kernel_view
    from walkback.walking._gait_kernels import filtfilt_segments

    x = (kernel_view(thigh_g) if thigh_g.dtype in (np.float16, np.float32, np.float64)
         else np.asarray(thigh_g, np.float32))
    peaks_all = []
    for s0, s1 in _batches(seg_hi - seg_lo):
        r0, r1 = np.searchsorted(run_seg, [s0, s1])
        seg_off = np.concatenate([[0], np.cumsum(seg_hi[s0:s1] - seg_lo[s0:s1])])
        f = np.empty((3, int(seg_off[-1])), np.float64)  # the batch's segments end to end
        filtfilt_segments(x, LUT, seg_lo[s0:s1], seg_hi[s0:s1], seg_off[:-1], sos, zi, edge, f)
        rs = run_seg[r0:r1]
        run_off = seg_off[rs - s0] + (a[r0:r1] - seg_lo[rs])
        period, ok, rho, rel, rid = _batch_measures(f, run_off, count[r0:r1], L, fs_hz, s)
        del f
        ep_idx = np.repeat(first[r0:r1], count[r0:r1]) + (
            np.arange(period.size) - np.repeat(np.cumsum(count[r0:r1]) - count[r0:r1], count[r0:r1]))
        cad[ep_idx[ok]] = 120.0 / period[ok]
        per[ep_idx] = rho
        if rel.size:
            np.add.at(steps, first[r0 + rid] + rel // L, 2)
            peaks_all.append(a[r0 + rid] + rel)
    stride_index = np.sort(np.concatenate(peaks_all)) if peaks_all else np.zeros(0, np.int64)
    return GaitEpochs(cad, steps, per, stride_index.astype(np.int64))


@functools.lru_cache(maxsize=16)
def filter_design(fs_hz: float, band_hz: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The band-pass of the gait measures, designed once per (rate, band): ``sos`` (k, 6) of the
    4th-order Butterworth band-pass (:func:`walkback._dsp.butter_bandpass`), its ``sosfilt_zi``
    initial states (k, 2), the odd-extension length ``scipy.signal.sosfiltfilt`` would use for it
    (3 x its number of taps), and :func:`settle_samples` (from the largest pole radius)."""
    from walkback._dsp import butter_bandpass, sosfilt_zi

    sos, poles = butter_bandpass(4, band_hz, fs_hz)
    zi = sosfilt_zi(sos)
    ntaps = 2 * sos.shape[0] + 1 - min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    pole = float(np.abs(poles).max())
    margin = int(np.ceil(np.log(_SETTLE) / np.log(pole)))
    if sos.shape[0] != 4:  # pragma: no cover - butter(4) band-pass always has 4 sections
        raise AssertionError("the gait filter kernel expects 4 second-order sections")
    for arr in (sos, zi):
        arr.setflags(write=False)
    return sos, zi, 3 * ntaps, margin


def settle_samples(fs_hz: float, band_hz: tuple[float, float]) -> int:
    """Samples after which the band-pass's slowest pole has decayed below 1e-6 of its start: the
    margin of finite signal filtered on either side of a run (766 = 15.3 s at 50 Hz, 0.5-3 Hz)."""
    return filter_design(float(fs_hz), tuple(float(v) for v in band_hz))[3]


def _runs(thigh_g: np.ndarray, starts: np.ndarray, loc: np.ndarray, L: int) -> tuple[np.ndarray, np.ndarray]:
    """First epoch index and epoch count of each run of locomotion epochs that are adjacent on the
    grid and gap-free (epochs holding a NaN sample are dropped first)."""
    from walkback._half import LUT, kernel_view
    from walkback.walking._gait_kernels import epochs_finite

    loc = loc.copy()
    idx = np.flatnonzero(loc)
    fin = np.empty(idx.size, bool)
    epochs_finite(kernel_view(thigh_g), LUT, starts[idx], L, fin)
    loc[idx[~fin]] = False
    brk = np.concatenate([[True], np.diff(starts) != L]) | ~np.concatenate([[False], loc[:-1]])
    run_start = loc & brk
    first = np.flatnonzero(run_start)
    count = np.bincount(np.cumsum(run_start)[loc], minlength=first.size + 1)[1:]
    return first, count.astype(np.int64)


def _segments(thigh_g: np.ndarray, a: np.ndarray, b: np.ndarray, margin: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Filter segments: each run ``[a, b)`` widened by up to ``margin`` finite samples each side
    (never past a NaN or the grid's ends), overlapping ones merged. Returns ``seg_lo``, ``seg_hi``
    and the segment of each run."""
    from walkback._half import LUT, kernel_view
    from walkback.walking._gait_kernels import finite_margins

    lo, hi = np.empty_like(a), np.empty_like(b)
    finite_margins(kernel_view(thigh_g), LUT, a, b, margin, lo, hi)
    lo = np.maximum.accumulate(lo)
    reach = np.maximum.accumulate(hi)
    new = np.concatenate([[True], lo[1:] > reach[:-1]])
    run_seg = np.cumsum(new) - 1
    head = np.flatnonzero(new)
    return lo[head], np.maximum.reduceat(hi, head), run_seg


def _batches(seg_len: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive segment ranges of about :data:`BATCH_SAMPLES` samples each."""
    begin = np.concatenate([[0], np.cumsum(seg_len)[:-1]])
    bid = begin // BATCH_SAMPLES
    cut = np.flatnonzero(np.concatenate([[True], bid[1:] != bid[:-1], [True]]))
    return list(zip(cut[:-1].tolist(), cut[1:].tolist(), strict=True))


def _batch_measures(f: np.ndarray, run_off: np.ndarray, count: np.ndarray, L: int, fs: float,
                    s: WalkingSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Everything measured on one batch ``f`` ((3, N) band-passed, float64) for its runs (at
    ``run_off`` in ``f``, ``count`` epochs each): per epoch (batch order) stride period (s), gait
    flag, periodicity; the counted stride peaks as (position within the run, run number)."""
    from walkback.walking._gait_kernels import run_moments

    run = np.repeat(np.arange(count.size), count)
    k = np.arange(run.size) - np.repeat(np.cumsum(count) - count, count)  # epoch within its run
    n = count * L  # run lengths, samples
    mean = np.empty((count.size, 3))
    cov = np.empty((count.size, 3, 3))
    power = np.empty(run.size)
    run_moments(f, run_off, n, run_off[run] + k * L, L, mean, cov, power)
    rms = np.sqrt(power / L)
    W = np.minimum(int(round(s.acf_window_s * fs)), n[run])
    w0 = run_off[run] + np.clip(k * L + L // 2 - W // 2, 0, n[run] - W)
    period = np.full(run.size, np.nan)
    rho = np.zeros(run.size)
    for w in np.unique(W).tolist():
        sel = np.flatnonzero(w == W)
        period[sel], rho[sel] = _acf_period(f, w0[sel], w, fs, s)
    ok = (rho >= s.min_periodicity) & (rms >= s.min_amplitude_g)
    rel, rid = _stride_peaks(f, run_off, count, L, mean, cov, np.where(ok, period, np.nan), fs, s)
    return period, ok, rho, rel, rid


def _acf_period(f: np.ndarray, w0: np.ndarray, W: int, fs: float, s: WalkingSettings
                ) -> tuple[np.ndarray, np.ndarray]:
    """Stride period (s) and periodicity of the windows ``f[:, w0 : w0 + W]`` (all ``W`` long)."""
    from walkback.walking._gait_kernels import centred_windows, power_sum

    lo = max(int(np.floor(s.stride_s[0] * fs)), 1)
    hi = min(int(np.ceil(s.stride_s[1] * fs)), W - 2)
    if hi <= lo:
        return np.full(w0.size, np.nan), np.zeros(w0.size)
    # circular autocorrelation equals the linear one up to lag hi + 1 when nfft >= W + hi + 1
    nfft = fast_length(W + hi + 1)
    period = np.empty(w0.size)
    rho = np.empty(w0.size)
    win = np.empty((min(_ACF_BATCH, w0.size), 3, nfft))
    pw = np.empty((win.shape[0], nfft // 2 + 1))
    for c in range(0, w0.size, _ACF_BATCH):
        q = min(_ACF_BATCH, w0.size - c)
        centred_windows(f, w0[c : c + q], W, win[:q])
        power_sum(np.fft.rfft(win[:q], axis=2), pw[:q])  # the 3 axes' autocorrelations add up
        ac = np.fft.irfft(pw[:q], n=nfft, axis=1)[:, : hi + 2]
        ac0 = ac[:, :1]
        ac = np.divide(ac, ac0, out=np.zeros_like(ac), where=ac0 > 0)
        k = lo + np.argmax(ac[:, lo : hi + 1], axis=1)
        rows = np.arange(q)
        y0, y1, y2 = ac[rows, k - 1], ac[rows, k], ac[rows, k + 1]
        denom = y0 - 2 * y1 + y2
        shift = np.where(np.abs(denom) > 1e-12, 0.5 * (y0 - y2) / np.where(denom == 0, 1, denom), 0.0)
        period[c : c + q] = (k + np.clip(shift, -0.5, 0.5)) / fs
        rho[c : c + q] = y1
    return period, rho


def _stride_peaks(f: np.ndarray, run_off: np.ndarray, count: np.ndarray, L: int, mean: np.ndarray,
                  cov: np.ndarray, period_s: np.ndarray, fs: float, s: WalkingSettings
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Stride peaks of every run at ``run_off`` in ``f``: (position within its run, run number in
    the batch), sorted. ``mean`` / ``cov`` per run (:func:`run_moments`); ``period_s`` per epoch in
    batch order, NaN where not gait."""
    from walkback._dsp import find_peaks
    from walkback.walking._gait_kernels import project_runs, select_strides

    R = count.size
    n = count * L
    vec = np.linalg.eigh(cov)[1][:, :, -1]  # (R, 3) principal axis of each run (sign: see project_runs)
    dist = max(1, int(0.25 * s.stride_s[0] * fs))
    sep = dist  # NaN samples between runs: an edge for find_peaks, and farther apart than `dist`
    head = np.cumsum(n) - n + sep * (np.arange(R) + 1)
    pc = np.full(int(n.sum()) + sep * (R + 1), np.nan)
    project_runs(f, run_off, n, mean, vec, head, pc)
    cand, prom = find_peaks(pc, distance=dist, prominence=1e-3)
    del pc
    r = np.searchsorted(head, cand, side="right") - 1
    crel = cand - head[r]
    # local stride period of each candidate, from its epoch; candidates in aperiodic epochs dropped
    ep_first = np.cumsum(count) - count
    period = period_s[ep_first[r] + np.minimum(crel // L, count[r] - 1)]
    keep = np.isfinite(period)
    cand, r, crel, period = cand[keep], r[keep], crel[keep], period[keep]
    prom = prom[keep]
    order = np.lexsort((cand, -prom, r))  # per run, by decreasing prominence, ties by position
    kept = np.zeros(cand.size, bool)
    select_strides(cand, r, s.min_peak_spacing * period * fs, order, kept)
    return crel[kept].astype(np.int64), r[kept].astype(np.int64)
