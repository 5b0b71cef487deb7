"""Simulated multi-day thigh + lower-back recordings stitched from real labelled segments.

``simulate_recording`` lays a plausible schedule over local calendar days (a night in bed with
posture changes and a wake bout; sitting, standing, walking bouts at three paces, stairs, sofa
lying while awake; a run on some days; :mod:`~walkback.simulate._recording_schedule`), fills each
block with tiles of REAL SELFBACK thigh snippets (the shipped library in
``walkback/data/snippets``, or a SELFBACK-layout folder given as ``source``), blends every junction
with a 1-s raised-cosine crossfade, and adds sensor noise. Nights roll the real lying snippets to
side and front postures and quieten them while asleep (:mod:`~walkback.simulate._recording_stitch`).

The back signal is SYNTHESISED (SELFBACK has no back sensor): a posture-consistent gravity vector
(upright with a small forward lean when standing or moving, leaning back or slouched when sitting,
supine / side / prone following the thigh when lying) plus a scaled, high-passed copy of the thigh's
movement. It is plausible for posture, not a real trunk gait signal. On request
(``tilt_standing_deg``) the back of some standing blocks is bent forward by a known angle, to test
the trunk inclination measures (:mod:`walkback.walking.trunk`); the default recording has no
such bending (and no trunk flexion at sit/stand transitions).

``write_recording`` writes ``thigh.cwa`` and ``back.cwa`` (AX3, 100 Hz, via
:func:`walkback.io.write_cwa`; thigh in the SELFBACK mounting's device axes, back in canonical axes;
the back clock may carry an offset and drift), ``truth_epochs.parquet`` and ``truth_daily.csv``
(the daily table of :mod:`walkback.walking` computed from the truth labels; cadence and steps
measured on the clean stitched thigh signal; pace = the SELFBACK pace label; ``sleep`` = the
schedule's asleep blocks, so ``sleep_s`` is the true sleep per local day).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from walkback._atomic import atomic_path, write_text_atomic
from walkback.activity.epochs import EpochInfo, with_epoch_info
from walkback.definitions import DEFAULT_TIMEZONE, EPOCH_S
from walkback.errors import SettingsError
from walkback.signal.days import calendar_days
from walkback.simulate._recording_schedule import WALKING_SHARE, schedule
from walkback.simulate._recording_snippets import FS_HZ, SELFBACK_CLASSES, load_library
from walkback.simulate._recording_stitch import CODES, stitch
from walkback.walking.daily import daily_table
from walkback.walking.measure import measure_epochs
from walkback.walking.pace import met_from_pace
from walkback.walking.settings import WalkingSettings

#: Thigh device axes = canonical x THIGH_DEVICE_SIGN (the SELFBACK AX3 mounting).
THIGH_DEVICE_SIGN = np.array([-1.0, 1.0, -1.0], np.float32)


@dataclass(frozen=True)
class SimulatedRecording:
    """A simulated participant: true-time 50 Hz canonical signals and the truth.

    ``thigh_g``, ``back_g`` float32 (n, 3) g canonical axes, sample i at ``start_ns + i * 20 ms``
    (UTC, true time). ``truth_epochs`` and ``truth_daily`` follow docs/SCHEMAS.md (5-s epochs on
    the same grid; the epochs' ``sleep`` is True when most of the epoch is asleep). ``blocks`` is
    the schedule (``activity``, ``start_ns``, ``duration_s``, ``posture_deg``, ``asleep``,
    ``restless``, ``back_tilt_deg``: forward bend of the back sensor in that block, 0 unless
    requested). ``truth_epochs`` and ``truth_daily`` carry no trunk truth (their trunk columns
    are empty).
    ``back_clock_offset_s`` / ``back_clock_drift_ppm``: the back device clock's error, applied
    when writing ``back.cwa`` only.
    """

    start_ns: int
    fs_hz: float
    timezone: str
    thigh_g: np.ndarray
    back_g: np.ndarray
    truth_epochs: pd.DataFrame
    truth_daily: pd.DataFrame
    blocks: pd.DataFrame
    back_clock_offset_s: float = 0.0
    back_clock_drift_ppm: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


def simulate_recording(
    days: float = 7,
    seed: int = 0,
    source: str | Path | None = None,
    start: str | pd.Timestamp = "2024-10-21 10:00",
    timezone: str = DEFAULT_TIMEZONE,
    *,
    participant_id: str = "sim",
    back_clock_offset_s: float = 0.0,
    back_clock_drift_ppm: float = 0.0,
    walking_share: float = WALKING_SHARE,
    intermittent: float = 0.0,
    settings: WalkingSettings | None = None,
    tilt_standing_deg: float = 0.0,
    tilt_standing_every: int = 2,
) -> SimulatedRecording:
    """Simulate ``days`` x 24 h from local time ``start`` (naive = in ``timezone``).

    ``tilt_standing_deg`` (degrees, forward positive): bend the back sensor forward by this much
    in every ``tilt_standing_every``-th standing block (the 1st, the 1 + every-th, ...), about the
    trunk's lateral axis; ``blocks.back_tilt_deg`` says which. Nothing else changes: with the
    same seed the schedule, the thigh and every other block are identical to the untilted
    recording.

    ``walking_share`` (chance that an awake block is walking) and ``intermittent`` (chance that a
    walking block is an errand of short walks between short stands) shape the walking; see
    :mod:`walkback.simulate._recording_schedule` (defaults: ~90-100 min/day in 5-min bouts;
    0.65 / 0.7: ~250 min/day in ~400 walks a day).
    """
    if not 0 < days <= 31:
        raise SettingsError(f"simulate_recording: days must be in (0, 31], got {days}")
    if not -180 < tilt_standing_deg <= 180 or tilt_standing_every < 1:
        raise SettingsError("simulate_recording: tilt_standing_deg must be in (-180, 180] and "
                            f"tilt_standing_every >= 1, got {tilt_standing_deg}, {tilt_standing_every}")
    s = settings or WalkingSettings()
    ts = pd.Timestamp(start)
    ts = ts.tz_localize(timezone) if ts.tzinfo is None else ts.tz_convert(timezone)
    start_ns = int(ts.tz_convert("UTC").value)
    rng = np.random.default_rng(seed)
    lib = load_library(source)
    blocks = schedule(start_ns, days, timezone, rng, walking_share=walking_share,
                      intermittent=intermittent)
    standing = np.cumsum([b.activity == "standing" for b in blocks]) - 1
    tilt = np.array([tilt_standing_deg if b.activity == "standing" and k % tilt_standing_every == 0
                     else 0.0 for b, k in zip(blocks, standing, strict=True)])
    thigh, back, codes = stitch(blocks, lib, rng, back_tilt_deg=tilt)
    epochs = _truth_epochs(thigh, codes, _asleep_samples(blocks, codes.shape[0]), start_ns, s,
                           timezone)
    # calendar days exactly as the signal stage makes them for the processed recording
    daily = daily_table(epochs, calendar_days(start_ns, thigh.shape[0], FS_HZ, timezone), participant_id,
                        thigh_only=False, settings=s)
    starts = start_ns + (np.cumsum([0] + [b.duration_s for b in blocks[:-1]]) * 1e9).astype(np.int64)
    bl = pd.DataFrame({"activity": [b.activity for b in blocks], "start_ns": starts,
                       "duration_s": [b.duration_s for b in blocks],
                       "posture_deg": [b.posture_deg for b in blocks],
                       "asleep": [b.asleep for b in blocks], "restless": [b.restless for b in blocks],
                       "back_tilt_deg": tilt})
    meta = {"seed": seed, "days": days, "source": lib.source, "participant_id": participant_id,
            "start_local": str(ts), "timezone": timezone, "walking_share": walking_share,
            "intermittent": intermittent}
    if tilt_standing_deg:
        meta.update(tilt_standing_deg=tilt_standing_deg, tilt_standing_every=tilt_standing_every)
    return SimulatedRecording(start_ns, FS_HZ, timezone, thigh, back, epochs, daily, bl,
                              back_clock_offset_s, back_clock_drift_ppm, meta)


def _asleep_samples(blocks, n: int) -> np.ndarray:
    """Per-sample truth sleep (bool, n) from the schedule's asleep blocks."""
    edges = np.round(np.cumsum([0.0] + [b.duration_s for b in blocks]) * FS_HZ).astype(np.int64)
    out = np.zeros(n, bool)
    for b, lo, hi in zip(blocks, edges[:-1], edges[1:], strict=True):
        if b.asleep:
            out[lo:hi] = True
    return out


def _truth_epochs(thigh: np.ndarray, codes: np.ndarray, asleep: np.ndarray, start_ns: int,
                  s: WalkingSettings, timezone: str) -> pd.DataFrame:
    L = int(round(EPOCH_S * FS_HZ))
    m = codes.shape[0] // L
    counts = np.stack([(codes[: m * L].reshape(m, L) == k).sum(axis=1) for k in range(len(CODES))], axis=1)
    lab = np.asarray(CODES, dtype=object)[np.argmax(counts, axis=1)]
    fine = np.array([SELFBACK_CLASSES[a][0] for a in lab], dtype=object)
    pace = np.array([SELFBACK_CLASSES[a][1] for a in lab], dtype=object)
    from walkback.activity.labels import study_classes

    ep = pd.DataFrame({
        "start_ns": start_ns + np.round(np.arange(m) * L * 1e9 / FS_HZ).astype(np.int64),
        "activity": fine, "study_class": study_classes(fine), "pace": pace,
        "confidence": np.ones(m, np.float32), "thigh_wear": np.ones(m, bool), "back_wear": np.ones(m, bool),
        "sleep": asleep[: m * L].reshape(m, L).mean(axis=1) >= 0.5,
    })
    with_epoch_info(ep, EpochInfo(window_s=EPOCH_S, step_s=EPOCH_S, timezone=timezone))
    # stairs have no pace label: give them the cadence pace (as the pipeline does)
    out = measure_epochs(thigh, FS_HZ, start_ns, ep, s)
    labelled = pace != ""
    out.loc[labelled, "pace"] = pace[labelled]
    out["met"] = np.where(out["study_class"] == "walking", met_from_pace(out["pace"].to_numpy(object)),
                          out["met"])
    out["source_label"] = lab
    return out


def write_recording(sim: SimulatedRecording, out_dir: str | Path, *, rate_hz: float = 100.0) -> Path:
    """Write ``thigh.cwa``, ``back.cwa``, ``truth_epochs.parquet``, ``truth_daily.csv`` and
    ``simulation.json`` into ``out_dir`` (each file atomically); return ``out_dir``."""
    from walkback.io import write_cwa

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    up = int(round(rate_hz / sim.fs_hz))
    thigh_dev = _upsample(sim.thigh_g * THIGH_DEVICE_SIGN, up)
    write_cwa(out / "thigh.cwa", thigh_dev, start_ns=sim.start_ns, rate_hz=rate_hz, temperature_c=32.0,
              device_id=10001, timezone=sim.timezone, metadata="walkback simulated thigh")
    del thigh_dev
    back_dev = _upsample(sim.back_g, up)
    d = sim.back_clock_drift_ppm * 1e-6
    if d:
        k = np.arange(back_dev.shape[0]) / (1.0 + d)
        back_dev = np.stack([np.interp(k, np.arange(back_dev.shape[0]), back_dev[:, i]) for i in range(3)],
                            axis=1).astype(np.float32)
    back_start = sim.start_ns + int(round(sim.back_clock_offset_s * 1e9))
    write_cwa(out / "back.cwa", back_dev, start_ns=back_start, rate_hz=rate_hz, temperature_c=31.0,
              device_id=10002, timezone=sim.timezone, metadata="walkback simulated back")
    del back_dev
    with atomic_path(out / "truth_epochs.parquet") as tmp:
        sim.truth_epochs.to_parquet(tmp, index=False)
    with atomic_path(out / "truth_daily.csv") as tmp:
        sim.truth_daily.to_csv(tmp, index=False)
    meta = dict(sim.meta, back_clock_offset_s=sim.back_clock_offset_s,
                back_clock_drift_ppm=sim.back_clock_drift_ppm, rate_hz=rate_hz,
                thigh_device_axes="canonical x (-1, 1, -1) (SELFBACK mounting)",
                back_device_axes="canonical", back_signal="synthesised from posture (see docs)")
    write_text_atomic(out / "simulation.json", json.dumps(meta, indent=2))
    return out


def _upsample(g: np.ndarray, up: int, chunk: int = 180_000) -> np.ndarray:
    """Polyphase upsampling by ``up`` in chunks (bounded memory), float32 out."""
    from scipy import signal as sps

    if up == 1:
        return np.asarray(g, np.float32)
    n = g.shape[0]
    out = np.empty((n * up, 3), np.float32)
    pad = 200
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        a0, b0 = max(0, a - pad), min(n, b + pad)
        y = sps.resample_poly(g[a0:b0].astype(np.float64), up, 1, axis=0)
        out[a * up : b * up] = y[(a - a0) * up : (a - a0) * up + (b - a) * up]
    return out
