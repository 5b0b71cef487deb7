"""Cohort-scale processing: resumable batch runs, locally or on a Dask cluster.

A thin layer over the one-participant pipeline (:func:`walkback.pipeline.process_one`):

* :func:`read_manifest` / :func:`build_manifest` — which files belong to whom;
* :func:`run_batch` — process everyone into ``out_dir/participants/<id>/`` (atomically, skipping
  participants whose inputs, settings and model are unchanged), record failures in ``errors.csv``
  and collate ``cohort_days.parquet`` and ``qc_summary.csv``.

See ``docs/cluster.md`` for running on Slurm, Kubernetes or a hand-started Dask cluster.
"""

from walkback._lazy import lazy_exports

#: Names load on first use: reading the batch settings (a study file) imports nothing heavy, and
#: :mod:`walkback.study_settings` can import :mod:`walkback.batch.settings` without a cycle.
_LAZY = {
    "BatchSettings": "settings",
    "BatchSummary": "runner",
    "Entry": "manifest",
    "build_manifest": "pattern",
    "read_manifest": "manifest",
    "run_batch": "runner",
    "validate_manifest": "manifest",
    "write_manifest": "manifest",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = sorted(_LAZY)
