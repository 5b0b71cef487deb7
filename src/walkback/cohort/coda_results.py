"""``run_coda``: the whole compositional analysis -> :class:`CodaResults` (written by ``to_dir``).

Called by :func:`walkback.cohort.analyze` when the day table holds ``sleep_s`` and
``coda.enabled``; the methods are in :mod:`walkback.cohort.coda` (sample, composition, zeros,
coordinates) and :mod:`walkback.cohort.coda_models` (models, substitutions, secondary runs). The
files are listed in ``docs/cohort-outputs.md``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.cohort.coda import PARTS, build_coda_sample, compositional_mean, pivot_coordinates
from walkback.cohort.coda_models import (
    ADJUSTMENTS,
    ILR,
    CodaRun,
    coda_runs,
    describe,
    evalue_rows,
    fit_run,
    isotemporal,
    part_rows,
)
from walkback.errors import ModelError

__all__ = ["CODA_OUTPUT_FILES", "CodaResults", "run_coda", "skipped"]

log = logging.getLogger(__name__)

#: files ``to_dir`` writes when the compositional analysis ran
CODA_OUTPUT_FILES = (
    "coda_flow.csv",
    "coda_mean.csv",
    "coda_models.csv",
    "coda_isotemporal.csv",
    "coda_evalues.csv",
    "coda_sensitivity.csv",
    "coda_sensitivity_models.csv",
    "coda_data.csv",
    "coda_models.json",
    "coda_isotemporal.png",
)
MODEL_COLUMNS = ["adjustment", "part", "rr", "ci_low", "ci_high", "n", "cases"]
ISO_COLUMNS = ["adjustment", "from_part", "to_part", "minutes", "rr", "ci_low", "ci_high"]
ZERO_METHOD = ("multiplicative replacement (Martin-Fernandez, Barcelo-Vidal & Pawlowsky-Glahn "
               "2003), delta = delta_factor x detection limit; the authors' lrEM (zCompositions) "
               "is not implemented")


@dataclass(frozen=True)
class CodaResults:
    """The compositional analysis (tables are pandas DataFrames; treat them as read-only).

    ``flow`` (step, remaining); ``mean`` (part, minutes): the compositional mean;
    ``models`` (adjustment, part, rr, ci_low, ci_high, n, cases); ``isotemporal`` (adjustment,
    from_part, to_part, minutes, rr, ci_low, ci_high); ``evalues``; ``sensitivity`` and
    ``sensitivity_models``: the same for every stratified / sensitivity run (long tables with
    ``analysis, description``); ``data``: the sample; ``fits``: ``coda_models.json`` entries;
    ``info``: the ``coda`` entry of ``provenance.json``.
    """

    flow: pd.DataFrame
    mean: pd.DataFrame
    models: pd.DataFrame
    isotemporal: pd.DataFrame
    evalues: pd.DataFrame
    sensitivity: pd.DataFrame
    sensitivity_models: pd.DataFrame
    data: pd.DataFrame
    fits: tuple[dict, ...] = ()
    info: dict = field(default_factory=dict)

    def substitution(self, from_part: str, to_part: str, adjustment: str = "multi"
                     ) -> pd.DataFrame:
        """Rows (minutes, rr, ci_low, ci_high) of one ordered pair."""
        t = self.isotemporal
        sel = t[(t.adjustment == adjustment) & (t.from_part == from_part)
                & (t.to_part == to_part)]
        return sel[["minutes", "rr", "ci_low", "ci_high"]].reset_index(drop=True)

    def summary_lines(self, minutes: float = 30.0) -> list[str]:
        """Text lines: sample, compositional mean, and multi-adjusted moves of ``minutes``."""
        info = self.info
        mean = ", ".join(f"{r.part} {r.minutes:.0f}" for r in self.mean.itertuples())
        zeros = info.get("participants_with_zero", {}).get("running_cycling", 0)
        lines = [f"compositional analysis (24-h time use, 5 parts): {info.get('n_included', 0)} "
                 f"participants, {info.get('cases', 0)} cases; {zeros} zero running_cycling "
                 f"replaced multiplicatively",
                 f"compositional mean (min/day): {mean}",
                 f"isotemporal substitution, multi-adjusted RR (95% CI) of moving {minutes:g} "
                 "min/day:"]
        t = self.isotemporal
        sel = t[(t.adjustment == "multi") & np.isclose(t.minutes, minutes)]
        for to in ("walking", "standing", "sleep", "running_cycling"):
            r = sel[(sel.from_part == "sedentary") & (sel.to_part == to)]
            if len(r):
                r = r.iloc[0]
                lines.append(f"  sedentary -> {to:<16} {r.rr:.3f} ({r.ci_low:.3f}-"
                             f"{r.ci_high:.3f})")
        return lines

    def write(self, folder: Path) -> None:
        """Write the files of :data:`CODA_OUTPUT_FILES` into ``folder`` (inside ``to_dir``)."""
        from walkback.cohort.figures import isotemporal_curves
        from walkback.cohort.results import _dump

        self.flow.to_csv(folder / "coda_flow.csv", index=False)
        self.mean.to_csv(folder / "coda_mean.csv", index=False)
        self.models[MODEL_COLUMNS].to_csv(folder / "coda_models.csv", index=False)
        self.isotemporal[ISO_COLUMNS].to_csv(folder / "coda_isotemporal.csv", index=False)
        self.evalues.to_csv(folder / "coda_evalues.csv", index=False)
        self.sensitivity.to_csv(folder / "coda_sensitivity.csv", index=False)
        self.sensitivity_models.to_csv(folder / "coda_sensitivity_models.csv", index=False)
        self.data.to_csv(folder / "coda_data.csv", index=False)
        _dump({"outcome_default": "lbp_t1", "models": list(self.fits)},
              folder / "coda_models.json")
        isotemporal_curves(self.isotemporal, folder / "coda_isotemporal.png")


class CodaSampleError(ModelError):
    """Too few participants with a counted day for the compositional analysis."""


def skipped(reason: str) -> dict:
    """The provenance entry of an analysis that did not run."""
    return {"status": "skipped", "reason": reason}


def _secondary(cs, data, settings, ref_mean, minutes):
    iso_rows, model_rows, fits = [], [], []
    for run in coda_runs(settings):
        for adj in settings.coda.secondary_adjustments:
            keys = {"analysis": run.id, "description": run.description, "adjustment": adj}
            try:
                rf = fit_run(data, run, adj, settings)
            except ModelError as exc:
                log.warning("%s", exc)
                model_rows.append({**keys, "part": "", "n": np.nan, "cases": np.nan,
                                   "note": str(exc)})
                iso_rows.append(pd.DataFrame([{**keys, "note": str(exc)}]))
                continue
            fits += [describe(rf, k, run.filter) for k in range(len(PARTS))]
            model_rows += [{**keys, **r, "note": ""} for r in part_rows(rf)]
            mean = ref_mean
            if cs.reference == "run_sample":
                mean = compositional_mean(data.loc[rf.rows, [f"{p}_zr" for p in PARTS]])
            iso = isotemporal(rf.fits[0], mean, minutes)
            iso.insert(0, "cases", rf.fits[0].cases)
            iso.insert(0, "n", rf.fits[0].n)
            for k, v in reversed(keys.items()):
                iso.insert(0, k, v)
            iso["note"] = ""
            iso_rows.append(iso)
    sens_cols = ["analysis", "description", "adjustment", "n", "cases", "from_part", "to_part",
                 "minutes", "rr", "ci_low", "ci_high", "note"]
    model_cols = ["analysis", "description", "adjustment", "part", "rr", "ci_low", "ci_high",
                  "n", "cases", "note"]
    sens = pd.concat(iso_rows, ignore_index=True).reindex(columns=sens_cols)
    return sens, pd.DataFrame(model_rows).reindex(columns=model_cols), fits


def run_coda(days: pd.DataFrame, everyone: pd.DataFrame, settings) -> CodaResults:
    """The compositional analysis on the day table and ``AnalysisSample.everyone``.

    Raises :class:`CodaSampleError` when fewer than 20 participants have a counted day (e.g. a
    day table whose ``sleep_s`` is all zero: daytime-only recordings), :class:`ModelError` when a
    main model (age- or multi-adjusted, any rotation) cannot be estimated; secondary runs that
    fail carry the reason in ``note``.
    """
    t0 = time.perf_counter()
    cs = settings.coda
    sample = build_coda_sample(days, everyone, settings)
    data = sample.data
    if len(data) < 20:
        raise CodaSampleError(f"compositional analysis: only {len(data)} participants have a "
                              "counted day and pass the exclusions (need 20)")
    xr = data[[f"{p}_zr" for p in PARTS]].to_numpy(dtype=float)
    mean = compositional_mean(xr)
    minutes = cs.minutes()
    main = CodaRun("main", "analytic sample")
    models, isos, fits = [], [], []
    for adj in ADJUSTMENTS:
        rf = fit_run(data, main, adj, settings)
        models += part_rows(rf)
        iso = isotemporal(rf.fits[0], mean, minutes)
        iso.insert(0, "adjustment", adj)
        isos.append(iso)
        fits += [describe(rf, k, "") for k in range(len(PARTS))]
    iso = pd.concat(isos, ignore_index=True)
    sens, sens_models, sfits = _secondary(cs, data, settings, mean, minutes)
    ev = evalue_rows(iso[iso.adjustment == "multi"])
    out = data.copy()
    z = pivot_coordinates(xr)
    for j, name in enumerate(ILR):
        out[name] = z[:, j]
    info = {
        "status": "run",
        "parts": list(PARTS),
        "n_included": int(len(data)),
        "cases": int(data["lbp_t1"].sum()),
        "zero_replacement": cs.zero_replacement,
        "zero_replacement_method": ZERO_METHOD,
        "detection_limit_min_per_day": cs.detection_limit_min,
        "delta_min_per_day": sample.delta_min,
        "participants_with_zero": sample.zeros,
        "covariance": "robust sandwich HC0" + (" x n/(n-1)" if cs.small_sample else ""),
        "compositional_mean_min_per_day": dict(zip(PARTS, mean.tolist(), strict=True)),
        "minutes": list(minutes),
        "n_models": len(fits) + len(sfits),
        "seconds": round(time.perf_counter() - t0, 3),
        "references": [
            "Martin-Fernandez JA, Barcelo-Vidal C, Pawlowsky-Glahn V. Math Geol 2003;35:253-278",
            "Egozcue JJ et al. Isometric logratio transformations. Math Geol 2003;35:279-300",
            "Dumuid D et al. Compositional data analysis for physical activity, sedentary time "
            "and sleep research. Stat Methods Med Res 2018;27:3726-3738",
            "authors' R code: github.com/rayanehaddadj/coda-chronic-lbp-hunt",
        ],
    }
    log.info("compositional analysis: %d participants, %d models, %.1f s", len(data),
             info["n_models"], info["seconds"])
    return CodaResults(
        flow=sample.flow,
        mean=pd.DataFrame({"part": list(PARTS), "minutes": mean}),
        models=pd.DataFrame(models)[MODEL_COLUMNS],
        isotemporal=iso[ISO_COLUMNS],
        evalues=ev,
        sensitivity=sens,
        sensitivity_models=sens_models,
        data=out,
        fits=tuple(fits + sfits),
        info=info,
    )
