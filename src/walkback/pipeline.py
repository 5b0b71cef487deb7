"""The one-participant pipeline: raw thigh (+ back) files -> daily table, epoch timeline, QC.

:func:`process_one` runs the stages in a row and is what the batch runner calls for each
participant. It streams the files (:func:`walkback.io.open_stream`) into
:func:`walkback.signal.prepare` (calibration, orientation, sync, non-wear, 50 Hz grid), classifies
(:func:`walkback.activity.classify`), finds the nights' time in bed and sleep
(:func:`walkback.activity.detect_sleep`), measures walking (:mod:`walkback.walking`) and writes
``daily.csv``, ``epochs.parquet`` and ``qc.json`` into ``out_dir`` as one atomic directory (a
failure leaves any previous ``out_dir`` untouched).

It sits above the stages it runs; no stage imports it. Its settings are a
:class:`~walkback.study_settings.StudySettings` (the ``signal``, ``activity`` and ``walking``
parts); qc.json records them in that shape, with the source of every value that is not a default.
"""

from __future__ import annotations

import json
import logging
import math
import time
import warnings
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from walkback import __version__
from walkback._alloc import trim_heap
from walkback._atomic import atomic_dir, check_output_location
from walkback._threads import alongside
from walkback.errors import InsufficientWearError, QualityWarning
from walkback.settings import to_mapping
from walkback.study_settings import PIPELINE_STAGES, StudySettings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ParticipantResult", "process_one"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParticipantResult:
    """What :func:`process_one` produced: the daily table, QC dict and the output folder."""

    participant_id: str
    out_dir: Path
    daily: pd.DataFrame
    qc: dict[str, Any]

    def summary(self) -> str:
        d = self.daily
        valid = int(d["valid_study"].sum())
        return (f"{self.participant_id}: {len(d)} days ({valid} valid), walking "
                f"{d['walking_s'].sum() / 60 / max(len(d), 1):.1f} min/day, {int(d['steps'].sum())} steps "
                f"-> {self.out_dir}")


