"""The analytic sample: outcome coding, covariate recodes and exclusions (study-spec §1.5-1.7).

Recodes follow the authors' Stata code (``1_Cleaning.do``), with raw codes from
:class:`~walkback.cohort.config.CodeSettings`:

- ``msp_t0`` / ``msp_t1``: the chronic-pain item (1 = yes, 0 = no, NaN = missing).
- ``lbp_t0`` / ``lbp_t1``: 1 if the lumbar-site item is "yes"; 0 if it is empty or "no" while the
  chronic-pain item is answered; NaN when the chronic-pain item is missing.
- ``severe_lbp_t1``: 0 when ``msp_t1`` is answered, 1 when ``lbp_t1`` = 1 and leisure-time
  limitation = yes; NaN when ``msp_t1`` is missing.
- ``sex`` "female"/"male"; ``education`` 1-6 and ``education3`` primary/secondary/university;
  ``income`` 1-5; ``employed`` 1/0; ``smoking`` never/former/current; ``depression`` 1 if
  HADS-D >= 7; ``age65`` 1 if age >= 65.
- ``bmi``: BMI, gaps filled from the second BMI variable; ``chronic_disease``: 1 if any of the
  seven items is yes, 0 if all seven are no, else NaN; ``work_type``: 0 ("non worker") when
  missing and not employed; ``followup_years`` = days between the two dates / 365.

Exclusions, in this order, each counted in ``flow``:

0. age below ``exposure.min_age_years`` (20). The study's code has no such step because HUNT4
   invited only adults aged 20 or over; it is applied FIRST here because it defines the source
   population (eligibility), before any data-driven exclusion, so that the later counts match the
   study's flow. A missing age is not excluded here (it is excluded at the covariate step).
1. no valid accelerometer day; 2. no valid walking day; 3. missing chronic pain at baseline;
4. chronic LBP at baseline; 5. missing chronic pain at follow-up; 6. any missing model covariate
   (``models.covariates``; the study: sex, age, education, income, work status, smoking,
   depression; plus ``trunk_min`` when ``[cohort.trunk] role = "covariate"``) — complete cases,
   no imputation. With ``[cohort.trunk] role = "exposure"`` participants without a trunk measure
   (no back sensor) are excluded right after step 2.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from walkback.cohort.config import CohortSettings
from walkback.cohort.exposures import person_exposures
from walkback.cohort.schema import DISEASE_COLUMNS
from walkback.cohort.tables import CohortInputs
from walkback.errors import SettingsError

__all__ = ["AnalysisSample", "DATA_COLUMNS", "build_sample", "derive_participants",
           "exclusion_steps"]

log = logging.getLogger(__name__)

#: Columns of ``AnalysisSample.data`` (optional ``exercise_freq``, ``work_type`` follow).
DATA_COLUMNS: tuple[str, ...] = (
    "participant_id", "valid_days", "valid_days_walk", "volume_min", "intensity_met",
    "walk_slow_min", "walk_moderate_min", "walk_brisk_min", "walk_mvpa_min", "running_min",
    "cycling_min", "other_pa_min", "lbp_t1", "severe_lbp_t1", "msp_t0", "age_years", "age65",
    "sex", "education", "education3", "income", "employed", "smoking", "depression", "bmi",
    "pain_4weeks", "health_status", "chronic_disease", "followup_years",
)
_INT_COLUMNS = ("valid_days", "valid_days_walk", "lbp_t1", "msp_t0", "age65", "education",
                "income", "employed", "depression")


@dataclass(frozen=True)
class AnalysisSample:
    """``data``: included participants (``DATA_COLUMNS``); ``flow``: ``step, excluded,
    remaining``; ``everyone``: all participants, same derived columns (NaN where not
    derivable) plus ``included`` (bool) and ``excluded_at`` (flow step or "")."""

    data: pd.DataFrame
    flow: pd.DataFrame
    everyone: pd.DataFrame


def _isin(v: np.ndarray, codes) -> np.ndarray:
    return np.isin(v, np.asarray(codes, dtype=float))


def _coded(v: np.ndarray, mapping: dict[str, tuple]) -> np.ndarray:
    out = np.full(v.shape, None, dtype=object)
    for label, codes in mapping.items():
        out[_isin(v, codes)] = label
    return out


def _binary(cond: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, cond.astype(float), np.nan)


def _outcomes(p: pd.DataFrame, yes: float, no: float) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for t in ("t0", "t1"):
        msp = p[f"chronic_pain_{t}"].to_numpy(dtype=float)
        lum = p[f"lumbar_pain_{t}"].to_numpy(dtype=float)
        known = ~np.isnan(msp)
        out[f"msp_{t}"] = _binary(msp == yes, known)
        out[f"lbp_{t}"] = _binary(lum == yes, known)
    lim = p["leisure_limitation_t1"].to_numpy(dtype=float)
    out["severe_lbp_t1"] = _binary((out["lbp_t1"] == 1) & (lim == yes), ~np.isnan(out["msp_t1"]))
    return out


def derive_participants(inputs: CohortInputs, settings: CohortSettings) -> pd.DataFrame:
    """Every participant with the exposures and the study's recoded variables (no exclusion)."""
    p = inputs.participants
    c = settings.codes
    col = {k: p[k].to_numpy(dtype=float) for k in p.columns
           if k not in ("participant_id", "baseline_date", "followup_date")}
    trunk = settings.trunk.column if settings.trunk.role != "none" else None
    if trunk is not None and trunk not in inputs.days.columns:
        raise SettingsError(f"[cohort.trunk] column {trunk!r} (role {settings.trunk.role!r}) is "
                            "not in the day table; walkback's daily tables have trunk_fwd_ge30_s "
                            "etc. when a back sensor was worn")
    d = person_exposures(inputs.days, settings.exposure.met_weights,
                         participants=p["participant_id"].to_numpy(dtype=object),
                         trunk_column=trunk)
    age = col["age_years"]
    d["age_years"] = age
    d["age65"] = _binary(age >= settings.models.age_split_years, ~np.isnan(age))
    d["sex"] = _coded(col["sex_code"], {"female": (c.sex_female,), "male": (c.sex_male,)})
    edu = col["education_code"]
    d["education"] = edu
    ed3 = np.where(np.isnan(edu), None, "primary").astype(object)
    ed3[_isin(edu, c.education_secondary)] = "secondary"
    ed3[_isin(edu, c.education_university)] = "university"
    d["education3"] = ed3
    d["income"] = col["income_code"]
    ws = col["work_status_code"]
    d["employed"] = _binary(_isin(ws, c.employed), ~np.isnan(ws))
    d["smoking"] = _coded(col["smoking_code"], {"never": c.smoking_never,
                                                 "former": c.smoking_former,
                                                 "current": c.smoking_current})
    hads = col["hads_d_score"]
    d["depression"] = _binary(hads >= c.depression_min_score, ~np.isnan(hads))
    for k, v in _outcomes(p, float(c.yes), float(c.no)).items():
        d[k] = v
    d["bmi"] = np.where(np.isnan(col["bmi_kg_m2"]), col["bmi_alt_kg_m2"], col["bmi_kg_m2"])
    d["pain_4weeks"] = col["pain_4weeks_code"]
    d["health_status"] = col["health_code"]
    dis = np.column_stack([col[k] for k in DISEASE_COLUMNS])
    any_yes = np.any(dis == c.yes, axis=1)
    all_no = np.all(dis == c.no, axis=1)
    d["chronic_disease"] = np.where(any_yes, 1.0, np.where(all_no, 0.0, np.nan))
    delta = (p["followup_date"] - p["baseline_date"]).dt.days.to_numpy(dtype=float)
    d["followup_years"] = delta / 365.0
    d["exercise_freq"] = col["exercise_freq_code"]
    wt = col["work_type_code"].copy()
    wt[np.isnan(wt) & (d["employed"].to_numpy() == 0)] = 0.0
    d["work_type"] = wt
    return d


