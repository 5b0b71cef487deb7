"""Resampling irregularly timed samples onto a uniform grid, with anti-aliasing and masked gaps.

Method
------
Devices do not sample at their nominal rate (an AX3 set to 100 Hz may deliver 95.4 Hz), and the rate
wanders. We therefore work from the TRUE sample times:

1. Consecutive samples more than ``max_gap_s`` apart delimit a gap. Gaps are never interpolated
   across: grid samples that fall in them are NaN and ``valid`` is False.
2. Between samples of one contiguous stretch the signal is interpolated onto an intermediate
   uniform grid at ``L * fs_hz`` where ``L = ceil(fs_in / fs_hz)`` (e.g. 100 Hz for a ~95-100 Hz
   input and a 50 Hz output): the Lagrange polynomial through the six nearest samples at their
   true times (linear next to a gap, where the spacing is uneven, and at the ends).
   Interpolating between samples at least as dense as the intermediate grid adds no aliasing of
   its own. A polynomial rather than linear interpolation, because linear interpolation is itself
   a low-pass that depends on the input rate: at 10 Hz it kept on average 88 % of the amplitude
   of a 50 Hz input, 70 % of a 30 Hz one and 97 % of a 100 Hz one, so window features (band
   powers, jerk) of the same movement differed between devices set to different rates. The
   six-point polynomial keeps >= 98 % at 10 Hz from 50 Hz inputs, 99.9 % from 100 Hz
   (``tests/signal/test_resample.py``).
3. A linear-phase Kaiser-window FIR low-pass (``2 * 6 * L + 1`` taps, cut-off ``0.4 * fs_hz``, i.e.
   20 Hz for 50 Hz output) is applied and the result decimated by ``L`` in one step, so content
   above the output Nyquist frequency is suppressed (> 40 dB above ~0.5 * fs_hz) before it can
   alias. When the input is not faster than the output, no filter is applied (nothing to alias).
   Near a gap, the intermediate grid holds the nearer edge sample, so the low-pass sees only that
   side's data.

Streaming: :class:`Resampler` takes the samples chunk by chunk (e.g. from
:func:`walkback.io.iter_read`) and writes each grid sample as soon as the samples around it have
arrived, so a week-long recording never has to be in memory; :func:`resample_uniform` is the
same machinery fed one whole array. The per-sample work (merge walk of grid times through the
sample times, interpolation, FIR) is a compiled kernel (:mod:`._resample_kernel`) run on blocks of
16,384 grid samples in two threads.

Grid convention: sample ``i`` is at ``start_ns + round(i * 1e9 / fs_hz)`` UTC ns (as in
:class:`walkback.signal.Prepared`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from walkback._alloc import empty
from walkback._dsp import firwin_lowpass
from walkback._half import store
from walkback._threads import worker_threads
from walkback.errors import InputDataError
from walkback.signal._resample_kernel import REACH, gap_indices, resample_block, scan_times

__all__ = ["ResampledSignal", "Resampler", "resample_uniform", "grid_times", "effective_rate_hz"]

_BLOCK = 1 << 14  # grid samples per kernel call (~5.5 min at 50 Hz)
_HALF_TAPS_PER_L = 6  # FIR length is 2 * 6 * L + 1 intermediate samples
_HEAD = 4096  # samples of a new chunk joined to the carried ones for the grid samples at the edge


@dataclass(frozen=True)
class ResampledSignal:
    """A signal on a uniform grid.

    Attributes
    ----------
    start_ns: UTC ns of grid sample 0.
    fs_hz: grid rate in Hz.
    values: float32 (m, k) or (m,); NaN where ``valid`` is False.
    valid: bool (m,) True where the grid sample lies inside a contiguous stretch of input samples.
    gaps: list of ``(start_ns, stop_ns)`` input gaps longer than ``max_gap_s``: the time of the last
        sample before the gap and of the first sample after it (UTC ns, device clock).
    input_rate_hz: the effective input rate: steps between consecutive samples of one contiguous
        stretch divided by the time they span.
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