def process_one(
    thigh_path: str | Path,
    back_path: str | Path | None = None,
    *,
    participant_id: str,
    out_dir: str | Path,
    timezone: str | None = None,
    settings: StudySettings | None = None,
) -> ParticipantResult:
    """Process one participant's files into ``out_dir`` (``daily.csv``, ``epochs.parquet``, ``qc.json``).

    ``timezone`` (IANA name) is the zone of the device clocks and calendar days; None takes
    ``settings.signal.timezone``. A zone given here that differs from the settings' wins and is
    recorded as coming from this argument.

    Raises :class:`~walkback.errors.OutputPathError` (``out_dir`` cannot be created; checked
    first), :class:`~walkback.errors.ReadError` (unreadable / corrupt file),
    :class:`~walkback.errors.SyncError` (the sensors cannot be synchronised),
    :class:`~walkback.errors.InsufficientWearError` (the thigh sensor was never worn).

    Memory: each sensor's signal is dropped after its last reader, and the C heap's free pages
    are returned between stages (:func:`walkback._alloc.trim_heap`).
    """
    from walkback import io, signal  # stage packages: each module loads where it is first used

    s = settings or StudySettings()
    if timezone is not None and timezone != s.signal.timezone:
        s = s.with_values({"signal.timezone": timezone}, "process_one(timezone=...)")
    tz = s.signal.timezone
    check_output_location(out_dir)  # fail before an hour of work, not after it
    t0 = time.perf_counter()
    # streams: the raw week is decoded an hour at a time straight onto the 50 Hz grid
    thigh = io.open_stream(thigh_path, timezone=tz)
    back = io.open_stream(back_path, timezone=tz) if back_path is not None else None
    t_read = time.perf_counter()
    read_warnings = {name: list(st.info.warnings) for name, st in (("thigh", thigh), ("back", back))
                     if st is not None}
    prepared = signal.prepare(thigh, back, s.signal)
    del thigh, back
    if not np.any(prepared.thigh_wear):
        raise InsufficientWearError(f"{thigh_path}: the thigh sensor was never worn (no wear time at all)")
    t_prep = time.perf_counter()
    from walkback import activity
    from walkback.walking import daily_table, epoch_gait, measure_epochs, measure_trunk

    model = (activity.load_model(s.activity.model_path) if s.activity.model_path
             else activity.load_default_model())
    trim_heap()  # the streams' decoded hours and the resampler's blocks
    epochs = activity.classify(prepared, model, s.activity)
    t_cls = time.perf_counter()
    trim_heap()  # feature chunks
    # the gait measures read only the thigh signal and the classes: on two cores they run beside
    # the sleep and trunk stages (numba / NumPy kernels that release the GIL); with one thread
    # (batch workers) they run after them, as before
    cols = [c for c in ("start_ns", "study_class", "thigh_wear") if c in epochs]
    gait = alongside(_timed, epoch_gait, prepared.thigh_g, prepared.fs_hz, prepared.start_ns,
                     epochs[cols].copy(), s.walking)
    try:
        epochs = activity.detect_sleep(prepared, epochs, s.activity.sleep)
        t_slp = time.perf_counter()
        trim_heap()  # each night's filtered movement
        trunk = measure_trunk(prepared, epochs, s.walking.trunk)
        t_trunk = time.perf_counter()
        qc = _qc(prepared, model, s, thigh_path, back_path, participant_id, epochs)
        qc["trunk"] = _trunk_qc(trunk, prepared, s)
        days, has_back, fs_hz, start_ns = prepared.days, prepared.has_back, prepared.fs_hz, prepared.start_ns
    except BaseException:
        gait.abandon()  # no gait work goes on after the participant has failed
        raise
    gait_s, gait_epochs = gait.result()
    t_gait = time.perf_counter()
    # memory: the back signal's last reader was the trunk stage, the thigh's the gait measures;
    # each is dropped once read (173 MB per sensor-week) so the outputs are built without them
    del prepared
    measured = measure_epochs(None, fs_hz, start_ns, epochs, s.walking, trunk, gait_epochs)
    daily = daily_table(measured, days, participant_id, thigh_only=not has_back,
                        settings=s.walking, trunk=trunk)
    qc["sleep"] = _sleep_qc(epochs, s)
    qc["quality_warnings"] = quality_notes(qc["signal"], read_warnings, s,
                                           trunk_notes=trunk.notes if trunk is not None else ())
    for note in qc["quality_warnings"]:
        warnings.warn(f"{participant_id}: {note}", QualityWarning, stacklevel=2)
    # stage times (s); "walking" is the gait measures' own time (beside sleep and trunk when two
    # threads are allowed) plus the epoch table; "total" is the wall time up to the write
    t_end = time.perf_counter()
    qc["timing_s"] = {"open": t_read - t0, "read_and_prepare": t_prep - t_read, "classify": t_cls - t_prep,
                      "sleep": t_slp - t_cls, "trunk": t_trunk - t_slp,
                      "walking": gait_s + (t_end - t_gait), "total": t_end - t0}
    out = Path(out_dir)
    with atomic_dir(out) as tmp:
        daily.to_csv(tmp / "daily.csv", index=False)
        measured.to_parquet(tmp / "epochs.parquet", index=False)
        (tmp / "qc.json").write_text(json.dumps(_jsonable(qc), indent=2, allow_nan=False), encoding="utf-8")
    result = ParticipantResult(str(participant_id), out, daily, qc)
    log.info("%s", result.summary())
    return result


def _timed(fn: Any, *args: Any) -> tuple[float, Any]:
    """(seconds ``fn(*args)`` took, its value)."""
    t = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - t, value


