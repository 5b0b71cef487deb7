"""``RecordingStream``: a device file's whole-file facts now, its samples chunk by chunk on demand.

A week at 100 Hz is 60 million samples (1.2 GB as ``Recording`` arrays). Stages that only need to
look at each sample once or twice (resampling in :func:`walkback.signal.prepare`) take a
``RecordingStream`` instead, so the raw samples never have to be in memory all at once:

* ``info``: the :class:`RecordingInfo` of the **whole** file (first and last sample time, measured
  rate, gaps, rejected blocks), known before any sample is decoded (for ``.cwa`` from the block
  table alone).
* ``chunks(chunk_s)``: a fresh iterator of time-ordered :class:`Recording` chunks each time it is
  called, so a consumer can pass over the file twice (clock synchronisation does). Concatenated,
  the chunks equal :func:`walkback.io.read`.

Only ``.cwa`` files stream from disk; other formats are read whole once and then served from
memory (their readers need the whole file), and :meth:`RecordingStream.from_recording` wraps a
``Recording`` that is already in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from walkback.io.types import Recording, RecordingInfo

__all__ = ["RecordingStream", "open_stream"]


@dataclass(frozen=True)
class RecordingStream:
    """A recording read on demand. ``info.start_ns`` / ``info.stop_ns`` are the first and last
    sample times (UTC ns) and ``info.n_samples`` the sample count of the whole file."""

    info: RecordingInfo
    _open: Callable[[float], Iterator[Recording]]
    _release: Callable[[], None] | None = None

    def chunks(self, chunk_s: float = 3600.0) -> Iterator[Recording]:
        """Time-ordered chunks of about ``chunk_s`` seconds (a new pass over the file per call)."""
        return self._open(chunk_s)

    def release(self) -> None:
        """Free what the stream holds between passes (a ``.cwa`` file's block table) when no
        further pass will be made; a later :meth:`chunks` raises. ``info`` stays. (In-memory
        recordings are left alone: their owner holds the samples.)"""
        if self._release is not None:
            self._release()

    @property
    def n(self) -> int:
        """Number of samples in the whole recording."""
        return int(self.info.n_samples)

    @classmethod
    def from_recording(cls, rec: Recording) -> RecordingStream:
        """Wrap an in-memory recording (one chunk: the recording itself, no copy). ``info`` gets
        the true first / last sample times and sample count."""
        n = rec.n
        info = dataclasses.replace(
            rec.info, n_samples=n,
            start_ns=int(rec.time_ns[0]) if n else 0, stop_ns=int(rec.time_ns[-1]) if n else 0)
        return cls(info, lambda _chunk_s: iter((rec,)) if n else iter(()))


def open_stream(path: str | Path, *, timezone: str | None = None,
                gyro: bool = False) -> RecordingStream:
    """Open a device file for chunked reading (format detected from content, as in
    :func:`walkback.io.read`; ``timezone`` converts local device clocks to UTC, None = the
    format's default). ``.cwa`` files are memory-mapped and decoded chunk by chunk on each
    pass; other formats are read whole here."""
    from walkback.io.reader import DEVICE_TIMEZONE, read, sniff

    if sniff(path) == "axivity-cwa":
        from walkback.io.cwa import stream_cwa

        info, passes, release = stream_cwa(path, timezone=timezone or DEVICE_TIMEZONE, gyro=gyro)
        return RecordingStream(info, passes, release)
    return RecordingStream.from_recording(read(path, timezone=timezone, gyro=gyro))


def concat_channel(parts: list) -> tuple[np.ndarray, np.ndarray] | None:
    """Concatenate per-chunk auxiliary :class:`~walkback.io.Channel` pieces into (time_ns,
    values) arrays, or None when no chunk had the channel."""
    parts = [p for p in parts if p is not None and p.values.shape[0]]
    if not parts:
        return None
    return (np.concatenate([p.time_ns for p in parts]),
            np.concatenate([np.asarray(p.values, np.float64) for p in parts]))
