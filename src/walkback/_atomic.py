"""Atomic writes: write to a temporary name in the same directory, then rename.

Nothing walkback writes is ever left half-written: a crash leaves either the old file (or none) or
the complete new one.

An operating-system error on the output path (its folder cannot be made, no permission, a
read-only or full file system, a file where a folder is needed) is raised as
:class:`walkback.errors.OutputPathError` naming the user's path and what failed, never the
temporary name: the batch runner records it and the command line prints it as one line.
Errors on other paths (an input file read inside the ``with`` block) pass through unchanged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from walkback.errors import OutputPathError


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _make_parent(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"{path}: cannot create the folder {path.parent} "
                              f"({_why(exc)})") from exc


def _is_under(name: object, *roots: Path) -> bool:
    if name is None:
        return False
    try:
        p = Path(os.fsdecode(name)).absolute()
    except (TypeError, ValueError):
        return False
    return any(p == r.absolute() or r.absolute() in p.parents for r in roots)


@contextlib.contextmanager
def _output_errors(path: Path, *temporaries: Path) -> Iterator[None]:
    """Turn an OSError on ``path`` or a temporary beside it into :class:`OutputPathError`."""
    try:
        yield
    except OSError as exc:
        if not (_is_under(exc.filename, path, *temporaries)
                or _is_under(getattr(exc, "filename2", None), path, *temporaries)):
            raise
        raise OutputPathError(f"{path}: cannot write the output ({_why(exc)})") from exc


def check_output_location(path: str | Path) -> None:
    """Fail fast if ``path`` (a file or folder to be written) could not be created.

    The nearest existing ancestor must be a folder in which a temporary folder can be made (and
    is removed at once); nothing else is created. Raises :class:`OutputPathError`."""
    path = Path(path)
    if path.exists():
        return
    base = path.parent
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise OutputPathError(f"{path}: {base} is a file, not a folder")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".walkback-check.", dir=base))
    except OSError as exc:
        raise OutputPathError(f"{path}: cannot create anything in {base} ({_why(exc)})") from exc


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On an exception the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    _make_parent(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputPathError(f"{path}: cannot create a file in {path.parent} "
                              f"({_why(exc)})") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with _output_errors(path, tmp_path):
            yield tmp_path
            os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def atomic_dir(path: str | Path) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; on success it replaces ``path`` whole.

    On an exception the temporary directory is deleted and any existing ``path`` is untouched, so
    a failed run never leaves a partial output directory behind.
    """
    path = Path(path)
    _make_parent(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise OutputPathError(f"{path}: cannot create the output folder in {path.parent} "
                              f"({_why(exc)})") from exc
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    try:
        with _output_errors(path, tmp, old):
            yield tmp
            if path.exists():
                os.replace(path, old)
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
