"""Orientation: find how a sensor was worn and express its signal in the canonical axes.

Canonical axes (see :mod:`walkback.signal.types`): **x** up the body segment (+1 g upright), **z** out
of the body through the skin, **y** = z cross x (right-handed). Sensors get taped upside down (long
axis reversed), inside out (skin-normal axis reversed), both, or rotated about the long axis, and
datasets disagree on sign conventions (HARTH and SELFBACK devices both read x about -1 g when upright
in the shipped samples, although documentation says otherwise). Nothing is assumed: everything is
decided from the data, using physics.

Evidence used
-------------
* **Long axis and its sign** from *gait* windows (5 s): vector magnitude about 1-2 g on average,
  clearly moving (sd of magnitude 0.08-1.5 g), periodic (>= 20 % of the magnitude's 0.3-15 Hz power
  at 0.6-2.8 Hz, the stride and step rates) and with gravity mostly along one device axis (>= 0.8 of
  the mean vector). During walking and running the thigh and the lower back are near vertical, so
  the median gravity direction of those windows is canonical +x.
* **Skin-normal axis** (z) from *horizontal* still windows, where the segment's long axis is at least
  60 degrees from vertical: for the thigh that is sitting and lying, for the back lying. The skin
  normal is the non-long axis on which gravity accumulates with a consistent sign (side-lying puts
  gravity on y with both signs, which cancels). Its sign: thigh z points up in sitting and lying
  supine (+1 g); back z points down when lying supine (-1 g), the most common lying posture.
  Without horizontal data the axis (not its sign) is taken from gait: the segment swings in the
  sagittal plane, so the skin-normal axis varies more than the lateral axis (weak evidence).
* A caller who knows the posture of a chunk (e.g. a labelled single-activity file) may pass
  ``posture_hint="upright"`` (gravity is +x) or ``"horizontal"`` (thigh: gravity is +z; back: -z).

Undetermined parts are reported as ``"undetermined"`` and the device's own axes are kept for them
(the long axis defaults to device x, the skin normal to device z), so a correct device is never
changed without evidence; the frame is always completed right-handed.

Only signed permutations of the device axes (the 24 proper rotations by multiples of 90 degrees) are
corrected; a sensor taped at an odd angle keeps its tilt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numba import njit

from walkback._half import is_half, kernel_view, store, to_float32
from walkback.errors import InputDataError
from walkback.signal._windows import WindowStats, gait_band_fraction, window_stats

__all__ = ["OrientationReport", "canonicalise", "apply_matrix"]

WINDOW_S = 5.0
MIN_GAIT_S = 30.0
MIN_HORIZONTAL_S = 60.0
_AX = "xyz"


@dataclass(frozen=True)
class OrientationReport:
    """What :func:`canonicalise` found and did.

    ``long_axis`` / ``skin_axis``: the signed device axis that became canonical +x / +z (e.g. ``"-x"``).
    ``long_axis_evidence``: ``"gait"``, ``"posture_hint"`` or ``"undetermined"``.
    ``skin_axis_evidence``: ``"horizontal_postures"``, ``"posture_hint"``, ``"gait_variance"``
    (axis only, sign kept from the device) or ``"undetermined"``.
    ``matrix``: 3x3 integer matrix, ``canonical = matrix @ device``.
    ``long_axis_reversed``, ``skin_axis_reversed``, ``axes_permuted``: what was corrected, relative
    to the device's own axes (x long, z skin normal): reversed long axis = worn upside down (or a
    device whose x points down the segment); reversed skin axis = inside out; permuted = the long or
    skin-normal axis is not device x / z (e.g. rotated 90 degrees about the long axis).
    ``confidence_long`` / ``confidence_skin``: share of the windows used that agree with the decision
    (0-1; NaN when undetermined). ``gait_s`` / ``horizontal_s``: seconds of evidence.
    """

    sensor: str
    long_axis: str
    long_axis_evidence: str
    skin_axis: str
    skin_axis_evidence: str
    matrix: list[list[int]]
    long_axis_reversed: bool
    skin_axis_reversed: bool
    axes_permuted: bool
    confidence_long: float
    confidence_skin: float
    gait_s: float
    horizontal_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def determined(self) -> bool:
        """True when both the long and the skin-normal axis (with signs) came from evidence."""
        return self.long_axis_evidence != "undetermined" and self.skin_axis_evidence not in (
            "undetermined", "gait_variance")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        d = asdict(self)
        for k in ("confidence_long", "confidence_skin"):
            d[k] = None if not np.isfinite(d[k]) else round(float(d[k]), 3)
        return d


def apply_matrix(accel_g: np.ndarray, matrix: np.ndarray | list[list[int]], *,
                 out: np.ndarray | None = None) -> np.ndarray:
    """``canonical = matrix @ device`` for every sample; float32 (n, 3). NaN stays NaN.

    Signed permutations (what :func:`canonicalise` produces) are applied row by row in one
    compiled pass; ``out=accel_g`` works in place."""
    m = np.asarray(matrix, dtype=np.float32)
    perm = np.argmax(np.abs(m), axis=1)
    signs = m[np.arange(3), perm]
    signed_perm = bool(np.all(np.abs(signs) == 1) and np.count_nonzero(m) == 3)
    if out is not None and is_half(out):  # float16 storage (walkback._half)
        if signed_perm and is_half(accel_g):  # exact on the codes: swap columns, flip sign bits
            flip = np.where(signs < 0, 0x8000, 0).astype(np.uint16)
            _signed_permutation_codes(kernel_view(accel_g), perm.astype(np.int64), flip,
                                      kernel_view(out))
            return out
        for i0 in range(0, accel_g.shape[0], 1 << 16):
            store(out, i0, to_float32(accel_g[i0 : i0 + (1 << 16)]) @ m.T)
        return out
    x = np.asarray(accel_g, dtype=np.float32)
    if out is None:
        out = np.empty(x.shape, np.float32)
    if signed_perm:
        _signed_permutation(x, perm.astype(np.int64), signs.astype(np.float32), out)
        return out
    step = 1 << 20
    for i0 in range(0, x.shape[0], step):
        blk = x[i0 : i0 + step]
        out[i0 : i0 + step] = blk @ m.T
    return out


@njit(cache=True, nogil=True)
def _signed_permutation(x, perm, signs, out):  # pragma: no cover - compiled
    """out[i, a] = signs[a] * x[i, perm[a]], row by row (so ``out`` may be ``x``)."""
    for i in range(x.shape[0]):
        a = x[i, perm[0]] * signs[0]
        b = x[i, perm[1]] * signs[1]
        c = x[i, perm[2]] * signs[2]
        out[i, 0] = a
        out[i, 1] = b
        out[i, 2] = c


@njit(cache=True, nogil=True)
def _signed_permutation_codes(x, perm, flip, out):  # pragma: no cover - compiled
    """:func:`_signed_permutation` on float16 codes (uint16): a sign change is the sign bit."""
    for i in range(x.shape[0]):
        a = x[i, perm[0]] ^ flip[0]
        b = x[i, perm[1]] ^ flip[1]
        c = x[i, perm[2]] ^ flip[2]
        out[i, 0] = a
        out[i, 1] = b
        out[i, 2] = c


def canonicalise(
    accel_g: np.ndarray,
    fs_hz: float,
    sensor: Literal["thigh", "back"] = "thigh",
    *,
    posture_hint: Literal["upright", "horizontal"] | None = None,
    min_gait_s: float = MIN_GAIT_S,
    min_horizontal_s: float = MIN_HORIZONTAL_S,
) -> tuple[np.ndarray, OrientationReport]:
    """Return ``accel_g`` (n, 3) in g rotated into the canonical axes, and the report.

    Works on any chunk (a 3-min labelled file or a week): parts without evidence are reported
    ``"undetermined"`` and kept in device axes (see module docstring). NaN samples are ignored.
    """
    accel_g = np.asarray(accel_g)
    if accel_g.ndim != 2 or accel_g.shape[1] != 3:
        raise InputDataError(f"canonicalise: accel_g must be (n, 3), got {accel_g.shape}")
    if sensor not in ("thigh", "back"):
        raise InputDataError(f"canonicalise: sensor must be 'thigh' or 'back', got {sensor!r}")
    report = detect_orientation(accel_g, fs_hz, sensor, posture_hint=posture_hint,
                                min_gait_s=min_gait_s, min_horizontal_s=min_horizontal_s)
    return apply_matrix(accel_g, report.matrix), report


def detect_orientation(
    accel_g: np.ndarray,
    fs_hz: float,
    sensor: str = "thigh",
    *,
    posture_hint: str | None = None,
    min_gait_s: float = MIN_GAIT_S,
    min_horizontal_s: float = MIN_HORIZONTAL_S,
    stats: WindowStats | None = None,
) -> OrientationReport:
    """Decide the orientation (see :func:`canonicalise`) without rotating the signal.
    ``stats``: precomputed 5-s :class:`WindowStats` of ``accel_g`` (saves a pass)."""
    w = max(8, int(round(WINDOW_S * fs_hz)))
    ws = stats if stats is not None and stats.w == w else window_stats(accel_g, w)
    unit = ws.mean_g / np.maximum(np.linalg.norm(ws.mean_g, axis=1), 1e-6)[:, None]
    notes: list[str] = []
    gait = _gait_windows(accel_g, ws, unit, fs_hz)
    gait_s = float(gait.sum() * WINDOW_S)
    still = ws.ok & (ws.mag_sd_g < 0.1) & (np.abs(ws.mag_mean_g - 1.0) < 0.25)

    a, sx, conf_l, ev_l = _long_axis(unit, gait, still, gait_s >= min_gait_s, posture_hint)
    if ev_l == "undetermined":
        notes.append(f"long axis undetermined: {gait_s:.0f} s of gait (< {min_gait_s:.0f} s) and "
                     "no posture hint; device x kept as the long axis")
    horiz = np.zeros_like(still)
    if a is not None:
        horiz = still & (np.abs(unit[:, a]) < 0.5)
    horizontal_s = float(horiz.sum() * WINDOW_S)
    c, sz, conf_s, ev_s = _skin_axis(unit, ws, a, gait, horiz, still, sensor, posture_hint,
                                     horizontal_s >= min_horizontal_s)
    if ev_s in ("undetermined", "gait_variance"):
        notes.append(f"skin-normal sign undetermined: {horizontal_s:.0f} s of horizontal still "
                     f"postures (< {min_horizontal_s:.0f} s); device sign kept")
    matrix, a, sx, c, sz = _build_matrix(a, sx, c, sz)
    return OrientationReport(
        sensor=sensor,
        long_axis=("+" if sx > 0 else "-") + _AX[a],
        long_axis_evidence=ev_l,
        skin_axis=("+" if sz > 0 else "-") + _AX[c],
        skin_axis_evidence=ev_s,
        matrix=matrix.tolist(),
        long_axis_reversed=bool(sx < 0),
        skin_axis_reversed=bool(sz < 0),
        axes_permuted=bool(a != 0 or c != 2),
        confidence_long=conf_l,
        confidence_skin=conf_s,
        gait_s=gait_s,
        horizontal_s=horizontal_s,
        notes=notes,
    )


def _gait_windows(accel_g: np.ndarray, ws: WindowStats, unit: np.ndarray, fs_hz: float
                  ) -> np.ndarray:
    cand = (ws.ok & (ws.mag_mean_g > 0.9) & (ws.mag_mean_g < 2.2) & (ws.mag_sd_g > 0.08)
            & (ws.mag_sd_g < 1.5) & (np.abs(unit).max(axis=1) >= 0.8))
    idx = np.flatnonzero(cand)
    gait = np.zeros(ws.n, dtype=bool)
    if idx.size:
        frac = gait_band_fraction(accel_g, ws.w, idx, fs_hz, (0.6, 2.8))
        gait[idx[frac >= 0.2]] = True
    return gait


def _long_axis(unit: np.ndarray, gait: np.ndarray, still: np.ndarray, enough_gait: bool,
               hint: str | None) -> tuple[int | None, int, float, str]:
    if enough_gait:
        sel = unit[gait]
    elif hint == "upright" and still.any():
        sel = unit[still]
    else:
        return None, 1, float("nan"), "undetermined"
    med = np.median(sel, axis=0)
    a = int(np.argmax(np.abs(med)))
    if abs(med[a]) < 0.7:
        return None, 1, float("nan"), "undetermined"
    s = 1 if med[a] > 0 else -1
    agree = float(np.mean(np.sign(sel[:, a]) == s) * np.mean(np.argmax(np.abs(sel), 1) == a))
    return a, s, agree, "gait" if enough_gait else "posture_hint"


def _skin_axis(unit: np.ndarray, ws: WindowStats, a: int | None, gait: np.ndarray,
               horiz: np.ndarray, still: np.ndarray, sensor: str, hint: str | None,
               enough_horiz: bool) -> tuple[int | None, int, float, str]:
    sign_up = 1 if sensor == "thigh" else -1  # sign of gravity on canonical z in the posture used
    if hint == "horizontal" and still.any():
        rows, ev = unit[still], "posture_hint"
    elif a is not None and enough_horiz:
        rows, ev = unit[horiz], "horizontal_postures"
    else:
        rows, ev = None, ""
    if rows is not None:
        # each window votes for the axis carrying most of its gravity, with that axis' sign;
        # side-lying votes split between +y and -y, sitting / supine votes agree
        cand = [k for k in range(3) if k != a]
        dom = np.asarray(cand)[np.argmax(np.abs(rows[:, cand]), axis=1)]
        sgn = np.sign(rows[np.arange(rows.shape[0]), dom])
        s = np.array([sgn[dom == k].sum() for k in range(3)])
        c = max(cand, key=lambda k: abs(s[k]))
        consistency = abs(s[c]) / max(float(np.sum(dom == c)), 1.0)
        if consistency >= 0.6 and abs(s[c]) >= 6:  # >= 30 s of net evidence
            sz = sign_up * (1 if s[c] > 0 else -1)
            agree = float(np.mean(np.sign(rows[:, c]) == sz * sign_up))
            return c, sz, agree, ev
    if a is not None and gait.sum() >= 6:
        cand = [k for k in range(3) if k != a]
        var = np.median(ws.sd_g[gait][:, cand], axis=0)
        c = cand[int(np.argmax(var))]
        return c, 0, float(np.max(var) / max(var.sum(), 1e-9)), "gait_variance"
    return None, 0, float("nan"), "undetermined"


def _build_matrix(a: int | None, sx: int, c: int | None, sz: int
                  ) -> tuple[np.ndarray, int, int, int, int]:
    """Rows: canonical x, y, z in device coordinates; undetermined parts keep device axes."""
    if a is None:
        a, sx = (0, 1) if c != 0 else (1, 1)
    if c is None:
        c = 2 if a != 2 else 0
    if sz == 0:
        sz = 1
    ex = np.zeros(3, np.int64)
    ex[a] = sx
    ez = np.zeros(3, np.int64)
    ez[c] = sz
    ey = np.cross(ez, ex)
    return np.stack([ex, ey, ez]), a, sx, c, sz
