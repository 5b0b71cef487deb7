"""The one-participant pipeline: raw thigh (+ back) files -> daily table, epoch timeline, QC.

:func:`process_one` is what the batch runner calls for each participant. It streams the files
(:func:`walkback.io.open_stream`) into :func:`walkback.signal.prepare` (calibration, orientation,
sync, non-wear, 50 Hz grid), classifies (:func:`walkback.activity.classify`), measures walking
(:mod:`walkback.walking`) and writes ``daily.csv``, ``epochs.parquet`` and ``qc.json`` into
``out_dir`` as one atomic directory (a failure leaves any previous ``out_dir`` untouched).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from walkback import __version__
from walkback._atomic import atomic_dir
from walkback.activity.settings import ActivitySettings
from walkback.errors import InsufficientWearError
from walkback.settings import to_mapping
from walkback.signal.settings import PrepareSettings
from walkback.walking.settings import WalkingSettings

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PipelineSettings:
    """Settings of every stage of :func:`process_one` (JSON-able via ``walkback.settings.to_mapping``).

    ``signal.timezone`` is replaced by :func:`process_one`'s ``timezone`` argument; ``model_path``
    is a model file for :func:`walkback.activity.load_model` ("" = the shipped model).
    """

    signal: PrepareSettings = field(default_factory=PrepareSettings)
    activity: ActivitySettings = field(default_factory=ActivitySettings)
    walking: WalkingSettings = field(default_factory=WalkingSettings)
    model_path: str = ""


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
    timezone: str = "Europe/Oslo",
    settings: PipelineSettings | None = None,
) -> ParticipantResult:
    """Process one participant's files into ``out_dir`` (``daily.csv``, ``epochs.parquet``, ``qc.json``).

    Raises :class:`~walkback.errors.ReadError` (unreadable / corrupt file),
    :class:`~walkback.errors.SyncError` (the sensors cannot be synchronised),
    :class:`~walkback.errors.InsufficientWearError` (the thigh sensor was never worn).
    """
    from walkback import io, signal

    s = settings or PipelineSettings()
    t0 = time.perf_counter()
    # streams: the raw week is decoded an hour at a time straight onto the 50 Hz grid
    thigh = io.open_stream(thigh_path, timezone=timezone)
    back = io.open_stream(back_path, timezone=timezone) if back_path is not None else None
    t_read = time.perf_counter()
    prepared = _prepare(signal, thigh, back, s, timezone)
    del thigh, back
    if not np.any(prepared.thigh_wear):
        raise InsufficientWearError(f"{thigh_path}: the thigh sensor was never worn (no wear time at all)")
    t_prep = time.perf_counter()
    from walkback import activity  # stage imports where they are needed: start-up stays short

    model = activity.load_model(s.model_path) if s.model_path else activity.load_default_model()
    epochs = activity.classify(prepared, model, s.activity)
    t_cls = time.perf_counter()
    from walkback.walking.daily import daily_table
    from walkback.walking.measure import measure_prepared

    measured = measure_prepared(prepared, epochs, s.walking)
    daily = daily_table(measured, prepared.days, participant_id, thigh_only=not prepared.has_back,
                        settings=s.walking)
    qc = _qc(prepared, model, s, thigh_path, back_path, participant_id, timezone)
    qc["timing_s"] = {"open": t_read - t0, "read_and_prepare": t_prep - t_read, "classify": t_cls - t_prep,
                      "walking": time.perf_counter() - t_cls}
    out = Path(out_dir)
    with atomic_dir(out) as tmp:
        daily.to_csv(tmp / "daily.csv", index=False)
        measured.to_parquet(tmp / "epochs.parquet", index=False)
        (tmp / "qc.json").write_text(json.dumps(_jsonable(qc), indent=2, allow_nan=False), encoding="utf-8")
    result = ParticipantResult(str(participant_id), out, daily, qc)
    log.info("%s", result.summary())
    return result


def _prepare(signal: Any, thigh: Any, back: Any, s: PipelineSettings, timezone: str) -> Any:
    return signal.prepare(thigh, back, dataclasses.replace(s.signal, timezone=timezone))


def _qc(prepared: Any, model: Any, s: PipelineSettings, thigh_path: Any, back_path: Any,
        pid: str, timezone: str) -> dict[str, Any]:
    fs = prepared.fs_hz
    return {
        "participant_id": str(pid),
        "walkback_version": __version__,
        "files": {"thigh": str(thigh_path), "back": "" if back_path is None else str(back_path)},
        "timezone": timezone,
        "mode": "thigh+back" if prepared.has_back else "thigh-only",
        "model": {"name": getattr(model, "name", ""), "sha256": getattr(model, "sha256", "")},
        "signal": prepared.qc,
        "wear_h": {"thigh": float(np.count_nonzero(prepared.thigh_wear) / fs / 3600),
                   "back": float(np.count_nonzero(prepared.back_wear) / fs / 3600)
                   if prepared.back_wear is not None else 0.0},
        "settings": {"signal": to_mapping(dataclasses.replace(s.signal, timezone=timezone)),
                     "activity": to_mapping(s.activity), "walking": to_mapping(s.walking),
                     "model_path": s.model_path},
    }


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
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _jsonable(to_mapping(v))
    if isinstance(v, Path):
        return str(v)
    return v


def load_pipeline_settings(path: str | Path) -> PipelineSettings:
    """:class:`PipelineSettings` from a TOML file (tables ``[signal]``, ``[activity]``, ``[walking]``
    and the key ``model_path``; unknown keys rejected)."""
    from walkback.settings import from_mapping, load_toml

    return from_mapping(PipelineSettings, load_toml(path), where=str(path))
