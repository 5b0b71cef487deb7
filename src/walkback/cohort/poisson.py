"""Poisson regression with log link and robust (sandwich) variance, for risk ratios.

The model is ``log E[y] = X b`` fitted by maximum likelihood (IRLS, which for the canonical log link is
Newton-Raphson). The robust variance is the Huber-White sandwich

    V = (X'WX)^-1 X' diag(e^2) X (X'WX)^-1,   W = diag(mu),  e = y - mu   (HC0)

multiplied by ``n / (n - 1)`` when ``stata_small_sample`` is true, which is what Stata's
``poisson ..., vce(robust)`` reports. Confidence intervals are Wald intervals on the log scale with
the normal quantile 1.959964 (``exp(b +- z se)``).

Design matrices use treatment coding like Stata's ``i.``: one indicator per non-reference level, the
reference being the lowest level (numeric order, or an explicit level order when given). Every term
records its type and reference level so that ``models.json`` can describe the model exactly.

Non-estimable models raise :class:`walkback.errors.ModelError` naming the term and level:
an exposure level (or the reference level of any categorical term) with no cases, or no convergence
within ``max_iter`` iterations. A *covariate* level with no cases has coefficient -inf at the MLE; its
observations then contribute nothing to the likelihood or the scores of the other parameters, so the
fit drops them and reports that level as not estimable (NaN), which gives exactly the limit the
other estimates converge to. Covariate columns collinear with earlier columns (e.g. a covariate
constant within a stratum) are omitted as Stata does, and also reported as not estimable.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from walkback.errors import ModelError

log = logging.getLogger(__name__)

Z975 = float(special.ndtri(0.975))


@dataclass(frozen=True)
class Term:
    """One model term: a continuous column, or a categorical column coded as indicators."""

    name: str
    kind: str  # "continuous" | "categorical"
    columns: tuple[str, ...]  # design-matrix column names of this term
    reference: object = None  # reference level (categorical)
    levels: tuple = ()  # all levels, reference first (categorical)

    def to_dict(self) -> dict:
        d: dict = {"name": self.name, "type": self.kind, "columns": list(self.columns)}
        if self.kind == "categorical":
            d["reference"] = _plain(self.reference)
            d["levels"] = [_plain(v) for v in self.levels]
        return d


@dataclass(frozen=True)
class Design:
    """A design matrix (first column the intercept ``_cons``) with its term descriptions."""

    X: np.ndarray
    names: tuple[str, ...]
    terms: tuple[Term, ...]

    def term(self, name: str) -> Term:
        for t in self.terms:
            if t.name == name:
                return t
        raise KeyError(name)


def _plain(v: object) -> object:
    """JSON-friendly scalar (numpy ints/floats to Python)."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def category_levels(values: pd.Series, order: Sequence | None = None) -> list:
    """Levels of a categorical column: ``order`` filtered to the present values, else sorted."""
    present = pd.unique(values.dropna())
    if order is not None:
        known = [v for v in order if v in set(present)]
        extra = sorted(set(present) - set(order), key=str)
        return known + extra
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def _column_block(df: pd.DataFrame, name: str, kind: str, order: Sequence | None, where: str):
    """Per-column data reused by every model: float values, or (levels, int codes); NaN mask."""
    if name not in df.columns:
        raise ModelError(f"{where}model column {name!r} is not in the analysis data")
    s = df[name]
    bad = s.isna().to_numpy()
    if kind == "continuous":
        try:
            return s.to_numpy(dtype=float), bad
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{where}column {name!r} must be numeric: {exc}") from exc
    levels = category_levels(s, order)
    codes = np.full(len(s), -1, dtype=np.int64)
    vals = s.to_numpy()
    for i, lev in enumerate(levels):
        codes[vals == lev] = i
    return (levels, codes), bad


