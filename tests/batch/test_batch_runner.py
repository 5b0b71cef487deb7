"""The batch runner on real .cwa files in real worker processes: failures, skipping, collation."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass

import pandas as pd
import pytest

from _support.batch import (
    BAD_IDS,
    GOOD_IDS,
    T0_NS,
    LightSettings,
    assert_same,
    killer_task,
    light_task,
    snapshot,
)
from walkback.batch import run_batch
from walkback.batch.runner import EXIT_SOME_FAILED
from walkback.errors import WalkbackError


def test_failures_are_recorded_and_everyone_else_processed(reference_run):
    summary, out = reference_run
    assert (summary.total, summary.processed, summary.failed) == (9, 6, 3)
    assert summary.exit_status == EXIT_SOME_FAILED
    errors = pd.read_csv(out / "errors.csv")
    assert list(errors.columns) == ["participant_id", "stage", "error_type", "message", "time_utc"]
    got = dict(zip(errors["participant_id"], errors["stage"], strict=True))
    assert got == BAD_IDS
    kinds = dict(zip(errors["participant_id"], errors["error_type"], strict=True))
    assert kinds["neverworn"] == "InsufficientWearError"
    assert kinds["corrupt"] in ("CorruptFileError", "UnsupportedFormatError")
    assert "missing_thigh.cwa" in errors.set_index("participant_id").loc["missing", "message"]
    done = sorted(p.name for p in (out / "participants").iterdir())
    assert done == sorted(GOOD_IDS)
    for pid in GOOD_IDS:
        folder = out / "participants" / pid
        assert {p.name for p in folder.iterdir()} == {"daily.csv", "epochs.parquet", "qc.json",
                                                      "done.json"}


def test_cohort_days_and_qc_summary(reference_run):
    _, out = reference_run
    days = pd.read_parquet(out / "cohort_days.parquet")
    assert list(days["participant_id"].unique()) == list(GOOD_IDS)  # manifest order
    for pid in GOOD_IDS:
        own = pd.read_csv(out / "participants" / pid / "daily.csv")
        assert days.loc[days["participant_id"] == pid, "walking_s"].tolist() == \
            own["walking_s"].tolist()
    assert (days["wear_s"] == 1800).all()  # 30 min recordings, all worn
    qc = pd.read_csv(out / "qc_summary.csv").set_index("participant_id")
    assert len(qc) == 9
    assert (qc.loc[list(GOOD_IDS), "status"] == "ok").all()
    assert (qc.loc[list(BAD_IDS), "status"] == "failed").all()
    assert qc.loc["p00", "sync_drift_ppm"] == 1.5
    assert pd.isna(qc.loc["p01", "sync_drift_ppm"])  # thigh-only: key present but null
    assert qc.loc["p01", "flags"] == "thigh_only"
    assert qc.loc["neverworn", "error_type"] == "InsufficientWearError"
    assert (qc.loc[list(GOOD_IDS), "days"] == 1).all()
    assert (qc.loc[list(GOOD_IDS), "wear_h"] == 0.5).all()
    assert (qc.loc[list(GOOD_IDS), "thigh_wear_h"] == 0.5).all()
    assert qc.loc["p01", "mode"] == "thigh-only"
    assert qc.loc["p00", "thigh_orientation"] == "none"
    run = json.loads((out / "run.json").read_text())
    assert run["processed"] == 6 and run["failed"] == 3
    assert "p03: done" in (out / "walkback.log").read_text()


def test_manifest_time_zone_is_used(reference_run):
    _, out = reference_run
    # the devices' clocks were set in Oslo (UTC+1 in November); p02's manifest row says UTC, so its
    # wall-clock times are read as UTC: one hour later than the true time
    first = {p: int(pd.read_parquet(out / "participants" / p / "epochs.parquet")["start_ns"][0])
             for p in ("p00", "p02")}
    assert abs(first["p00"] - T0_NS) < 1e6
    assert abs(first["p02"] - T0_NS - 3600 * 10**9) < 1e6


def test_rerun_skips_unchanged_and_redoes_changed(cohort_copy):
    out = cohort_copy.parent / "out"
    first = run_batch(cohort_copy, out, task=light_task, workers=1, progress=False)
    before = {p: json.loads((out / "participants" / p / "done.json").read_text())
              for p in GOOD_IDS}
    # p00: touched (new mtime, same content) -> re-hashed, not reprocessed
    data = cohort_copy.parent / "data"
    os.utime(data / "p00_thigh.cwa", ns=(1, 10**18))
    # p03: content changed (a copy of p04's recording)
    shutil.copyfile(data / "p04_thigh.cwa", data / "p03_thigh.cwa")
    second = run_batch(cohort_copy, out, task=light_task, workers=2, progress=False)
    assert first.processed == 6
    assert (second.processed, second.unchanged, second.failed) == (1, 5, 3)
    after = {p: json.loads((out / "participants" / p / "done.json").read_text())
             for p in GOOD_IDS}
    assert after["p00"]["run_id"] == before["p00"]["run_id"]
    assert after["p00"]["inputs"]["thigh"]["mtime_ns"] == 10**18  # stat cache refreshed
    assert "verified_utc" in after["p00"]
    assert after["p03"]["run_id"] != before["p03"]["run_id"]
    assert after["p03"]["fingerprint"] != before["p03"]["fingerprint"]
    for p in ("p01", "p02", "p04", "p05"):
        assert after[p] == before[p]
    # third run: all cached (fast path), except p05 whose epochs.parquet was deleted by hand
    (out / "participants" / "p05" / "epochs.parquet").unlink()
    third = run_batch(cohort_copy, out, task=light_task, workers=2, progress=False)
    assert (third.processed, third.unchanged) == (1, 5)
    assert (out / "participants" / "p05" / "epochs.parquet").is_file()


def test_settings_change_and_force_redo_everyone(cohort_copy):
    out = cohort_copy.parent / "out"
    run_batch(cohort_copy, out, task=light_task, settings=LightSettings(), progress=False)
    walking = pd.read_parquet(out / "cohort_days.parquet")["walking_s"].sum()
    changed = run_batch(cohort_copy, out, task=light_task, settings=LightSettings(walk_sd_g=9.0),
                        progress=False)
    assert changed.processed == 6
    assert pd.read_parquet(out / "cohort_days.parquet")["walking_s"].sum() == 0 < walking
    forced = run_batch(cohort_copy, out, task=light_task, settings=LightSettings(walk_sd_g=9.0),
                       force=True, progress=False)
    assert (forced.processed, forced.unchanged) == (6, 0)


def test_participant_that_now_fails_loses_its_old_result(cohort_copy):
    out = cohort_copy.parent / "out"
    run_batch(cohort_copy, out, task=light_task, workers=1, progress=False)
    (cohort_copy.parent / "data" / "p05_thigh.cwa").write_bytes(b"not a cwa file")
    s = run_batch(cohort_copy, out, task=light_task, workers=1, progress=False)
    assert s.failed == 4
    assert not (out / "participants" / "p05").exists()
    assert "p05" not in set(pd.read_parquet(out / "cohort_days.parquet")["participant_id"])


def test_stale_temporaries_are_removed_and_results_match(cohort_copy, reference_run):
    out = cohort_copy.parent / "reference"
    pdir = out / "participants"
    (pdir / ".p00.abc123.tmp").mkdir(parents=True)
    (pdir / ".p00.abc123.tmp" / "daily.csv").write_text("half")
    (pdir / ".p01.old-999").mkdir()
    (out / ".cohort_days.parquet.x1.tmp").write_bytes(b"half")
    run_batch(cohort_copy, out, task=light_task, workers=2, progress=False)
    assert not [p for p in pdir.iterdir() if p.name.startswith(".")]
    assert not list(out.glob(".*.tmp"))
    assert_same(snapshot(out), snapshot(reference_run[1]))


@dataclass(frozen=True)
class _Boom:
    pass


def _buggy_task(thigh_path, back_path=None, *, participant_id, out_dir, timezone, settings):
    if participant_id == "p00":
        raise KeyError("a bug")
    return light_task(thigh_path, back_path, participant_id=participant_id, out_dir=out_dir,
                      timezone=timezone, settings=None)


def test_unexpected_error_is_recorded_as_a_bug(cohort_copy):
    out = cohort_copy.parent / "out"
    s = run_batch(cohort_copy, out, task=_buggy_task, workers=1, progress=False)
    assert s.bugs == 1 and s.failed == 4
    errors = pd.read_csv(out / "errors.csv").set_index("participant_id")
    assert errors.loc["p00", "error_type"] == "KeyError"
    assert "Traceback" in (out / "walkback.log").read_text()


def test_one_coordinator_per_folder(cohort_copy):
    import fcntl

    out = cohort_copy.parent / "out"
    out.mkdir()
    with (out / ".walkback.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(WalkbackError, match="another walkback process"):
            run_batch(cohort_copy, out, task=light_task, progress=False)


def test_a_participant_that_kills_its_worker_fails_alone(cohort_copy, reference_run):
    out = cohort_copy.parent / "out"
    s = run_batch(cohort_copy, out, task=killer_task, workers=2, progress=False)
    errors = pd.read_csv(out / "errors.csv").set_index("participant_id")
    assert errors.loc["p03", "stage"] == "worker"
    assert (s.processed, s.failed) == (5, 4)
    ref = reference_run[1] / "participants"
    for pid in set(GOOD_IDS) - {"p03"}:  # everyone else processed, same results
        assert (out / "participants" / pid / "daily.csv").read_bytes() == \
            (ref / pid / "daily.csv").read_bytes()
    assert not (out / "participants" / "p03").exists()
