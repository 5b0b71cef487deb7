"""Secondary analyses: stratified models, LR interaction tests, sensitivity analyses, E-values.

Follows study-spec 1.8-1.9 and the authors' Stata code:

* stratified by age (``age65`` 0/1, continuous age kept) and by sex (sex dropped from the covariates),
  and volume quartiles within each intensity quartile; quartile cuts are those of the full sample;
* LR interaction tests with ordinary (non-robust) Poisson: volume (or intensity) quartiles x ``age65``
  with ``age65`` replacing continuous age, and quartiles x sex with continuous age;
* the eight sensitivity analyses with quartiles re-cut (``xtile``) within each subsample, each with an
  age- and a multi-adjusted model (analyses 1-2 add BMI / running + cycling to the multi model only,
  as in the authors' code);
* E-values for multi-adjusted quartile RRs whose upper CI limit is below 1.

Failures of a secondary model (e.g. a category without cases in a small stratum) do not stop the
analysis: the rows carry NaN estimates and the reason in ``note``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from walkback.cohort.models import (
    EXPOSURES,
    OUTCOME,
    Covariates,
    FittedModel,
    ModelSpec,
    category_rows,
    filter_mask,
    fit_spec,
    quartile_spec,
)
from walkback.cohort.poisson import lr_test
from walkback.errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sensitivity:
    id: str
    description: str
    filter: str = ""
    extra: str = ""  # extra continuous covariate of the multi-adjusted model
    outcome: str = OUTCOME


#: study-spec 1.9, in order. ``health_status > 2`` keeps missing values, as Stata's ``if`` does.
SENSITIVITY_ANALYSES = (
    Sensitivity("bmi", "further adjusted for BMI (participants with BMI)",
                "bmi not missing", extra="bmi"),
    Sensitivity("other_pa", "further adjusted for running + cycling (min/day)",
                extra="other_pa_min"),
    Sensitivity("valid_days_4", ">= 4 valid walking days", "valid_days_walk >= 4"),
    Sensitivity("no_msp_t0", "no chronic musculoskeletal pain at baseline", "msp_t0 == 0"),
    Sensitivity("pain_4weeks", "pain in the past 4 weeks below moderate", "pain_4weeks < 4"),
    Sensitivity("health", "self-rated health not poor / not so good",
                "health_status > 2 or health_status missing"),
    Sensitivity("no_chronic_disease", "no other chronic disease", "chronic_disease == 0"),
    Sensitivity("severe_lbp", "outcome: severe chronic LBP (with leisure limitation)",
                "severe_lbp_t1 not missing", outcome="severe_lbp_t1"),
)

ROW_COLUMNS = ["category", "lower", "upper", "n", "cases", "rr", "ci_low", "ci_high", "note"]


def recut_quartiles(df: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Add ``{exposure}_q_{analysis}`` columns: xtile within each subsample (0 outside it)."""
    from walkback.cohort.quantiles import xtile

    cols, cuts = {}, []
    for sa in SENSITIVITY_ANALYSES:
        try:
            m = filter_mask(df, sa.filter)
        except ModelError as exc:
            log.warning("sensitivity analysis %s skipped: %s", sa.id, exc)
            m = np.zeros(len(df), bool)
        for exp, xcol in EXPOSURES.items():
            codes = np.zeros(len(df), dtype=np.int64)
            if m.any():
                c, cp = xtile(df.loc[m, xcol].to_numpy(dtype=float), 4)
                codes[m] = c
                for g, v in enumerate(cp, start=1):
                    cuts.append({"sample": sa.id, "exposure": exp, "category": g, "cutpoint": v})
            cols[f"{exp}_q_{sa.id}"] = codes
    return df.assign(**cols), cuts


def _rows(df: pd.DataFrame, fm: FittedModel, qcol: str, xcol: str, **keys) -> list[dict]:
    """Category rows; one all-NaN row carrying the reason when the model or sample failed."""
    try:
        rows = category_rows(df, fm, qcol, xcol)
    except (ModelError, KeyError) as exc:
        rows, fm = [], replace(fm, error=fm.error or str(exc))
    if not rows:
        rows = [dict.fromkeys(ROW_COLUMNS, np.nan) | {"n": fm.n, "cases": fm.cases,
                                                      "note": fm.note or "empty sample"}]
    return [{**keys, **r} for r in rows]