def build_design(
    df: pd.DataFrame,
    continuous: Sequence[str] = (),
    categorical: Sequence[str] = (),
    *,
    order: Sequence[str] | None = None,
    level_order: Mapping[str, Sequence] | None = None,
    where: str = "",
    rows: np.ndarray | None = None,
    cache: dict | None = None,
) -> Design:
    """Design matrix with intercept, continuous columns and treatment-coded categorical columns.

    ``order`` gives the term order (default: continuous then categorical). Indicator columns are named
    ``"{term}={level}"``; the reference is the first level present in the selected rows (``rows``, a
    boolean mask of ``df``; default all). ``cache`` (a dict reused across calls on the same ``df``)
    avoids recomputing each column's codes. Missing values raise :class:`ModelError` naming the
    column and rows.
    """
    level_order = dict(level_order or {})
    kinds = {c: "continuous" for c in continuous} | {c: "categorical" for c in categorical}
    names = list(order) if order is not None else [*continuous, *categorical]
    cache = {} if cache is None else cache
    sel = np.ones(len(df), bool) if rows is None else np.asarray(rows, bool)
    n = int(sel.sum())
    cols: list[np.ndarray] = [np.ones(n)]
    colnames: list[str] = ["_cons"]
    terms: list[Term] = []
    for name in names:
        key = (name, kinds[name])
        if key not in cache:
            cache[key] = _column_block(df, name, kinds[name], level_order.get(name), where)
        data, bad = cache[key]
        bad = bad[sel]
        if bad.any():
            first = df.index[sel][bad][:5].tolist()
            raise ModelError(
                f"{where}column {name!r} has {int(bad.sum())} missing value(s) in the model sample "
                f"(first rows {first}); expected complete data"
            )
        if kinds[name] == "continuous":
            cols.append(data[sel])
            colnames.append(name)
            terms.append(Term(name, "continuous", (name,)))
            continue
        levels, codes = data
        sub = codes[sel]
        present = np.flatnonzero(np.bincount(sub, minlength=len(levels)))
        tcols = [f"{name}={_plain(levels[i])}" for i in present[1:]]
        if len(present) > 1:
            cols.append((sub[:, None] == present[None, 1:]).astype(float))
        colnames.extend(tcols)
        lv = tuple(levels[i] for i in present)
        terms.append(Term(name, "categorical", tuple(tcols), lv[0] if lv else None, lv))
    X = np.column_stack(cols) if cols else np.empty((n, 0))
    return Design(X, tuple(colnames), tuple(terms))


@dataclass(frozen=True)
class PoissonResults:
    """Fitted Poisson model. ``params`` are log risk ratios; ``cov`` their covariance."""

    params: np.ndarray
    cov: np.ndarray
    names: tuple[str, ...]
    n: int
    cases: int
    loglik: float
    converged: bool
    n_iter: int
    variance: str  # "robust" (sandwich) or "model" (inverse information)
    small_sample: bool
    not_estimable: tuple[str, ...] = ()  # covariate columns without cases or collinear (NaN)
    terms: tuple[Term, ...] = field(default=())

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def rr_table(self) -> pd.DataFrame:
        """One row per coefficient: coef, se, rr, ci_low, ci_high, z, p (Wald, normal)."""
        b, se = self.params, self.bse
        with np.errstate(invalid="ignore", divide="ignore"):
            z = b / se
        return pd.DataFrame(
            {
                "term": list(self.names),
                "coef": b,
                "se": se,
                "rr": np.exp(b),
                "ci_low": np.exp(b - Z975 * se),
                "ci_high": np.exp(b + Z975 * se),
                "z": z,
                "p": 2 * special.ndtr(-np.abs(z)),
            }
        )

    def summary(self) -> str:
        """Plain-text table of risk ratios, like Stata's ``poisson ..., irr``."""
        t = self.rr_table()
        var = (
            "robust (HC0 x n/(n-1))"
            if self.variance == "robust" and self.small_sample
            else ("robust (HC0)" if self.variance == "robust" else "model-based")
        )
        lines = [
            "Poisson regression (log link), risk ratios",
            f"n = {self.n}   cases = {self.cases}   log likelihood = {self.loglik:.4f}",
            f"variance: {var}   converged: {self.converged} ({self.n_iter} iterations)",
            f"{'term':<28}{'RR':>9}{'95% CI':>22}{'p':>9}",
        ]
        for r in t.itertuples():
            lines.append(
                f"{r.term:<28}{r.rr:>9.3f}   ({r.ci_low:>7.3f} - {r.ci_high:>7.3f}){r.p:>9.4f}"
            )
        if self.not_estimable:
            lines.append(f"not estimable (no cases or collinear): {', '.join(self.not_estimable)}")
        return "\n".join(lines)


#: rows per block in :func:`_xtwx`: keeps each GEMM below OpenBLAS's multi-threading threshold
#: (m*n*k < 262,144), which for these thin matrices is 5-10x faster on a busy 2-core machine.
_BLOCK_ROWS = 600


