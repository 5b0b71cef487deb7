"""Time in bed and sleep from a thigh (+ lower back) recording: :func:`detect_sleep`.

A post-classification step: it reads the activity epochs (posture per window) and the prepared
signal (movement), and adds two bool columns to the epochs:

``in_bed``
    the epoch lies in the night's main bed period (time in bed, from lying down to getting up; a
    bathroom trip inside it is in bed too).
``sleep``
    the epoch is asleep: in the bed period, lying (with the back sensor: trunk and thigh
    horizontal, the activity stage's ``lying``; without it: thigh horizontal, ``sedentary``),
    and the wake integrator below has fallen below 1. ``sleep`` is therefore part of ``lying``
    (of ``sedentary`` on thigh-only epochs), and the day's lying-awake time is lying - sleep.

Method: the ActiPASS / Acti4 lineage of thigh-accelerometer sleep estimation, which this module
follows step by step (its own implementation, written from the published description):

1. **Bed periods** (ActiPASS "auto" bedtime): lying bouts joined across less than
   ``max_gap_min`` (20 min) of anything upright, kept when they span at least ``min_bed_min``
   (3 h). Of the bed periods whose midpoint falls in one noon-to-noon window
   (``night_start_h``), the one with most lying time is that night's main period (ActiPASS's
   "primary bedtime", one per 24 h); only main periods are scored, so naps and an evening on
   the sofa are not sleep.
2. **Thigh-only evidence of lying** (no worn back sensor: the trunk is unknown and sitting looks
   like lying): a sedentary bout counts as lying when the thigh lay rolled about its long axis
   by at least ``thigh_rotation_deg`` (65 degrees: side or front lying) for
   ``thigh_rotation_min_s``, the thigh-rotation cue of Lyden et al. (Med Sci Sports Exerc
   2017;49:1270-1276) and Hettiarachchi et al. (Sensors 2021;21:904, ActiPASS's lying
   algorithm). Such bouts and trunk-horizontal lying are the anchors of step 1: sedentary time
   without a roll neither joins nor splits bed periods and is in bed only between anchors. A
   night spent on the back without ever turning to a side is therefore missed without the back
   sensor.
3. **Sleep within the bed period** (Skotte's Acti4 sleep algorithm, as used by ActiPASS "In-Bed"
   and evaluated against polysomnography by Johansson et al., J Sleep Res 2023;32:e13725): in
   each lying run of at least ``min_lying_min`` (15 min) the thigh acceleration is band-passed
   (0.5-10 Hz, 6th-order Butterworth), its magnitude averaged per second, values under
   ``noise_floor_g`` (0.02 g) set to 0, and fed to a leaky integrator
   ``I(t) = exp(-1 s / 18.5 min) I(t-1) + 0.19 A(t)``, capped at ``e`` and starting at ``e``
   (fully awake) when the run starts; a second is awake while ``I > 1``. So sleep begins after
   18.5 min of stillness and a minute of restless movement wakes. Each wake onset is moved 2 min
   earlier (``wake_lead_s``), and a 19-s running median smooths the flags. An epoch is asleep
   when most of the time it stands for is.
4. **Sleep onsets dated to the start of their stillness** (``backdate_onsets``, on by default;
   not part of Acti4, whose own code moves wake onsets only): the integrator is a causal
   detector that accepts a still period only after ~18.5 min of it, so each sleep onset it
   gives (after step 3's lead and median) is moved back to the start of the run of seconds
   with no movement above the noise floor (on every sensor the integrator reads) that ended in
   it: the still period itself is the evidence, as in Actiware's sleep-onset rule (the first
   epoch of the first immobile stretch) and van Hees et al. 2015 (a sustained-inactivity bout is
   sleep from its start). It never crosses a movement, so it adds at most the integrator's
   latency per onset, and only the perfectly still part of it: real awake SELFBACK lying is
   rarely still for more than a minute or two (``python -m walkback.activity._sleep_eval``:
   +12 min over 26 awake person-hours, at most 2.5 min per person). Lying still and awake
   before falling asleep is counted as sleep from the last movement instead of 18.5 min after
   it: against true sleep onset it overcounts by the still-awake time S where Acti4 undercounts
   by 18.5 min - S, the smaller error while S < 9 min.

With ``movement_sensors = "thigh+back"`` the back sensor drives a second integrator (Acti4's
trunk constants: 21 min, 0.24) and a second is awake when either says so (not validated).

Validated on (docs/VALIDATION.md "Sleep"): simulated nights stitched from real SELFBACK lying
snippets with scripted posture changes and wake bouts, whose sleep is known by construction; not
on polysomnography or real nights (``python -m walkback.simulate._recording_validate --weeks 4
--source ../shared/data/selfback-thigh --thigh-only --seed0 200``; the figures, with and without
step 4, are kept in that document only). The simulated sleeper falls asleep at
the last movement, the case step 4 is right for. Johansson et al. report for Acti4, against home
PSG in 71 men, a sensitivity of 0.84 and a specificity of 0.55 for sleep epochs and total sleep
time underestimated by 32 min on average (limits of agreement range 233 min); step 4 was not
evaluated against PSG. Quiet wakefulness in bed
(lying still, awake) cannot be told from sleep by any accelerometer method.

Conventions: canonical axes (:mod:`walkback.signal.types`; thigh x up the thigh, z out of the
front of the thigh); g; times UTC ns; night windows in the epochs' IANA time zone. Epoch lengths
come from the epochs' :class:`~walkback.activity.EpochInfo` (each epoch stands for ``step_s``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from walkback._dsp import binary_median_filter, butter_bandpass, sosfilt
from walkback._half import asarray
from walkback.activity.epochs import epoch_info
from walkback.activity.settings import SleepSettings
from walkback.errors import InputDataError

__all__ = ["SLEEP_COLUMNS", "detect_sleep", "night_key", "sleep_periods"]

#: Columns :func:`detect_sleep` adds to the epochs.
SLEEP_COLUMNS = ("in_bed", "sleep")

#: Study classes a sleeper can be in: ``lying`` (trunk known) and ``sedentary`` (trunk unknown).
RECUMBENT = ("lying", "sedentary")

#: Seconds of signal before a lying run fed to the band-pass filter and discarded (its transient).
_PAD_S = 20.0


def detect_sleep(prepared, epochs: pd.DataFrame, settings: SleepSettings | None = None
                 ) -> pd.DataFrame:
    """``epochs`` with ``in_bed`` and ``sleep`` (bool) added (a copy; attrs kept).

    ``prepared`` is the :class:`~walkback.signal.Prepared` signal the epochs were classified from
    (same grid); ``epochs`` needs ``start_ns``, ``study_class`` and its EpochInfo. With
    ``settings.enabled`` False the epochs are returned unchanged (a copy). See the module
    docstring for the method.
    """
    s = settings or SleepSettings()
    out = epochs.copy()
    if not s.enabled:
        return out
    info = epoch_info(epochs)
    fs = float(prepared.fs_hz)
    if not s.band_hz[1] < fs / 2:
        raise InputDataError(f"detect_sleep: band_hz {s.band_hz} reaches the Nyquist frequency of "
                             f"the {fs:g} Hz signal")
    n = len(out)
    step = int(round(info.step_s * fs))
    first = (np.round((out["start_ns"].to_numpy(np.int64) - int(prepared.start_ns)) * (fs / 1e9))
             .astype(np.int64) + int(round(info.offset_s * fs)))
    cls = out["study_class"].to_numpy(object)
    recumbent = np.isin(cls, RECUMBENT)
    in_bed = np.zeros(n, bool)
    sleep = np.zeros(n, bool)
    for a, b in _main_periods(out, recumbent, cls, info, prepared, first, step, s):
        in_bed[a:b] = True
        for ra, rb in _lying_runs(recumbent[a:b], info.step_s, s):
            ra, rb = ra + a, rb + a
            asleep = _asleep_fraction(prepared, int(first[ra]), rb - ra, step, fs, s) >= 0.5
            sleep[ra:rb] = asleep & recumbent[ra:rb]
    out["in_bed"] = in_bed
    out["sleep"] = sleep
    return out


def sleep_periods(epochs: pd.DataFrame, night_start_h: float = 12.0) -> pd.DataFrame:
    """One row per bed period of epochs from :func:`detect_sleep`.

    Columns: ``night`` (local date of the noon-to-noon window's start, YYYY-MM-DD),
    ``start_ns`` / ``stop_ns`` (UTC ns, bed period, stop exclusive), ``in_bed_s``, ``sleep_s``,
    ``onset_ns`` / ``final_wake_ns`` (first sleep epoch's start, last sleep epoch's end; -1
    without sleep), ``wake_after_onset_s`` (in bed and not asleep between them, s), ``lying_s``
    (recumbent time in the period, s). Night windows start at ``night_start_h`` local time
    (the detector's setting; default noon).
    """
    info = epoch_info(epochs)
    cols = ["night", "start_ns", "stop_ns", "in_bed_s", "sleep_s", "onset_ns", "final_wake_ns",
            "wake_after_onset_s", "lying_s"]
    if "in_bed" not in epochs:
        return pd.DataFrame(columns=cols)
    bed = epochs["in_bed"].to_numpy(bool)
    slp = epochs["sleep"].to_numpy(bool)
    rec = np.isin(epochs["study_class"].to_numpy(object), RECUMBENT)
    t = epochs["start_ns"].to_numpy(np.int64)
    step_ns = int(round(info.step_s * 1e9))
    rows = []
    for a, b in zip(*_runs(bed), strict=True):
        s_idx = np.flatnonzero(slp[a:b]) + a
        onset, final = (int(t[s_idx[0]]), int(t[s_idx[-1]]) + step_ns) if len(s_idx) else (-1, -1)
        waso = (np.count_nonzero(~slp[s_idx[0]:s_idx[-1] + 1]) * info.step_s) if len(s_idx) else 0.0
        mid = (int(t[a]) + int(t[b - 1]) + step_ns) // 2
        rows.append({"night": night_key(np.array([mid]), info.timezone, night_start_h)[0],
                     "start_ns": int(t[a]), "stop_ns": int(t[b - 1]) + step_ns,
                     "in_bed_s": (b - a) * info.step_s,
                     "sleep_s": float(np.count_nonzero(slp[a:b]) * info.step_s),
                     "onset_ns": onset, "final_wake_ns": final, "wake_after_onset_s": float(waso),
                     "lying_s": float(np.count_nonzero(rec[a:b]) * info.step_s)})
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------------------------------------
# bed periods


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) indices of the runs of True in ``mask``."""
    m = np.concatenate([[False], np.asarray(mask, bool), [False]])
    d = np.diff(m.astype(np.int8))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def _join(starts: np.ndarray, stops: np.ndarray, max_gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs joined across gaps of fewer than ``max_gap`` epochs."""
    if len(starts) < 2:
        return starts, stops
    keep = (starts[1:] - stops[:-1]) >= max_gap  # gap before run i+1 is long enough to split
    new_starts = np.concatenate([starts[:1], starts[1:][keep]])
    new_stops = np.concatenate([stops[:-1][keep], stops[-1:]])
    return new_starts, new_stops


def night_key(t_ns: np.ndarray, timezone: str, night_start_h: float = 12.0) -> list[str]:
    """Night of each UTC ns time in ``t_ns``: the local date (YYYY-MM-DD, IANA ``timezone``) at
    which the noon-to-noon (``night_start_h``) window holding it starts; a window spanning a
    clock change is 23 or 25 h long. The ``night`` of :func:`sleep_periods` and qc.json."""
    local = pd.to_datetime(np.asarray(t_ns, np.int64), unit="ns", utc=True).tz_convert(timezone)
    shifted = local.tz_localize(None) - pd.Timedelta(hours=night_start_h)
    return list(shifted.strftime("%Y-%m-%d"))


def _main_periods(epochs: pd.DataFrame, recumbent: np.ndarray, cls: np.ndarray, info,
                  prepared, first: np.ndarray, step: int, s: SleepSettings
                  ) -> list[tuple[int, int]]:
    """(start, stop) epoch indices of each night's main bed period, in time order.

    Bed periods are built from *anchors*: ``lying`` epochs (trunk horizontal) and ``sedentary``
    epochs of bouts in which the thigh was rolled (:func:`_rolled_bouts`). Consecutive anchor runs
    join when the time between them that is not recumbent (standing, walking, sitting with the
    trunk upright, non-wear) is shorter than ``max_gap_min``; sedentary epochs without a roll
    (the thigh alone cannot tell sitting from lying on the back) neither join nor split, and are
    in bed only between two anchors. So an evening on the sofa just before bed is not in bed,
    and a sedentary day does not chain two nights together.
    """
    gap = max(1, int(math.ceil(s.max_gap_min * 60.0 / info.step_s)))
    anchor = (cls == "lying") | _rolled_bouts(prepared, first, step, cls, info.step_s, s)
    upright = np.concatenate([[0], np.cumsum(~recumbent)])  # non-recumbent epochs before i
    a_starts, a_stops = _runs(anchor)
    if not len(a_starts):
        return []
    split = (upright[a_starts[1:]] - upright[a_stops[:-1]]) >= gap
    starts = np.concatenate([a_starts[:1], a_starts[1:][split]])
    stops = np.concatenate([a_stops[:-1][split], a_stops[-1:]])
    t = epochs["start_ns"].to_numpy(np.int64)
    cands = [(int(a), int(b), int(np.count_nonzero(recumbent[a:b])))
             for a, b in zip(starts, stops, strict=True)
             if (b - a) * info.step_s >= s.min_bed_min * 60.0]
    if not cands:
        return []
    step_ns = int(round(info.step_s * 1e9))
    mids = np.array([(int(t[a]) + int(t[b - 1]) + step_ns) // 2 for a, b, _ in cands])
    best: dict[str, tuple[int, int, int]] = {}
    for key, c in zip(night_key(mids, info.timezone, s.night_start_h), cands, strict=True):
        if key not in best or c[2] > best[key][2]:
            best[key] = c
    return sorted((a, b) for a, b, _ in best.values())


def _rolled_bouts(prepared, first: np.ndarray, step: int, cls: np.ndarray, step_s: float,
                  s: SleepSettings) -> np.ndarray:
    """Per epoch: a ``sedentary`` epoch of a sedentary bout (runs bridged across ``bridge_s``) in
    which the thigh lay rolled at least ``thigh_rotation_deg`` about its long axis for
    ``thigh_rotation_min_s`` (side or front lying; Lyden et al. 2017, Hettiarachchi et al. 2021).
    Roll is the angle of the thigh's mean gravity in its y-z plane from +z: 0 front of the thigh
    up (sitting, lying on the back), 90 on a side, 180 front down."""
    sed = cls == "sedentary"
    out = np.zeros(len(cls), bool)
    need = max(1, int(math.ceil(s.thigh_rotation_min_s / step_s)))
    bridge = int(math.floor(s.bridge_s / step_s)) + 1
    for a, b in zip(*_join(*_runs(sed), bridge), strict=True):
        m = int(b - a)
        if np.count_nonzero(sed[a:b]) < need:
            continue
        g = asarray(prepared.thigh_g[int(first[a]) : int(first[a]) + m * step], np.float32)
        if g.shape[0] < m * step:
            continue
        w = g.reshape(m, step, 3)
        mean = w.mean(axis=1)
        gap = np.isnan(mean).any(axis=1)
        if gap.any():  # epochs holding a gap: the mean of their valid samples (all-NaN: NaN)
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean[gap] = np.nanmean(w[gap], axis=1)
        with np.errstate(invalid="ignore"):
            roll = np.degrees(np.arctan2(np.abs(mean[:, 1]), mean[:, 2]))
        ra, rb = _runs((roll >= s.thigh_rotation_deg) & sed[a:b])
        if np.any((rb - ra) >= need):
            out[a:b] = sed[a:b]
    return out


# ---------------------------------------------------------------------------------------------
# sleep in a bed period


def _lying_runs(recumbent: np.ndarray, step_s: float, s: SleepSettings) -> list[tuple[int, int]]:
    """Lying runs of a bed period (epoch indices), bridged across non-lying stretches up to
    ``bridge_s`` and at least ``min_lying_min`` long."""
    bridge = int(math.floor(s.bridge_s / step_s)) + 1  # gaps of <= bridge_s join
    starts, stops = _join(*_runs(recumbent), bridge)
    need = s.min_lying_min * 60.0
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)
            if (b - a) * step_s >= need]


def _asleep_fraction(prepared, i0: int, m: int, step: int, fs: float, s: SleepSettings
                     ) -> np.ndarray:
    """Share of the time each of ``m`` consecutive epochs (``step`` samples each, from grid
    sample ``i0``) is asleep by the wake integrator."""
    sec = max(1, int(round(fs)))
    n = m * step
    wake, still = _wake_seconds(prepared.thigh_g, None, i0, n, sec, fs,  # valid: from the NaN
                                s.time_constant_min, s.gain_per_g, s)
    if s.movement_sensors == "thigh+back" and prepared.has_back:
        back_ok = prepared.back_wear[i0 : i0 + n]
        if back_ok.any():
            bw, bstill = _wake_seconds(prepared.back_g, prepared.back_wear, i0, n, sec, fs,
                                       s.back_time_constant_min, s.back_gain_per_g, s)
            worn = _per_second(back_ok, sec).all(axis=1)
            wake |= bw & worn
            still &= bstill | ~worn
    wake = _lead(wake, int(round(s.wake_lead_s)))
    if s.median_s > 1:
        wake = binary_median_filter(wake, s.median_s)  # edges: nearest value repeated
    if s.backdate_onsets:
        wake = _backdate(wake, still)
    asleep = np.repeat(~wake, sec)[:n]
    return asleep.reshape(m, step).mean(axis=1)


def _per_second(x: np.ndarray, sec: int) -> np.ndarray:
    """``x`` (n,) as rows of ``sec`` samples, the last row padded with its final value."""
    k = -(-len(x) // sec)
    pad = k * sec - len(x)
    if pad:
        x = np.concatenate([x, np.repeat(x[-1:], pad)])
    return x.reshape(k, sec)


def _movement(g: np.ndarray, valid: np.ndarray | None, i0: int, n: int, sec: int, fs: float,
              s: SleepSettings) -> tuple[np.ndarray, np.ndarray]:
    """Per-second movement (mean magnitude of the band-passed acceleration, g, with the noise
    floor applied) of samples ``[i0, i0 + n)``, and per-second validity (finite samples, and
    ``valid`` when given, e.g. the wear mask)."""
    lo = max(0, i0 - int(_PAD_S * fs))
    seg = g[lo : i0 + n]
    if seg.dtype == np.float16:  # storage: decoded once; filtered axis by axis in float64 below
        seg = asarray(seg, np.float32)
    ok = np.isfinite(seg).all(axis=1)
    if valid is not None:
        ok &= np.asarray(valid[lo : i0 + n], bool)
    if not ok.any():
        k = -(-n // sec)
        return np.zeros(k), np.zeros(k, bool)
    if not ok.all():  # a gap holds the last valid orientation: no movement, flagged invalid
        idx = np.where(ok, np.arange(len(ok)), 0)
        np.maximum.accumulate(idx, out=idx)
        first_ok = int(np.argmax(ok))
        idx[: first_ok] = first_ok
        seg = seg[idx]
    sos = butter_bandpass(6, s.band_hz, fs)[0]
    mag2 = np.zeros(seg.shape[0] - (i0 - lo))
    for c in range(3):  # one axis at a time: a night is 1.8 M samples, 14 MB per float64 axis
        x = np.asarray(seg[:, c], np.float64) - float(seg[0, c])  # a new array: filtered in place
        y = sosfilt(sos, x, overwrite_x=True)[i0 - lo :]
        mag2 += y * y
    mag = np.sqrt(mag2)
    a = _per_second(mag, sec).mean(axis=1)
    a[a < s.noise_floor_g] = 0.0
    return a, _per_second(ok[i0 - lo :], sec).all(axis=1)


def _wake_seconds(g: np.ndarray, valid: np.ndarray | None, i0: int, n: int, sec: int, fs: float,
                  tau_min: float, gain: float, s: SleepSettings
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per-second wake flags of the Acti4 integrator over samples ``[i0, i0 + n)``, and per
    second whether it was still (valid, and movement under the noise floor)."""
    a, ok = _movement(g, valid, i0, n, sec, fs, s)
    wake = _integrate(a, math.exp(-1.0 / (60.0 * tau_min)), gain)
    return wake | ~ok, (a == 0.0) & ok


def _integrate(a: np.ndarray, decay: float, gain: float) -> np.ndarray:
    """Awake flags of ``I <- decay * I + gain * a``, ``I`` capped at and starting from ``e``.

    A plain loop: the cap makes the recursion non-linear, and a night is ~30,000 steps.
    """
    cap = math.e
    level = cap
    wake = np.empty(len(a), bool)
    for t, x in enumerate(a.tolist()):
        level = decay * level + gain * x
        wake[t] = level > 1.0
        if level > cap:
            level = cap
    return wake


def _lead(wake: np.ndarray, lead: int) -> np.ndarray:
    """``wake`` with each onset (asleep -> awake) moved ``lead`` steps earlier."""
    if lead <= 0 or len(wake) < 2:
        return wake
    onsets = np.flatnonzero(wake[1:] & ~wake[:-1]) + 1
    if not len(onsets):
        return wake
    mark = np.zeros(len(wake) + 1, np.int32)
    np.add.at(mark, np.maximum(onsets - lead, 0), 1)
    np.add.at(mark, onsets, -1)
    return wake | (np.cumsum(mark[:-1]) > 0)


def _backdate(wake: np.ndarray, still: np.ndarray) -> np.ndarray:
    """``wake`` with each sleep onset (awake -> asleep) moved back to the start of the run of
    ``still`` seconds that ends at it (unchanged when the second before the onset moved)."""
    if len(wake) < 2:
        return wake
    onsets = np.flatnonzero(wake[:-1] & ~wake[1:]) + 1
    if not len(onsets):
        return wake
    idx = np.arange(len(still))
    run_start = np.maximum.accumulate(np.where(still, 0, idx + 1))  # start of t's still run
    out = wake.copy()
    for t1 in onsets.tolist():
        out[int(run_start[t1 - 1]) : t1] = False
    return out
