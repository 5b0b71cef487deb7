"""The 24-h composition of each participant and the sample of the compositional (CoDA) analysis.

The study's authors' second HUNT paper (public R code: rayanehaddadj/coda-chronic-lbp-hunt) treats a
day as a composition of five parts that always add up to 24 h, in **minutes per day**:

=================== ======================================================================
``sleep``            ``sleep_s``
``sedentary``        lying awake + sitting = (``lying_s`` - ``sleep_s``) + ``sitting_s``
``standing``         ``standing_s``
``walking``          ``walking_s`` (total walking, HUNT ``WalkTmD``)
``running_cycling``  ``running_s`` + ``cycling_s``
=================== ======================================================================

**Counted days.** A day counts when the eight study parts (lying, sitting, standing, slow, moderate
and brisk walking, running, cycling) and sleep are all given; the day's wear time
(:func:`walkback.definitions.wear_seconds`: the eight parts, plus ``other_s`` in walkback's own
tables) equals the day's length (``day_length_s`` where given, else 86,400 s) within
``coda.day_sum_tolerance_s`` (60 s), i.e. the sensor was worn all day; and
sleep, lying awake, sitting, standing and walking are each > 0 (the authors' rule: a valid day is
1,440 min with no zero lying-awake/sleep/sitting/standing/walking). Thigh-only days (``lying_s`` and
``sitting_s`` empty) cannot be split and never count.

**Person composition.** The unweighted mean of each part over the counted days, closed (rescaled) to
1,440 min. Only ``running_cycling`` can then be zero.

**Zeros** are replaced multiplicatively (Martin-Fernandez, Barcelo-Vidal & Pawlowsky-Glahn 2003,
Math Geol 35:253): a zero part gets ``delta = delta_factor x detection_limit`` (0.65 x 5 s per
week = 0.00774 min/day) and the non-zero parts are multiplied by ``1 - sum(delta) / 1440``, which
keeps their ratios and the 1,440-min total. The authors used zCompositions' lrEM (log-ratio EM);
walkback does not implement it (the choice is written to ``provenance.json``).

**Coordinates.** Pivot (isometric log-ratio) coordinates of Egozcue et al. 2003 (Math Geol 35:279),
``z_i = sqrt((D-i)/(D-i+1)) ln(x_i / g(x_{i+1}, ..., x_D))``, ``i = 1..D-1``, ``g`` the geometric
mean. ``z_1`` contrasts the first part with the others, so each part is rotated to the first
position in turn (cyclically, as the authors: ``sleep, sedentary, ...``, ``sedentary, standing, ...,
sleep``, ...) and the model is fitted once per rotation.

**Library choice.** scikit-bio's ``skbio.stats.composition`` has ``closure``, ``multi_replace`` and
``ilr`` (with ``sbp_basis`` for pivot coordinates; they agree with the functions below to rounding).
It is not used: it needs numpy >= 2 (walkback supports 1.26), brings biom-format and h5py (~110 MB
installed with their data) and takes over a second to import, for three operations of a few lines
each. The formulas are written out here in numpy instead.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from walkback.cohort.config import CodaSettings, CohortSettings
from walkback.cohort.sample import exclusion_steps
from walkback.definitions import WEAR_PARTS, wear_seconds

__all__ = [
    "MINUTES_PER_DAY",
    "PARTS",
    "CodaSample",
    "build_coda_sample",
    "closure",
    "compositional_mean",
    "counted_days",
    "multiplicative_replacement",
    "person_compositions",
    "pivot_coordinates",
    "rotation",
]

log = logging.getLogger(__name__)

#: The five parts, in the authors' order (the order of the first rotation).
PARTS: tuple[str, ...] = ("sleep", "sedentary", "standing", "walking", "running_cycling")
MINUTES_PER_DAY = 1440.0
_EIGHT = WEAR_PARTS
#: flow row before the questionnaire exclusions
COUNTED_STEP = "With a counted day"


def counted_days(days: pd.DataFrame, tolerance_s: float = 60.0) -> pd.DataFrame:
    """The day table's five parts in min/day and whether each day counts (module docstring).

    Returns one row per input row: ``participant_id``, ``counted`` (bool) and the five parts
    (NaN where a needed column is missing). Needs ``sleep_s`` and the canonical day columns.
    """
    if "sleep_s" not in days.columns:
        raise KeyError("day table lacks 'sleep_s'; the compositional analysis needs sleep")
    v = {c: days[c].to_numpy(dtype=float) for c in (*_EIGHT, "walking_s", "sleep_s")}
    length = np.full(len(days), 86_400.0)
    if "day_length_s" in days.columns:
        dl = days["day_length_s"].to_numpy(dtype=float)
        length = np.where(np.isfinite(dl), dl, length)
    eight = np.column_stack([v[c] for c in _EIGHT])
    awake = v["lying_s"] - v["sleep_s"]
    with np.errstate(invalid="ignore"):
        counted = (np.isfinite(eight).all(axis=1) & np.isfinite(v["sleep_s"])
                   & (np.abs(wear_seconds(days) - length) <= tolerance_s)
                   & (v["sleep_s"] > 0) & (awake > 0) & (v["sitting_s"] > 0)
                   & (v["standing_s"] > 0) & (v["walking_s"] > 0))
    out = pd.DataFrame({"participant_id": days["participant_id"].to_numpy(dtype=object),
                        "counted": counted})
    parts = (v["sleep_s"], awake + v["sitting_s"], v["standing_s"], v["walking_s"],
             v["running_s"] + v["cycling_s"])
    for name, seconds in zip(PARTS, parts, strict=True):
        out[name] = seconds / 60.0
    return out


def closure(x: np.ndarray, total: float = MINUTES_PER_DAY) -> np.ndarray:
    """Rows of ``x`` rescaled to sum to ``total`` (rows summing to 0 or NaN give NaN)."""
    x = np.asarray(x, dtype=float)
    s = x.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, x * (total / s), np.nan)


def person_compositions(days: pd.DataFrame, participants: Sequence[str] | None = None,
                        tolerance_s: float = 60.0) -> pd.DataFrame:
    """One row per participant: ``participant_id``, ``coda_days`` (counted days) and the five
    parts in min/day: the mean over counted days, closed to 1,440 (NaN without a counted day).

    ``participants`` fixes the rows and their order (default: order of first appearance).
    """
    d = counted_days(days, tolerance_s)
    keys = d["participant_id"].to_numpy(dtype=object)
    index = pd.Index(pd.unique(keys) if participants is None else participants)
    codes = index.get_indexer(keys)
    keep = (codes >= 0) & d["counted"].to_numpy()
    n = len(index)
    c = codes[keep]
    counts = np.bincount(c, minlength=n)
    vals = d.loc[keep, list(PARTS)].to_numpy(dtype=float)
    sums = np.column_stack([np.bincount(c, weights=vals[:, j], minlength=n)
                            for j in range(len(PARTS))])
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts[:, None] > 0, sums / counts[:, None], np.nan)
    comp = closure(means)
    out = pd.DataFrame({"participant_id": index.to_numpy(dtype=object),
                        "coda_days": counts.astype(np.int64)})
    for j, name in enumerate(PARTS):
        out[name] = comp[:, j]
    return out


def multiplicative_replacement(x: np.ndarray, delta: float | np.ndarray,
                               total: float = MINUTES_PER_DAY) -> np.ndarray:
    """Martin-Fernandez et al. (2003) multiplicative replacement of zeros.

    ``x``: compositions closed to ``total`` (rows); ``delta``: the value given to a zero part, in
    the same units (scalar or one per part). Zeros become ``delta``; non-zero parts are
    multiplied by ``1 - sum(delta of the row's zeros) / total``, so ratios among them and the row
    total are kept. Rows without zeros are returned unchanged.
    """
    x = np.asarray(x, dtype=float)
    d = np.broadcast_to(np.asarray(delta, dtype=float), x.shape[-1:])
    zero = x == 0
    shrink = 1.0 - (zero * d).sum(axis=-1, keepdims=True) / total
    if np.any(shrink <= 0):
        raise ValueError("multiplicative replacement: the deltas of a row's zeros reach the total")
    return np.where(zero, d, x * shrink)


def rotation(first: int, n_parts: int = len(PARTS)) -> list[int]:
    """Cyclic order of the parts that starts with part ``first`` (the authors' rotation)."""
    return [(first + k) % n_parts for k in range(n_parts)]


def pivot_coordinates(x: np.ndarray) -> np.ndarray:
    """Pivot (ilr) coordinates of the rows of ``x`` (positive parts), shape (n, D-1).

    ``z_i = sqrt((D-i)/(D-i+1)) ln(x_i / g(x_{i+1..D}))`` (1-based ``i``); scale-invariant.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        return pivot_coordinates(x[None, :])[0]
    logx = np.log(x)
    n_parts = logx.shape[1]
    out = np.empty((logx.shape[0], n_parts - 1))
    for i in range(n_parts - 1):
        rest = logx[:, i + 1:].mean(axis=1)
        out[:, i] = np.sqrt((n_parts - i - 1) / (n_parts - i)) * (logx[:, i] - rest)
    return out


def compositional_mean(x: np.ndarray, total: float = MINUTES_PER_DAY) -> np.ndarray:
    """Geometric mean of each part over the rows (positive parts), closed to ``total``."""
    return closure(np.exp(np.log(np.asarray(x, dtype=float)).mean(axis=0)), total)


@dataclass(frozen=True)
class CodaSample:
    """The compositional analysis' sample.

    ``data``: one row per included participant: ``participant_id``, ``coda_days``, the five parts
    (closed, min/day, zeros kept), the five parts after zero replacement (``{part}_zr``), and
    every participant variable of :func:`walkback.cohort.sample.derive_participants` the models
    and subsamples use. ``flow``: ``step, remaining``. ``zeros``: participants with a zero, by part.
    ``delta_min``: the replacement value (min/day).
    """

    data: pd.DataFrame
    flow: pd.DataFrame
    zeros: dict[str, int]
    delta_min: float


#: participant variables kept in CodaSample.data besides the covariates
_KEEP = ("lbp_t1", "age_years", "sex", "msp_t0", "pain_4weeks", "health_status",
         "chronic_disease")


def build_coda_sample(days: pd.DataFrame, everyone: pd.DataFrame,
                      settings: CohortSettings) -> CodaSample:
    """Compositions, the flow and zero replacement.

    ``everyone`` is ``AnalysisSample.everyone`` (every participant with the study's derived
    variables), so the exclusions and covariates are exactly the main analysis' ones: first the
    participants with a counted day, then the main study's steps without its two accelerometer
    steps (age eligibility, missing chronic pain at baseline, chronic LBP at baseline, missing
    chronic pain at follow-up, missing covariate), in that order.
    """
    cs: CodaSettings = settings.coda
    ids = everyone["participant_id"].to_numpy(dtype=object)
    comp = person_compositions(days, ids, cs.day_sum_tolerance_s)
    remaining = comp["coda_days"].to_numpy() > 0
    rows = [(COUNTED_STEP, int(remaining.sum()))]
    for name, drop in exclusion_steps(everyone, settings, accelerometer=False):
        remaining &= ~drop
        rows.append((name, int(remaining.sum())))
    flow = pd.DataFrame(rows, columns=["step", "remaining"])
    keep = [c for c in dict.fromkeys((*_KEEP, *settings.models.covariates))
            if c in everyone.columns]
    data = pd.concat([comp.loc[remaining].reset_index(drop=True),
                      everyone.loc[remaining, keep].reset_index(drop=True)], axis=1)
    x = data[list(PARTS)].to_numpy(dtype=float)
    delta = cs.delta_factor * cs.detection_limit_min
    zeros = {p: int(n) for p, n in zip(PARTS, (x == 0).sum(axis=0), strict=True)}
    xr = multiplicative_replacement(x, delta)
    for j, p in enumerate(PARTS):
        data[f"{p}_zr"] = xr[:, j]
    log.info("compositional sample: %d participants (%s with a zero part)", len(data),
             ", ".join(f"{p} {n}" for p, n in zeros.items() if n) or "none")
    return CodaSample(data=data, flow=flow, zeros=zeros, delta_min=delta)
