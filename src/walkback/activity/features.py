"""Window features from prepared (canonical-axis, 50 Hz) thigh and back signals.

Conventions: canonical sensor axes of :mod:`walkback.signal.types` (x up the segment, z out of the
body, y right-handed), acceleration in g, time in seconds, angles in degrees. A window is ``L``
consecutive grid samples starting at a start index; windows never straddle the end of the signal
(a trailing remainder shorter than one window is not classified).

Every feature is computed for all windows at once: windows are strided views of the signal, taken in
chunks (bounded memory), reduced along the sample axis, and the spectra come from one batched
``rfft`` per channel. :data:`FEATURES` is the single documented table (``docs/features.md`` is
generated from it by :func:`features_markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft as sfft
from numpy.lib.stride_tricks import sliding_window_view

from walkback._half import to_float32

_EPS = 1e-6
_NFFT = 512  # FFT length of |a| (>= 2 x 250 - 1: linear autocorrelation of 5-s windows)
_NFFT_AXIS = 256  # FFT length of the x and z axes (spectral features only)
_SMOOTH_S = 0.2  # block length for orientation-angle excursion features
_BANDS_HZ = ((0.3, 1.5), (1.5, 3.0), (3.0, 6.0), (6.0, 12.0))
_ACF_LAGS_S = (0.3, 2.5)
_CHUNK = 512  # windows per batch: temporaries stay in cache (~0.5 MB per array)


@dataclass(frozen=True)
class FeatureSpec:
    """One documented feature: column name, sensor, unit and meaning."""

    name: str
    sensor: str
    unit: str
    meaning: str


def _spectral_specs(ch: str, what: str) -> list[tuple[str, str, str]]:
    out = [
        (f"{ch}_fdom_hz", "Hz", f"dominant frequency 0.3-12 Hz of {what} (FFT, parabolic peak)"),
        (f"{ch}_pdom_frac", "1", f"share of {what} power within one bin of the dominant peak"),
        (f"{ch}_entropy", "1", f"normalised spectral entropy of {what}, 0.3-12 Hz"),
        (f"{ch}_centroid_hz", "Hz", f"spectral centroid of {what}, 0.3-12 Hz"),
    ]
    for lo, hi in _BANDS_HZ:
        tag = f"{lo:g}_{hi:g}".replace(".", "p")
        out.append((f"{ch}_band_{tag}_frac", "1", f"share of {what} power in {lo:g}-{hi:g} Hz"))
    return out


_SENSOR_TEMPLATE: list[tuple[str, str, str]] = [
    ("mean_x_g", "g", "window mean of x (gravity along the segment's long axis)"),
    ("mean_y_g", "g", "window mean of y"),
    ("mean_z_g", "g", "window mean of z (gravity out of the body)"),
    ("incl_deg", "deg", "inclination: angle of the long axis (x) from upright vertical, 0-180"),
    ("pitch_deg", "deg", "forward/back tilt atan2(mean z, mean x): 0 upright, 90 z up (thigh sitting)"),
    ("roll_deg", "deg", "sideways tilt atan2(mean y, mean x)"),
    ("std_x_g", "g", "standard deviation of x"),
    ("std_y_g", "g", "standard deviation of y"),
    ("std_z_g", "g", "standard deviation of z"),
    ("vm_mean_g", "g", "mean vector magnitude |a|"),
    ("vm_std_g", "g", "standard deviation of |a|"),
    ("vm_p10_g", "g", "10th percentile of |a|"),
    ("vm_p50_g", "g", "median of |a|"),
    ("vm_p90_g", "g", "90th percentile of |a|"),
    ("vm_range_g", "g", "max minus min of |a|"),
    ("enmo_g", "g", "mean of max(|a| - 1, 0)"),
    ("x_p10_g", "g", "10th percentile of x"),
    ("x_p90_g", "g", "90th percentile of x"),
    ("z_p10_g", "g", "10th percentile of z"),
    ("z_p90_g", "g", "90th percentile of z"),
    ("corr_xy", "1", "Pearson correlation of x and y within the window"),
    ("corr_xz", "1", "Pearson correlation of x and z"),
    ("corr_yz", "1", "Pearson correlation of y and z"),
    ("jerk_gps", "g/s", "mean absolute sample-to-sample change of |a| times the rate"),
    ("incl_std_deg", "deg", "standard deviation of inclination over 0.2-s block means"),
    ("incl_range_deg", "deg", "95th minus 5th percentile of 0.2-s inclination (angular excursion)"),
    ("pitch_range_deg", "deg", "95th minus 5th percentile of 0.2-s pitch (sagittal swing)"),
    ("vm_acf_peak", "1", "highest normalised autocorrelation of |a| - mean at lags 0.3-2.5 s"),
    ("vm_acf_lag_s", "s", "lag of that autocorrelation peak (step or stride period)"),
]
for _ch, _what in (("vm", "|a| - mean"), ("x", "x - mean"), ("z", "z - mean")):
    _SENSOR_TEMPLATE += _spectral_specs(_ch, _what)

_CROSS_SPECS: list[tuple[str, str, str]] = [
    ("incl_diff_deg", "deg", "thigh inclination minus trunk (back) inclination"),
    ("vm_corr", "1", "correlation of thigh |a| and back |a| within the window"),
    ("x_corr", "1", "correlation of thigh x and back x within the window"),
    ("vm_std_log_ratio", "1", "log of back |a| std over thigh |a| std (trunk vs thigh movement)"),
]

SENSOR_FEATURES: tuple[str, ...] = tuple(s for s, _, _ in _SENSOR_TEMPLATE)


def _build_table() -> tuple[FeatureSpec, ...]:
    rows = [FeatureSpec(f"{sensor}_{s}", sensor, u, m) for sensor in ("thigh", "back")
            for s, u, m in _SENSOR_TEMPLATE]
    rows += [FeatureSpec(f"cross_{s}", "thigh+back", u, m) for s, u, m in _CROSS_SPECS]
    return tuple(rows)


#: The documented feature table (thigh features, back features, cross-sensor features).
FEATURES: tuple[FeatureSpec, ...] = _build_table()


def feature_names(sensors: tuple[str, ...] = ("thigh",)) -> list[str]:
    """Feature column names for ``("thigh",)`` or ``("thigh", "back")``, in model order."""
    names = [f.name for f in FEATURES if f.sensor in sensors]
    if "back" in sensors:
        names += [f.name for f in FEATURES if f.sensor == "thigh+back"]
    return names


def features_markdown() -> str:
    """The feature table as Markdown (the content of ``docs/features.md``)."""
    lines = [
        "# Activity features",
        "",
        "Generated from `walkback.activity.features.FEATURES` by",
        "`python -m walkback.activity.features > docs/features.md`; a test checks they agree.",
        "Canonical axes (x up the segment, z out of the body), acceleration in g, one row per window",
        "(default 5 s at 50 Hz). `-` mean removed within the window.",
        "",
        "| name | sensor | unit | meaning |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{f.name}` | {f.sensor} | {f.unit} | {f.meaning} |" for f in FEATURES]
    return "\n".join(lines) + "\n"


def window_starts(n: int, window: int, step: int) -> np.ndarray:
    """Start indices (int64) of full windows of ``window`` samples every ``step`` samples."""
    if n < window:
        return np.zeros(0, dtype=np.int64)
    return np.arange(0, n - window + 1, step, dtype=np.int64)


def _windows(a: np.ndarray, starts: np.ndarray, window: int) -> np.ndarray:
    """(3, nw, window) float32 copy (axis-major) of the windows; NaN filled with window means."""
    nw = len(starts)
    w = np.empty((3, nw, window), dtype=np.float32)
    a, starts = _decoded(a, starts, window)
    s0 = int(starts[0]) if nw else 0
    if nw and int(starts[-1]) - s0 == (nw - 1) * window:  # back-to-back windows: one reshape
        src = a[s0 : s0 + nw * window].reshape(nw, window, 3)
        for i in range(3):
            w[i] = src[:, :, i]
    else:
        view = sliding_window_view(a, window, axis=0)  # (n - window + 1, 3, window), no copy
        for i in range(3):
            w[i] = view[starts, i, :]
    bad = np.isnan(_dot(w, np.ones(window, np.float32))).any(axis=0)
    if bad.any():
        sub = w[:, bad]
        cnt = np.maximum((~np.isnan(sub)).sum(axis=2, keepdims=True), 1)
        fill = np.nansum(sub, axis=2, keepdims=True) / cnt
        w[:, bad] = np.where(np.isnan(sub), fill, sub)
    return w


def _decoded(a: np.ndarray, starts: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """float16 storage (:mod:`walkback._half`): the span the windows cover decoded to float32 once
    (or, for windows spread far apart, just their samples), and the starts relative to it; other
    signals unchanged."""
    if a.dtype != np.float16 or not len(starts):
        return a, starts
    s0, s1 = int(starts[0]), int(starts[-1]) + window
    if s1 - s0 <= 2 * len(starts) * window:
        return to_float32(a[s0:s1]), starts - s0
    # sparse windows (e.g. candidates spread over a week): only their samples, back to back
    rows = (starts[:, None] + np.arange(window)[None, :]).reshape(-1)
    return to_float32(a[rows]), np.arange(len(starts), dtype=np.int64) * window


def _dot(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``a @ v`` over the last axis with einsum: SIMD, single-threaded. (BLAS matmul is as fast
    alone but its threads spin and slow down 3x and more on a busy shared machine.)"""
    return np.einsum("...j,j->...", a, v.astype(a.dtype, copy=False))


