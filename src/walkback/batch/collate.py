"""Batch-level outputs gathered from the participants' folders after a run.

* ``cohort_days.parquet`` — every processed participant's ``daily.csv`` stacked, in manifest order
  (the long day table of ``docs/SCHEMAS.md``; the input of ``walkback analyze``).
* ``qc_summary.csv`` — one row per manifest participant: ``status`` (``ok`` or ``failed``), the
  error when failed, and quality figures read from ``qc.json`` (:data:`QC_FIELDS`). Keys a
  ``qc.json`` does not hold are left empty.
* ``errors.csv`` — one row per failed participant: ``participant_id, stage, error_type, message,
  time_utc``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from walkback._atomic import atomic_path

__all__ = ["ERROR_COLUMNS", "QC_FIELDS", "qc_row", "write_cohort_days", "write_errors",
           "write_qc_summary"]

log = logging.getLogger("walkback.batch")

ERROR_COLUMNS = ("participant_id", "stage", "error_type", "message", "time_utc")

#: qc_summary column -> dotted paths tried in order inside qc.json (first present wins).
QC_FIELDS: dict[str, tuple[str, ...]] = {
    "wear_days": ("wear_days", "summary.wear_days", "walking.wear_days", "days.wear_days"),
    "valid_days": ("valid_days", "summary.valid_days", "walking.valid_days"),
    "thigh_wear_h": ("thigh.wear_h", "thigh.nonwear.wear_h", "signal.thigh.wear_h"),
    "back_wear_h": ("back.wear_h", "back.nonwear.wear_h", "signal.back.wear_h"),
    "sync_offset_s": ("sync.offset_s", "signal.sync.offset_s"),
    "sync_drift_ppm": ("sync.drift_ppm", "signal.sync.drift_ppm"),
    "sync_ok": ("sync.ok", "signal.sync.ok"),
    "thigh_calib_error_before_mg": ("thigh.calibration.error_before_mg",
                                    "thigh.calib_error_before_mg"),
    "thigh_calib_error_after_mg": ("thigh.calibration.error_after_mg",
                                   "thigh.calib_error_after_mg"),
    "back_calib_error_after_mg": ("back.calibration.error_after_mg", "back.calib_error_after_mg"),
    "thigh_orientation": ("thigh.orientation.action", "thigh.orientation.fix",
                          "thigh.orientation"),
    "back_orientation": ("back.orientation.action", "back.orientation.fix", "back.orientation"),
    "flags": ("flags", "warnings", "summary.flags"),
    "model_sha256": ("model_sha256", "model.sha256", "activity.model_sha256"),
    "walkback_version": ("walkback_version", "version"),
}


def write_cohort_days(out_dir: Path, participants_dir: Path, ids: Sequence[str]) -> int:
    """Stack ``participants/<id>/daily.csv`` for ``ids`` into ``cohort_days.parquet``
    (atomically); returns the number of rows. With no participant the file is removed."""
    frames = []
    for pid in ids:
        path = participants_dir / pid / "daily.csv"
        try:
            df = pd.read_csv(path, dtype={"participant_id": str, "date": str, "weekday": str})
        except (OSError, ValueError) as exc:
            log.warning("%s: cannot read daily table (%s); left out of cohort_days", path, exc)
            continue
        df["participant_id"] = pid
        frames.append(df)
    target = out_dir / "cohort_days.parquet"
    if not frames:
        target.unlink(missing_ok=True)
        log.warning("no participant processed: %s not written", target)
        return 0
    days = pd.concat([f for f in frames if len(f)] or frames, ignore_index=True)
    with atomic_path(target) as tmp:
        days.to_parquet(tmp, index=False)
    return len(days)


def write_errors(out_dir: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``errors.csv`` (header only when nothing failed), atomically."""
    df = pd.DataFrame(list(rows), columns=list(ERROR_COLUMNS))
    target = out_dir / "errors.csv"
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False)
    return target


def write_qc_summary(
    out_dir: Path, participants_dir: Path, ids: Sequence[str], errors: Mapping[str, Mapping]
) -> Path:
    """Write ``qc_summary.csv``: one row per id in ``ids`` (manifest order), atomically."""
    rows = []
    for pid in ids:
        if pid in errors:
            err = errors[pid]
            rows.append({"participant_id": pid, "status": "failed", "stage": err["stage"],
                         "error_type": err["error_type"], "message": err["message"]})
            continue
        row = {"participant_id": pid, "status": "ok"}
        row.update(qc_row(participants_dir / pid / "qc.json"))
        rows.append(row)
    cols = ["participant_id", "status", *QC_FIELDS, "stage", "error_type", "message"]
    df = pd.DataFrame(rows, columns=cols)
    target = out_dir / "qc_summary.csv"
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False)
    return target


def qc_row(path: Path) -> dict[str, Any]:
    """The :data:`QC_FIELDS` of one ``qc.json`` (missing keys or file: empty values)."""
    try:
        qc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("%s: missing or unreadable; its qc_summary row has no figures", path)
        return {}
    out: dict[str, Any] = {}
    for col, paths in QC_FIELDS.items():
        for dotted in paths:
            value = _get(qc, dotted)
            if value is not None:
                out[col] = _flat(value)
                break
    return out


def _get(d: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(d, Mapping) or key not in d:
            return None
        d = d[key]
    return d


def _flat(value: Any) -> Any:
    """Scalars as they are; lists joined with ``;``; mappings as compact JSON."""
    if isinstance(value, list | tuple):
        return ";".join(str(_flat(v)) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return value
