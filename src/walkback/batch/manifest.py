"""The batch manifest: which files belong to which participant.

A manifest is a CSV or Parquet table with one row per participant:

============== ======== =====================================================================
column         required meaning
============== ======== =====================================================================
participant_id yes      identifier, read as text; becomes the folder ``participants/<id>/``
thigh_path     yes      the thigh sensor's file
back_path      no       the lower-back sensor's file (empty = thigh-only)
timezone       no       IANA zone of the devices' clocks (empty = the run's default)
============== ======== =====================================================================

Relative paths are resolved against the manifest's own folder, so a manifest can travel with its
data. Extra columns are kept but ignored. A file that does not exist is *not* a manifest error: it
is recorded as that participant's failure when the batch runs, and the others go ahead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from walkback._atomic import atomic_path
from walkback.errors import InputDataError

__all__ = ["MANIFEST_COLUMNS", "Entry", "read_manifest", "write_manifest", "validate_manifest"]

log = logging.getLogger(__name__)

#: Manifest columns in order; the first two are required.
MANIFEST_COLUMNS: tuple[str, ...] = ("participant_id", "thigh_path", "back_path", "timezone")
_REQUIRED = ("participant_id", "thigh_path")
_BAD_ID = re.compile(r"[/\\\x00-\x1f:*?\"<>|]")


@dataclass(frozen=True)
class Entry:
    """One participant of a batch: absolute input paths and the time zone ("" = run default)."""

    participant_id: str
    thigh_path: str
    back_path: str = ""
    timezone: str = ""


def read_manifest(path: str | Path) -> list[Entry]:
    """Read and validate a manifest (``.csv`` or ``.parquet``); see the module docstring.

    Raises :class:`~walkback.errors.InputDataError` naming the file, the row and the column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputDataError(f"{path}: manifest not found")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            df = pd.read_parquet(path)
            first_row = 0  # Parquet rows are counted from 0
        else:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            first_row = 2  # CSV line number of the first data row (line 1 is the header)
    except (OSError, ValueError) as exc:
        raise InputDataError(f"{path}: not a readable CSV/Parquet manifest ({exc})") from exc
    return validate_manifest(df, where=str(path), base_dir=path.parent, first_row=first_row)


def validate_manifest(
    df: pd.DataFrame, *, where: str = "manifest", base_dir: Path | None = None, first_row: int = 0
) -> list[Entry]:
    """Check a manifest table and return its entries in table order.

    ``first_row`` is the number used for the first data row in messages (CSV: line 2).
    """
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise InputDataError(
            f"{where}: missing column(s) {missing}; a manifest needs {list(_REQUIRED)} and may "
            f"have {list(MANIFEST_COLUMNS[2:])}; found {list(df.columns)}"
        )
    for col in MANIFEST_COLUMNS:
        if col not in df.columns:
            df[col] = ""
        df[col] = df[col].map(_text)
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(df[list(MANIFEST_COLUMNS)].itertuples(index=False)):
        rowno = first_row + i
        pid, thigh, back, tz = row
        _check_id(pid, where, rowno)
        if pid in seen:
            raise InputDataError(
                f"{where}: row {rowno}: duplicate participant_id {pid!r} (first at row {seen[pid]})"
            )
        seen[pid] = rowno
        if not thigh:
            raise InputDataError(f"{where}: row {rowno}: column thigh_path is empty for {pid!r}")
        if tz:
            _check_zone(tz, where, rowno)
        entries.append(Entry(pid, _resolve(thigh, base_dir), _resolve(back, base_dir), tz))
    if not entries:
        raise InputDataError(f"{where}: the manifest has no rows")
    return entries


def write_manifest(entries: list[Entry], path: str | Path) -> Path:
    """Write ``entries`` as CSV or Parquet (by suffix), atomically; returns the path."""
    path = Path(path)
    df = pd.DataFrame(
        [(e.participant_id, e.thigh_path, e.back_path, e.timezone) for e in entries],
        columns=list(MANIFEST_COLUMNS),
    )
    if not df["timezone"].astype(bool).any():
        df = df.drop(columns="timezone")
    with atomic_path(path) as tmp:
        if path.suffix.lower() in (".parquet", ".pq"):
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False)
    return path


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _check_id(pid: str, where: str, rowno: int) -> None:
    if not pid:
        raise InputDataError(f"{where}: row {rowno}: column participant_id is empty")
    if _BAD_ID.search(pid) or pid.startswith(".") or pid != pid.strip():
        raise InputDataError(
            f"{where}: row {rowno}: participant_id {pid!r} cannot name a folder; expected no "
            "path separators, control characters, ':*?\"<>|' or leading dot"
        )


def _check_zone(tz: str, where: str, rowno: int) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputDataError(
            f"{where}: row {rowno}: column timezone {tz!r} is not an IANA zone such as "
            "'Europe/Oslo'"
        ) from exc


def _resolve(p: str, base_dir: Path | None) -> str:
    if not p:
        return ""
    path = Path(p).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return str(path.absolute())
