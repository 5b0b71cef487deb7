"""Models of the compositional analysis: robust Poisson on pivot coordinates, isotemporal substitution.

Follows the authors' R code (rayanehaddadj/coda-chronic-lbp-hunt, ``00_functions_analysis.R``):

* **Model.** ``glm(lbp_t1 ~ ilr_1 + ... + ilr_4 + covariates, family = poisson(link = "log"))``
  with the sandwich covariance ``vcovHC(type = "HC0")``; here the main analysis' Poisson engine
  (:func:`walkback.cohort.poisson.fit_poisson`: the same maximum-likelihood estimate and HC0
  sandwich, its Stata layer for case-free or collinear covariate levels, ConvergenceWarning when a
  fit stops early), so both analyses share one estimator. ``coda.small_sample`` multiplies the
  sandwich by n/(n-1) (off, as the authors' R code). Covariates: ``models.age_covariates``
  (age-adjusted) or ``models.covariates`` (multi-adjusted), factors as in the main analysis
  (``models.categorical``, :data:`walkback.cohort.models.LEVEL_ORDER`; first level = reference).
* **Per-part risk ratio** (``coda_models.csv``): exp of the first pivot coordinate's coefficient
  in the fit where that part comes first: the part relative to the geometric mean of the others.
  Five fits per adjustment, one per cyclic rotation of the parts.
* **Isotemporal substitution** (Dumuid et al. 2018, Stat Methods Med Res 27:3726): from the
  compositional mean ``x0`` (geometric mean of each part over the sample, closed to 1,440 min), move
  ``m`` min/day to ``to_part`` from ``from_part``: ``x1 = x0 + m (e_to - e_from)``; moves making a
  part <= 0 are skipped. ``log RR = b' (z(x1) - z(x0))`` with ``b`` the four coordinate
  coefficients of the sleep-first fit (any rotation gives the same value), ``se^2 = d' V d``,
  ``d = z(x1) - z(x0)``, ``V`` their robust covariance; 95 % CI ``exp(log RR +- 1.959964 se)``.
* **E-values** (VanderWeele & Ding 2017; the main analysis' :func:`~walkback.cohort.sensitivity.
  evalue`) for multi-adjusted substitutions whose CI excludes 1, and for the CI limit nearest 1.
* **Secondary runs** as the authors: strata of age (< / >= ``models.age_split_years``, age not
  adjusted), sex (sex not adjusted) and sleep (< / >= ``coda.sleep_split_min``); restricted to
  >= ``coda.min_counted_days`` counted days; excluding baseline chronic musculoskeletal pain, pain in
  the past 4 weeks moderate or worse, self-rated health poor / not so good, or chronic disease. As
  in the authors' R code, a missing answer excludes from those restricted samples (the main
  analysis' health restriction keeps missing answers, as Stata did), and the substitutions start
  from the analytic sample's compositional mean (``coda.reference``).

A covariate indicator whose participants include no case has an infinite coefficient at the
maximum; the engine drops it (listed as ``not_estimable``), which gives the limit the other
estimates converge to. The coordinates are protected: should they be collinear with the covariates
the model is not estimable (:class:`~walkback.errors.ModelError`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from walkback.cohort.coda import PARTS, pivot_coordinates, rotation
from walkback.cohort.design import build_design
from walkback.cohort.models import LEVEL_ORDER, OUTCOME, filter_mask
from walkback.cohort.poisson import Z975, PoissonResults, fit_poisson
from walkback.cohort.sensitivity import evalue
from walkback.errors import ModelError

__all__ = ["ADJUSTMENTS", "CodaRun", "coda_runs", "fit_run", "isotemporal"]

log = logging.getLogger(__name__)

ADJUSTMENTS = ("age", "multi")
ILR = tuple(f"ilr{i}" for i in range(1, len(PARTS)))


@dataclass(frozen=True)
class CodaRun:
    """One sample of the analysis: ``filter`` (the models' filter language over CodaSample.data),
    covariates left out (``drop``)."""

    id: str
    description: str
    filter: str = ""
    drop: tuple[str, ...] = ()


def coda_runs(settings) -> tuple[CodaRun, ...]:
    """The stratified and sensitivity runs (module docstring), in the authors' order."""
    age = settings.models.age_split_years
    sleep = settings.coda.sleep_split_min
    age_cov = tuple(settings.models.age_covariates)
    return (
        CodaRun("age_lt65", f"age < {age:g} years (age not adjusted)", f"age_years < {age:g}",
                age_cov),
        CodaRun("age_ge65", f"age >= {age:g} years (age not adjusted)", f"age_years >= {age:g}",
                age_cov),
        CodaRun("sex_female", "women (sex not adjusted)", 'sex == "female"', ("sex",)),
        CodaRun("sex_male", "men (sex not adjusted)", 'sex == "male"', ("sex",)),
        CodaRun("sleep_short", f"sleep < {sleep:g} min/day", f"sleep < {sleep:g}"),
        CodaRun("sleep_long", f"sleep >= {sleep:g} min/day", f"sleep >= {sleep:g}"),
        CodaRun("counted_days", f">= {settings.coda.min_counted_days} counted days",
                f"coda_days >= {settings.coda.min_counted_days}"),
        CodaRun("no_msp_t0", "no chronic musculoskeletal pain at baseline", "msp_t0 == 0"),
        CodaRun("pain_4weeks", "pain in the past 4 weeks below moderate (answered)",
                "pain_4weeks < 4"),
        CodaRun("health", "self-rated health good or very good (answered)",
                "health_status > 2"),
        CodaRun("no_chronic_disease", "no other chronic disease (all seven answered no)",
                "chronic_disease == 0"),
    )


@dataclass(frozen=True)
class RunFit:
    """The five rotation fits of one run and adjustment (``fits[k]``: part ``k`` first)."""

    run: CodaRun
    adjustment: str
    covariates: tuple[str, ...]
    fits: tuple[PoissonResults, ...]
    rows: np.ndarray  # boolean mask over CodaSample.data


def fit_run(data: pd.DataFrame, run: CodaRun, adjustment: str, settings,
            rotations: tuple[int, ...] = tuple(range(len(PARTS)))) -> RunFit:
    """Fit the rotations of one run (raises :class:`ModelError` when a fit fails; a fit that stops
    at ``models.max_iter`` keeps its estimates and warns, as in the main analysis)."""
    ms = settings.models
    base = ms.age_covariates if adjustment == "age" else ms.covariates
    covs = tuple(c for c in base if c not in run.drop)
    label = f"compositional model {run.id}/{adjustment}"
    mask = filter_mask(data, run.filter)
    sub = data.loc[mask]
    y = sub[OUTCOME].to_numpy(dtype=float)
    if np.isnan(y).any():
        raise ModelError(f"{label}: outcome {OUTCOME!r} has missing values")
    x = sub[[f"{p}_zr" for p in PARTS]].to_numpy(dtype=float)
    cat = set(ms.categorical)
    cache: dict = {}
    fits: list[PoissonResults] = []
    for k in rotations:
        frame = sub.assign(**dict(zip(ILR, pivot_coordinates(x[:, rotation(k)]).T, strict=True)))
        if fits:  # the covariates' columns do not change between rotations
            cache = {key: v for key, v in cache.items() if key[0] not in ILR}
        order = [*ILR, *covs]
        design = build_design(frame, continuous=[c for c in order if c not in cat],
                              categorical=[c for c in order if c in cat], order=order,
                              level_order=LEVEL_ORDER, where=f"{label}: ", cache=cache)
        fits.append(fit_poisson(y, design, protected=ILR, robust=True,
                                small_sample=settings.coda.small_sample, max_iter=ms.max_iter,
                                tol=ms.tol, label=f"{label} ({PARTS[k]} first)"))
    return RunFit(run, adjustment, covs, tuple(fits), mask)


def part_rows(rf: RunFit) -> list[dict]:
    """``adjustment, part, rr, ci_low, ci_high, n, cases``: exp(first coordinate), per part."""
    rows = []
    for k, fit in enumerate(rf.fits):
        b, v = fit.block(["ilr1"])
        se = float(np.sqrt(v[0, 0]))
        rows.append({"adjustment": rf.adjustment, "part": PARTS[k], "rr": float(np.exp(b[0])),
                     "ci_low": float(np.exp(b[0] - Z975 * se)),
                     "ci_high": float(np.exp(b[0] + Z975 * se)), "n": fit.n, "cases": fit.cases})
    return rows


def isotemporal(fit: PoissonResults, mean: np.ndarray, minutes) -> pd.DataFrame:
    """``from_part, to_part, minutes, rr, ci_low, ci_high`` for every ordered pair and move.

    ``fit`` is a sleep-first fit (parts in :data:`PARTS` order), ``mean`` the reference
    composition (min/day). Moves that would make a part <= 0 are left out.
    """
    b, v = fit.block(ILR)
    mean = np.asarray(mean, dtype=float)
    z0 = pivot_coordinates(mean)
    m = np.asarray(minutes, dtype=float)
    rows = []
    for i, src in enumerate(PARTS):
        for j, dst in enumerate(PARTS):
            if i == j:
                continue
            new = np.repeat(mean[None, :], m.size, axis=0)
            new[:, j] += m
            new[:, i] -= m
            ok = (new > 0).all(axis=1)
            d = pivot_coordinates(new[ok]) - z0
            log_rr = d @ b
            se = np.sqrt(np.einsum("ij,jk,ik->i", d, v, d))
            rows.append(pd.DataFrame({
                "from_part": src, "to_part": dst, "minutes": m[ok], "rr": np.exp(log_rr),
                "ci_low": np.exp(log_rr - Z975 * se), "ci_high": np.exp(log_rr + Z975 * se)}))
    return pd.concat(rows, ignore_index=True)


def evalue_rows(iso: pd.DataFrame) -> pd.DataFrame:
    """Rows whose CI excludes 1, with ``evalue_rr`` and ``evalue_ci`` (limit nearest 1)."""
    hit = iso[(iso["ci_high"] < 1) | (iso["ci_low"] > 1)].copy()
    near = np.where(hit["rr"] < 1, hit["ci_high"], hit["ci_low"])
    hit["evalue_rr"] = [evalue(r) for r in hit["rr"]]
    hit["evalue_ci"] = [evalue(r) for r in near]
    return hit.reset_index(drop=True)


def describe(rf: RunFit, k: int, filter_text: str) -> dict:
    """The ``coda_models.json`` entry of rotation ``k`` of a run."""
    fit = rf.fits[k]
    b, v = fit.block(ILR)
    return {
        "id": f"coda/{rf.run.id}/{rf.adjustment}/{PARTS[k]}",
        "run": rf.run.id,
        "adjustment": rf.adjustment,
        "part_order": [PARTS[i] for i in rotation(k)],
        "coordinates": "pivot: ilr_i = sqrt((D-i)/(D-i+1)) ln(x_i / g(x_{i+1..D})) of the "
                       "zero-replaced parts ({part}_zr) in part_order",
        "outcome": OUTCOME,
        "family": "poisson",
        "link": "log",
        "covariates": list(rf.covariates),
        "sample_filter": filter_text or "all",
        "n": fit.n,
        "cases": fit.cases,
        "converged": fit.converged,
        "iterations": fit.n_iter,
        "convergence_message": fit.convergence_message,
        "coefficients": dict(zip(fit.names, fit.params.tolist(), strict=True)),
        "coordinate_covariance": v.tolist(),
        "not_estimable": list(fit.not_estimable),
        "coordinate_estimates": b.tolist(),
    }
