"""Reading and validating the cohort's two input tables (day table, participant table).

``read_table`` reads CSV, Parquet or Stata ``.dta`` (chosen by content, then by extension);
``load_inputs`` maps the file's column names to the canonical ones (:mod:`.schema`) with the
cohort config, reshapes the wide HUNT layout to the long one, and validates everything. Any
problem raises ONE :class:`~walkback.errors.InputDataError` naming the file, the column and the
rows: CSV rows are given as *file line numbers* (the header is line 1), Parquet/Stata rows as
1-based row numbers, with the count of bad rows.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from walkback.cohort import schema
from walkback.cohort.config import CohortSettings
from walkback.definitions import WEAR_PARTS
from walkback.errors import CorruptFileError, InputDataError, ReadError, UnsupportedFormatError

__all__ = ["CohortInputs", "FileRows", "load_inputs", "read_table", "sha256_file"]

log = logging.getLogger(__name__)

_CSV_NA = ["", ".", "NA", "NaN", "nan", "N/A", "NULL", "null"]


@dataclass(frozen=True)
class CohortInputs:
    """The validated inputs in canonical form.

    ``days``: long day table (``participant_id`` str, ``day`` int64, the nine activity columns in
    seconds as float64, optionally ``day_length_s``); ``participants``: one row per participant
    with every column of :data:`.schema.PARTICIPANT_COLUMNS` (absent optional columns are NaN;
    dates datetime64); ``checksums``: sha256 of each input file, keyed by path string.
    """

    days: pd.DataFrame
    participants: pd.DataFrame
    checksums: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileRows:
    """How to name the rows of one file in messages."""

    path: Path
    csv: bool

    def rows(self, positions: Iterable[int], limit: int = 5) -> str:
        """'lines 2, 7 (2 rows)' for CSV (header = line 1), 'rows 1, 6 (2 rows)' otherwise."""
        pos = np.asarray(list(positions), dtype=np.int64)
        nums = pos + (2 if self.csv else 1)
        shown = ", ".join(str(n) for n in nums[:limit])
        more = ", ..." if nums.size > limit else ""
        word = "line" if self.csv else "row"
        plural = "s" if nums.size != 1 else ""
        return f"{word}{plural} {shown}{more} ({nums.size} row{plural})"


def sha256_file(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sniff(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"<stata_dta>") or (head[:1] and head[0] in range(102, 120) and
                                            head[1:2] in (b"\x01", b"\x02")):
        return "dta"
    ext = path.suffix.lower()
    if ext in (".parquet", ".pq"):
        return "parquet"
    if ext == ".dta":
        return "dta"
    if ext in (".csv", ".txt", ".tsv", ""):
        return "csv"
    if b"\x00" in head:
        raise UnsupportedFormatError(
            f"{path}: not CSV, Parquet or Stata .dta (binary content, extension {ext!r})"
        )
    return "csv"


def read_table(path: str | Path, id_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV, Parquet or Stata ``.dta`` table (format by content, then extension).

    ``id_columns`` are read as text (CSV) so that identifiers such as ``0012`` keep their zeros.
    CSV missing markers: empty, ``.``, ``NA``, ``NaN``, ``NULL``. Raises
    :class:`~walkback.errors.ReadError` subclasses naming the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: file not found")
    kind = _sniff(path)
    try:
        if kind == "parquet":
            return pd.read_parquet(path)
        if kind == "dta":
            return pd.read_stata(path, convert_categoricals=False)
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        return pd.read_csv(
            path,
            sep=sep,
            dtype={c: str for c in id_columns},
            na_values=_CSV_NA,
            keep_default_na=False,
            low_memory=False,
        )
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise CorruptFileError(f"{path}: could not be read as {kind} ({exc})") from exc


def _ids_as_text(values: pd.Series) -> pd.Series:
    """Identifiers as text; integer-valued floats (Stata doubles) lose their '.0'."""
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.round(values))
        out = values.astype(object)
        out[whole] = values[whole].astype(np.int64).astype(str)
        out[values.notna() & ~whole] = values[values.notna() & ~whole].astype(str)
        return out.where(values.notna(), None)
    if pd.api.types.is_integer_dtype(values):
        return values.astype(str).astype(object)
    out = values.astype(object).where(values.notna(), None)
    return out.map(lambda v: v.strip() if isinstance(v, str) else v)


def _suggest(name: str, candidates: Iterable[str]) -> str:
    cands = list(candidates)
    lower = {c.lower(): c for c in cands}
    close = difflib.get_close_matches(name.lower(), list(lower), n=3, cutoff=0.6)
    return f"; did you mean {', '.join(repr(lower[c]) for c in close)}?" if close else ""


def _missing_columns(where: FileRows, frame_cols: Sequence[str], needed: dict[str, str],
                     section: str) -> None:
    """Raise for the first needed column absent; ``needed`` maps file name -> canonical."""
    absent = [(f, c) for f, c in needed.items() if f not in frame_cols]
    if not absent:
        return
    fname, canon = absent[0]
    what = f"column {fname!r}" + (f" (canonical {canon!r})" if fname != canon else "")
    extra = f"; {len(absent) - 1} more missing" if len(absent) > 1 else ""
    raise InputDataError(
        f"{where.path}: missing {what}{_suggest(fname, frame_cols)}{extra}. Rename it in the "
        f"config's [{section}] table (file name = canonical name) rather than in the data."
    )


def _numeric(where: FileRows, frame: pd.DataFrame, col: str, label: str) -> np.ndarray:
    """Column as float64; non-numeric cells raise naming the column and rows."""
    s = frame[col]
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float, na_value=np.nan)
    conv = pd.to_numeric(s, errors="coerce")
    bad = np.flatnonzero(conv.isna().to_numpy() & s.notna().to_numpy())
    if bad.size:
        example = s.iloc[bad[0]]
        raise InputDataError(
            f"{where.path}: column {label} holds non-numeric values at {where.rows(bad)}, "
            f"e.g. {example!r}; expected a number or an empty cell"
        )
    return conv.to_numpy(dtype=float)


def _label(file_col: str, canon: str) -> str:
    return repr(file_col) + (f" ({canon})" if file_col != canon else "")


# ---------------------------------------------------------------------------------------------
# day table


@dataclass
class _DayBlock:
    """Durations of one file day (long: the whole file; wide: one day number)."""

    values: dict[str, np.ndarray]
    labels: dict[str, str]
    #: optional columns present in the file (long: ``schema.DAY_OPTIONAL_COLUMNS``; wide: those
    #: of ``schema.WIDE_OPTIONAL_COLUMNS`` that have a pattern)
    optional: dict[str, np.ndarray] = field(default_factory=dict)


def _day_layout(frame: pd.DataFrame, settings: CohortSettings) -> str:
    if settings.layout != "auto":
        return settings.layout
    first = settings.wide.day_numbers[0]
    cols = set(frame.columns)
    return "wide" if any(p.format(day=first) in cols for p in settings.wide.patterns.values()) \
        else "long"


def _check_ids(where: FileRows, ids: pd.Series, label: str) -> None:
    missing = np.flatnonzero(ids.isna().to_numpy() | (ids == "").to_numpy())
    if missing.size:
        raise InputDataError(f"{where.path}: column {label} is empty at {where.rows(missing)}; "
                             "every row needs a participant identifier")


def _long_days(frame: pd.DataFrame, where: FileRows, settings: CohortSettings):
    inverse = {canon: f for f, canon in settings.columns_days.items()}
    needed = {inverse.get(c.name, c.name): c.name for c in schema.DAY_COLUMNS if c.required}
    _missing_columns(where, list(frame.columns), needed, "columns_days")
    fid, fday = inverse.get("participant_id", "participant_id"), inverse.get("day", "day")
    ids = _ids_as_text(frame[fid])
    _check_ids(where, ids, _label(fid, "participant_id"))
    day = _numeric(where, frame, fday, _label(fday, "day"))
    bad = np.flatnonzero(~np.isfinite(day) | (day < 1) | (day != np.round(day)))
    if bad.size:
        raise InputDataError(f"{where.path}: column {_label(fday, 'day')} must hold whole day "
                             f"numbers >= 1; bad at {where.rows(bad)}")
    block = _DayBlock({}, {})
    for canon in schema.DAY_ACTIVITY_COLUMNS:
        f = inverse.get(canon, canon)
        block.labels[canon] = _label(f, canon)
        block.values[canon] = _numeric(where, frame, f, block.labels[canon])
    for spec in schema.DAY_OPTIONAL_COLUMNS:
        f = inverse.get(spec.name, spec.name)
        if f in frame.columns:
            block.labels[spec.name] = _label(f, spec.name)
            v = _numeric(where, frame, f, block.labels[spec.name])
            block.optional[spec.name] = v == 1 if spec.kind == "bool" else v
    dup = np.flatnonzero(pd.DataFrame({"i": ids, "d": day}).duplicated(keep=False).to_numpy())
    if dup.size:
        raise InputDataError(
            f"{where.path}: duplicate participant-days (same {_label(fid, 'participant_id')} and "
            f"{_label(fday, 'day')}) at {where.rows(dup)}, e.g. participant {ids.iloc[dup[0]]!r} "
            f"day {int(day[dup[0]])}; expected one row per participant and day"
        )
    return ids.to_numpy(dtype=object), day.astype(np.int64), [block]


def _wide_days(frame: pd.DataFrame, where: FileRows, settings: CohortSettings):
    wide = settings.wide
    inverse = {canon: f for f, canon in settings.columns_days.items()}
    fid = next((c for c in (wide.id_column, inverse.get("participant_id"), "participant_id")
                if c and c in frame.columns), wide.id_column)
    needed = {fid: "participant_id"}
    needed.update({p.format(day=d): canon for d in wide.day_numbers
                   for canon, p in wide.patterns.items()
                   if canon not in schema.WIDE_OPTIONAL_COLUMNS})
    _missing_columns(where, list(frame.columns), needed, "wide.patterns")
    optional = _wide_optional(frame, where, wide)
    absent = [c for c in schema.DAY_ACTIVITY_COLUMNS if c not in wide.patterns]
    if absent:
        raise InputDataError(f"{where.path}: the config's [wide.patterns] has no pattern for "
                             f"{absent}; every activity column needs one")
    ids = _ids_as_text(frame[fid])
    _check_ids(where, ids, _label(fid, "participant_id"))
    dup = np.flatnonzero(ids.duplicated(keep=False).to_numpy())
    if dup.size:
        raise InputDataError(f"{where.path}: participant {ids.iloc[dup[0]]!r} appears more than "
                             f"once in the wide day table ({_label(fid, 'participant_id')}) at "
                             f"{where.rows(dup)}; expected one row per participant")
    blocks = []
    for d in wide.day_numbers:
        block = _DayBlock({}, {})
        for canon in schema.DAY_ACTIVITY_COLUMNS:
            f = wide.patterns[canon].format(day=d)
            block.labels[canon] = _label(f, canon)
            block.values[canon] = _numeric(where, frame, f, block.labels[canon])
        for canon in optional:
            f = wide.patterns[canon].format(day=d)
            block.labels[canon] = _label(f, canon)
            block.optional[canon] = _numeric(where, frame, f, block.labels[canon])
        blocks.append(block)
    n, nd = len(frame), len(wide.day_numbers)
    ids_long = np.repeat(ids.to_numpy(dtype=object), nd)
    days_long = np.tile(np.asarray(wide.day_numbers, dtype=np.int64), n)
    return ids_long, days_long, blocks


def _wide_optional(frame: pd.DataFrame, where: FileRows, wide) -> list[str]:
    """Optional wide columns (``schema.WIDE_OPTIONAL_COLUMNS``) the file holds for every day.

    Absent for every day: skipped (logged). Present for some days only: an error naming the
    missing ones, because days are never guessed."""
    found = []
    for canon in schema.WIDE_OPTIONAL_COLUMNS:
        pattern = wide.patterns.get(canon)
        if pattern is None:
            continue
        names = [pattern.format(day=d) for d in wide.day_numbers]
        present = [n for n in names if n in frame.columns]
        if not present:
            log.info("%s: no %s columns (%s); %s left empty", where.path, canon,
                     pattern, canon)
            continue
        if len(present) < len(names):
            absent = [n for n in names if n not in frame.columns]
            raise InputDataError(
                f"{where.path}: optional column {canon!r} ({pattern}) is present for some days "
                f"but missing for {absent}; give every day's column (empty cells are fine) or "
                f"none"
            )
        found.append(canon)
    return found


_WEAR_PARTS = WEAR_PARTS


def _check_durations(where: FileRows, block: _DayBlock, settings: CohortSettings) -> None:
    limit = np.full(next(iter(block.values.values())).shape, settings.max_day_s)
    day_length = block.optional.get("day_length_s")
    if day_length is not None:
        long_day = day_length > settings.max_day_s
        limit[long_day] = np.minimum(day_length[long_day], settings.max_dst_day_s)
    for canon, v in block.values.items():
        neg = np.flatnonzero(v < 0)
        if neg.size:
            raise InputDataError(f"{where.path}: column {block.labels[canon]} has negative "
                                 f"durations at {where.rows(neg)} (e.g. {v[neg[0]]:g} s); "
                                 "expected seconds >= 0")
        over = np.flatnonzero(v > limit)
        if over.size:
            raise InputDataError(
                f"{where.path}: column {block.labels[canon]} exceeds {settings.max_day_s:,.0f} s "
                f"in a day at {where.rows(over)} (e.g. {v[over[0]]:,.0f} s); durations must be "
                "seconds per day (a 25-h DST day needs day_length_s = 90000)"
            )
    sleep = block.optional.get("sleep_s")
    if sleep is not None:
        label = block.labels.get("sleep_s", "'sleep_s'")
        bad = np.flatnonzero((sleep < 0) | (sleep > limit))
        if bad.size:
            raise InputDataError(
                f"{where.path}: column {label} has sleep durations outside 0 to "
                f"{settings.max_day_s:,.0f} s at {where.rows(bad)} (e.g. {sleep[bad[0]]:,.0f} s); "
                "expected seconds of sleep per day"
            )
    for canon in schema.DAY_TRUNK_COLUMNS:
        v = block.optional.get(canon)
        bad = np.flatnonzero((v < 0) | (v > limit)) if v is not None else np.zeros(0, int)
        if bad.size:
            raise InputDataError(f"{where.path}: column {block.labels[canon]} holds "
                                 f"{v[bad[0]]:g} s at {where.rows(bad)}; expected seconds per "
                                 f"day from 0 to {settings.max_day_s:,.0f} or empty")
    parts = np.column_stack([block.values[c] for c in _WEAR_PARTS])
    wear = np.nansum(parts, axis=1)
    over = np.flatnonzero(wear > limit + 1.0)  # 1 s allowance for per-class rounding
    if over.size:
        cols = " + ".join(block.labels[c] for c in _WEAR_PARTS)
        raise InputDataError(
            f"{where.path}: a day's activity durations sum to more than {settings.max_day_s:,.0f}"
            f" s at {where.rows(over)} (e.g. {wear[over[0]]:,.0f} s = {cols})"
        )


def _load_days(path: Path, settings: CohortSettings) -> tuple[pd.DataFrame, FileRows]:
    inverse = {canon: f for f, canon in settings.columns_days.items()}
    idc = [c for c in (settings.wide.id_column, inverse.get("participant_id", "participant_id"))]
    frame = read_table(path, id_columns=idc)
    where = FileRows(path, _sniff(path) == "csv")
    layout = _day_layout(frame, settings)
    if layout == "wide":
        ids, days, blocks = _wide_days(frame, where, settings)
    else:
        ids, days, blocks = _long_days(frame, where, settings)
    for block in blocks:
        _check_durations(where, block, settings)
    data: dict[str, np.ndarray] = {"participant_id": ids, "day": days}
    for canon in schema.DAY_ACTIVITY_COLUMNS:
        vals = [b.values[canon] for b in blocks]
        data[canon] = vals[0] if len(vals) == 1 else np.column_stack(vals).ravel()
    optional = {k: (v[0] if len(v) == 1 else np.column_stack(v).ravel())
                for k in blocks[0].optional
                for v in [[b.optional[k] for b in blocks]]}
    data.update({k: v for k, v in optional.items() if k != "partial_day"})
    out = pd.DataFrame(data)
    partial = optional.get("partial_day")
    if partial is not None and settings.exposure.drop_partial_days and partial.any():
        # blanked, not removed: a participant whose days are all partial still has rows and is
        # counted at the 'no valid accelerometer day' exclusion
        log.info("%s: %d partial day(s) left out (exposure.drop_partial_days)", path,
                 int(partial.sum()))
        cols = [c for c in (*schema.DAY_ACTIVITY_COLUMNS, "sedentary_s", "sleep_s",
                            *schema.DAY_TRUNK_COLUMNS) if c in out]
        out.loc[partial, cols] = np.nan
    log.info("%s: %s layout, %d participant-days", path, layout, len(out))
    return out, where


# ---------------------------------------------------------------------------------------------
# participant table

_STATA_EPOCH = np.datetime64("1960-01-01")


def _dates(where: FileRows, frame: pd.DataFrame, col: str, label: str, fmt: str) -> pd.Series:
    s = frame[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        return pd.Series(pd.to_datetime(s).to_numpy(), index=range(len(s)))
    if pd.api.types.is_numeric_dtype(s):  # Stata daily date: days since 1960-01-01
        days = s.to_numpy(dtype=float)
        out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
        ok = np.isfinite(days)
        out[ok] = _STATA_EPOCH + days[ok].astype(np.int64).astype("timedelta64[D]")
        return pd.Series(out)
    text = s.astype(object).where(s.notna(), None)
    parsed = pd.to_datetime(text, format=fmt or "ISO8601", errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy() & text.notna().to_numpy())
    if bad.size:
        raise InputDataError(
            f"{where.path}: column {label} holds dates that do not match "
            f"{fmt or 'ISO 8601 (YYYY-MM-DD)'} at {where.rows(bad)}, e.g. {text.iloc[bad[0]]!r}; "
            "set date_format in the cohort config"
        )
    return pd.Series(parsed.to_numpy()).reset_index(drop=True)


def _check_codes(where: FileRows, df: pd.DataFrame, labels: dict[str, str],
                 settings: CohortSettings) -> None:
    for col, allowed in schema.allowed_codes(settings.codes).items():
        v = df[col].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isnan(v) & ~np.isin(v, np.asarray(allowed, dtype=float)))
        if bad.size:
            raise InputDataError(
                f"{where.path}: column {labels.get(col, col)} holds {v[bad[0]]:g} at "
                f"{where.rows(bad)}; expected one of {sorted(set(allowed))} or empty "
                "(see [codes] in the cohort config)"
            )
    for col, (lo, hi) in schema.VALUE_RANGES.items():
        v = df[col].to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isnan(v) & ((v < lo) | (v > hi)))
        if bad.size:
            raise InputDataError(f"{where.path}: column {labels.get(col, col)} holds "
                                 f"{v[bad[0]]:g} at {where.rows(bad)}; expected {lo:g} to {hi:g}")


def _load_participants(path: Path, settings: CohortSettings) -> tuple[pd.DataFrame, FileRows]:
    inverse = {canon: f for f, canon in settings.columns_participants.items()}
    fid = inverse.get("participant_id", "participant_id")
    frame = read_table(path, id_columns=[fid])
    where = FileRows(path, _sniff(path) == "csv")
    needed = {inverse.get(n, n): n for n in schema.participant_required()}
    _missing_columns(where, list(frame.columns), needed, "columns_participants")
    ids = _ids_as_text(frame[fid])
    _check_ids(where, ids, _label(fid, "participant_id"))
    dup = np.flatnonzero(ids.duplicated(keep=False).to_numpy())
    if dup.size:
        raise InputDataError(f"{where.path}: participant {ids.iloc[dup[0]]!r} appears more than "
                             f"once ({_label(fid, 'participant_id')}) at {where.rows(dup)}; "
                             "expected one row per participant")
    out: dict[str, object] = {"participant_id": ids.to_numpy(dtype=object)}
    labels: dict[str, str] = {}
    missing_codes = np.asarray(settings.codes.missing_values, dtype=float)
    absent = []
    for spec in schema.PARTICIPANT_COLUMNS[1:]:
        f = inverse.get(spec.name, spec.name)
        labels[spec.name] = _label(f, spec.name)
        if f not in frame.columns:
            absent.append(spec.name)
            out[spec.name] = (pd.Series(pd.NaT, index=range(len(frame))) if spec.kind == "date"
                              else np.full(len(frame), np.nan))
        elif spec.kind == "date":
            out[spec.name] = _dates(where, frame, f, labels[spec.name], settings.date_format)
        else:
            v = _numeric(where, frame, f, labels[spec.name]).copy()
            if missing_codes.size:
                v[np.isin(v, missing_codes)] = np.nan
            out[spec.name] = v
    if absent:
        log.info("%s: optional columns absent (left empty): %s", path, ", ".join(absent))
    df = pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Series) else v)
                       for k, v in out.items()})
    _check_codes(where, df, labels, settings)
    return df, where


def _cross_check(days: pd.DataFrame, dwhere: FileRows, parts: pd.DataFrame,
                 pwhere: FileRows) -> None:
    pid = parts["participant_id"]
    in_days = pd.Series(pd.unique(days["participant_id"]))
    only_days = in_days[~in_days.isin(pid)].to_numpy()
    if only_days.size:
        rows = np.flatnonzero(days["participant_id"].isin(only_days).to_numpy())
        shown = ", ".join(repr(x) for x in only_days[:5])
        raise InputDataError(
            f"{dwhere.path}: {only_days.size} participant(s) have days but no row in the "
            f"participant table {pwhere.path}: {shown} (day table {dwhere.rows(rows)})"
        )
    only_parts = np.flatnonzero(~pid.isin(in_days).to_numpy())
    if only_parts.size:
        shown = ", ".join(repr(x) for x in pid.iloc[only_parts[:5]])
        raise InputDataError(
            f"{pwhere.path}: {only_parts.size} participant(s) have no row in the day table "
            f"{dwhere.path}: {shown} ({pwhere.rows(only_parts)}); give participants without "
            "accelerometer data day rows with empty durations (they are then counted at the "
            "'no valid accelerometer day' exclusion) or remove them"
        )


def load_inputs(days_path: str | Path, participants_path: str | Path,
                settings: CohortSettings | None = None) -> CohortInputs:
    """Read, map, reshape and validate the day and participant tables.

    The two paths may be the same file (HUNT delivers one wide ``.dta``). Raises
    :class:`~walkback.errors.InputDataError` (one message: file, column, rows) on bad content
    and :class:`~walkback.errors.ReadError` when a file cannot be read.
    """
    settings = settings or CohortSettings()
    days_path, participants_path = Path(days_path), Path(participants_path)
    days, dwhere = _load_days(days_path, settings)
    parts, pwhere = _load_participants(participants_path, settings)
    _cross_check(days, dwhere, parts, pwhere)
    checksums = {str(p): sha256_file(p) for p in dict.fromkeys((days_path, participants_path))}
    return CohortInputs(days=days, participants=parts, checksums=checksums)
