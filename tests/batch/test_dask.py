"""``--scheduler``: the same batch on a real Dask cluster (one scheduler and two single-threaded
worker processes on 127.0.0.1) gives results identical to the local run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batch_helpers import assert_same, light_task, snapshot

from walkback.batch import run_batch
from walkback.errors import WalkbackError

HERE = Path(__file__).resolve().parent


def _start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    with log.open("w") as fh:
        return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """Address of a scheduler with two ``--nthreads 1`` workers; everything torn down after."""
    tmp = tmp_path_factory.mktemp("dask")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
               DASK_DISTRIBUTED__WORKER__DAEMON="False")
    sched_file = tmp / "scheduler.json"
    procs = [_start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                     "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file),
                     "--idle-timeout", "300s"], tmp / "scheduler.log", env)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            if procs[0].poll() is not None:
                pytest.fail((tmp / "scheduler.log").read_text())
            time.sleep(0.1)
        address = json.loads(sched_file.read_text())["address"]
        for i in range(2):
            procs.append(_start(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}",
                 "--death-timeout", "60", "--memory-limit", "0"], tmp / f"worker{i}.log", env))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address
    finally:
        _stop(procs[::-1])


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
