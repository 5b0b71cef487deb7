"""First pass over a ``.cwa`` file: header, block validation and the sample-time model.

Only the 30-byte block headers and the checksums are read here (in bounded chunks); samples are
decoded later, block range by block range, by :mod:`walkback.io.cwa`.

Sample times (the rule, also in docs/io.md)
-------------------------------------------
Each valid block ``k`` carries one *anchor*: its local timestamp ``T_k`` (whole seconds plus, when
the top bit of ``deviceFractional`` is set, the 15-bit fraction in 1/32768 s) holds at sample
``o_k`` of the block, where ``o_k = timestampOffset + ((frac16 * int(rate)) >> 16)`` undoes the
firmware's backward-compatibility shift (frac16 = fraction in 1/65536 s). Sample times are the
piecewise-linear interpolation through consecutive anchors: sample ``i`` of block ``k`` gets
``T_k + (i - o_k) * p`` where ``p`` (ns per sample) is the period measured between anchors
``k-1`` and ``k`` for samples before the anchor and between ``k`` and ``k+1`` after it. A segment
between two anchors is used only if the blocks are consecutive in the file (no rejected block
between), their sequence ids increase by one, the earlier block is full (a part-filled block ends a
run: logging stopped or a gap follows), and its period is within 25 % of nominal; otherwise
the period on the other side of the anchor is used, or the nominal period if neither is usable.
So the device's own clock is followed (real AX3s run a few % off nominal) and gaps stay gaps.
"""

from __future__ import annotations

import contextlib
import mmap
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from walkback._threads import worker_threads
from walkback.errors import CorruptFileError, UnsupportedFormatError
from walkback.io import _cwa_format as F
from walkback.io._time import NS, iso, local_to_utc

SCAN_CHUNK_BLOCKS = 32768
PERIOD_TOLERANCE = 0.25


@dataclass
class BlockTable:
    """Per valid block (file order): what is needed to decode samples and their times."""

    header: dict[str, Any]
    n_blocks_file: int
    index: np.ndarray  # block number in the file (0 = first data block)
    count: np.ndarray  # samples in the block
    anchor_ns: np.ndarray  # UTC ns of the anchor sample
    offset: np.ndarray  # anchor sample index within the block (may be outside 0..count-1)
    period_before: np.ndarray  # ns per sample before the anchor
    period_after: np.ndarray  # ns per sample from the anchor on
    light: np.ndarray
    temperature: np.ndarray
    battery: np.ndarray
    scale: np.ndarray  # light/scale word (accel and gyro scales for unpacked data)
    axes: int  # 3, 6 or 9
    packed: bool
    rate_hz: float
    range_g: int
    utc_offset_ns: int
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _first: np.ndarray | None = field(default=None, repr=False)
    _last: np.ndarray | None = field(default=None, repr=False)

    @property
    def capacity(self) -> int:
        """Samples a full block holds."""
        return 120 if self.packed else F.DATA_BYTES // (2 * self.axes)

    def first_ns(self) -> np.ndarray:
        """UTC ns of each block's first sample (computed once)."""
        if self._first is None:
            p = np.where(self.offset > 0, self.period_before, self.period_after)
            self._first = self.anchor_ns + np.rint(-self.offset * p).astype(np.int64)
        return self._first

    def last_ns(self) -> np.ndarray:
        """UTC ns of each block's last sample (computed once)."""
        if self._last is None:
            i = self.count.astype(np.int64) - 1
            p = np.where(i < self.offset, self.period_before, self.period_after)
            self._last = self.anchor_ns + np.rint((i - self.offset) * p).astype(np.int64)
        return self._last


def parse_header(buf: Any, path: str) -> dict[str, Any]:
    """Decode the 1024-byte header block (raises on a non-CWA or truncated file)."""
    if len(buf) == 0:
        raise CorruptFileError(f"{path}: the file is empty")
    if bytes(buf[:2]) != F.HEADER_MAGIC:
        raise UnsupportedFormatError(f"{path}: not an Axivity .cwa file (no 'MD' header)")
    if len(buf) < F.HEADER_SIZE:
        raise CorruptFileError(
            f"{path}: truncated .cwa header ({len(buf)} of {F.HEADER_SIZE} bytes)"
        )
    h = np.frombuffer(buf, dtype=np.uint8, count=F.HEADER_SIZE)

    def u(off: int, n: int) -> int:
        return int.from_bytes(h[off:off + n].tobytes(), "little")

    hw = u(4, 1)
    upper = u(11, 2)
    dev = u(5, 2) | ((0 if upper == 0xFFFF else upper) << 16)
    rate = u(36, 1)
    meta = (h[64:512].tobytes() + h[512:1024].tobytes()).rstrip(b" \x00\xff")
    meta_txt = meta.replace(b"\x00", b"").replace(b"\xff", b"").decode("latin-1").strip(" &?")
    times = {}
    for key, off in (("logging_start", 13), ("logging_end", 17), ("last_change", 37)):
        secs, ok = F.unpack_timestamp(np.array([u(off, 4)]))
        times[key] = int(secs[0]) * NS if ok[0] else None
    return {
        "hardware_type": hw,
        "device": "AX6" if hw == F.HARDWARE_AX6 else "AX3",
        "device_id": dev,
        "session_id": u(7, 4),
        "sensor_config": u(35, 1),
        "rate_code": rate,
        "firmware": u(41, 1),
        "metadata": dict(urllib.parse.parse_qsl(meta_txt, keep_blank_values=True)),
        **{f"{k}_local_ns": v for k, v in times.items()},
    }


