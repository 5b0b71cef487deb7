"""Cohort-scale processing: resumable batch runs, locally or on a Dask cluster.

A thin layer over the one-participant pipeline (:func:`walkback.walking.process_one`):

* :func:`read_manifest` / :func:`build_manifest` — which files belong to whom;
* :func:`run_batch` — process everyone into ``out_dir/participants/<id>/`` (atomically, skipping
  participants whose inputs, settings and model are unchanged), record failures in ``errors.csv``
  and collate ``cohort_days.parquet`` and ``qc_summary.csv``.

See ``docs/cluster.md`` for running on Slurm, Kubernetes or a hand-started Dask cluster.
"""

from walkback.batch.manifest import Entry, read_manifest, validate_manifest, write_manifest
from walkback.batch.pattern import build_manifest
from walkback.batch.runner import BatchSummary, run_batch

__all__ = [
    "BatchSummary",
    "Entry",
    "build_manifest",
    "read_manifest",
    "run_batch",
    "validate_manifest",
    "write_manifest",
]
