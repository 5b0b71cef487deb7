"""Window statistics shared by orientation, calibration and non-wear detection (internal)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from walkback._half import LUT, asarray, kernel_view, load

__all__ = ["WindowStats", "window_stats", "gait_band_fraction", "magnitude"]


@dataclass(frozen=True)
class WindowStats:
    """Per-window statistics of a (n, 3) acceleration signal in g, windows of ``w`` samples.

    ``mean_g`` (nw, 3) mean per axis; ``sd_g`` (nw, 3) standard deviation per axis; ``mag_mean_g``,
    ``mag_sd_g`` (nw,) mean and sd of the vector magnitude; ``ok`` (nw,) True when the window has no
    NaN. Window ``i`` covers samples ``i*w .. (i+1)*w - 1``.
    """

    w: int
    mean_g: np.ndarray
    sd_g: np.ndarray
    mag_mean_g: np.ndarray
    mag_sd_g: np.ndarray
    ok: np.ndarray

    @property
    def n(self) -> int:
        return int(self.ok.shape[0])


def magnitude(accel_g: np.ndarray, step: int = 1) -> np.ndarray:
    """Vector magnitude (g, float32) of every ``step``-th row of ``accel_g`` (n, 3) float32 or
    float16 storage: ``sqrt(x*x + y*y + z*z)`` in float32, summed in that order (what NumPy's
    float32 expression gives, bit for bit); NaN rows stay NaN. One compiled pass (the NumPy
    version decoded strided float16 blocks: 0.15 s a week, on the sync's critical path)."""
    x = accel_g if accel_g.dtype in (np.float32, np.float16) else np.asarray(accel_g, np.float32)
    out = np.empty(-(-x.shape[0] // int(step)), np.float32)
    _magnitude_kernel(kernel_view(x), LUT, int(step), out)
    return out


@njit(cache=True, nogil=True)
def _magnitude_kernel(x, lut, step, out):  # pragma: no cover - compiled
    for k in range(out.shape[0]):
        i = k * step
        a = np.float32(load(x, lut, i, 0))
        b = np.float32(load(x, lut, i, 1))
        c = np.float32(load(x, lut, i, 2))
        m = a * a
        m += b * b
        m += c * c
        out[k] = np.sqrt(m)


def window_stats(accel_g: np.ndarray, w: int) -> WindowStats:
    """Statistics of consecutive non-overlapping windows of ``w`` samples (a trailing partial window
    is dropped): one compiled pass, two-pass mean / sd within each window (float64 sums); NaN
    windows have ``ok`` False. ``accel_g`` float32, float64 or float16 storage (read as is)."""
    nw = accel_g.shape[0] // w
    mean = np.empty((nw, 3), np.float32)
    sd = np.empty((nw, 3), np.float32)
    mm = np.empty(nw, np.float32)
    ms = np.empty(nw, np.float32)
    x = accel_g if accel_g.dtype in (np.float32, np.float16) else np.asarray(accel_g, np.float32)
    _window_stats_kernel(kernel_view(x), LUT, w, mean, sd, mm, ms)
    ok = np.isfinite(mm)
    return WindowStats(w, mean, sd, mm, ms, ok)


@njit(cache=True, nogil=True)
def _window_stats_kernel(x, lut, w, mean, sd, mm, ms):  # pragma: no cover - compiled
    mag = np.empty(w, np.float64)
    for k in range(mean.shape[0]):
        i0 = k * w
        s0 = 0.0
        s1 = 0.0
        s2 = 0.0
        sm = 0.0
        for i in range(w):
            a = np.float64(load(x, lut, i0 + i, 0))
            b = np.float64(load(x, lut, i0 + i, 1))
            c = np.float64(load(x, lut, i0 + i, 2))
            s0 += a
            s1 += b
            s2 += c
            m = np.sqrt(a * a + b * b + c * c)
            mag[i] = m
            sm += m
        m0 = s0 / w
        m1 = s1 / w
        m2 = s2 / w
        mu = sm / w
        v0 = 0.0
        v1 = 0.0
        v2 = 0.0
        vm = 0.0
        for i in range(w):
            d0 = load(x, lut, i0 + i, 0) - m0
            d1 = load(x, lut, i0 + i, 1) - m1
            d2 = load(x, lut, i0 + i, 2) - m2
            dm = mag[i] - mu
            v0 += d0 * d0
            v1 += d1 * d1
            v2 += d2 * d2
            vm += dm * dm
        mean[k, 0] = m0
        mean[k, 1] = m1
        mean[k, 2] = m2
        sd[k, 0] = np.sqrt(v0 / w)
        sd[k, 1] = np.sqrt(v1 / w)
        sd[k, 2] = np.sqrt(v2 / w)
        mm[k] = mu
        ms[k] = np.sqrt(vm / w)


def gait_band_fraction(
    accel_g: np.ndarray, w: int, idx: np.ndarray, fs_hz: float, band_hz: tuple[float, float]
) -> np.ndarray:
    """Fraction of the magnitude signal's power (0.3-15 Hz) that lies in ``band_hz`` for windows
    ``idx`` (of ``w`` samples). Walking and running put 20-60 % there (stride and step rates);
    still postures about 10 %."""
    out = np.zeros(idx.shape[0], np.float32)
    freqs = np.fft.rfftfreq(w, 1.0 / fs_hz)
    in_band = (freqs >= band_hz[0]) & (freqs <= band_hz[1])
    total = (freqs >= 0.3) & (freqs <= 15.0)
    for c0 in range(0, idx.shape[0], 2048):
        sel = idx[c0 : c0 + 2048]
        rows = (sel[:, None] * w + np.arange(w)[None, :])
        x = asarray(accel_g[rows], np.float32)
        mag = np.sqrt(np.einsum("ijk,ijk->ij", x, x))
        mag -= mag.mean(axis=1, keepdims=True)
        p = np.abs(np.fft.rfft(mag, axis=1)) ** 2
        out[c0 : c0 + sel.shape[0]] = p[:, in_band].sum(1) / np.maximum(p[:, total].sum(1), 1e-12)
    return out


def aggregate(ws: WindowStats, k: int) -> WindowStats:
    """Statistics of windows of ``k`` consecutive windows of ``ws`` (exact for means and sds:
    var = mean(var_i + mean_i^2) - mean^2, computed in float64)."""
    nw = ws.n // k
    if k == 1:
        return ws

    def comb(m: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shape = (nw, k) + m.shape[1:]
        m64 = m[: nw * k].astype(np.float64).reshape(shape)
        s64 = sd[: nw * k].astype(np.float64).reshape(shape)
        mean = m64.mean(axis=1)
        var = (s64**2 + m64**2).mean(axis=1) - mean**2
        return mean.astype(np.float32), np.sqrt(np.maximum(var, 0.0)).astype(np.float32)

    mean, sd = comb(ws.mean_g, ws.sd_g)
    mm, ms = comb(ws.mag_mean_g, ws.mag_sd_g)
    ok = ws.ok[: nw * k].reshape(nw, k).all(axis=1)
    return WindowStats(ws.w * k, mean, sd, mm, ms, ok)


def transform(ws: WindowStats, offset: np.ndarray | None = None, scale: np.ndarray | None = None,
              matrix: np.ndarray | None = None) -> WindowStats:
    """Per-axis statistics after ``x' = (x + offset) * scale`` then ``x'' = matrix @ x'`` (a signed
    permutation). Magnitude statistics are kept as they are (rotation leaves them unchanged; a
    calibration changes them by its small gain/offset error only)."""
    mean, sd = ws.mean_g, ws.sd_g
    if offset is not None and scale is not None:
        sc = np.asarray(scale, np.float32)
        mean = (mean + np.asarray(offset, np.float32)) * sc
        sd = sd * np.abs(sc)
    if matrix is not None:
        m = np.asarray(matrix)
        perm = np.argmax(np.abs(m), axis=1)
        signs = m[np.arange(3), perm].astype(np.float32)
        mean = mean[:, perm] * signs
        sd = sd[:, perm]
    return WindowStats(ws.w, mean, sd, ws.mag_mean_g, ws.mag_sd_g, ws.ok)
