"""Models of the compositional analysis: robust Poisson on pivot coordinates, isotemporal substitution.

Follows the authors' R code (rayanehaddadj/coda-chronic-lbp-hunt, ``00_functions_analysis.R``):

* **Model.** ``glm(lbp_t1 ~ ilr_1 + ... + ilr_4 + covariates, family = poisson(link = "log"))``
  with the sandwich covariance ``vcovHC(type = "HC0")``; here statsmodels' GLM with
  ``cov_type="HC0"`` (the same estimator, :func:`fit_poisson_hc0`). ``coda.small_sample`` multiplies it by n/(n-1).
  Covariates: ``models.age_covariates`` (age-adjusted) or ``models.covariates`` (multi-adjusted),
  factors as in the main analysis (``models.categorical``; first level = reference).
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
maximum; it is dropped (listed as ``not_estimable``), as the main analysis does, which gives the
limit the other estimates converge to.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from walkback.cohort.coda import PARTS, pivot_coordinates, rotation
from walkback.cohort.models import LEVEL_ORDER, OUTCOME, filter_mask
from walkback.cohort.sensitivity import evalue
from walkback.errors import ModelError

__all__ = ["ADJUSTMENTS", "CodaRun", "GlmFit", "coda_runs", "covariate_design",
           "fit_poisson_hc0", "fit_run", "isotemporal"]

log = logging.getLogger(__name__)

ADJUSTMENTS = ("age", "multi")
Z975 = 1.959963984540054
ILR = tuple(f"ilr{i}" for i in range(1, len(PARTS)))


@dataclass(frozen=True)
class GlmFit:
    """One Poisson fit: coefficient names (``_cons`` first), estimates, robust covariance."""

    names: tuple[str, ...]
    params: np.ndarray
    cov: np.ndarray
    n: int
    cases: int
    converged: bool
    iterations: int
    not_estimable: tuple[str, ...] = ()

    def block(self, names) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and covariance of the named columns."""
        idx = [self.names.index(c) for c in names]
        return self.params[idx], self.cov[np.ix_(idx, idx)]


def covariate_design(df: pd.DataFrame, covariates, categorical) -> tuple[np.ndarray, list[str]]:
    """Covariate columns as the main analysis enters them: continuous as they are, factors as
    indicators of every level but the first present one (``LEVEL_ORDER`` for text levels, else
    sorted). Names ``col`` / ``col=level``."""
    cols, names = [], []
    for c in covariates:
        v = df[c]
        if c not in categorical:
            cols.append(v.to_numpy(dtype=float))
            names.append(c)
            continue
        present = pd.unique(v.dropna())
        order = [lv for lv in LEVEL_ORDER.get(c, ()) if lv in set(present)]
        order += sorted(lv for lv in present if lv not in order)
        for lv in order[1:]:
            cols.append((v == lv).to_numpy(dtype=float))
            label = int(lv) if isinstance(lv, float) and float(lv).is_integer() else lv
            names.append(f"{c}={label}")
    return (np.column_stack(cols) if cols else np.empty((len(df), 0))), names


def _estimable(y: np.ndarray, X: np.ndarray, names: list[str], n_protected: int, label: str):
    """Drop covariate columns that are empty, have no case, or are collinear (never the first
    ``n_protected`` columns: intercept and coordinates)."""
    dropped = []
    keep = list(range(X.shape[1]))
    for j in range(n_protected, X.shape[1]):
        col = X[:, j]
        is_indicator = "=" in names[j]
        if not col.any() or np.all(col == col[0]) or (is_indicator and y[col == 1].sum() == 0):
            keep.remove(j)
            dropped.append(names[j])
    X, names = X[:, keep], [names[j] for j in keep]
    # rank from the column-scaled Gram matrix (k x k): no LAPACK call on the tall matrix
    scaled = X / np.sqrt((X * X).sum(axis=0))
    eig = np.linalg.eigvalsh(scaled.T @ scaled)
    rank = int((eig > eig.max() * 1e-12).sum())
    if rank < X.shape[1]:
        from scipy.linalg import qr

        _, _, piv = qr(X, pivoting=True, mode="economic")
        lost = sorted(piv[rank:])
        if any(j < n_protected for j in lost):
            raise ModelError(f"{label}: the composition's coordinates are collinear with the "
                             "covariates; not estimable")
        dropped += [names[j] for j in lost]
        keep = [j for j in range(X.shape[1]) if j not in lost]
        X, names = X[:, keep], [names[j] for j in keep]
    return X, names, tuple(dropped)


