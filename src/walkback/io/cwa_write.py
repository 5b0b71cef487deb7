"""Write valid Axivity AX3 ``.cwa`` files from arrays (for tests, benchmarks and simulation).

What is written (all vectorised, a week at 100 Hz takes seconds):

* the 1024-byte "MD" header (hardware type AX3, device and session ids, sample-rate code, the
  configuration time = the first sample's local time, url-encoded metadata);
* 512-byte "AX" data blocks of 120 (packed) or 80 (unpacked) samples with valid checksums;
  a new block starts at every gap (consecutive samples more than 1.5 periods apart), so a block
  before a gap can be partly filled; within a block times are linear between anchors, so
  irregular intervals shorter than 1.5 periods are smoothed (uniform sampling is exact);
* sequence ids count blocks from 0 and skip one number at every gap. A gap that falls on a
  block boundary leaves a *full* block before it, and between two full blocks with consecutive
  ids the reader (like the firmware's own decoders) takes the time step as the device clock
  running fast or slow (up to 25 %, :mod:`walkback.io._cwa_scan`) and spreads it over the
  block; the skipped id says "no blocks were logged here", so the gap stays a gap;
* per block one anchor, on the block's first sample: whole local seconds in the packed timestamp,
  the fraction of a second in ``deviceFractional`` (15 bits, 1/32768 s) and the firmware's
  backward-compatible ``timestampOffset = -((frac16 * int(rate)) >> 16)``;
* temperature, light and battery fields from scalars or per-sample arrays (the block's first).

Device time is local wall time: UTC times are shifted by the IANA ``timezone``'s offset at the
first sample, held for the whole file (as a real device clock does; see :mod:`walkback.io._time`).

Resolution: packed samples keep a 10-bit mantissa with a 2-bit exponent (1/256 g steps up to
+/-2 g, 1/128 g to 4 g, 1/64 g to 8 g, 1/32 g to 16 g); unpacked samples are int16 in 1/256 g.
Values are rounded to the nearest step and clipped to +/- ``range_g`` (packed: at most
511 * 8 / 256 = 15.97 g, the format's largest value). Times: each block
anchor is rounded to 1/65536 s, samples are linear between anchors; read back they are within
1.5/32768 s (46 us) of the times given (anchor rounding, extrapolated over at most one block).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from walkback._atomic import atomic_path
from walkback.definitions import DEFAULT_TIMEZONE
from walkback.io import _cwa_format as F
from walkback.io._time import NS, utc_offset_ns

_WRITE_CHUNK_BLOCKS = 65536


def _quantise_packed(a: np.ndarray) -> np.ndarray:
    """Acceleration in 1/256 g units (float) -> packed uint32 words (10-bit, 2-bit exponent)."""
    mag = np.abs(a).max(axis=-1)
    e = np.zeros(mag.shape, dtype=np.int64)
    for k in (1, 2, 3):  # smallest exponent whose mantissa fits -512..511
        e += mag > (511.5 * (1 << (k - 1)))
    m = np.rint(a / (1 << e)[..., None]).astype(np.int64)
    m = np.clip(m, -512, 511) & 0x3FF
    word = m[..., 0] | (m[..., 1] << 10) | (m[..., 2] << 20) | (e << 30)
    return word.astype(np.uint32)


def _block_plan(t_local: np.ndarray, rate_hz: float,
                cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start sample index, count and sequence id of each block: full blocks, cut at every gap.

    Sequence ids skip one number after each gap (see the module docstring)."""
    n = t_local.size
    gap = np.flatnonzero(np.diff(t_local) > 1.5 * NS / rate_hz) + 1
    seg_start = np.r_[0, gap]
    seg_len = np.diff(np.r_[seg_start, n])
    nb = -(-seg_len // cap)
    starts = np.repeat(seg_start, nb) + cap * (
        np.arange(nb.sum()) - np.repeat(np.cumsum(nb) - nb, nb))
    counts = np.minimum(cap, np.repeat(seg_start + seg_len, nb) - starts)
    sequence = np.arange(starts.size) + np.repeat(np.arange(seg_start.size), nb)
    return starts, counts, sequence


def _header(device_id: int, session_id: int, code: int, first_local_ns: int,
            metadata: str) -> bytes:
    h = np.zeros(F.HEADER_SIZE, dtype=np.uint8)
    h[512:] = 0xFF
    b = bytearray(h.tobytes())
    b[0:2] = F.HEADER_MAGIC
    b[2:4] = (1020).to_bytes(2, "little")
    b[4] = 0x17
    b[5:7] = (device_id & 0xFFFF).to_bytes(2, "little")
    b[7:11] = (session_id & 0xFFFFFFFF).to_bytes(4, "little")
    b[11:13] = ((device_id >> 16) & 0xFFFF).to_bytes(2, "little")
    b[13:17] = b"\x00\x00\x00\x00"  # logging start: always
    b[17:21] = b"\xff\xff\xff\xff"  # logging end: never
    b[35] = 0x00
    b[36] = code
    stamp = int(F.pack_timestamp(np.array([first_local_ns // NS]))[0])
    b[37:41] = stamp.to_bytes(4, "little")
    b[41] = 45
    b[42:44] = (0xFFFF).to_bytes(2, "little")
    meta = metadata.encode("ascii")[:448]
    b[64:64 + len(meta)] = meta
    b[64 + len(meta):512] = b" " * (448 - len(meta))
    return bytes(b)


def _per_block(value, starts: np.ndarray, n: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(starts.size, float(arr))
    if arr.shape[0] != n:
        raise ValueError(f"per-sample auxiliary arrays must have {n} values, got {arr.shape[0]}")
    return arr[starts]


def _blocks(accel_units, t_local, starts, counts, aux, code, packed, session_id, sequence):
    """Build the byte image of blocks (nb, 512) uint8 for the given plan."""
    nb = starts.size
    cap = 120 if packed else 80
    out = np.zeros((nb, 256), dtype="<u2")
    raw = out.view(np.uint8)
    hdr = np.zeros(nb, dtype=F.HEADER30_DTYPE)
    anchor = t_local[starts]
    secs, frac_ns = np.divmod(anchor, NS)
    frac15 = (frac_ns * 32768 + NS // 2) // NS  # nearest 1/32768 s
    secs, frac15 = secs + (frac15 >> 15), frac15 & 0x7FFF
    frac16 = frac15 << 1
    hdr["magic"], hdr["length"] = F.BLOCK_MAGIC, F.BLOCK_LENGTH
    hdr["fractional"] = 0x8000 | frac15
    hdr["session"], hdr["sequence"] = session_id, sequence
    hdr["timestamp"] = F.pack_timestamp(secs)
    hdr["light"] = np.clip(aux["light"], 0, 1023).astype(np.uint16)
    temp_raw = np.rint((aux["temperature"] + 50.0) * 256 / 75)
    hdr["temperature"] = np.clip(temp_raw, 0, 1023).astype(np.uint16)
    hdr["battery"] = np.clip(np.rint(aux["battery"] * 1024 / 6 - 512), 0, 255).astype(np.uint8)
    hdr["rate"], hdr["axes_bps"] = code, 0x30 if packed else 0x32
    hdr["ts_offset"] = -((frac16 * int(F.rate_from_code(code))) >> 16)
    hdr["count"] = counts
    raw[:, :30] = hdr.view(np.uint8).reshape(nb, 30)
    slot = np.arange(cap)[None, :] < counts[:, None]
    src = starts[:, None] + np.minimum(np.arange(cap)[None, :], counts[:, None] - 1)
    samples = np.where(slot[..., None], accel_units[src], 0.0)
    if packed:
        raw[:, 30:510] = _quantise_packed(samples).view(np.uint8).reshape(nb, 480)
    else:
        ints = np.clip(np.rint(samples), -32768, 32767).astype("<i2")
        raw[:, 30:510] = ints.view(np.uint8).reshape(nb, 480)
    out[:, 255] = 0
    out[:, 255] = (-out.sum(axis=1, dtype=np.uint32)) & 0xFFFF
    return raw


def write_cwa(
    path: str | Path,
    accel_g: np.ndarray,
    *,
    time_ns: np.ndarray | None = None,
    start_ns: int | None = None,
    rate_hz: float = 100.0,
    packed: bool = True,
    range_g: int = 8,
    temperature_c: float | np.ndarray = 25.0,
    light: float | np.ndarray = 0.0,
    battery_v: float | np.ndarray = 4.0,
    device_id: int = 12345,
    session_id: int = 1,
    timezone: str = DEFAULT_TIMEZONE,
    metadata: str = "",
) -> Path:
    """Write ``accel_g`` (n, 3, g, device axes) as an AX3 ``.cwa`` file; return the path.

    Sample times: either ``time_ns`` (int64 UTC ns, increasing; gaps allowed) or ``start_ns``
    (UTC ns of the first sample) with uniform sampling at ``rate_hz``. ``rate_hz`` (the nominal
    rate in the file) must be 3200/2^k Hz (6.25 ... 3200); ``range_g`` one of 2, 4, 8, 16.
    ``temperature_c``, ``light`` (raw 0..1023) and ``battery_v`` are scalars or per-sample arrays
    (each block stores the value at its first sample). Written atomically.
    """
    accel = np.asarray(accel_g)
    if accel.ndim != 2 or accel.shape[1] != 3 or accel.shape[0] == 0:
        raise ValueError(f"accel_g must have shape (n, 3) with n > 0, got {accel.shape}")
    n = accel.shape[0]
    code = F.rate_code(rate_hz, range_g)
    if time_ns is None:
        if start_ns is None:
            raise ValueError("give time_ns or start_ns")
        time_ns = int(start_ns) + np.rint(np.arange(n) * (NS / rate_hz)).astype(np.int64)
    time_ns = np.asarray(time_ns, dtype=np.int64)
    if time_ns.shape != (n,) or np.any(np.diff(time_ns) <= 0):
        raise ValueError("time_ns must be strictly increasing with one time per sample")
    # one offset for the whole file: the zone's offset at the first sample (a device clock
    # is set once and never follows DST); look it up at the local time the clock shows
    guess = int(time_ns[0]) + utc_offset_ns(int(time_ns[0]), timezone)
    t_local = time_ns + utc_offset_ns(guess, timezone)
    cap = 120 if packed else 80
    starts, counts, sequence = _block_plan(t_local, rate_hz, cap)
    aux = {"temperature": _per_block(temperature_c, starts, n),
           "light": _per_block(light, starts, n), "battery": _per_block(battery_v, starts, n)}
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(_header(int(device_id), int(session_id), code, int(t_local[0]), metadata))
        for a in range(0, starts.size, _WRITE_CHUNK_BLOCKS):
            b = min(starts.size, a + _WRITE_CHUNK_BLOCKS)
            s, c = starts[a:b], counts[a:b]
            lo, hi = int(s[0]), int(s[-1] + c[-1])
            part = {k: v[a:b] for k, v in aux.items()}
            units = np.clip(accel[lo:hi].astype(np.float64), -range_g, range_g) * 256.0
            img = _blocks(units, t_local[lo:hi], s - lo, c, part, code, packed, session_id,
                          sequence[a:b])
            fh.write(img.tobytes())
    return path
