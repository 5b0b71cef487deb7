"""Design matrices for the cohort models: Stata ``i.``-style treatment coding of model terms.

Design matrices use treatment coding like Stata's ``i.``: one indicator per non-reference level, the
reference being the lowest level (numeric order, or an explicit level order when given); the first
column is the intercept ``_cons``. Indicator columns are named ``"{term}={level}"``. Every term
records its type and reference level so that ``models.json`` can describe the model exactly.
Missing values in a model column raise :class:`walkback.errors.ModelError` naming the column and
rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from walkback.errors import ModelError


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
            d["reference"] = plain(self.reference)
            d["levels"] = [plain(v) for v in self.levels]
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


def plain(v: object) -> object:
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
        tcols = [f"{name}={plain(levels[i])}" for i in present[1:]]
        if len(present) > 1:
            cols.append((sub[:, None] == present[None, 1:]).astype(float))
        colnames.extend(tcols)
        lv = tuple(levels[i] for i in present)
        terms.append(Term(name, "categorical", tuple(tcols), lv[0] if lv else None, lv))
    X = np.column_stack(cols) if cols else np.empty((n, 0))
    return Design(X, tuple(colnames), tuple(terms))
