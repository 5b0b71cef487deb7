"""Compiled loops of the gait measures (internal; see :mod:`walkback.walking.gait`).

Each kernel is one pass over the locomotion samples (or over the peak candidates) of a batch of
runs, where NumPy would need several passes over gathered copies (the gait stage's cost is memory
traffic, not arithmetic) or cannot vectorise at all (the recursive filter; the greedy peak
selection). Compiled with numba (``cache=True``) and cached on disk: ``NUMBA_CACHE_DIR`` when set,
else next to this file (``walking/__pycache__/_gait_kernels.*.nbi/.nbc``), else, when that folder
is not writable (a read-only install), numba's user cache folder (``~/.cache/numba`` or
``$XDG_CACHE_HOME/numba``). With no writable place at all every new process compiles them again
(~5 s); set ``NUMBA_CACHE_DIR`` to a writable folder (e.g. on a cluster's node-local disk) then.
Loading them from the cache takes ~0.05 s once numba is running.

Signals: ``x`` is the (n, 3) grid signal in g (float32 or float64, or the uint16 codes of float16
storage read through ``lut``: :mod:`walkback._half`); ``f`` the batch's band-passed
signal, (3, N) float64, its segments end to end.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from walkback._half import load


@njit(cache=True, nogil=True, inline="always")
def _finite_row(x, lut, t):  # pragma: no cover - compiled
    """Sample row ``t`` of ``x`` holds no NaN / inf."""
    return (np.isfinite(load(x, lut, t, 0)) and np.isfinite(load(x, lut, t, 1))
            and np.isfinite(load(x, lut, t, 2)))


@njit(cache=True, nogil=True)
def epochs_finite(x, lut, starts, L, out):  # pragma: no cover - compiled
    """``out[i]`` = no NaN / inf in ``x[starts[i] : starts[i] + L]``."""
    for i in range(starts.shape[0]):
        ok = True
        for t in range(starts[i], starts[i] + L):
            if not (_finite_row(x, lut, t)):
                ok = False
                break
        out[i] = ok


@njit(cache=True, nogil=True)
def finite_margins(x, lut, a, b, margin, lo, hi):  # pragma: no cover - compiled
    """Widen each run ``[a[r], b[r])`` by up to ``margin`` finite samples on either side, stopping
    before a NaN / inf sample or the signal's ends: ``lo[r]``, ``hi[r]``."""
    n = x.shape[0]
    for r in range(a.shape[0]):
        t = a[r]
        stop = max(0, a[r] - margin)
        while t > stop and _finite_row(x, lut, t - 1):
            t -= 1
        lo[r] = t
        t = b[r]
        stop = min(n, b[r] + margin)
        while t < stop and _finite_row(x, lut, t):
            t += 1
        hi[r] = t


@njit(cache=True, nogil=True)
def filtfilt_segments(x, lut, seg_lo, seg_hi, out_off, sos, zi, edge, out):  # pragma: no cover - compiled
    """Zero-phase band-pass of each segment ``x[seg_lo[k]:seg_hi[k]]`` into ``out[:, out_off[k]:...]``,
    computed as ``scipy.signal.sosfiltfilt(sos, segment, axis=0)`` does (odd extension by ``edge``
    samples at both ends, fewer when the segment is shorter; initial states ``zi`` =
    ``sosfilt_zi(sos)`` scaled by the first sample of each pass; direct form II transposed
    biquads in float64). ``sos`` must have 4 sections (a 4th-order Butterworth band-pass): the
    states are kept in registers and the three axes interleaved (~30 % faster than a loop over
    sections)."""
    maxlen = 0
    for k in range(seg_lo.shape[0]):
        maxlen = max(maxlen, seg_hi[k] - seg_lo[k])
    buf = np.empty((3, maxlen + 2 * edge), np.float64)
    for k in range(seg_lo.shape[0]):
        lo = seg_lo[k]
        n = seg_hi[k] - lo
        if n <= 0:
            continue
        e = min(edge, n - 1)
        m = n + 2 * e
        for c in range(3):
            x0 = np.float64(load(x, lut, lo, c))
            x1 = np.float64(load(x, lut, lo + n - 1, c))
            for i in range(e):
                buf[c, i] = 2.0 * x0 - np.float64(load(x, lut, lo + e - i, c))
                buf[c, e + n + i] = 2.0 * x1 - np.float64(load(x, lut, lo + n - 2 - i, c))
            for i in range(n):
                buf[c, e + i] = np.float64(load(x, lut, lo + i, c))
        _sos4_pass(buf, m, sos, zi, 0, 1)
        _sos4_pass(buf, m, sos, zi, m - 1, -1)
        o = out_off[k]
        for c in range(3):
            for i in range(n):
                out[c, o + i] = buf[c, e + i]


