"""SIGKILL of a whole running batch (``walkback process`` in a subprocess), then a rerun: every
participant is processed exactly once, results equal an uninterrupted run, nothing half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from _support.batch import GOOD_IDS, assert_same, light_task, snapshot
from _support.paths import subprocess_env
from walkback.batch import run_batch
from walkback.batch.worker import DONE_NAME

RESULT_FILES = {"daily.csv", "epochs.parquet", "qc.json", DONE_NAME}


def _cli(manifest: Path, out: Path, delay_s: float) -> subprocess.Popen:
    env = subprocess_env(WALKBACK_TEST_DELAY_S=str(delay_s))
    cmd = [sys.executable, "-m", "walkback.cli", "process", str(manifest), "--out", str(out),
           "--workers", "2", "--task", "_support.batch:light_task"]
    return subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finished(out: Path) -> list[str]:
    pdir = out / "participants"
    return [p.name for p in pdir.iterdir() if not p.name.startswith(".")] if pdir.is_dir() else []


def test_sigkill_midway_then_rerun_is_exactly_once(cohort_copy, reference_run):
    out = cohort_copy.parent / "reference"  # same folder name as the reference: same messages
    proc = _cli(cohort_copy, out, delay_s=0.6)
    deadline = time.monotonic() + 60
    try:
        while len(_finished(out)) < 2 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the coordinator, the forkserver and its workers
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the batch finished before it could be killed"

    # right after the kill: whatever looks finished is complete (done-record and all files)
    done_before = {}
    for pid in _finished(out):
        folder = out / "participants" / pid
        assert {p.name for p in folder.iterdir()} == RESULT_FILES, pid
        done_before[pid] = json.loads((folder / DONE_NAME).read_text())
    assert 2 <= len(done_before) < len(GOOD_IDS)
    assert not (out / "cohort_days.parquet").exists()  # the run never got to collation

    summary = run_batch(cohort_copy, out, task=light_task, workers=2, progress=False)
    assert summary.unchanged == len(done_before)  # finished work is never redone
    assert summary.processed == len(GOOD_IDS) - len(done_before)
    for pid in GOOD_IDS:
        record = json.loads((out / "participants" / pid / DONE_NAME).read_text())
        if pid in done_before:
            assert record == done_before[pid]
        else:
            assert record["run_id"] not in {r["run_id"] for r in done_before.values()}
    assert_same(snapshot(out), snapshot(reference_run[1]))  # also: no temporary items left
    assert not list(out.glob(".*.tmp"))
