"""The study's models (study-spec 1.8): specifications, fitting, and their result tables.

Every model is a :class:`ModelSpec`: outcome, exposure terms, covariates (continuous or
categorical), a sample filter and the variance estimator. The specification is written verbatim to
``models.json``; the columns it names are in ``analysis_data.csv``, so any package can refit it.

Filters use a small language (also evaluated here, so what is documented is what ran):
``""`` (everyone), ``"<col> <op> <number>"`` with op in ``== != < <= > >=``, ``'<col> == "text"'``,
``"<col> not missing"``,
``"<col> > <number> or <col> missing"`` (Stata's rule that missing is larger than every number),
and several of these joined by ``" and "``. Comparisons with a missing value are false otherwise.
"""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from walkback.cohort.design import Design, Term, build_design
from walkback.cohort.poisson import PoissonResults, fit_poisson
from walkback.errors import ModelError

log = logging.getLogger(__name__)

#: exposure name -> continuous column in the analysis data
EXPOSURES = {"volume": "volume_min", "intensity": "intensity_met"}
#: level order for string-coded categorical covariates (reference first)
LEVEL_ORDER = {"sex": ("female", "male"), "smoking": ("never", "former", "current")}
OUTCOME = "lbp_t1"

_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_CMP = re.compile(r"^(\w+)\s*(==|!=|<=|>=|<|>)\s*(-?[\d.]+)$")
_CMP_OR_MISSING = re.compile(r"^(\w+)\s*(==|!=|<=|>=|<|>)\s*(-?[\d.]+)\s+or\s+(\w+)\s+missing$")
_NOT_MISSING = re.compile(r"^(\w+)\s+not\s+missing$")
_CMP_STR = re.compile(r'^(\w+)\s*(==|!=)\s*"([^"]*)"$')


def filter_mask(df: pd.DataFrame, expr: str) -> np.ndarray:
    """Boolean mask of the rows selected by ``expr`` (see the module docstring)."""
    mask = np.ones(len(df), bool)
    if not expr:
        return mask
    for part in expr.split(" and "):
        part = part.strip()
        cols = [c for c in re.findall(r"[A-Za-z_]\w*", part.split('"')[0])
                if c not in ("not", "missing", "or")]
        absent = [c for c in cols if c not in df.columns]
        if absent:
            raise ModelError(f"sample filter {expr!r}: column(s) {absent} not in the analysis data")
        if m := _NOT_MISSING.match(part):
            mask &= df[m[1]].notna().to_numpy()
        elif m := _CMP_OR_MISSING.match(part):
            s = df[m[1]].astype(float)
            mask &= (_OPS[m[2]](s, float(m[3])) | df[m[4]].isna()).to_numpy()
        elif m := _CMP_STR.match(part):
            s = df[m[1]].astype(str).where(df[m[1]].notna())
            mask &= _OPS[m[2]](s, m[3]).fillna(False).to_numpy(dtype=bool)
        elif m := _CMP.match(part):
            s = df[m[1]].astype(float)
            mask &= _OPS[m[2]](s, float(m[3])).fillna(False).to_numpy(dtype=bool)
        else:
            raise ModelError(f"cannot parse sample filter {part!r}")
    return mask


def _subset(df: pd.DataFrame, expr: str, columns: Sequence[str]) -> pd.DataFrame:
    """Rows selected by ``expr``, only the given columns (no copy of the wide table)."""
    cols = list(dict.fromkeys(columns))
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ModelError(f"model column(s) {missing} not in the analysis data")
    mask = filter_mask(df, expr)
    return df[cols] if mask.all() else df.loc[mask, cols]


@dataclass(frozen=True)
class ModelSpec:
    """One model. ``exposure_terms`` enter first, then ``covariates`` (in order)."""

    id: str
    analysis: str  # quartile | spline | joint | stratified | interaction | sensitivity
    exposure: str  # volume | intensity | joint
    adjustment: str  # age | multi | mutual | main | interaction
    outcome: str
    exposure_terms: tuple[str, ...]
    exposure_type: str  # categorical | continuous
    covariates: tuple[str, ...]
    categorical: tuple[str, ...]  # which covariates are categorical
    filter: str = ""
    robust: bool = True
    interaction: tuple[str, str] | None = None  # (categorical a, categorical b) product terms

    @property
    def categorical_terms(self) -> tuple[str, ...]:
        exp = self.exposure_terms if self.exposure_type == "categorical" else ()
        return (*exp, *(c for c in self.covariates if c in self.categorical))


