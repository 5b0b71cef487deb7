"""The cohort stage: daily activity tables + participant data -> the HUNT study's risk ratios.

Typical use (what ``walkback analyze`` does)::

    from walkback.study_settings import load_study_settings
    from walkback.cohort import load_inputs, analyze

    settings = load_study_settings("study.toml").cohort   # or CohortSettings() for canonical names
    inputs = load_inputs("days.csv", "participants.csv", settings)
    results = analyze(inputs, settings)                     # every model of the study
    print(results.summary())
    results.to_dir("analysis")                              # files listed in docs/cohort-outputs.md

Lower-level pieces: :func:`build_sample` (exclusions and recodes, with the flow table),
:func:`xtile` / :func:`stata_percentile` (Stata's quantile rules), :func:`fit_poisson` /
:func:`build_design` (robust Poisson regression), :func:`rcs_basis` (Stata-scaled splines).

Names load on first use, so reading the cohort's settings (:mod:`walkback.cohort.config`, e.g.
for a study file) does not import pandas, statsmodels and matplotlib.
"""

import importlib

_LAZY = {
    "analyze": "walkback.cohort.analyze",
    "CohortSettings": "walkback.cohort.config",
    "ModelSettings": "walkback.cohort.config",
    "table1": "walkback.cohort.descriptives",
    "PoissonResults": "walkback.cohort.poisson",
    "build_design": "walkback.cohort.poisson",
    "fit_poisson": "walkback.cohort.poisson",
    "stata_percentile": "walkback.cohort.quantiles",
    "xtile": "walkback.cohort.quantiles",
    "OUTPUT_FILES": "walkback.cohort.results",
    "CohortResults": "walkback.cohort.results",
    "AnalysisSample": "walkback.cohort.sample",
    "build_sample": "walkback.cohort.sample",
    "rcs_basis": "walkback.cohort.splines",
    "CohortInputs": "walkback.cohort.tables",
    "load_inputs": "walkback.cohort.tables",
    "read_table": "walkback.cohort.tables",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'walkback.cohort' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))


__all__ = sorted(_LAZY)
