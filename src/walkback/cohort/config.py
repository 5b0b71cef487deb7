"""Cohort settings: input mapping (names, layout, raw codes), exposure and model settings.

A cohort config is a TOML file read by :func:`load_settings`; with no file the defaults apply
(canonical column names, long or auto-detected layout, the study's codes and models). Its tables
map one-to-one onto the frozen dataclasses below, and unknown keys are rejected. The settings may
sit at the top level of the file or under a ``[cohort]`` table. ``docs/cohort-inputs.md``
documents every key; ``docs/cohort-config-hunt.toml`` is the complete HUNT example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from walkback.settings import from_mapping, load_toml

__all__ = [
    "CodeSettings",
    "CohortSettings",
    "ExposureSettings",
    "ModelSettings",
    "WideLayout",
    "load_settings",
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
            raise ValueError(f"age_covariates {missing} must also be listed in covariates")
        sp = tuple(float(p) for p in self.spline_percentiles)
        if len(sp) != 3 or not 0 < sp[0] < sp[1] < sp[2] < 100:
            raise ValueError(
                f"spline_percentiles must be 3 increasing values in (0, 100), "
                f"got {self.spline_percentiles}"
            )
        if self.volume_grid_step_min <= 0 or self.intensity_grid_step_met <= 0:
            raise ValueError("grid steps must be > 0")
        if self.max_iter < 1 or self.tol <= 0:
            raise ValueError("max_iter must be >= 1 and tol > 0")


@dataclass(frozen=True)
class ExposureSettings:
    """Exposure derivation (study-spec §1.2-1.3) and the age eligibility rule.

    ``met_weights``: MET of slow, moderate and brisk walking (study: 2.8, 3.8, 4.8).
    ``min_age_years``: participants younger than this at baseline are excluded (study: 20; set 0
    to disable). Applied as the first exclusion step, see :mod:`walkback.cohort.sample`.
    """

    met_weights: tuple[float, float, float] = (2.8, 3.8, 4.8)
    min_age_years: float = 20.0

    def __post_init__(self) -> None:
        if len(self.met_weights) != 3 or any(float(w) <= 0 for w in self.met_weights):
            raise ValueError(f"met_weights must be 3 positive numbers, got {self.met_weights}")
        if self.min_age_years < 0:
            raise ValueError(f"min_age_years must be >= 0, got {self.min_age_years}")


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
            raise ValueError(f"wide.patterns must contain '{{day}}': {bad}")
        if not self.day_numbers:
            raise ValueError("wide.day_numbers must not be empty")


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
            raise ValueError("sex_female and sex_male must differ")
        if self.yes == self.no:
            raise ValueError("yes and no codes must differ")
        if set(self.employed) & set(self.not_employed):
            raise ValueError("employed and not_employed codes overlap")
        groups = (self.smoking_never, self.smoking_former, self.smoking_current)
        flat = [c for g in groups for c in g]
        if len(flat) != len(set(flat)):
            raise ValueError(f"smoking codes overlap: {groups}")
        if set(self.education_secondary) & set(self.education_university):
            raise ValueError("education_secondary and education_university overlap")


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

    layout: str = "auto"
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
            raise ValueError(f"layout must be 'long', 'wide' or 'auto', got {self.layout!r}")
        for name in ("columns_days", "columns_participants"):
            mapping = getattr(self, name)
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise ValueError(f"{name} must map file column names to canonical names")
            targets = list(mapping.values())
            dup = sorted({t for t in targets if targets.count(t) > 1})
            if dup:
                raise ValueError(f"{name}: several file columns map to {dup}")
        if not 0 < self.max_day_s <= self.max_dst_day_s:
            raise ValueError("need 0 < max_day_s <= max_dst_day_s")


def load_settings(path: str | Path | None = None) -> CohortSettings:
    """Cohort settings from a TOML file (top level or a ``[cohort]`` table); defaults if None.

    Raises :class:`~walkback.errors.SettingsError` naming the file and the offending key.
    """
    if path is None:
        return CohortSettings()
    data: dict[str, Any] = load_toml(path)
    if set(data) == {"cohort"} and isinstance(data["cohort"], dict):
        return from_mapping(CohortSettings, data["cohort"], where=f"{path}: [cohort]")
    return from_mapping(CohortSettings, data, where=str(path))