def _mean(a: np.ndarray) -> np.ndarray:
    """Mean over the last axis (several times faster than ``ndarray.mean`` here)."""
    return _dot(a, np.full(a.shape[-1], 1.0 / a.shape[-1], dtype=a.dtype))


def _corr(a: np.ndarray, b: np.ndarray, ma2: np.ndarray | None = None,
          mb2: np.ndarray | None = None) -> np.ndarray:
    """Row-wise Pearson correlation of mean-removed (nw, L) arrays; ``ma2`` / ``mb2``: their
    mean squares when already known."""
    num = _mean(a * b)
    ma2 = _mean(a * a) if ma2 is None else ma2
    mb2 = _mean(b * b) if mb2 is None else mb2
    den = np.sqrt(ma2 * mb2)
    return np.where(den > _EPS, num / np.maximum(den, _EPS), 0.0)


def _power(c: np.ndarray, taper: bool, nfft: int = _NFFT) -> np.ndarray:
    """Power spectrum |rfft|^2 (nw, nfft/2+1) float32 of mean-removed (nw, L) ``c``, zero-padded."""
    nw, n = c.shape
    buf = np.zeros((nw, max(nfft, n)), dtype=np.float32)
    if taper:
        np.multiply(c, np.hanning(n).astype(np.float32), out=buf[:, :n])
    else:
        buf[:, :n] = c
    p = np.abs(sfft.rfft(buf, axis=1, overwrite_x=True))
    return np.square(p, out=p)


