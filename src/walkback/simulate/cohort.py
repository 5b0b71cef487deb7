"""Synthetic HUNT-like cohort with a known true risk pattern (the demo's data, the tests' truth).

``simulate_cohort(n, seed, truth)`` returns the same two tables a real study supplies (the long
day table and the participant table with raw HUNT-style codes, see
:mod:`walkback.cohort.schema`), and ``write_cohort`` writes them as CSV (canonical long layout,
or HUNT's wide layout with HUNT variable names plus the HUNT config).

How the truth is built (so that a correctly specified analysis recovers it exactly):

* Days are generated first; the participant's *observed* exposures are then computed from those
  days with the analysis' own code (:func:`walkback.cohort.exposures.person_exposures`: blanking
  rule, means over valid days). The exposure categories are these observed values cut at the
  fixed cut points of :class:`TrueRisk` (category g when ``cut_{g-1} < x <= cut_g``, as xtile).
* Risk of chronic LBP at follow-up = ``exp(b0 + log RR_volume[cat] + log RR_intensity[cat] +
  covariate terms)``, covariates entered as the multi-adjusted model enters them: age linear
  (per year), sex, education (6 levels), income (5), employed, smoking (3), depression. ``b0``
  is calibrated so the expected share of cases among the included is ``truth.case_share``.
* Confounding: walking volume depends on age, sex, employment, education, income and depression.
  Walking intensity is, by default, independent of volume and of the covariates, so that each
  single-exposure model of the study (volume OR intensity quartiles + covariates) is correctly
  specified and recovers its RRs; ``volume_intensity_corr`` > 0 makes them correlated (then only
  a model holding both exposures recovers the truth).
* Sleep (``sleep_s``, for the compositional analysis): 7-8 h a night inside the lying time (a
  person-level share of lying, ~0.86, with day-to-day noise), missing on ~2 % of worn days (no
  sleep estimate). It is drawn from its own random stream, so every other column and the outcome
  are the same as without it.
* Optional compositional truth: ``TrueRisk.composition_log_rr`` = (b_sleep, b_sedentary,
  b_standing, b_walking, b_running_cycling), summing to 0, adds ``sum_j b_j ln x_j`` to the log
  risk, ``x`` the participant's observed composition (:func:`walkback.cohort.coda.
  person_compositions`, zeros replaced as the analysis does). The compositional model is then
  correctly specified and a substitution's true RR is :meth:`TrueRisk.substitution_rr`. It is off
  by default (the study's truth above stays exact); set the walking RRs to 1 for a pure
  compositional truth.
* The volume distribution is calibrated so that its quartiles among the included sit near the
  published cut points (78 / 100 / 124 min/day) and intensity near 3.00 / 3.11 / 3.26 MET, so
  sample quartiles (xtile) coincide with the fixed-cut categories up to sampling error.

``n`` is the *expected analytic sample size*: the generator makes about ``n / p`` participants,
where ``p`` (~0.58) is the design's probability of passing every exclusion (age >= 20, a valid
day, a valid walking day, baseline pain answered, no baseline chronic LBP, follow-up answered,
complete covariates). The analytic sample is therefore close to ``n`` (binomial noise, ~0.5 %);
every exclusion step removes some participants.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from walkback._atomic import atomic_path, write_text_atomic
from walkback.cohort.config import (
    HUNT_DAY_PATTERNS,
    HUNT_PARTICIPANT_COLUMNS,
    hunt_config_toml,
)
from walkback.cohort.exposures import person_exposures
from walkback.cohort.quantiles import assign_groups
from walkback.cohort.schema import DAY_ACTIVITY_COLUMNS, DISEASE_COLUMNS, PARTICIPANT_COLUMNS
from walkback.definitions import MET_BY_PACE

__all__ = ["SimulatedCohort", "TrueRisk", "simulate_cohort", "write_cohort"]

log = logging.getLogger(__name__)
N_DAYS = 7


@dataclass(frozen=True)
class TrueRisk:
    """The true risk model (risk ratios; reference = first level of each tuple).

    Exposure RRs apply to categories of the participant's observed exposure cut at
    ``volume_cuts_min`` / ``intensity_cuts_met``. Defaults: the published multi-adjusted RRs.
    ``case_share`` is the expected share of cases among the included participants.
    """

    volume_cuts_min: tuple[float, float, float] = (78.0, 100.0, 124.0)
    volume_rr: tuple[float, float, float, float] = (1.0, 0.87, 0.77, 0.76)
    intensity_cuts_met: tuple[float, float, float] = (3.00, 3.11, 3.26)
    intensity_rr: tuple[float, float, float, float] = (1.0, 0.85, 0.82, 0.82)
    age_rr_per_year: float = 1.008
    male_rr: float = 0.85
    education_rr: tuple[float, ...] = (1.0, 0.95, 0.90, 0.92, 0.82, 0.75)
    income_rr: tuple[float, ...] = (1.0, 0.95, 0.90, 0.85, 0.80)
    employed_rr: float = 0.90
    smoking_rr: tuple[float, float, float] = (1.0, 1.10, 1.25)  # never, former, current
    depression_rr: float = 1.40
    case_share: float = 0.148
    met_weights: tuple[float, float, float] = MET_BY_PACE
    composition_log_rr: tuple[float, float, float, float, float] | None = None

    def substitution_rr(self, mean, from_part: str, to_part: str, minutes: float) -> float:
        """True RR of moving ``minutes`` min/day to ``to_part`` from ``from_part``, starting from
        the composition ``mean`` (min/day, parts in ``walkback.cohort.coda.PARTS`` order)."""
        from walkback.cohort.coda import PARTS

        if self.composition_log_rr is None:
            raise ValueError("this TrueRisk has no compositional truth (composition_log_rr)")
        x0 = np.asarray(mean, dtype=float)
        x1 = x0.copy()
        x1[PARTS.index(to_part)] += minutes
        x1[PARTS.index(from_part)] -= minutes
        b = np.asarray(self.composition_log_rr, dtype=float)
        return float(np.exp(b @ (np.log(x1) - np.log(x0))))

    def __post_init__(self) -> None:
        for name, k in (("volume_rr", 4), ("intensity_rr", 4), ("education_rr", 6),
                        ("income_rr", 5), ("smoking_rr", 3)):
            v = getattr(self, name)
            if len(v) != k or any(x <= 0 for x in v):
                raise ValueError(f"TrueRisk.{name} needs {k} positive risk ratios, got {v}")
        for name in ("volume_cuts_min", "intensity_cuts_met"):
            c = getattr(self, name)
            if len(c) != 3 or not c[0] < c[1] < c[2]:
                raise ValueError(f"TrueRisk.{name} needs 3 increasing cut points, got {c}")
        if not 0 < self.case_share < 0.5:
            raise ValueError("TrueRisk.case_share must lie in (0, 0.5)")
        b = self.composition_log_rr
        if b is not None and (len(b) != 5 or abs(sum(b)) > 1e-9):
            raise ValueError("TrueRisk.composition_log_rr needs 5 log-ratio coefficients "
                             f"summing to 0 (a log-contrast), got {b}")


@dataclass(frozen=True)
class SimulatedCohort:
    """``days``: canonical long day table (7 rows per participant, seconds, NaN = not worn;
    with ``sleep_s``);
    ``participants``: canonical participant table (raw codes; dates as datetime64);
    ``truth``: the :class:`TrueRisk`; ``intercept``: calibrated ``b0``;
    ``risk``: per participant ``participant_id, volume_min, intensity_met, volume_cat,
    intensity_cat, log_rr_composition, risk, lbp_t1_true`` (observed exposures, the
    compositional term of the log risk (0 unless ``truth.composition_log_rr``) and the true
    risk)."""

    days: pd.DataFrame
    participants: pd.DataFrame
    truth: TrueRisk
    intercept: float
    risk: pd.DataFrame = field(repr=False)


# design probabilities (documented marginals; inclusion fraction derived from them)
_P_UNDER_20 = 0.006
_P_NO_DAYS = 0.012
_P_NO_WALK_DAY = 0.006
_P_MSP0_MISSING = 0.03
_P_MSP0 = 0.40
_P_LUMBAR_GIVEN_MSP = 0.45
_P_FU_MISSING = 0.18
_P_COV_MISSING = {"education": 0.012, "income": 0.03, "work": 0.004, "smoking": 0.01,
                  "hads": 0.035}
_DAYS_WORN_P = np.array([0.02, 0.03, 0.04, 0.06, 0.10, 0.28, 0.47])  # 1..7 days
_P_ZERO_DAY = 0.035  # a worn day with zero lying/sitting/standing/walking
_P_SLEEP_MISSING = 0.02  # a worn day without a sleep estimate
_SLEEP_STREAM = 15  # SeedSequence key of the sleep draws (independent of the main stream)

# quantile anchors (probability, value) of the latent exposure distributions
_VOLUME_Q = ((0.0, 8.0), (0.01, 25.0), (0.05, 45.0), (0.25, 78.2), (0.5, 100.2), (0.75, 124.2),
             (0.95, 168.0), (0.99, 215.0), (1.0, 320.0))
_INTENSITY_Q = ((0.0, 2.82), (0.05, 2.90), (0.25, 3.005), (0.5, 3.115), (0.75, 3.265),
                (0.95, 3.50), (1.0, 3.95))


def _inclusion_probability() -> float:
    p_cov = math.prod(1 - v for v in _P_COV_MISSING.values())
    p_lbp0 = _P_MSP0 * _P_LUMBAR_GIVEN_MSP
    return ((1 - _P_UNDER_20) * (1 - _P_NO_DAYS) * (1 - _P_NO_WALK_DAY) * (1 - _P_MSP0_MISSING)
            * (1 - p_lbp0) * (1 - _P_FU_MISSING) * p_cov)


def _quantile(u: np.ndarray, anchors) -> np.ndarray:
    ps, vs = zip(*anchors, strict=True)
    return np.interp(u, ps, vs)


def _covariates(rng: np.random.Generator, m: int) -> dict[str, np.ndarray]:
    age = np.clip(rng.normal(55.5, 15.5, m), 20.0, 97.0)
    young = rng.random(m) < _P_UNDER_20
    age[young] = rng.uniform(18.0, 19.99, young.sum())
    female = rng.random(m) < 0.586
    education = rng.choice(np.arange(1, 7), m, p=[0.13, 0.24, 0.15, 0.13, 0.17, 0.18])
    p_work = 1.0 / (1.0 + np.exp((age - 64.0) / 2.5)) * 0.88
    employed = rng.random(m) < p_work
    inc_score = 0.35 * (education - 3.5) + 0.9 * employed + rng.normal(0, 1.0, m)
    income = np.clip(np.digitize(inc_score, [-0.9, -0.1, 0.7, 1.4]) + 1, 1, 5)
    smoking = rng.choice([0, 1, 4, 2, 3], m, p=[0.50, 0.30, 0.06, 0.09, 0.05])
    hads = np.clip(np.round(rng.gamma(1.6, 2.3, m) + 0.6 * (income <= 2)), 0, 21)
    return {"age": np.round(age, 1), "female": female, "education": education,
            "employed": employed, "income": income, "smoking": smoking, "hads": hads}


def _latent_exposures(rng, cov, corr: float) -> tuple[np.ndarray, np.ndarray]:
    m = cov["age"].size
    z = (-0.015 * (cov["age"] - 55.0) + 0.25 * cov["employed"] + 0.10 * cov["female"]
         + 0.05 * (cov["education"] - 3.5) + 0.05 * (cov["income"] - 3.0)
         - 0.30 * (cov["hads"] >= 7))
    z = (z - z.mean()) / z.std()
    zv = 0.55 * z + math.sqrt(1 - 0.55**2) * rng.standard_normal(m)
    zi = corr * zv + math.sqrt(1 - corr**2) * rng.standard_normal(m)
    return _quantile(ndtr(zv), _VOLUME_Q), _quantile(ndtr(zi), _INTENSITY_Q)


def _days(rng, m: int, volume: np.ndarray, intensity: np.ndarray) -> dict[str, np.ndarray]:
    """(m, 7) arrays of seconds; NaN on days not worn."""
    n_worn = rng.choice(np.arange(1, 8), m, p=_DAYS_WORN_P)
    n_worn[rng.random(m) < _P_NO_DAYS] = 0
    worn = np.arange(N_DAYS)[None, :] < n_worn[:, None]
    zero_kind = np.where(rng.random((m, N_DAYS)) < _P_ZERO_DAY,
                         rng.integers(0, 4, (m, N_DAYS)), -1)
    no_walk = rng.random(m) < _P_NO_WALK_DAY
    zero_kind[no_walk] = 2  # every worn day lacks standing: no valid walking day
    walk_ok = worn & (zero_kind < 0)
    noise = rng.lognormal(0.0, 0.35, (m, N_DAYS))
    scale = np.where(walk_ok, noise, 0.0).sum(1) / np.maximum(walk_ok.sum(1), 1)
    walking = volume[:, None] * 60.0 * noise / np.where(scale > 0, scale, 1.0)[:, None]
    s = np.clip(intensity - MET_BY_PACE[0], 0.0, 1.0)  # (f2 + 2 f3) in MET units
    q = rng.beta(2.0, 5.0, m)
    f3 = np.clip((s * q / 2.0)[:, None] * rng.lognormal(0, 0.1, (m, N_DAYS)), 0, 0.5)
    f2 = np.clip(s[:, None] - 2 * f3, 0, 1 - f3)
    walking = np.round(walking)
    w3 = np.round(walking * f3)
    w2 = np.round(walking * f2)
    w1 = walking - w2 - w3
    runner = rng.random(m) < 0.15
    running = np.where(runner[:, None] & (rng.random((m, N_DAYS)) < 0.35),
                       np.round(rng.gamma(2.0, 300.0, (m, N_DAYS))), 0.0)
    cyclist = rng.random(m) < 0.20
    cycling = np.where(cyclist[:, None] & (rng.random((m, N_DAYS)) < 0.5),
                       np.round(rng.gamma(2.0, 450.0, (m, N_DAYS))), 0.0)
    lying = np.round(rng.normal(31500, 3000, (m, N_DAYS)))
    standing = np.round(np.clip(rng.normal(11000, 3500, (m, N_DAYS)), 1500, None))
    sitting = 86400.0 - lying - standing - walking - running - cycling
    short = sitting < 3600
    lying[short] += sitting[short] - 3600
    sitting[short] = 3600
    out = {"lying_s": lying, "sitting_s": sitting, "standing_s": standing, "walk_slow_s": w1,
           "walk_moderate_s": w2, "walk_brisk_s": w3, "walking_s": walking,
           "running_s": running, "cycling_s": cycling}
    _zero_days(out, zero_kind)
    for v in out.values():
        v[~worn] = np.nan
    return out


def _sleep(seed: int, lying: np.ndarray) -> np.ndarray:
    """Seconds of sleep per day inside ``lying`` (m, 7), from a random stream of its own."""
    rng = np.random.default_rng([seed, _SLEEP_STREAM])
    m = lying.shape[0]
    person = np.clip(rng.normal(0.86, 0.04, m), 0.70, 0.97)
    share = np.clip(person[:, None] + rng.normal(0.0, 0.03, lying.shape), 0.60, 0.98)
    sleep = np.round(lying * share)
    sleep[rng.random(lying.shape) < _P_SLEEP_MISSING] = np.nan
    return sleep


def _composition_term(truth: TrueRisk, days: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """``sum_j b_j ln x_j`` of each participant's composition (0 without a counted day)."""
    from walkback.cohort.coda import PARTS, multiplicative_replacement, person_compositions
    from walkback.cohort.config import CodaSettings

    if truth.composition_log_rr is None:
        return np.zeros(ids.size)
    cs = CodaSettings()
    comp = person_compositions(days, ids, cs.day_sum_tolerance_s)
    x = comp[list(PARTS)].to_numpy(dtype=float)
    ok = np.isfinite(x).all(axis=1)
    term = np.zeros(ids.size)
    xr = multiplicative_replacement(x[ok], cs.delta_factor * cs.detection_limit_min)
    term[ok] = np.log(xr) @ np.asarray(truth.composition_log_rr, dtype=float)
    return term


