"""Poisson regression with log link and robust (sandwich) variance, for risk ratios.

The model is ``log E[y] = X b`` fitted by maximum likelihood (IRLS, which for the canonical log link is
Newton-Raphson, with step halving). The robust variance is the Huber-White sandwich

    V = (X'WX)^-1 X' diag(e^2) X (X'WX)^-1,   W = diag(mu),  e = y - mu   (HC0)

multiplied by ``n / (n - 1)`` when ``stata_small_sample`` is true, which is what Stata's
``poisson ..., vce(robust)`` reports (n = the estimation sample). The model-based variance
(``robust=False``, the interaction tests) is the inverse information at the estimate. Confidence
intervals are Wald intervals on the log scale with the normal quantile 1.959964 (``exp(b +- z se)``).
Design matrices (Stata ``i.`` treatment coding) come from :mod:`walkback.cohort.design`.

**Why a hand-written IRLS and not statsmodels' GLM.** statsmodels' ``GLM(Poisson).fit(cov_type=
"HC0")`` with this module's Stata layer on top gives the same estimates (within 3e-11 relative on
the simulated cohorts; ``tests/cohort`` compare with statsmodels throughout), but made the full
78-model analysis (``benchmarks/bench_cohort.py --repeat 3``, 11,317 included, 2 shared cores,
2026-12-07) 9.2x slower: median 21.81 s against 2.37 s for this IRLS at the same load (the fits
alone 20.40 s against 1.00 s); 12x (42.2 s against 3.4 s) at load 4-7, and 2.2x (5.83 s against
2.66 s) even with ``OPENBLAS_NUM_THREADS=1``. Each statsmodels fit factorises the full design
several times (rank at model creation, an SVD least squares per iteration, a pseudo-inverse at the
end) with multi-threaded LAPACK, which on thin 11,000 x 25 matrices on a busy machine mostly waits;
this IRLS needs one p x p solve per iteration, with X'WX accumulated in row blocks kept below
OpenBLAS's threading threshold. The trial is commit 4c0a599 (``git show 4c0a599``).

**Convergence.** A fit has converged when the deviance changed by at most ``tol * (|deviance| +
1)`` (``ModelSettings.tol``) and no coefficient moved by more than 1e-6 in the last iteration,
within ``max_iter`` iterations (``ModelSettings.max_iter``). A fit that stops at ``max_iter`` with
its deviance still changing keeps its estimates, is flagged ``converged = False`` and emits
:class:`walkback.errors.ConvergenceWarning` naming the model (Stata, R and statsmodels do the same).
A fit whose deviance no longer changes while a coefficient keeps moving has no finite maximum: a
coefficient runs off to -infinity (quasi-separation, e.g. a small stratum); that raises
:class:`walkback.errors.ModelError`, as does a singular information matrix at the estimate.

**The Stata layer.** An exposure level (or the reference level of any categorical term listed in
``protected``) with no cases raises :class:`ModelError` naming the term and level. A *covariate*
level with no cases has coefficient -inf at the MLE; its observations then contribute nothing to
the likelihood or the scores of the other parameters, so the fit drops them and reports that level
as not estimable (NaN), which gives exactly the limit the other estimates converge to (Stata:
"predicts failure perfectly"). A case-free covariate *reference* level leaves its participants out.
Covariate columns collinear with earlier columns (e.g. a covariate constant within a stratum) are
omitted as Stata does, and also reported as not estimable.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from walkback.cohort.design import Design, Term, build_design, category_levels, plain
from walkback.errors import ConvergenceWarning, ModelError

__all__ = ["Z975", "Design", "PoissonResults", "Term", "build_design", "category_levels",
           "fit_poisson", "lr_test"]

log = logging.getLogger(__name__)

Z975 = float(special.ndtri(0.975))
#: largest change of any coefficient (log RR) in the last iteration of a converged fit
STEP_TOL = 1e-6


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
    convergence_message: str = ""  # the ConvergenceWarning's text when not converged

    @property
    def bse(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def index(self, name: str) -> int:
        return self.names.index(name)

    def block(self, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients and covariance of the named columns."""
        idx = [self.names.index(c) for c in names]
        return self.params[idx], self.cov[np.ix_(idx, idx)]

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