@njit(cache=True, nogil=True, inline="always")
def _sos4_pass(buf, m, sos, zi, first, step):  # pragma: no cover - compiled
    """One pass of the 4-section cascade over ``buf[:, :m]`` in place, from ``first`` by ``step``."""
    b00, b01, b02, a01, a02 = sos[0, 0], sos[0, 1], sos[0, 2], sos[0, 4], sos[0, 5]
    b10, b11, b12, a11, a12 = sos[1, 0], sos[1, 1], sos[1, 2], sos[1, 4], sos[1, 5]
    b20, b21, b22, a21, a22 = sos[2, 0], sos[2, 1], sos[2, 2], sos[2, 4], sos[2, 5]
    b30, b31, b32, a31, a32 = sos[3, 0], sos[3, 1], sos[3, 2], sos[3, 4], sos[3, 5]
    u0, v0, w0 = buf[0, first], buf[1, first], buf[2, first]
    p0u, q0u, p1u, q1u = zi[0, 0] * u0, zi[0, 1] * u0, zi[1, 0] * u0, zi[1, 1] * u0
    p2u, q2u, p3u, q3u = zi[2, 0] * u0, zi[2, 1] * u0, zi[3, 0] * u0, zi[3, 1] * u0
    p0v, q0v, p1v, q1v = zi[0, 0] * v0, zi[0, 1] * v0, zi[1, 0] * v0, zi[1, 1] * v0
    p2v, q2v, p3v, q3v = zi[2, 0] * v0, zi[2, 1] * v0, zi[3, 0] * v0, zi[3, 1] * v0
    p0w, q0w, p1w, q1w = zi[0, 0] * w0, zi[0, 1] * w0, zi[1, 0] * w0, zi[1, 1] * w0
    p2w, q2w, p3w, q3w = zi[2, 0] * w0, zi[2, 1] * w0, zi[3, 0] * w0, zi[3, 1] * w0
    i = first
    for _ in range(m):
        u, v, w = buf[0, i], buf[1, i], buf[2, i]
        y = b00 * u + p0u
        p0u = b01 * u - a01 * y + q0u
        q0u = b02 * u - a02 * y
        u = y
        y = b00 * v + p0v
        p0v = b01 * v - a01 * y + q0v
        q0v = b02 * v - a02 * y
        v = y
        y = b00 * w + p0w
        p0w = b01 * w - a01 * y + q0w
        q0w = b02 * w - a02 * y
        w = y
        y = b10 * u + p1u
        p1u = b11 * u - a11 * y + q1u
        q1u = b12 * u - a12 * y
        u = y
        y = b10 * v + p1v
        p1v = b11 * v - a11 * y + q1v
        q1v = b12 * v - a12 * y
        v = y
        y = b10 * w + p1w
        p1w = b11 * w - a11 * y + q1w
        q1w = b12 * w - a12 * y
        w = y
        y = b20 * u + p2u
        p2u = b21 * u - a21 * y + q2u
        q2u = b22 * u - a22 * y
        u = y
        y = b20 * v + p2v
        p2v = b21 * v - a21 * y + q2v
        q2v = b22 * v - a22 * y
        v = y
        y = b20 * w + p2w
        p2w = b21 * w - a21 * y + q2w
        q2w = b22 * w - a22 * y
        w = y
        y = b30 * u + p3u
        p3u = b31 * u - a31 * y + q3u
        q3u = b32 * u - a32 * y
        u = y
        y = b30 * v + p3v
        p3v = b31 * v - a31 * y + q3v
        q3v = b32 * v - a32 * y
        v = y
        y = b30 * w + p3w
        p3w = b31 * w - a31 * y + q3w
        q3w = b32 * w - a32 * y
        w = y
        buf[0, i], buf[1, i], buf[2, i] = u, v, w
        i += step


