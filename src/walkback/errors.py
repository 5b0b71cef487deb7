"""All walkback exceptions and warnings, in one tree.

The batch runner catches :class:`WalkbackError` per participant and records it; anything else is a
programming error and propagates. Messages name the file, the row or block, and what was expected.
"""

from __future__ import annotations


class WalkbackError(Exception):
    """Root of every error walkback raises on purpose."""


class ReadError(WalkbackError):
    """A device or table file could not be read."""


class UnsupportedFormatError(ReadError):
    """The file's content matches no format walkback reads."""


class CorruptFileError(ReadError):
    """The file's content is damaged beyond what the reader can skip."""


class OutputPathError(WalkbackError):
    """An output path cannot be created or written (a missing folder that cannot be made, a file
    where a folder is needed, no permission, a read-only or full file system)."""


class SettingsError(WalkbackError, ValueError):
    """A setting or configuration file is invalid (unknown key, wrong type, out of range)."""


class InputDataError(WalkbackError, ValueError):
    """A data table is invalid: missing column, non-numeric value, duplicate rows, ..."""


class DataQualityError(WalkbackError):
    """The data are readable but cannot support the requested computation."""


class InsufficientWearError(DataQualityError):
    """Too little wear time to produce any result."""


class SyncError(DataQualityError):
    """Two sensors could not be synchronised (no overlap, no correlation)."""


class ModelError(WalkbackError):
    """A statistical model could not be estimated (no cases, no convergence, ...)."""


class NotFittedError(WalkbackError, AttributeError):
    """An estimator was used before ``fit``."""


class ModelArtifactError(WalkbackError):
    """A shipped or user model file is missing, malformed, or fails its checksum."""


class WalkbackWarning(UserWarning):
    """Root of walkback's warnings."""


class QualityWarning(WalkbackWarning):
    """Data quality is reduced but the computation went ahead."""


class ConvergenceWarning(WalkbackWarning):
    """An iterative fit stopped before reaching its tolerance."""
