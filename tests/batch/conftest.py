"""Fixtures of the batch tests: one small cohort and one reference (uninterrupted, local) run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from batch_helpers import light_task, make_cohort

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
