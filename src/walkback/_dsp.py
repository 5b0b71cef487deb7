"""The few signal-processing routines of the process-one path, written out (internal).

Why: ``import scipy.signal`` takes 0.63-0.70 s (``python -X importtime -c "import
scipy.signal"``; it pulls in scipy.stats, scipy.interpolate, scipy.ndimage and an array-API
dispatch layer), 0.40 s and 46 MB on top of what ``walkback process-one`` imports anyway (NumPy,
numba, pandas, scipy.fft), and a batch of 33,000 participants pays it 33,000 times, for five
small functions. They are here instead, in NumPy (and numba where a loop is unavoidable), each
checked against scipy in ``tests/test_dsp.py``:

* :func:`firwin_lowpass`: ``scipy.signal.firwin(n, cutoff, window=("kaiser", beta), fs=fs)``
  (equal taps within 1e-15);
* :func:`butter_bandpass`: the digital Butterworth band-pass of ``scipy.signal.butter(order,
  band, btype="bandpass", fs=fs, output="sos")`` as second-order sections. The transfer function
  is the same (frequency responses equal within 1e-9 relative); the sections are paired more
  simply than scipy's ``zpk2sos`` (see the function);
* :func:`sosfilt_zi` and :func:`sosfilt`: ``scipy.signal.sosfilt_zi`` / ``sosfilt`` (float64,
  direct form II transposed, as scipy computes);
* :func:`find_peaks`: ``scipy.signal.find_peaks(x, distance=d, prominence=p)``, the same indices
  and prominences exactly (NaN included);
* :func:`fast_length`: the smallest 5-smooth FFT length >= n (gait autocorrelation, clock sync);
* :func:`binary_median_filter`: ``scipy.ndimage.median_filter(x.astype(uint8), size,
  mode="nearest") > 0`` on a boolean series, exactly.

Conventions: frequencies in Hz with the sample rate ``fs_hz`` given; sections ``sos`` are rows
``[b0, b1, b2, 1, a1, a2]`` of ``H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)``,
applied first row first (scipy's layout).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["fast_length", "firwin_lowpass", "butter_bandpass", "sosfilt_zi", "sosfilt", "find_peaks",
           "binary_median_filter"]


def fast_length(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n (an FFT length numpy's pocketfft
    handles fast); used by the gait autocorrelation and the clock sync."""
    best = 1 << max(0, int(n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def firwin_lowpass(numtaps: int, cutoff_hz: float, fs_hz: float, beta: float) -> np.ndarray:
    """Linear-phase FIR low-pass by the window method: float64 (numtaps,) taps.

    The ideal low-pass impulse response ``2 fc sinc(2 fc (n - (numtaps - 1) / 2))`` (``fc`` the
    cut-off in cycles per sample) times a Kaiser window of shape ``beta``, scaled to unit gain at
    0 Hz (what ``scipy.signal.firwin(numtaps, cutoff_hz, window=("kaiser", beta), fs=fs_hz)``
    returns). The cut-off is where the gain is about 0.5 (-6 dB).
    """
    numtaps = int(numtaps)
    c = float(cutoff_hz) / (0.5 * float(fs_hz))  # fraction of the Nyquist frequency
    if numtaps < 1 or not 0.0 < c < 1.0:
        raise ValueError(f"firwin_lowpass: need numtaps >= 1 and 0 < cutoff < fs/2, got "
                         f"{numtaps}, {cutoff_hz} Hz at {fs_hz} Hz")
    m = np.arange(numtaps, dtype=np.float64) - 0.5 * (numtaps - 1)
    h = c * np.sinc(c * m) * np.kaiser(numtaps, float(beta))
    return h / np.sum(h)


def butter_bandpass(order: int, band_hz: tuple[float, float], fs_hz: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Digital Butterworth band-pass of ``order`` (2 x order poles): ``(sos, poles)``.

    ``sos`` float64 (order, 6), ``poles`` complex (2 * order,) in the z-plane (for instance the
    largest ``abs(poles)`` sets how fast a start-up transient decays). Design: the analog
    Butterworth low-pass prototype's poles ``-exp(i pi m / (2 order))``, ``m = 1 - order, 3 -
    order, ..., order - 1``; the band edges pre-warped (``tan(pi f / fs_hz)``), so that after the
    bilinear transform ``s = (z - 1) / (z + 1)`` the -3 dB points fall exactly on ``band_hz``; the
    low-pass to band-pass map ``s -> (s^2 + w1 w2) / (s (w2 - w1))`` (each prototype pole gives two
    poles, ``order`` zeros at s = 0); then the bilinear transform (zeros at z = +1, and ``order``
    more at z = -1). Unit gain at the band's geometric centre, as scipy's ``butter``.

    Sections: each holds one pole pair (a complex pair, or the two real poles an odd order's real
    prototype pole can give with a wide band) and two zeros. Ranked by the pair's mean angle
    (frequency), the lower ``order // 2`` pairs get the double zero at z = +1 (numerator
    ``(1 - z^-1)^2``), the upper ``order // 2`` the double zero at z = -1 (``(1 + z^-1)^2``) and,
    for an odd order, the middle pair one of each (``1 - z^-2``): zeros with the nearer poles, as
    scipy's ``zpk2sos`` pairs them by its own rule. It matters: giving every pair ``1 - z^-2``
    leaves the low-frequency pairs with a zero at -1 each, and their round-off, amplified, reached
    1e-8 (6th order, 0.1-20 Hz at 50 Hz) to 7e-6 (8th order, 0.3-45 Hz at 100 Hz) of the
    signal, against ~2e-13 this way and with scipy's sections. The whole gain is in the first
    section, as in scipy's: spread evenly, the sections before the first zero at +1 raised a
    constant input (gravity) up to 41 times (4th order, 0.5-3 Hz at 50 Hz; 157 times at 100 Hz),
    against < 1 this way (round-off ~1e-14 of the signal either way). Sections run from the pair
    farthest from the unit circle to the closest. The transfer function equals scipy's
    (``tests/test_dsp.py``); filtered signals agree to rounding, not bit for bit.
    """
    order = int(order)
    lo, hi = (float(v) for v in band_hz)
    fs = float(fs_hz)
    if order < 1 or not 0.0 < lo < hi < 0.5 * fs:
        raise ValueError(f"butter_bandpass: need order >= 1 and 0 < low < high < fs/2, got "
                         f"order {order}, band {band_hz} Hz at {fs_hz} Hz")
    w1, w2 = math.tan(math.pi * lo / fs), math.tan(math.pi * hi / fs)  # pre-warped edges
    bw, w0sq = w2 - w1, w1 * w2
    pairs = []  # analog pole pairs (s1, s2), one section each
    m = np.arange(1 - order, 0, 2)  # prototype poles in the upper half-plane
    half = -np.exp(1j * np.pi * m / (2 * order)) * (0.5 * bw)
    root = np.sqrt(half * half - w0sq)
    for s in np.concatenate([half + root, half - root]):  # non-real; conjugates from m > 0
        pairs.append((s, np.conj(s)))
    if order % 2:  # the real prototype pole -1
        disc = 0.25 * bw * bw - w0sq
        if disc < 0.0:
            s = complex(-0.5 * bw, math.sqrt(-disc))
            pairs.append((s, s.conjugate()))
        else:
            pairs.append((complex(-0.5 * bw - math.sqrt(disc)), complex(-0.5 * bw + math.sqrt(disc))))
    s1 = np.array([p[0] for p in pairs], np.complex128)
    s2 = np.array([p[1] for p in pairs], np.complex128)
    # H(s) = bw^n s^n / prod(s - s_k); with s = (z-1)/(z+1): gain bw^n / prod(1 - s_k)
    gain = bw**order / float(np.prod((1.0 - s1) * (1.0 - s2)).real)
    z1, z2 = (1.0 + s1) / (1.0 - s1), (1.0 + s2) / (1.0 - s2)
    rank = np.argsort(np.maximum(np.abs(z1), np.abs(z2)), kind="stable")
    z1, z2 = z1[rank], z2[rank]
    by_angle = np.argsort(np.abs(np.angle(z1)) + np.abs(np.angle(z2)), kind="stable")
    sos = np.zeros((order, 6))
    sos[:, :3] = [1.0, 0.0, -1.0]
    sos[by_angle[: order // 2], :3] = [1.0, -2.0, 1.0]
    sos[by_angle[order - order // 2 :], :3] = [1.0, 2.0, 1.0]
    sos[0, :3] *= gain
    sos[:, 3] = 1.0
    sos[:, 4] = -(z1 + z2).real
    sos[:, 5] = (z1 * z2).real
    return sos, np.concatenate([z1, z2])


def sosfilt_zi(sos: np.ndarray) -> np.ndarray:
    """Initial states (k, 2) of the cascade ``sos`` (k, 6) for the steady state of a unit step.

    Filtering a constant ``c`` from states ``c * sosfilt_zi(sos)`` gives the constant output
    ``c * H(1)`` from the first sample (no start-up transient), as ``scipy.signal.sosfilt_zi``.
    Per section (direct form II transposed, DC gain ``G = sum(b) / sum(a)``): states
    ``[G - b0, b2 - a2 G]`` scaled by the DC gain of the sections before it. Needs no pole at
    z = 1 (``sum(a) != 0``).
    """
    sos = np.asarray(sos, np.float64)
    b = sos[:, :3] / sos[:, 3:4]
    a = sos[:, 3:] / sos[:, 3:4]
    G = b.sum(axis=1) / a.sum(axis=1)
    scale = np.concatenate([[1.0], np.cumprod(G)[:-1]])
    return scale[:, None] * np.stack([G - b[:, 0], b[:, 2] - a[:, 2] * G], axis=1)


def sosfilt(sos: np.ndarray, x: np.ndarray, zi: np.ndarray | None = None, *,
            overwrite_x: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Causal filter of the 1-d signal ``x`` by the cascade ``sos`` (k, 6): float64 output.

    Direct form II transposed per section in float64, as ``scipy.signal.sosfilt``. From zero
    states, or from ``zi`` (k, 2), in which case ``(y, final states)`` is returned (scipy's
    convention). ``sos`` rows must have ``a0 = 1``. With ``overwrite_x`` a C-contiguous float64
    ``x`` is filtered in place and returned (no copy of a long signal).
    """
    sos = np.ascontiguousarray(sos, np.float64)
    if sos.ndim != 2 or sos.shape[1] != 6 or not np.all(sos[:, 3] == 1.0):
        raise ValueError("sosfilt: sos must be (k, 6) with a0 = 1 in every section")
    state = np.zeros((sos.shape[0], 2)) if zi is None else np.array(zi, np.float64, order="C")
    if state.shape != (sos.shape[0], 2):
        raise ValueError(f"sosfilt: zi must be {(sos.shape[0], 2)}, got {state.shape}")
    y = np.require(x, np.float64, "C") if overwrite_x else np.array(x, np.float64, order="C")
    if y.ndim != 1:
        raise ValueError("sosfilt: x must be 1-d")
    _sosfilt_inplace(sos, y, state)
    return y if zi is None else (y, state)


@njit(cache=True, nogil=True)
def _sosfilt_inplace(sos, y, state):  # pragma: no cover - compiled
    """``y`` (n,) filtered in place by ``sos`` (k, 6) from ``state`` (k, 2), which ends final."""
    k = sos.shape[0]
    for i in range(y.shape[0]):
        u = y[i]
        for s in range(k):
            v = sos[s, 0] * u + state[s, 0]
            state[s, 0] = sos[s, 1] * u - sos[s, 4] * v + state[s, 1]
            state[s, 1] = sos[s, 2] * u - sos[s, 5] * v
            u = v
        y[i] = u


def find_peaks(x: np.ndarray, distance: float, prominence: float) -> tuple[np.ndarray, np.ndarray]:
    """Peaks of the 1-d signal ``x``: (int64 indices, float64 prominences), sorted by index.

    What ``scipy.signal.find_peaks(x, distance=distance, prominence=prominence)`` returns (its
    ``properties["prominences"]``), computed the same way:

    1. local maxima: samples greater than the previous one and than the next differing one; a
       flat top of several equal samples gives its middle sample (the left one of the two middle
       ones); the first and the last sample are never peaks;
    2. ``distance`` (samples, >= 1, rounded up): in order of decreasing height (ties in the order
       of ``np.argsort`` of the heights, as scipy), each kept peak removes the peaks closer than
       ``distance`` on both sides;
    3. prominence: the peak's height minus the higher of the two bases, a base being the lowest
       sample on that side before a higher sample or the array's end;
    4. peaks with prominence >= ``prominence`` are kept.

    NaN compares false, so a NaN sample is no peak, and it ends a base search as a higher sample
    would (NaN-separated runs act as separate signals for the bases).
    """
    if distance < 1:
        raise ValueError(f"find_peaks: distance must be >= 1, got {distance}")
    x = np.ascontiguousarray(x, np.float64)
    if x.ndim != 1:
        raise ValueError("find_peaks: x must be 1-d")
    peaks = _local_maxima(x)
    order = np.argsort(x[peaks])  # scipy's call: its (unstable) tie order is kept
    keep = np.ones(peaks.size, np.bool_)
    _select_by_distance(peaks, order, int(math.ceil(distance)), keep)
    peaks = peaks[keep]
    prom = _prominences(x, peaks)
    keep = prom >= prominence
    return peaks[keep], prom[keep]


@njit(cache=True, nogil=True)
def _local_maxima(x):  # pragma: no cover - compiled
    """Indices of the local maxima of ``x`` (middle sample of a flat top, rounded down)."""
    out = np.empty(x.shape[0] // 2, np.int64)
    m = 0
    i = 1
    last = x.shape[0] - 1
    while i < last:
        if x[i - 1] < x[i]:
            j = i + 1
            while j < last and x[j] == x[i]:
                j += 1
            if x[j] < x[i]:
                out[m] = (i + j - 1) // 2
                m += 1
                i = j
        i += 1
    return out[:m].copy()


@njit(cache=True, nogil=True)
def _select_by_distance(peaks, order, distance, keep):  # pragma: no cover - compiled
    """``keep`` False for peaks removed by taller ones (``order``: ascending height) closer than
    ``distance`` samples."""
    for r in range(order.shape[0] - 1, -1, -1):
        j = order[r]
        if not keep[j]:
            continue
        k = j - 1
        while k >= 0 and peaks[j] - peaks[k] < distance:
            keep[k] = False
            k -= 1
        k = j + 1
        while k < peaks.shape[0] and peaks[k] - peaks[j] < distance:
            keep[k] = False
            k += 1


@njit(cache=True, nogil=True)
def _prominences(x, peaks):  # pragma: no cover - compiled
    """Prominence of each of ``peaks`` in ``x`` (bases searched over the whole array)."""
    out = np.empty(peaks.shape[0], np.float64)
    for r in range(peaks.shape[0]):
        p = peaks[r]
        top = x[p]
        left = top
        i = p
        while i >= 0 and x[i] <= top:
            if x[i] < left:
                left = x[i]
            i -= 1
        right = top
        i = p
        while i < x.shape[0] and x[i] <= top:
            if x[i] < right:
                right = x[i]
            i += 1
        out[r] = top - max(left, right)
    return out


def binary_median_filter(x: np.ndarray, size: int) -> np.ndarray:
    """Running median of the boolean series ``x`` over ``size`` samples: bool, same length.

    The window of sample ``i`` is ``[i - size // 2, i + (size - 1) // 2]``, the series extended
    by repeating its end values ('nearest'); the median of a binary window is True when at least
    ``size - size // 2`` of its samples are (a majority for odd ``size``; half for even ``size``,
    where the upper of the two middle values is taken). Equal to
    ``scipy.ndimage.median_filter(x.astype(np.uint8), size=size, mode="nearest") > 0``.
    """
    x = np.asarray(x, np.bool_)
    size = int(size)
    if x.ndim != 1 or size < 1:
        raise ValueError(f"binary_median_filter: need a 1-d series and size >= 1, got {size}")
    if x.size == 0 or size == 1:
        return x.copy()
    before = size // 2
    padded = np.concatenate([np.repeat(x[:1], before), x, np.repeat(x[-1:], size - 1 - before)])
    count = np.concatenate([[0], np.cumsum(padded, dtype=np.int64)])
    return (count[size:] - count[:-size]) >= size - size // 2
