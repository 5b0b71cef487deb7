"""Canonical columns of the cohort input tables (day table and participant table).

Every input file is mapped onto these names by the cohort config (:mod:`walkback.cohort.config`),
so the analysis code only ever sees canonical names. ``docs/cohort-inputs.md`` is the user-facing
version of this page; the HUNT names are in ``docs/cohort-config-hunt.toml``.

Day table (long layout, one row per participant and day; durations in seconds per day; NaN =
not recorded). The study's derivations (walking blanked on days with zero lying, sitting,
standing or walking; means over non-missing days) depend on NaN vs 0, so keep missing as missing.

Participant table: one row per participant holding the study's *raw* items (codes as collected);
:mod:`walkback.cohort.sample` does the study's recodes with the codes in
:class:`~walkback.cohort.config.CodeSettings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from walkback.definitions import MET_BY_PACE, trunk_day_columns

if TYPE_CHECKING:
    from walkback.cohort.config import CodeSettings

__all__ = [
    "DAY_ACTIVITY_COLUMNS",
    "DAY_COLUMNS",
    "DAY_OPTIONAL_COLUMNS",
    "DAY_TRUNK_COLUMNS",
    "DISEASE_COLUMNS",
    "PARTICIPANT_COLUMNS",
    "VALUE_RANGES",
    "WIDE_OPTIONAL_COLUMNS",
    "ColumnSpec",
    "allowed_codes",
    "participant_required",
]


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: name, kind (``id``, ``int``, ``float``, ``code``, ``date``),
    whether a file must hold it, and its meaning (with codes and units)."""

    name: str
    kind: str
    required: bool
    meaning: str


DAY_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("participant_id", "id", True, "participant identifier (read as text)"),
    ColumnSpec("day", "int", True, "day number within the recording (1-based)"),
    ColumnSpec("lying_s", "float", True, "lying, incl. sleep (HUNT LyTmD)"),
    ColumnSpec("sitting_s", "float", True, "sitting (HUNT SitTmD)"),
    ColumnSpec("standing_s", "float", True, "standing (HUNT StandTmD)"),
    ColumnSpec("walk_slow_s", "float", True, f"slow walking (HUNT Walk1TmD), MET weight {MET_BY_PACE[0]}"),
    ColumnSpec("walk_moderate_s", "float", True, f"moderate walking (Walk2TmD), MET {MET_BY_PACE[1]}"),
    ColumnSpec("walk_brisk_s", "float", True, f"brisk walking (Walk3TmD), MET {MET_BY_PACE[2]}"),
    ColumnSpec("walking_s", "float", True, "total walking = slow+moderate+brisk (WalkTmD)"),
    ColumnSpec("running_s", "float", True, "running (HUNT RunTmD)"),
    ColumnSpec("cycling_s", "float", True, "cycling (HUNT CyclTmD)"),
)

#: The nine activity durations of a day, seconds (study-spec §1.1, HUNT ``*TmD{i}_NT4ActMX``).
DAY_ACTIVITY_COLUMNS: tuple[str, ...] = tuple(c.name for c in DAY_COLUMNS[2:])

#: Optional day columns: ``day_length_s`` (86,400; 90,000 on a 25-h DST day) allows a day's
#: durations up to ``CohortSettings.max_dst_day_s``; ``sedentary_s`` and ``partial_day`` come from
#: walkback's own daily tables (see :mod:`walkback.cohort.exposures` and ``ExposureSettings``), and
#: so do the trunk exposures (:data:`DAY_TRUNK_COLUMNS`, kept in the day table when present; a
#: table without them loads as before);

#: ``sleep_s`` (seconds of sleep, inside ``lying_s``) feeds the compositional analysis
#: (:mod:`walkback.cohort.coda`) and nothing else.
DAY_OPTIONAL_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("day_length_s", "float", False, "length of the local day, s (DST: 82,800/90,000)"),
    ColumnSpec("sedentary_s", "float", False, "sitting or lying, s; used on thigh-only days, where "
               "lying_s and sitting_s are empty (walkback's own daily tables)"),
    ColumnSpec("partial_day", "bool", False, "the recording did not cover the whole local day; "
               "such days are blanked unless exposure.drop_partial_days is false"),
    ColumnSpec("sleep_s", "float", False, "sleep, s; part of lying_s (HUNT SleTmD). Enables the "
               "24-h compositional analysis (walkback.cohort.coda)"),
    *(ColumnSpec(c, "float", False, "trunk exposure from the lower-back sensor, s per day "
                 "(walkback's daily tables; docs/trunk.md); empty = no back sensor worn")
      for c in trunk_day_columns()),
)

#: The optional trunk exposure columns of the day table (seconds per day, docs/trunk.md).
DAY_TRUNK_COLUMNS: tuple[str, ...] = trunk_day_columns()

#: Optional day columns that a wide layout may name by pattern (``[wide.patterns]``); a file without
#: them still loads (HUNT deliveries without the sleep model lack ``SleTmD``; HUNT has no trunk
#: columns unless a delivery adds them).
WIDE_OPTIONAL_COLUMNS: tuple[str, ...] = ("sleep_s", *DAY_TRUNK_COLUMNS)

#: The seven chronic-disease items (study-spec §1.9 sensitivity analysis 7), 0 = no, yes code.
DISEASE_COLUMNS: tuple[str, ...] = (
    "diabetes",
    "cancer",
    "angina",
    "myocardial_infarction",
    "heart_failure",
    "atrial_fibrillation",
    "stroke",
)

