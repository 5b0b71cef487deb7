"""Signal preparation: raw ``Recording``s to calibrated, synchronised, canonical 50 Hz signals.

Public entry points: :func:`resample_uniform` (uniform grid with anti-aliasing and masked gaps),
:func:`canonicalise` (orientation detection and correction) and the :class:`Prepared` type. Axes and time conventions are documented in
:mod:`walkback.signal.types`.
"""

from walkback.signal.orientation import OrientationReport, canonicalise
from walkback.signal.resample import ResampledSignal, resample_uniform
from walkback.signal.types import DAYS_COLUMNS, Prepared

__all__ = [
    "DAYS_COLUMNS",
    "OrientationReport",
    "Prepared",
    "ResampledSignal",
    "canonicalise",
    "resample_uniform",
]
