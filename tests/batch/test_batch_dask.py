"""``--scheduler``: the same batch on a real Dask cluster (one scheduler and two single-threaded
worker processes on 127.0.0.1) gives results identical to the local run."""

from __future__ import annotations

import json

import pytest

from _support.batch import assert_same, light_task, snapshot
from walkback.batch import run_batch
from walkback.errors import WalkbackError


def test_dask_run_equals_local_run(dask_cluster, cohort_copy, reference_run):
    out = cohort_copy.parent / "reference"  # same folder name as the reference: same messages
    summary = run_batch(cohort_copy, out, task=light_task, scheduler=dask_cluster, progress=False)
    assert (summary.processed, summary.failed) == (6, 3)
    assert_same(snapshot(out), snapshot(reference_run[1]))
    hosts = {json.loads((d / "done.json").read_text())["host"]
             for d in (out / "participants").iterdir()}
    assert hosts  # written by the workers themselves
    again = run_batch(cohort_copy, out, task=light_task, scheduler=dask_cluster, progress=False)
    assert (again.processed, again.unchanged) == (0, 6)


def test_unreachable_scheduler_is_one_clear_error(cohort_copy, monkeypatch):
    monkeypatch.setattr("walkback.batch.executors.CONNECT_TIMEOUT", "1s")
    with pytest.raises(WalkbackError, match="cannot reach the Dask scheduler"):
        run_batch(cohort_copy, cohort_copy.parent / "o", task=light_task,
                  scheduler="tcp://127.0.0.1:9", progress=False)
