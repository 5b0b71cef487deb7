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
100 Hz recordings. Cost per chunk: one ``np.interp`` gives every intermediate point's fractional
sample position (shared by all axes; float64 ns relative to the chunk, exact), each axis is then two
gathers and a float32 lerp, and the FIR + decimation is a block-Toeplitz float32 matrix product in
GEMMs small enough to stay single-threaded in BLAS. The filter itself is unchanged.

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
    """Start and stop (inclusive) sample indices of contiguous segments. Scans in cache-sized
    chunks into one reused buffer (no full-length temporary) and rejects times that go
    backwards."""
    n = time_ns.shape[0]
    limit = int(math.floor(max_gap_ns))  # d > max_gap_ns <=> d > floor(max_gap_ns) for int d
    breaks = [np.zeros(0, np.int64)]
    step = 1 << 16
    buf = np.empty(step, np.int64)
    for a in range(0, n - 1, step):
        b = min(n, a + step + 1)
        d = buf[: b - a - 1]
        np.subtract(time_ns[a + 1 : b], time_ns[a : b - 1], out=d)
        if d.min() < 0:
            bad = a + int(np.flatnonzero(d < 0)[0]) + 1
            raise InputDataError(f"resample_uniform: sample times go backwards at sample {bad} "
                                 "(expected non-decreasing UTC ns)")
        nz = np.flatnonzero(d > limit)
        if nz.size:
            breaks.append(a + nz)
    br = np.concatenate(breaks)
    starts = np.concatenate(([0], br + 1))
    stops = np.concatenate((br, [n - 1]))
    return starts, stops


def _valid_mask(times: np.ndarray, seg_t0: np.ndarray, seg_t1: np.ndarray) -> np.ndarray:
    """True where ``times`` fall within [seg_t0, seg_t1] of some segment."""
    k = np.searchsorted(seg_t0, times, side="right") - 1
    ok = k >= 0
    kc = np.clip(k, 0, None)
    return ok & (times <= seg_t1[kc])


def _interp_chunk(
    t: np.ndarray, x: np.ndarray, g: np.ndarray, gap_after: np.ndarray
) -> np.ndarray:
    """Linear interpolation of ``x`` (samples at int64 ns ``t``) at int64 ns times ``g``: one
    ``np.interp`` per axis on float64 ns relative to ``g[0]`` (exact integers over a chunk). Across
    the gaps after local sample indices ``gap_after``, and beyond the ends, the nearest edge value
    is held (never a line across a gap; those points are masked later, but the low-pass near a gap
    edge then sees only that side's data). Returns float32 axis-major (k, len(g)) so later strided
    filtering runs over long contiguous rows."""
    ref = int(g[0])
    tf = (t - ref).astype(np.float64)
    gf = (g - ref).astype(np.float64)
    n = t.shape[0]
    out = np.empty((x.shape[1], g.shape[0]), np.float32)
    if n < 2:
        out[:] = x[0, :, None]
        return out
    # fractional sample position of every query (one search shared by all axes), held at the ends
    pos = np.interp(gf, tf, np.arange(n, dtype=np.float64))
    left = pos.astype(np.intp)
    np.minimum(left, n - 2, out=left)
    frac = (pos - left).astype(np.float32)
    right = left + 1
    xt = np.ascontiguousarray(x.T, dtype=np.float32)
    for a in range(x.shape[1]):
        xl = xt[a].take(left)
        xr = xt[a].take(right)
        xr -= xl
        xr *= frac
        xr += xl
        out[a] = xr
    if gap_after.size:
        lo = np.searchsorted(gf, tf[gap_after], side="right")
        hi = np.searchsorted(gf, tf[gap_after + 1], side="left")
        mid = np.searchsorted(gf, 0.5 * (tf[gap_after] + tf[gap_after + 1]), side="right")
        for i, a0, am, a1 in zip(gap_after.tolist(), lo.tolist(), mid.tolist(), hi.tolist(),
                                 strict=True):
            out[:, a0:am] = x[i, :, None]
            out[:, am:a1] = x[i + 1, :, None]
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
    x = vals if vals.dtype.kind == "f" else vals.astype(np.float32)  # no full-length copy
    if not antialias:
        L, taps = 1, None

    def work(i0: int) -> None:
        i1 = min(m, i0 + _CHUNK_OUT)
        tg = grid_times(start_ns, fs_hz, i0, i1)
        v = _valid_mask(tg if clock is None else clock(tg), seg_t0, seg_t1)
        if v.any():
            out[i0:i1] = _chunk_values(time_ns, x, start_ns, fs_hz, i0, i1, L, taps, stops[:-1],
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
    taps: np.ndarray | None, breaks: np.ndarray,
    clock: Callable[[np.ndarray], np.ndarray] | None = None,
    magnitude: bool = False,
) -> np.ndarray:
    """Filtered, decimated values of output samples i0..i1-1 (float32 (i1-i0, k))."""
    pad = _HALF_TAPS_PER_L if taps is not None else 0
    j0 = (i0 - pad) * L
    j1 = (i1 + pad) * L
    if taps is not None:  # whole rows for the block FIR (the extra samples feed no output)
        j1 = max(j1, j0 + _fine_length(L, taps.shape[0], i1 - i0))
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
    b = breaks[np.searchsorted(breaks, lo) : np.searchsorted(breaks, hi - 1)]
    fine = _interp_chunk(t[lo:hi], xs, g, b - lo)
    if taps is None:
        return fine.T
    return _fir_decimate(fine, taps, L, i1 - i0).T