def grid_length(start_ns: int, stop_ns: int, fs_hz: float) -> int:
    """Grid samples from ``start_ns`` up to and including ``stop_ns`` (UTC ns)."""
    return max(0, int(math.floor((stop_ns - start_ns) * fs_hz / 1e9 + 1e-9)) + 1)


def effective_rate_hz(time_ns: np.ndarray, max_gap_s: float = 1.0) -> float:
    """Effective sample rate (Hz): mean spacing of consecutive samples closer than ``max_gap_s``."""
    if time_ns.shape[0] < 2:
        return float("nan")
    d = np.diff(time_ns[: 2_000_001])
    d = d[(d > 0) & (d <= max_gap_s * 1e9)]
    if d.size == 0:
        return float("nan")
    return float(1e9 / d.mean())


def _design(fs_in: float, fs_out: float) -> tuple[int, np.ndarray]:
    """Decimation factor L and FIR taps (``[1.0]`` with L = 1 when nothing can alias)."""
    if not np.isfinite(fs_in) or fs_in <= fs_out * 1.02:
        return 1, np.ones(1, np.float32)
    L = max(1, math.ceil(fs_in / fs_out - 0.1))
    taps = firwin_lowpass(2 * _HALF_TAPS_PER_L * L + 1, 0.4 * fs_out, L * fs_out, beta=5.0)
    if not np.allclose(taps, taps[::-1]):  # pragma: no cover - the window method is linear-phase
        raise AssertionError("anti-aliasing FIR must be symmetric")
    return L, taps.astype(np.float32)


