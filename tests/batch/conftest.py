"""Fixtures of the batch tests: one small cohort and one reference (uninterrupted, local) run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _support.batch import light_task, make_cohort
from _support.paths import subprocess_env
from walkback.batch import run_batch


@pytest.fixture(scope="session")
def cohort(tmp_path_factory) -> Path:
    """Manifest of 6 good and 3 bad participants (read-only: copy before changing files)."""
    return make_cohort(tmp_path_factory.mktemp("cohort"))


@pytest.fixture(scope="session")
def reference_run(cohort, tmp_path_factory):
    """An uninterrupted local run of ``cohort`` with 2 worker processes: (summary, out_dir)."""
    out = cohort.parent / "reference"
    summary = run_batch(cohort, out, task=light_task, workers=2, progress=False)
    return summary, out


@pytest.fixture()
def cohort_copy(cohort, tmp_path) -> Path:
    """A private copy of the cohort folder; returns its manifest."""
    shutil.copytree(cohort.parent, tmp_path / "c", ignore=shutil.ignore_patterns("reference"))
    return tmp_path / "c" / "manifest.csv"


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
            p.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory):
    """Address of a scheduler with two ``--nthreads 1`` workers; everything torn down after."""
    tmp = tmp_path_factory.mktemp("dask")
    env = subprocess_env(DASK_DISTRIBUTED__WORKER__DAEMON="False")
    sched_file = tmp / "scheduler.json"
    procs = [_start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                     "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file),
                     "--idle-timeout", "300s"], tmp / "scheduler.log", env)]
    try:
        deadline = time.monotonic() + 60
        address = None
        while address is None and time.monotonic() < deadline:
            if procs[0].poll() is not None:
                pytest.fail((tmp / "scheduler.log").read_text())
            # the scheduler creates the file before it has written it: wait for whole JSON
            with contextlib.suppress(OSError, ValueError, KeyError):
                address = json.loads(sched_file.read_text())["address"]
            if address is None:
                time.sleep(0.1)
        if address is None:
            pytest.fail(f"no scheduler address in {sched_file} after 60 s:\n"
                        + (tmp / "scheduler.log").read_text())
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
