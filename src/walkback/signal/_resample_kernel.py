"""Compiled kernel of :mod:`walkback.signal.resample`: polynomial interpolation at irregular sample
times fused with the anti-aliasing FIR and decimation.

Interpolation: between samples ``j`` and ``j + 1`` the value is the Lagrange polynomial through
the six samples ``j - 2 .. j + 3`` at their true times, when the five intervals between them are
within the gap limit and even (longest <= 1.5 x shortest); otherwise (next to a gap, across a
skipped stretch, at either end of the recording) it is linear between ``j`` and ``j + 1``. The
polynomial keeps the 2-12 Hz content of movement (at 10 Hz a 50 Hz input keeps >= 98 % of its
amplitude; linear interpolation kept 88 % on average, 81 % half-way between samples, which made
window features depend on the device's sample rate). The choice depends only on the samples
themselves, so chunked and whole-array resampling agree exactly as long as the caller passes
:data:`REACH` samples beyond the needed ones on each side (:mod:`walkback.signal.resample` does).

Why compiled: locating each grid time among irregular sample times is a merge walk over two sorted
sequences, a loop numpy can only express as a binary search per point plus several full-length
temporaries (the former numpy version spent ~2.5 s per week-long 100 Hz sensor, mostly in
``np.interp``, gathers and float32 copies). The walk here is one pass, writes nothing full-length
and releases the GIL, so chunks run in parallel threads.

Conventions (shared with :mod:`walkback.signal.resample`): times are int64 ns on the device's clock;
values float32 (n, k); a gap is a pair of consecutive samples further apart than ``limit_ns``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: samples used on each side of an interval: interpolation between samples j and j + 1 uses
#: j - REACH + 1 .. j + REACH (6 points, a quintic; the kernel's formulas are written out for
#: REACH = 3). Callers pass REACH samples beyond the needed interval on each side (see
#: :mod:`walkback.signal.resample`).
REACH = 3


@njit(cache=True, nogil=True, inline="always")
def _stencil_ok(t, j, n, limit_ns):
    """True when samples j-REACH+1 .. j+REACH exist, are gap-free and evenly spaced (the longest
    interval at most 1.5 x the shortest). A polynomial through unevenly spaced points swings
    between them (a 0.6-s hole among 10-ms steps would be filled with oscillations), so there the
    caller interpolates linearly."""
    if j < 2 or j + 3 >= n:
        return False
    e0 = t[j - 1] - t[j - 2]
    e1 = t[j] - t[j - 1]
    e2 = t[j + 1] - t[j]
    e3 = t[j + 2] - t[j + 1]
    e4 = t[j + 3] - t[j + 2]
    dmin = min(min(e0, e1), min(min(e2, e3), e4))
    dmax = max(max(e0, e1), max(max(e2, e3), e4))
    if dmin <= 0 or dmax > limit_ns:
        return False
    return 2 * dmax <= 3 * dmin


@njit(cache=True, nogil=True, inline="always")
def _column(x, j, mag, a):
    if mag:
        return np.float32(np.sqrt(x[j, 0] * x[j, 0] + x[j, 1] * x[j, 1] + x[j, 2] * x[j, 2]))
    return x[j, a]


@njit(cache=True, nogil=True, fastmath=True)
def resample_block(t, x, fine_t, out_t, taps, L, limit_ns, mag, poly, out, valid):
    """Fill ``out`` (m, k) and ``valid`` (m,) for m output samples.

    t: int64 (n,) sample times (non-decreasing), x: float32 (n, c) samples.
    fine_t: int64 (nf,) device times of the fine grid (rate L x output) feeding the FIR: output
        ``i`` is ``sum_q taps[q] * fine[i * L + q]``, ``nf >= (m - 1) * L + len(taps)``.
    out_t: int64 (m,) device times of the output samples (for the validity test).
    taps: float32 FIR taps (``[1.0]`` with L = 1 for plain interpolation).
    mag: resample the row magnitude of x (then k = 1).
    poly: interpolate with the six-point polynomial where the samples allow (else linear only).
    valid[i] is True when out_t[i] lies inside a segment (between two samples of one segment,
    or on a sample).
    """
    n = t.shape[0]
    m = out.shape[0]
    k = out.shape[1]
    nt = taps.shape[0]
    nf = (m - 1) * L + nt
    ns = (nf + L - 1) // L
    # intermediate grid in polyphase layout: fine[a, p, s] is intermediate sample s * L + p, so
    # the FIR below is L * ceil(nt / L) contiguous multiply-adds that the compiler vectorises
    fine = np.zeros((k, L, ns + 1), np.float32)
    t_first = t[0]
    t_last = t[n - 1]
    j = 0
    p = 0
    s = 0
    for q in range(nf):
        tau = fine_t[q]
        while j < n - 2 and t[j + 1] <= tau:
            j += 1
        if tau <= t_first:
            j0, j1, f = 0, 0, np.float32(0.0)
        elif tau >= t_last:
            j0, j1, f = n - 1, n - 1, np.float32(0.0)
        else:
            dt = t[j + 1] - t[j]
            if dt > limit_ns:  # gap: hold the nearer edge sample (left up to the midpoint)
                j0 = j if 2 * (tau - t[j]) <= dt else j + 1
                j1, f = j0, np.float32(0.0)
            elif poly and _stencil_ok(t, j, n, limit_ns):
                # Lagrange polynomial through samples j-2 .. j+3 at their true times, written out
                # (scalars stay in registers): w_i = prod_{m != i} (v - u_m) / prod_{m != i}
                # (u_i - u_m), with u_m the sample times relative to t[j] (u_2 = 0)
                u0 = float(t[j - 2] - t[j])
                u1 = float(t[j - 1] - t[j])
                u3 = float(t[j + 1] - t[j])
                u4 = float(t[j + 2] - t[j])
                u5 = float(t[j + 3] - t[j])
                v = float(tau - t[j])
                d0, d1, d2, d3, d4, d5 = v - u0, v - u1, v, v - u3, v - u4, v - u5
                p01 = d0 * d1
                p012 = p01 * d2
                s45 = d4 * d5
                s345 = d3 * s45
                w0 = d1 * d2 * s345 / ((u0 - u1) * u0 * (u0 - u3) * (u0 - u4) * (u0 - u5))
                w1 = d0 * d2 * s345 / ((u1 - u0) * u1 * (u1 - u3) * (u1 - u4) * (u1 - u5))
                w2 = -p01 * s345 / (u0 * u1 * u3 * u4 * u5)
                w3 = p012 * s45 / ((u3 - u0) * (u3 - u1) * u3 * (u3 - u4) * (u3 - u5))
                w4 = p012 * d3 * d5 / ((u4 - u0) * (u4 - u1) * u4 * (u4 - u3) * (u4 - u5))
                w5 = p012 * d3 * d4 / ((u5 - u0) * (u5 - u1) * u5 * (u5 - u3) * (u5 - u4))
                for a in range(k):
                    fine[a, p, s] = np.float32(
                        w0 * _column(x, j - 2, mag, a) + w1 * _column(x, j - 1, mag, a)
                        + w2 * _column(x, j, mag, a) + w3 * _column(x, j + 1, mag, a)
                        + w4 * _column(x, j + 2, mag, a) + w5 * _column(x, j + 3, mag, a))
                p += 1
                if p == L:
                    p = 0
                    s += 1
                continue
            else:
                j0, j1, f = j, j + 1, np.float32((tau - t[j]) / dt)
        for a in range(k):
            v0 = _column(x, j0, mag, a)
            fine[a, p, s] = v0 + f * (_column(x, j1, mag, a) - v0)
        p += 1
        if p == L:
            p = 0
            s += 1
    # FIR in polyphase form: for each phase p and row offset r, one contiguous multiply-add over
    # all outputs (vectorised by the compiler)
    acc = np.empty(m, np.float32)
    for a in range(k):
        acc[:] = 0.0
        for p in range(L):
            row = fine[a, p]
            for r in range((nt - p + L - 1) // L):
                c = taps[r * L + p]
                for i in range(m):
                    acc[i] += c * row[i + r]
        for i in range(m):
            out[i, a] = acc[i]
    j = 0
    for i in range(m):
        tau = out_t[i]
        if tau < t_first or tau > t_last:
            valid[i] = False
            continue
        while j < n - 2 and t[j + 1] <= tau:
            j += 1
        valid[i] = tau == t[j] or tau == t[j + 1] or (t[j + 1] - t[j]) <= limit_ns


@njit(cache=True, nogil=True)
def scan_times(t, limit_ns):
    """One pass over sample times ``t`` (int64 ns, n >= 1).

    Returns (index of the first sample whose time is before its predecessor's, or -1; steps and
    span (ns) of the consecutive pairs at most ``limit_ns`` apart; the number of pairs further
    apart, i.e. gaps). :func:`gap_indices` lists the gaps."""
    steps = 0
    span = 0
    ngaps = 0
    last = t[0]
    for i in range(1, t.shape[0]):
        d = t[i] - last
        if d < 0:
            return i, steps, span, ngaps
        if d <= limit_ns:
            steps += 1
            span += d
        else:
            ngaps += 1
        last = t[i]
    return -1, steps, span, ngaps


@njit(cache=True, nogil=True)
def gap_indices(t, limit_ns, ngaps):
    """int64 (ngaps,) indices i with ``t[i] - t[i - 1] > limit_ns``."""
    out = np.empty(ngaps, np.int64)
    k = 0
    for i in range(1, t.shape[0]):
        if t[i] - t[i - 1] > limit_ns:
            out[k] = i
            k += 1
    return out
