"""Signal preparation: raw ``Recording``s to calibrated, synchronised, canonical 50 Hz signals.

Entry point: :func:`prepare` (thigh + optional back ``Recording`` -> :class:`Prepared`), configured by
:class:`PrepareSettings` (also exported as ``SignalSettings``). Building blocks:
:func:`resample_uniform` (uniform grid, anti-aliasing, masked gaps), :func:`canonicalise`
(orientation), :func:`fit_calibration` (sphere fit), :func:`detect_nonwear`, :func:`estimate_sync`
(two-sensor clocks) and :func:`calendar_days`. Axes and time conventions:
:mod:`walkback.signal.types`; method details: ``docs/signal.md``.
"""

from walkback.signal.calibrate import CalibrationResult, apply_calibration, fit_calibration
from walkback.signal.days import calendar_days
from walkback.signal.nonwear import NonWearResult, NonWearSettings, detect_nonwear
from walkback.signal.orientation import OrientationReport, canonicalise
from walkback.signal.pipeline import prepare
from walkback.signal.resample import ResampledSignal, resample_uniform
from walkback.signal.settings import PrepareSettings
from walkback.signal.sync import SyncResult, SyncSettings, estimate_sync
from walkback.signal.types import DAYS_COLUMNS, Prepared

SignalSettings = PrepareSettings  # the name other stages look up

__all__ = [
    "DAYS_COLUMNS",
    "CalibrationResult",
    "NonWearResult",
    "NonWearSettings",
    "OrientationReport",
    "Prepared",
    "PrepareSettings",
    "ResampledSignal",
    "SignalSettings",
    "SyncResult",
    "SyncSettings",
    "apply_calibration",
    "calendar_days",
    "canonicalise",
    "detect_nonwear",
    "estimate_sync",
    "fit_calibration",
    "prepare",
    "resample_uniform",
]
