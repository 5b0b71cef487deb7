"""The batch coordinator: plan, dispatch, record, collate.

Output folder layout (``out_dir``)::

    participants/<id>/     daily.csv, epochs.parquet, qc.json, done.json  (one per participant)
    errors.csv             failed participants of the last run
    qc_summary.csv         one row per manifest participant
    cohort_days.parquet    every processed participant's days (input of ``walkback analyze``)
    run.json               what the last run did (counts, settings, versions)
    walkback.log           log of every run (appended)

Only one coordinator may work on a folder at a time (a lock file). At start, temporary folders left
by a killed run (dot-names under ``participants/``) are deleted; they never hold a finished result.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import walkback
from walkback._atomic import write_text_atomic
from walkback.batch import collate
from walkback.batch.executors import choose_workers, estimate_peak_gb, run_dask, run_local
from walkback.batch.fingerprint import FileStamp, fingerprint, settings_sha256, stamp
from walkback.batch.manifest import Entry, read_manifest
from walkback.batch.progress import Progress
from walkback.batch.worker import Job, read_done, task_name
from walkback.definitions import DEFAULT_TIMEZONE
from walkback.errors import WalkbackError
from walkback.settings import to_mapping
from walkback.study_settings import PIPELINE_STAGES, StudySettings

__all__ = ["BatchSummary", "run_batch"]

log = logging.getLogger("walkback.batch")
#: One line per finished participant: written to walkback.log only, not to the console.
plog = logging.getLogger("walkback.batch.participants")

#: Exit status of ``walkback process`` when at least one participant failed.
EXIT_SOME_FAILED = 3


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did. Counts are of manifest participants; ``workers`` is the number of
    local worker processes (0 on a Dask cluster); ``executor`` says where the work ran."""

    out_dir: Path
    total: int
    processed: int
    unchanged: int
    failed: int
    bugs: int
    workers: int
    elapsed_s: float
    errors: tuple[dict[str, Any], ...]
    executor: str = ""

    @property
    def exit_status(self) -> int:
        """0 when every participant has a result, else :data:`EXIT_SOME_FAILED`."""
        return EXIT_SOME_FAILED if self.failed else 0

    def summary(self) -> str:
        """One human-readable paragraph."""
        text = (
            f"{self.total} participant(s): {self.processed} processed, {self.unchanged} unchanged "
            f"(skipped), {self.failed} failed; {self.executor}, "
            f"{self.elapsed_s:.1f} s. Results in {self.out_dir}"
        )
        if self.failed:
            text += f"; failures listed in {self.out_dir / 'errors.csv'}"
        if self.bugs:
            text += f". {self.bugs} failure(s) were unexpected errors (bugs): see walkback.log"
        return text


def run_batch(
    manifest: str | Path | Sequence[Entry],
    out_dir: str | Path,
    *,
    task: Callable[..., Any] | None = None,
    settings: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    timezone: str | None = None,
    memory_per_worker_gb: float | None = None,
    progress: bool = True,
) -> BatchSummary:
    """Process every participant of ``manifest`` into ``out_dir`` (see module docstring).

    ``task`` is the one-participant function, called as ``task(thigh_path, back_path,
    participant_id=, out_dir=, timezone=, settings=)`` and expected to write ``daily.csv``,
    ``epochs.parquet`` and ``qc.json`` into ``out_dir``; default
    :func:`walkback.pipeline.process_one` with ``settings`` (a
    :class:`~walkback.study_settings.StudySettings`, default its defaults).

    Precedence, for every value both can set: these arguments (the command line's flags) >
    ``settings`` (the study file) > built-in defaults. The time zone of a participant is its
    manifest row's, else ``timezone``, else ``settings.signal.timezone``; ``workers``,
    ``scheduler`` and ``memory_per_worker_gb`` default to ``settings.batch``'s. Participants whose
    fingerprint is unchanged are skipped unless ``force``. ``workers`` local processes (0 / None:
    as many as cores and memory allow) or, with ``scheduler``, a Dask cluster's workers.
    ``memory_per_worker_gb``: one participant's peak memory (0 / None: estimated from the largest
    participant's input size, :func:`walkback.batch.executors.estimate_peak_gb`, at least 1.0).
    """
    t0 = time.perf_counter()
    entries = list(manifest) if not isinstance(manifest, str | Path) else read_manifest(manifest)
    out = Path(out_dir).absolute()
    pdir = out / "participants"
    pdir.mkdir(parents=True, exist_ok=True)
    task, settings = _resolve_task(task, settings)
    batch = getattr(settings, "batch", None)
    if batch is not None:  # a StudySettings: its [batch] table fills what the caller left unset
        workers = workers if workers is not None else (batch.workers or None)
        scheduler = scheduler if scheduler is not None else (batch.scheduler or None)
        if memory_per_worker_gb is None:
            memory_per_worker_gb = batch.memory_per_worker_gb or None
    default_tz, default_src = _default_zone(settings, timezone)
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
    with _lock(out), _log_file(out / "walkback.log"):
        _clean_stale(out, pdir)
        settings_map = _settings_mapping(settings)
        common = {
            "out_root": str(pdir), "task": task, "settings": settings,
            "settings_sha": settings_sha256(settings_map), "model_sha": model_sha256(settings),
            "version": walkback.__version__, "run_id": run_id, "force": force,
        }
        jobs, unchanged = _plan(entries, pdir, common, default_tz, default_src)
        if memory_per_worker_gb is None and not scheduler:
            storage = getattr(getattr(settings, "signal", None), "storage", "float16")
            memory_per_worker_gb = estimate_peak_gb(jobs, storage=storage)
        n = choose_workers(workers, len(jobs), memory_per_worker_gb or 1.0) if not scheduler else 0
        executor = f"Dask cluster {scheduler}" if scheduler else f"{n} local worker(s)"
        log.info("run %s: %d participant(s), %d unchanged, %d to process on %s", run_id,
                 len(entries), len(unchanged), len(jobs), executor)
        outcomes = run_dask(jobs, scheduler, run_id) if scheduler else run_local(jobs, n)
        counts, errors = _record(outcomes, len(jobs), out, progress)
        rows = _collate(out, pdir, [e.participant_id for e in entries], errors)
        summary = BatchSummary(
            out_dir=out, total=len(entries), processed=counts["done"],
            unchanged=len(unchanged) + counts["unchanged"], failed=len(errors),
            bugs=counts["bug"], workers=n, elapsed_s=time.perf_counter() - t0,
            errors=tuple(errors.values()), executor=executor,
        )
        recorded = (settings.to_dict() if isinstance(settings, StudySettings) else settings_map)
        _write_run_record(out, summary, run_id, recorded, common, rows, scheduler)
        log.info("%s", summary.summary())
    return summary