def _deviance(y: np.ndarray, eta: np.ndarray) -> float:
    if not np.all(np.isfinite(eta)) or eta.max() > 700:
        return float("inf")
    mu = np.exp(eta)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(2.0 * np.sum(special.xlogy(y, y / mu) - (y - mu)))


@dataclass(frozen=True)
class _Irls:
    beta: np.ndarray
    n_iter: int
    converged: bool
    dev_change: float  # |change of the deviance| / (|deviance| + 1) in the last iteration
    step: np.ndarray  # the last iteration's change of each coefficient
    prev_step: float  # the largest change of a coefficient in the iteration before


def _irls(y: np.ndarray, X: np.ndarray, max_iter: int, tol: float, where: str,
          singular: str) -> _Irls:
    """Newton-Raphson (= IRLS for the log link) from the intercept-only fit (X[:, 0] = 1).

    The log-likelihood is concave, so the MLE does not depend on the start. A singular information
    matrix raises :class:`ModelError` ``singular``; so do fitted risks overflowing (exp(700)).
    """
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.mean())
    dev_old = _deviance(y, X @ beta)
    rel, step, prev = float("inf"), np.full(X.shape[1], np.inf), float("inf")
    for it in range(1, max_iter + 1):
        prev = float(np.max(np.abs(step)))
        eta = X @ beta
        if not np.all(np.isfinite(eta)) or eta.max() > 700:
            raise ModelError(f"{where}the fit diverged at iteration {it} (fitted risks overflow); "
                             "risk ratios not estimable")
        mu = np.exp(eta)
        score = X.T @ (y - mu)
        info = _xtwx(X, mu)
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            raise ModelError(singular) from None
        for _ in range(30):  # step halving keeps the deviance from increasing
            dev = _deviance(y, X @ (beta + step))
            if dev <= dev_old * (1 + 1e-12):
                break
            step = step / 2.0
        beta = beta + step
        rel = abs(dev - dev_old) / (abs(dev) + 1.0)
        if rel <= tol and np.max(np.abs(step)) < STEP_TOL:
            return _Irls(beta, it, True, rel, step, prev)
        dev_old = dev
    return _Irls(beta, max_iter, False, rel, step, prev)


def _inverse_information(X: np.ndarray, mu: np.ndarray, msg: str) -> np.ndarray:
    """(X' diag(mu) X)^-1, or :class:`ModelError` ``msg`` when it is (numerically) singular.

    A singular information matrix at a "converged" fit means quasi-separation: some column's fitted
    risks went to ~0 (a coefficient ran off towards -infinity), as happens with tiny strata. The
    check is on the correlation form of the matrix, so it does not depend on covariate scales.
    """
    info = _xtwx(X, mu)
    d = np.sqrt(np.diag(info))
    if not np.all(np.isfinite(info)) or np.any(d <= 1e-150):
        raise ModelError(msg)
    if np.linalg.cond(info / np.outer(d, d)) > 1e12:
        raise ModelError(msg)
    try:
        return np.linalg.inv(info)
    except np.linalg.LinAlgError:
        raise ModelError(msg) from None