def _spectral(p: np.ndarray, fs: float, out: dict[str, np.ndarray], ch: str) -> None:
    """Spectral features of power spectrum ``p`` (from :func:`_power`), written into ``out``."""
    f = np.fft.rfftfreq(2 * (p.shape[1] - 1), 1.0 / fs).astype(np.float32)
    band = np.flatnonzero((f >= 0.3) & (f <= min(12.0, fs / 2)))
    pb = p[:, band[0] : band[-1] + 1]  # a contiguous band: a view
    fb = f[band]
    tot = _dot(pb, np.ones(len(fb), dtype=np.float32)) + _EPS
    k = np.clip(np.argmax(pb, axis=1), 1, pb.shape[1] - 2)
    rows = np.arange(pb.shape[0])
    y0, y1, y2 = pb[rows, k - 1], pb[rows, k], pb[rows, k + 1]
    den = y0 - 2 * y1 + y2
    delta = np.where(np.abs(den) > _EPS, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
    out[f"{ch}_fdom_hz"] = fb[k] + np.clip(delta, -0.5, 0.5) * (f[1] - f[0])
    out[f"{ch}_pdom_frac"] = (y0 + y1 + y2) / tot
    q = pb / tot[:, None]
    lq = q + np.float32(1e-12)
    np.log(lq, out=lq)
    out[f"{ch}_entropy"] = -np.einsum("ij,ij->i", q, lq) / np.log(len(fb))
    sel = np.stack([(fb >= lo) & (fb < hi) for lo, hi in _BANDS_HZ], axis=1)
    proj = np.column_stack([fb, sel.astype(np.float32)])
    out[f"{ch}_centroid_hz"] = _dot(q, proj[:, 0])
    for i, (lo, hi) in enumerate(_BANDS_HZ):
        tag = f"{lo:g}_{hi:g}".replace(".", "p")
        out[f"{ch}_band_{tag}_frac"] = _dot(q, proj[:, i + 1])


def _acf(p: np.ndarray, n: int, fs: float, out: dict[str, np.ndarray]) -> None:
    """Autocorrelation peak from an untapered zero-padded power spectrum of ``n``-sample windows."""
    r = sfft.irfft(p, n=_NFFT, axis=1)
    lo, hi = (int(round(s * fs)) for s in _ACF_LAGS_S)
    hi = min(hi, n - 1)
    seg = r[:, lo : hi + 1] / np.maximum(r[:, :1], _EPS)
    k = np.argmax(seg, axis=1)
    out["vm_acf_peak"] = seg[np.arange(seg.shape[0]), k]
    out["vm_acf_lag_s"] = (k + lo) / fs


def _angles(w: np.ndarray, fs: float, out: dict[str, np.ndarray]) -> None:
    """Orientation angles of 0.2-s block means (5 Hz content kept); excursion features."""
    k = max(1, int(round(_SMOOTH_S * fs)))
    nb = w.shape[2] // k
    ones = np.full(k, 1.0 / k, dtype=np.float32)
    sx, sy, sz = (_dot(w[i, :, : nb * k].reshape(w.shape[1], nb, k), ones) for i in range(3))
    norm = np.sqrt(sx * sx + sy * sy + sz * sz) + _EPS
    incl = np.degrees(np.arccos(np.clip(sx / norm, -1.0, 1.0)))
    pitch = np.arctan2(sz, sx)
    ref = np.arctan2(sz.sum(axis=1), sx.sum(axis=1))[:, None]
    pitch = np.degrees((pitch - ref + np.pi) % (2 * np.pi) - np.pi)  # wrapped about the window's pitch
    i5, i95 = int(round(0.05 * (nb - 1))), int(round(0.95 * (nb - 1)))
    si = np.sort(incl, axis=1)
    sp = np.sort(pitch, axis=1)
    out["incl_std_deg"] = np.sqrt(np.maximum(_mean(incl * incl) - _mean(incl) ** 2, 0.0))
    out["incl_range_deg"] = si[:, i95] - si[:, i5]
    out["pitch_range_deg"] = sp[:, i95] - sp[:, i5]


def _sensor_chunk(w: np.ndarray, fs: float) -> dict[str, np.ndarray]:
    """All per-sensor features of windows ``w`` (3, nw, L) float32, keyed by template name.
    ``w`` is overwritten (mean removed)."""
    out: dict[str, np.ndarray] = {}
    m = _mean(w)  # (3, nw)
    g = np.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]) + _EPS
    out["mean_x_g"], out["mean_y_g"], out["mean_z_g"] = m[0], m[1], m[2]
    out["incl_deg"] = np.degrees(np.arccos(np.clip(m[0] / g, -1.0, 1.0)))
    out["pitch_deg"] = np.degrees(np.arctan2(m[2], m[0]))
    out["roll_deg"] = np.degrees(np.arctan2(m[1], m[0]))
    vm = w[0] * w[0]
    vm += w[1] * w[1]
    vm += w[2] * w[2]
    np.sqrt(vm, out=vm)
    n = vm.shape[1]
    p10, p50, p90 = (int(q * (n - 1)) for q in (0.1, 0.5, 0.9))
    svm = np.sort(vm, axis=1)
    out["vm_mean_g"] = _mean(vm)
    out["vm_p10_g"], out["vm_p50_g"], out["vm_p90_g"] = svm[:, p10], svm[:, p50], svm[:, p90]
    out["vm_range_g"] = svm[:, -1] - svm[:, 0]
    out["enmo_g"] = _mean(np.maximum(svm - 1.0, 0.0))
    del svm
    for ax, i in (("x", 0), ("z", 2)):
        s = np.sort(w[i], axis=1)
        out[f"{ax}_p10_g"], out[f"{ax}_p90_g"] = s[:, p10], s[:, p90]
    out["jerk_gps"] = _mean(np.abs(np.diff(vm, axis=1))) * fs
    _angles(w, fs, out)
    d = w
    d -= m[:, :, None]  # mean removed, in place
    ms = _mean(d * d)  # (3, nw) mean squares
    sd = np.sqrt(ms)
    out["std_x_g"], out["std_y_g"], out["std_z_g"] = sd[0], sd[1], sd[2]
    dvm = vm
    dvm -= out["vm_mean_g"][:, None]
    out["vm_std_g"] = np.sqrt(_mean(dvm * dvm))
    out["corr_xy"] = _corr(d[0], d[1], ms[0], ms[1])
    out["corr_xz"] = _corr(d[0], d[2], ms[0], ms[2])
    out["corr_yz"] = _corr(d[1], d[2], ms[1], ms[2])
    pvm = _power(dvm, taper=False)
    _acf(pvm, n, fs, out)
    _spectral(pvm, fs, out, "vm")
    _spectral(_power(d[0], taper=True, nfft=_NFFT_AXIS), fs, out, "x")
    _spectral(_power(d[2], taper=True, nfft=_NFFT_AXIS), fs, out, "z")
    out["_dvm"] = dvm  # kept for cross-sensor features, dropped by the caller
    out["_dx"] = d[0]
    return out