def _zero_days(d: dict[str, np.ndarray], kind: np.ndarray) -> None:
    """Set one of lying/sitting/standing/walking to 0, moving its time to keep 24 h."""
    for k, col in enumerate(("lying_s", "sitting_s", "standing_s")):
        hit = kind == k
        other = "sitting_s" if col != "sitting_s" else "lying_s"
        d[other][hit] += d[col][hit]
        d[col][hit] = 0.0
    hit = kind == 3
    for col in ("walk_slow_s", "walk_moderate_s", "walk_brisk_s", "walking_s"):
        if col != "walking_s":
            d["sitting_s"][hit] += d[col][hit]
        d[col][hit] = 0.0


def _baseline_pain(rng, m: int) -> dict[str, np.ndarray]:
    """Baseline pain items (1 yes, 0 no, NaN missing / not ticked) and who answers follow-up
    (``chronic_pain_t1`` 0 = answered, NaN = lost; filled by :func:`_set_outcome`)."""
    msp0 = (rng.random(m) < _P_MSP0).astype(float)
    lum0 = np.where((msp0 == 1) & (rng.random(m) < _P_LUMBAR_GIVEN_MSP), 1.0, np.nan)
    msp0[rng.random(m) < _P_MSP0_MISSING] = np.nan
    answered = rng.random(m) >= _P_FU_MISSING
    return {"chronic_pain_t0": msp0, "lumbar_pain_t0": lum0,
            "chronic_pain_t1": np.where(answered, 0.0, np.nan)}


