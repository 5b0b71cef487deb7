"""ActiGraph ``.gt3x`` reader (GT3X+, wGT3X+, wGT3X-BT, ActiSleep; the zip + log.bin format).

Format (ActiGraph's public "GT3X File Format" description): a zip holding ``info.txt`` (key: value
lines; sample rate, serial number, acceleration scale, the device's ``TimeZone`` offset, dates in
.NET ticks) and ``log.bin``, a sequence of records ``0x1E, type, uint32 timestamp (whole seconds,
device local time), uint16 payload size, payload, checksum`` where the checksum is the one's
complement of the XOR of header and payload. Zero bytes between records are skipped.

* ACTIVITY (type 0x00): one second of samples, 12-bit two's complement, nibble-packed big-endian,
  axis order Y, X, Z.
* ACTIVITY2 (type 0x1A): one second of samples, int16 little-endian X, Y, Z (a 1-byte payload is a
  USB-connection marker, not data).
* LUX (0x05, uint16) -> ``light``; BATTERY (0x02, uint16 mV) -> ``battery`` in V.

Counts are divided by the acceleration scale (``Acceleration Scale`` in info.txt; else 341 LSB/g for
NEO/CLE serials and 256 for MOS) and not rounded (ActiLife rounds to 3 decimals). Sample ``j`` of
a record stamped ``T`` is at ``T + j / rate``. Seconds with no activity record - idle-sleep mode or
lost records - are left out and reported in ``info.gaps`` (never filled with repeated values).
UTC = device local time - the file's own ``TimeZone`` offset; the ``timezone`` setting is unused.
Records that fail their checksum or are truncated are skipped and listed in
``info.rejected_blocks`` (``block`` = record number in log.bin).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from walkback.errors import CorruptFileError, UnsupportedFormatError
from walkback.io._summary import gaps_and_rate
from walkback.io.types import Channel, Recording, RecordingInfo

NS = 1_000_000_000
ACTIVITY, ACTIVITY2, BATTERY, LUX = 0x00, 0x1A, 0x02, 0x05
_TICKS_TO_UNIX_S = 62_135_596_800
_RECORD_CHUNK = 8192  # seconds from 0001-01-01 to 1970-01-01


def _parse_info(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            out[key.strip()] = value.strip()
    return out


def _tz_offset_s(value: str, path) -> int:
    """``-05:00:00`` -> -18000 seconds."""
    sign = -1 if value.startswith("-") else 1
    try:
        h, m, *s = (int(p) for p in value.lstrip("+-").split(":"))
    except ValueError as exc:
        raise CorruptFileError(f"{path}: info.txt TimeZone {value!r} is not hh:mm:ss") from exc
    return sign * (h * 3600 + m * 60 + (s[0] if s else 0))


def _records(log: bytes) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Offsets, types, timestamps and sizes of all records (one pass over the headers)."""
    rows, rejected = [], []
    i, n, k = 0, len(log), 0
    unpack = struct.Struct("<BBIH").unpack_from
    while i < n:
        if log[i] != 0x1E:
            i += 1  # the spec allows zero padding between records
            continue
        if i + 8 > n:
            rejected.append({"block": k, "reason": "truncated record header"})
            break
        _, typ, ts, size = unpack(log, i)
        if i + 9 + size > n:
            rejected.append({"block": k, "reason": "truncated record"})
            break
        rows.append((i, typ, ts, size, k))
        i += 9 + size
        k += 1
    table = np.array(rows, dtype=np.int64).reshape(-1, 5)
    return table, rejected


def _checksum_ok(buf: np.ndarray, start: np.ndarray, size: np.ndarray) -> np.ndarray:
    """One's-complement XOR checksum of each record (vectorised with reduceat)."""
    if start.size == 0:
        return np.zeros(0, dtype=bool)
    bounds = np.empty(2 * start.size, dtype=np.int64)
    bounds[0::2], bounds[1::2] = start, start + 8 + size
    x = np.bitwise_xor.reduceat(np.r_[buf, np.uint8(0)], bounds)[0::2]
    return (~x).astype(np.uint8) == buf[start + 8 + size]