def _cross(t: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        "cross_incl_diff_deg": t["incl_deg"] - b["incl_deg"],
        "cross_vm_corr": _corr(t["_dvm"], b["_dvm"]),
        "cross_x_corr": _corr(t["_dx"], b["_dx"]),
        "cross_vm_std_log_ratio": np.log((b["vm_std_g"] + 1e-3) / (t["vm_std_g"] + 1e-3)),
    }


def compute_features(
    thigh_g: np.ndarray,
    starts: np.ndarray,
    window: int,
    fs_hz: float,
    back_g: np.ndarray | None = None,
    names: list[str] | None = None,
) -> np.ndarray:
    """Feature matrix (len(starts), len(names)) float32 for windows at ``starts``.

    ``thigh_g`` / ``back_g``: (n, 3) canonical-axis signals in g on one grid at ``fs_hz``.
    ``names`` defaults to :func:`feature_names` for the sensors given. Back features are NaN when
    ``back_g`` is None (LightGBM treats them as missing).
    """
    sensors = ("thigh", "back") if back_g is not None else ("thigh",)
    names = names if names is not None else feature_names(sensors)
    X = np.full((len(starts), len(names)), np.nan, dtype=np.float32)
    col = {nm: i for i, nm in enumerate(names)}
    for c0 in range(0, len(starts), _CHUNK):
        st = starts[c0 : c0 + _CHUNK]
        t = _sensor_chunk(_windows(thigh_g, st, window), fs_hz)
        feats = {f"thigh_{k}": v for k, v in t.items() if not k.startswith("_")}
        if back_g is not None:
            b = _sensor_chunk(_windows(back_g, st, window), fs_hz)
            feats.update({f"back_{k}": v for k, v in b.items() if not k.startswith("_")})
            feats.update(_cross(t, b))
        for nm, v in feats.items():
            if nm in col:
                X[c0 : c0 + len(st), col[nm]] = v
    return X


