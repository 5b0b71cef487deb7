"""``analyze``: every model of the study on one analytic sample -> :class:`CohortResults`.

Input is either the loaded tables (:class:`walkback.cohort.tables.CohortInputs`, from which the
sample is built with :func:`walkback.cohort.sample.build_sample`) or a ready
:class:`walkback.cohort.sample.AnalysisSample`. Quartiles are cut here (Stata ``xtile``) in the
analytic sample and again inside every sensitivity subsample.
"""

from __future__ import annotations

import logging
import time
import warnings
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from walkback import __version__
from walkback.cohort.models import (
    EXPOSURES,
    OUTCOME,
    Covariates,
    FittedModel,
    category_rows,
    fit_spec,
    joint_spec,
    quartile_spec,
    spline_spec,
)
from walkback.cohort.results import CohortResults
from walkback.cohort.sensitivity import (
    evalues,
    recut_quartiles,
    run_interactions,
    run_sensitivity,
    run_stratified,
)
from walkback.cohort.splines import grid, rcs_basis, spline_curve, spline_knots
from walkback.errors import ModelError

log = logging.getLogger(__name__)

#: columns copied to analysis_data.csv when present (besides exposures, quartiles and covariates)
EXTRA_COLUMNS = (
    "severe_lbp_t1", "age65", "bmi", "valid_days", "valid_days_walk", "msp_t0", "pain_4weeks",
    "health_status", "chronic_disease", "running_min", "cycling_min", "other_pa_min",
)
REQUIRED = ("participant_id", "volume_min", "intensity_met", OUTCOME)


def main_exposures(settings) -> dict[str, str]:
    """Exposure name -> column of the main quartile and spline models: walking volume and
    intensity, plus trunk forward bending (``trunk_min``) when ``[cohort.trunk] role =
    "exposure"``. Joint, stratified, interaction and sensitivity analyses are the study's two."""
    extra = {"trunk": "trunk_min"} if settings.trunk.role == "exposure" else {}
    return {**EXPOSURES, **extra}


def prepare_analysis_data(
    data: pd.DataFrame, settings
) -> tuple[pd.DataFrame, dict, list[dict]]:
    """The model-ready table: exposures, quartiles, joint cell, spline bases, covariates.

    Returns ``(analysis_data, splines, cutpoints)`` where ``splines`` maps exposure to its knots
    and reference and ``cutpoints`` lists every xtile cut point used.
    """
    from walkback.cohort.quantiles import xtile

    ms = settings.models
    exposures = main_exposures(settings)
    need = [*REQUIRED, *settings.multi_covariates(), *exposures.values()]
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ModelError(
            f"analysis sample lacks column(s) {missing} needed by the models; "
            f"available: {sorted(data.columns)}"
        )
    if len(data) < 20:
        raise ModelError(f"analysis sample has only {len(data)} participants; need at least 20")
    cols = ["participant_id", *exposures.values(), OUTCOME]
    cols += [c for c in settings.multi_covariates() if c not in cols]
    cols += [c for c in EXTRA_COLUMNS if c in data.columns and c not in cols]
    df = data[cols].reset_index(drop=True).copy()
    if "age65" not in df.columns:
        df["age65"] = (df["age_years"] >= ms.age_split_years).astype(int)
    if "other_pa_min" not in df.columns and {"running_min", "cycling_min"} <= set(df.columns):
        df["other_pa_min"] = df["running_min"] + df["cycling_min"]
    cutpoints, splines = [], {}
    steps = {"volume": ms.volume_grid_step_min, "intensity": ms.intensity_grid_step_met,
             "trunk": settings.trunk.grid_step_min}
    for exp, xcol in exposures.items():
        x = df[xcol].to_numpy(dtype=float)
        bad = ~np.isfinite(x)
        if bad.any():
            raise ModelError(
                f"exposure {xcol!r} is missing or not finite for {int(bad.sum())} included "
                f"participant(s), e.g. {df.loc[bad, 'participant_id'].head(3).tolist()}"
            )
        codes, cuts = xtile(x, 4)
        df[f"{exp}_q"] = codes
        cutpoints += [{"sample": "main", "exposure": exp, "category": g, "cutpoint": float(c)}
                      for g, c in enumerate(cuts, start=1)]
        knots = spline_knots(x, ms.spline_percentiles)
        basis = rcs_basis(x, knots)
        df[f"{exp}_s1"], df[f"{exp}_s2"] = basis[:, 0], basis[:, 1]
        step = steps[exp]
        splines[exp] = {
            "column": xcol,
            "knots": knots.tolist(),
            "knot_percentiles": list(ms.spline_percentiles),
            "reference": float(knots[0]),
            "reference_percentile": float(ms.spline_percentiles[0]),
            "basis": "Stata mkspline cubic: S1 = x; S2 = [(x-k1)+^3 - (x-k2)+^3 (k3-k1)/(k3-k2)"
                     " + (x-k3)+^3 (k2-k1)/(k3-k2)] / (k3-k1)^2",
            "basis_columns": [f"{exp}_s1", f"{exp}_s2"],
            "grid": {"min": float(x.min()), "max": float(x.max()), "step": step},
        }
    df["joint_q"] = 4 * (df["volume_q"] - 1) + df["intensity_q"]
    df, sens_cuts = recut_quartiles(df)
    return df, splines, cutpoints + sens_cuts


