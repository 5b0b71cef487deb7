"""Build a manifest from a folder of files with file-name patterns.

Pattern syntax (paths relative to the folder, ``/`` between folders):

* ``{id}`` — the participant id: one or more characters other than ``/``. Required once in the
  thigh pattern and in the back pattern; the back file of a participant is the one whose ``{id}``
  equals the thigh file's.
* ``{name}`` — any other named field: matched like ``{id}`` but otherwise ignored (e.g. a visit
  or a device serial: ``{id}_{serial}_thigh.cwa``).
* ``*`` any characters except ``/``; ``?`` one character except ``/``; ``[abc]`` one of a set;
  ``**/`` any number of folders (including none).

Examples: ``{id}_thigh.cwa`` and ``{id}_back.cwa``; ``{id}/thigh*.cwa``;
``**/HUNT{id}_T_*.cwa``. Matching is case-sensitive and whole-path.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from walkback.batch.manifest import Entry, validate_manifest
from walkback.errors import InputDataError

__all__ = ["build_manifest", "compile_pattern"]

log = logging.getLogger(__name__)

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Translate a pattern (see module docstring) into a whole-path regular expression."""
    if "{id}" not in pattern:
        raise InputDataError(f"pattern {pattern!r}: needs the participant field {{id}}")
    out: list[str] = []
    seen: set[str] = set()
    i = 0
    while i < len(pattern):
        m = _FIELD.match(pattern, i)
        if m:
            name = m.group(1)
            if name in seen:  # a repeated field must hold the same text
                out.append(f"(?P={name})")
            else:
                out.append(f"(?P<{name}>[^/]+?)")
                seen.add(name)
            i = m.end()
            continue
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pattern.find("]", i + 2)
            if j < 0:
                raise InputDataError(f"pattern {pattern!r}: unclosed '[' at position {i}")
            body = pattern[i + 1 : j].replace("\\", "\\\\")
            out.append("[^" + body[1:] + "]" if body.startswith("!") else f"[{body}]")
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out))


def build_manifest(
    folder: str | Path,
    pattern: str,
    back_pattern: str | None = None,
    *,
    timezone: str = "",
) -> list[Entry]:
    """Find every file under ``folder`` matching ``pattern`` (thigh) and ``back_pattern``.

    Returns validated manifest entries sorted by participant id, with absolute paths. A thigh file
    without a back file gets an empty ``back_path``; a back file without a thigh file is logged
    and left out. Two files for one id raise :class:`~walkback.errors.InputDataError`.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputDataError(f"{folder}: not a folder")
    thigh_re = compile_pattern(pattern)
    back_re = compile_pattern(back_pattern) if back_pattern else None
    thighs: dict[str, str] = {}
    backs: dict[str, str] = {}
    for rel in _walk(folder):
        for regex, found, label in ((thigh_re, thighs, "thigh"), (back_re, backs, "back")):
            m = regex.fullmatch(rel) if regex is not None else None
            if m is None:
                continue
            pid = m.group("id")
            if pid in found:
                raise InputDataError(
                    f"{folder}: two {label} files for participant {pid!r}: {found[pid]} and {rel}"
                )
            found[pid] = rel
    if not thighs:
        raise InputDataError(f"{folder}: no file matches the thigh pattern {pattern!r}")
    orphans = sorted(set(backs) - set(thighs))
    if orphans:
        log.warning("%d back file(s) without a thigh file left out: %s", len(orphans), orphans[:5])
    rows = [
        {
            "participant_id": pid,
            "thigh_path": str(folder / thighs[pid]),
            "back_path": str(folder / backs[pid]) if pid in backs else "",
            "timezone": timezone,
        }
        for pid in sorted(thighs)
    ]
    import pandas as pd

    return validate_manifest(pd.DataFrame(rows), where=f"{folder} ({pattern})")


def _walk(folder: Path) -> list[str]:
    """Relative POSIX paths of all files under ``folder`` (hidden files and folders skipped)."""
    out: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_root = Path(root).relative_to(folder)
        for f in sorted(files):
            if not f.startswith("."):
                out.append((rel_root / f).as_posix())
    return out
