"""Cohort settings: input mapping (names, layout, raw codes), exposure and model settings.

The cohort's settings are the ``[cohort]`` table of the study settings file (read by
:func:`walkback.study_settings.load_study_settings`, the one loader); with no file the defaults
apply (canonical column names, long or auto-detected layout, the study's codes and models). Its
sub-tables (``[cohort.wide]``, ``[cohort.codes]``, ``[cohort.exposure]``, ``[cohort.models]``) map
one-to-one onto the frozen dataclasses below; unknown keys and wrongly typed values are refused.
``docs/cohort-inputs.md`` documents every key; ``docs/cohort-config-hunt.toml`` is the complete
HUNT example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from walkback.definitions import MET_BY_PACE
from walkback.errors import SettingsError

__all__ = [
    "CodeSettings",
    "CohortSettings",
    "ExposureSettings",
    "ModelSettings",
    "WideLayout",
    "hunt_config_toml",
    "hunt_settings",
]

#: HUNT wide-layout column patterns (``{day}`` = day number 1..7), study-spec §1.1.
HUNT_DAY_PATTERNS: dict[str, str] = {
    "lying_s": "LyTmD{day}_NT4ActMX",
    "sitting_s": "SitTmD{day}_NT4ActMX",
    "standing_s": "StandTmD{day}_NT4ActMX",
    "walk_slow_s": "Walk1TmD{day}_NT4ActMX",
    "walk_moderate_s": "Walk2TmD{day}_NT4ActMX",
    "walk_brisk_s": "Walk3TmD{day}_NT4ActMX",
    "walking_s": "WalkTmD{day}_NT4ActMX",
    "running_s": "RunTmD{day}_NT4ActMX",
    "cycling_s": "CyclTmD{day}_NT4ActMX",
}

#: HUNT participant variables (study-spec §1.1, the authors' 0_Preprocessing.do) -> canonical.
HUNT_PARTICIPANT_COLUMNS: dict[str, str] = {
    "PID_114165": "participant_id",
    "PartDat_NT4BLM": "baseline_date",
    "PartDat_NT4CovQ": "followup_date",
    "Sex": "sex_code",
    "PartAg_NT4BLM": "age_years",
    "Bmi_NT4BLM": "bmi_kg_m2",
    "BmiEld_NT4BLM": "bmi_alt_kg_m2",
    "Educ_NT4BLQ1": "education_code",
    "IncoTot_NT4BLQ1": "income_code",
    "WorCu_NT4BLI": "work_status_code",
    "SmoStat_NT4BLQ1": "smoking_code",
    "HADSDepr_NT4BLQ2": "hads_d_score",
    "WorTyp_NT4BLI": "work_type_code",
    "MSPaLY_NT4BLQ2": "chronic_pain_t0",
    "MSPaLum_NT4BLQ2": "lumbar_pain_t0",
    "MSPaLY_NT4CovQ": "chronic_pain_t1",
    "MSPaLum_NT4CovQ": "lumbar_pain_t1",
    "MSPaLeiLim_NT4CovQ": "leisure_limitation_t1",
    "Healt_NT4BLQ1": "health_code",
    "MSPaChrL4W_NT4BLQ1": "pain_4weeks_code",
    "DiaEv_NT4BLQ1": "diabetes",
    "CaEv_NT4BLQ1": "cancer",
    "CarAngEv_NT4BLQ1": "angina",
    "CarInfEv_NT4BLQ1": "myocardial_infarction",
    "CarFaiEv_NT4BLQ1": "heart_failure",
    "CarAtrFibrEv_NT4BLQ1": "atrial_fibrillation",
    "ApoplEv_NT4BLQ1": "stroke",
    "ExeF_NT4BLQ1": "exercise_freq_code",
    "ActDN_NT4BLM": "accel_days",
}


@dataclass(frozen=True)
class ModelSettings:
    """What the cohort models enter (study-spec §1.7-1.8). Used by the model code (engineer B).

    ``age_covariates`` form the age-adjusted model; ``covariates`` the multi-adjusted one;
    names in ``categorical`` enter as factors (lowest level = reference), the others linearly.
    ``stata_small_sample`` multiplies the HC0 sandwich by n/(n-1) (Stata's ``vce(robust)``).
    Spline knots sit at ``spline_percentiles`` (Stata default percentile rule); dose-response
    grids use the given steps (minutes/day and MET). ``age_split_years`` defines ``age65``.
    """

    age_covariates: tuple[str, ...] = ("age_years",)
    covariates: tuple[str, ...] = (
        "age_years",
        "sex",
        "education",
        "income",
        "employed",
        "smoking",
        "depression",
    )
    categorical: tuple[str, ...] = (
        "sex",
        "education",
        "income",
        "employed",
        "smoking",
        "depression",
    )
    stata_small_sample: bool = True
    spline_percentiles: tuple[float, ...] = (10.0, 50.0, 90.0)
    age_split_years: float = 65.0
    volume_grid_step_min: float = 0.25
    intensity_grid_step_met: float = 0.01
    max_iter: int = 100
    tol: float = 1e-10

    def __post_init__(self) -> None:
        missing = [c for c in self.age_covariates if c not in self.covariates]
        if missing:
            raise SettingsError(f"age_covariates {missing} must also be listed in covariates")
        sp = tuple(float(p) for p in self.spline_percentiles)
        if len(sp) != 3 or not 0 < sp[0] < sp[1] < sp[2] < 100:
            raise SettingsError(
                f"spline_percentiles must be 3 increasing values in (0, 100), "
                f"got {self.spline_percentiles}"
            )
        if self.volume_grid_step_min <= 0 or self.intensity_grid_step_met <= 0:
            raise SettingsError("grid steps must be > 0")
        if self.max_iter < 1 or self.tol <= 0:
            raise SettingsError("max_iter must be >= 1 and tol > 0")


@dataclass(frozen=True)
class ExposureSettings:
    """Exposure derivation (study-spec §1.2-1.3) and the age eligibility rule.

    ``met_weights``: MET of slow, moderate and brisk walking (study: 2.8, 3.8, 4.8).
    ``min_age_years``: participants younger than this at baseline are excluded (study: 20; set 0
    to disable). Applied as the first exclusion step, see :mod:`walkback.cohort.sample`.
    ``drop_partial_days``: blank days flagged ``partial_day`` (walkback's own daily tables: the
    recording did not cover the whole local day, e.g. the attachment and removal days). HUNT's
    days are full 24-h days, so a 9-h last day would otherwise count as a valid day and pull the
    mean walking per valid day down. Tables without the column are unaffected.
    """

    met_weights: tuple[float, float, float] = MET_BY_PACE
    min_age_years: float = 20.0
    drop_partial_days: bool = True

    def __post_init__(self) -> None:
        if len(self.met_weights) != 3 or any(float(w) <= 0 for w in self.met_weights):
            raise SettingsError(f"met_weights must be 3 positive numbers, got {self.met_weights}")
        if self.min_age_years < 0:
            raise SettingsError(f"min_age_years must be >= 0, got {self.min_age_years}")


@dataclass(frozen=True)
class WideLayout:
    """The wide day layout: one row per participant, one column per activity and day.

    ``patterns`` maps a canonical day column to a file column name containing ``{day}``
    (default: HUNT's ``LyTmD{day}_NT4ActMX`` ...). ``id_column`` is the file's participant-id
    column (before ``columns_days`` renaming applies to it). ``day_numbers`` are the days looked
    for; a day whose columns are all absent is an error, absent days are never guessed.
    """

    id_column: str = "PID_114165"
    day_numbers: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
    patterns: dict[str, str] = field(default_factory=lambda: dict(HUNT_DAY_PATTERNS))

    def __post_init__(self) -> None:
        bad = [k for k, v in self.patterns.items() if "{day}" not in v]
        if bad:
            raise SettingsError(f"wide.patterns must contain '{{day}}': {bad}")
        if not self.day_numbers:
            raise SettingsError("wide.day_numbers must not be empty")


@dataclass(frozen=True)
class CodeSettings:
    """Raw answer codes of the participant table, turned into the study's variables.

    Defaults are the study's codes as read in its Stata code (study-spec §1.6-1.7). Where
    HUNT's coding is not documented in what the project could read (marked *uncertain*), check
    the codebook and set the value in the config.

    - ``sex_female`` / ``sex_male`` (*uncertain*: the study's code labels ``Sex`` 0 "Female",
      1 "Male"; other HUNT deliveries may use 1 = male, 2 = female).
    - ``yes`` / ``no``: codes of the yes/no pain and chronic-disease items (study: 1 / 0; an empty
      lumbar-site item counts as "no" when the chronic-pain item is answered, as in the study).
    - ``employed`` / ``not_employed``: ``work_status_code`` values (study: ``WorCu`` 1 / 0);
      any other non-missing value is an input error.
    - ``smoking_never`` / ``smoking_former`` / ``smoking_current``: ``SmoStat`` codes
      (study: 0 / 1, 4 / 2, 3).
    - ``depression_min_score``: HADS-D at or above this is depression (study: 7; range 0-21).
    - ``education_secondary`` / ``education_university``: education codes collapsed for Table 1
      (the rest is primary; study: 2-4 secondary, 5-6 university).
    - ``education_levels`` / ``income_levels``: valid codes (study: 1-6 and 1-5); any other
      non-missing value is an input error.
    - ``missing_values``: codes meaning "missing" in every participant column (e.g. Stata
      extended missing exported as 99); empty by default.
    """

    sex_female: int = 0
    sex_male: int = 1
    yes: int = 1
    no: int = 0
    employed: tuple[int, ...] = (1,)
    not_employed: tuple[int, ...] = (0,)
    smoking_never: tuple[int, ...] = (0,)
    smoking_former: tuple[int, ...] = (1, 4)
    smoking_current: tuple[int, ...] = (2, 3)
    depression_min_score: float = 7.0
    education_secondary: tuple[int, ...] = (2, 3, 4)
    education_university: tuple[int, ...] = (5, 6)
    education_levels: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    income_levels: tuple[int, ...] = (1, 2, 3, 4, 5)
    missing_values: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if self.sex_female == self.sex_male:
            raise SettingsError("sex_female and sex_male must differ")
        if self.yes == self.no:
            raise SettingsError("yes and no codes must differ")
        if set(self.employed) & set(self.not_employed):
            raise SettingsError("employed and not_employed codes overlap")
        groups = (self.smoking_never, self.smoking_former, self.smoking_current)
        flat = [c for g in groups for c in g]
        if len(flat) != len(set(flat)):
            raise SettingsError(f"smoking codes overlap: {groups}")
        if set(self.education_secondary) & set(self.education_university):
            raise SettingsError("education_secondary and education_university overlap")


@dataclass(frozen=True)
class CohortSettings:
    """All cohort settings.

    - ``layout``: ``"long"`` (one row per participant-day), ``"wide"`` (one row per participant,
      day-numbered columns, see :class:`WideLayout`) or ``"auto"`` (wide when the file holds the
      wide pattern columns of day 1, else long).
    - ``columns_days`` / ``columns_participants``: file column name -> canonical name (see
      :mod:`walkback.cohort.schema`); columns not named keep their names, extra columns are
      ignored.
    - ``max_day_s``: largest plausible seconds per activity and per day (86,400). Days whose
      ``day_length_s`` says 90,000 (25-h DST day) may reach ``max_dst_day_s``.
    - ``date_format``: ``strptime`` format of text dates in the participant table (e.g.
      ``"%m/%d/%Y"``); empty = ISO 8601 (``YYYY-MM-DD``). Numeric dates are Stata daily dates
      (days since 1960-01-01); Stata ``%td`` columns in ``.dta`` files are read as dates.
    """

    layout: Literal["auto", "long", "wide"] = "auto"
    columns_days: dict[str, str] = field(default_factory=dict)
    columns_participants: dict[str, str] = field(default_factory=dict)
    wide: WideLayout = field(default_factory=WideLayout)
    codes: CodeSettings = field(default_factory=CodeSettings)
    exposure: ExposureSettings = field(default_factory=ExposureSettings)
    models: ModelSettings = field(default_factory=ModelSettings)
    max_day_s: float = 86_400.0
    max_dst_day_s: float = 90_000.0
    date_format: str = ""

    def __post_init__(self) -> None:
        if self.layout not in ("long", "wide", "auto"):
            raise SettingsError(f"layout must be 'long', 'wide' or 'auto', got {self.layout!r}")
        for name in ("columns_days", "columns_participants"):
            mapping = getattr(self, name)
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise SettingsError(f"{name} must map file column names to canonical names")
            targets = list(mapping.values())
            dup = sorted({t for t in targets if targets.count(t) > 1})
            if dup:
                raise SettingsError(f"{name}: several file columns map to {dup}")
        if not 0 < self.max_day_s <= self.max_dst_day_s:
            raise SettingsError("need 0 < max_day_s <= max_dst_day_s")


def hunt_settings() -> CohortSettings:
    """The settings of ``docs/cohort-config-hunt.toml`` (HUNT names, wide layout)."""
    return CohortSettings(layout="wide", columns_participants=dict(HUNT_PARTICIPANT_COLUMNS),
                          wide=WideLayout(id_column="PID_114165"))


_HUNT_HEADER = """\
# walkback cohort config for the HUNT4 data as delivered for the walking / low back pain study
# (Haddadj et al., JAMA Netw Open 2025). HUNT delivers ONE Stata file holding the participant
# variables and the day-numbered accelerometer variables; pass it as both tables:
#
#   walkback analyze --days hunt.dta --participants hunt.dta \\
#       --settings cohort-config-hunt.toml --out results
#
# Every key is documented in docs/cohort-inputs.md. Values marked UNCERTAIN follow the study's
# Stata code, but HUNT's codebook was not available to the walkback developers: check them
# against your data delivery's codebook before running. Generated by
# walkback.cohort.config.hunt_config_toml().

[cohort]
# One row per participant with columns such as LyTmD1_NT4ActMX ... WalkTmD7_NT4ActMX.
layout = "wide"
# strptime format of text dates; empty = ISO 8601. Stata %td dates in .dta need nothing.
date_format = ""
"""

_HUNT_CODES = """\
[cohort.codes]
# UNCERTAIN: the study's code labels Sex 0 "Female", 1 "Male".
sex_female = 0
sex_male = 1
# Pain and chronic-disease items: 1 = yes, 0 = no (lumbar site: empty = not ticked).
yes = 1
no = 0
# WorCu_NT4BLI: 1 = currently working -> employed; 0 -> not employed.
employed = [1]
not_employed = [0]
# SmoStat_NT4BLQ1 (study recode): 0 never; 1 and 4 former; 2 and 3 current.
smoking_never = [0]
smoking_former = [1, 4]
smoking_current = [2, 3]
# HADSDepr_NT4BLQ2: 0-6 no, 7-21 yes.
depression_min_score = 7.0
# Educ_NT4BLQ1 collapsed for Table 1: 1 primary, 2-4 secondary, 5-6 university.
education_levels = [1, 2, 3, 4, 5, 6]
education_secondary = [2, 3, 4]
education_university = [5, 6]
income_levels = [1, 2, 3, 4, 5]
# Codes meaning "missing" in every participant column (none in the study's .dta).
missing_values = []

[cohort.exposure]
met_weights = [{MET_TEXT}]  # slow, moderate, brisk walking
min_age_years = 20.0  # HUNT4 invited adults aged >= 20

[cohort.models]
age_covariates = ["age_years"]
covariates = ["age_years", "sex", "education", "income", "employed", "smoking", "depression"]
categorical = ["sex", "education", "income", "employed", "smoking", "depression"]
stata_small_sample = true
spline_percentiles = [10.0, 50.0, 90.0]
age_split_years = 65.0
volume_grid_step_min = 0.25
intensity_grid_step_met = 0.01
max_iter = 100
tol = 1e-10
"""


def hunt_config_toml() -> str:
    """The complete HUNT example config (the text of ``docs/cohort-config-hunt.toml``)."""
    lines = [_HUNT_HEADER, "[cohort.wide]", 'id_column = "PID_114165"',
             "day_numbers = [1, 2, 3, 4, 5, 6, 7]", "",
             "# canonical day column (seconds per day) -> HUNT column name, {day} = 1..7",
             "[cohort.wide.patterns]"]
    lines += [f'{k} = "{v}"' for k, v in HUNT_DAY_PATTERNS.items()]
    lines += ["# Optional trunk exposures from the lower-back sensor (docs/trunk.md), when a",
              "# delivery holds them; map each one you have, e.g. (an example name, not a HUNT variable):",
              '# trunk_fwd_ge30_s = "TrunkFwd30TmD{day}_NT4ActMX"',
              "# A day file without them loads as before."]
    lines += ["", "# The day file's other columns (the id column is set in [wide]); none for HUNT.",
              "[cohort.columns_days]", "",
              "# HUNT variable name -> canonical participant column (walkback.cohort.schema).",
              "[cohort.columns_participants]"]
    lines += [f'{k} = "{v}"' for k, v in HUNT_PARTICIPANT_COLUMNS.items()]
    met = ", ".join(str(w) for w in MET_BY_PACE)
    return "\n".join(lines) + "\n\n" + _HUNT_CODES.replace("{MET_TEXT}", met)