def _main_models(df: pd.DataFrame, cov: Covariates, settings, splines: dict, cache: dict):
    ms = settings.models
    fits: list[FittedModel] = []
    qrows, curves = [], []
    for exp, xcol in main_exposures(settings).items():
        adjustments = ("age", "multi", "mutual") if exp in EXPOSURES else ("age", "multi")
        for adj in adjustments:
            fm = fit_spec(df, quartile_spec(exp, adj, cov), ms, cache=cache)
            fits.append(fm)
            qrows += [{"exposure": exp, "adjustment": adj, **r}
                      for r in category_rows(df, fm, f"{exp}_q", xcol)]
        info = splines[exp]
        g = grid(info["grid"]["min"], info["grid"]["max"], info["grid"]["step"])
        for adj in ("multi", "age", "mutual"):
            if adj not in adjustments:
                continue
            fm = fit_spec(df, spline_spec(exp, adj, cov), ms, cache=cache)
            fits.append(fm)
            c = spline_curve(fm.result, info["basis_columns"], info["knots"], g, info["reference"])
            curves.append(c.assign(exposure=exp, adjustment=adj))
    quart = pd.DataFrame(qrows).drop(columns="note")
    joint_rows = []
    for adj in ("multi", "age"):
        fm = fit_spec(df, joint_spec(adj, cov), ms, cache=cache)
        fits.append(fm)
        if adj == "multi":
            for r in category_rows(df, fm, "joint_q", "volume_min"):
                k = r["category"] - 1
                joint_rows.append({"volume_q": k // 4 + 1, "intensity_q": k % 4 + 1,
                                   **{c: r[c] for c in ("n", "cases", "rr", "ci_low", "ci_high")}})
    curves_df = pd.concat(curves, ignore_index=True)[
        ["exposure", "adjustment", "x", "rr", "ci_low", "ci_high"]]
    return quart, curves_df, pd.DataFrame(joint_rows), fits


def _estimates(fits: list[FittedModel]) -> pd.DataFrame:
    """Every coefficient of every fitted model (long table)."""
    parts = []
    for fm in fits:
        if fm.result is None:
            continue
        t = fm.result.rr_table()
        t.insert(0, "model", fm.spec.id)
        parts.append(t)
    return pd.concat(parts, ignore_index=True)


