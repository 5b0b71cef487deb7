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
:func:`build_design` (robust Poisson regression), :func:`rcs_basis` (Stata-scaled splines),
:func:`run_coda` (the 24-h compositional analysis, run by ``analyze`` when the day table holds
``sleep_s``; ``results.coda``).

Names load on first use, so reading the cohort's settings (:mod:`walkback.cohort.config`, e.g.
for a study file) does not import pandas, statsmodels and matplotlib.
"""

from walkback._lazy import lazy_exports

_LAZY = {
    "analyze": "analyze",
    "CodaResults": "coda_results",
    "run_coda": "coda_results",
    "CodaSettings": "config",
    "CohortSettings": "config",
    "ModelSettings": "config",
    "table1": "descriptives",
    "PoissonResults": "poisson",
    "build_design": "design",
    "fit_poisson": "poisson",
    "stata_percentile": "quantiles",
    "xtile": "quantiles",
    "OUTPUT_FILES": "results",
    "CohortResults": "results",
    "AnalysisSample": "sample",
    "build_sample": "sample",
    "rcs_basis": "splines",
    "CohortInputs": "tables",
    "load_inputs": "tables",
    "read_table": "tables",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)

__all__ = sorted(_LAZY)