def orientation_summary(a: np.ndarray, starts: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Cheap per-window inclination (degrees from upright) and sd of |a| (g) of signal ``a``.

    Used for the back sensor's trunk rule when the model itself is thigh-only.
    """
    incl = np.full(len(starts), np.nan, dtype=np.float32)
    vsd = np.full(len(starts), np.nan, dtype=np.float32)
    for c0 in range(0, len(starts), _CHUNK):
        st = starts[c0 : c0 + _CHUNK]
        w = _windows(a, st, window)
        m = _mean(w)
        g = np.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]) + _EPS
        incl[c0 : c0 + len(st)] = np.degrees(np.arccos(np.clip(m[0] / g, -1.0, 1.0)))
        vm = np.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2])
        dvm = vm - _mean(vm)[:, None]
        vsd[c0 : c0 + len(st)] = np.sqrt(_mean(dvm * dvm))
    return incl, vsd


def inclination(a: np.ndarray, starts: np.ndarray, window: int) -> np.ndarray:
    """Per-window inclination (degrees of canonical x from upright vertical, window mean) of
    signal ``a`` (n, 3); the ``incl_deg`` feature and the first output of
    :func:`orientation_summary`, from window means only."""
    incl = np.full(len(starts), np.nan, dtype=np.float32)
    for c0 in range(0, len(starts), 8 * _CHUNK):
        st = starts[c0 : c0 + 8 * _CHUNK]
        if len(st) and int(st[-1]) - int(st[0]) == (len(st) - 1) * window:  # back to back
            w = to_float32(a[int(st[0]) : int(st[0]) + len(st) * window]).reshape(len(st), window, 3)
            m = np.einsum("ijk->ki", w) / np.float32(window)
        else:
            m = _mean(_windows(a, st, window))
        if np.isnan(m).any():  # windows with gaps: NaN-aware means, as in _windows
            m = _mean(_windows(a, st, window))
        g = np.sqrt(m[0] * m[0] + m[1] * m[1] + m[2] * m[2]) + _EPS
        incl[c0 : c0 + len(st)] = np.degrees(np.arccos(np.clip(m[0] / g, -1.0, 1.0)))
    return incl


if __name__ == "__main__":  # pragma: no cover - regenerates docs/features.md
    import sys

    sys.stdout.write(features_markdown())
