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

__all__ = ["DAY_FIELDS", "ERROR_COLUMNS", "QC_FIELDS", "qc_row", "read_days", "write_cohort_days",
           "write_errors", "write_qc_summary"]

log = logging.getLogger("walkback.batch")

ERROR_COLUMNS = ("participant_id", "stage", "error_type", "message", "time_utc")

#: qc_summary column -> dotted paths tried in order inside qc.json (first present wins).
QC_FIELDS: dict[str, tuple[str, ...]] = {
    "mode": ("mode",),
    "thigh_wear_h": ("wear_h.thigh", "thigh.wear_h"),
    "back_wear_h": ("wear_h.back", "back.wear_h"),
    "sync_offset_s": ("signal.sync.offset_s", "sync.offset_s"),
    "sync_drift_ppm": ("signal.sync.drift_ppm", "sync.drift_ppm"),
    "sync_quality": ("signal.sync.quality", "sync.quality"),
    "sync_ok": ("signal.sync.ok", "sync.ok"),
    "thigh_calib_error_before_mg": ("signal.thigh.calibration.error_before_mg",
                                    "thigh.calibration.error_before_mg"),
    "thigh_calib_error_after_mg": ("signal.thigh.calibration.error_after_mg",
                                   "thigh.calibration.error_after_mg"),
    "back_calib_error_after_mg": ("signal.back.calibration.error_after_mg",
                                  "back.calibration.error_after_mg"),
    "thigh_orientation": ("signal.thigh.orientation.action", "signal.thigh.orientation",
                          "thigh.orientation.action", "thigh.orientation"),
    "back_orientation": ("signal.back.orientation.action", "signal.back.orientation",
                         "back.orientation.action", "back.orientation"),
    "flags": ("flags", "signal.flags", "warnings"),
    "model_sha256": ("model.sha256", "model_sha256"),
    "walkback_version": ("walkback_version",),
}

#: qc_summary columns computed from the participant's daily table.
DAY_FIELDS = ("days", "wear_days", "valid_days", "wear_h")


def read_days(participants_dir: Path, ids: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Each participant's ``daily.csv`` (ids whose table cannot be read are logged and left out)."""
    out: dict[str, pd.DataFrame] = {}
    for pid in ids:
        path = participants_dir / pid / "daily.csv"
        try:
            df = pd.read_csv(path, dtype={"participant_id": str, "date": str, "weekday": str})
        except (OSError, ValueError) as exc:
            log.warning("%s: cannot read daily table (%s); left out of cohort_days", path, exc)
            continue
        df["participant_id"] = pid
        out[pid] = df
    return out


def write_cohort_days(out_dir: Path, days: Mapping[str, pd.DataFrame]) -> int:
    """Stack the daily tables (in the mapping's order) into ``cohort_days.parquet``
    (atomically); returns the number of rows. With no participant the file is removed."""
    target = out_dir / "cohort_days.parquet"
    frames = list(days.values())
    if not frames:
        target.unlink(missing_ok=True)
        log.warning("no participant processed: %s not written", target)
        return 0
    stacked = pd.concat([f for f in frames if len(f)] or frames, ignore_index=True)
    with atomic_path(target) as tmp:
        stacked.to_parquet(tmp, index=False)
    return len(stacked)


def write_errors(out_dir: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``errors.csv`` (header only when nothing failed), atomically."""
    df = pd.DataFrame(list(rows), columns=list(ERROR_COLUMNS))
    target = out_dir / "errors.csv"
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False)
    return target


def write_qc_summary(
    out_dir: Path,
    participants_dir: Path,
    ids: Sequence[str],
    errors: Mapping[str, Mapping[str, Any]],
    days: Mapping[str, pd.DataFrame],
) -> Path:
    """Write ``qc_summary.csv``: one row per id in ``ids`` (manifest order), atomically.

    ``days``/``wear_days``/``valid_days``/``wear_h``: calendar days in the recording, days with
    >= 20 h wear (``valid_wear20h``), days valid by the study's rule (``valid_study``), total
    hours worn; the other figures come from ``qc.json`` (:data:`QC_FIELDS`)."""
    rows = []
    for pid in ids:
        if pid in errors:
            err = errors[pid]
            rows.append({"participant_id": pid, "status": "failed", "stage": err["stage"],
                         "error_type": err["error_type"], "message": err["message"]})
            continue
        row: dict[str, Any] = {"participant_id": pid, "status": "ok"}
        if pid in days:
            row.update(_day_figures(days[pid]))
        row.update(qc_row(participants_dir / pid / "qc.json"))
        rows.append(row)
    cols = ["participant_id", "status", *DAY_FIELDS, *QC_FIELDS, "stage", "error_type", "message"]
    df = pd.DataFrame(rows, columns=cols)
    target = out_dir / "qc_summary.csv"
    with atomic_path(target) as tmp:
        df.to_csv(tmp, index=False)
    return target


def _day_figures(d: pd.DataFrame) -> dict[str, Any]:
    def count(col: str) -> Any:
        return int(d[col].fillna(False).astype(bool).sum()) if col in d else None

    wear = float(d["wear_s"].sum() / 3600) if "wear_s" in d else None
    return {"days": len(d), "wear_days": count("valid_wear20h"),
            "valid_days": count("valid_study"), "wear_h": wear}


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