def _decode_12bit(buf: np.ndarray, start: np.ndarray, size: int) -> np.ndarray:
    """ACTIVITY payloads of one size -> (nrec, samples, 3) int16 in X, Y, Z order.

    Every 9 bytes hold two samples (six 12-bit values, Y X Z Y X Z); an odd last sample uses
    4.5 bytes, so payloads are padded to whole 9-byte groups and the extra sample dropped.
    """
    n_samp = size * 2 // 9
    groups = -(-n_samp // 2)
    out = np.empty((start.size, n_samp, 3), dtype=np.int16)
    for a in range(0, start.size, _RECORD_CHUNK):  # bounded temporaries on week-long files
        s = start[a:a + _RECORD_CHUNK]
        idx = (s + 8)[:, None] + np.arange(groups * 9)[None, :]
        raw = buf[np.minimum(idx, buf.size - 1)].reshape(s.size, groups, 9).astype(np.int16)
        v = np.empty((s.size, groups, 6), dtype=np.int16)
        for k in range(3):  # 3 bytes -> two values: hi = b0 b1[7:4], lo = b1[3:0] b2
            b0, b1, b2 = raw[..., 3 * k], raw[..., 3 * k + 1], raw[..., 3 * k + 2]
            v[..., 2 * k] = (b0 << 4) | (b1 >> 4)
            v[..., 2 * k + 1] = ((b1 & 0x0F) << 8) | b2
        v -= (v > 2047) * np.int16(4096)
        v = v.reshape(s.size, groups * 2, 3)[:, :n_samp]
        out[a:a + _RECORD_CHUNK] = v[..., [1, 0, 2]]
    return out


def _decode_16bit(buf: np.ndarray, start: np.ndarray, size: int) -> np.ndarray:
    n_samp = size // 6
    payload = buf[(start + 8)[:, None] + np.arange(n_samp * 6)[None, :]]
    return np.ascontiguousarray(payload).view("<i2").reshape(start.size, n_samp, 3)


def _activity(buf, rec: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Counts (n, 3) and local times (ns) of all activity records, in file order."""
    typ, size = rec[:, 1], rec[:, 3]
    act = rec[((typ == ACTIVITY) & (size > 0)) | ((typ == ACTIVITY2) & (size >= 6))]
    parts, times = [], []
    for t_code in (ACTIVITY, ACTIVITY2):
        for s in np.unique(act[act[:, 1] == t_code, 3]):
            grp = act[(act[:, 1] == t_code) & (act[:, 3] == s)]
            dec = (_decode_12bit if t_code == ACTIVITY else _decode_16bit)(buf, grp[:, 0], int(s))
            j = np.arange(dec.shape[1])
            t = grp[:, 2, None] * NS + np.rint(j * (NS / rate)).astype(np.int64)[None, :]
            parts.append((grp[:, 4], dec, t))
    if not parts:
        return np.zeros((0, 3), np.int16), np.zeros(0, np.int64), 0
    counts = np.concatenate([p[1].reshape(-1, 3) for p in parts])
    times = np.concatenate([p[2].ravel() for p in parts])
    rec_no = np.concatenate([p[0] for p in parts])
    if np.any(np.diff(rec_no) < 0):  # groups interleave in the file: restore file order
        order = np.argsort(np.concatenate([np.repeat(p[0], p[1].shape[1]) for p in parts]),
                           kind="stable")
        counts, times = counts[order], times[order]
    return counts, times, int(act.shape[0])


def _scale(info: dict[str, str]) -> float:
    value = info.get("Acceleration Scale", "").replace(",", ".")
    if value:
        return float(value)
    return 341.0 if info.get("Serial Number", "")[:3] in ("NEO", "CLE") else 256.0


def read_gt3x(path: str | Path) -> Recording:
    """Read an ActiGraph ``.gt3x`` file (see the module docstring for the conventions)."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if not {"log.bin", "info.txt"} <= names:
                raise UnsupportedFormatError(
                    f"{path}: zip without log.bin/info.txt (an older or non-ActiGraph .gt3x; "
                    f"found {sorted(names)[:5]})")
            info_txt = _parse_info(z.read("info.txt").decode("utf-8", "replace"))
            log = z.read("log.bin")
    except UnsupportedFormatError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error,
            NotImplementedError, RuntimeError, ValueError, KeyError) as exc:
        raise CorruptFileError(f"{path}: damaged .gt3x zip ({type(exc).__name__}: {exc})") from exc
    try:
        rate = float(info_txt["Sample Rate"])
    except (KeyError, ValueError) as exc:
        raise CorruptFileError(f"{path}: info.txt has no valid 'Sample Rate'") from exc
    if not 0 < rate <= 1000:
        raise CorruptFileError(f"{path}: info.txt Sample Rate {rate} Hz is out of range")
    offset_s = _tz_offset_s(info_txt.get("TimeZone", "00:00:00"), path)
    buf = np.frombuffer(log, dtype=np.uint8)
    rec, rejected = _records(log)
    ok = _checksum_ok(buf, rec[:, 0], rec[:, 3]) if rec.size else np.zeros(0, bool)
    rejected += [{"block": int(k), "reason": "checksum mismatch"} for k in rec[~ok, 4]]
    rec = rec[ok]
    counts, local_ns, n_rec = _activity(buf, rec, rate)
    if counts.shape[0] == 0:
        raise CorruptFileError(f"{path}: no activity records in log.bin")
    return _recording(path, info_txt, rate, offset_s, counts, local_ns, rec, buf, rejected, n_rec)


def _aux(rec: np.ndarray, buf: np.ndarray, typ: int, offset_ns: int, scale: float, unit: str):
    sel = rec[(rec[:, 1] == typ) & (rec[:, 3] == 2)]
    if sel.size == 0:
        return None
    raw = buf[sel[:, 0] + 8].astype(np.float32) + 256 * buf[sel[:, 0] + 9].astype(np.float32)
    return Channel(sel[:, 2] * NS - offset_ns, raw * np.float32(scale), unit)


def _recording(path, info_txt, rate, offset_s, counts, local_ns, rec, buf, rejected,
               n_rec) -> Recording:
    warnings = []
    keep = np.r_[True, local_ns[1:] > np.maximum.accumulate(local_ns)[:-1]]
    if not keep.all():
        warnings.append(f"{int((~keep).sum())} sample(s) whose record timestamps go backwards "
                        "were dropped")
        counts, local_ns = counts[keep], local_ns[keep]
    scale = _scale(info_txt)
    accel = counts.astype(np.float32) / np.float32(scale)
    time_ns = local_ns - offset_s * NS
    gaps, measured = gaps_and_rate(time_ns, rate)
    rng = 2048 / scale if rec.size and (rec[:, 1] == ACTIVITY).any() else 32768 / scale
    extra = {k: v for k, v in info_txt.items() if k not in ("Subject Name", "DateOfBirth")}
    extra["utc_offset_s"] = float(offset_s)
    extra["activity_records"] = n_rec
    for key in ("Start Date", "Last Sample Time", "Download Date", "Stop Date"):
        try:
            ticks = int(info_txt.get(key, "0"))
        except ValueError:
            continue
        if ticks > 0:
            extra[key.lower().replace(" ", "_") + "_local_unix_s"] = ticks / 1e7 - _TICKS_TO_UNIX_S
    info = RecordingInfo(
        path=str(path), format="actigraph-gt3x", device=info_txt.get("Device Type", "ActiGraph"),
        device_id=info_txt.get("Serial Number", ""), nominal_rate_hz=rate,
        measured_rate_hz=measured, start_ns=int(time_ns[0]), stop_ns=int(time_ns[-1]),
        n_samples=int(time_ns.size), n_blocks=n_rec, rejected_blocks=rejected, gaps=gaps,
        range_g=float(min(rng, 8.0)), timezone="", extra=extra, warnings=warnings,
    )
    return Recording(
        time_ns=time_ns, accel_g=accel, info=info,
        light=_aux(rec, buf, LUX, offset_s * NS, 1.0, "lux"),
        battery=_aux(rec, buf, BATTERY, offset_s * NS, 1e-3, "V"),
    )