def _scan_fields(buf: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Header fields of ``n`` blocks (30 bytes each) and their checksum-ok mask (chunked)."""
    fields = np.empty(n, dtype=F.HEADER30_DTYPE)
    ok = np.empty(n, dtype=bool)

    def work(a: int) -> None:
        b = min(n, a + SCAN_CHUNK_BLOCKS)
        view = np.frombuffer(buf, dtype=F.BLOCK_DTYPE, count=b - a,
                             offset=F.HEADER_SIZE + a * F.BLOCK_SIZE)
        for name in F.BLOCK_DTYPE.names:
            fields[name][a:b] = view[name]
        words = np.frombuffer(buf, dtype="<u2", count=(b - a) * 256,
                              offset=F.HEADER_SIZE + a * F.BLOCK_SIZE).reshape(-1, 256)
        ok[a:b] = words.sum(axis=1, dtype=np.uint16) == 0  # wraps modulo 2^16, as specified

    starts = range(0, n, SCAN_CHUNK_BLOCKS)
    threads = min(worker_threads(), len(starts))
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(work, starts))
    else:
        for a in starts:
            work(a)
    return fields, ok


#: Rejection reasons, by code (0 = valid).
REASONS = [
    "",
    "not a data block (no 'AX' marker)",
    "bad packet length",
    "checksum mismatch",
    "unsupported axes/packing code",
    "packing differs from the file's",
    "sample count outside the block's capacity",
    "unknown sample-rate code",
    "invalid timestamp",
    "session id differs from the file's",
    "time goes backwards (earlier than a previous block)",
]
BACKWARDS = REASONS.index("time goes backwards (earlier than a previous block)")


def _validate(f: np.ndarray, ok: np.ndarray, header: dict[str, Any]) -> tuple[np.ndarray, int]:
    """A reason code per block (0 = valid, see REASONS) and the file's packing byte."""
    reason = np.zeros(f.shape[0], dtype=np.uint8)

    def reject(mask: np.ndarray, code: int) -> None:
        reason[(reason == 0) & mask] = code

    reject(f["magic"] != F.BLOCK_MAGIC, 1)
    reject(f["length"] != F.BLOCK_LENGTH, 2)
    reject(~ok, 3)
    fmt = f["axes_bps"]
    reject(~np.isin(fmt, (0x30, 0x32, 0x62, 0x92)), 4)
    good = reason == 0
    packing = int(np.bincount(fmt[good]).argmax()) if good.any() else 0x30
    reject(fmt != packing, 5)
    cap = 120 if packing == 0x30 else F.DATA_BYTES // (2 * (packing >> 4))
    reject((f["count"] == 0) | (f["count"] > cap), 6)
    reject((f["rate"] & 0x0F) < F.MIN_RATE_NIBBLE, 7)
    _, ts_ok = F.unpack_timestamp(f["timestamp"])
    reject(~ts_ok, 8)
    good = reason == 0
    if good.any():  # the blocks' own majority session (a damaged header must not sink the file)
        values, inverse = np.unique(f["session"][good], return_inverse=True)
        sess = int(values[np.bincount(inverse).argmax()])
        reject((f["session"] != sess) & (f["session"] != 0), 9)
        header["block_session_id"] = sess
    return reason, packing


def _anchors(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local anchor times (ns) and anchor sample offsets of blocks."""
    secs, _ = F.unpack_timestamp(f["timestamp"])
    has_frac = (f["fractional"] & 0x8000) != 0
    frac16 = np.where(has_frac, (f["fractional"].astype(np.int64) & 0x7FFF) << 1, 0)
    local_ns = secs * NS + (frac16 * NS + 32768) // 65536
    off = f["ts_offset"].astype(np.int64)
    off = off + np.where(has_frac, F.fractional_offset_samples(f["fractional"], f["rate"]), 0)
    return local_ns, off


def _periods(f: np.ndarray, index: np.ndarray, t: np.ndarray, off: np.ndarray,
             count: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """Period (ns/sample) before and after each anchor, following the rule in the module doc."""
    nominal = NS / np.asarray(F.rate_from_code(f["rate"]), dtype=np.float64)
    if t.shape[0] < 2:
        return nominal.copy(), nominal.copy()
    d_idx = count[:-1].astype(np.int64) - off[:-1] + off[1:]
    d_t = np.diff(t).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        seg = d_t / d_idx
    usable = (np.diff(index) == 1) & (np.diff(f["sequence"].astype(np.int64)) == 1) & (d_idx > 0)
    usable &= np.abs(seg / nominal[:-1] - 1) <= PERIOD_TOLERANCE
    usable &= count[:-1] == cap  # a part-filled block ends a run (logging stopped or a gap)
    seg = np.where(usable, seg, np.nan)
    before = np.r_[np.nan, seg]
    after = np.r_[seg, np.nan]
    before = np.where(np.isnan(before), after, before)
    after = np.where(np.isnan(after), before, after)
    return np.where(np.isnan(before), nominal, before), np.where(np.isnan(after), nominal, after)


def scan(buf: Any, path: str, timezone: str) -> BlockTable:
    """Validate every block and build the sample-time model (see the module docstring)."""
    header = parse_header(buf, path)
    size = len(buf)
    n = (size - F.HEADER_SIZE) // F.BLOCK_SIZE
    fields, ok = _scan_fields(buf, n)
    reason, packing = _validate(fields, ok, header)
    rejected_extra = []
    tail = (size - F.HEADER_SIZE) % F.BLOCK_SIZE
    if tail:
        rejected_extra.append({"block": n, "reason": f"truncated block ({tail} of 512 bytes)"})
    local_ns, off = _anchors(fields)
    warnings: list[str] = []
    for _ in range(1000):  # drop blocks whose time goes backwards, then rebuild the model
        good = np.flatnonzero(reason == 0)
        if good.size == 0:
            break
        table = _table(header, n, fields, good, local_ns, off, packing, timezone)
        first, last = table.first_ns(), table.last_ns()
        back = np.r_[False, first[1:] <= np.maximum.accumulate(last)[:-1]]
        if not back.any():
            break
        reason[good[back]] = BACKWARDS
        warnings.append(f"{int(back.sum())} block(s) whose timestamps go backwards were rejected")
    else:
        raise CorruptFileError(f"{path}: block timestamps are too disordered to put in order")
    if good.size == 0:
        counts = np.bincount(reason, minlength=len(REASONS))
        why = "; ".join(f"{c} {REASONS[r]}" for r, c in enumerate(counts) if c and r)
        raise CorruptFileError(
            f"{path}: no valid data blocks ({n} block(s) in the file{': ' + why if why else ''})")
    bad = np.flatnonzero(reason)
    table.rejected = [{"block": int(i), "reason": REASONS[reason[i]]} for i in bad]
    table.rejected += rejected_extra
    bs = header.get("block_session_id")
    if header["session_id"] and bs is not None and bs != header["session_id"]:
        warnings.append(f"header session id {header['session_id']} differs from the blocks' "
                        f"{bs}; the blocks' is used")
    table.warnings = warnings
    return table


def _table(header: dict[str, Any], n: int, f: np.ndarray, good: np.ndarray,
           local_ns: np.ndarray, off: np.ndarray, packing: int, timezone: str) -> BlockTable:
    g = f[good]
    count = g["count"].astype(np.int64)
    ref = header["last_change_local_ns"]
    first_local = int(local_ns[good[0]])
    if ref is None or not (first_local - 30 * 86400 * NS <= ref <= first_local):
        ref = first_local  # the clock was set at configuration; else use the first block
    t, off_ns = local_to_utc(local_ns[good], timezone, ref)
    cap = 120 if packing == 0x30 else F.DATA_BYTES // (2 * (packing >> 4))
    before, after = _periods(g, good, t, off[good], count, cap)
    codes = np.bincount(g["rate"]).argmax()
    return BlockTable(
        header=header, n_blocks_file=n, index=good, count=count, anchor_ns=t,
        offset=off[good], period_before=before, period_after=after, light=g["light"],
        temperature=g["temperature"], battery=g["battery"], scale=g["light"],
        axes=packing >> 4, packed=(packing & 0x0F) == 0, rate_hz=float(F.rate_from_code(codes)),
        range_g=int(F.range_from_code(codes)), utc_offset_ns=off_ns,
    )


def open_buffer(path: str) -> tuple[Any, Any]:
    """Memory-map ``path`` read-only; returns (buffer, closer). Empty files give b""."""
    fh = open(path, "rb")  # noqa: SIM115 - closed by the returned closer
    try:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except ValueError:  # empty file cannot be mapped
        fh.close()
        return b"", lambda: None

    def close() -> None:
        with contextlib.suppress(BufferError):  # a view still exists; freed with it
            mm.close()
        fh.close()

    return mm, close


__all__ = ["BlockTable", "iso", "open_buffer", "parse_header", "scan"]
