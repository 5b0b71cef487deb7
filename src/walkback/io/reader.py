"""``read`` / ``iter_read``: choose the reader from the file's content, not its name."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from walkback.definitions import DEFAULT_TIMEZONE
from walkback.errors import ReadError, UnsupportedFormatError
from walkback.io.types import Recording

#: Format names returned by :func:`sniff`.
FORMATS = ("axivity-cwa", "actigraph-gt3x", "geneactiv-bin", "csv")


def sniff(path: str | Path) -> str:
    """The format of ``path`` from its first bytes: one of :data:`FORMATS`.

    ``"MD"`` -> Axivity .cwa; ZIP magic -> ActiGraph .gt3x; a GENEActiv text header
    ("Device Identity") -> GENEActiv .bin; printable text with a comma in the first line (or a
    gzip stream of such text) -> CSV. Raises :class:`ReadError` for a missing or empty file and
    :class:`UnsupportedFormatError` otherwise.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except FileNotFoundError as exc:
        raise ReadError(f"{path}: file not found") from exc
    except IsADirectoryError as exc:
        raise ReadError(f"{path}: is a directory, expected a device file") from exc
    if not head:
        raise ReadError(f"{path}: the file is empty")
    if head[:2] == b"MD":
        return "axivity-cwa"
    if head[:4] == b"PK\x03\x04":
        return "actigraph-gt3x"
    if head.lstrip(b"\xef\xbb\xbf\r\n ").startswith(b"Device Identity"):
        return "geneactiv-bin"
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                head = fh.read(512)
        except (OSError, EOFError) as exc:
            raise UnsupportedFormatError(f"{path}: unreadable gzip stream ({exc})") from exc
    first = head.split(b"\n", 1)[0]
    if b"," in first and all(32 <= c < 127 or c in (9, 13) for c in first):
        return "csv"
    raise UnsupportedFormatError(
        f"{path}: unrecognised content (expected an Axivity .cwa 'MD' header, an ActiGraph .gt3x "
        f"zip, a GENEActiv .bin text header or a CSV table); first bytes {head[:8]!r}"
    )


DEVICE_TIMEZONE = DEFAULT_TIMEZONE
CSV_TIMEZONE = "UTC"


def read(path: str | Path, *, start_ns: int | None = None, stop_ns: int | None = None,
         timezone: str | None = None, gyro: bool = False) -> Recording:
    """Read a device file into a :class:`Recording` (format detected from content).

    ``start_ns``/``stop_ns`` (UTC ns) keep samples with ``start_ns <= t < stop_ns`` (only the
    blocks needed are decoded). ``timezone`` (IANA) converts device local clocks to UTC; None
    means the format's default: ``"Europe/Oslo"`` for Axivity and GENEActiv files, ``"UTC"`` for
    research CSVs (ActiGraph files store their own offset).
    ``gyro`` adds the AX6 gyroscope as ``gyro_dps``. CSV files are read with
    :func:`walkback.io.read_csv_auto` (HARTH / SELFBACK layouts recognised by their columns).
    """
    fmt = sniff(path)
    if fmt == "axivity-cwa":
        from walkback.io.cwa import read_cwa

        return read_cwa(path, start_ns=start_ns, stop_ns=stop_ns,
                        timezone=timezone or DEVICE_TIMEZONE, gyro=gyro)
    rec = _read_other(fmt, path, timezone)
    return _trim(rec, start_ns, stop_ns)


def iter_read(path: str | Path, *, chunk_s: float = 3600.0, timezone: str | None = None,
              gyro: bool = False) -> Iterator[Recording]:
    """Yield the file's samples as time-ordered Recordings of about ``chunk_s`` seconds.

    For .cwa files the file is memory-mapped and decoded block range by block range, so memory
    stays bounded (about ``chunk_s`` of samples plus a small per-block table). Other formats are
    read whole and then split.
    """
    fmt = sniff(path)
    if fmt == "axivity-cwa":
        from walkback.io.cwa import iter_cwa

        yield from iter_cwa(path, chunk_s=chunk_s, timezone=timezone or DEVICE_TIMEZONE,
                            gyro=gyro)
        return
    rec = _read_other(fmt, path, timezone)
    if rec.n == 0:
        return
    step = int(chunk_s * 1e9)
    t0 = int(rec.time_ns[0])
    while True:
        yield _trim(rec, t0, t0 + step)
        nxt = int(np.searchsorted(rec.time_ns, t0 + step))
        if nxt >= rec.n:
            return
        t0 = max(t0 + step, int(rec.time_ns[nxt]))  # skip empty windows in long gaps


def _read_other(fmt: str, path: str | Path, timezone: str | None) -> Recording:
    if fmt == "actigraph-gt3x":
        from walkback.io.gt3x import read_gt3x

        return read_gt3x(path)
    if fmt == "geneactiv-bin":
        from walkback.io.geneactiv import read_geneactiv

        return read_geneactiv(path, timezone=timezone)
    from walkback.io.csvfiles import read_csv_auto

    return read_csv_auto(path, timezone=timezone or CSV_TIMEZONE)


def _trim(rec: Recording, start_ns: int | None, stop_ns: int | None) -> Recording:
    """Samples of ``rec`` within [start_ns, stop_ns) (auxiliary channels trimmed alike)."""
    if start_ns is None and stop_ns is None:
        return rec
    import dataclasses

    def rng(t):
        lo = int(np.searchsorted(t, start_ns)) if start_ns is not None else 0
        hi = int(np.searchsorted(t, stop_ns)) if stop_ns is not None else t.size
        return slice(lo, hi)

    s = rng(rec.time_ns)
    chans = {}
    for name in ("temperature", "light", "battery"):
        ch = getattr(rec, name)
        if ch is not None:
            cs = rng(ch.time_ns)
            ch = dataclasses.replace(ch, time_ns=ch.time_ns[cs].copy(), values=ch.values[cs].copy())
        chans[name] = ch
    t = rec.time_ns[s].copy()
    info = dataclasses.replace(rec.info, n_samples=int(t.size),
                               start_ns=int(t[0]) if t.size else 0,
                               stop_ns=int(t[-1]) if t.size else 0)
    return Recording(
        time_ns=t, accel_g=rec.accel_g[s].copy(), info=info,
        gyro_dps=None if rec.gyro_dps is None else rec.gyro_dps[s].copy(),
        labels=None if rec.labels is None else rec.labels[s].copy(), **chans,
    )