def run_sensitivity(df: pd.DataFrame, cov: Covariates, settings, cache: dict | None = None):
    """``sensitivity.csv`` rows and the fitted models (quartiles re-cut within each subsample)."""
    rows, fits = [], []
    for sa in SENSITIVITY_ANALYSES:
        for exp, xcol in EXPOSURES.items():
            qcol = f"{exp}_q_{sa.id}"
            for adj in ("age", "multi"):
                spec = quartile_spec(
                    exp, adj, cov, analysis="sensitivity", qcol=qcol,
                    extra=(sa.extra,) if sa.extra and adj == "multi" else (),
                    filter=sa.filter, outcome=sa.outcome, id_prefix=f"{sa.id}:",
                )
                fm = fit_spec(df, spec, settings, raise_errors=False, cache=cache)
                fits.append(fm)
                rows += _rows(df, fm, qcol, xcol, analysis=sa.id, description=sa.description,
                              outcome=sa.outcome, exposure=exp, adjustment=adj)
    cols = ["analysis", "description", "outcome", "exposure", "adjustment", *ROW_COLUMNS]
    return pd.DataFrame(rows, columns=cols), fits


def run_stratified(df: pd.DataFrame, cov: Covariates, settings, cache: dict | None = None):
    """``stratified_models.csv`` rows: by age65, by sex (sex dropped), volume within intensity q."""
    rows, fits = [], []
    strata: list[tuple[str, object, str, tuple[str, ...], tuple[str, ...]]] = []
    for v in (0, 1):
        strata.append(("age65", v, f"age65 == {v}", ("volume", "intensity"), ()))
    for v in sorted(df["sex"].dropna().unique()):
        strata.append(("sex", v, f'sex == "{v}"', ("volume", "intensity"), ("sex",)))
    for v in range(1, 5):
        strata.append(("intensity_q", v, f"intensity_q == {v}", ("volume",), ()))
    for name, value, filt, exposures, drop in strata:
        for exp in exposures:
            for adj in ("age", "multi"):
                spec = quartile_spec(exp, adj, cov, analysis="stratified", drop=drop,
                                     filter=filt, id_prefix=f"{name}={value}:")
                fm = fit_spec(df, spec, settings, raise_errors=False, cache=cache)
                fits.append(fm)
                rows += _rows(df, fm, f"{exp}_q", EXPOSURES[exp], stratifier=name,
                              stratum=value, exposure=exp, adjustment=adj)
    cols = ["stratifier", "stratum", "exposure", "adjustment", *ROW_COLUMNS]
    return pd.DataFrame(rows, columns=cols), fits


def run_interactions(df: pd.DataFrame, cov: Covariates, settings, cache: dict | None = None):
    """``interaction_tests.csv``: LR tests (ordinary Poisson) of quartiles x age65 and x sex."""
    rows, fits = [], []
    no_age = tuple(c for c in cov.multi if c not in cov.age)
    tests = {
        "age65": (*no_age, "age65"),
        "sex": cov.multi if "sex" in cov.multi else (*cov.multi, "sex"),
    }
    categorical = (*cov.categorical, "age65", "sex")
    for exp in EXPOSURES:
        for modifier, covs in tests.items():
            main = ModelSpec(
                id=f"interaction/{exp}x{modifier}/main", analysis="interaction", exposure=exp,
                adjustment="main", outcome=OUTCOME, exposure_terms=(f"{exp}_q",),
                exposure_type="categorical", covariates=covs, categorical=categorical,
                robust=False,
            )
            full = replace(main, id=f"interaction/{exp}x{modifier}/interaction",
                           adjustment="interaction", interaction=(f"{exp}_q", modifier))
            f0 = fit_spec(df, main, settings, raise_errors=False, cache=cache)
            f1 = fit_spec(df, full, settings, raise_errors=False, cache=cache)
            fits += [f0, f1]
            row = {"exposure": exp, "modifier": modifier, "n": f0.n, "cases": f0.cases,
                   "loglik_main": np.nan, "loglik_interaction": np.nan, "lr_chi2": np.nan,
                   "df": np.nan, "p_value": np.nan, "note": f0.note or f1.note}
            if f0.result is not None and f1.result is not None:
                chi2, dof, p = lr_test(f0.result, f1.result)
                row.update(loglik_main=f0.result.loglik, loglik_interaction=f1.result.loglik,
                           lr_chi2=chi2, df=dof, p_value=p)
            rows.append(row)
    return pd.DataFrame(rows), fits


def evalue(rr: float) -> float:
    """E-value of a risk ratio (VanderWeele & Ding): RR* + sqrt(RR* (RR* - 1)), RR* = max(RR, 1/RR)."""
    if not np.isfinite(rr) or rr <= 0:
        return float("nan")
    r = rr if rr >= 1 else 1.0 / rr
    return float(r + np.sqrt(r * (r - 1.0)))


def evalues(quartiles: pd.DataFrame) -> pd.DataFrame:
    """E-values for multi-adjusted quartile RRs with upper CI < 1 (and for that CI limit)."""
    q = quartiles[(quartiles["adjustment"] == "multi") & (quartiles["ci_high"] < 1)]
    out = q[["exposure", "category", "rr", "ci_low", "ci_high"]].copy()
    out["evalue_rr"] = [evalue(v) for v in out["rr"]]
    out["evalue_ci"] = [evalue(v) for v in out["ci_high"]]
    return out.reset_index(drop=True)
