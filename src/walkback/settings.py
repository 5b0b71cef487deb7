"""Settings: one frozen dataclass per stage, loaded from TOML with unknown keys and wrong types refused.

Every settings dataclass is plain data. :func:`from_mapping` builds one from a (TOML) mapping and
checks every value against its field's annotation before the dataclass sees it:

* ``bool`` takes a TOML boolean only (``"no"`` or ``0`` is refused, not read as truthy);
* ``int`` an integer (not a boolean, not ``3.0``); ``float`` any number (integers are converted);
* ``str`` a string; ``Literal["a", "b"]`` one of the listed strings;
* ``tuple[float, float]`` an array of exactly that many elements of those types;
  ``tuple[str, ...]`` an array of any length;
* ``dict[str, str]`` a table of strings; a nested settings dataclass a table (checked recursively).

A value that does not fit raises :class:`~walkback.errors.SettingsError` naming the file, the table
and the key, what was expected and what was found, so a typo or a wrongly typed value never silently
falls back to a default or changes a result (GGIR's good habit of refusing unknown names, without
its single flat namespace). Range checks live in each dataclass's ``__post_init__`` and raise
:class:`SettingsError` too.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from walkback.errors import SettingsError

T = TypeVar("T")

__all__ = ["from_mapping", "load_toml", "to_mapping"]


def load_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file; errors name the file and the parser's line/column."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise SettingsError(f"{path}: settings file not found") from exc
    except IsADirectoryError as exc:
        raise SettingsError(f"{path}: is a folder, not a settings file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from exc


def from_mapping(cls: type[T], mapping: Mapping[str, Any] | None, *, where: str = "",
                 table: str = "") -> T:
    """Build the dataclass ``cls`` from ``mapping``, recursing into nested dataclass fields.

    ``where`` names the source (a file) and ``table`` the TOML table ``mapping`` came from (e.g.
    ``"signal.nonwear"``); both appear in every error. Unknown keys and values that do not match
    their field's annotation (see the module docstring) raise :class:`SettingsError`.
    """
    mapping = dict(mapping or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        raise SettingsError(f"{_place(where, table)}: unknown setting(s) {unknown}; "
                            f"known: {sorted(fields)}")
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for name, value in mapping.items():
        kwargs[name] = _convert(value, hints[name], where, table, name)
    try:
        return cls(**kwargs)
    except SettingsError as exc:
        raise SettingsError(f"{_place(where, table)}: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{_place(where, table)}: {exc}") from exc


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


def _place(where: str, table: str) -> str:
    t = f"[{table}]" if table else "(top level)"
    return f"{where} {t}" if where else t


class _Mismatch(Exception):
    """A value that does not fit its annotation: ``expected`` describes what would."""

    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def _convert(value: Any, hint: Any, where: str, table: str, key: str) -> Any:
    """``value`` checked against ``hint`` and converted (lists to tuples, ints to floats)."""
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, Mapping):
            raise SettingsError(f"{_place(where, table)} {key}: expected a table "
                                f"[{_join(table, key)}], found {_describe(value)}")
        return from_mapping(hint, value, where=where, table=_join(table, key))
    try:
        return _check(value, hint)
    except _Mismatch as exc:
        raise SettingsError(f"{_place(where, table)} {key}: expected {exc.expected}, "
                            f"found {_describe(value)}") from None


def _check(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        errors = []
        for a in args:
            if a is type(None):
                if value is None:
                    return None
                continue
            try:
                return _check(value, a)
            except _Mismatch as exc:
                errors.append(exc.expected)
        raise _Mismatch(" or ".join(errors))
    if origin is Literal:
        if isinstance(value, str | int | float) and not isinstance(value, bool) and value in args:
            return value
        raise _Mismatch("one of " + ", ".join(repr(a) for a in args))
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise _Mismatch("a boolean (true or false)")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Mismatch("an integer")
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise _Mismatch("a number")
    if hint is str:
        if isinstance(value, str):
            return value
        raise _Mismatch("a string")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise _Mismatch(f"an array ({_name(hint)})")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_element(v, args[0], hint, i) for i, v in enumerate(value))
        if len(value) != len(args):
            raise _Mismatch(f"an array of {len(args)} element(s) ({_name(hint)})")
        return tuple(_element(v, a, hint, i) for i, (v, a) in enumerate(zip(value, args,
                                                                              strict=True)))
    if origin is dict:
        if not isinstance(value, Mapping):
            raise _Mismatch(f"a table ({_name(hint)})")
        kt, vt = args or (Any, Any)
        return {_element(k, kt, hint, k): _element(v, vt, hint, k) for k, v in value.items()}
    if isinstance(hint, type):
        if isinstance(value, hint):
            return value
        raise _Mismatch(_name(hint))
    return value  # an annotation this loader does not know: the dataclass checks it


def _element(v: Any, hint: Any, outer: Any, i: Any) -> Any:
    try:
        return _check(v, hint)
    except _Mismatch as exc:
        raise _Mismatch(f"{_name(outer)} (element {i!r}: {exc.expected})") from None


def _name(hint: Any) -> str:
    if isinstance(hint, type):
        return hint.__name__
    return str(hint).replace("typing.", "")


def _describe(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "table"}.get(type(value), type(value).__name__)
    text = repr(value)
    return f"{kind} {text if len(text) <= 60 else text[:57] + '...'}"


def _join(table: str, key: str) -> str:
    return f"{table}.{key}" if table else key
