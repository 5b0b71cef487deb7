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
    "CodaSettings",
    "CodeSettings",
    "CohortSettings",
    "TrunkSettings",
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
    "sleep_s": "SleTmD{day}_NT4ActMX",  # optional: the sleep model's output (CoDA paper)
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
    ``max_iter`` (Newton iterations) and ``tol`` (relative change of the deviance) control each
    Poisson fit: it has converged when the deviance changed by at most ``tol x (|deviance| + 1)``
    and no coefficient by more than 1e-6; a fit stopped at ``max_iter`` keeps its estimates with a
    :class:`~walkback.errors.ConvergenceWarning` (see :mod:`walkback.cohort.poisson`).
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
class CodaSettings:
    """The 24-h compositional (CoDA) analysis (:mod:`walkback.cohort.coda`), table ``[cohort.coda]``.

    Runs when ``enabled`` and the day table holds ``sleep_s``; otherwise it is skipped and
    ``provenance.json`` says why.

    - ``zero_replacement``: ``"multiplicative"`` (Martin-Fernandez et al. 2003): a zero part gets
      ``delta = delta_factor * detection_limit_min`` min/day, the other parts shrink so that the
      composition still sums to 1,440 min. (The authors use zCompositions' lrEM, not implemented.)
    - ``detection_limit_min``: min/day (the authors': 5 s per week = 5/60/7); ``delta_factor``
      (0.65).
    - ``day_sum_tolerance_s``: a counted day's eight study parts sum to its length within this.
    - ``minutes_max`` / ``minutes_step``: the isotemporal substitutions run from ``-minutes_max``
      to ``+minutes_max`` min/day in steps of ``minutes_step``; ``minutes_extra`` adds moves.
    - ``small_sample``: multiply the HC0 sandwich by n/(n-1) (off, as the authors' R code).
    - ``secondary_adjustments``: the models of the stratified and sensitivity runs (the authors:
      fully adjusted only).
    - ``reference``: composition the substitutions start from in stratified and sensitivity runs:
      the analytic sample's compositional mean (``"analytic_sample"``, as the authors) or the
      run's own sample (``"run_sample"``).
    - ``sleep_split_min``: the sleep strata (< / >= 420 min/day); ``min_counted_days``: the
      ">= 4 counted days" sensitivity run.
    """

    enabled: bool = True
    zero_replacement: Literal["multiplicative"] = "multiplicative"
    detection_limit_min: float = 5.0 / 60.0 / 7.0
    delta_factor: float = 0.65
    day_sum_tolerance_s: float = 60.0
    minutes_max: float = 60.0
    minutes_step: float = 10.0
    minutes_extra: tuple[float, ...] = ()
    small_sample: bool = False
    secondary_adjustments: tuple[Literal["age", "multi"], ...] = ("multi",)
    reference: Literal["analytic_sample", "run_sample"] = "analytic_sample"
    sleep_split_min: float = 420.0
    min_counted_days: int = 4

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool) or not isinstance(self.small_sample, bool):
            raise SettingsError("coda.enabled and coda.small_sample must be true or false")
        if self.zero_replacement not in ("multiplicative",):
            raise SettingsError(f"coda.zero_replacement must be 'multiplicative', got "
                                f"{self.zero_replacement!r} (lrEM is not implemented)")
        if not 0 < self.detection_limit_min < 1440 / 5:
            raise SettingsError("coda.detection_limit_min must lie in (0, 288) min/day, got "
                                f"{self.detection_limit_min}")
        if not 0 < self.delta_factor <= 1:
            raise SettingsError(f"coda.delta_factor must lie in (0, 1], got {self.delta_factor}")
        if not 0 <= self.day_sum_tolerance_s <= 3600:
            raise SettingsError("coda.day_sum_tolerance_s must lie in [0, 3600] s")
        if not 0 < self.minutes_step <= self.minutes_max < 1440:
            raise SettingsError("coda needs 0 < minutes_step <= minutes_max < 1440, got "
                                f"{self.minutes_step}, {self.minutes_max}")
        if any(not -1440 < float(m) < 1440 for m in self.minutes_extra):
            raise SettingsError(f"coda.minutes_extra must lie in (-1440, 1440): "
                                f"{self.minutes_extra}")
        bad = [a for a in self.secondary_adjustments if a not in ("age", "multi")]
        if bad or not self.secondary_adjustments:
            raise SettingsError("coda.secondary_adjustments must list 'age' and/or 'multi', got "
                                f"{self.secondary_adjustments}")
        if self.reference not in ("analytic_sample", "run_sample"):
            raise SettingsError("coda.reference must be 'analytic_sample' or 'run_sample', got "
                                f"{self.reference!r}")
        if not 0 < self.sleep_split_min < 1440:
            raise SettingsError("coda.sleep_split_min must lie in (0, 1440) min/day")
        if isinstance(self.min_counted_days, bool) or not isinstance(self.min_counted_days, int) \
                or self.min_counted_days < 1:
            raise SettingsError("coda.min_counted_days must be a whole number >= 1")

    def minutes(self) -> tuple[float, ...]:
        """Every move (min/day) of the isotemporal table, sorted: the grid plus the extra ones."""
        k = int(round(self.minutes_max / self.minutes_step))
        grid = {round(i * self.minutes_step, 9) for i in range(-k, k + 1)
                if abs(i * self.minutes_step) <= self.minutes_max + 1e-9}
        return tuple(sorted(grid | {float(m) for m in self.minutes_extra}))