def _convergence(fit: _Irls, names: Sequence[str], max_iter: int, tol: float, where: str,
                 n: int, cases: int) -> str:
    """'' when converged; else the ConvergenceWarning's text, or :class:`ModelError` when the
    deviance is flat while coefficients still move by steps that do not shrink (no finite maximum:
    Newton steps towards a finite maximum shrink quadratically, those of a coefficient running
    off to -infinity stay ~1)."""
    if fit.converged:
        return ""
    moving = np.abs(fit.step)
    if fit.dev_change <= tol and moving.max() > 0.5 * fit.prev_step:
        raise ModelError(
            f"{where}no finite maximum: after {fit.n_iter} iterations the deviance no longer "
            f"changes but coefficient(s) {[names[j] for j in np.flatnonzero(moving >= STEP_TOL)]} "
            f"still move (by up to {moving.max():.3g} per iteration), i.e. run off towards "
            "infinity (quasi-separation, e.g. a small stratum); risk ratios not estimable"
        )
    j = int(np.argmax(moving))
    return (
        f"{where}Poisson model did not converge in {max_iter} iterations (n = {n}, cases = "
        f"{cases}): last relative deviance change {fit.dev_change:.3g} (tol {tol:g}), largest "
        f"coefficient change {moving[j]:.3g} ({names[j]}); estimates kept and flagged "
        "converged = false"
    )


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
    """Fit ``log E[y] = X b`` by maximum likelihood (see the module docstring).

    ``protected`` names terms (the exposures) whose levels must all have cases: a level without
    cases raises :class:`ModelError` ("risk ratio not estimable"). ``label`` names the model in
    messages and in the :class:`ConvergenceWarning` of a fit stopped at ``max_iter``.
    """
    y = np.asarray(y, dtype=float)
    X = design.X
    n = len(y)
    where = f"{label}: " if label else ""
    if n < 2 or y.sum() == 0:
        raise ModelError(f"{where}no cases among {n} participants; risk ratios not estimable")
    if np.any(y < 0) or not np.all(np.isfinite(y)):
        raise ModelError(f"{where}outcome must be finite and >= 0")
    bad = [design.names[j] for j in np.flatnonzero(~np.isfinite(X).all(axis=0))]
    if bad:
        raise ModelError(f"{where}model column(s) {bad} have infinite values")
    keep_rows = np.ones(n, bool)
    keep_cols = np.ones(X.shape[1], bool)
    dropped: list[str] = []
    for term, j, lev, is_ref, cnt in _zero_case_columns(y, design):
        what = f"{term.name} = {plain(lev)}" + (" (reference)" if is_ref else "")
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
            dropped.append(f"{term.name}={plain(lev)} (reference; {cnt} participants left out)")
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
    kept_names = [design.names[j] for j in np.flatnonzero(keep_cols)]
    cases = int(y.sum())
    fail = (f"{where}the information matrix is singular at the fitted values (n = {n}, cases = "
            f"{cases}): some fitted risks are ~0 (quasi-separation, e.g. a small stratum); "
            "risk ratios not estimable")
    fit = _irls(yf, Xf, max_iter, tol, where, fail)
    message = _convergence(fit, kept_names, max_iter, tol, where, n, cases)
    if message:
        warnings.warn(message, ConvergenceWarning, stacklevel=2)
    mu = np.exp(Xf @ fit.beta)
    bread = _inverse_information(Xf, mu, fail)
    if robust:
        cov_f = bread @ _xtwx(Xf, (yf - mu) ** 2) @ bread
        if small_sample:
            n_fit = len(yf)  # Stata: the estimation sample, after left-out participants
            cov_f *= n_fit / (n_fit - 1.0)
    else:
        cov_f = bread
    loglik = float(np.sum(special.xlogy(yf, mu) - mu - special.gammaln(yf + 1)))
    p = X.shape[1]
    params = np.full(p, np.nan)
    params[keep_cols] = fit.beta
    cov = np.full((p, p), np.nan)
    cov[np.ix_(keep_cols, keep_cols)] = cov_f
    return PoissonResults(
        params=params,
        cov=cov,
        names=design.names,
        n=n,
        cases=cases,
        loglik=loglik,
        converged=fit.converged,
        n_iter=fit.n_iter,
        variance="robust" if robust else "model",
        small_sample=bool(small_sample and robust),
        not_estimable=tuple(dropped),
        terms=design.terms,
        convergence_message=message,
    )


def lr_test(restricted: PoissonResults, full: PoissonResults) -> tuple[float, int, float]:
    """Likelihood-ratio test of nested models: (chi2, df, p); df = difference in estimated params."""
    df = int(np.isfinite(full.params).sum() - np.isfinite(restricted.params).sum())
    chi2 = max(0.0, 2.0 * (full.loglik - restricted.loglik))
    p = float(special.chdtrc(df, chi2)) if df > 0 else float("nan")
    return chi2, df, p
