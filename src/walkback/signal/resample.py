"""Resampling irregularly timed samples onto a uniform grid, with anti-aliasing and masked gaps.

Method
------
Devices do not sample at their nominal rate (an AX3 set to 100 Hz may deliver 95.4 Hz), and the rate
wanders. We therefore work from the TRUE sample times:

1. The samples are split into contiguous segments wherever two consecutive samples are more than
   ``max_gap_s`` apart. Gaps between segments are never interpolated across: grid samples that fall
   in them are NaN and ``valid`` is False.
2. Within a segment the samples are linearly interpolated onto an intermediate uniform grid at
   ``L * fs_hz`` where ``L = ceil(fs_in / fs_hz)`` (e.g. 100 Hz for a ~95-100 Hz input and a 50 Hz
   output). Linear interpolation between samples at least as dense as the intermediate grid adds no
   aliasing of its own.
3. A linear-phase (zero-phase after delay compensation) Kaiser-window FIR low-pass with its cut-off at
   ``0.4 * fs_hz`` (20 Hz for 50 Hz output) is applied and the result decimated by ``L`` in one
   step, so content above the output Nyquist frequency is
   suppressed (> 40 dB above ~0.5 * fs_hz) before it can alias. When the input is not faster than
   the output, no filter is applied (nothing to alias).

Work is done in chunks of output samples (two threads), so memory stays bounded for week-long
100 Hz recordings.

Grid convention: sample ``i`` is at ``start_ns + round(i * 1e9 / fs_hz)`` UTC ns (as in
:class:`walkback.signal.Prepared`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from walkback.errors import InputDataError

__all__ = ["ResampledSignal", "resample_uniform", "grid_times", "effective_rate_hz"]

_CHUNK_OUT = 1 << 16  # output samples per chunk (~22 min at 50 Hz)
_HALF_TAPS_PER_L = 6  # FIR length is 2 * 6 * L + 1 intermediate samples


@dataclass(frozen=True)
class ResampledSignal:
    """A signal on a uniform grid.

    Attributes
    ----------
    start_ns: UTC ns of grid sample 0.
    fs_hz: grid rate in Hz.
    values: float32 (m, k); NaN where ``valid`` is False.
    valid: bool (m,) True where the grid sample lies inside a contiguous stretch of input samples.
    gaps: list of ``(start_ns, stop_ns)`` input gaps longer than ``max_gap_s``: the time of the last
        sample before the gap and of the first sample after it (UTC ns).
    input_rate_hz: the effective input rate measured from the sample times (median spacing).
    """

    start_ns: int
    fs_hz: float
    values: np.ndarray
    valid: np.ndarray
    gaps: list[tuple[int, int]]
    input_rate_hz: float = float("nan")

    @property
    def n(self) -> int:
        """Number of grid samples."""
        return int(self.values.shape[0])

    def time_ns(self) -> np.ndarray:
        """int64 UTC ns of every grid sample."""
        return grid_times(self.start_ns, self.fs_hz, 0, self.n)


def grid_times(start_ns: int, fs_hz: float, i0: int, i1: int) -> np.ndarray:
    """UTC ns of grid samples ``i0 .. i1-1`` (``start_ns + round(i * 1e9 / fs_hz)``)."""
    return start_ns + np.round(np.arange(i0, i1, dtype=np.float64) * (1e9 / fs_hz)).astype(np.int64)


def effective_rate_hz(time_ns: np.ndarray, max_gap_s: float = 1.0) -> float:
    """Effective sample rate (Hz): mean spacing of consecutive samples closer than ``max_gap_s``."""
    if time_ns.shape[0] < 2:
        return float("nan")
    d = np.diff(time_ns[: 2_000_001])
    d = d[(d > 0) & (d <= max_gap_s * 1e9)]
    if d.size == 0:
        return float("nan")
    return float(1e9 / d.mean())


def _segments(time_ns: np.ndarray, max_gap_ns: float) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (inclusive) sample indices of contiguous segments. Scans in chunks (no
    full-length temporary) and rejects times that go backwards."""
    n = time_ns.shape[0]
    breaks = []
    step = 1 << 22
    for a in range(0, n - 1, step):
        d = np.diff(time_ns[a : min(n, a + step + 1)])
        if d.min() < 0:
            bad = a + int(np.flatnonzero(d < 0)[0]) + 1
            raise InputDataError(f"resample_uniform: sample times go backwards at sample {bad} "
                                 "(expected non-decreasing UTC ns)")
        breaks.append(a + np.flatnonzero(d > max_gap_ns))
    br = np.concatenate(breaks) if breaks else np.zeros(0, np.int64)
    starts = np.concatenate(([0], br + 1))
    stops = np.concatenate((br, [n - 1]))
    return starts, stops


