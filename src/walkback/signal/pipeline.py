"""``prepare``: thigh (+ back) recordings to one :class:`~walkback.signal.Prepared` signal.

Order of operations, per sensor: resample to the grid (true sample times, anti-aliasing, gaps kept)
-> autocalibration (sphere fit; applied only when it succeeds) -> orientation (canonical axes) ->
non-wear (stillness + temperature). The back sensor is first synchronised to the thigh sensor (clock
offset and drift from the movement signals) and then resampled through that clock map onto the
thigh's grid. Calendar days come from the thigh grid and its valid samples.

Storage: the grid signals are float16 by default (``PrepareSettings.storage``; see
:mod:`walkback._half`): each block is resampled in float32 and rounded once; calibration and
rotation decode, transform in float32 and round again (two roundings in all, each <= half a unit
in the last place).

Memory: the inputs may be :class:`~walkback.io.RecordingStream`s (``walkback.io.open_stream``):
their samples are then decoded an hour at a time and resampled straight onto the grid, so the raw
week (1.2 GB per 100 Hz sensor) is never in memory; the back file is passed over twice (its
movement magnitude for the clock sync, then its samples through the clock map). The grid arrays
(float16, 173 MB per sensor-week at 50 Hz; float32 346 MB) are allocated once and every later step works in
place or in chunks; a stream's block table is released after its last pass, and the valid masks
are not kept (:class:`Prepared` derives them from the NaN).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from walkback._threads import Pending, alongside, worker_threads
from walkback.errors import InputDataError, SyncError
from walkback.io.stream import RecordingStream, concat_channel
from walkback.io.types import Recording, RecordingInfo
from walkback.settings import to_mapping
from walkback.signal._windows import aggregate, magnitude, transform, window_stats
from walkback.signal.calibrate import apply_calibration, fit_calibration
from walkback.signal.days import calendar_days
from walkback.signal.nonwear import detect_nonwear
from walkback.signal.orientation import apply_matrix, detect_orientation
from walkback.signal.resample import ResampledSignal, Resampler, grid_length
from walkback.signal.settings import PrepareSettings
from walkback.signal.sync import SyncResult, estimate_sync
from walkback.signal.types import Prepared

__all__ = ["prepare"]

log = logging.getLogger(__name__)
_CHUNK_S = 3600.0  # seconds of samples decoded per step when streaming from a file

Source = Recording | RecordingStream


def prepare(
    thigh: Source,
    back: Source | None = None,
    settings: PrepareSettings | None = None,
) -> Prepared:
    """Prepare one participant's thigh (and optional lower-back) recording.

    ``thigh`` / ``back`` are :class:`~walkback.io.Recording`s or, to keep memory to the output
    grid, :class:`~walkback.io.RecordingStream`s from :func:`walkback.io.open_stream`; both give
    the same result. Returns a :class:`Prepared` on the thigh's uniform grid (``settings.fs_hz``),
    canonical axes, per-sensor valid / wear masks, local calendar days and a JSON-able ``qc``
    dict. Raises :class:`~walkback.errors.SyncError` when the back cannot be synchronised (unless
    ``settings.on_sync_error == "drop_back"``) and :class:`~walkback.errors.InputDataError` for an
    empty recording.

    Streams are consumed: each is released (:meth:`~walkback.io.RecordingStream.release`) after
    its last pass, so its block table is not held while the next sensor is read; open the file
    again to prepare it twice.
    """
    s = settings or PrepareSettings()
    streams = {name: _stream(src) for name, src in (("thigh", thigh), ("back", back))
               if src is not None}
    for name, (st, _) in streams.items():
        if st.n < 2:
            raise InputDataError(f"{st.info.path}: the {name} recording has {st.n} samples")
    ts, t_rate = streams["thigh"]
    period = 1e9 / s.fs_hz
    start_ns = int(math.ceil(int(ts.info.start_ns) / period) * period)
    stop_ns = int(ts.info.stop_ns)
    n = grid_length(start_ns, stop_ns, s.fs_hz)
    qc: dict[str, Any] = {"settings": to_mapping(s)}

    t_res, t_temp = _resample(ts, t_rate, s, start_ns, n)
    ts.release()  # its last pass: the block table goes before the back is read
    # the back's magnitude pass for the clock sync needs nothing from the thigh: on two cores it
    # runs while the thigh is calibrated, oriented and checked for wear
    back_mag = None
    if "back" in streams and _overlap(streams["back"][0].info, start_ns, stop_ns):
        back_mag = alongside(_back_magnitude, streams["back"][0], start_ns, stop_ns, s)
    try:
        thigh_g, thigh_wear, qc["thigh"] = _finish_sensor(t_res, ts.info, t_temp, "thigh", s, None)
        days = calendar_days(start_ns, thigh_g.shape[0], s.fs_hz, s.timezone, valid=t_res.valid)
    except BaseException:
        if back_mag is not None:
            back_mag.abandon()  # no decoding goes on after prepare has failed
        raise
    del t_res, t_temp  # the valid mask: Prepared derives it from the NaN
    back_g = back_wear = None
    if "back" in streams:
        bs, b_rate = streams["back"]
        try:
            sync = _synchronise(thigh_g, back_mag, start_ns, s)
        except SyncError as exc:
            if s.on_sync_error == "raise":
                raise SyncError(f"{ts.info.path} / {bs.info.path}: {exc}") from exc
            log.warning("back sensor dropped: %s", exc)
            qc["sync"] = {"ok": False, "error": str(exc)}
            qc["back"] = {"present": True, "used": False}
        else:
            qc["sync"] = sync.to_dict()
            b_res, b_temp = _resample(bs, b_rate, s, start_ns, n, clock=sync.back_time_ns)
            bs.release()
            back_g, back_wear, qc["back"] = _finish_sensor(b_res, bs.info, b_temp, "back", s,
                                                           sync)
            del b_res, b_temp
    else:
        qc["sync"] = {"ok": False, "error": "no back sensor"}
        qc["back"] = {"present": False}
    for st, _ in streams.values():
        st.release()  # also when the back was dropped
    return Prepared(
        fs_hz=float(s.fs_hz), start_ns=start_ns, thigh_g=thigh_g,
        thigh_wear=thigh_wear, timezone=s.timezone, days=days, back_g=back_g,
        back_wear=back_wear, qc=qc,
    )


def _stream(src: Source) -> tuple[RecordingStream, float | None]:
    """The source as a stream, and its effective input rate (Hz) for the anti-aliasing design
    (None for an in-memory recording: the resampler measures it from the one whole chunk)."""
    if isinstance(src, Recording):
        return RecordingStream.from_recording(src), None
    rate = src.info.measured_rate_hz
    if not np.isfinite(rate):
        rate = src.info.nominal_rate_hz
    return src, float(rate)


def _resample(st: RecordingStream, rate: float | None, s: PrepareSettings, start_ns: int, n: int,
              clock: Any = None) -> tuple[ResampledSignal, tuple[np.ndarray, np.ndarray] | None]:
    """One pass over ``st`` onto the grid; also returns its temperature channel (time, degC)."""
    r = Resampler(s.fs_hz, start_ns, n, fs_in_hz=rate, max_gap_s=s.max_gap_s, clock=clock,
                  source=str(st.info.path), dtype=np.dtype(s.storage))
    temps = []
    for ch in _prefetch(st.chunks(_CHUNK_S)):
        r.feed(ch.time_ns, ch.accel_g)
        temps.append(ch.temperature)
    return r.finish(), concat_channel(temps)


def _prefetch(chunks: Iterator[Recording]) -> Iterator[Recording]:
    """Decode the next chunk in a background thread while the current one is resampled (the
    decoder and the resampling kernel release the GIL). Errors surface in the caller. With
    ``WALKBACK_THREADS=1`` (batch workers) the chunks are decoded in turn instead."""
    if worker_threads() < 2:
        yield from chunks
        return
    with ThreadPoolExecutor(1) as pool:
        it = iter(chunks)
        nxt = pool.submit(next, it, None)
        while True:
            ch = nxt.result()
            if ch is None:
                return
            nxt = pool.submit(next, it, None)
            yield ch


def _finish_sensor(res: ResampledSignal, info: RecordingInfo,
                   temperature: tuple[np.ndarray, np.ndarray] | None, sensor: str,
                   s: PrepareSettings, sync: SyncResult | None
                   ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Calibrate, orient and find non-wear, in place on ``res.values``."""
    x = res.values
    qc: dict[str, Any] = {
        "present": True, "used": True, "path": str(info.path),
        "resampling": {
            "input_rate_hz": round(res.input_rate_hz, 4),
            "nominal_rate_hz": info.nominal_rate_hz
            if np.isfinite(info.nominal_rate_hz) else None,
            "gaps": [{"start_ns": a, "stop_ns": b, "duration_s": round((b - a) / 1e9, 3)}
                     for a, b in res.gaps],
            "valid_fraction": round(float(res.valid.mean()), 6) if res.n else 0.0,
        },
    }
    # one pass of 5-s window statistics serves calibration (10 s), orientation (5 s) and non-wear
    # (60 s): per-axis stats follow the calibration and the rotation exactly (see _windows)
    w5 = max(8, int(round(5.0 * s.fs_hz)))
    ws5 = window_stats(x, w5)
    off = sc = None
    if s.calibrate:
        cal = fit_calibration(x, s.fs_hz, stats=aggregate(ws5, 2))
        apply_calibration(x, cal, out=x)
        qc["calibration"] = cal.to_dict()
        if cal.ok:
            off, sc = np.asarray(cal.offset_g), np.asarray(cal.scale)
    else:
        qc["calibration"] = {"ok": False, "applied": False, "reason": "disabled in settings"}
    ws5 = transform(ws5, off, sc)
    matrix = None
    if s.orientation == "auto":
        rep = detect_orientation(x, s.fs_hz, sensor, stats=ws5)
        if not np.array_equal(rep.matrix, np.eye(3, dtype=int)):
            apply_matrix(x, rep.matrix, out=x)
            matrix = np.asarray(rep.matrix)
        qc["orientation"] = rep.to_dict()
    else:
        qc["orientation"] = {"evidence": "disabled in settings: device axes kept"}
    temp = _temperature(temperature, sync)
    k = int(round(s.nonwear.window_s / 5.0))
    nw_stats = (aggregate(transform(ws5, matrix=matrix), k)
                if abs(k * w5 - s.nonwear.window_s * s.fs_hz) < 1e-6 else None)
    nw = detect_nonwear(x, s.fs_hz, res.start_ns, valid=res.valid, temperature=temp,
                        settings=s.nonwear, stats=nw_stats)
    qc["nonwear"] = nw.to_dict()
    return x, nw.wear, qc