class Resampler:
    """Streaming resampler onto the grid ``start_ns + round(i * 1e9 / fs_hz)``, ``i < n``.

    Feed time-ordered chunks with :meth:`feed`, then call :meth:`finish` for the
    :class:`ResampledSignal`. Grid samples are written as soon as the samples around them (FIR
    support plus one) have arrived; a few seconds of samples are carried between chunks, so memory
    is the output plus about one chunk.

    Parameters
    ----------
    fs_hz: output rate in Hz. start_ns: UTC ns of grid sample 0 (reference clock).
    n: number of grid samples (see :func:`grid_length`).
    fs_in_hz: the input's effective rate in Hz (chooses the anti-aliasing filter; e.g. the
        reader's ``measured_rate_hz``). NaN or not above ``1.02 * fs_hz``: no filter. None:
        measured from the samples fed before the first grid sample is written (exact for one
        whole array; give it when streaming).
    max_gap_s: consecutive samples further apart than this delimit a gap (seconds).
    clock: optional map from grid times (int64 UTC ns, reference clock) to this device's clock,
        e.g. :meth:`walkback.signal.sync.SyncResult.back_time_ns`; must be increasing.
    antialias: False skips the low-pass and interpolates linearly (cheaper; for signals whose
        high-frequency content does not matter, e.g. the magnitude used for clock sync).
    magnitude: resample the vector magnitude of each row of 3-axis values (1-D result).
    workers: threads running the compiled kernel on blocks of the grid (it releases the GIL);
        None = :func:`walkback._threads.worker_threads` (``WALKBACK_THREADS``).
    source: name used in error messages (e.g. the file path).
    dtype: float32 (default) or float16 storage of the output (:mod:`walkback._half`: computed
        in float32, each block rounded to float16 once; halves the grid's memory).
    """

    def __init__(self, fs_hz: float, start_ns: int, n: int, *, fs_in_hz: float | None = None,
                 max_gap_s: float = 1.0, clock: Callable[[np.ndarray], np.ndarray] | None = None,
                 antialias: bool = True, magnitude: bool = False, columns: int = 3,
                 workers: int | None = None, source: str = "resample",
                 dtype: type = np.float32) -> None:
        if not (fs_hz > 0 and max_gap_s > 0):
            raise InputDataError(f"{source}: fs_hz ({fs_hz}) and max_gap_s ({max_gap_s}) must "
                                 "be > 0")
        self.fs_hz, self.start_ns, self.n = float(fs_hz), int(start_ns), int(n)
        self.clock, self.magnitude, self.source = clock, magnitude, source
        self.poly = antialias  # full fidelity: polynomial interpolation and the low-pass
        self.limit_ns = int(math.floor(max_gap_s * 1e9))
        self.L, self.taps, self.pad = 1, np.ones(1, np.float32), 0
        self._designed = False
        if not antialias:
            self._designed = True
        elif fs_in_hz is not None:
            self._set_filter(fs_in_hz)
        k = 1 if magnitude else columns
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float16)):
            raise InputDataError(f"{source}: output dtype must be float32 or float16, got {dtype}")
        # every block is written or NaN-filled; float16 output is computed in float32 per block
        self.values = empty((self.n, k), dtype)
        self.valid = empty(self.n, bool)
        self.valid[:] = False
        self.gaps: list[tuple[int, int]] = []
        self._next = 0  # first grid sample not yet written
        self._t: np.ndarray | None = None  # carried samples
        self._x: np.ndarray | None = None
        self._seen = 0  # samples fed so far (for error messages)
        self._span_ns = 0
        self._steps = 0
        workers = worker_threads() if workers is None else workers
        self._pool = ThreadPoolExecutor(workers) if workers > 1 else None

    def _set_filter(self, fs_in_hz: float) -> None:
        self.L, self.taps = _design(fs_in_hz, self.fs_hz)
        self.pad = (self.taps.shape[0] - 1) // (2 * self.L)
        self._designed = True

    def _measured_rate(self) -> float:
        """Effective input rate so far: steps within contiguous stretches / their span (Hz)."""
        return self._steps / self._span_ns * 1e9 if self._span_ns > 0 else float("nan")

    # -- grid / clock helpers ------------------------------------------------------------------
    def _fine_times(self, j0: int, j1: int) -> np.ndarray:
        step = 1e9 / (self.fs_hz * self.L)
        if step == int(step):  # integer ns period (e.g. 10 ms): exact integer arithmetic
            g = np.arange(j0, j1, dtype=np.int64) * int(step) + self.start_ns
        else:
            g = self.start_ns + np.round(np.arange(j0, j1, dtype=np.float64) * step).astype(np.int64)
        return g if self.clock is None else np.asarray(self.clock(g), np.int64)

    def _out_times(self, i0: int, i1: int) -> np.ndarray:
        g = grid_times(self.start_ns, self.fs_hz, i0, i1)
        return g if self.clock is None else np.asarray(self.clock(g), np.int64)

    def _fine_time(self, j: int) -> int:
        """Device time of intermediate sample ``j``."""
        return int(self._fine_times(j, j + 1)[0])

    def _first_needed(self) -> int:
        """Device time of the first intermediate sample the next grid sample depends on."""
        return self._fine_time((self._next - self.pad) * self.L)

    # -- feeding -------------------------------------------------------------------------------
    def feed(self, time_ns: np.ndarray, values: np.ndarray) -> None:
        """Add the next chunk: int64 UTC ns (n,) non-decreasing and after the previous chunk, and
        values (n, k) (or (n, 3) in magnitude mode)."""
        t = np.asarray(time_ns)
        x = np.asarray(values)
        if x.ndim == 1:
            x = x[:, None]
        self._check(t, x)
        if t.shape[0] == 0:
            return
        x = np.ascontiguousarray(x, np.float32)
        prev = None if self._t is None else int(self._t[-1])
        self._scan(t, prev)
        self._seen += t.shape[0]
        if not self._designed and self._seen >= 2:
            self._set_filter(self._measured_rate())
        if self._t is None:
            bt, bx = t, x
        elif t.shape[0] <= _HEAD:
            bt, bx = np.concatenate((self._t, t)), np.concatenate((self._x, x))
        else:
            # grid samples next to the chunk edge need the carried samples: emit them from the
            # carry plus the chunk's head, then the rest from the chunk itself (no full copy)
            self._advance(np.concatenate((self._t, t[:_HEAD])),
                          np.concatenate((self._x, x[:_HEAD])))
            if self._first_needed() >= t[REACH - 1]:  # the chunk holds the left neighbours too
                bt, bx = t, x
            else:  # the head spans too little time (e.g. a burst of equal times): copy all
                bt, bx = np.concatenate((self._t, t)), np.concatenate((self._x, x))
        if bt.shape[0] < 2:
            self._t, self._x = bt, bx
            return
        self._advance(bt, bx)
        s = max(0, int(np.searchsorted(bt, self._first_needed(), side="right")) - REACH - 1)
        s = min(s, bt.shape[0] - 2)
        self._t, self._x = bt[s:].copy(), bx[s:].copy()

    def finish(self) -> ResampledSignal:
        """Write the remaining grid samples (those after the last sample are NaN / invalid)."""
        if self._t is None or self._t.shape[0] < 2:
            self._close()
            raise InputDataError(f"{self.source}: need at least 2 samples, got {self._seen}")
        self._emit(self._t, self._x, self._next, self.n)
        self._next = self.n
        self._t = self._x = None
        self._close()
        fs_in = self._measured_rate()
        vals = self.values[:, 0] if self.values.shape[1] == 1 and self.magnitude else self.values
        return ResampledSignal(self.start_ns, self.fs_hz, vals, self.valid, self.gaps, fs_in)

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _check(self, t: np.ndarray, x: np.ndarray) -> None:
        if t.ndim != 1 or t.dtype.kind not in "iu":
            raise InputDataError(f"{self.source}: time_ns must be 1-D int64 ns, got {t.dtype} "
                                 f"{t.shape}")
        want = 3 if self.magnitude else self.values.shape[1]
        if x.ndim != 2 or x.shape[0] != t.shape[0] or x.shape[1] != want:
            raise InputDataError(f"{self.source}: values shape {x.shape} does not match "
                                 f"{t.shape[0]} sample times x {want} columns")

    def _scan(self, t: np.ndarray, prev: int | None) -> None:
        """Reject times going backwards; record gaps and the effective-rate statistics."""
        if prev is not None:  # the pair (previous chunk's last sample, t[0])
            d = int(t[0]) - prev
            if d < 0:
                raise InputDataError(f"{self.source}: sample times go backwards at sample "
                                     f"{self._seen} (expected non-decreasing UTC ns)")
            if d > self.limit_ns:
                self.gaps.append((prev, int(t[0])))
            else:
                self._steps += 1
                self._span_ns += d
        bad, steps, span, ngaps = scan_times(t, self.limit_ns)
        if bad >= 0:
            raise InputDataError(f"{self.source}: sample times go backwards at sample "
                                 f"{self._seen + bad} (expected non-decreasing UTC ns)")
        self._steps += int(steps)
        self._span_ns += int(span)
        if ngaps:
            for i in gap_indices(t, self.limit_ns, ngaps).tolist():
                self.gaps.append((int(t[i - 1]), int(t[i])))

    def _frontier(self, last_ns: int) -> int:
        """First grid sample whose intermediate samples are not all before ``last_ns``."""
        ref = last_ns if self.clock is None else 2 * last_ns - int(
            np.asarray(self.clock(np.array([last_ns], np.int64)))[0])
        i = int(math.floor((ref - self.start_ns) * self.fs_hz / 1e9)) - self.pad - 1
        i = min(max(i, self._next), self.n)
        while i > self._next and self._fine_time((i - 1 + self.pad) * self.L) >= last_ns:
            i -= 1
        return i

    def _advance(self, bt: np.ndarray, bx: np.ndarray) -> None:
        """Write every grid sample whose samples all lie in ``bt``: its intermediate times must
        precede ``bt[-REACH]``, as interpolation between two samples also uses the REACH - 1
        samples beyond them."""
        i_hi = self._frontier(int(bt[-min(REACH, bt.shape[0])]))
        self._emit(bt, bx, self._next, i_hi)
        self._next = max(self._next, i_hi)

    def _emit(self, bt: np.ndarray, bx: np.ndarray, i0: int, i1: int) -> None:
        if i1 <= i0:
            return
        blocks = [(a, min(i1, a + _BLOCK)) for a in range(i0, i1, _BLOCK)]

        def work(ab: tuple[int, int]) -> None:
            a, b = ab
            ot = self._out_times(a, b)
            jl = int(np.searchsorted(bt, ot[0], side="left"))
            jr = int(np.searchsorted(bt, ot[-1], side="right"))
            if jl == jr and (jl == 0 or jl == bt.shape[0] or bt[jl] - bt[jl - 1] > self.limit_ns):
                self.values[a:b] = np.nan  # no sample among these grid times, in a gap: invalid
                return
            ft = self._fine_times((a - self.pad) * self.L,
                                  (b - 1 - self.pad) * self.L + self.taps.shape[0])
            # REACH - 1 samples more on each side than linear interpolation needs
            lo = max(0, int(np.searchsorted(bt, min(ft[0], ot[0]), side="right")) - REACH)
            hi = min(bt.shape[0],
                     int(np.searchsorted(bt, max(ft[-1], ot[-1]), side="left")) + REACH)
            if hi - lo < 2:
                lo, hi = max(0, min(lo, bt.shape[0] - 2)), max(hi, min(bt.shape[0], lo + 2))
            half = self.values.dtype == np.float16
            out = np.empty((b - a, self.values.shape[1]), np.float32) if half else self.values[a:b]
            v = self.valid[a:b]
            resample_block(bt[lo:hi], bx[lo:hi], ft, ot, self.taps, self.L, self.limit_ns,
                           self.magnitude, self.poly, out, v)
            if not v.all():
                out[~v] = np.nan
            if half:
                store(self.values, a, out)

        if self._pool is not None and len(blocks) > 1:
            list(self._pool.map(work, blocks))
        else:
            for ab in blocks:
                work(ab)


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
    workers: int | None = None,
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
    antialias: False skips the low-pass and interpolates linearly (for signals whose
        high-frequency content does not matter, e.g. the magnitude used for clock sync).
    workers: threads working on blocks of the grid in parallel.
    magnitude: resample the vector magnitude of each row of ``values`` instead (1-D result).

    Returns
    -------
    :class:`ResampledSignal` with float32 values (NaN in gaps, before the first and after the last
    sample).
    """
    t = np.asarray(time_ns)
    vals = np.asarray(values)
    one_d = vals.ndim == 1 or magnitude
    if vals.ndim == 1:
        vals = vals[:, None]
    if t.ndim != 1 or t.dtype.kind not in "iu":
        raise InputDataError(f"resample_uniform: time_ns must be 1-D int64 ns, got {t.dtype} "
                             f"{t.shape}")
    if vals.ndim != 2 or vals.shape[0] != t.shape[0]:
        raise InputDataError(f"resample_uniform: values shape {vals.shape} does not match "
                             f"{t.shape[0]} sample times")
    if t.shape[0] < 2:
        raise InputDataError("resample_uniform: need at least 2 samples")
    if not (fs_hz > 0 and max_gap_s > 0):
        raise InputDataError(f"resample_uniform: fs_hz ({fs_hz}) and max_gap_s ({max_gap_s}) must "
                             "be > 0")
    period = 1e9 / fs_hz
    if start_ns is None:
        start_ns = int(math.ceil(t[0] / period) * period)
    stop = int(t[-1] if stop_ns is None else stop_ns)
    r = Resampler(fs_hz, start_ns, grid_length(start_ns, stop, fs_hz),
                  max_gap_s=max_gap_s, clock=clock,
                  antialias=antialias, magnitude=magnitude, columns=vals.shape[1],
                  workers=workers, source="resample_uniform")
    r.feed(t, vals)
    res = r.finish()
    if one_d and res.values.ndim == 2:
        res = ResampledSignal(res.start_ns, res.fs_hz, res.values[:, 0], res.valid, res.gaps,
                              res.input_rate_hz)
    return res