def _valid_mask(times: np.ndarray, seg_t0: np.ndarray, seg_t1: np.ndarray) -> np.ndarray:
    """True where ``times`` fall within [seg_t0, seg_t1] of some segment."""
    k = np.searchsorted(seg_t0, times, side="right") - 1
    ok = k >= 0
    kc = np.clip(k, 0, None)
    return ok & (times <= seg_t1[kc])


def _left_indices(t: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Index of the last sample at or before each query time: ``searchsorted(t, g, "right") - 1``.

    ``g`` is an arithmetic progression here (a uniform grid, possibly through an affine clock map),
    so instead of a binary search per query we count, for every grid point, the samples at or
    before it: each sample falls after grid point ceil((t - g0) / step) - 1 (a histogram and a
    cumulative sum; twice as fast). A sample within a few ns of a grid point may be counted on
    either side, which changes nothing (the interpolation weight then puts it at an end point).
    Falls back to the binary search when ``g`` is not uniform."""
    m = g.shape[0]
    if m < 3:
        return np.searchsorted(t, g, side="right") - 1
    g0 = int(g[0])
    step = (float(g[-1]) - g0) / (m - 1)
    if step <= 0 or abs(float(g[m // 2]) - (g0 + step * (m // 2))) > 100:
        return np.searchsorted(t, g, side="right") - 1
    c = np.ceil((t - g0).astype(np.float64) * (1.0 / step))
    np.clip(c, 0, m, out=c)
    counts = np.bincount(c.astype(np.intp), minlength=m + 1)
    left = np.cumsum(counts[:m])
    left -= 1
    return left


def _interp_chunk(
    t: np.ndarray, x: np.ndarray, g: np.ndarray, max_gap_ns: float
) -> np.ndarray:
    """Linear interpolation of ``x`` (samples at ``t``) at times ``g``; across gaps and beyond the
    ends the nearest edge value is held (those points are masked later). Returns float32
    axis-major (k, len(g)) so later strided filtering runs over long contiguous rows."""
    last = t.shape[0] - 1
    left = _left_indices(t, g)
    np.clip(left, 0, max(last - 1, 0), out=left)
    right = left + 1 if last > 0 else left
    tl = np.take(t, left)
    dt = np.take(t, right) - tl
    f = (g - tl).astype(np.float32)
    f /= np.maximum(dt, 1).astype(np.float32)
    np.clip(f, 0.0, 1.0, out=f)
    if dt.max(initial=0) > max_gap_ns:
        gap = dt > max_gap_ns
        f[gap] = np.round(f[gap])
    xt = np.ascontiguousarray(x.T)
    out = np.empty((x.shape[1], g.shape[0]), np.float32)
    for a in range(x.shape[1]):
        xl = np.take(xt[a], left)
        xr = np.take(xt[a], right)
        xr -= xl
        xr *= f
        xr += xl
        out[a] = xr
    return out


def _design(fs_in: float, fs_out: float) -> tuple[int, np.ndarray | None]:
    """Decimation factor L and FIR taps (None when no anti-aliasing is needed)."""
    if not np.isfinite(fs_in) or fs_in <= fs_out * 1.02:
        return 1, None
    L = max(1, math.ceil(fs_in / fs_out - 0.1))
    taps = sps.firwin(2 * _HALF_TAPS_PER_L * L + 1, 0.4 * fs_out, window=("kaiser", 5.0),
                      fs=L * fs_out)
    if not np.allclose(taps, taps[::-1]):  # pragma: no cover - firwin is linear-phase
        raise AssertionError("anti-aliasing FIR must be symmetric")
    return L, taps.astype(np.float32)


def resample_uniform(
    time_ns: np.ndarray,
    values: np.ndarray,
    fs_hz: float = 50.0,
    *,
    max_gap_s: float = 1.0,
    start_ns: int | None = None,
    stop_ns: int | None = None,
    clock: Callable[[np.ndarray], np.ndarray] | None = None,
    antialias: bool = True,
    workers: int = 2,
    magnitude: bool = False,
) -> ResampledSignal:
    """Resample samples taken at ``time_ns`` (int64 UTC ns, non-decreasing) onto a uniform grid.

    Parameters
    ----------
    time_ns: int64 (n,) true sample times, UTC ns.
    values: float (n, k) or (n,) samples (e.g. acceleration in g).
    fs_hz: output rate in Hz.
    max_gap_s: consecutive samples further apart than this (seconds) delimit a gap: grid samples in
        it are NaN / invalid, never interpolated.
    start_ns: UTC ns of grid sample 0; default: the first sample time rounded up to a whole grid
        period since the epoch.
    stop_ns: the grid covers times up to and including ``stop_ns`` (default: the last sample).
    clock: optional map from grid times (int64 UTC ns, reference clock) to this device's clock
        (e.g. :meth:`walkback.signal.sync.SyncResult.back_time_ns`): the device is then sampled at
        the reference clock's grid, which applies a clock offset and drift without copying
        ``time_ns``. Gaps are reported in device time.
    antialias: False skips the low-pass (plain linear interpolation; for signals whose
        high-frequency content does not matter, e.g. the magnitude used for clock sync).
    workers: threads working on chunks in parallel (numpy releases the GIL).
    magnitude: resample the vector magnitude of each row of ``values`` instead (1-D result),
        computed chunk by chunk (no full-length temporary).

    Returns
    -------
    :class:`ResampledSignal` with float32 values (NaN in gaps, before the first and after the last
    sample).
    """
    time_ns = np.asarray(time_ns)
    vals = np.asarray(values)
    one_d = vals.ndim == 1
    if one_d:
        vals = vals[:, None]
    _check_inputs(time_ns, vals, fs_hz, max_gap_s)
    period = 1e9 / fs_hz
    if start_ns is None:
        start_ns = int(math.ceil(time_ns[0] / period) * period)
    stop = int(time_ns[-1] if stop_ns is None else stop_ns)
    m = max(0, int(math.floor((stop - start_ns) / period + 1e-9)) + 1)
    k = 1 if magnitude else vals.shape[1]
    one_d = one_d or magnitude
    max_gap_ns = max_gap_s * 1e9
    starts, stops = _segments(time_ns, max_gap_ns)
    seg_t0, seg_t1 = time_ns[starts], time_ns[stops]
    span_ns = float(np.sum(seg_t1 - seg_t0))
    n_steps = time_ns.shape[0] - starts.shape[0]
    fs_in = n_steps / span_ns * 1e9 if span_ns > 0 else float("nan")
    L, taps = _design(fs_in, fs_hz)
    out = np.full((m, k), np.nan, dtype=np.float32)
    valid = np.zeros(m, dtype=bool)
    x = vals.astype(np.float32, copy=False)
    if not antialias:
        L, taps = 1, None

    def work(i0: int) -> None:
        i1 = min(m, i0 + _CHUNK_OUT)
        tg = grid_times(start_ns, fs_hz, i0, i1)
        v = _valid_mask(tg if clock is None else clock(tg), seg_t0, seg_t1)
        if v.any():
            out[i0:i1] = _chunk_values(time_ns, x, start_ns, fs_hz, i0, i1, L, taps, max_gap_ns,
                                       clock, magnitude)
            valid[i0:i1] = v

    chunks = range(0, m, _CHUNK_OUT)
    if workers > 1 and len(chunks) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, chunks))
    else:
        for i0 in chunks:
            work(i0)
    out[~valid] = np.nan
    gaps = [(int(a), int(b)) for a, b in zip(seg_t1[:-1], seg_t0[1:], strict=True)]
    res = out[:, 0] if one_d else out
    return ResampledSignal(int(start_ns), float(fs_hz), res, valid, gaps, fs_in)


def _check_inputs(time_ns: np.ndarray, vals: np.ndarray, fs_hz: float, max_gap_s: float) -> None:
    if time_ns.ndim != 1 or time_ns.dtype.kind not in "iu":
        raise InputDataError(f"resample_uniform: time_ns must be 1-D int64 ns, got {time_ns.dtype} "
                             f"{time_ns.shape}")
    if vals.ndim != 2 or vals.shape[0] != time_ns.shape[0]:
        raise InputDataError(f"resample_uniform: values shape {vals.shape} does not match "
                             f"{time_ns.shape[0]} sample times")
    if time_ns.shape[0] < 2:
        raise InputDataError("resample_uniform: need at least 2 samples")
    if not (fs_hz > 0 and max_gap_s > 0):
        raise InputDataError(f"resample_uniform: fs_hz ({fs_hz}) and max_gap_s ({max_gap_s}) must "
                             "be > 0")


def _chunk_values(
    t: np.ndarray, x: np.ndarray, start_ns: int, fs_hz: float, i0: int, i1: int, L: int,
    taps: np.ndarray | None, max_gap_ns: float,
    clock: Callable[[np.ndarray], np.ndarray] | None = None,
    magnitude: bool = False,
) -> np.ndarray:
    """Filtered, decimated values of output samples i0..i1-1 (float32 (i1-i0, k))."""
    pad = _HALF_TAPS_PER_L if taps is not None else 0
    j0 = (i0 - pad) * L
    j1 = (i1 + pad) * L
    step = 1e9 / (fs_hz * L)
    if step == int(step):  # integer ns period (e.g. 10 ms): exact integer arithmetic
        g = np.arange(j0, j1, dtype=np.int64) * int(step) + start_ns
    else:
        g = start_ns + np.round(np.arange(j0, j1, dtype=np.float64) * step).astype(np.int64)
    if clock is not None:
        g = clock(g)
    lo = max(0, int(np.searchsorted(t, g[0], side="right")) - 1)
    hi = min(t.shape[0], int(np.searchsorted(t, g[-1], side="left")) + 1)
    xs = x[lo:hi]
    if magnitude:
        xs = np.sqrt(np.einsum("ij,ij->i", xs, xs))[:, None]
    fine = _interp_chunk(t[lo:hi], xs, g, max_gap_ns)
    if taps is None:
        return fine.T
    return _fir_decimate(fine, taps, L, pad, i1 - i0).T


def _fir_decimate(fine: np.ndarray, taps: np.ndarray, L: int, pad: int, n_out: int) -> np.ndarray:
    """Symmetric FIR (length 2*pad*L+1) evaluated at fine indices (n + pad) * L, n < n_out.
    ``fine`` is axis-major (k, n_fine); returns (k, n_out)."""
    K = pad * L
    c = K
    stop = c + n_out * L
    out = fine[:, c:stop:L] * taps[K]
    tmp = np.empty_like(out)
    for q in range(1, K + 1):
        h = taps[K + q]
        if abs(h) < 1e-7:
            continue
        np.add(fine[:, c + q : stop + q : L], fine[:, c - q : stop - q : L], out=tmp)
        tmp *= h
        out += tmp
    return out