def _log_rr(truth: TrueRisk, cov, vcat: np.ndarray, icat: np.ndarray) -> np.ndarray:
    """Linear predictor without intercept; categories 0 (no exposure) contribute nothing."""
    vrr = np.log(np.r_[1.0, truth.volume_rr])
    irr = np.log(np.r_[1.0, truth.intensity_rr])
    smoke_idx = np.select([np.isin(cov["smoking"], [1, 4]), np.isin(cov["smoking"], [2, 3])],
                          [1, 2], 0)
    return (vrr[vcat] + irr[icat] + math.log(truth.age_rr_per_year) * cov["age"]
            + math.log(truth.male_rr) * ~cov["female"]
            + np.log(truth.education_rr)[cov["education"] - 1]
            + np.log(truth.income_rr)[cov["income"] - 1]
            + math.log(truth.employed_rr) * cov["employed"]
            + np.log(truth.smoking_rr)[smoke_idx]
            + math.log(truth.depression_rr) * (cov["hads"] >= 7))


def _other_items(rng, m: int, cov, msp0: np.ndarray) -> dict[str, np.ndarray]:
    bmi = np.round(np.clip(rng.normal(27.3, 4.5, m), 15, 60), 1)
    bmi_alt = np.where(rng.random(m) < 0.6, np.round(bmi + rng.normal(0, 0.5, m), 1), np.nan)
    gap = rng.random(m) < 0.05
    bmi_out = np.where(gap, np.nan, bmi)
    bmi_alt = np.where(gap, bmi_alt, np.nan)
    pain4 = np.clip(np.round(rng.normal(2.0 + 1.5 * (msp0 == 1), 1.1, m)), 1, 6)
    health = np.clip(np.round(rng.normal(3.1 - 0.3 * (cov["hads"] >= 7), 0.65, m)), 1, 4)
    out = {"bmi_kg_m2": bmi_out, "bmi_alt_kg_m2": bmi_alt, "pain_4weeks_code": pain4,
           "health_code": health}
    prevalence = (0.03, 0.04, 0.015, 0.015, 0.01, 0.025, 0.015)
    for name, prev in zip(DISEASE_COLUMNS, prevalence, strict=True):
        v = (rng.random(m) < prev * (0.5 + cov["age"] / 55.0)).astype(float)
        v[rng.random(m) < 0.005] = np.nan
        out[name] = v
    out["exercise_freq_code"] = rng.choice(np.arange(1, 6), m, p=[0.08, 0.12, 0.2, 0.4, 0.2])
    out["work_type_code"] = np.where(cov["employed"], rng.choice([1, 2, 3, 4], m,
                                                                 p=[0.5, 0.25, 0.18, 0.07]),
                                     np.nan)
    return out


