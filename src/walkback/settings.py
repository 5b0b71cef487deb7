"""Settings: one frozen dataclass per stage, loaded from TOML with unknown keys rejected.

Every settings dataclass is plain data. :func:`from_mapping` builds one from a (TOML) mapping and
raises :class:`~walkback.errors.SettingsError` naming the offending key, so a typo never silently
falls back to a default (GGIR's good habit, without its single flat namespace).
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from walkback.errors import SettingsError

T = TypeVar("T")


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; errors name the file and the parser's line/column."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: settings file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc


def from_mapping(cls: type[T], mapping: Mapping[str, Any] | None, *, where: str = "") -> T:
    """Build the dataclass ``cls`` from ``mapping``, recursing into nested dataclass fields.

    Unknown keys raise :class:`SettingsError`; ``where`` prefixes messages (e.g. a file and table).
    Tuples are accepted from TOML arrays.
    """
    mapping = dict(mapping or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise SettingsError(
            f"{where or cls.__name__}: unknown setting(s) {unknown}; known: {sorted(fields)}"
        )
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for name, value in mapping.items():
        hint = hints.get(name)
        sub = f"{where}.{name}" if where else name
        if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
            kwargs[name] = from_mapping(hint, value, where=sub)  # type: ignore[arg-type]
        elif isinstance(value, list) and _wants_tuple(hint):
            kwargs[name] = tuple(value)
        else:
            kwargs[name] = value
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where or cls.__name__}: {exc}") from exc


def to_mapping(obj: Any) -> dict[str, Any]:
    """Plain-dict form of a settings dataclass (tuples become lists), for provenance files."""

    def conv(v: Any) -> Any:
        if dataclasses.is_dataclass(v):
            return {f.name: conv(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, tuple | list):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return conv(obj)


def _wants_tuple(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is tuple:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(typing.get_origin(a) is tuple for a in typing.get_args(hint))
    return False