_BLOCK_OUT = 16  # output samples per row of the block-Toeplitz FIR product
_ROWS_PER_MATMUL = 256  # keeps each float32 GEMM small enough that BLAS runs it on one thread


def _fir_decimate(fine: np.ndarray, taps: np.ndarray, L: int, n_out: int) -> np.ndarray:
    """Symmetric FIR (length 2K+1) evaluated at fine indices n * L + K, n < n_out.

    Computed as a block-Toeplitz matrix product: the fine signal is cut into rows of
    ``span = B * L`` samples (B = ``_BLOCK_OUT``) and outputs ``iB .. iB+B-1`` are
    ``sum_w row[i + w] @ M_w`` with small constant matrices M_w holding the taps. float32 GEMMs of
    ``_ROWS_PER_MATMUL`` rows are 3x cheaper than one strided numpy pass per tap, and small enough
    that BLAS does not start threads. ``fine`` is axis-major (k, n_fine) with
    ``n_fine >= _fine_length(L, len(taps), n_out)``; returns (k, n_out) float32."""
    M, span, nwin = _fir_matrix(taps, L)
    nb = -(-n_out // _BLOCK_OUT)
    k = fine.shape[0]
    out = np.empty((k, nb, _BLOCK_OUT), np.float32)
    tmp = np.empty((_ROWS_PER_MATMUL, _BLOCK_OUT), np.float32)
    for a in range(k):
        rows = fine[a, : (nb + nwin - 1) * span].reshape(nb + nwin - 1, span)
        for r0 in range(0, nb, _ROWS_PER_MATMUL):
            r1 = min(nb, r0 + _ROWS_PER_MATMUL)
            np.matmul(rows[r0:r1], M[0], out=out[a, r0:r1])
            for w in range(1, nwin):
                np.matmul(rows[r0 + w : r1 + w], M[w], out=tmp[: r1 - r0])
                out[a, r0:r1] += tmp[: r1 - r0]
    return out.reshape(k, nb * _BLOCK_OUT)[:, :n_out]


def _fir_matrix(taps: np.ndarray, L: int) -> tuple[np.ndarray, int, int]:
    """Tap matrices (nwin, span, B) for :func:`_fir_decimate`, the row length and their count."""
    B = _BLOCK_OUT
    span = B * L
    nwin = -(-((B - 1) * L + taps.shape[0]) // span)
    M = np.zeros((nwin * span, B), np.float32)
    for j in range(B):
        M[j * L : j * L + taps.shape[0], j] = taps
    return M.reshape(nwin, span, B), span, nwin


def _fine_length(L: int, n_taps: int, n_out: int) -> int:
    """Fine samples :func:`_fir_decimate` reads for ``n_out`` outputs (whole rows)."""
    span = _BLOCK_OUT * L
    nwin = -(-((_BLOCK_OUT - 1) * L + n_taps) // span)
    return (-(-n_out // _BLOCK_OUT) + nwin - 1) * span