def _with_missing(rng, cov) -> dict[str, np.ndarray]:
    m = cov["age"].size
    raw = {"sex_code": np.where(cov["female"], 0.0, 1.0), "age_years": cov["age"],
           "education_code": cov["education"].astype(float),
           "income_code": cov["income"].astype(float),
           "work_status_code": cov["employed"].astype(float),
           "smoking_code": cov["smoking"].astype(float), "hads_d_score": cov["hads"]}
    for key, col in (("education", "education_code"), ("income", "income_code"),
                     ("work", "work_status_code"), ("smoking", "smoking_code"),
                     ("hads", "hads_d_score")):
        raw[col] = np.where(rng.random(m) < _P_COV_MISSING[key], np.nan, raw[col])
    return raw


def simulate_cohort(n: int = 11194, seed: int = 0, truth: TrueRisk | None = None,
                    volume_intensity_corr: float = 0.0) -> SimulatedCohort:
    """A synthetic cohort whose analytic sample has about ``n`` participants (module docs).

    Deterministic for a given ``(n, seed, truth, volume_intensity_corr)``.
    """
    truth = truth or TrueRisk()
    if n < 10:
        raise ValueError(f"n must be >= 10, got {n}")
    if not 0.0 <= volume_intensity_corr < 1.0:
        raise ValueError("volume_intensity_corr must lie in [0, 1)")
    rng = np.random.default_rng(seed)
    m = int(math.ceil(n / _inclusion_probability()))
    cov = _covariates(rng, m)
    volume, intensity = _latent_exposures(rng, cov, volume_intensity_corr)
    day_arrays = _days(rng, m, volume, intensity)
    ids = np.array([f"P{i:07d}" for i in range(1, m + 1)], dtype=object)
    days = pd.DataFrame({"participant_id": np.repeat(ids, N_DAYS),
                         "day": np.tile(np.arange(1, N_DAYS + 1), m)})
    for col in DAY_ACTIVITY_COLUMNS:
        days[col] = day_arrays[col].ravel()
    days["sleep_s"] = _sleep(seed, day_arrays["lying_s"]).ravel()
    exp = person_exposures(days, truth.met_weights, participants=ids)
    vol_obs = exp["volume_min"].to_numpy()
    int_obs = exp["intensity_met"].to_numpy()
    vcat = assign_groups(vol_obs, truth.volume_cuts_min)
    icat = assign_groups(int_obs, truth.intensity_cuts_met)
    comp_term = _composition_term(truth, days, ids)
    lin = _log_rr(truth, cov, vcat, icat) + comp_term
    raw = _with_missing(rng, cov)
    y_u = rng.random(m)
    pain = _baseline_pain(rng, m)
    # calibrate b0 on those who will pass every exclusion (none depends on the outcome)
    incl = ((cov["age"] >= 20) & (vcat > 0) & (icat > 0) & ~np.isnan(pain["chronic_pain_t0"])
            & np.isnan(pain["lumbar_pain_t0"]) & ~np.isnan(pain["chronic_pain_t1"])
            & ~np.any(np.isnan(np.column_stack(list(raw.values()))), axis=1))
    b0 = math.log(truth.case_share / float(np.mean(np.exp(lin[incl]))))
    risk = np.exp(b0 + lin)
    if risk.max() >= 1.0:
        raise ValueError(f"TrueRisk gives risks >= 1 (max {risk.max():.2f}); lower the RRs "
                         "or case_share")
    y = y_u < risk
    _set_outcome(rng, pain, y)
    participants = _participant_frame(rng, ids, raw, pain, _other_items(rng, m, cov,
                                                                          pain["chronic_pain_t0"]),
                                      day_arrays)
    risk_df = pd.DataFrame({"participant_id": ids, "volume_min": vol_obs,
                            "intensity_met": int_obs, "volume_cat": vcat, "intensity_cat": icat,
                            "log_rr_composition": comp_term,
                            "risk": risk, "lbp_t1_true": y.astype(np.int64),
                            "included_expected": incl})
    log.info("simulated cohort: %d participants, %d expected included", m, int(incl.sum()))
    return SimulatedCohort(days=days, participants=participants, truth=truth, intercept=b0,
                           risk=risk_df)


