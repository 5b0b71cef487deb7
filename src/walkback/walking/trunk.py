"""Trunk inclination from the lower-back sensor: angles per 0.2 s, per epoch and per day.

:func:`measure_trunk` turns a :class:`~walkback.signal.types.Prepared` signal with a back sensor
and its classified epochs into :class:`TrunkAngles`: the trunk's **inclination** (angle between
the trunk's current orientation and its upright reference, degrees, 0-180) and **forward
inclination** (the same angle's component in the sagittal plane, forward positive, -180..180)
every ``resolution_s`` (0.2 s), each smoothed by a centred running median of ``median_s`` (1 s).
The reference and the forward direction come from the data (:mod:`._trunk_reference`,
docs/trunk.md). :func:`epoch_trunk` gives the epochs' mean angles and :func:`trunk_daily` the
daily exposures of the day table.

Conventions: canonical back axes (:mod:`walkback.signal.types`); the angles are those of the
block-mean acceleration (gravity plus the movement left after 0.2-s averaging), as in Acti4 /
ActiPASS; blocks are ``round(resolution_s * fs_hz)`` grid samples from grid sample 0; a block
belongs to the epoch owning its centre sample (each epoch owns the central ``step_s`` of its
window, :mod:`walkback.activity.epochs`) and to that epoch's calendar day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from walkback._half import LUT, kernel_view
from walkback.activity.epochs import epoch_info
from walkback.definitions import trunk_day_columns
from walkback.walking._trunk_kernel import block_units, running_median
from walkback.walking._trunk_reference import (
    UPRIGHT_CLASSES,
    TrunkReference,
    find_reference,
    median_blocks,
    transition_runs,
)
from walkback.walking.settings import TrunkSettings

__all__ = ["EPOCH_TRUNK_COLUMNS", "TrunkAngles", "TrunkReference", "epoch_trunk",
           "measure_trunk", "trunk_columns", "trunk_daily"]

#: Columns the trunk adds to the measured epochs (degrees, NaN where the back is absent / not worn).
EPOCH_TRUNK_COLUMNS: tuple[str, str] = ("trunk_incl_deg", "trunk_fwd_deg")


def trunk_columns(s: TrunkSettings | None = None) -> tuple[str, ...]:
    """The day table's trunk columns for settings ``s`` (:func:`walkback.definitions.
    trunk_day_columns`; defaults: docs/SCHEMAS.md)."""
    s = s or TrunkSettings()
    return trunk_day_columns(s.thresholds_deg, s.longest_deg)


@dataclass(frozen=True)
class TrunkAngles:
    """Trunk angles of one recording (see the module docstring).

    ``incl_deg`` / ``fwd_deg``: float32 (m,) per block of ``block_samples`` grid samples, NaN
    where the back sensor is not worn, has a gap, or no reference was found.
    ``block_epoch``: int32 (m,) row of the epochs table owning each block, -1 for none.
    ``notes``: quality notes for qc.json (reference not found, forward evidence in conflict,
    orientation changing between days).
    """

    reference: TrunkReference
    fs_hz: float
    block_samples: int
    incl_deg: np.ndarray
    fwd_deg: np.ndarray
    block_epoch: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def resolution_s(self) -> float:
        return self.block_samples / self.fs_hz

    def qc(self) -> dict[str, Any]:
        """JSON-able summary for qc.json."""
        valid = np.isfinite(self.incl_deg)
        return {"computed": bool(self.reference.found), "resolution_s": self.resolution_s,
                "valid_h": float(np.count_nonzero(valid) * self.resolution_s / 3600.0),
                "reference": self.reference.to_dict()}


def _block_epochs(epochs: pd.DataFrame, fs: float, start_ns: int, m: int, L: int
                  ) -> tuple[np.ndarray, np.ndarray, int]:
    """Owning epoch of each block (-1 none), each epoch's first owned block, blocks per epoch."""
    info = epoch_info(epochs)
    st = epochs["start_ns"].to_numpy(np.int64)
    own = np.round((st - int(start_ns)) * (fs / 1e9)).astype(np.int64) + int(info.offset_s * fs)
    step = int(round(info.step_s * fs))
    per_epoch = max(1, int(round(step / L)))
    if len(own) > 1 and np.all(np.diff(own) == step):  # the usual regular grid: arithmetic
        # e = floor((centre - own[0]) / step) in place, in int32 when the grid allows (a week's
        # 6 million 0.1-s blocks: 24 MB instead of two int64 temporaries of 48 MB)
        e = np.arange(m, dtype=np.int32 if (m + 1) * L + abs(int(own[0])) < 2**31 - 1 else np.int64)
        e *= L
        e += L // 2 - int(own[0])
        np.floor_divide(e, step, out=e)
        e[(e < 0) | (e >= len(own))] = -1  # a block centre beyond the last epoch's step
        return e.astype(np.int32, copy=False), own // L, per_epoch
    centre = np.arange(m, dtype=np.int64) * L + L // 2
    e = np.searchsorted(own, centre, side="right") - 1
    ok = (e >= 0) & (centre < own[np.clip(e, 0, None)] + step) if len(own) else np.zeros(m, bool)
    return np.where(ok, e, -1).astype(np.int32), own // L, per_epoch


def _per_block(epoch_flag: np.ndarray, block_epoch: np.ndarray) -> np.ndarray:
    """A per-epoch boolean carried to the blocks (False for blocks outside every epoch)."""
    flag = np.append(np.asarray(epoch_flag, bool), False)
    return flag[block_epoch]  # block_epoch == -1 picks the appended False


def measure_trunk(prepared: Any, epochs: pd.DataFrame, settings: TrunkSettings | None = None
                  ) -> TrunkAngles | None:
    """Trunk angles of ``prepared`` (a :class:`~walkback.signal.types.Prepared`) classified into
    ``epochs`` (:func:`walkback.activity.classify`). None without a back sensor or with
    ``settings.enabled`` False. A recording whose reference cannot be found gets all-NaN angles
    and a note (see :class:`TrunkReference`)."""
    s = settings or TrunkSettings()
    if not s.enabled or prepared.back_g is None:
        return None
    fs = float(prepared.fs_hz)
    L = max(1, int(round(s.resolution_s * fs)))
    m = prepared.n // L
    wear = prepared.back_wear if prepared.back_wear is not None else np.ones(prepared.n, bool)
    u, worn = block_units(kernel_view(prepared.back_g), LUT, wear, L, 0.1)
    block_epoch, epoch_block, per_epoch = _block_epochs(epochs, fs, prepared.start_ns, m, L)
    walking = _per_block(epochs["activity"].to_numpy(object) == "walking", block_epoch)
    days = prepared.days
    bday = np.full(m, len(days), np.int32)
    for d, (i0, i1) in enumerate(zip(days["start_index"].to_numpy(np.int64),
                                     days["stop_index"].to_numpy(np.int64), strict=True)):
        bday[-(-i0 // L) : i1 // L] = d
    runs = transition_runs(epochs["study_class"].to_numpy(object), epoch_block, per_epoch)
    ori = ((prepared.qc or {}).get("back") or {}).get("orientation") or {}
    ref = find_reference(u, worn, walking, bday, len(days), runs,
                         str(ori.get("skin_axis_evidence", "undetermined")), L / fs, s)
    notes = _notes(ref)
    if not ref.found:
        nan = np.full(m, np.nan, np.float32)
        return TrunkAngles(ref, fs, L, nan, nan.copy(), block_epoch, notes)
    up = np.asarray(ref.upright, np.float32)
    fw = np.asarray(ref.forward, np.float32)
    a = u @ up
    b = u @ fw
    del u  # (m, 3) float32: 72 MB at 0.1-s blocks over a week; the angles are computed in place
    fwd = np.degrees(np.arctan2(b, a, out=b), out=b)
    incl = np.degrees(np.arccos(np.clip(a, -1.0, 1.0, out=a), out=a), out=a)
    k = median_blocks(s.median_s, L / fs)
    return TrunkAngles(ref, fs, L, running_median(incl, k), running_median(fwd, k), block_epoch,
                       notes)


def _notes(ref: TrunkReference) -> list[str]:
    if not ref.found:
        return [f"trunk angles not computed: {ref.reason}"]
    notes = []
    if ref.lying_agrees is False:
        notes.append("trunk forward direction: sit/stand transitions and lying postures disagree "
                     "(prone lying, or a misread skin-normal sign); the transitions were used")
    offs = [x for x in ref.daily_offset_deg if x is not None]
    if offs and max(offs) > 15.0:
        notes.append(f"back sensor orientation changed during the recording: a day's walking "
                     f"orientation differs by {max(offs):.0f} degrees from the recording's "
                     "reference (sensor re-attached?); trunk angles on such days are less exact")
    return notes


def epoch_trunk(angles: TrunkAngles | None, n_epochs: int) -> dict[str, np.ndarray]:
    """Mean ``trunk_incl_deg`` / ``trunk_fwd_deg`` of each epoch (over its valid blocks; NaN
    where it has none, or without trunk angles)."""
    if angles is None:
        return {c: np.full(n_epochs, np.nan) for c in EPOCH_TRUNK_COLUMNS}
    ok = (angles.block_epoch >= 0) & np.isfinite(angles.incl_deg)
    e = angles.block_epoch[ok]
    cnt = np.bincount(e, minlength=n_epochs)[:n_epochs]
    out = {}
    for col, v in zip(EPOCH_TRUNK_COLUMNS, (angles.incl_deg, angles.fwd_deg), strict=True):
        tot = np.bincount(e, weights=v[ok].astype(np.float64), minlength=n_epochs)[:n_epochs]
        out[col] = np.divide(tot, cnt, out=np.full(n_epochs, np.nan), where=cnt > 0)
    return out


def trunk_daily(angles: TrunkAngles | None, epoch_day: np.ndarray, epoch_cls: np.ndarray,
                n_days: int, settings: TrunkSettings | None = None) -> dict[str, np.ndarray]:
    """Daily trunk exposures (seconds per day; :func:`trunk_columns`).

    ``epoch_day``: day row of each epoch (``n_days`` = outside every day), as the day table
    assigns epochs; ``epoch_cls``: the epochs' study classes. Upright = standing (incl.
    shuffling) and walking (incl. stairs); running, cycling, lying and unclassified time are in
    no column. Only blocks with the back sensor worn count; a day with no such block (or no
    trunk angles at all) is NaN in every column.
    """
    s = settings or TrunkSettings()
    cols = trunk_columns(s)
    nan = {c: np.full(n_days, np.nan) for c in cols}
    if angles is None or not angles.reference.found:
        return nan
    res = angles.resolution_s
    be = angles.block_epoch
    day = np.append(np.asarray(epoch_day, np.int64), n_days)[be]
    valid = np.isfinite(angles.incl_deg) & (day < n_days)
    upright = valid & _per_block(np.isin(epoch_cls, UPRIGHT_CLASSES), be)
    sitting = valid & _per_block(epoch_cls == "sitting", be)
    incl, fwd = angles.incl_deg, angles.fwd_deg

    def secs(mask: np.ndarray) -> np.ndarray:
        return np.bincount(day[mask], minlength=n_days + 1)[:n_days] * res

    out: dict[str, np.ndarray] = {"trunk_upright_s": secs(upright)}
    for t in s.thresholds_deg:
        out[f"trunk_ge{t}_s"] = secs(upright & (incl >= t))
    for t in s.thresholds_deg:
        out[f"trunk_fwd_ge{t}_s"] = secs(upright & (fwd >= t))
    out[f"trunk_fwd_ge{s.longest_deg}_longest_s"] = _longest(upright & (fwd >= s.longest_deg),
                                                             day, n_days) * res
    out["trunk_sitting_s"] = secs(sitting)
    for t in s.thresholds_deg:
        out[f"trunk_fwd_ge{t}_sitting_s"] = secs(sitting & (fwd >= t))
    any_valid = np.bincount(day[valid], minlength=n_days + 1)[:n_days] > 0
    return {c: np.where(any_valid, out[c], np.nan) for c in cols}


def _longest(mask: np.ndarray, day: np.ndarray, n_days: int) -> np.ndarray:
    """Longest run of True blocks per day (blocks); a run is cut where the day changes."""
    longest = np.zeros(n_days)
    if not mask.any():
        return longest
    brk = np.ones(len(mask), bool)
    brk[1:] = (day[1:] != day[:-1]) | ~mask[:-1]
    starts = np.flatnonzero(mask & brk)
    ends = np.flatnonzero(mask & np.append(brk[1:] | ~mask[1:], True))
    np.maximum.at(longest, day[starts], (ends - starts + 1).astype(float))
    return longest
