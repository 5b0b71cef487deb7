"""Signal preparation: raw ``Recording``s to calibrated, synchronised, canonical 50 Hz signals.

Entry point: :func:`prepare` (thigh + optional back ``Recording`` -> :class:`Prepared`), configured by
:class:`PrepareSettings` (also exported as ``SignalSettings``). Building blocks:
:func:`resample_uniform` (uniform grid, anti-aliasing, masked gaps), :func:`canonicalise`
(orientation), :func:`fit_calibration` (sphere fit), :func:`detect_nonwear`, :func:`estimate_sync`
(two-sensor clocks) and :func:`calendar_days`. Axes and time conventions:
:mod:`walkback.signal.types`; method details: ``docs/signal.md``.
"""

from walkback._lazy import lazy_exports

# Exports load on first use (PEP 562): stages that only need the Prepared type (activity, walking)
# then do not import the resampler and numba (~125 MB) through this package.
_EXPORTS = {
    "CalibrationResult": "calibrate", "apply_calibration": "calibrate",
    "fit_calibration": "calibrate", "calendar_days": "days", "NonWearResult": "nonwear",
    "NonWearSettings": "nonwear", "detect_nonwear": "nonwear", "OrientationReport": "orientation",
    "canonicalise": "orientation", "prepare": "pipeline", "ResampledSignal": "resample",
    "resample_uniform": "resample", "PrepareSettings": "settings", "SignalSettings": "settings:PrepareSettings",
    "SyncResult": "sync", "SyncSettings": "sync", "estimate_sync": "sync",
    "DAYS_COLUMNS": "types", "Prepared": "types",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)


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
