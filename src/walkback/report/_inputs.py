"""Reading the pipeline's output files for the reports: tolerant of extra columns, strict on
missing required ones (one :class:`~walkback.errors.InputDataError` naming file and columns)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from walkback.errors import InputDataError, ReadError

log = logging.getLogger(__name__)


def check_columns(df: pd.DataFrame, path: Path, required: Sequence[str]) -> None:
    """Raise InputDataError naming ``path`` and every required column it lacks."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputDataError(
            f"{path}: missing required column(s) {', '.join(missing)}; "
            f"found {', '.join(map(str, df.columns)) or 'no columns'}"
        )


def to_numeric(df: pd.DataFrame, path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """Convert ``columns`` to float; a non-numeric value is an error naming column and row."""
    out = df.copy()
    for col in columns:
        if col not in out.columns:
            continue
        conv = pd.to_numeric(out[col], errors="coerce")
        bad = conv.isna() & out[col].notna() & (out[col].astype(str).str.strip() != "")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise InputDataError(
                f"{path}: column {col!r} row {row + 2} (file line) holds {out[col].iloc[row]!r}; "
                "expected a number"
            )
        out[col] = conv.astype(float)
    return out


def read_csv(path: Path, required: Sequence[str] = (), numeric: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV written by walkback; check ``required`` columns and convert ``numeric`` ones."""
    try:
        df = pd.read_csv(path, keep_default_na=True)
    except pd.errors.EmptyDataError:
        df = pd.DataFrame()
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: cannot read as CSV ({exc})") from exc
    check_columns(df, path, required)
    return to_numeric(df, path, numeric)


def read_optional_csv(folder: Path, name: str, required: Sequence[str] = (),
                      numeric: Sequence[str] = ()) -> pd.DataFrame | None:
    """``read_csv(folder/name)`` or None when the file does not exist."""
    path = folder / name
    if not path.is_file():
        log.info("%s not found; its report section will say so", path)
        return None
    return read_csv(path, required, numeric)


def read_json(path: Path) -> dict | None:
    """A JSON object from ``path``; None when absent; ReadError when not a JSON object."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"{path}: cannot read as JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise InputDataError(f"{path}: expected a JSON object at the top level, got "
                             f"{type(data).__name__}")
    return data


def read_parquet(path: Path, required: Sequence[str] = (),
                 columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read selected columns of a Parquet file, checking ``required`` ones exist."""
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError) as exc:
        raise ReadError(f"{path}: cannot read as Parquet ({exc})") from exc
    missing = [c for c in required if c not in names]
    if missing:
        raise InputDataError(
            f"{path}: missing required column(s) {', '.join(missing)}; found {', '.join(names)}"
        )
    want = [c for c in (columns or names) if c in names]
    return pq.read_table(path, columns=want).to_pandas()


def require_dir(path: Path, what: str) -> Path:
    """``path`` as a Path, or ReadError when it is not a directory."""
    path = Path(path)
    if not path.is_dir():
        raise ReadError(f"{path}: not a directory (expected {what})")
    return path