def _set_outcome(rng, pain: dict[str, np.ndarray], y: np.ndarray) -> None:
    """Follow-up items given the outcome (answered participants only)."""
    answered = ~np.isnan(pain["chronic_pain_t1"])
    m = y.size
    other_pain = rng.random(m) < 0.30
    pain["chronic_pain_t1"] = np.where(answered, (y | other_pain).astype(float), np.nan)
    pain["lumbar_pain_t1"] = np.where(answered & y, 1.0, np.nan)
    lim = np.where(y, rng.random(m) < 0.40, other_pain & (rng.random(m) < 0.15))
    pain["leisure_limitation_t1"] = np.where(answered, lim.astype(float), np.nan)


def _participant_frame(rng, ids, raw, pain, other, day_arrays) -> pd.DataFrame:
    m = ids.size
    base = np.datetime64("2017-09-01") + rng.integers(0, 540, m).astype("timedelta64[D]")
    fu_days = np.round(365.0 * np.clip(rng.normal(4.2, 0.45, m), 2.5, 6.0)).astype(np.int64)
    follow = base + fu_days.astype("timedelta64[D]")
    follow = np.where(np.isnan(pain["chronic_pain_t1"]), np.datetime64("NaT"), follow)
    worn = (~np.isnan(day_arrays["lying_s"])).sum(axis=1).astype(float)
    cols = {"participant_id": ids, **raw, **pain,
            "baseline_date": base.astype("datetime64[ns]"),
            "followup_date": follow.astype("datetime64[ns]"), **other, "accel_days": worn}
    return pd.DataFrame({c.name: cols[c.name] for c in PARTICIPANT_COLUMNS})


