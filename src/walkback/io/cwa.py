"""Axivity ``.cwa`` reader (AX3 packed / unpacked, AX6 accelerometer + gyroscope).

All blocks are validated from one structured view of the memory-mapped file; samples are decoded
for whole ranges of blocks at once with integer array operations (no loop over samples or
blocks). Times follow the device's block timestamps (see :mod:`walkback.io._cwa_scan` for the
exact interpolation rule) and are converted from the device's local clock to UTC with the IANA
``timezone`` (one fixed offset per recording, see :mod:`walkback.io._time`).

Scaling: packed samples are 10-bit signed mantissas shifted left by a 2-bit exponent, in units of
1/256 g; unpacked samples are int16 in 1/2^(8+n) g where n is the top 3 bits of the block's light
word (0 for the AX3: 1/256 g). AX6 gyroscope: int16 * (8000 / 2^n) / 32768 deg/s, n = bits 10-12
of the light word (default from the header's gyro range). Temperature: raw * 75 / 256 - 50 degC.
Battery: (raw + 512) * 6 / 1024 V.
"""

from __future__ import annotations

import dataclasses
import mmap
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from walkback._alloc import empty
from walkback._threads import worker_threads
from walkback.definitions import DEFAULT_TIMEZONE
from walkback.io import _cwa_format as F
from walkback.io._cwa_kernel import decode_packed
from walkback.io._cwa_scan import BlockTable, open_buffer, scan
from walkback.io._time import NS, iso
from walkback.io.types import Channel, Recording, RecordingInfo

DECODE_CHUNK_BLOCKS = 8192


def _sample_view(buf, first_block: int, nblocks: int, dtype: str, per_block: int) -> np.ndarray:
    """(nblocks, per_block) view of the sample area of consecutive blocks (no copy)."""
    itemsize = np.dtype(dtype).itemsize
    return np.ndarray(
        shape=(nblocks, per_block), dtype=dtype, buffer=buf,
        offset=F.HEADER_SIZE + first_block * F.BLOCK_SIZE + F.DATA_OFFSET,
        strides=(F.BLOCK_SIZE, itemsize),
    )


def _raw_blocks(buf, idx: np.ndarray, dtype: str, per_block: int) -> np.ndarray:
    """Sample areas of the blocks ``idx`` (a view when they are consecutive, else a copy)."""
    if idx.size and idx[-1] - idx[0] == idx.size - 1:
        return _sample_view(buf, int(idx[0]), idx.size, dtype, per_block)
    whole = _sample_view(buf, 0, int(idx[-1]) + 1, dtype, per_block)
    return whole[idx]


def _decode_accel(tab: BlockTable, buf, a: int, b: int, acc: np.ndarray,
                  gyr: np.ndarray | None) -> None:
    """Decode blocks a..b into ``acc`` (nb, cap, 3) g and ``gyr`` (nb, cap, 3) deg/s or None."""
    idx = tab.index[a:b]
    if tab.packed:
        vi = _raw_blocks(buf, idx, "<u4", 120).astype(np.int32)
        e = (vi >> 30) & 3
        for axis, left in enumerate((22, 12, 2)):
            part = np.left_shift(vi, left)
            part >>= 22  # arithmetic shift: sign-extends the 10-bit value
            part <<= e
            acc[..., axis] = part
        acc *= np.float32(1 / 256)
        return
    cap, axes = tab.capacity, tab.axes
    raw = _raw_blocks(buf, idx, "<i2", cap * axes).reshape(len(idx), cap, axes)
    n_acc = (tab.scale[a:b] >> 13).astype(np.int64)
    acc_scale = (1.0 / np.left_shift(1, 8 + n_acc)).astype(np.float32)
    first_acc = 0 if axes == 3 else 3
    np.multiply(raw[..., first_acc:first_acc + 3], acc_scale[:, None, None], out=acc)
    if gyr is not None:
        n_gyro = ((tab.scale[a:b] >> 10) & 0x7).astype(np.int64)
        default = max(tab.header["sensor_config"] & 0x0F, 1)
        n_gyro = np.where(n_gyro == 0, default, n_gyro)
        g_scale = (8000.0 / np.left_shift(1, n_gyro) / 32768.0).astype(np.float32)
        np.multiply(raw[..., 0:3], g_scale[:, None, None], out=gyr)