def exclusion_steps(d: pd.DataFrame, settings: CohortSettings, *,
                    accelerometer: bool = True) -> list[tuple[str, np.ndarray]]:
    """The study's exclusion steps in order, as ``(flow step name, drop mask)`` over ``d`` (the
    table of :func:`derive_participants`). ``accelerometer=False`` leaves out the two
    accelerometer steps (no valid day, no valid walking day): the compositional analysis
    (:mod:`walkback.cohort.coda`) puts its own counted-day rule in their place."""
    covs = list(settings.multi_covariates())
    unknown = [k for k in covs if k not in d.columns]
    if unknown:
        raise SettingsError(f"models.covariates: unknown variable(s) {unknown}; available: "
                            f"{sorted(set(d.columns) - {'participant_id'})}")
    miss_cov = d[covs].isna().any(axis=1).to_numpy()
    steps: list[tuple[str, np.ndarray]] = []
    min_age = settings.exposure.min_age_years
    if min_age > 0:
        steps.append((f"Age < {min_age:g} years", (d["age_years"] < min_age).to_numpy()))
    if accelerometer:
        steps += [
            ("No valid accelerometer day", (d["valid_days"] == 0).to_numpy()),
            ("No valid walking day", (d["valid_days_walk"] == 0).to_numpy()),
        ]
        if settings.trunk.role == "exposure":
            steps.append((f"No trunk measure ({settings.trunk.column}; back sensor)",
                          d["trunk_min"].isna().to_numpy()))
    steps += [
        ("Missing chronic pain at baseline", d["msp_t0"].isna().to_numpy()),
        ("Chronic low back pain at baseline", (d["lbp_t0"] == 1).to_numpy()),
        ("Missing chronic pain at follow-up", d["msp_t1"].isna().to_numpy()),
        (f"Missing covariate ({', '.join(covs)})", miss_cov),
    ]
    return steps


def build_sample(inputs: CohortInputs, settings: CohortSettings | None = None) -> AnalysisSample:
    """Derive every variable, apply the exclusions in the study's order, count each step."""
    settings = settings or CohortSettings()
    d = derive_participants(inputs, settings)
    remaining = np.ones(len(d), dtype=bool)
    excluded_at = np.full(len(d), "", dtype=object)
    rows = [("All participants", 0, int(remaining.sum()))]
    for name, drop in exclusion_steps(d, settings):
        hit = remaining & drop
        excluded_at[hit] = name
        remaining &= ~drop
        rows.append((name, int(hit.sum()), int(remaining.sum())))
    flow = pd.DataFrame(rows, columns=["step", "excluded", "remaining"])
    everyone = d.copy()
    everyone["included"] = remaining
    everyone["excluded_at"] = excluded_at
    cols = list(DATA_COLUMNS)
    for opt in ("exercise_freq", "work_type", "trunk_min"):
        if opt in d.columns and d[opt].notna().any():
            cols.append(opt)
    data = d.loc[remaining, cols].reset_index(drop=True)
    for k in _INT_COLUMNS:  # complete after the exclusions unless the user dropped a covariate
        if data[k].notna().all():
            data[k] = data[k].astype(np.int64)
    log.info("analytic sample: %d of %d participants", len(data), len(d))
    return AnalysisSample(data=data, flow=flow, everyone=everyone)