@dataclass(frozen=True)
class FittedModel:
    spec: ModelSpec
    result: PoissonResults | None
    design_terms: tuple[Term, ...] = ()
    n: int = 0
    cases: int = 0
    error: str = ""

    @property
    def note(self) -> str:
        """Why the estimates are missing (``error``) or unfinished (fit stopped at max_iter)."""
        if self.error:
            return self.error
        if self.result is not None and not self.result.converged:
            return self.result.convergence_message
        return ""

    def describe(self, small_sample: bool) -> dict:
        """The ``models.json`` entry."""
        s = self.spec
        terms = {t.name: t for t in self.design_terms}

        def entry(name: str, is_exposure: bool) -> dict:
            if name in terms:
                d = terms[name].to_dict()
            else:
                kind = "categorical" if name in s.categorical_terms else "continuous"
                d = {"name": name, "type": kind}
            d["role"] = "exposure" if is_exposure else "covariate"
            return d

        out = {
            "id": s.id,
            "analysis": s.analysis,
            "exposure": s.exposure,
            "adjustment": s.adjustment,
            "outcome": s.outcome,
            "family": "poisson",
            "link": "log",
            "exposure_terms": [entry(t, True) for t in s.exposure_terms],
            "covariates": [entry(c, False) for c in s.covariates],
            "sample_filter": s.filter or "all",
            "variance": (
                ("robust sandwich HC0 x n/(n-1) (Stata vce(robust))" if small_sample else
                 "robust sandwich HC0")
                if s.robust
                else "model-based (inverse information, ordinary Poisson)"
            ),
            "n": self.n,
            "cases": self.cases,
        }
        if s.interaction:
            out["interaction"] = list(s.interaction)
        if self.result is not None:
            out["loglik"] = self.result.loglik
            out["converged"] = self.result.converged
            out["coefficients"] = dict(
                zip(self.result.names, [None if not np.isfinite(b) else float(b)
                                        for b in self.result.params], strict=True)
            )
            idx = [self.result.index(c) for t in self.design_terms
                   if t.name in s.exposure_terms for c in t.columns]
            out["exposure_covariance"] = {
                "columns": [self.result.names[i] for i in idx],
                "matrix": self.result.cov[np.ix_(idx, idx)].tolist(),
            }
            if self.result.not_estimable:
                out["not_estimable"] = list(self.result.not_estimable)
        if self.error:
            out["error"] = self.error
        return out


def _add_interaction(design: Design, a: str, b: str) -> Design:
    """Append products of the indicator columns of terms ``a`` and ``b`` (non-empty ones only)."""
    ta, tb = design.term(a), design.term(b)
    X = design.X
    cols, names = [], []
    for ca in ta.columns:
        for cb in tb.columns:
            prod = X[:, design.names.index(ca)] * X[:, design.names.index(cb)]
            if prod.any():
                cols.append(prod)
                names.append(f"{ca}#{cb}")
    if not cols:
        return design
    term = Term(f"{a}#{b}", "interaction", tuple(names))
    return Design(
        np.column_stack([X, *cols]), (*design.names, *names), (*design.terms, term)
    )


def fit_spec(
    df: pd.DataFrame,
    spec: ModelSpec,
    settings,
    *,
    raise_errors: bool = True,
    cache: dict | None = None,
) -> FittedModel:
    """Fit ``spec`` on ``df`` (the analysis data). ``settings`` is a ``ModelSettings``.

    With ``raise_errors=False`` a :class:`ModelError` is recorded in ``FittedModel.error`` instead.
    ``cache`` (one dict per ``df``) lets consecutive fits reuse the columns' codes.
    """
    label = f"model {spec.id} (outcome {spec.outcome}, sample {spec.filter or 'all'})"
    n = cases = 0
    try:
        mask = filter_mask(df, spec.filter)
        if spec.outcome not in df.columns:
            raise ModelError(f"{label}: outcome column {spec.outcome!r} not in the analysis data")
        y = df[spec.outcome].to_numpy(dtype=float)[mask]
        n, cases = len(y), int(np.nansum(y))
        if np.isnan(y).any():
            raise ModelError(f"{label}: outcome {spec.outcome!r} has missing values in the sample")
        cat = set(spec.categorical_terms)
        order = [*spec.exposure_terms, *spec.covariates]
        design = build_design(
            df,
            continuous=[c for c in order if c not in cat],
            categorical=[c for c in order if c in cat],
            order=order,
            level_order=LEVEL_ORDER,
            where=f"{label}: ",
            rows=mask,
            cache=cache,
        )
        if spec.interaction:
            design = _add_interaction(design, *spec.interaction)
        res = fit_poisson(
            y,
            design,
            protected=spec.exposure_terms,
            robust=spec.robust,
            small_sample=settings.stata_small_sample,
            max_iter=settings.max_iter,
            tol=settings.tol,
            label=label,
        )
    except ModelError as exc:
        if raise_errors:
            raise
        log.warning("%s", exc)
        return FittedModel(spec, None, (), n, cases, str(exc))
    return FittedModel(spec, res, design.terms, n, cases)


