"""Package exports that load on first use (PEP 562), so importing a package stays cheap.

A package lists its exports as ``{name: "module"}`` (or ``"module:attribute"`` for an alias) and
gets its ``__getattr__`` and ``__dir__`` from :func:`lazy_exports`. Reading a study settings file,
for instance, then imports the cohort and batch settings without pandas, statsmodels, matplotlib or
Dask.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, namespace: dict[str, Any], exports: Mapping[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` whose module globals are ``namespace``.

    ``exports`` maps each exported name to the module that defines it, relative to ``package``
    or absolute, optionally ``"module:attribute"``. A loaded name is cached in ``namespace``."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attr = exports[name].partition(":")
        full = module if module.startswith("walkback.") else f"{package}.{module}"
        value = getattr(importlib.import_module(full), attr or name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
