"""Labelled training data: SELFBACK (thigh) and HARTH / HAR70+ (thigh + back) CSV files.

Every signal goes through the same preparation as a real recording: resampled onto a uniform
50 Hz grid and rotated to canonical axes (:mod:`walkback.activity._prep`). For SELFBACK, a subject's
nine activity files come from one sensor placement, so the orientation is determined once per
subject over all of their files together.

Folder layouts
--------------
* ``selfback``: ``<root>/<activity>/<subject>.csv.gz`` (or ``.csv``), columns ``time,x,y,z[,class]``,
  g, ~100 Hz; ``activity`` is one of :data:`~walkback.activity.labels.SELFBACK_LABELS`.
* ``harth``: ``<root>/<subject>.csv[.gz]``, columns ``timestamp,back_x,back_y,back_z,thigh_x,thigh_y,
  thigh_z,label`` (g; 50 or 100 Hz); labels are HARTH integer codes, named by
  :func:`walkback.io.csvfiles.read_harth_csv` and mapped to fine classes by
  :data:`~walkback.activity.labels.HARTH_IO_NAMES` (unknown codes become ``other``).

Files are read with :mod:`walkback.io`'s CSV readers (true sample times, row-precise errors).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from walkback.activity import _prep
from walkback.activity.features import compute_features, feature_names, window_starts
from walkback.activity.labels import FINE_CLASSES, HARTH_IO_NAMES, SELFBACK_LABELS
from walkback.definitions import EPOCH_S
from walkback.errors import InputDataError
from walkback.io.csvfiles import read_harth_csv, read_selfback_csv

log = logging.getLogger(__name__)

FORMATS = ("selfback", "harth")


@dataclass(frozen=True)
class LabelledSegment:
    """One continuous labelled recording prepared like a real one (canonical axes, uniform grid).

    ``thigh_g`` / ``back_g`` (n, 3) float32 g; ``activity`` (n,) fine-class str per sample;
    ``pace`` (n,) ``slow``/``moderate``/``brisk`` or ``""``.
    """

    subject: str
    source: str
    name: str
    fs_hz: float
    start_ns: int
    thigh_g: np.ndarray
    back_g: np.ndarray | None
    activity: np.ndarray
    pace: np.ndarray


def fine_from_io(labels: np.ndarray) -> np.ndarray:
    """Fine classes of the HARTH label names :mod:`walkback.io` returns (unknown -> ``other``)."""
    uniq, inv = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    mapped = [HARTH_IO_NAMES.get(u, u if u in FINE_CLASSES else "other") for u in uniq]
    return np.asarray(mapped, dtype=object)[inv]


def _nearest(labels: np.ndarray, t_src: np.ndarray, t_grid: np.ndarray) -> np.ndarray:
    i = np.clip(np.searchsorted(t_src, t_grid), 1, len(t_src) - 1)
    i -= (t_grid - t_src[i - 1]) < (t_src[i] - t_grid)
    return labels[i]


def _apply(a: np.ndarray, transform: np.ndarray | None) -> np.ndarray:
    return a if transform is None else (a @ np.asarray(transform, dtype=np.float64).T)


def as_device_rate(time_ns: np.ndarray, accel_g: np.ndarray, rate_hz: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """What a device set to ``rate_hz`` would have recorded of the same movement: the samples
    (``accel_g`` (n, 3) g at ``time_ns``, assumed near-uniform) low-passed below the new Nyquist
    frequency and resampled by a rational polyphase filter (``scipy.signal.resample_poly``), on
    exactly uniform times from the first sample. Validation only (device-rate robustness)."""
    from fractions import Fraction

    from scipy.signal import resample_poly

    fs0 = 1e9 * (len(time_ns) - 1) / float(time_ns[-1] - time_ns[0])
    ratio = Fraction(rate_hz / fs0).limit_denominator(1000)
    out = resample_poly(accel_g, ratio.numerator, ratio.denominator, axis=0)
    times = time_ns[0] + np.round(np.arange(len(out)) * 1e9 / rate_hz).astype(np.int64)
    return times, out


def _subjects(paths: list[Path], subjects: list[str] | None) -> list[Path]:
    return [p for p in paths if subjects is None or _stem(p) in subjects]


def _stem(p: Path) -> str:
    return p.name.split(".")[0]


def load_selfback(
    root: str | Path,
    subjects: list[str] | None = None,
    fs_hz: float = 50.0,
    transform: np.ndarray | None = None,
    device_rate_hz: float | None = None,
) -> list[LabelledSegment]:
    """Load SELFBACK thigh files, one segment per (subject, activity) file.

    ``transform`` (3x3) is applied to the raw device axes first (used to test orientation
    robustness: a rotated or flipped sensor must give the same canonical signal).
    ``device_rate_hz`` (validation only) replaces each file's ~100 Hz samples by what a device set
    to that rate would have delivered (:func:`as_device_rate`) before preparation.
    """
    root = Path(root)
    files: dict[str, list[tuple[str, Path]]] = {}
    for folder in sorted(SELFBACK_LABELS):
        for p in _subjects(sorted((root / folder).glob("*.csv*")), subjects):
            files.setdefault(_stem(p), []).append((folder, p))
    if not files:
        raise InputDataError(f"{root}: no SELFBACK files <activity>/<subject>.csv[.gz] found")
    out: list[LabelledSegment] = []
    for subject, items in sorted(files.items()):
        grids = []
        for folder, p in items:
            rec = read_selfback_csv(p)
            raw = _apply(np.asarray(rec.accel_g, np.float64), transform)
            times = np.asarray(rec.time_ns, np.int64)
            if device_rate_hz is not None:
                times, raw = as_device_rate(times, raw, device_rate_hz)
            t0, g = _prep.resample(times, raw, fs_hz)
            grids.append((folder, p, t0, g))
        allg = np.concatenate([g for *_, g in grids])
        up = np.concatenate([np.full(len(g), SELFBACK_LABELS[f][0] in _prep.UPRIGHT_LABELS)
                             for f, _, _, g in grids])
        hz = np.concatenate([np.full(len(g), SELFBACK_LABELS[f][0] in ("sitting", "lying"))
                             for f, _, _, g in grids])
        rot, rep = _prep.orientation_matrix(allg, fs_hz, "thigh", upright=up, horizontal=hz)
        log.debug("selfback %s orientation %s", subject, rep)
        for folder, p, t0, g in grids:
            act, pace = SELFBACK_LABELS[folder]
            g = _prep.canonicalise(g, rot)
            n = len(g)
            out.append(LabelledSegment(
                subject=f"selfback-{subject}", source="selfback", name=str(p), fs_hz=fs_hz,
                start_ns=t0, thigh_g=g, back_g=None,
                activity=np.full(n, act, dtype=object), pace=np.full(n, pace, dtype=object),
            ))
    return out


def load_harth(
    root: str | Path,
    subjects: list[str] | None = None,
    fs_hz: float = 50.0,
    transform: np.ndarray | None = None,
) -> list[LabelledSegment]:
    """Load HARTH / HAR70+ files (thigh and back), one segment per file (= subject)."""
    root = Path(root)
    paths = _subjects(sorted(root.glob("*.csv*")), subjects)
    if not paths:
        raise InputDataError(f"{root}: no HARTH-style <subject>.csv[.gz] files found")
    out = []
    for p in paths:
        recs = read_harth_csv(p)
        if recs["thigh"].labels is None:
            raise InputDataError(f"{p}: no 'label' column; training data must be labelled")
        t = recs["thigh"].time_ns
        names = fine_from_io(recs["thigh"].labels)
        sig = {}
        for s in ("thigh", "back"):
            raw = _apply(np.asarray(recs[s].accel_g, np.float64), transform)
            t0, g = _prep.resample(t, raw, fs_hz)
            grid = t0 + np.round(np.arange(len(g)) * (1e9 / fs_hz)).astype(np.int64)
            act = _nearest(names, t, grid)
            up = np.isin(act, _prep.UPRIGHT_LABELS)
            hz = np.isin(act, _prep.HORIZONTAL_LABELS[s])
            rot, rep = _prep.orientation_matrix(g, fs_hz, s, upright=up, horizontal=hz)
            log.debug("harth %s %s orientation %s", p.name, s, rep)
            sig[s] = _prep.canonicalise(g, rot)
        out.append(LabelledSegment(
            subject=f"harth-{_stem(p)}", source="harth", name=str(p), fs_hz=fs_hz, start_ns=t0,
            thigh_g=sig["thigh"], back_g=sig["back"], activity=act,
            pace=np.full(len(act), "", dtype=object),
        ))
    return out


def load(root: str | Path, fmt: str, **kwargs) -> list[LabelledSegment]:
    """Load a labelled dataset folder of format ``fmt`` (``selfback`` or ``harth``)."""
    if fmt == "selfback":
        return load_selfback(root, **kwargs)
    if fmt == "harth":
        return load_harth(root, **kwargs)
    raise InputDataError(f"unknown dataset format {fmt!r}; expected one of {FORMATS}")


@dataclass(frozen=True)
class WindowSet:
    """Feature rows of labelled windows: ``X`` (m, f) float32, labels and subject groups."""

    X: np.ndarray
    activity: np.ndarray
    pace: np.ndarray
    subject: np.ndarray
    segment: np.ndarray
    start: np.ndarray
    feature_names: list[str]


def _majority(labels: np.ndarray, starts: np.ndarray, window: int, min_agree: float):
    codes, inv = np.unique(labels.astype(str), return_inverse=True)
    idx = starts[:, None] + np.arange(window)[None, :]
    w = inv[idx]
    counts = np.zeros((len(starts), len(codes)), dtype=np.int32)
    np.add.at(counts, (np.repeat(np.arange(len(starts)), window), w.ravel()), 1)
    best = counts.argmax(axis=1)
    ok = counts[np.arange(len(starts)), best] >= min_agree * window
    return codes[best].astype(object), ok


def windows_from_segments(
    segments: list[LabelledSegment],
    sensors: tuple[str, ...] = ("thigh",),
    window_s: float = EPOCH_S,
    step_s: float = EPOCH_S,
    min_agree: float = 0.8,
) -> WindowSet:
    """Features and majority labels of every window; windows whose majority label covers less
    than ``min_agree`` of the samples (transitions) are dropped."""
    names = feature_names(sensors)
    parts = []
    for k, seg in enumerate(segments):
        if "back" in sensors and seg.back_g is None:
            raise InputDataError(f"{seg.name}: no back sensor, but a thigh+back model was asked for")
        win = int(round(window_s * seg.fs_hz))
        starts = window_starts(len(seg.thigh_g), win, max(1, int(round(step_s * seg.fs_hz))))
        if not len(starts):
            continue
        act, ok_a = _majority(seg.activity, starts, win, min_agree)
        pace, ok_p = _majority(seg.pace, starts, win, min_agree)
        back = seg.back_g if "back" in sensors else None
        X = compute_features(seg.thigh_g, starts, win, seg.fs_hz, back_g=back, names=names)
        fin = np.isfinite(seg.thigh_g).all(axis=1)
        if back is not None:
            fin &= np.isfinite(back).all(axis=1)
        bad = np.concatenate([[0], np.cumsum(~fin)])
        ok = ok_a & (bad[starts + win] - bad[starts] == 0)
        pace = np.where(ok_p, pace, "").astype(object)
        m = int(ok.sum())
        parts.append((X[ok], act[ok], pace[ok], np.full(m, seg.subject, dtype=object),
                      np.full(m, k, dtype=np.int64), starts[ok]))
    if not parts:
        raise InputDataError("no complete labelled windows in the training data")
    X, a, p, s, g, st = (np.concatenate([q[i] for q in parts]) for i in range(6))
    return WindowSet(X=X, activity=a, pace=p, subject=s, segment=g, start=st, feature_names=names)


def subset(ws: WindowSet, mask: np.ndarray) -> WindowSet:
    """The rows of ``ws`` selected by boolean ``mask``."""
    return WindowSet(X=ws.X[mask], activity=ws.activity[mask], pace=ws.pace[mask],
                     subject=ws.subject[mask], segment=ws.segment[mask], start=ws.start[mask],
                     feature_names=ws.feature_names)


def concat(sets: list[WindowSet]) -> WindowSet:
    """Rows of several window sets with the same features (segment ids kept distinct)."""
    off, segs = 0, []
    for w in sets:
        segs.append(w.segment + off)
        off += int(w.segment.max()) + 1 if len(w.segment) else 0
    cat = np.concatenate
    return WindowSet(X=cat([w.X for w in sets]), activity=cat([w.activity for w in sets]),
                     pace=cat([w.pace for w in sets]), subject=cat([w.subject for w in sets]),
                     segment=cat(segs), start=cat([w.start for w in sets]),
                     feature_names=sets[0].feature_names)
