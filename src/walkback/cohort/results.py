"""``CohortResults``: the frozen result of :func:`walkback.cohort.analyze`, and its output folder.

``to_dir(path)`` writes the fixed set of files documented in ``docs/cohort-outputs.md`` into a
temporary directory and renames it onto ``path`` only when everything succeeded
(:func:`walkback._atomic.atomic_dir`), so a failed run never leaves a partial folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from walkback._atomic import atomic_dir

if TYPE_CHECKING:
    from walkback.cohort.coda_results import CodaResults

#: every file ``to_dir`` writes, in order (plus ``coda_results.CODA_OUTPUT_FILES`` when the
#: compositional analysis ran)
OUTPUT_FILES = (
    "flow.csv",
    "table1.csv",
    "quartile_models.csv",
    "spline_volume.csv",
    "spline_intensity.csv",
    "splines.json",
    "joint_models.csv",
    "stratified_models.csv",
    "interaction_tests.csv",
    "sensitivity.csv",
    "evalues.csv",
    "dose_response_volume.png",
    "dose_response_intensity.png",
    "joint_heatmap.png",
    "analysis_data.csv",
    "models.json",
    "provenance.json",
    "spline_curves.csv",
    "estimates.csv",
    "cutpoints.csv",
)

QUARTILE_COLUMNS = ["exposure", "adjustment", "category", "lower", "upper", "n", "cases", "rr",
                    "ci_low", "ci_high"]
JOINT_COLUMNS = ["volume_q", "intensity_q", "n", "cases", "rr", "ci_low", "ci_high"]


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")


def _clean_json(o):
    """NaN/inf -> None so the JSON is standard."""
    if isinstance(o, dict | MappingProxyType):
        return {k: _clean_json(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean_json(v) for v in o]
    if isinstance(o, float | np.floating) and not np.isfinite(o):
        return None
    return o


def _dump(obj, path: Path) -> None:
    path.write_text(json.dumps(_clean_json(obj), indent=2, default=_json_default) + "\n",
                    encoding="utf-8")


@dataclass(frozen=True)
class CohortResults:
    """All estimates of one analysis (tables are pandas DataFrames; treat them as read-only).

    ``quartile_models``: exposure, adjustment, category, lower, upper, n, cases, rr, ci_low, ci_high.
    ``spline_curves``: exposure, adjustment, x, rr, ci_low, ci_high (age, multi, mutual curves).
    ``splines``: per exposure, knots, reference and grid. ``joint_models``: multi-adjusted 16 cells.
    ``models``: one ``models.json`` entry per fitted model. ``coda``: the compositional analysis
    (:class:`~walkback.cohort.coda_results.CodaResults`), None when it did not run
    (``provenance["coda"]`` says why). See ``docs/cohort-outputs.md``.
    """

    flow: pd.DataFrame
    table1: pd.DataFrame
    quartile_models: pd.DataFrame
    spline_curves: pd.DataFrame
    splines: dict
    joint_models: pd.DataFrame
    stratified_models: pd.DataFrame
    interaction_tests: pd.DataFrame
    sensitivity: pd.DataFrame
    evalues: pd.DataFrame
    analysis_data: pd.DataFrame
    cutpoints: pd.DataFrame
    estimates: pd.DataFrame
    models: tuple[dict, ...]
    provenance: dict
    coda: CodaResults | None = None

    def spline(self, exposure: str, adjustment: str = "multi") -> pd.DataFrame:
        """The dose-response curve (x, rr, ci_low, ci_high) of one exposure and adjustment."""
        c = self.spline_curves
        sel = c[(c["exposure"] == exposure) & (c["adjustment"] == adjustment)]
        return sel[["x", "rr", "ci_low", "ci_high"]].reset_index(drop=True)

    def main_table(self) -> str:
        """The study's Table 2: quartile RRs (age- and multi-adjusted) as aligned text."""
        q = self.quartile_models
        lines = [f"{'exposure':<10}{'Q':>2} {'range':>17}{'n':>7}{'cases':>7}"
                 f"{'age-adjusted RR':>24}{'multi-adjusted RR':>24}"]
        for exp in ("volume", "intensity"):
            unit = "min/d" if exp == "volume" else "MET"
            for cat in sorted(q.loc[q.exposure == exp, "category"].unique()):
                rows = q[(q.exposure == exp) & (q.category == cat)].set_index("adjustment")
                r = rows.iloc[0]
                rng = f"{r.lower:.4g}-{r.upper:.4g} {unit}"

                def fmt(adj, rows=rows):
                    a = rows.loc[adj]
                    if a.rr == 1 and a.ci_low == 1:
                        return "1 (reference)"
                    return f"{a.rr:.2f} ({a.ci_low:.2f}-{a.ci_high:.2f})"

                lines.append(f"{exp:<10}{cat:>2} {rng:>17}{int(r.n):>7}{int(r.cases):>7}"
                             f"{fmt('age'):>24}{fmt('multi'):>24}")
        return "\n".join(lines)

    def summary(self) -> str:
        """Text summary: sample, the main quartile table, knots and interaction tests."""
        p = self.provenance
        lines = [
            "walkback cohort analysis: Poisson regression, robust variance, risk ratios of "
            "chronic low back pain",
            f"included participants: {p['n_included']}, cases: {p['cases']} "
            f"({100 * p['cases'] / max(p['n_included'], 1):.1f} %), models fitted: "
            f"{p['n_models']}",
            "",
            self.main_table(),
            "",
        ]
        for exp, s in self.splines.items():
            lines.append(f"spline {exp}: knots {', '.join(f'{k:.4g}' for k in s['knots'])}; "
                         f"reference {s['reference']:.4g}")
        for r in self.interaction_tests.itertuples():
            lines.append(f"interaction {r.exposure} x {r.modifier}: LR chi2 {r.lr_chi2:.2f}, "
                         f"df {r.df}, p {r.p_value:.3f}")
        stopped = [w["model"] for w in p.get("warnings", ())
                   if w["category"] == "ConvergenceWarning"]
        if stopped:
            lines.append(f"WARNING: {len(stopped)} model(s) stopped at max_iter before converging "
                         f"(estimates kept, see provenance.json): {', '.join(stopped)}")
        if self.coda is not None:
            lines += ["", *self.coda.summary_lines()]
        else:
            reason = (p.get("coda") or {}).get("reason")
            if reason:
                lines += ["", f"compositional analysis not run: {reason}"]
        return "\n".join(lines)

    def to_dir(self, path: str | Path) -> Path:
        """Write every output file into ``path`` atomically; returns ``path``."""
        from walkback.cohort.figures import dose_response, joint_heatmap

        path = Path(path)
        with atomic_dir(path) as tmp:
            self.flow.to_csv(tmp / "flow.csv", index=False)
            self.table1.to_csv(tmp / "table1.csv", index=False)
            self.quartile_models[QUARTILE_COLUMNS].to_csv(tmp / "quartile_models.csv", index=False)
            for exp in self.splines:  # volume, intensity (+ trunk when it is an exposure)
                self.spline(exp).to_csv(tmp / f"spline_{exp}.csv", index=False)
            _dump(self.splines, tmp / "splines.json")
            self.joint_models[JOINT_COLUMNS].to_csv(tmp / "joint_models.csv", index=False)
            self.stratified_models.to_csv(tmp / "stratified_models.csv", index=False)
            self.interaction_tests.to_csv(tmp / "interaction_tests.csv", index=False)
            self.sensitivity.to_csv(tmp / "sensitivity.csv", index=False)
            self.evalues.to_csv(tmp / "evalues.csv", index=False)
            for exp, s in self.splines.items():
                dose_response(self.spline(exp), s["knots"], s["reference"],
                              self.analysis_data[s["column"]].to_numpy(), exp,
                              tmp / f"dose_response_{exp}.png")
            joint_heatmap(self.joint_models, tmp / "joint_heatmap.png")
            self.analysis_data.to_csv(tmp / "analysis_data.csv", index=False)
            _dump({"outcome_default": "lbp_t1", "models": list(self.models)},
                  tmp / "models.json")
            _dump(self.provenance, tmp / "provenance.json")
            self.spline_curves.to_csv(tmp / "spline_curves.csv", index=False)
            self.estimates.to_csv(tmp / "estimates.csv", index=False)
            self.cutpoints.to_csv(tmp / "cutpoints.csv", index=False)
            if self.coda is not None:
                self.coda.write(tmp)
        return path