PARTICIPANT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("participant_id", "id", True, "participant identifier (HUNT PID_114165)"),
    ColumnSpec("sex_code", "code", True, "sex; codes.sex_female / codes.sex_male (HUNT Sex)"),
    ColumnSpec("age_years", "float", True, "age at baseline, years (PartAg_NT4BLM)"),
    ColumnSpec("education_code", "code", True, "education 1-6 (Educ_NT4BLQ1): 1 primary; 2 1-2 y "
               "academic/vocational; 3 3 y; 4 3-4 y vocational/apprentice; 5 university <4 y; "
               "6 university >=4 y"),
    ColumnSpec("income_code", "code", True, "household income 1-5 (IncoTot_NT4BLQ1): <25,000; "
               "25,000-45,000; 45,100-75,000; 75,100-100,000; >100,000 USD/yr"),
    ColumnSpec("work_status_code", "code", True, "currently working (WorCu_NT4BLI): 1 yes, 0 no"),
    ColumnSpec("smoking_code", "code", True, "smoking status 0-4 (SmoStat_NT4BLQ1): 0 never; "
               "1, 4 former; 2, 3 current"),
    ColumnSpec("hads_d_score", "float", True, "HADS depression score 0-21 (HADSDepr_NT4BLQ2)"),
    ColumnSpec("chronic_pain_t0", "code", True, "chronic musculoskeletal pain >=3 months in the "
               "past year at baseline, 0/1 (MSPaLY_NT4BLQ2)"),
    ColumnSpec("lumbar_pain_t0", "code", True, "of which in the lower back at baseline, 1 = yes, "
               "empty = not ticked (MSPaLum_NT4BLQ2)"),
    ColumnSpec("chronic_pain_t1", "code", True, "chronic musculoskeletal pain at follow-up, 0/1 "
               "(MSPaLY_NT4CovQ)"),
    ColumnSpec("lumbar_pain_t1", "code", True, "lower-back site at follow-up (MSPaLum_NT4CovQ)"),
    ColumnSpec("leisure_limitation_t1", "code", False, "pain limits leisure at follow-up, 0/1 "
               "(MSPaLeiLim_NT4CovQ); secondary outcome severe LBP"),
    ColumnSpec("baseline_date", "date", False, "baseline participation date (PartDat_NT4BLM)"),
    ColumnSpec("followup_date", "date", False, "follow-up participation date (PartDat_NT4CovQ)"),
    ColumnSpec("bmi_kg_m2", "float", False, "BMI, kg/m2 (Bmi_NT4BLM)"),
    ColumnSpec("bmi_alt_kg_m2", "float", False, "BMI filling gaps in bmi_kg_m2 (BmiEld_NT4BLM)"),
    ColumnSpec("pain_4weeks_code", "code", False, "pain in the past 4 weeks 1-6 (MSPaChrL4W_"
               "NT4BLQ1): 1 no, 2 very mild, 3 mild, 4 moderate, 5 strong, 6 very strong"),
    ColumnSpec("health_code", "code", False, "self-rated health 1-4 (Healt_NT4BLQ1): 1 poor, "
               "2 not so good, 3 good, 4 very good"),
    *(
        ColumnSpec(d, "code", False, f"ever had {d.replace('_', ' ')}, 0 no / 1 yes")
        for d in DISEASE_COLUMNS
    ),
    ColumnSpec("exercise_freq_code", "code", False, "exercise frequency 1-5 (ExeF_NT4BLQ1): "
               "never, <1/week, once a week, 2-3 times a week, nearly every day"),
    ColumnSpec("work_type_code", "code", False, "physical demand at work 1-4 (WorTyp_NT4BLI): "
               "mostly sedentary, much walking, walking and lifting, heavy manual labour; "
               "0 = non worker is accepted"),
    ColumnSpec("accel_days", "int", False, "number of accelerometer days (ActDN_NT4BLM)"),
)


def participant_required() -> tuple[str, ...]:
    """Names of the participant columns every participant table must hold."""
    return tuple(c.name for c in PARTICIPANT_COLUMNS if c.required)


#: Plausible ranges of the continuous participant columns (inclusive); outside = input error.
VALUE_RANGES: dict[str, tuple[float, float]] = {
    "age_years": (0.0, 130.0),
    "hads_d_score": (0.0, 21.0),
    "bmi_kg_m2": (5.0, 150.0),
    "bmi_alt_kg_m2": (5.0, 150.0),
    "accel_days": (0.0, 366.0),
}


def allowed_codes(codes: CodeSettings) -> dict[str, tuple[float, ...]]:
    """Valid values of each coded participant column under the configured ``codes``."""
    yes_no = (codes.no, codes.yes)
    allowed: dict[str, tuple[float, ...]] = {
        "sex_code": (codes.sex_female, codes.sex_male),
        "education_code": codes.education_levels,
        "income_code": codes.income_levels,
        "work_status_code": codes.employed + codes.not_employed,
        "smoking_code": codes.smoking_never + codes.smoking_former + codes.smoking_current,
        "pain_4weeks_code": (1, 2, 3, 4, 5, 6),
        "health_code": (1, 2, 3, 4),
        "exercise_freq_code": (1, 2, 3, 4, 5),
        "work_type_code": (0, 1, 2, 3, 4),  # 0 = non worker, as the study recodes
    }
    for col in ("chronic_pain_t0", "lumbar_pain_t0", "chronic_pain_t1", "lumbar_pain_t1",
                "leisure_limitation_t1", *DISEASE_COLUMNS):
        allowed[col] = yes_no
    return allowed