def _xtwx(X: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """X' diag(w) X (w = 1 when None), accumulated over row blocks."""
    p = X.shape[1]
    out = np.zeros((p, p))
    for s in range(0, X.shape[0], _BLOCK_ROWS):
        Xc = X[s : s + _BLOCK_ROWS]
        out += (Xc if w is None else Xc * w[s : s + _BLOCK_ROWS, None]).T @ Xc
    return out


def _deviance(y: np.ndarray, eta: np.ndarray) -> float:
    if not np.all(np.isfinite(eta)) or eta.max() > 700:
        return float("inf")
    mu = np.exp(eta)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(2.0 * np.sum(special.xlogy(y, y / mu) - (y - mu)))


def _irls(y: np.ndarray, X: np.ndarray, max_iter: int, tol: float) -> tuple[np.ndarray, int, bool]:
    """Newton-Raphson (= IRLS for the log link) from the intercept-only fit (X[:, 0] = 1).

    The log-likelihood is concave, so the MLE does not depend on the start.
    """
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean())
    dev_old = _deviance(y, X @ beta)
    for it in range(1, max_iter + 1):
        eta = X @ beta
        if not np.all(np.isfinite(eta)) or eta.max() > 700:
            return beta, it, False
        mu = np.exp(eta)
        score = X.T @ (y - mu)
        info = _xtwx(X, mu)
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            return beta, it, False
        for _ in range(30):  # step halving keeps the deviance from increasing
            dev = _deviance(y, X @ (beta + step))
            if dev <= dev_old * (1 + 1e-12):
                break
            step = step / 2.0
        beta = beta + step
        if abs(dev - dev_old) <= tol * (abs(dev) + 1.0) and np.max(np.abs(step)) < 1e-6:
            return beta, it, True
        dev_old = dev
    return beta, max_iter, False


def _zero_case_columns(
    y: np.ndarray, design: Design
) -> list[tuple[Term, int, object, bool, int]]:
    """(term, column index, level, is_reference, participants) for levels with no cases."""
    out = []
    X = design.X
    for term in design.terms:
        if term.kind != "categorical":
            continue
        idx = [design.names.index(c) for c in term.columns]
        in_other = X[:, idx].sum(axis=1) > 0 if idx else np.zeros(len(y), bool)
        if (~in_other).any() and y[~in_other].sum() == 0:
            out.append((term, -1, term.reference, True, int((~in_other).sum())))
        for j, lev in zip(idx, term.levels[1:], strict=True):
            m = X[:, j] > 0
            if m.any() and y[m].sum() == 0:
                out.append((term, j, lev, False, int(m.sum())))
    return out


def _independent_columns(X: np.ndarray) -> np.ndarray:
    """Mask keeping each column that is not (numerically) a combination of the earlier kept ones.

    Like Stata, later collinear columns (and all-zero columns) are the ones omitted.
    """
    xtx = _xtwx(X)
    d = np.sqrt(np.diag(xtx))
    if np.all(d > 0):
        eig = np.linalg.eigvalsh(xtx / np.outer(d, d))
        if eig[0] > 1e-11 * eig[-1]:
            return np.ones(X.shape[1], bool)
    keep = np.zeros(X.shape[1], bool)
    for j in range(X.shape[1]):
        if d[j] == 0:
            continue
        idx = np.flatnonzero(keep).tolist() + [j]
        sub = xtx[np.ix_(idx, idx)] / np.outer(d[idx], d[idx])
        eig = np.linalg.eigvalsh(sub)
        keep[j] = eig[0] > 1e-11 * eig[-1]
    return keep


def _inverse_information(X: np.ndarray, mu: np.ndarray, where: str, n: int, cases: int
                          ) -> np.ndarray:
    """(X' diag(mu) X)^-1, or :class:`ModelError` when it is (numerically) singular.

    A singular information matrix at a "converged" fit means quasi-separation: some column's fitted
    risks went to ~0 (a coefficient ran off towards -infinity), as happens with tiny strata. The
    check is on the correlation form of the matrix, so it does not depend on covariate scales.
    """
    info = _xtwx(X, mu)
    d = np.sqrt(np.diag(info))
    msg = (f"{where}the information matrix is singular at the fitted values (n = {n}, cases = "
           f"{cases}): some fitted risks are ~0 (quasi-separation, e.g. a small stratum); "
           "risk ratios not estimable")
    if not np.all(np.isfinite(info)) or np.any(d <= 1e-150):
        raise ModelError(msg)
    if np.linalg.cond(info / np.outer(d, d)) > 1e12:
        raise ModelError(msg)
    try:
        return np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise ModelError(msg) from None


