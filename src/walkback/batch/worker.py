"""What runs on a worker for one participant: hash, (re)process, commit atomically.

:func:`run_job` is the only function sent to workers (local processes or Dask workers). It writes
the participant's results itself and returns a small JSON-able outcome; the coordinator only
records it. Commit protocol, which makes a batch crash-safe:

1. the task writes ``daily.csv``, ``epochs.parquet`` and ``qc.json`` into a temporary folder
   ``participants/.<id>.<random>.tmp`` beside the final one;
2. the done-record ``done.json`` (fingerprint, input stamps, timings) is written into it last;
3. the folder is renamed onto ``participants/<id>`` (a previous result is renamed aside first and
   deleted after).

A participant is done exactly when ``participants/<id>/done.json`` exists; a kill at any moment
leaves either the old complete result, the new complete result, or nothing, plus temporary
folders (dot-names) that the next run deletes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from walkback._atomic import atomic_dir, write_text_atomic
from walkback.batch.fingerprint import FileStamp, fingerprint, hash_file
from walkback.errors import ReadError, WalkbackError

__all__ = ["DONE_NAME", "Job", "read_done", "run_job", "task_name"]

#: Name of the done-record inside a participant's folder.
DONE_NAME = "done.json"

_STAGE_BY_MODULE = {
    "walkback.io": "read",
    "walkback.signal": "signal",
    "walkback.activity": "activity",
    "walkback.walking": "walking",
}


@dataclass(frozen=True)
class Job:
    """Everything a worker needs for one participant (picklable; the task by reference)."""

    participant_id: str
    thigh_path: str
    back_path: str
    timezone: str
    out_root: str
    task: Callable[..., Any]
    settings: Any
    settings_sha: str
    model_sha: str
    version: str
    run_id: str
    force: bool = False
    previous: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def out_dir(self) -> Path:
        return Path(self.out_root) / self.participant_id


def task_name(task: Callable[..., Any]) -> str:
    """``module:qualname`` of a task function (part of the fingerprint)."""
    return f"{getattr(task, '__module__', '?')}:{getattr(task, '__qualname__', repr(task))}"


def read_done(folder: Path) -> dict[str, Any] | None:
    """The done-record of a participant folder, or None when absent or unreadable."""
    try:
        return json.loads((folder / DONE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_job(job: Job) -> dict[str, Any]:
    """Process one participant (see module docstring); returns the outcome dict.

    Outcome ``status``: ``"done"`` (processed and committed), ``"unchanged"`` (inputs re-hashed,
    identical content; the done-record's stamps were refreshed), ``"failed"`` (a
    :class:`~walkback.errors.WalkbackError`; ``error`` holds stage, type and message) or
    ``"bug"`` (any other exception; ``error`` also holds the traceback).
    """
    t0 = time.perf_counter()
    out: dict[str, Any] = {"participant_id": job.participant_id, "host": socket.gethostname(),
                           "pid": os.getpid()}
    try:
        stamps = _hash_inputs(job)
        fp = fingerprint(
            thigh_sha256=stamps["thigh"].sha256,
            back_sha256=stamps["back"].sha256 if stamps["back"] else "",
            settings_sha=job.settings_sha,
            model_sha=job.model_sha,
            timezone=job.timezone,
            version=job.version,
            task_name=task_name(job.task),
        )
        prev = job.previous
        if not job.force and prev is not None and prev.get("fingerprint") == fp and all(
            (job.out_dir / name).is_file() for name in prev.get("outputs", [])
        ):
            _refresh_stamps(job, prev, stamps)
            out["status"] = "unchanged"
        else:
            _process(job, stamps, fp)
            out["status"] = "done"
    except WalkbackError as exc:
        _drop_stale(job)
        out["status"] = "failed"
        out["error"] = _describe(exc)
    except Exception as exc:  # a bug: recorded with its traceback, the batch decides
        _drop_stale(job)
        out["status"] = "bug"
        out["error"] = _describe(exc)
        out["error"]["traceback"] = traceback.format_exc()
    out["duration_s"] = time.perf_counter() - t0
    return out


def _hash_inputs(job: Job) -> dict[str, FileStamp | None]:
    stamps: dict[str, FileStamp | None] = {"thigh": None, "back": None}
    for label, path in (("thigh", job.thigh_path), ("back", job.back_path)):
        if not path:
            continue
        try:
            stamps[label] = hash_file(path)
        except FileNotFoundError as exc:
            raise _input_error(f"{path}: {label} file not found") from exc
        except OSError as exc:
            raise _input_error(f"{path}: {label} file cannot be read ({exc})") from exc
    return stamps


def _input_error(message: str) -> ReadError:
    """An input file is missing or unreadable before the pipeline starts (stage ``input``)."""
    exc = ReadError(message)
    exc.stage = "input"  # type: ignore[attr-defined]
    return exc


def _process(job: Job, stamps: dict[str, FileStamp | None], fp: str) -> None:
    started = _now()
    t0 = time.perf_counter()
    Path(job.out_root).mkdir(parents=True, exist_ok=True)
    with atomic_dir(job.out_dir) as tmp:
        job.task(
            job.thigh_path,
            job.back_path or None,
            participant_id=job.participant_id,
            out_dir=tmp,
            timezone=job.timezone,
            settings=job.settings,
        )
        record = {
            "participant_id": job.participant_id,
            "fingerprint": fp,
            "inputs": {k: (v.to_dict() if v else None) for k, v in stamps.items()},
            "settings_sha256": job.settings_sha,
            "model_sha256": job.model_sha,
            "timezone": job.timezone,
            "walkback_version": job.version,
            "task": task_name(job.task),
            "run_id": job.run_id,
            "started_utc": started,
            "finished_utc": _now(),
            "duration_s": round(time.perf_counter() - t0, 3),
            "host": socket.gethostname(),
            "outputs": sorted(p.name for p in tmp.iterdir()),
        }
        # written last: a folder without done.json is never a result
        write_text_atomic(tmp / DONE_NAME, json.dumps(record, indent=1, sort_keys=True))


def _refresh_stamps(job: Job, prev: dict[str, Any], stamps: dict[str, FileStamp | None]) -> None:
    """Content unchanged, stat changed (copied, touched): store the new stat keys."""
    record = dict(prev)
    record["inputs"] = {k: (v.to_dict() if v else None) for k, v in stamps.items()}
    record["verified_utc"] = _now()
    write_text_atomic(job.out_dir / DONE_NAME, json.dumps(record, indent=1, sort_keys=True))


def _drop_stale(job: Job) -> None:
    """A participant that now fails must not keep a result computed from other inputs.

    Only the result the coordinator saw when it planned this job is removed (same ``run_id``), or
    a folder without a done-record: a result committed meanwhile by another run is left alone."""
    folder = job.out_dir
    if not folder.exists():
        return
    current = read_done(folder)
    seen = job.previous.get("run_id") if job.previous else None
    if current is not None and current.get("run_id") != seen:
        return
    aside = folder.with_name(f".{folder.name}.failed-{os.getpid()}.tmp")
    os.replace(folder, aside)
    shutil.rmtree(aside, ignore_errors=True)


def _describe(exc: BaseException) -> dict[str, Any]:
    return {"stage": _stage(exc), "type": type(exc).__name__, "message": str(exc)}


def _stage(exc: BaseException) -> str:
    """The pipeline stage that raised: an explicit ``stage`` attribute, else the deepest
    ``walkback.<stage>`` module in the traceback, else ``"pipeline"``."""
    explicit = getattr(exc, "stage", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    stage = "pipeline"
    tb = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "")
        for prefix, name in _STAGE_BY_MODULE.items():
            if module == prefix or module.startswith(prefix + "."):
                stage = name
        tb = tb.tb_next
    return stage


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