def analyze(data, settings=None, *, checksums: dict | None = None) -> CohortResults:
    """Run the study's full analysis.

    ``data``: ``CohortInputs`` (tables as loaded) or ``AnalysisSample`` (already built).
    ``settings``: ``CohortSettings`` (default: the study's). Raises :class:`ModelError` when a main
    model (quartile, spline, joint) cannot be estimated, e.g. a quartile without cases.
    """
    from walkback.cohort.config import CohortSettings
    from walkback.settings import to_mapping

    t0 = time.perf_counter()
    settings = settings or CohortSettings()
    if hasattr(data, "participants") and hasattr(data, "days"):
        from walkback.cohort.sample import build_sample

        checksums = checksums or dict(getattr(data, "checksums", {}) or {})
        sample = build_sample(data, settings)
    else:
        sample = data
    df, splines, cutpoints = prepare_analysis_data(sample.data, settings)
    cov = Covariates.from_settings(settings.models, settings.multi_covariates())
    cache: dict = {}  # column codes shared by all 78 fits on this table
    quart, curves, joint, fits = _main_models(df, cov, settings, splines, cache)
    strat, f_strat = run_stratified(df, cov, settings.models, cache)
    inter, f_inter = run_interactions(df, cov, settings.models, cache)
    sens, f_sens = run_sensitivity(df, cov, settings.models, cache)
    fits += f_strat + f_inter + f_sens
    from walkback.cohort.descriptives import table1

    t1 = table1(sample.data, df["volume_q"].to_numpy())
    coda, coda_info = _coda(data, sample, settings)
    prov = {
        "walkback_version": __version__,
        "time_of_run_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "input_checksums_sha256": {str(k): v for k, v in (checksums or {}).items()},
        "settings": {"cohort": to_mapping(settings)},
        "n_included": int(len(df)),
        "cases": int(df[OUTCOME].sum()),
        "n_models": len(fits),
        "analysis_seconds": round(time.perf_counter() - t0, 3),
        "warnings": [
            {"category": "ConvergenceWarning", "model": fm.spec.id,
             "message": fm.result.convergence_message}
            for fm in fits if fm.result is not None and not fm.result.converged
        ] + [
            {"category": "ConvergenceWarning", "model": f["id"], "message": f["convergence_message"]}
            for f in (coda.fits if coda is not None else ()) if not f["converged"]
        ],
        "libraries": _library_versions(),
        "coda": coda_info,
    }
    return CohortResults(
        flow=sample.flow.reset_index(drop=True),
        table1=t1,
        quartile_models=quart,
        spline_curves=curves,
        splines=splines,
        joint_models=joint,
        stratified_models=strat,
        interaction_tests=inter,
        sensitivity=sens,
        evalues=evalues(quart),
        analysis_data=df,
        cutpoints=pd.DataFrame(cutpoints),
        estimates=_estimates(fits),
        models=tuple(fm.describe(settings.models.stata_small_sample) for fm in fits),
        provenance=prov,
        coda=coda,
    )


def _coda(data, sample, settings):
    """The compositional analysis when it can run: ``(CodaResults or None, provenance entry)``."""
    from walkback.cohort.coda_results import CodaSampleError, run_coda, skipped
    from walkback.errors import WalkbackWarning

    if not settings.coda.enabled:
        return None, skipped("disabled by the settings ([cohort.coda] enabled = false)")
    days = getattr(data, "days", None)
    if days is None:
        return None, skipped("analyze was given an AnalysisSample, not the day table")
    if "sleep_s" not in days.columns or not days["sleep_s"].notna().any():
        return None, skipped("the day table has no sleep (sleep_s; HUNT SleTmD{day}_NT4ActMX)")
    try:
        res = run_coda(days, sample.everyone, settings)
    except CodaSampleError as e:  # a secondary analysis: the main one still stands
        warnings.warn(f"{e}; the compositional analysis is skipped", WalkbackWarning, stacklevel=3)
        return None, skipped(str(e))
    return res, res.info


def _library_versions() -> dict:
    import matplotlib
    import scipy

    return {"numpy": np.__version__, "pandas": pd.__version__, "scipy": scipy.__version__,
            "matplotlib": matplotlib.__version__}
