"""What an activity-epochs table carries about itself: window, step, time zone, model.

:func:`walkback.activity.classify` writes an :class:`EpochInfo` into the table's ``attrs`` (pandas
keeps them through copies, slices and Parquet files), and every later stage reads it with
:func:`epoch_info` instead of assuming an epoch length of its own. So a change of the activity
stage's window or overlap reaches the walking measures and the daily seconds without a second
setting that could disagree.

Convention: epoch ``i`` is the window ``[start_ns[i], start_ns[i] + window_s)``; consecutive
epochs start ``step_s`` apart (``step_s = window_s`` without overlap). Each epoch *stands for*
``step_s`` seconds of time, the central ``step_s`` of its window, so summed epoch time equals
recorded time whatever the overlap.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from walkback.errors import InputDataError

__all__ = ["EpochInfo", "epoch_info", "with_epoch_info"]

_KEYS = ("window_s", "step_s", "timezone", "model_sha256")


@dataclass(frozen=True)
class EpochInfo:
    """Metadata of an activity-epochs table.

    window_s: length of each classified window, seconds.
    step_s: seconds between consecutive epoch starts; the time each epoch stands for.
    timezone: IANA zone of the calendar days the signal was prepared for.
    model_sha256: checksum of the activity model that labelled the epochs ("" for truth tables).
    """

    window_s: float
    step_s: float
    timezone: str
    model_sha256: str = ""

    def __post_init__(self) -> None:
        if not (self.window_s > 0 and 0 < self.step_s <= self.window_s):
            raise InputDataError(f"epochs: need 0 < step_s <= window_s, got step_s={self.step_s}, "
                                 f"window_s={self.window_s}")

    @property
    def offset_s(self) -> float:
        """Start of the time an epoch stands for, relative to its window start (s)."""
        return (self.window_s - self.step_s) / 2.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def epoch_info(epochs: Any) -> EpochInfo:
    """The :class:`EpochInfo` of an epochs table (from its ``attrs``).

    Raises :class:`~walkback.errors.InputDataError` when the table does not carry it (e.g. a
    table built by hand: give it one with :func:`with_epoch_info`).
    """
    attrs = getattr(epochs, "attrs", {}) or {}
    missing = [k for k in _KEYS[:3] if k not in attrs]
    if missing:
        raise InputDataError(f"epochs table lacks {missing} in its attrs: it was not made by "
                             "walkback.activity.classify; set them with "
                             "walkback.activity.with_epoch_info(epochs, EpochInfo(...))")
    return EpochInfo(window_s=float(attrs["window_s"]), step_s=float(attrs["step_s"]),
                     timezone=str(attrs["timezone"]),
                     model_sha256=str(attrs.get("model_sha256", "")))


def with_epoch_info(epochs: Any, info: EpochInfo) -> Any:
    """``epochs`` with ``info`` written into its ``attrs`` (in place; returned for chaining)."""
    epochs.attrs.update(info.to_dict())
    return epochs
