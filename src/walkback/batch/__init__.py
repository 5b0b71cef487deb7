"""Cohort-scale processing: resumable batch runs, locally or on a Dask cluster.

A thin layer over the one-participant pipeline (:func:`walkback.pipeline.process_one`):

* :func:`read_manifest` / :func:`build_manifest` — which files belong to whom;
* :func:`run_batch` — process everyone into ``out_dir/participants/<id>/`` (atomically, skipping
  participants whose inputs, settings and model are unchanged), record failures in ``errors.csv``
  and collate ``cohort_days.parquet`` and ``qc_summary.csv``.

See ``docs/cluster.md`` for running on Slurm, Kubernetes or a hand-started Dask cluster.
"""

import importlib

#: Names load on first use: reading the batch settings (a study file) imports nothing heavy, and
#: :mod:`walkback.study_settings` can import :mod:`walkback.batch.settings` without a cycle.
_LAZY = {
    "BatchSettings": "walkback.batch.settings",
    "BatchSummary": "walkback.batch.runner",
    "Entry": "walkback.batch.manifest",
    "build_manifest": "walkback.batch.pattern",
    "read_manifest": "walkback.batch.manifest",
    "run_batch": "walkback.batch.runner",
    "validate_manifest": "walkback.batch.manifest",
    "write_manifest": "walkback.batch.manifest",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'walkback.batch' has no attribute {name!r}")


__all__ = sorted(_LAZY)
