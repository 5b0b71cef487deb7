"""Schema-following inputs for the report tests: a participant folder and a cohort folder.

They follow ``docs/SCHEMAS.md`` and the ``analyze`` output list of issue 2, and are built so that
the daily table is exactly the sum of the epochs (the page must show the same numbers both ways).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

TZ = "Europe/Oslo"
EPOCH_S = 5


def _schedule(hours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A plausible day: sleep lying, desk sitting, walking bouts, a run, a ride, some non-wear."""
    cls = np.full(hours.shape, "sitting", dtype=object)
    cls[(hours < 6.8) | (hours >= 23.2)] = "lying"
    standing = (hours % 1.0 > 0.75) & (hours > 7) & (hours < 22)
    cls[standing] = "standing"
    walking = ((hours % 1.0 > 0.9) & (hours > 7) & (hours < 21)) | ((hours > 12) & (hours < 12.5))
    cls[walking] = "walking"
    cls[(hours > 17.5) & (hours < 17.8)] = "running"
    cls[(hours > 8.0) & (hours < 8.3)] = "cycling"
    cls[(hours > 19.0) & (hours < 20.0)] = "non_wear"
    flip = rng.random(hours.shape) < 0.01
    cls[flip & (cls == "sitting")] = "other"
    return cls


def epochs_table(start_local: str, hours_total: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(start_local, tz=TZ)
    n = int(hours_total * 3600 / EPOCH_S)
    local = start + pd.to_timedelta(np.arange(n) * EPOCH_S, unit="s")
    hours = (local.hour + local.minute / 60 + local.second / 3600).to_numpy(float)
    cls = _schedule(hours, rng)
    walking = cls == "walking"
    pace = np.where(walking, rng.choice(["slow", "moderate", "brisk"], n, p=[.3, .5, .2]), "")
    base = {"slow": 92.0, "moderate": 108.0, "brisk": 122.0, "": 0.0}
    cadence = np.array([base[p] for p in pace]) + np.where(walking, rng.normal(0, 5, n), 0)
    cadence[cls == "running"] = 160.0
    steps = np.round(cadence * EPOCH_S / 60).astype(int)
    wear = cls != "non_wear"
    met = np.select([pace == "slow", pace == "moderate", pace == "brisk"], [2.8, 3.8, 4.8], 1.3)
    return pd.DataFrame({
        "start_ns": local.tz_convert("UTC").as_unit("ns").asi8,
        "activity": cls.astype(str), "study_class": cls.astype(str), "pace": pace,
        "confidence": rng.uniform(0.6, 1.0, n).astype("float32"), "thigh_wear": wear,
        "back_wear": wear, "cadence_spm": cadence, "met": met, "steps": steps,
        "extra_column": 1,
    })


def _trunk(row: dict, day: int) -> dict:
    """Plausible trunk exposures (s) for a fixture day: more bending on later days."""
    up = row["standing_s"] + row["walking_s"]
    out = {"trunk_upright_s": up, "trunk_sitting_s": row["sitting_s"]}
    for t, share in ((20, 0.12), (30, 0.07), (60, 0.015), (90, 0.002)):
        out[f"trunk_ge{t}_s"] = round(up * share * (1 + 0.1 * day), 1)
        out[f"trunk_fwd_ge{t}_s"] = round(up * share * 0.9 * (1 + 0.1 * day), 1)
        out[f"trunk_fwd_ge{t}_sitting_s"] = round(row["sitting_s"] * share * 0.2, 1)
    out["trunk_fwd_ge60_longest_s"] = 40.0 + day
    return out


def daily_from_epochs(ep: pd.DataFrame, pid: str) -> pd.DataFrame:
    local = pd.to_datetime(ep["start_ns"], unit="ns", utc=True).dt.tz_convert(TZ)
    ep = ep.assign(date=local.dt.strftime("%Y-%m-%d"))
    rows = []
    for i, (date, g) in enumerate(ep.groupby("date"), start=1):
        sec = g["study_class"].value_counts() * EPOCH_S
        pace = g.loc[g["study_class"] == "walking", "pace"].value_counts() * EPOCH_S
        row = {"participant_id": pid, "day": i, "date": date,
               "weekday": pd.Timestamp(date).strftime("%a")}
        for c in ("lying", "sitting", "standing", "walking", "running", "cycling", "other",
                  "non_wear"):
            row[f"{c}_s"] = float(sec.get(c, 0))
        for p in ("slow", "moderate", "brisk"):
            row[f"walk_{p}_s"] = float(pace.get(p, 0))
        row["wear_s"] = float(len(g) * EPOCH_S - row["non_wear_s"])
        row["day_length_s"] = 86400.0
        row["steps"] = int(g["steps"].sum())
        walk = g["study_class"] == "walking"
        row["cadence_walking_spm"] = float(g.loc[walk, "cadence_spm"].mean())
        row["walking_bouts"], row["longest_bout_s"] = 10, 1800.0
        row["partial_day"] = len(g) * EPOCH_S < 86400
        row["valid_study"] = all(row[f"{c}_s"] > 0 for c in ("lying", "sitting", "standing",
                                                             "walking"))
        row["valid_wear20h"] = row["wear_s"] >= 20 * 3600
        row.update(_trunk(row, i))
        rows.append(row)
    return pd.DataFrame(rows)


def write_participant(folder: Path, pid: str = "P001", start: str = "2024-03-04 10:00",
                      hours: float = 72.0, seed: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ep = epochs_table(start, hours, seed)
    ep.to_parquet(folder / "epochs.parquet", index=False)
    daily_from_epochs(ep, pid).to_csv(folder / "daily.csv", index=False)
    qc = {
        "participant_id": pid, "walkback_version": "0.1.0", "timezone": TZ,
        "sync": {"method": "cross-correlation", "offset_s": 0.42, "drift_ppm": 11.5, "ok": True},
        "calibration": {"thigh": {"calib_ok": True, "calib_error_before_mg": 21.3,
                                  "calib_error_after_mg": 2.1}},
        "orientation": {"thigh": {"flipped_upside_down": False, "inside_out": True}},
        "non_wear": {"thigh_s": 10800.0, "back_s": 10800.0},
        "model": {"name": "walkback-default", "sha256": "ab" * 32},
        "settings": {"window_s": 5, "tz": TZ, "note": "<script>alert(1)</script>"},
    }
    (folder / "qc.json").write_text(json.dumps(qc, indent=2))
    return folder


def write_process(folder: Path) -> Path:
    """qc_summary.csv and errors.csv in the layout of walkback.batch.collate (3 ok, 1 failed)."""
    folder.mkdir(parents=True, exist_ok=True)
    qc = pd.DataFrame({
        "participant_id": ["A", "B", "C", "D"], "status": ["ok", "ok", "ok", "failed"],
        "wear_days": [7, 6, 7, None], "valid_days": [6, 5, 7, None],
        "thigh_wear_h": [160.0, 140.5, 165.0, None], "sync_offset_s": [0.4, -1.2, 0.1, None],
        "thigh_orientation": ["none", "flipped", "none", None],
        "model_sha256": ["ab" * 32] * 3 + [None], "stage": [None] * 3 + ["io"],
        "error_type": [None] * 3 + ["CorruptFileError"],
        "message": [None] * 3 + ["D.cwa: block 17 <bad> checksum"],
    })
    qc.to_csv(folder / "qc_summary.csv", index=False)
    qc.loc[qc["status"] == "failed", ["participant_id", "stage", "error_type", "message"]].assign(
        time_utc="2026-01-01T00:00:00Z").to_csv(folder / "errors.csv", index=False)
    return folder