def _qc(prepared: Any, model: Any, s: StudySettings, thigh_path: Any, back_path: Any,
        pid: str, epochs: pd.DataFrame) -> dict[str, Any]:
    from walkback.activity import epoch_info

    fs = prepared.fs_hz
    return {
        "participant_id": str(pid),
        "walkback_version": __version__,
        "files": {"thigh": str(thigh_path), "back": "" if back_path is None else str(back_path)},
        "timezone": s.signal.timezone,
        "timezone_source": s.source_of("signal.timezone"),
        "mode": "thigh+back" if prepared.has_back else "thigh-only",
        "model": {"name": getattr(model, "name", ""), "sha256": getattr(model, "sha256", "")},
        "epochs": epoch_info(epochs).to_dict(),
        "signal": prepared.qc,
        "wear_h": {"thigh": float(np.count_nonzero(prepared.thigh_wear) / fs / 3600),
                   "back": float(np.count_nonzero(prepared.back_wear) / fs / 3600)
                   if prepared.back_wear is not None else 0.0},
        "settings": s.to_dict(PIPELINE_STAGES),
        "settings_sources": s.sources_dict(PIPELINE_STAGES),
    }


def _trunk_qc(trunk: Any, prepared: Any, s: StudySettings) -> dict[str, Any]:
    """qc.json's ``trunk`` entry: the reference, its quality, or why there are no trunk angles."""
    if trunk is not None:
        return trunk.qc()
    why = ("no back sensor" if not prepared.has_back else "disabled in settings (walking.trunk.enabled)")
    return {"computed": False, "reason": why}


def _sleep_qc(epochs: Any, s: StudySettings) -> dict[str, Any]:
    """qc.json's ``sleep``: whether the detector ran, its movement sensors, one entry per night."""
    from walkback.activity import sleep_periods

    if "sleep" not in epochs:
        return {"detected": False, "nights": []}
    periods = sleep_periods(epochs, s.activity.sleep.night_start_h)
    return {"detected": True, "movement_sensors": s.activity.sleep.movement_sensors,
            "nights": periods.to_dict(orient="records")}


def quality_notes(signal_qc: dict[str, Any], read_warnings: dict[str, list[str]],
                  s: StudySettings, trunk_notes: Any = ()) -> list[str]:
    """Where the recording's quality reduced what the pipeline could do (for qc.json and a
    :class:`~walkback.errors.QualityWarning` each): reader warnings, a calibration that could not be
    applied, an orientation that could not be determined, a back sensor dropped for want of sync,
    and ``trunk_notes`` (:attr:`walkback.walking.TrunkAngles.notes`: no trunk reference found,
    conflicting forward evidence, a back sensor re-attached)."""
    notes = [f"{name} file: {w}" for name, ws in read_warnings.items() for w in ws]
    for sensor in ("thigh", "back"):
        q = signal_qc.get(sensor) or {}
        if not q.get("used"):
            continue
        cal = q.get("calibration") or {}
        if s.signal.calibrate and not cal.get("ok", True):
            notes.append(f"{sensor} sensor: autocalibration not applied ({cal.get('reason', '?')}); "
                         "the device's own scale is used")
        ori = q.get("orientation") or {}
        if s.signal.orientation == "auto" and "undetermined" in (ori.get("long_axis_evidence"),
                                                                 ori.get("skin_axis_evidence")):
            notes.append(f"{sensor} sensor: orientation could not be determined from the data; "
                         "axes partly as recorded")
    sync = signal_qc.get("sync") or {}
    if (signal_qc.get("back") or {}).get("present") and not sync.get("ok", False):
        notes.append(f"back sensor not used: {sync.get('error', 'could not be synchronised')}")
    notes.extend(trunk_notes)
    return notes


def _jsonable(v: Any) -> Any:
    """Plain JSON types (numpy scalars and arrays converted; NaN/inf -> None)."""
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if is_dataclass(v) and not isinstance(v, type):
        return _jsonable(to_mapping(v))
    if isinstance(v, Path):
        return str(v)
    return v
