"""Two-sensor clock synchronisation: offset and linear drift of the back clock against the thigh's.

Both sensors feel the same steps and movements, so their acceleration magnitudes, band-passed
(0.5-8 Hz), are correlated at the true time alignment. Method:

1. Both magnitudes are put on the same 50 Hz grid, each by its *own* clock.
2. Coarse: a 1-Hz movement envelope (per-second sd of the magnitude) of the two sensors is
   cross-correlated over the whole overlap, lags up to ``max_offset_s``; then 6-h blocks, searched
   +-60 s around that lag, give a coarse line (Theil-Sen), so a week's drift of tens of ppm (tens of
   seconds) stays within reach of the fine search.
3. Fine: in windows of ``window_s`` (10 min) with movement in both sensors, the band-passed
   magnitudes are cross-correlated (FFT) for lags within ``search_s`` of the coarse line; the peak
   (parabolic sub-sample interpolation) is that window's offset, its normalised height the window's
   correlation. A maximum on the edge of the search is no peak (the true lag is out of reach):
   that window counts as uncorrelated rather than feeding a wrong offset to the line.
4. Windows with correlation >= ``min_corr`` give offsets over time; a robust line (Theil-Sen, then
   least squares on the windows within ``inlier_ms`` of it) gives the offset at the reference time and
   the drift in ppm.

Convention: ``offset(t) = offset_s + drift_ppm * 1e-6 * (t - ref_ns)``: an event at thigh time ``t``
is stamped ``t + offset(t)`` by the back sensor's clock. :meth:`SyncResult.back_time_ns` maps thigh
(grid) times to back clock times, which is how :func:`walkback.signal.resample.resample_uniform`
applies the correction (``clock=``) without copying the back's time vector.

Refusals raise :class:`walkback.errors.SyncError`: no overlap, too little movement in common, or
no consistent correlation.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np

from walkback._dsp import fast_length
from walkback.errors import SettingsError, SyncError

__all__ = ["SyncSettings", "SyncResult", "estimate_sync"]


@dataclass(frozen=True)
class SyncSettings:
    """Settings of :func:`estimate_sync` (units in the names)."""

    window_s: float = 600.0
    max_offset_s: float = 300.0
    search_s: float = 3.0
    min_corr: float = 0.3
    min_windows: int = 3
    inlier_ms: float = 60.0
    min_movement_g: float = 0.03
    band_hz: tuple[float, float] = (0.5, 8.0)

    def __post_init__(self) -> None:
        if not (self.window_s > 0 and self.max_offset_s >= 0 and self.search_s > 0
                and 0 < self.min_corr < 1 and self.min_windows >= 2 and self.inlier_ms > 0):
            raise SettingsError(f"SyncSettings out of range: {self}")


@dataclass(frozen=True)
class SyncResult:
    """Clock model of the back sensor relative to the thigh sensor (see module docstring).

    ``quality``: share of the correlated windows within ``inlier_ms`` of the fitted line (0-1);
    ``median_corr``: median normalised cross-correlation peak of those windows; ``residual_ms``: RMS
    of their offsets around the line; ``n_windows``: windows with movement in both sensors;
    ``n_used``: inlier windows used for the fit.
    """

    offset_s: float
    drift_ppm: float
    ref_ns: int
    quality: float
    median_corr: float
    residual_ms: float
    n_windows: int
    n_used: int
    coarse_offset_s: float
    ok: bool = True

    def offset_at_s(self, t_ns: np.ndarray | int) -> np.ndarray | float:
        """Offset (s) of the back clock at thigh time ``t_ns``."""
        return self.offset_s + self.drift_ppm * 1e-6 * (np.asarray(t_ns, np.float64)
                                                         - self.ref_ns) / 1e9

    def back_time_ns(self, t_ns: np.ndarray) -> np.ndarray:
        """Back-clock time (int64 ns) of thigh times ``t_ns``."""
        off = self.offset_s * 1e9 + self.drift_ppm * 1e-6 * (t_ns - self.ref_ns).astype(np.float64)
        return t_ns + np.round(off).astype(np.int64)

    def to_dict(self) -> dict:
        """JSON-able form."""
        d = asdict(self)
        for k in ("offset_s", "drift_ppm", "quality", "median_corr", "residual_ms",
                  "coarse_offset_s"):
            d[k] = round(float(d[k]), 6)
        return d


def estimate_sync(
    thigh_mag_g: np.ndarray,
    back_mag_g: np.ndarray,
    fs_hz: float,
    start_ns: int,
    settings: SyncSettings | None = None,
) -> SyncResult:
    """Estimate the back clock's offset and drift from acceleration magnitudes (g) on one grid.

    ``thigh_mag_g`` and ``back_mag_g``: float (n,) on the same grid (``fs_hz``, sample 0 at
    ``start_ns`` UTC ns), each sensor sampled by its own clock; NaN where a sensor has no data.
    """
    s = settings or SyncSettings()
    n = min(thigh_mag_g.shape[0], back_mag_g.shape[0])
    a = np.asarray(thigh_mag_g[:n], np.float32)
    b = np.asarray(back_mag_g[:n], np.float32)
    n_both = _count_both_finite(a, b)
    if n_both < s.window_s * fs_hz:
        raise SyncError(f"thigh and back recordings overlap for {n_both / fs_hz:.0f} s only "
                        f"(need at least one {s.window_s:.0f}-s window)")
    c0, c_slope, coarse = _coarse_line(a, b, fs_hz, s)
    t_w, off_w, r_w, n_move = _window_offsets(a, b, fs_hz, (c0, c_slope), s)
    good = r_w >= s.min_corr
    if good.sum() < s.min_windows:
        raise SyncError(f"thigh and back movements do not correlate: {int(good.sum())} of "
                        f"{n_move} moving {s.window_s:.0f}-s windows reach a correlation of "
                        f"{s.min_corr} (need {s.min_windows})")
    t_s, o, r = t_w[good], off_w[good], r_w[good]
    ref_s = float(np.median(t_s))
    slope, icpt = theil_sen(o, t_s - ref_s)
    inl = np.abs(o - (icpt + slope * (t_s - ref_s))) * 1000 < s.inlier_ms
    if inl.sum() < s.min_windows:
        raise SyncError(f"thigh/back offsets are inconsistent over time: {int(inl.sum())} of "
                        f"{len(o)} correlated windows agree within {s.inlier_ms:.0f} ms")
    if np.ptp(t_s[inl]) > 0:
        slope, icpt = np.polyfit(t_s[inl] - ref_s, o[inl], 1)
    else:
        slope, icpt = 0.0, float(np.mean(o[inl]))
    resid = o[inl] - (icpt + slope * (t_s[inl] - ref_s))
    return SyncResult(
        offset_s=float(icpt), drift_ppm=float(slope * 1e6),
        ref_ns=int(start_ns + round(ref_s * 1e9)), quality=float(inl.mean()),
        median_corr=float(np.median(r[inl])), residual_ms=float(np.sqrt(np.mean(resid**2)) * 1e3),
        n_windows=int(n_move), n_used=int(inl.sum()), coarse_offset_s=float(coarse),
    )


def _count_both_finite(a: np.ndarray, b: np.ndarray, chunk: int = 1 << 20) -> int:
    """Samples finite in both (chunk-wise: no full-length masks for a week of data)."""
    return sum(int(np.count_nonzero(np.isfinite(a[i : i + chunk]) & np.isfinite(b[i : i + chunk])))
               for i in range(0, a.shape[0], chunk))


def _envelopes(a: np.ndarray, b: np.ndarray, fs_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """1-Hz movement envelopes: log of the per-second sd of each magnitude (0 in gaps). Computed
    an hour at a time, so the temporaries stay small for a week of data."""
    per = int(round(fs_hz))
    m = a.shape[0] // per
    ea = np.empty(m, np.float32)
    eb = np.empty(m, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN seconds (gaps) -> 0
        for s0 in range(0, m, 3600):
            s1 = min(m, s0 + 3600)
            for x, e in ((a, ea), (b, eb)):
                blk = x[s0 * per : s1 * per].reshape(s1 - s0, per)
                # nanstd only for an hour with a gap: it copies and masks (3x slower)
                e[s0:s1] = blk.std(axis=1) if np.isfinite(blk).all() else np.nanstd(blk, axis=1)
    np.nan_to_num(ea, copy=False)
    np.nan_to_num(eb, copy=False)
    return np.log1p(ea / 0.01), np.log1p(eb / 0.01)


def _xcorr_peak(ea: np.ndarray, eb: np.ndarray, max_lag: int) -> tuple[int, float]:
    """Lag (samples, b relative to a) of the maximum cross-correlation within +-max_lag, and the
    normalised peak height."""
    ea = ea - ea.mean()
    eb = eb - eb.mean()
    # circular = linear correlation for lags within +-max_lag once nfft >= len + max_lag + 1
    # (a 5-smooth length: a week's envelopes need 0.7 M points, not the 2 M of len(a) + len(b))
    nfft = fast_length(max(ea.shape[0], eb.shape[0]) + max_lag + 1)
    c = np.fft.irfft(np.fft.rfft(eb, nfft) * np.conj(np.fft.rfft(ea, nfft)), nfft)
    lags = np.r_[np.arange(0, max_lag + 1), np.arange(-max_lag, 0)]
    vals = np.r_[c[: max_lag + 1], c[nfft - max_lag :]]
    k = int(np.argmax(vals))
    norm = float(np.sqrt(np.sum(ea**2) * np.sum(eb**2)))
    return int(lags[k]), float(vals[k] / norm) if norm > 0 else 0.0


def _coarse_line(a: np.ndarray, b: np.ndarray, fs_hz: float, s: SyncSettings
                 ) -> tuple[float, float, float]:
    """Coarse clock line from the 1-Hz envelopes: (offset_s at t=0, slope s/s, offset_s at the
    middle). Whole-overlap lag first; then 6-h blocks searched +-60 s around it give a slope, so
    drifts of tens of ppm over a week (tens of seconds) stay inside the fine search. The back
    segment of a block is clipped at the recording's ends (not skipped), so the first and last
    blocks count too: a 1-day recording still gives 4 points for the line."""
    ea, eb = _envelopes(a, b, fs_hz)
    m = ea.shape[0]
    lag0, _ = _xcorr_peak(ea, eb, int(min(s.max_offset_s, m - 1)))
    block, reach = 6 * 3600, 60
    t_b, o_b = [], []
    for b0 in range(0, m - block // 2, block):
        b1 = min(m, b0 + block)
        lo, hi = max(0, b0 + lag0 - reach), min(m, b1 + lag0 + reach)
        if hi - lo < (b1 - b0) // 2 or np.std(ea[b0:b1]) == 0 or np.std(eb[lo:hi]) == 0:
            continue
        lag, r = _xcorr_peak(ea[b0:b1], eb[lo:hi], 2 * reach + abs(lo - (b0 + lag0 - reach)))
        off = lo - b0 + lag  # lag of the back block relative to the thigh block (s)
        if r > 0.2 and abs(off - lag0) <= reach:
            t_b.append((b0 + b1) / 2)
            o_b.append(off)
    if len(t_b) >= 3:
        slope, icpt = theil_sen(np.asarray(o_b, float), np.asarray(t_b, float))
    else:
        slope, icpt = 0.0, float(lag0)
    return float(icpt), float(slope), float(icpt + slope * m / 2)


def theil_sen(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """Theil-Sen line through (x, y): the median of the slopes of all pairs with distinct x, and
    the intercept median(y) - slope * median(x); what ``scipy.stats.theilslopes(y, x)[:2]`` gives
    (its default 'separate' intercept), tested equal. Written out because importing scipy.stats
    cost every process 0.3-0.55 s for this one call; the pairs are formed a block of rows at a
    time (scipy builds two n x n matrices: 400 MB for a week's 5,000 windows). NaN slope when
    no two x differ."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    parts = []
    for i0 in range(0, x.shape[0], 256):
        dx = x[None, :] - x[i0 : i0 + 256, None]
        dy = y[None, :] - y[i0 : i0 + 256, None]
        keep = dx > 0
        parts.append(dy[keep] / dx[keep])
    slopes = np.concatenate(parts) if parts else np.zeros(0)
    if not slopes.size:
        return float("nan"), float("nan")
    slope = float(np.median(slopes))
    return slope, float(np.median(y) - slope * np.median(x))


def _window_offsets(a: np.ndarray, b: np.ndarray, fs_hz: float, coarse: tuple[float, float],
                    s: SyncSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per-window (centre time s, offset s, correlation) for windows moving in both sensors;
    each window's search is centred on the coarse line ``coarse = (offset_s at 0, slope)``."""
    w = int(round(s.window_s * fs_hz))
    search = int(round(s.search_s * fs_hz))
    nwin = a.shape[0] // w
    starts = np.arange(nwin) * w
    # each back window is taken shifted by the coarse line so the fine search is centred on it
    shifts = np.round((coarse[0] + coarse[1] * (starts + w / 2) / fs_hz) * fs_hz).astype(np.int64)
    ok = (starts + shifts >= 0) & (starts + shifts + w <= b.shape[0])
    starts, shifts = starts[ok], shifts[ok]
    nfft = 1 << int(np.ceil(np.log2(w + 2 * search + 1)))
    freqs = np.fft.rfftfreq(nfft, 1.0 / fs_hz)
    band = ((freqs >= s.band_hz[0]) & (freqs <= s.band_hz[1])).astype(np.float32)
    out_t, out_o, out_r = [], [], []
    n_move = 0
    for c0 in range(0, starts.shape[0], 32):
        st = starts[c0 : c0 + 32]
        sh = shifts[c0 : c0 + 32]
        idx = st[:, None] + np.arange(w)[None, :]
        xa = a[idx]
        xb = b[idx + sh[:, None]]
        mov = np.isfinite(xa).all(1) & np.isfinite(xb).all(1)  # windows with a gap: skipped
        if not mov.any():
            continue
        mov[mov] = ((xa[mov].std(1) > s.min_movement_g) & (xb[mov].std(1) > s.min_movement_g))
        if not mov.any():
            continue
        n_move += int(mov.sum())
        st, sh, xa, xb = st[mov], sh[mov], xa[mov], xb[mov]
        fa = np.fft.rfft(xa - xa.mean(1, keepdims=True), nfft, axis=1) * band
        fb = np.fft.rfft(xb - xb.mean(1, keepdims=True), nfft, axis=1) * band
        cc = np.fft.irfft(fb * np.conj(fa), nfft, axis=1)
        norm = 2.0 * np.sqrt(np.sum(np.abs(fa) ** 2, 1) * np.sum(np.abs(fb) ** 2, 1)) / nfft
        # lags -search..search in order, so a peak's neighbours are its neighbouring lags
        vals = np.concatenate([cc[:, nfft - search :], cc[:, : search + 1]], axis=1)
        k = np.argmax(vals, axis=1)
        peak = vals[np.arange(len(k)), k]
        # a maximum on the edge of the search is no peak: the true lag lies outside the search
        # (a wrong coarse line), so the window is not used (its correlation is reported as 0)
        inside = (k > 0) & (k < 2 * search)
        frac = _parabolic(vals, k)
        out_t.append((st + w / 2) / fs_hz)
        out_o.append((sh + k - search + frac) / fs_hz)
        out_r.append(np.where(inside, peak / np.maximum(norm, 1e-12), 0.0))
    if not out_t:
        return np.zeros(0), np.zeros(0), np.zeros(0), 0
    return np.concatenate(out_t), np.concatenate(out_o), np.concatenate(out_r), n_move


def _parabolic(vals: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Sub-sample peak position (-0.5..0.5) from the three values around index ``k``."""
    n = vals.shape[1]
    r = np.arange(vals.shape[0])
    y0 = vals[r, np.maximum(k - 1, 0)]
    y1 = vals[r, k]
    y2 = vals[r, np.minimum(k + 1, n - 1)]
    den = y0 - 2 * y1 + y2
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.abs(den) > 1e-12, 0.5 * (y0 - y2) / den, 0.0)
    return np.clip(f, -0.5, 0.5)