@njit(cache=True, nogil=True)
def run_moments(f, run_off, run_len, ep_off, L, mean, cov, ep_power):  # pragma: no cover - compiled
    """Per run: ``mean`` (R, 3) and scatter matrix ``cov`` (R, 3, 3) about that mean (two passes);
    per epoch: ``ep_power[i]`` = sum over ``f[:, ep_off[i] : ep_off[i] + L]`` of the squared
    samples."""
    for r in range(run_off.shape[0]):
        o, n = run_off[r], run_len[r]
        for c in range(3):
            s = 0.0
            for t in range(o, o + n):
                s += f[c, t]
            mean[r, c] = s / n
        m0, m1, m2 = mean[r, 0], mean[r, 1], mean[r, 2]
        s00 = s01 = s02 = s11 = s12 = s22 = 0.0
        for t in range(o, o + n):
            d0, d1, d2 = f[0, t] - m0, f[1, t] - m1, f[2, t] - m2
            s00 += d0 * d0
            s01 += d0 * d1
            s02 += d0 * d2
            s11 += d1 * d1
            s12 += d1 * d2
            s22 += d2 * d2
        cov[r, 0, 0], cov[r, 1, 1], cov[r, 2, 2] = s00, s11, s22
        cov[r, 0, 1] = cov[r, 1, 0] = s01
        cov[r, 0, 2] = cov[r, 2, 0] = s02
        cov[r, 1, 2] = cov[r, 2, 1] = s12
    for i in range(ep_off.shape[0]):
        s = 0.0
        for t in range(ep_off[i], ep_off[i] + L):
            s += f[0, t] * f[0, t] + f[1, t] * f[1, t] + f[2, t] * f[2, t]
        ep_power[i] = s


@njit(cache=True, nogil=True)
def project_runs(f, run_off, run_len, mean, vec, head, out):  # pragma: no cover - compiled
    """``out[head[r] + t]`` = projection of run ``r``'s centred sample ``t`` on ``vec[r]``, the
    sign chosen so that the projection's third moment is >= 0 (its sharp side up)."""
    for r in range(run_off.shape[0]):
        o, h = run_off[r], head[r]
        m0, m1, m2 = mean[r, 0], mean[r, 1], mean[r, 2]
        v0, v1, v2 = vec[r, 0], vec[r, 1], vec[r, 2]
        s3 = 0.0
        for t in range(run_len[r]):
            p = (f[0, o + t] - m0) * v0 + (f[1, o + t] - m1) * v1 + (f[2, o + t] - m2) * v2
            out[h + t] = p
            s3 += p * p * p
        if s3 < 0.0:
            for t in range(run_len[r]):
                out[h + t] = -out[h + t]


@njit(cache=True, nogil=True)
def centred_windows(f, w0, W, out):  # pragma: no cover - compiled
    """``out[i, c, :W]`` = ``f[c, w0[i] : w0[i] + W]`` minus its mean, zeros after (FFT padding)."""
    for i in range(w0.shape[0]):
        for c in range(3):
            s = 0.0
            for t in range(W):
                s += f[c, w0[i] + t]
            mu = s / W
            for t in range(W):
                out[i, c, t] = f[c, w0[i] + t] - mu
            for t in range(W, out.shape[2]):
                out[i, c, t] = 0.0


@njit(cache=True, nogil=True)
def power_sum(spec, out):  # pragma: no cover - compiled
    """``out[i, k]`` = sum over the 3 axes of ``|spec[i, c, k]|^2``."""
    for i in range(spec.shape[0]):
        for k in range(spec.shape[2]):
            s = 0.0
            for c in range(3):
                z = spec[i, c, k]
                s += z.real * z.real + z.imag * z.imag
            out[i, k] = s


@njit(cache=True, nogil=True)
def select_strides(pos, group, spacing, order, keep):  # pragma: no cover - compiled
    """Greedy stride selection. ``pos`` (k,) candidate positions sorted ascending, ``group`` (k,)
    their run (non-decreasing), ``spacing`` (k,) minimum distance (samples) to any kept peak of the
    same run, ``order`` the candidates by decreasing priority. Sets ``keep[i]`` True for the
    candidates kept: in priority order, one is kept unless a kept peak of its run lies closer than
    its spacing on either side."""
    k = pos.shape[0]
    for t in range(k):
        i = order[t]
        ok = True
        j = i - 1
        while j >= 0 and group[j] == group[i] and pos[i] - pos[j] < spacing[i]:
            if keep[j]:
                ok = False
                break
            j -= 1
        if ok:
            j = i + 1
            while j < k and group[j] == group[i] and pos[j] - pos[i] < spacing[i]:
                if keep[j]:
                    ok = False
                    break
                j += 1
        keep[i] = ok
