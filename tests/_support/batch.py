"""Test helpers for the batch runner: small real .cwa cohorts and a light one-participant task.

``light_task`` has the signature of :func:`walkback.pipeline.process_one` and writes the same three
files (``daily.csv``, ``epochs.parquet``, ``qc.json``) from the real ``.cwa`` inputs via
:func:`walkback.io.read`, with a crude rule-based classifier, so the runner's mechanics (atomic
commit, skipping, failures, collation, Dask) can be tested in seconds. ``WALKBACK_TEST_DELAY_S``
adds a pause per participant (to kill a batch midway).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from walkback._atomic import atomic_path, write_text_atomic
from walkback.errors import InsufficientWearError, SyncError
from walkback.io import read, write_cwa

RATE_HZ = 25.0
EPOCH_S = 5.0
T0_NS = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC


@dataclass(frozen=True)
class LightSettings:
    """Settings of ``light_task``: walking threshold on the epoch SD of the thigh x axis."""

    walk_sd_g: float = 0.15


def light_task(thigh_path, back_path=None, *, participant_id, out_dir, timezone="Europe/Oslo",
               settings=None):
    # the CLI hands every task the run's StudySettings; light_task has its own
    settings = settings if isinstance(settings, LightSettings) else LightSettings()
    thigh = read(thigh_path, timezone=timezone)
    back = read(back_path, timezone=timezone) if back_path else None
    if back is not None and (back.time_ns[0] > thigh.time_ns[-1] or
                             back.time_ns[-1] < thigh.time_ns[0]):
        raise SyncError(f"{back_path}: no time overlap with {thigh_path}")
    per = int(round(EPOCH_S * RATE_HZ))
    n_ep = thigh.n // per
    acc = np.asarray(thigh.accel_g[: n_ep * per], dtype=np.float64).reshape(n_ep, per, 3)
    sd = acc[:, :, 0].std(axis=1)
    mean_x = acc[:, :, 0].mean(axis=1)
    worn = acc.std(axis=1).max(axis=1) > 0.005
    if not worn.any():
        raise InsufficientWearError(f"{thigh_path}: the thigh sensor was never worn")
    activity = np.where(~worn, "non_wear", np.where(sd > settings.walk_sd_g, "walking",
                        np.where(mean_x > 0.7, "standing", "sitting")))
    start_ns = thigh.time_ns[: n_ep * per : per]
    epochs = pd.DataFrame({
        "start_ns": start_ns.astype(np.int64), "activity": activity, "study_class": activity,
        "pace": np.where(activity == "walking", "moderate", ""),
        "confidence": np.ones(n_ep, np.float32), "thigh_wear": worn,
        "back_wear": np.full(n_ep, back is not None), "cadence_spm": np.where(
            activity == "walking", 105.0, np.nan), "met": np.where(activity == "walking", 3.8, 1.3),
        "steps": np.where(activity == "walking", 9, 0),
    })
    daily = _daily(epochs, participant_id, timezone)
    delay = float(os.environ.get("WALKBACK_TEST_DELAY_S", "0"))
    if delay:
        time.sleep(delay)
    out_dir = Path(out_dir)
    with atomic_path(out_dir / "epochs.parquet") as tmp:
        epochs.to_parquet(tmp, index=False)
    with atomic_path(out_dir / "daily.csv") as tmp:
        daily.to_csv(tmp, index=False)
    qc = {"participant_id": participant_id, "mode": "thigh+back" if back else "thigh-only",
          "wear_h": {"thigh": float(worn.sum() * EPOCH_S / 3600)},
          "signal": {"sync": {"offset_s": 0.0, "drift_ppm": 1.5 if back is not None else None},
                     "thigh": {"calibration": {"error_after_mg": 3.0},
                               "orientation": {"action": "none"}}},
          "flags": [] if back is not None else ["thigh_only"]}
    write_text_atomic(out_dir / "qc.json", json.dumps(qc, sort_keys=True))
    return daily


def _daily(epochs: pd.DataFrame, pid: str, tz: str) -> pd.DataFrame:
    local = pd.to_datetime(epochs["start_ns"], utc=True).dt.tz_convert(tz)
    date = local.dt.strftime("%Y-%m-%d")
    rows = []
    for i, (d, g) in enumerate(epochs.groupby(date, sort=True)):
        sec = g["activity"].value_counts() * EPOCH_S
        walk = float(sec.get("walking", 0.0))
        wear = float(len(g) * EPOCH_S - sec.get("non_wear", 0.0))
        rows.append({
            "participant_id": pid, "day": i + 1, "date": d,
            "weekday": pd.Timestamp(d).strftime("%a"), "lying_s": 0.0,
            "sitting_s": float(sec.get("sitting", 0.0)),
            "standing_s": float(sec.get("standing", 0.0)), "walk_slow_s": 0.0,
            "walk_moderate_s": walk, "walk_brisk_s": 0.0, "walking_s": walk, "running_s": 0.0,
            "cycling_s": 0.0, "other_s": 0.0, "non_wear_s": float(sec.get("non_wear", 0.0)),
            "wear_s": wear, "day_length_s": 86400.0, "steps": int(g["steps"].sum()),
            "cadence_walking_spm": 105.0 if walk else np.nan, "walking_bouts": 0,
            "longest_bout_s": 0.0, "partial_day": True, "valid_study": False,
            "valid_wear20h": wear >= 72000,
        })
    return pd.DataFrame(rows)


def write_participant(folder: Path, pid: str, *, seed: int, hours: float = 0.5,
                      back: bool = True, worn: bool = True) -> tuple[Path, Path | None]:
    """Write ``<pid>_thigh.cwa`` (and ``<pid>_back.cwa``) with sitting, standing and walking."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    acc = np.zeros((n, 3))
    if worn:
        state = np.repeat(rng.integers(0, 3, size=n // 1500 + 1), 1500)[:n]
        acc[:, 0] = np.where(state == 0, 0.1, 1.0)
        acc[:, 2] = np.where(state == 0, 1.0, 0.1)
        walking = state == 2
        acc[walking, 0] += 0.4 * np.sin(2 * np.pi * 0.9 * t[walking])
        acc += rng.normal(0, 0.02, size=acc.shape)
    else:
        acc[:, 2] = -1.0  # lying still on a table: constant
    thigh = write_cwa(folder / f"{pid}_thigh.cwa", acc, start_ns=T0_NS, rate_hz=RATE_HZ,
                      device_id=1000 + seed)
    if not back:
        return thigh, None
    back_acc = acc[:, [0, 1, 2]] * 0.5 + np.array([0.5, 0.0, 0.0])
    back_path = write_cwa(folder / f"{pid}_back.cwa", back_acc, start_ns=T0_NS, rate_hz=RATE_HZ,
                          device_id=2000 + seed)
    return thigh, back_path


GOOD_IDS = ("p00", "p01", "p02", "p03", "p04", "p05")
BAD_IDS = {"corrupt": "read", "missing": "input", "neverworn": "pipeline"}


def make_cohort(folder: Path, n_good: int = len(GOOD_IDS), with_bad: bool = True) -> Path:
    """Write a small cohort under ``folder/data`` and its manifest ``folder/manifest.csv``.

    Good participants p00..: 30 min of thigh + back data (p01 thigh-only, p02 in UTC); bad ones:
    ``corrupt`` (valid header, zeroed data blocks), ``missing`` (thigh file absent),
    ``neverworn`` (a thigh sensor that lay still on a table)."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, pid in enumerate(GOOD_IDS[:n_good]):
        thigh, back = write_participant(data, pid, seed=i, back=pid != "p01")
        rows.append((pid, f"data/{thigh.name}", f"data/{back.name}" if back else "",
                     "UTC" if pid == "p02" else ""))
    if with_bad:
        thigh, back = write_participant(data, "corrupt", seed=90)
        raw = bytearray(thigh.read_bytes())
        raw[1024:] = bytes(len(raw) - 1024)
        thigh.write_bytes(bytes(raw))
        rows.append(("corrupt", f"data/{thigh.name}", f"data/{back.name}", ""))
        rows.append(("missing", "data/missing_thigh.cwa", "", ""))
        thigh, _ = write_participant(data, "neverworn", seed=91, back=False, worn=False)
        rows.append(("neverworn", f"data/{thigh.name}", "", ""))
    manifest = folder / "manifest.csv"
    pd.DataFrame(rows, columns=["participant_id", "thigh_path", "back_path", "timezone"]).to_csv(
        manifest, index=False)
    return manifest


def snapshot(out: Path, root: Path | None = None) -> dict:
    """Everything a run produced that must not depend on how it ran: per participant the three
    result files (content), the stacked cohort days, qc_summary and errors.csv without times.
    ``root`` (default: the cohort folder, ``out``'s parent) is replaced by ``<root>`` in messages."""
    root = root or out.parent
    snap: dict = {"participants": {}}
    for d in sorted((out / "participants").iterdir()):
        assert not d.name.startswith("."), f"temporary item left: {d}"
        snap["participants"][d.name] = {
            "daily": (d / "daily.csv").read_bytes(),
            "epochs": pd.read_parquet(d / "epochs.parquet"),
            "qc": json.loads((d / "qc.json").read_text()),
            "fingerprint": json.loads((d / "done.json").read_text())["fingerprint"],
        }
    snap["cohort_days"] = pd.read_parquet(out / "cohort_days.parquet")
    snap["qc_summary"] = pd.read_csv(out / "qc_summary.csv")
    snap["errors"] = pd.read_csv(out / "errors.csv").drop(columns="time_utc").sort_values(
        "participant_id", ignore_index=True)
    for key in ("qc_summary", "errors"):
        snap[key]["message"] = snap[key]["message"].str.replace(str(root), "<root>")
    return snap


def assert_same(a: dict, b: dict) -> None:
    assert a["participants"].keys() == b["participants"].keys()
    for pid, ra in a["participants"].items():
        rb = b["participants"][pid]
        assert ra["daily"] == rb["daily"], pid
        pd.testing.assert_frame_equal(ra["epochs"], rb["epochs"])
        assert ra["qc"] == rb["qc"], pid
        assert ra["fingerprint"] == rb["fingerprint"], pid
    pd.testing.assert_frame_equal(a["cohort_days"], b["cohort_days"])
    pd.testing.assert_frame_equal(a["qc_summary"], b["qc_summary"])
    pd.testing.assert_frame_equal(a["errors"], b["errors"])


def killer_task(thigh_path, back_path=None, *, participant_id, out_dir, timezone="Europe/Oslo",
                settings=None):
    """``light_task``, except that participant p03 kills its own worker process (as the kernel's
    out-of-memory killer would)."""
    if participant_id == "p03":
        os.kill(os.getpid(), 9)
    return light_task(thigh_path, back_path, participant_id=participant_id, out_dir=out_dir,
                      timezone=timezone, settings=settings)