def _temperature(temp: tuple[np.ndarray, np.ndarray] | None, sync: SyncResult | None
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """The temperature channel with its times on the thigh clock (back: minus the clock offset)."""
    if temp is None or temp[0].shape[0] < 2:
        return None
    t = np.asarray(temp[0], np.int64)
    if sync is not None:
        t = t - np.round(np.asarray(sync.offset_at_s(t)) * 1e9).astype(np.int64)
    return t, np.asarray(temp[1], np.float64)


def _overlap(back: RecordingInfo, start_ns: int, stop_ns: int) -> bool:
    """Whether the back recording overlaps the thigh's grid span (UTC ns, device clocks)."""
    return not (back.stop_ns < start_ns or back.start_ns > stop_ns)


def _sync_decimation(s: PrepareSettings) -> int:
    """Sync works on magnitudes at half the grid rate (>= 20 Hz): the 0.5-8 Hz band it uses is
    kept, the sub-sample peak interpolation keeps ms precision, and it halves the cost."""
    return 2 if s.fs_hz >= 40 else 1


def _back_magnitude(back: RecordingStream, start_ns: int, stop_ns: int, s: PrepareSettings
                    ) -> np.ndarray:
    """The back's acceleration magnitude (g, float32) on the thigh's grid decimated for the sync
    (times on the back's own clock: the offset is what the sync measures)."""
    fs_sync = s.fs_hz / _sync_decimation(s)
    r = Resampler(fs_sync, start_ns, grid_length(start_ns, stop_ns, fs_sync),
                  max_gap_s=s.max_gap_s, antialias=False, magnitude=True,
                  source=str(back.info.path))
    for ch in _prefetch(back.chunks(_CHUNK_S)):
        r.feed(ch.time_ns, ch.accel_g)
    return r.finish().values


def _synchronise(thigh_g: np.ndarray, back_mag: Pending[np.ndarray] | None, start_ns: int,
                 s: PrepareSettings) -> SyncResult:
    """Clock model of the back against the thigh, from acceleration magnitudes on one grid
    (``back_mag``: the pending :func:`_back_magnitude`, None when the recordings do not overlap)."""
    if back_mag is None:
        raise SyncError("the thigh and back recordings do not overlap in time")
    dec = _sync_decimation(s)
    mag_t = magnitude(thigh_g, dec)  # x*x + y*y + z*z in float32, as einsum summed it
    return estimate_sync(mag_t, back_mag.result(), s.fs_hz / dec, start_ns, s.sync)
