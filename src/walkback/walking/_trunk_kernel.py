"""Compiled block means of the back signal for the trunk angles (internal)."""

from __future__ import annotations

import numpy as np
from numba import njit

from walkback._half import load


@njit(cache=True, nogil=True)
def block_units(g, lut, wear, L, min_norm):  # pragma: no cover - compiled
    """Unit vectors of the means of consecutive ``L``-sample blocks of ``g`` (n, 3) g, and per
    block True when every sample is worn (``wear``) and finite and the mean's norm exceeds
    ``min_norm`` g. Invalid blocks get NaN. One pass, float64 sums. ``g`` float32 / float64, or
    float16 storage as uint16 codes read through ``lut`` (:mod:`walkback._half`)."""
    m = g.shape[0] // L
    u = np.empty((m, 3), np.float32)
    ok = np.zeros(m, np.bool_)
    for b in range(m):
        sx = 0.0
        sy = 0.0
        sz = 0.0
        good = True
        for i in range(b * L, b * L + L):
            if not wear[i]:
                good = False
                break
            sx += load(g, lut, i, 0)
            sy += load(g, lut, i, 1)
            sz += load(g, lut, i, 2)
        nrm = np.sqrt(sx * sx + sy * sy + sz * sz) / L
        if good and np.isfinite(nrm) and nrm > min_norm:
            f = 1.0 / (nrm * L)
            u[b, 0] = sx * f
            u[b, 1] = sy * f
            u[b, 2] = sz * f
            ok[b] = True
        else:
            u[b, 0] = np.nan
            u[b, 1] = np.nan
            u[b, 2] = np.nan
    return u, ok


@njit(cache=True, nogil=True)
def running_median(x, k):  # pragma: no cover - compiled
    """Centred running median of ``k`` (odd) values of the float32 series ``x``; a value whose
    window reaches past either end, or holds a NaN, is kept as it is."""
    n = x.shape[0]
    out = x.copy()
    h = k // 2
    buf = np.empty(k, np.float32)
    for i in range(h, n - h):
        good = True
        for j in range(k):
            v = x[i - h + j]
            if not np.isfinite(v):
                good = False
                break
            # insertion into the sorted buffer
            p = j
            while p > 0 and buf[p - 1] > v:
                buf[p] = buf[p - 1]
                p -= 1
            buf[p] = v
        if good:
            out[i] = buf[h]
    return out