def _collate(out: Path, pdir: Path, ids: list[str], errors: dict[str, dict[str, Any]]) -> int:
    """Write cohort_days.parquet and qc_summary.csv; returns the number of day rows."""
    days = collate.read_days(pdir, [pid for pid in ids if pid not in errors])
    rows = collate.write_cohort_days(out, days)
    collate.write_qc_summary(out, pdir, ids, errors, days)
    return rows


def model_sha256(settings: Any) -> str:
    """Checksum of the activity model(s) a run uses: every file shipped in
    ``walkback/data/models`` plus any model file a setting names (a ``*model*`` field holding an
    existing path)."""
    h = hashlib.sha256()
    shipped = Path(walkback.__file__).parent / "data" / "models"
    files = sorted(p for p in shipped.rglob("*") if p.is_file()) if shipped.is_dir() else []
    files += [Path(p) for p in _model_paths(_settings_mapping(settings))]
    for path in files:
        h.update(path.name.encode())
        with path.open("rb") as fh:
            h.update(hashlib.file_digest(fh, "sha256").digest())
    return h.hexdigest()


def _model_paths(mapping: Any, key: str = "") -> list[str]:
    if isinstance(mapping, dict):
        return [p for k, v in mapping.items() for p in _model_paths(v, k)]
    if isinstance(mapping, str) and "model" in key and mapping and Path(mapping).is_file():
        return [mapping]
    return []


def _resolve_task(task: Callable[..., Any] | None, settings: Any) -> tuple[Callable[..., Any], Any]:
    """The task (default :func:`walkback.pipeline.process_one`) and its settings (default the
    built-in :class:`StudySettings`, as ``walkback process`` without ``--settings`` uses)."""
    settings = settings if settings is not None else StudySettings()
    if task is not None:
        return task, settings
    from walkback.pipeline import process_one

    return process_one, settings


def _default_zone(settings: Any, timezone: str | None) -> tuple[str, str]:
    """The zone for manifest rows that name none, and where it came from."""
    if timezone:
        return timezone, "command line --tz"
    if isinstance(settings, StudySettings):
        return settings.signal.timezone, settings.source_of("signal.timezone")
    return DEFAULT_TIMEZONE, "default"


def _settings_mapping(settings: Any) -> Any:
    """What a run's results depend on: the pipeline stages of a StudySettings (so a change of the
    [cohort] or [batch] table reprocesses no one), any other dataclass whole."""
    if isinstance(settings, StudySettings):
        return settings.to_dict(PIPELINE_STAGES)
    if dataclasses.is_dataclass(settings):
        return to_mapping(settings)
    return settings


def _sources(settings: Any) -> dict[str, str]:
    return settings.sources_dict() if isinstance(settings, StudySettings) else {}


def _row_settings(settings: Any, tz: str, source: str) -> Any:
    """``settings`` with the participant's zone (recorded with its source) for a StudySettings."""
    if isinstance(settings, StudySettings) and (settings.signal.timezone != tz
                                                or settings.source_of("signal.timezone") != source):
        return settings.with_values({"signal.timezone": tz}, source)
    return settings


