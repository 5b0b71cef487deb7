"""Settings of the batch stage: where and how wide ``walkback process`` runs.

Command-line flags (``--workers``, ``--memory-per-worker-gb``, ``--scheduler``) override these,
and these override the built-in defaults (see :mod:`walkback.study_settings`).
"""

from __future__ import annotations

from dataclasses import dataclass

from walkback.errors import SettingsError

__all__ = ["BatchSettings"]


@dataclass(frozen=True)
class BatchSettings:
    """How a batch run is spread out.

    workers: local worker processes; 0 = as many as cores and memory allow.
    memory_per_worker_gb: one participant's peak memory (GB), which caps the local workers;
        0 = estimated from the largest input files.
    scheduler: address of a running Dask distributed scheduler (``tcp://host:8786``) to run on
        instead of local processes; ``""`` = local processes.
    """

    workers: int = 0
    memory_per_worker_gb: float = 0.0
    scheduler: str = ""

    def __post_init__(self) -> None:
        if self.workers < 0:
            raise SettingsError(f"workers must be >= 0 (0 = automatic), got {self.workers}")
        if self.memory_per_worker_gb < 0:
            raise SettingsError("memory_per_worker_gb must be >= 0 (0 = estimated), got "
                                f"{self.memory_per_worker_gb}")
        if self.scheduler and "://" not in self.scheduler:
            raise SettingsError(f"scheduler must be an address like tcp://host:8786, got "
                                f"{self.scheduler!r}")