def _csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.10g", date_format="%Y-%m-%d")


def write_cohort(sim: SimulatedCohort, out_dir: str | Path,
                 layout: str = "long") -> dict[str, Path]:
    """Write ``days.csv`` and ``participants.csv`` into ``out_dir`` (each file atomically).

    ``layout="long"``: canonical names, one row per participant-day (the default config reads
    them). ``layout="hunt"``: HUNT names, the day table wide (``PID_114165``,
    ``LyTmD1_NT4ActMX`` ... ``CyclTmD7_NT4ActMX``, ``SleTmD1_NT4ActMX`` ...), plus
    ``cohort-config-hunt.toml`` to pass
    as ``--config``. Returns the written paths by role (``days``, ``participants``, ``config``).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"days": out / "days.csv", "participants": out / "participants.csv"}
    if layout == "long":
        _csv(sim.days, paths["days"])
        _csv(sim.participants, paths["participants"])
        return paths
    if layout != "hunt":
        raise ValueError(f"layout must be 'long' or 'hunt', got {layout!r}")
    ids = sim.days["participant_id"].to_numpy()[::N_DAYS]
    wide: dict[str, np.ndarray] = {"PID_114165": ids}
    for d in range(1, N_DAYS + 1):
        for canon, pattern in HUNT_DAY_PATTERNS.items():
            wide[pattern.format(day=d)] = sim.days[canon].to_numpy().reshape(-1, N_DAYS)[:, d - 1]
    _csv(pd.DataFrame(wide), paths["days"])
    inverse = {canon: hunt for hunt, canon in HUNT_PARTICIPANT_COLUMNS.items()}
    _csv(sim.participants.rename(columns=inverse), paths["participants"])
    paths["config"] = out / "cohort-config-hunt.toml"
    write_text_atomic(paths["config"], hunt_config_toml())
    return paths