def fit_poisson(
    y: np.ndarray,
    design: Design,
    *,
    protected: Sequence[str] = (),
    robust: bool = True,
    small_sample: bool = True,
    max_iter: int = 100,
    tol: float = 1e-10,
    label: str = "",
) -> PoissonResults:
    """Fit ``log E[y] = X b`` by maximum likelihood.

    ``protected`` names terms (the exposures) whose levels must all have cases: a level without
    cases raises :class:`ModelError` ("risk ratio not estimable"). ``label`` prefixes messages.
    """
    y = np.asarray(y, dtype=float)
    X = design.X
    n = len(y)
    where = f"{label}: " if label else ""
    if n < 2 or y.sum() == 0:
        raise ModelError(f"{where}no cases among {n} participants; risk ratios not estimable")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise ModelError(f"{where}outcome must be finite and >= 0")
    keep_rows = np.ones(n, bool)
    keep_cols = np.ones(X.shape[1], bool)
    dropped: list[str] = []
    for term, j, lev, is_ref, cnt in _zero_case_columns(y, design):
        what = f"{term.name} = {_plain(lev)}" + (" (reference)" if is_ref else "")
        if term.name in protected:
            raise ModelError(
                f"{where}category {what} ({cnt} participants, 0 cases): risk ratio not estimable; "
                "merge categories or use a larger sample"
            )
        if is_ref:
            # as Stata does, drop the participants whose outcome the level determines; with the
            # reference rows gone one of the term's other columns becomes collinear with the
            # intercept and is omitted below, i.e. the next level serves as reference
            log.warning("%scovariate reference level %s has no cases; its %d participants are "
                        "left out of this model", where, what, cnt)
            cols = [design.names.index(c) for c in term.columns]
            keep_rows &= X[:, cols].sum(axis=1) > 0
            dropped.append(f"{term.name}={_plain(lev)} (reference; {cnt} participants left out)")
            continue
        log.warning("%scovariate level %s has no cases; reported as not estimable", where, what)
        keep_rows &= X[:, j] == 0
        keep_cols[j] = False
        dropped.append(design.names[j])
    cols = np.flatnonzero(keep_cols)
    indep = _independent_columns(X[keep_rows][:, cols])
    protected_cols = {c for t in design.terms if t.name in protected for c in t.columns}
    for j in cols[~indep]:
        name = design.names[j]
        if name in protected_cols or name == "_cons":
            raise ModelError(
                f"{where}exposure column {name!r} is collinear with the other terms in this "
                "sample (empty category or constant exposure); risk ratio not estimable"
            )
        log.warning("%s%s omitted because of collinearity", where, name)
        keep_cols[j] = False
        dropped.append(name)
    Xf, yf = X[keep_rows][:, keep_cols], y[keep_rows]
    beta, n_iter, ok = _irls(yf, Xf, max_iter, tol)
    if not ok:
        raise ModelError(
            f"{where}Poisson model did not converge in {max_iter} iterations "
            f"(n = {n}, cases = {int(y.sum())})"
        )
    mu = np.exp(Xf @ beta)
    bread = _inverse_information(Xf, mu, where, n, int(y.sum()))
    if robust:
        e = yf - mu
        meat = _xtwx(Xf, e**2)
        cov_f = bread @ meat @ bread
        if small_sample:
            n_fit = len(yf)  # Stata: the estimation sample, after left-out participants
            cov_f *= n_fit / (n_fit - 1.0)
    else:
        cov_f = bread
    loglik = float(np.sum(special.xlogy(yf, mu) - mu - special.gammaln(yf + 1)))
    p = X.shape[1]
    params = np.full(p, np.nan)
    params[keep_cols] = beta
    cov = np.full((p, p), np.nan)
    cov[np.ix_(keep_cols, keep_cols)] = cov_f
    return PoissonResults(
        params=params,
        cov=cov,
        names=design.names,
        n=n,
        cases=int(y.sum()),
        loglik=loglik,
        converged=True,
        n_iter=n_iter,
        variance="robust" if robust else "model",
        small_sample=bool(small_sample and robust),
        not_estimable=tuple(dropped),
        terms=design.terms,
    )


def lr_test(restricted: PoissonResults, full: PoissonResults) -> tuple[float, int, float]:
    """Likelihood-ratio test of nested models: (chi2, df, p); df = difference in estimated params."""
    df = int(np.isfinite(full.params).sum() - np.isfinite(restricted.params).sum())
    chi2 = max(0.0, 2.0 * (full.loglik - restricted.loglik))
    p = float(special.chdtrc(df, chi2)) if df > 0 else float("nan")
    return chi2, df, p