def category_rows(
    df: pd.DataFrame, fm: FittedModel, qcol: str, xcol: str
) -> list[dict]:
    """Rows category, lower, upper, n, cases, rr, ci_low, ci_high (+ note) for a categorical fit.

    ``lower``/``upper`` are the observed min/max of ``xcol`` in the category; category 1 has rr 1.
    """
    sub = _subset(df, fm.spec.filter, [fm.spec.outcome, qcol, xcol])
    y = sub[fm.spec.outcome].to_numpy(dtype=float)
    q = sub[qcol].to_numpy()
    x = sub[xcol].to_numpy(dtype=float)
    table = fm.result.rr_table().set_index("term") if fm.result is not None else None
    rows = []
    for cat in sorted(pd.unique(q)):
        m = q == cat
        row = {
            "category": int(cat),
            "lower": float(x[m].min()),
            "upper": float(x[m].max()),
            "n": int(m.sum()),
            "cases": int(y[m].sum()),
            "rr": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "note": fm.note,
        }
        ref = fm.result is not None and fm.design_terms and fm.design_terms[0].reference == cat
        if ref:
            row.update(rr=1.0, ci_low=1.0, ci_high=1.0, note="reference")
        elif table is not None and f"{qcol}={int(cat)}" in table.index:
            r = table.loc[f"{qcol}={int(cat)}"]
            row.update(rr=r.rr, ci_low=r.ci_low, ci_high=r.ci_high)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Covariates:
    """Covariate sets derived from ``ModelSettings``."""

    age: tuple[str, ...]
    multi: tuple[str, ...]
    categorical: tuple[str, ...] = field(default=())

    @classmethod
    def from_settings(cls, settings, multi: Sequence[str] | None = None) -> Covariates:
        """From a ``ModelSettings``; ``multi`` replaces its ``covariates`` (e.g.
        ``CohortSettings.multi_covariates()``, which may add the trunk measure)."""
        return cls(tuple(settings.age_covariates),
                   tuple(settings.covariates if multi is None else multi),
                   tuple(settings.categorical))


def quartile_spec(
    exposure: str,
    adjustment: str,
    cov: Covariates,
    *,
    analysis: str = "quartile",
    qcol: str | None = None,
    extra: Sequence[str] = (),
    drop: Sequence[str] = (),
    filter: str = "",
    outcome: str = OUTCOME,
    id_prefix: str = "",
) -> ModelSpec:
    """Quartile model of ``exposure``: ``age``/``multi``/``mutual`` (= multi + other linear)."""
    base = cov.age if adjustment == "age" else cov.multi
    covs = [c for c in base if c not in drop]
    if adjustment == "mutual":
        other = "intensity" if exposure == "volume" else "volume"
        covs.append(EXPOSURES[other])
    covs.extend(extra)
    qcol = qcol or f"{exposure}_q"
    return ModelSpec(
        id=f"{id_prefix}{analysis}/{exposure}/{adjustment}",
        analysis=analysis,
        exposure=exposure,
        adjustment=adjustment,
        outcome=outcome,
        exposure_terms=(qcol,),
        exposure_type="categorical",
        covariates=tuple(covs),
        categorical=cov.categorical,
        filter=filter,
    )


def spline_spec(exposure: str, adjustment: str, cov: Covariates) -> ModelSpec:
    """3-knot RCS model; ``mutual`` adds the other exposure's 3-knot RCS to the multi model."""
    covs = list(cov.age if adjustment == "age" else cov.multi)
    if adjustment == "mutual":
        other = "intensity" if exposure == "volume" else "volume"
        covs.extend([f"{other}_s1", f"{other}_s2"])
    return ModelSpec(
        id=f"spline/{exposure}/{adjustment}",
        analysis="spline",
        exposure=exposure,
        adjustment=adjustment,
        outcome=OUTCOME,
        exposure_terms=(f"{exposure}_s1", f"{exposure}_s2"),
        exposure_type="continuous",
        covariates=tuple(covs),
        categorical=cov.categorical,
    )


def joint_spec(adjustment: str, cov: Covariates) -> ModelSpec:
    """The 16-cell joint model, reference cell 1 (volume Q1 and intensity Q1)."""
    return ModelSpec(
        id=f"joint/{adjustment}",
        analysis="joint",
        exposure="joint",
        adjustment=adjustment,
        outcome=OUTCOME,
        exposure_terms=("joint_q",),
        exposure_type="categorical",
        covariates=cov.age if adjustment == "age" else cov.multi,
        categorical=cov.categorical,
    )