def _decode_times(tab: BlockTable, a: int, b: int, out: np.ndarray) -> None:
    """Sample times (nb, cap) int64 UTC ns of blocks a..b into ``out``, by the anchor rule."""
    i = np.arange(tab.capacity, dtype=np.float64)[None, :]
    off = tab.offset[a:b, None].astype(np.float64)
    rel = i - off
    rel *= np.where(rel < 0, tab.period_before[a:b, None], tab.period_after[a:b, None])
    np.rint(rel, out=rel)
    out[...] = rel  # exact: |rel| is far below 2^53 ns
    out += tab.anchor_ns[a:b, None]


def _decode_into(tab: BlockTable, buf, a: int, b: int, t_out: np.ndarray, a_out: np.ndarray,
                 g_out: np.ndarray | None) -> None:
    """Decode valid blocks a..b into flat output slices (written in place when blocks are full)."""
    nb, cap = b - a, tab.capacity
    count = tab.count[a:b]
    if tab.packed and g_out is None:
        words = _raw_blocks(buf, tab.index[a:b], "<u4", 120)
        decode_packed(words, count, tab.anchor_ns[a:b], tab.offset[a:b].astype(np.float64),
                      tab.period_before[a:b].astype(np.float64),
                      tab.period_after[a:b].astype(np.float64), t_out, a_out)
        return
    if np.all(count == cap):
        _decode_times(tab, a, b, t_out.reshape(nb, cap))
        _decode_accel(tab, buf, a, b, a_out.reshape(nb, cap, 3),
                      None if g_out is None else g_out.reshape(nb, cap, 3))
        return
    keep = np.arange(cap)[None, :] < count[:, None]
    t = np.empty((nb, cap), dtype=np.int64)
    acc = np.empty((nb, cap, 3), dtype=np.float32)
    gyr = None if g_out is None else np.empty((nb, cap, 3), dtype=np.float32)
    _decode_times(tab, a, b, t)
    _decode_accel(tab, buf, a, b, acc, gyr)
    t_out[:] = t[keep]
    a_out[:] = acc[keep]
    if g_out is not None:
        g_out[:] = gyr[keep]


def _channels(tab: BlockTable, a: int, b: int) -> dict[str, Channel]:
    """Per-block temperature (degC), light (raw) and battery (V) at each block's first sample."""
    t = tab.first_ns()[a:b]
    temp = (tab.temperature[a:b] & 0x3FF).astype(np.float32) * np.float32(75 / 256) - 50
    light = (tab.light[a:b] & 0x3FF).astype(np.float32)
    batt = (tab.battery[a:b].astype(np.float32) + 512) * np.float32(6 / 1024)
    return {
        "temperature": Channel(t.copy(), temp, "degC"),
        "light": Channel(t.copy(), light, "raw"),
        "battery": Channel(t.copy(), batt, "V"),
    }


