"""GENEActiv ``.bin`` reader.

Format (Activinsights' GENEActiv binary description, as used by GENEAread/GGIRread): a text header
(sections "Device Identity", "Configuration Info", "Calibration Data", ... with ``key:value``
lines) and then pages of 10 lines: ``Recorded Data``, serial code, sequence number, ``Page Time``
(``YYYY-MM-DD hh:mm:ss:mmm``, device local time), unassigned, temperature (degC), battery voltage,
device status, measurement frequency, and one line of 300 samples x 12 hex digits. Each sample:
x, y, z as 12-bit two's complement, then 10-bit light, a button bit and a reserved bit.

* acceleration g = (raw * 100 - offset) / gain with the header's per-axis gain and offset;
* light (lux) = raw * header Lux / header Volts, one value per sample (kept per sample in the
  ``light`` channel);
* temperature and battery are per page, timed at the page's first sample;
* sample ``i`` of a page is at ``Page Time + i / frequency`` (the page's own frequency).

Clock: the device keeps the configuring computer's local time. The header's "Time Zone"
(``GMT +01:00``) is that computer's UTC offset and is used when ``timezone`` is None; an IANA
``timezone`` given explicitly overrides it (one fixed offset at the first page, see
:mod:`walkback.io._time`); when the header zone is unreadable the default zone is used with a
warning. Pages that cannot be decoded (bad hex, short line, bad time, more or fewer than 10 lines
between two ``Recorded Data`` lines) are skipped and listed in ``info.rejected_blocks`` (``block`` =
page number); a damaged page never shifts the pages after it. Calibration values must be numbers
(optionally followed by a unit word): a damaged one is refused, never read with a digit missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.definitions import DEFAULT_TIMEZONE
from walkback.errors import CorruptFileError, UnsupportedFormatError
from walkback.io._summary import gaps_and_rate
from walkback.io._time import local_to_utc
from walkback.io.types import Channel, Recording, RecordingInfo

NS = 1_000_000_000
SAMPLES_PER_PAGE = 300
_PAGE_CHUNK = 4096
_HEX = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789ABCDEF"):
    _HEX[_c] = _i
for _i, _c in enumerate(b"abcdef"):
    _HEX[_c] = 10 + _i


def _header(lines: list[bytes], path) -> tuple[dict[str, str], int]:
    """Header key/values and the index of the first 'Recorded Data' line."""
    head: dict[str, str] = {}
    for i, raw in enumerate(lines):
        line = raw.decode("latin-1").strip()
        if line == "Recorded Data":
            return head, i
        if ":" in line:
            k, v = line.split(":", 1)
            head.setdefault(k.strip(), v.strip())
    raise CorruptFileError(f"{path}: GENEActiv header without any 'Recorded Data' page")


_NUMBER = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*[A-Za-z. ]*")


def _num(head: dict[str, str], key: str, path) -> float:
    """A numeric header value (a number, optionally followed by a unit word)."""
    m = _NUMBER.fullmatch(head.get(key, "").strip())
    if m is None:
        raise CorruptFileError(f"{path}: GENEActiv header has no valid {key!r} "
                               f"(found {head.get(key)!r})")
    return float(m.group(1))


def _gmt_offset_s(text: str) -> int | None:
    m = re.search(r"([+-])\s*(\d{1,2}):(\d{2})", text or "")
    if not m:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return sign * (int(m.group(2)) * 3600 + int(m.group(3)) * 60)


def _pages(lines: list[bytes], first: int):
    """Per-page fields and a reason per page ("" = whole). A page is the 10 lines from a
    'Recorded Data' line; one with fewer or more lines before the next such line (a damaged line
    break) is rejected alone, so the pages after it stay aligned."""
    n = len(lines)
    starts = np.array([i for i in range(first, n) if lines[i][:13] == b"Recorded Data"
                       and lines[i].strip() == b"Recorded Data"], dtype=np.int64)
    span = np.diff(np.r_[starts, n])
    last = np.arange(starts.size) == starts.size - 1
    whole = (span == 10) | (last & (span >= 10))
    reason = np.array(["" if ok else f"page has {k} of 10 lines" for ok, k in zip(whole, span,
                      strict=True)], dtype=object)
    take = starts[whole]
    field = {name: [b""] * starts.size for name in ("time", "temp", "batt", "freq")}
    data = [b""] * starts.size
    for j, s in zip(np.flatnonzero(whole), take, strict=True):
        for name, off in (("time", 3), ("temp", 5), ("batt", 6), ("freq", 8)):
            field[name][j] = lines[s + off].split(b":", 1)[-1].strip()
        data[j] = lines[s + 9].strip()
    return starts, field, data, reason


def read_geneactiv(path: str | Path, *, timezone: str | None = None) -> Recording:
    """Read a GENEActiv ``.bin`` file (see the module docstring for the conventions)."""
    path = Path(path)
    raw = path.read_bytes()
    if not raw.lstrip(b"\xef\xbb\xbf\r\n ").startswith(b"Device Identity"):
        raise UnsupportedFormatError(f"{path}: not a GENEActiv .bin (no 'Device Identity')")
    lines = raw.splitlines()
    head, first = _header(lines, path)
    gains = np.array([_num(head, f"{a} gain", path) for a in "xyz"], dtype=np.float64)
    offsets = np.array([_num(head, f"{a} offset", path) for a in "xyz"], dtype=np.float64)
    if np.any(gains == 0):
        raise CorruptFileError(f"{path}: calibration gain of zero in the header")
    starts, field, data, reason = _pages(lines, first)
    short = np.array([r == "" and len(d) != SAMPLES_PER_PAGE * 12 for r, d in
                      zip(reason, data, strict=True)], dtype=bool)
    reason[short] = "data line is not 3600 hex digits"
    good_idx = np.flatnonzero(reason == "")
    accel, light_raw, bad_hex = _decode_pages(data, good_idx, gains, offsets)
    page_t = pd.to_datetime(pd.Series([field["time"][i].decode("latin-1") for i in good_idx]),
                            format="%Y-%m-%d %H:%M:%S:%f", errors="coerce")
    freq = pd.to_numeric(pd.Series([field["freq"][i].decode("latin-1") for i in good_idx]),
                         errors="coerce").to_numpy(np.float64)
    bad_t = page_t.isna().to_numpy() | ~(freq > 0)
    reason[good_idx[bad_hex]] = "invalid hex digits"
    reason[good_idx[bad_t & ~bad_hex]] = "invalid page time or frequency"
    keep = ~(bad_hex | bad_t)
    good_idx, freq = good_idx[keep], freq[keep]
    if good_idx.size == 0:
        raise CorruptFileError(f"{path}: no decodable data pages")
    if not keep.all():
        accel, light_raw = accel[keep], light_raw[keep]
    accel = accel.reshape(-1, 3)
    page_local = page_t[keep].to_numpy().astype("datetime64[ns]").astype(np.int64)
    return _build(path, head, field, good_idx, accel, light_raw, freq, page_local, gains,
                  offsets, reason, timezone)


def _decode_pages(data: list[bytes], idx: np.ndarray, gains: np.ndarray, offsets: np.ndarray):
    """Hex pages -> accel (P, 300, 3) float32 g, raw light (P, 300), bad-hex flag (P,).

    Decoded in chunks of pages so temporaries stay small on week-long files.
    """
    accel = np.empty((idx.size, SAMPLES_PER_PAGE, 3), dtype=np.float32)
    light = np.empty((idx.size, SAMPLES_PER_PAGE), dtype=np.uint16)
    bad = np.empty(idx.size, dtype=bool)
    for a in range(0, idx.size, _PAGE_CHUNK):
        sel = idx[a:a + _PAGE_CHUNK]
        hexes = np.frombuffer(b"".join(data[i] for i in sel), dtype=np.uint8)
        nib = _HEX[hexes].reshape(sel.size, SAMPLES_PER_PAGE, 12)
        bad[a:a + sel.size] = (nib == 255).any(axis=(1, 2))
        n16 = nib.astype(np.int16)
        for k in range(3):
            v = (n16[..., 3 * k] << 8) | (n16[..., 3 * k + 1] << 4) | n16[..., 3 * k + 2]
            v -= (v > 2047) * np.int16(4096)
            accel[a:a + sel.size, :, k] = (v * 100.0 - offsets[k]) / gains[k]
        light[a:a + sel.size] = (n16[..., 9] << 6) | (n16[..., 10] << 2) | (n16[..., 11] >> 2)
    return accel, light, bad


def _build(path, head, field, good_idx, accel, light_raw, freq, page_local, gains, offsets,
           reason, timezone) -> Recording:
    i = np.arange(SAMPLES_PER_PAGE)[None, :]
    local = page_local[:, None] + np.rint(i * (NS / freq[:, None])).astype(np.int64)
    zone_off = _gmt_offset_s(head.get("Time Zone", ""))
    warnings = []
    if timezone is None and zone_off is not None:
        off_ns, tz_used = zone_off * NS, ""
    else:
        tz_used = timezone or DEFAULT_TIMEZONE
        _, off_ns = local_to_utc(local[:1, 0], tz_used, int(local[0, 0]))
        if timezone is None:
            zone_text = head.get("Time Zone")
            what = ("no header Time Zone" if zone_text is None else
                    f"header Time Zone {zone_text!r} is not 'GMT +hh:mm'")
            warnings.append(f"{what}; the device clock is taken as {tz_used} time")
    if "Page Time" in head:
        warnings.append("a data page before the first 'Recorded Data' line has a damaged marker "
                        "and was skipped")
    local -= off_ns
    t = local.ravel()
    keep = np.r_[True, t[1:] > np.maximum.accumulate(t)[:-1]]
    if not keep.all():
        warnings.append(f"{int((~keep).sum())} sample(s) whose page times go backwards dropped")
        t, accel, light_raw = t[keep], accel[keep], light_raw.reshape(-1)[keep]
    volts, lux = _num(head, "Volts", path), _num(head, "Lux", path)
    light = (light_raw.reshape(-1) * np.float32(lux / volts if volts else 1.0)).astype(np.float32)
    rate = float(np.median(freq))
    gaps, measured = gaps_and_rate(t, rate)
    page_t_utc = page_local - off_ns

    def per_page(name: str, unit: str) -> Channel:
        vals = pd.to_numeric(pd.Series([field[name][j].decode("latin-1") for j in good_idx]),
                             errors="coerce").to_numpy(np.float32)
        return Channel(page_t_utc.copy(), vals, unit)

    rejected = [{"block": int(j), "reason": str(reason[j])} for j in np.flatnonzero(reason != "")]
    info = RecordingInfo(
        path=str(path), format="geneactiv-bin", device=head.get("Device Type", "GENEActiv"),
        device_id=head.get("Device Unique Serial Code", ""), nominal_rate_hz=rate,
        measured_rate_hz=measured, start_ns=int(t[0]), stop_ns=int(t[-1]),
        n_samples=int(t.size), n_blocks=int(good_idx.size), rejected_blocks=rejected,
        gaps=gaps, range_g=8.0, timezone=tz_used,
        extra={"utc_offset_s": off_ns / NS, "header_time_zone": head.get("Time Zone", ""),
               "pages_in_header": head.get("Number of Pages", ""),
               "extract_notes": head.get("Extract Notes", ""),
               "calibration": {"gain": gains.tolist(), "offset": offsets.tolist(),
                               "volts": volts, "lux": lux}},
        warnings=warnings,
    )
    return Recording(time_ns=t, accel_g=accel, info=info,
                     temperature=per_page("temp", "degC"), battery=per_page("batt", "V"),
                     light=Channel(t.copy(), light, "lux"))
