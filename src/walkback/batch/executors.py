"""Where jobs run: local worker processes (default) or a running Dask distributed cluster.

Both yield the outcome dicts of :func:`walkback.batch.worker.run_job` as jobs finish, in any
order. Workers write the results themselves; nothing large travels back.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import psutil

from walkback.batch.worker import Job, run_job
from walkback.errors import WalkbackError
from walkback.io import sniff

__all__ = ["choose_workers", "estimate_peak_gb", "run_dask", "run_local"]

log = logging.getLogger("walkback.batch")

#: How long to try reaching a Dask scheduler before giving up.
CONNECT_TIMEOUT = "30s"

#: Thread-pool sizes set to 1 for local worker processes unless the user set them.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "WALKBACK_THREADS",
                "NUMBA_NUM_THREADS")


def available_cores() -> int:
    """Cores this process may run on (CPU affinity / cgroup-aware where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


#: Peak memory of one participant ~= BASE_GB + GB_PER_INPUT_GB x (thigh + back file size), with
#: ~20 % margin over ``walkback process-one`` on simulated AX3 100 Hz pairs, whose .cwa files are
#: streamed, with the default float16 signal storage (2026-12-08): 7 days (2 x 258 MB) peaked at
#: 0.90 GiB, 1 day (2 x 37 MB) at 0.48 GiB. float32 storage ([signal] storage) holds 346 MB more
#: per sensor-week (7 days peaked at 1.33 GiB): FLOAT32_GB_PER_INPUT_GB. Other formats are read
#: whole before preparing, so they get WHOLE_GB_PER_INPUT_GB (measured when .cwa files were still
#: read whole: 7 days peaked at 3.5 GB). benchmarks/bench_participant.py prints the current figure.
BASE_GB = 0.5
GB_PER_INPUT_GB = 1.25
FLOAT32_GB_PER_INPUT_GB = 2.4
WHOLE_GB_PER_INPUT_GB = 8.0


def estimate_peak_gb(jobs: Sequence[Job], floor_gb: float = 1.0, storage: str = "float16"
                     ) -> float:
    """Estimated peak memory (GiB) of the largest participant among ``jobs`` (at least
    ``floor_gb``); ``storage`` is the signal stage's (``PrepareSettings.storage``)."""
    streamed_gb = GB_PER_INPUT_GB if storage == "float16" else FLOAT32_GB_PER_INPUT_GB
    largest = 0.0
    for job in jobs:
        size = 0.0
        for path in (job.thigh_path, job.back_path):
            if path:
                try:
                    streamed = sniff(path) == "axivity-cwa"
                except WalkbackError:
                    streamed = False  # unreadable: the run will say so; budget conservatively
                per_gb = streamed_gb if streamed else WHOLE_GB_PER_INPUT_GB
                with contextlib.suppress(OSError):
                    size += per_gb * os.stat(path).st_size / 2**30
        largest = max(largest, size)
    return max(floor_gb, BASE_GB + largest)


def choose_workers(requested: int | None, n_jobs: int, memory_per_worker_gb: float) -> int:
    """Worker processes to start: the request (default: all cores), but never more than the cores,
    than available memory / ``memory_per_worker_gb``, or than the jobs; at least one."""
    cores = available_cores()
    avail_gb = psutil.virtual_memory().available / 2**30
    by_memory = max(1, int(avail_gb // memory_per_worker_gb)) if memory_per_worker_gb > 0 else cores
    want = requested if requested else cores
    allowed = max(1, min(want, cores, by_memory))
    n = min(allowed, max(n_jobs, 1))
    if requested and allowed < requested:
        log.warning(
            "using %d worker(s), not %d: %d core(s), %.1f GB available memory at %.1f GB per "
            "participant",
            allowed, requested, cores, avail_gb, memory_per_worker_gb,
        )
    return n


def run_local(jobs: Sequence[Job], workers: int) -> Iterator[dict[str, Any]]:
    """Run ``jobs`` in ``workers`` processes (forkserver start; each process is replaced after 20
    participants so memory returns to the OS).

    At most ``2 x workers`` participants are queued at a time. If a worker process dies (killed
    for memory, crashed), the pool is restarted and the participants that were queued are
    retried; one caught in a second crash is then run alone, and recorded as a failure of stage
    ``worker`` if its process dies again. So one participant that kills its worker costs the
    others nothing but a retry.
    """
    # one thread per worker process: BLAS/OpenMP pools would only compete for the cores. Set
    # before the forkserver starts (it, and every worker forked from it, keeps this environment)
    for var in _THREAD_VARS:
        os.environ.setdefault(var, "1")
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    queue: deque[Job] = deque(jobs)
    crashes: Counter[str] = Counter()
    while queue:
        alone = crashes[queue[0].participant_id] >= 2
        n = 1 if alone else workers
        broken: list[Job] = []
        yield from _pool_round(queue, ctx, n, 1 if alone else 2 * n, broken)
        for job in reversed(broken):
            crashes[job.participant_id] += 1
            if alone and crashes[job.participant_id] >= 3:
                log.warning("%s: its worker process died 3 times; recorded as failed",
                            job.participant_id)
                yield _worker_died(job, "the worker process died 3 times (out of memory?)")
            else:
                queue.appendleft(job)
        if broken:
            log.warning("a worker process died; retrying %d participant(s) that were queued",
                        len(broken))


def _pool_round(queue: deque[Job], ctx: Any, workers: int, depth: int,
                broken: list[Job]) -> Iterator[dict[str, Any]]:
    """Feed ``queue`` to one pool until it is empty or the pool breaks; the jobs lost in a break
    are appended to ``broken``. With ``depth`` 1 only one job runs (isolation)."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, max_tasks_per_child=20)
    inflight: dict[Any, Job] = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < depth and not broken:
                job = queue.popleft()
                inflight[pool.submit(run_job, job)] = job
                if depth == 1:
                    break
            if not inflight:
                return
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            for fut in done:
                job = inflight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    broken.append(job)
            if broken:  # the pool is dead: collect what finished, the rest is lost with it
                for fut, job in list(inflight.items()):
                    try:
                        yield fut.result()
                    except BrokenProcessPool:
                        broken.append(job)
                inflight.clear()
                return
            if depth == 1 and not inflight:
                return
    finally:
        # on Ctrl-C or an error: drop queued participants at once (running ones finish and
        # commit atomically, or are killed with the process group and redone next time)
        pool.shutdown(wait=True, cancel_futures=True)


def run_dask(jobs: Sequence[Job], address: str, run_id: str) -> Iterator[dict[str, Any]]:
    """Run ``jobs`` on the Dask cluster at ``address`` (e.g. ``tcp://10.0.0.1:8786``).

    The workers must have the same walkback version installed and see the input and output paths
    under the same names. A job whose worker died repeatedly (Dask's ``KilledWorker``) is
    reported as a failure of stage ``worker``.
    """
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise WalkbackError("--scheduler needs dask[distributed] installed") from exc
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except OSError as exc:
        raise WalkbackError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        _check_worker_versions(client)
        futures = {
            client.submit(run_job, job, key=f"walkback-{run_id}-{i}", pure=False): job
            for i, job in enumerate(jobs)
        }
        for fut in as_completed(list(futures), loop=client.loop):
            job = futures.pop(fut)
            try:
                yield fut.result()
            except Exception as exc:  # KilledWorker, communication failures
                yield _worker_died(job, f"{type(exc).__name__}: {exc}")
            fut.release()


def _check_worker_versions(client: Any) -> None:
    import walkback

    versions = client.run(_walkback_version)
    if not versions:
        log.warning("the Dask cluster has no workers yet; tasks wait until workers join")
    bad = {w: v for w, v in versions.items() if v != walkback.__version__}
    if bad:
        raise WalkbackError(
            f"Dask workers run another walkback version than this process "
            f"({walkback.__version__}): {bad}; install the same version on every worker"
        )


def _walkback_version() -> str:
    import walkback

    return walkback.__version__


def _worker_died(job: Job, message: str) -> dict[str, Any]:
    return {
        "participant_id": job.participant_id,
        "status": "failed",
        "error": {"stage": "worker", "type": "WorkerDied", "message": message},
        "duration_s": float("nan"),
    }