def _info(path: str, tab: BlockTable, timezone: str) -> RecordingInfo:
    """Whole-file information (samples, gaps, rejected blocks) from the block table."""
    first, last = tab.first_ns(), tab.last_ns()
    period = NS / tab.rate_hz
    jump = first[1:] - last[:-1]
    gi = np.flatnonzero(jump > 2 * period)
    gaps = [
        {"start_ns": int(last[i]), "stop_ns": int(first[i + 1]),
         "duration_s": float(jump[i]) / NS}
        for i in gi
    ]
    n = int(tab.count.sum())
    runs = np.split(np.arange(tab.count.size), gi + 1)
    span = sum(float(last[r[-1]] - first[r[0]]) for r in runs) / NS
    measured = (n - len(runs)) / span if span > 0 else float("nan")
    h = tab.header
    extra = {
        "hardware_type": h["hardware_type"], "firmware": h["firmware"],
        "sample_format": "packed" if tab.packed else "unpacked", "axes": tab.axes,
        "rate_code": h["rate_code"], "metadata": h["metadata"],
        "blocks_in_file": tab.n_blocks_file,
        "clock": {
            "utc_offset_s": tab.utc_offset_ns / NS,
            "first_sample_local": iso(int(first[0]) + tab.utc_offset_ns),
            "last_change_local": iso(h["last_change_local_ns"])
            if h["last_change_local_ns"] is not None else "",
        },
    }
    warnings = list(tab.warnings)
    if abs(F.rate_from_code(h["rate_code"]) - tab.rate_hz) > 1e-9:
        warnings.append(f"header rate {F.rate_from_code(h['rate_code'])} Hz differs from the "
                        f"blocks' {tab.rate_hz} Hz; the blocks' rate is used")
    return RecordingInfo(
        path=path, format="axivity-cwa", device=h["device"], device_id=str(h["device_id"]),
        session_id=str(h.get("block_session_id", h["session_id"])),
        nominal_rate_hz=tab.rate_hz, measured_rate_hz=measured,
        start_ns=int(first[0]), stop_ns=int(last[-1]), n_samples=n, n_blocks=int(tab.count.size),
        rejected_blocks=list(tab.rejected), gaps=gaps, range_g=float(tab.range_g),
        timezone=timezone, extra=extra, warnings=warnings,
    )


def _block_range(tab: BlockTable, start_ns: int | None, stop_ns: int | None) -> tuple[int, int]:
    """Valid-block positions a..b whose samples may fall in [start_ns, stop_ns)."""
    a, b = 0, tab.count.size
    if start_ns is not None:
        a = int(np.searchsorted(tab.last_ns(), start_ns, side="left"))
    if stop_ns is not None:
        b = int(np.searchsorted(tab.first_ns(), stop_ns, side="left"))
    return a, max(a, b)


def _assemble(path, tab, info, buf, a, b, gyro, start_ns=None, stop_ns=None) -> Recording:
    """Decode blocks a..b into one Recording, trimmed to [start_ns, stop_ns)."""
    total = int(tab.count[a:b].sum())
    time_ns = empty((total,), np.int64)
    accel = empty((total, 3), np.float32)
    gyr = empty((total, 3), np.float32) if gyro and tab.axes >= 6 else None
    cuts = list(range(a, b, DECODE_CHUNK_BLOCKS)) + [b]
    pos = np.zeros(len(cuts), dtype=np.int64)
    if b > a:
        pos[1:] = np.cumsum(np.add.reduceat(tab.count[a:b], np.asarray(cuts[:-1]) - a))

    def work(j: int) -> None:
        lo_, hi_ = int(pos[j]), int(pos[j + 1])
        _decode_into(tab, buf, cuts[j], cuts[j + 1], time_ns[lo_:hi_], accel[lo_:hi_],
                     None if gyr is None else gyr[lo_:hi_])

    n_threads = min(worker_threads(), len(cuts) - 1)
    if n_threads > 1:  # NumPy releases the GIL in the decoding ufuncs; chunks are disjoint
        with ThreadPoolExecutor(n_threads) as pool:
            list(pool.map(work, range(len(cuts) - 1)))
    else:
        for j in range(len(cuts) - 1):
            work(j)
    lo = int(np.searchsorted(time_ns, start_ns)) if start_ns is not None else 0
    hi = int(np.searchsorted(time_ns, stop_ns)) if stop_ns is not None else total
    ch = _channels(tab, a, b)
    if (lo, hi) != (0, total):
        time_ns, accel = time_ns[lo:hi].copy(), accel[lo:hi].copy()
        gyr = gyr[lo:hi].copy() if gyr is not None else None
    if (a, b) != (0, tab.count.size) or (lo, hi) != (0, total):
        info = dataclasses.replace(
            info, n_samples=int(time_ns.size), n_blocks=b - a,
            start_ns=int(time_ns[0]) if time_ns.size else 0,
            stop_ns=int(time_ns[-1]) if time_ns.size else 0,
        )
    return Recording(time_ns=time_ns, accel_g=accel, info=info, gyro_dps=gyr, **ch)


