"""walkback.io — device input: exact, fast, streaming readers and a .cwa writer.

Public API (signatures are stable; details in docs/io.md)::

    read(path, *, start_ns=None, stop_ns=None, timezone=None, gyro=False) -> Recording
    iter_read(path, *, chunk_s=3600.0, timezone=None, gyro=False) -> Iterator[Recording]
    open_stream(path, *, timezone=None, gyro=False) -> RecordingStream
    write_cwa(path, accel_g, *, time_ns=None, start_ns=None, rate_hz=100.0, packed=True,
              range_g=8, temperature_c=25.0, light=0.0, battery_v=4.0, device_id=12345,
              session_id=1, timezone="Europe/Oslo", metadata="") -> Path
    read_harth_csv(path, *, timezone="UTC", rate_hz=None, clock="device")
        -> {"back": Recording, "thigh": Recording}
    read_selfback_csv(path, *, timezone="UTC", rate_hz=None, clock="device") -> Recording
    read_csv(path, *, time_column="time", time_unit=None, time_format=None,
             axis_columns=("x", "y", "z"), scale=1.0, label_column=None, timezone="UTC",
             rate_hz=None, clock="device") -> Recording
    sniff(path) -> str

``timezone=None`` means the format's default: ``"Europe/Oslo"`` for Axivity (and GENEActiv files
without a header zone), ``"UTC"`` for research CSVs; ActiGraph files carry their own offset.

Conventions: ``Recording.time_ns`` is int64 UTC ns (device local clocks converted with ONE
offset: the zone's offset when the device clock was set); ``accel_g`` float32
(n, 3) in g, device axes; no resampling and no gap filling. Errors are
:class:`walkback.errors.ReadError` subclasses naming the file and block.
"""

from __future__ import annotations

from typing import Any

from walkback.io.cwa_write import write_cwa
from walkback.io.reader import iter_read, read, sniff
from walkback.io.stream import RecordingStream, open_stream
from walkback.io.types import Channel, Recording, RecordingInfo

__all__ = [
    "Channel",
    "Recording",
    "RecordingInfo",
    "RecordingStream",
    "iter_read",
    "open_stream",
    "read",
    "read_csv",
    "read_harth_csv",
    "read_selfback_csv",
    "sniff",
    "write_cwa",
]


def __getattr__(name: str) -> Any:  # lazy: CSV readers import pandas
    if name in ("read_csv", "read_harth_csv", "read_selfback_csv"):
        from walkback.io import csvfiles

        return getattr(csvfiles, name)
    raise AttributeError(f"module 'walkback.io' has no attribute {name!r}")
