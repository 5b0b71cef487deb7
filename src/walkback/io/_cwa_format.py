"""Constants and field layouts of the Axivity / Open Movement ``.cwa`` format.

Layout, from the format's public description (Open Movement ``cwa.h``, "AX3 data format"):

* A 1024-byte header block starting with ASCII ``"MD"``, then 512-byte data blocks starting with
  ``"AX"``, all little-endian.
* Data block fields (byte offset): 4 ``deviceFractional`` (top bit set: the low 15 bits are the
  fraction of a second of the block timestamp, in 1/32768 s), 6 session id, 10 sequence id,
  14 packed local timestamp, 18 light (low 10 bits) + unpacked accel scale (top 3 bits,
  1/2^(8+n) g) + gyro scale (next 3 bits), 20 temperature (low 10 bits), 22 events, 23 battery,
  24 sample-rate code, 25 axes/packing (high nibble axes 3/6/9, low nibble 0 packed / 2 int16),
  26 ``timestampOffset`` (int16: the sample index in the block at which the timestamp holds), 28
  sample count, 30..509 samples, 510 checksum (the 16-bit word sum of the whole block is zero).
* Packed timestamps: ``YYYYYYMM MMDDDDDh hhhhmmmm mmssssss`` (year - 2000), local wall time.
* Sample-rate code: rate = 3200 / 2^(15 - (code & 0x0f)) Hz; range = 16 >> (code >> 6) g.
"""

from __future__ import annotations

import numpy as np

HEADER_SIZE = 1024
BLOCK_SIZE = 512
DATA_OFFSET = 30
DATA_BYTES = 480
HEADER_MAGIC = b"MD"
BLOCK_MAGIC = 0x5841  # "AX" little-endian
BLOCK_LENGTH = 508
HARDWARE_AX6 = 0x64

#: Field layout of a data block, for a zero-copy structured view over the whole file.
BLOCK_DTYPE = np.dtype(
    {
        "names": [
            "magic", "length", "fractional", "session", "sequence", "timestamp", "light",
            "temperature", "events", "battery", "rate", "axes_bps", "ts_offset", "count",
        ],
        "formats": ["<u2", "<u2", "<u2", "<u4", "<u4", "<u4", "<u2", "<u2", "u1", "u1", "u1",
                    "u1", "<i2", "<u2"],
        "offsets": [0, 2, 4, 6, 10, 14, 18, 20, 22, 23, 24, 25, 26, 28],
        "itemsize": BLOCK_SIZE,
    }
)

#: The 30-byte block header alone (same fields, packed), for compact per-block tables.
HEADER30_DTYPE = np.dtype({
    "names": list(BLOCK_DTYPE.names),
    "formats": [BLOCK_DTYPE.fields[k][0] for k in BLOCK_DTYPE.names],
    "offsets": [BLOCK_DTYPE.fields[k][1] for k in BLOCK_DTYPE.names],
    "itemsize": 30,
})

#: Rate codes the devices use: low nibble 6..15 (6.25 .. 3200 Hz).
MIN_RATE_NIBBLE = 6


def rate_from_code(code: np.ndarray | int) -> np.ndarray | float:
    """Nominal sample rate in Hz from a sample-rate code (array or scalar)."""
    nib = np.asarray(code) & 0x0F
    out = 3200.0 / np.left_shift(1, 15 - nib.astype(np.int64)).astype(np.float64)
    return float(out) if np.ndim(out) == 0 else out


def range_from_code(code: np.ndarray | int) -> np.ndarray | int:
    """Accelerometer range (+/- g) from a sample-rate code."""
    out = np.right_shift(16, np.asarray(code).astype(np.int64) >> 6)
    return int(out) if np.ndim(out) == 0 else out


def rate_code(rate_hz: float, range_g: int) -> int:
    """The sample-rate code for ``rate_hz`` (3200/2^k Hz) and ``range_g`` (2, 4, 8 or 16)."""
    nibbles = {3200.0 / (1 << (15 - n)): n for n in range(MIN_RATE_NIBBLE, 16)}
    ranges = {16: 0, 8: 1, 4: 2, 2: 3}
    if float(rate_hz) not in nibbles:
        raise ValueError(f"rate_hz must be one of {sorted(nibbles)}, got {rate_hz}")
    if int(range_g) not in ranges:
        raise ValueError(f"range_g must be one of {sorted(ranges)}, got {range_g}")
    return nibbles[float(rate_hz)] | (ranges[int(range_g)] << 6)


def days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (vectorised, int64)."""
    y = y.astype(np.int64) - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m.astype(np.int64) + 9) % 12
    doy = (153 * mp + 2) // 5 + d.astype(np.int64) - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse of :func:`days_from_civil`: (year, month, day) arrays."""
    z = np.asarray(z, dtype=np.int64) + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    return y + (m <= 2), m, d


_DAYS_IN_MONTH = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _date_table() -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970 and validity of every 15-bit packed date (YYYYYYMMMMDDDDD), built once."""
    code = np.arange(1 << 15, dtype=np.int64)
    year, month, day = (code >> 9) + 2000, (code >> 5) & 0x0F, code & 0x1F
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = _DAYS_IN_MONTH[np.clip(month, 0, 12)] - ((month == 2) & ~leap)
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays)
    return days_from_civil(year, np.clip(month, 1, 12), np.clip(day, 1, 31)), valid


_DATES: tuple[np.ndarray, np.ndarray] | None = None


def unpack_timestamp(ts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Packed local timestamps -> (seconds since 1970 as local wall clock, valid mask)."""
    global _DATES
    if _DATES is None:
        _DATES = _date_table()
    ts = np.asarray(ts, dtype=np.uint32)
    date = ts >> 17
    tod = (ts & 0x1FFFF).astype(np.int32)
    hour, minute, sec = tod >> 12, (tod >> 6) & 0x3F, tod & 0x3F
    valid = _DATES[1][date] & (hour < 24) & (minute < 60) & (sec < 60)
    secs = _DATES[0][date] * 86400 + (hour * 3600 + minute * 60 + sec)
    return secs, valid


def pack_timestamp(local_s: np.ndarray) -> np.ndarray:
    """Local wall-clock seconds since 1970 (int) -> packed timestamps (uint32)."""
    local_s = np.asarray(local_s, dtype=np.int64)
    days, sod = np.divmod(local_s, 86400)
    y, m, d = civil_from_days(days)
    if np.any((y < 2000) | (y > 2063)):
        raise ValueError("the .cwa format stores years 2000-2063 only")
    out = ((y - 2000) << 26) | (m << 22) | (d << 17) | ((sod // 3600) << 12)
    out |= ((sod // 60) % 60) << 6 | (sod % 60)
    return out.astype(np.uint32)


def fractional_offset_samples(fractional: np.ndarray, rate_code_: np.ndarray) -> np.ndarray:
    """Samples the firmware subtracted from ``timestampOffset`` for the fractional time.

    The firmware stores ``timestampOffset - ((frac16 * int(rate_hz)) >> 16)`` so that readers that
    ignore the fraction stay close; readers that use it add this back (frac16 = low 15 bits << 1).
    """
    frac16 = (fractional.astype(np.int64) & 0x7FFF) << 1
    rate_int = np.asarray(rate_from_code(rate_code_)).astype(np.int64)
    return (frac16 * rate_int) >> 16