def read_cwa(path: str | Path, *, start_ns: int | None = None, stop_ns: int | None = None,
             timezone: str = DEFAULT_TIMEZONE, gyro: bool = False) -> Recording:
    """Read an Axivity ``.cwa`` file (samples with start_ns <= time < stop_ns, UTC ns)."""
    path = str(path)
    buf, close = open_buffer(path)
    try:
        tab = scan(buf, path, timezone)
        info = _info(path, tab, timezone)
        a, b = _block_range(tab, start_ns, stop_ns)
        return _assemble(path, tab, info, buf, a, b, gyro, start_ns, stop_ns)
    finally:
        close()


def stream_cwa(path: str | Path, *, timezone: str = DEFAULT_TIMEZONE, gyro: bool = False
               ) -> tuple[RecordingInfo, Callable[[float], Iterator[Recording]], Callable[[], None]]:
    """Whole-file :class:`RecordingInfo` of an Axivity ``.cwa`` from its header and block table
    (no sample decoded), a function that starts a pass of ``chunk_s``-second chunks over the
    file with that same table (the file is scanned once however many passes are made), and a
    function that drops the block table (~10 MB per day of 100 Hz data) once no pass is needed."""
    path = str(path)
    buf, close = open_buffer(path)
    try:
        tab = scan(buf, path, timezone)
    finally:
        close()
    info = _info(path, tab, timezone)
    held = [tab]
    del tab

    def passes(chunk_s: float) -> Iterator[Recording]:
        if held[0] is None:
            raise RuntimeError(f"{path}: this stream was released; open the file again")
        return _iter_table(path, held[0], info, chunk_s, gyro)

    def release() -> None:
        held[0] = None

    return info, passes, release


def iter_cwa(path: str | Path, *, chunk_s: float = 3600.0, timezone: str = DEFAULT_TIMEZONE,
             gyro: bool = False) -> Iterator[Recording]:
    """Yield time-ordered Recordings of about ``chunk_s`` seconds of blocks each.

    The file is memory-mapped; memory is bounded by one chunk's samples plus the block table.
    Each chunk's ``info`` describes the chunk (samples, start, stop) and the whole file (gaps,
    rejected blocks).
    """
    _, passes, _ = stream_cwa(path, timezone=timezone, gyro=gyro)
    yield from passes(chunk_s)


def _iter_table(path: str, tab: BlockTable, info: RecordingInfo, chunk_s: float,
                gyro: bool) -> Iterator[Recording]:
    buf, close = open_buffer(path)
    try:
        per_chunk = max(1, int(chunk_s * tab.rate_hz / tab.capacity))
        done = 0  # file bytes already given back
        for a in range(0, tab.count.size, per_chunk):
            b = min(tab.count.size, a + per_chunk)
            rec = _assemble(path, tab, info, buf, a, b, gyro)
            done = _release(buf, done, F.HEADER_SIZE + int(tab.index[b - 1]) * F.BLOCK_SIZE)
            yield rec
    finally:
        close()


def _release(buf, done: int, upto: int) -> int:
    """Drop the mapped file pages in [done, upto) from this process (they stay in the page cache):
    otherwise a pass over a week-long file leaves all of it (~250 MB) resident until the end."""
    page = mmap.PAGESIZE
    upto -= upto % page
    if upto > done and isinstance(buf, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        buf.madvise(mmap.MADV_DONTNEED, done, upto - done)
        return upto
    return done