def _plan(
    entries: Sequence[Entry], pdir: Path, common: dict[str, Any], default_tz: str,
    default_src: str,
) -> tuple[list[Job], list[str]]:
    """Jobs to dispatch, and ids skipped because their cached fingerprint still matches."""
    jobs: list[Job] = []
    unchanged: list[str] = []
    for e in entries:
        tz, src = (e.timezone, "manifest row") if e.timezone else (default_tz, default_src)
        prev = read_done(pdir / e.participant_id)
        if prev is not None and not common["force"] and _still_valid(prev, e, tz, common):
            unchanged.append(e.participant_id)
            continue
        job_common = {**common, "settings": _row_settings(common["settings"], tz, src)}
        jobs.append(Job(participant_id=e.participant_id, thigh_path=e.thigh_path,
                        back_path=e.back_path, timezone=tz, previous=prev, **job_common))
    return jobs, unchanged


def _still_valid(prev: dict[str, Any], e: Entry, tz: str, common: dict[str, Any]) -> bool:
    """Fast path: every input's path, size, mtime and inode match the done-record, so its cached
    content hashes stand in for re-reading the files; then the fingerprint must match."""
    try:
        hashes = {}
        for label, path in (("thigh", e.thigh_path), ("back", e.back_path)):
            cached = prev["inputs"].get(label)
            if not path:
                if cached is not None:
                    return False
                hashes[label] = ""
                continue
            if cached is None or not stamp(path).same_file(FileStamp.from_dict(cached)):
                return False
            hashes[label] = cached["sha256"]
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return False
    folder = Path(common["out_root"]) / e.participant_id
    if not all((folder / name).is_file() for name in prev.get("outputs", [])):
        return False  # a result file was deleted by hand: redo
    fp = fingerprint(thigh_sha256=hashes["thigh"], back_sha256=hashes["back"],
                     settings_sha=common["settings_sha"], model_sha=common["model_sha"],
                     timezone=tz, version=common["version"], task_name=task_name(common["task"]))
    return prev.get("fingerprint") == fp


def _record(
    outcomes: Iterator[dict[str, Any]], n_jobs: int, out: Path, show: bool
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    """Consume outcomes as they arrive: log, progress, and keep errors.csv current."""
    counts = {"done": 0, "unchanged": 0, "failed": 0, "bug": 0}
    errors: dict[str, dict[str, Any]] = {}
    bar = Progress(n_jobs, enabled=show)
    collate.write_errors(out, [])
    for res in outcomes:
        pid, status = res["participant_id"], res["status"]
        counts[status] += 1
        if status in ("failed", "bug"):
            err = res["error"]
            errors[pid] = {"participant_id": pid, "stage": err["stage"], "error_type": err["type"],
                           "message": err["message"],
                           "time_utc": datetime.now(UTC).isoformat(timespec="seconds")}
            if status == "bug":
                log.error("%s: unexpected error (a bug, please report):\n%s", pid,
                          err.get("traceback", ""))
            else:
                log.warning("%s: failed at %s: %s: %s", pid, err["stage"], err["type"],
                            err["message"])
            collate.write_errors(out, errors.values())
        else:
            plog.info("%s: %s in %.1f s", pid, status, res.get("duration_s", float("nan")))
        bar.update(failed=status in ("failed", "bug"))
    bar.close()
    return counts, errors


def _write_run_record(out: Path, s: BatchSummary, run_id: str, settings_map: Any,
                      common: dict[str, Any], rows: int, scheduler: str | None) -> None:
    record = {
        "run_id": run_id, "finished_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "walkback_version": common["version"], "task": task_name(common["task"]),
        "settings": settings_map, "settings_sources": _sources(common["settings"]),
        "settings_sha256": common["settings_sha"],
        "model_sha256": common["model_sha"], "scheduler": scheduler or "local",
        "workers": s.workers, "total": s.total, "processed": s.processed,
        "unchanged": s.unchanged, "failed": s.failed, "cohort_days_rows": rows,
        "elapsed_s": round(s.elapsed_s, 3), "force": common["force"],
    }
    write_text_atomic(out / "run.json", json.dumps(record, indent=1, default=str))


def _clean_stale(out: Path, pdir: Path) -> None:
    """Delete temporary files and folders a killed run left (dot-names; never results)."""
    stale = [p for p in pdir.iterdir() if p.name.startswith(".")]
    stale += [p for p in out.glob(".*.tmp")]
    for p in stale:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    if stale:
        log.info("removed %d temporary item(s) left by an interrupted run", len(stale))


@contextlib.contextmanager
def _lock(out: Path) -> Iterator[None]:
    fh = (out / ".walkback.lock").open("a")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WalkbackError(f"{out}: another walkback process is running on this folder") from exc
        yield
    finally:
        fh.close()


@contextlib.contextmanager
def _log_file(path: Path) -> Iterator[None]:
    """Log INFO and above of ``walkback`` to ``path`` for the duration of the run (appended)."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root = logging.getLogger("walkback")
    old_level = root.level
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    root.addHandler(handler)
    plog.addHandler(handler)
    plog.propagate = False
    try:
        yield
    finally:
        plog.propagate = True
        plog.removeHandler(handler)
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