def fit_poisson_hc0(y: np.ndarray, X: np.ndarray, names: list[str], *, small_sample: bool,
                    max_iter: int, tol: float, label: str, n_protected: int = 1,
                    start: dict[str, float] | None = None) -> GlmFit:
    """Poisson GLM with log link (statsmodels ``GLM``) and the HC0 sandwich covariance.

    ``X`` includes the intercept column (``_cons``). statsmodels' Newton-Raphson on the
    log-likelihood (analytic score and Hessian) runs until no coefficient moves by more than
    ``tol``; should it not converge, statsmodels' IRLS is tried. Newton is used first because
    IRLS solves each step by least squares on the n x k matrix, which multi-threaded BLAS makes
    ~25x slower on a loaded machine; both reach the same maximum. ``start`` (coefficients by
    name, e.g. an equivalent fit's) only sets where the iterations start (default: the intercept
    at log of the mean outcome, the rest 0). Raises :class:`ModelError` without cases or without
    convergence within ``max_iter`` iterations.
    """
    import statsmodels.api as sm

    n, cases = len(y), int(y.sum())
    if n < 20 or cases == 0:
        raise ModelError(f"{label}: {n} participants, {cases} cases; not estimable")
    X, names, dropped = _estimable(y, X, names, n_protected, label)
    start_params = np.zeros(len(names))
    start_params[0] = np.log(cases / n)
    if start is not None and set(names) <= set(start):
        start_params = np.array([start[c] for c in names])
    model = sm.GLM(y, X, family=sm.families.Poisson())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow / convergence chatter of a failed attempt
        res = model.fit(start_params=start_params, method="newton", cov_type="HC0",
                        maxiter=max_iter, tol=tol, disp=False)
        ok = bool(res.mle_retvals.get("converged")) and np.all(np.isfinite(res.params))
        iterations = int(res.mle_retvals.get("iterations", 0))
        if not ok:
            res = model.fit(cov_type="HC0", maxiter=max_iter, tol=tol, tol_criterion="params",
                            wls_method="qr")
            ok = bool(res.converged) and np.all(np.isfinite(res.params))
            iterations = int(res.fit_history.get("iteration", 0))
    if not ok:
        raise ModelError(f"{label}: Poisson regression did not converge in {max_iter} "
                         "iterations")
    cov = np.asarray(res.cov_params(), dtype=float)
    if small_sample:
        cov = cov * n / (n - 1)
    return GlmFit(tuple(names), np.asarray(res.params, dtype=float), cov, n, cases, True,
                  iterations, dropped)


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
    fits: tuple[GlmFit, ...]
    rows: np.ndarray  # boolean mask over CodaSample.data


def fit_run(data: pd.DataFrame, run: CodaRun, adjustment: str, settings,
            rotations: tuple[int, ...] = tuple(range(len(PARTS))),
            start: dict[str, float] | None = None) -> RunFit:
    """Fit the rotations of one run (raises :class:`ModelError` when a fit fails).

    Each rotation is a full fit. The first starts from ``start`` (if given); the others start
    from the first's estimates carried over to their coordinates (the rotations are orthogonal
    transforms of each other, so this is the same model's maximum), which saves iterations
    only."""
    ms = settings.models
    base = ms.age_covariates if adjustment == "age" else ms.covariates
    covs = tuple(c for c in base if c not in run.drop)
    label = f"compositional model {run.id}/{adjustment}"
    mask = filter_mask(data, run.filter)
    sub = data.loc[mask]
    y = sub[OUTCOME].to_numpy(dtype=float)
    if np.isnan(y).any():
        raise ModelError(f"{label}: outcome {OUTCOME!r} has missing values")
    Xc, cnames = covariate_design(sub, covs, set(ms.categorical))
    x = sub[[f"{p}_zr" for p in PARTS]].to_numpy(dtype=float)
    fits: list[GlmFit] = []
    z_first = None
    for k in rotations:
        z = pivot_coordinates(x[:, rotation(k)])
        if fits:
            first = fits[0]
            b, _ = first.block(ILR)
            # z = z_first R with R orthogonal: the same linear predictor has coefficients R'b
            carried = np.linalg.lstsq(z, z_first @ b, rcond=None)[0]
            start = dict(zip(first.names, first.params.tolist(), strict=True))
            start.update(zip(ILR, carried.tolist(), strict=True))
        else:
            z_first = z
        X = np.column_stack([np.ones(len(sub)), z, Xc])
        fits.append(fit_poisson_hc0(
            y, X, ["_cons", *ILR, *cnames], small_sample=settings.coda.small_sample,
            max_iter=ms.max_iter, tol=ms.tol, label=f"{label} ({PARTS[k]} first)",
            n_protected=len(PARTS), start=start))
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


def isotemporal(fit: GlmFit, mean: np.ndarray, minutes) -> pd.DataFrame:
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
        "coefficients": dict(zip(fit.names, fit.params.tolist(), strict=True)),
        "coordinate_covariance": v.tolist(),
        "not_estimable": list(fit.not_estimable),
        "coordinate_estimates": b.tolist(),
    }
