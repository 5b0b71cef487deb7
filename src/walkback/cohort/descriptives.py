"""Table 1: participant characteristics by walking-volume quartile (study-spec §1.10).

The table is tidy: one row per variable level, columns ``variable, level, statistic, Q1 .. Qk,
overall``; cells are formatted text ("55.3 (15.1)", "6,564 (58.6)") ready for ``to_csv``.
Percentages use the participants of the column with a non-missing value; when a variable has
missing values a ``missing`` level is added.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["table1"]

INCOME_LABELS = {1: "<25,000 USD", 2: "25,000-45,000 USD", 3: "45,100-75,000 USD",
                 4: "75,100-100,000 USD", 5: ">100,000 USD"}
EXERCISE_LABELS = {1: "never", 2: "<1 time a week", 3: "once a week", 4: "2-3 times a week",
                   5: "nearly every day"}
WORK_TYPE_LABELS = {0: "non worker", 1: "mostly sedentary", 2: "much walking",
                    3: "walking and lifting", 4: "heavy manual labour"}


def _mean_sd(v: np.ndarray, decimals: int) -> str:
    v = v[~np.isnan(v)]
    if v.size == 0:
        return ""
    sd = v.std(ddof=1) if v.size > 1 else float("nan")
    return f"{v.mean():.{decimals}f} ({sd:.{decimals}f})"


def _n_pct(hit: np.ndarray, known: np.ndarray, decimals: int) -> str:
    denom = int(known.sum())
    n = int((hit & known).sum())
    pct = 100.0 * n / denom if denom else float("nan")
    return f"{n:,} ({pct:.{decimals}f})"


def _groups(q: np.ndarray) -> list[tuple[str, np.ndarray]]:
    k = int(q.max()) if q.size else 0
    cols = [(f"Q{g}", q == g) for g in range(1, k + 1)]
    return [*cols, ("overall", np.ones(q.size, dtype=bool))]


def _categorical(variable: str, values: pd.Series, levels: Sequence, labels: dict | None,
                 groups, decimals: int) -> list[dict]:
    v = values.to_numpy(dtype=object)
    known = pd.notna(values).to_numpy()
    rows = []
    for level in levels:
        hit = known & (v == level)
        row = {"variable": variable, "level": str(labels.get(level, level) if labels else level),
               "statistic": "n (%)"}
        row.update({name: _n_pct(hit[m], known[m], decimals) for name, m in groups})
        rows.append(row)
    if (~known).any():
        row = {"variable": variable, "level": "missing", "statistic": "n"}
        row.update({name: f"{int((~known[m]).sum()):,}" for name, m in groups})
        rows.append(row)
    return rows


def _continuous(variable: str, values: pd.Series, groups, decimals: int) -> dict:
    v = values.to_numpy(dtype=float)
    row = {"variable": variable, "level": "", "statistic": "mean (SD)"}
    row.update({name: _mean_sd(v[m], decimals) for name, m in groups})
    return row


def table1(sample_df: pd.DataFrame, volume_q: npt.ArrayLike, supplement: bool = False,
           decimals: int = 1) -> pd.DataFrame:
    """Table 1 of the analytic sample by volume quartile (codes 1..k from ``xtile``).

    ``sample_df`` is ``AnalysisSample.data`` (or any frame with its columns); ``volume_q`` the
    quartile codes aligned with its rows. ``supplement`` adds exercise frequency and work type
    when present. Rows: participants, volume range, age, women, valid days (``valid_days_walk``),
    walking volume, walking intensity, education (3 levels), income, employment, smoking,
    depression.
    """
    q = np.asarray(volume_q, dtype=np.int64).ravel()
    if q.size != len(sample_df):
        raise ValueError(f"volume_q has {q.size} codes for {len(sample_df)} rows")
    groups = _groups(q)
    d = sample_df.reset_index(drop=True)
    rows: list[dict] = [{"variable": "Participants", "level": "", "statistic": "n",
                         **{name: f"{int(m.sum()):,}" for name, m in groups}}]
    vol = d["volume_min"].to_numpy(dtype=float)
    rows.append({"variable": "Walking volume range, min/day", "level": "",
                 "statistic": "min-max",
                 **{name: (f"{np.nanmin(vol[m]):.{decimals}f}-{np.nanmax(vol[m]):.{decimals}f}"
                           if m.any() else "") for name, m in groups}})
    rows.append(_continuous("Age, y", d["age_years"], groups, decimals))
    rows += _categorical("Sex", d["sex"], ["female"], {"female": "women"}, groups, decimals)
    rows.append(_continuous("Valid days of accelerometry", d["valid_days_walk"], groups,
                            decimals))
    rows.append(_continuous("Walking volume, min/day", d["volume_min"], groups, decimals))
    rows.append(_continuous("Walking intensity, MET", d["intensity_met"], groups, 2))
    rows += _categorical("Education", d["education3"], ["primary", "secondary", "university"],
                         None, groups, decimals)
    rows += _categorical("Household income", d["income"], list(INCOME_LABELS), INCOME_LABELS,
                         groups, decimals)
    rows += _categorical("Employment", d["employed"], [1, 0], {1: "employed",
                                                               0: "not employed"},
                         groups, decimals)
    rows += _categorical("Smoking", d["smoking"], ["never", "former", "current"], None, groups,
                         decimals)
    rows += _categorical("Depression (HADS-D >= 7)", d["depression"], [1], {1: "yes"}, groups,
                         decimals)
    if supplement:
        if "exercise_freq" in d.columns:
            rows += _categorical("Exercise frequency", d["exercise_freq"],
                                 list(EXERCISE_LABELS), EXERCISE_LABELS, groups, decimals)
        if "work_type" in d.columns:
            rows += _categorical("Physical demand at work", d["work_type"],
                                 list(WORK_TYPE_LABELS), WORK_TYPE_LABELS, groups, decimals)
    return pd.DataFrame(rows, columns=["variable", "level", "statistic",
                                       *[name for name, _ in groups]])
