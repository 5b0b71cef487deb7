"""The cohort stage: daily activity tables + participant data -> the HUNT study's risk ratios.

Typical use (what ``walkback analyze`` does)::

    from walkback.cohort import load_settings, load_inputs, analyze

    settings = load_settings("cohort.toml")          # or None for canonical names
    inputs = load_inputs("days.csv", "participants.csv", settings)
    results = analyze(inputs, settings)              # every model of the study
    print(results.summary())
    results.to_dir("analysis")                       # files listed in docs/cohort-outputs.md

Lower-level pieces: :func:`build_sample` (exclusions and recodes, with the flow table),
:func:`xtile` / :func:`stata_percentile` (Stata's quantile rules), :func:`fit_poisson` /
:func:`build_design` (robust Poisson regression), :func:`rcs_basis` (Stata-scaled splines).
"""

from walkback.cohort.analyze import analyze
from walkback.cohort.config import CohortSettings, ModelSettings, load_settings
from walkback.cohort.descriptives import table1
from walkback.cohort.design import build_design
from walkback.cohort.poisson import PoissonResults, fit_poisson
from walkback.cohort.quantiles import stata_percentile, xtile
from walkback.cohort.results import OUTPUT_FILES, CohortResults
from walkback.cohort.sample import AnalysisSample, build_sample
from walkback.cohort.splines import rcs_basis
from walkback.cohort.tables import CohortInputs, load_inputs, read_table

__all__ = [
    "OUTPUT_FILES",
    "AnalysisSample",
    "CohortInputs",
    "CohortResults",
    "CohortSettings",
    "ModelSettings",
    "PoissonResults",
    "analyze",
    "build_design",
    "build_sample",
    "fit_poisson",
    "load_inputs",
    "load_settings",
    "rcs_basis",
    "read_table",
    "stata_percentile",
    "table1",
    "xtile",
]