@dataclass(frozen=True)
class TrunkSettings:
    """Trunk forward bending (from the lower-back sensor) in the cohort analysis, ``[cohort.trunk]``.

    - ``role``: ``"none"`` (not used; the default), ``"covariate"`` (a participant's mean daily
      forward-bending time, min/day, enters every multi-adjusted model as a continuous covariate;
      participants without it are excluded at the missing-covariate step) or ``"exposure"``
      (quartiles and a 3-knot restricted cubic spline of that time, age- and multi-adjusted, like
      walking volume: exposure ``trunk`` in ``quartile_models.csv``, ``spline_trunk.csv``,
      ``dose_response_trunk.png``; participants without it are excluded before the questionnaire
      steps).
    - ``column``: the day-table column, seconds per day (walkback's ``daily.csv`` has
      ``trunk_fwd_ge20_s`` ... ``trunk_fwd_ge90_s``: upright time with the trunk bent forward at
      least that far). The person mean is taken over the valid walking days that have a value.
    - ``grid_step_min``: step of the spline curve's grid (min/day).
    """

    role: Literal["none", "covariate", "exposure"] = "none"
    column: str = "trunk_fwd_ge30_s"
    grid_step_min: float = 0.25

    def __post_init__(self) -> None:
        if self.role not in ("none", "covariate", "exposure"):
            raise SettingsError(f"trunk.role must be 'none', 'covariate' or 'exposure', got "
                                f"{self.role!r}")
        if not self.column:
            raise SettingsError("trunk.column must name a day-table column")
        if self.grid_step_min <= 0:
            raise SettingsError("trunk.grid_step_min must be > 0")


@dataclass(frozen=True)
class WideLayout:
    """The wide day layout: one row per participant, one column per activity and day.

    ``patterns`` maps a canonical day column to a file column name containing ``{day}``
    (default: HUNT's ``LyTmD{day}_NT4ActMX`` ...); the optional ``sleep_s`` pattern (HUNT
    ``SleTmD{day}_NT4ActMX``) is read when the file holds it. ``id_column`` is the file's participant-id
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
    coda: CodaSettings = field(default_factory=CodaSettings)
    trunk: TrunkSettings = field(default_factory=TrunkSettings)
    max_day_s: float = 86_400.0
    max_dst_day_s: float = 90_000.0
    date_format: str = ""

    def multi_covariates(self) -> tuple[str, ...]:
        """Covariates of the multi-adjusted models: ``models.covariates``, plus the participant's
        trunk forward-bending time (``trunk_min``) when ``trunk.role = "covariate"``."""
        extra = ("trunk_min",) if self.trunk.role == "covariate" else ()
        return (*self.models.covariates, *extra)

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

# The 24-h compositional analysis; runs when the file holds SleTmD{day}_NT4ActMX.
[cohort.coda]
enabled = true
zero_replacement = "multiplicative"  # Martin-Fernandez et al. 2003 (the authors use lrEM)
detection_limit_min = 0.011904761904761904  # 5 s per week, min/day
delta_factor = 0.65
day_sum_tolerance_s = 60.0
minutes_max = 60.0
minutes_step = 10.0
minutes_extra = []
small_sample = false  # no n/(n-1) factor, as the authors' R code (sandwich HC0)
secondary_adjustments = ["multi"]
reference = "analytic_sample"
sleep_split_min = 420.0
min_counted_days = 4
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
