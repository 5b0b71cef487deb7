"""Settings of the signal stage (load from TOML with :func:`walkback.settings.from_mapping`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from walkback.definitions import DEFAULT_TIMEZONE, GRID_HZ
from walkback.errors import SettingsError
from walkback.signal.nonwear import NonWearSettings
from walkback.signal.sync import SyncSettings

__all__ = ["PrepareSettings"]


@dataclass(frozen=True)
class PrepareSettings:
    """How :func:`walkback.signal.prepare` turns recordings into a :class:`Prepared` signal.

    fs_hz: output grid rate (Hz).
    timezone: IANA zone of the device clocks and of the calendar days (a command's ``--tz`` flag
        overrides it; see :mod:`walkback.study_settings`).
    max_gap_s: input gaps longer than this (s) stay gaps (NaN, invalid).
    calibrate: run the sphere-fit autocalibration (applied only when it succeeds).
    orientation: ``"auto"`` detect and correct; ``"none"`` keep device axes (already canonical).
    on_sync_error: ``"raise"`` (SyncError propagates) or ``"drop_back"`` (continue thigh-only and
        record the error in ``qc["sync"]``).
    storage: ``"float16"`` (default) or ``"float32"``: how the prepared 50 Hz signals are held
        in memory. float16 halves a participant-week (346 -> 173 MB per sensor) and rounds each
        value once to 11 significant bits (<= 0.49 mg at 1-2 g, below an AX3's 3.9 mg
        resolution); every computation still runs in float32 or float64 (:mod:`walkback._half`).
    nonwear, sync: settings of those steps.
    """

    fs_hz: float = GRID_HZ
    timezone: str = DEFAULT_TIMEZONE
    max_gap_s: float = 1.0
    calibrate: bool = True
    orientation: Literal["auto", "none"] = "auto"
    on_sync_error: Literal["raise", "drop_back"] = "raise"
    storage: Literal["float16", "float32"] = "float16"
    nonwear: NonWearSettings = field(default_factory=NonWearSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)

    def __post_init__(self) -> None:
        if not self.fs_hz > 0 or not self.max_gap_s > 0:
            raise SettingsError("fs_hz and max_gap_s must be > 0")
        if self.orientation not in ("auto", "none"):
            raise SettingsError(f"orientation must be 'auto' or 'none', got {self.orientation!r}")
        if self.on_sync_error not in ("raise", "drop_back"):
            raise SettingsError(f"on_sync_error must be 'raise' or 'drop_back', got "
                                f"{self.on_sync_error!r}")
        if self.storage not in ("float16", "float32"):
            raise SettingsError(f"storage must be 'float16' or 'float32', got {self.storage!r}")
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"timezone {self.timezone!r} is not an IANA time zone name "
                                "(e.g. 'Europe/Oslo', 'America/New_York', 'UTC')") from exc
