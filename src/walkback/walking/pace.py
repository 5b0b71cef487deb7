"""Walking pace and MET per epoch.

Pace classes are ``slow``, ``moderate``, ``brisk``. From cadence (steps/min) with two cut points
(:attr:`WalkingSettings.pace_thresholds_spm`): slow below the first, brisk at or above the second.

MET per walking epoch, two methods:

* ``"pace"`` (the study's): fixed MET per pace, :data:`walkback.definitions.MET_BY_PACE`
  (slow 2.8, moderate 3.8, brisk 4.8 MET; Haddadj et al. 2025, authors' code).
* ``"cadence"``: continuous, piecewise-linear through the CADENCE-Adults heuristic points
  (Tudor-Locke et al., Int J Behav Nutr Phys Act 2019;16:8 and 2020;17:137: 100 steps/min ~ 3 MET,
  110 ~ 4, 120 ~ 5, 130 ~ 6 MET in adults 21-60 y) extended down to 60 steps/min ~ 2.0 MET
  (Compendium of Physical Activities 2011, code 17150, walking < 2.0 mph) and held constant outside
  60-130 steps/min. These are population heuristics, not individual energy expenditure.
"""

from __future__ import annotations

import numpy as np

from walkback.definitions import MET_BY_PACE, PACES
from walkback.walking.settings import WalkingSettings

#: (cadence spm, MET) anchor points of the continuous cadence-MET curve.
CADENCE_MET_POINTS: tuple[tuple[float, float], ...] = (
    (60.0, 2.0),
    (100.0, 3.0),
    (110.0, 4.0),
    (120.0, 5.0),
    (130.0, 6.0),
)


def pace_from_cadence(cadence_spm: np.ndarray, thresholds_spm: tuple[float, float]) -> np.ndarray:
    """Pace class (object array of str) of each cadence; ``""`` where cadence is NaN."""
    c = np.asarray(cadence_spm, dtype=float)
    t1, t2 = thresholds_spm
    out = np.full(c.shape, "", dtype=object)
    ok = np.isfinite(c)
    out[ok & (c < t1)] = "slow"
    out[ok & (c >= t1) & (c < t2)] = "moderate"
    out[ok & (c >= t2)] = "brisk"
    return out


def met_from_cadence(cadence_spm: np.ndarray) -> np.ndarray:
    """Continuous walking MET from cadence (see module docstring); NaN where cadence is NaN."""
    c = np.asarray(cadence_spm, dtype=float)
    xs, ys = zip(*CADENCE_MET_POINTS, strict=True)
    return np.where(np.isfinite(c), np.interp(c, xs, ys), np.nan)


def met_from_pace(pace: np.ndarray, met_by_pace: tuple[float, float, float] = MET_BY_PACE
                  ) -> np.ndarray:
    """MET of each pace label (slow/moderate/brisk; default the study's weights,
    :data:`walkback.definitions.MET_BY_PACE`), NaN for other labels."""
    pace = np.asarray(pace, dtype=object)
    out = np.full(pace.shape, np.nan)
    for name, met in zip(PACES, met_by_pace, strict=True):
        out[pace == name] = met
    return out


def choose_pace(
    cadence_spm: np.ndarray, model_pace: np.ndarray, walking: np.ndarray, settings: WalkingSettings
) -> np.ndarray:
    """Final pace of each epoch: ``""`` unless ``walking``.

    With ``pace_method="cadence"``, epochs without a cadence (aperiodic walking) fall back to the
    model's pace, and to ``"slow"`` when the model gave none. With ``"model"``, epochs without a
    model pace fall back to the cadence pace, then ``"slow"``.
    """
    walking = np.asarray(walking, dtype=bool)
    by_cad = pace_from_cadence(cadence_spm, settings.pace_thresholds_spm)
    by_model = np.asarray(model_pace, dtype=object).copy()
    by_model[~np.isin(by_model, PACES)] = ""
    first, second = (by_cad, by_model) if settings.pace_method == "cadence" else (by_model, by_cad)
    out = np.where(first != "", first, np.where(second != "", second, "slow")).astype(object)
    out[~walking] = ""
    return out


def epoch_met(
    pace: np.ndarray, cadence_spm: np.ndarray, study_class: np.ndarray, settings: WalkingSettings
) -> np.ndarray:
    """MET of each epoch: walking by ``settings.met_method``, running ``running_met``, else NaN.

    With ``met_method="cadence"``, walking epochs without a cadence take their pace's fixed MET.
    """
    study_class = np.asarray(study_class, dtype=object)
    walking = study_class == "walking"
    fixed = met_from_pace(pace)
    met = np.full(study_class.shape, np.nan)
    if settings.met_method == "cadence":
        cont = met_from_cadence(cadence_spm)
        met[walking] = np.where(np.isfinite(cont), cont, fixed)[walking]
    else:
        met[walking] = fixed[walking]
    met[study_class == "running"] = settings.running_met
    return met
