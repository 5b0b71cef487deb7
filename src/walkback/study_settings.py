"""One study, one settings file: :class:`StudySettings` and its loader.

A study file (TOML) holds one table per stage; every table is optional::

    [signal]                 # walkback.signal.PrepareSettings
    timezone = "America/New_York"
    [signal.nonwear]         # walkback.signal.NonWearSettings
    [activity]               # walkback.activity.ActivitySettings
    [walking]                # walkback.walking.WalkingSettings
    [batch]                  # walkback.batch.BatchSettings
    [cohort]                 # walkback.cohort.CohortSettings (+ [cohort.codes], [cohort.models], ...)

The same file serves ``walkback process-one``, ``walkback process`` and ``walkback analyze``
(``--settings FILE``). Unknown tables or keys and wrongly typed values are refused, naming the file,
the table and the key (:func:`walkback.settings.from_mapping`).

**Precedence**: a command-line flag > the settings file > the built-in default. Every value that
did not come from its default carries its source (``StudySettings.source_of("signal.timezone")``:
``"command line --tz"``, ``"settings file study.toml"``, ``"manifest row"``, ``"default"``); qc.json,
run.json and provenance.json record the settings in :meth:`StudySettings.to_dict` shape and the
non-default sources.

Two older spellings are still read, with a deprecation warning: a top-level ``model_path`` key
(now ``[activity] model_path``) and a cohort config whose cohort keys sit at the top level (now
under ``[cohort]``).
"""

from __future__ import annotations

import dataclasses
import typing
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from walkback.activity.settings import ActivitySettings
from walkback.batch.settings import BatchSettings
from walkback.cohort.config import CohortSettings
from walkback.errors import SettingsError
from walkback.settings import _check, _Mismatch, from_mapping, load_toml, to_mapping
from walkback.signal.settings import PrepareSettings
from walkback.walking.settings import WalkingSettings

__all__ = ["PIPELINE_STAGES", "STAGES", "StudySettings", "load_study_settings"]

#: The tables of a study file, in pipeline order.
STAGES: tuple[str, ...] = ("signal", "activity", "walking", "batch", "cohort")
#: The stages whose settings change a participant's results (the batch fingerprint hashes these).
PIPELINE_STAGES: tuple[str, ...] = ("signal", "activity", "walking")

DEFAULT_SOURCE = "default"


@dataclass(frozen=True)
class StudySettings:
    """Settings of every stage of one study (frozen plain data; see the module docstring).

    ``sources`` maps dotted keys (``"signal.timezone"``) to where their value came from; keys not
    listed have their built-in default. It is provenance, not a setting: it takes no part in
    equality or in :meth:`to_dict`.
    """

    signal: PrepareSettings = field(default_factory=PrepareSettings)
    activity: ActivitySettings = field(default_factory=ActivitySettings)
    walking: WalkingSettings = field(default_factory=WalkingSettings)
    batch: BatchSettings = field(default_factory=BatchSettings)
    cohort: CohortSettings = field(default_factory=CohortSettings)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def source_of(self, key: str) -> str:
        """Where the value of dotted ``key`` came from (``"default"`` when not set anywhere)."""
        best = DEFAULT_SOURCE
        for k, src in self.sources.items():  # a whole table set from a file counts for its keys
            if key == k or key.startswith(k + "."):
                best = src
        return best

    def to_dict(self, stages: tuple[str, ...] = STAGES) -> dict[str, Any]:
        """Plain-dict form, one entry per stage (what provenance files record)."""
        return {name: to_mapping(getattr(self, name)) for name in stages}

    def sources_dict(self, stages: tuple[str, ...] = STAGES) -> dict[str, str]:
        """The non-default sources of ``stages``' values, sorted by key (for provenance files)."""
        return dict(sorted((k, v) for k, v in self.sources.items() if k.split(".")[0] in stages))

    def with_values(self, values: Mapping[str, Any], source: str) -> StudySettings:
        """A copy with dotted keys set to ``values`` (each checked against its field's type and
        its stage's rules), recorded as coming from ``source``. ``None`` values are skipped (a
        flag the user did not give)."""
        given = {k: v for k, v in values.items() if v is not None}
        if not given:
            return self
        out: StudySettings = self
        for key, value in given.items():
            out = _replace_dotted(out, key.split("."), value, source)
        return dataclasses.replace(out, sources={**self.sources, **{k: source for k in given}})


def load_study_settings(path: str | Path | None = None, *,
                        overrides: Mapping[str, Any] | None = None,
                        override_source: str = "command line") -> StudySettings:
    """:class:`StudySettings` from a study file (None: the defaults), then ``overrides``.

    ``overrides`` maps dotted keys to command-line values (None = flag not given); they win over
    the file. Raises :class:`~walkback.errors.SettingsError` naming the file, table and key.
    """
    settings = StudySettings()
    if path is not None:
        data = dict(load_toml(path))
        data = _legacy(data, str(path))
        unknown = sorted(set(data) - set(STAGES))
        if unknown:
            raise SettingsError(f"{path}: unknown table(s) or key(s) {unknown} at the top level; "
                                f"a study file holds the tables {list(STAGES)}")
        parts: dict[str, Any] = {}
        hints = typing.get_type_hints(StudySettings)
        for name, value in data.items():
            if not isinstance(value, Mapping):
                raise SettingsError(f"{path} (top level) {name}: expected a table [{name}], "
                                    f"found {type(value).__name__} {value!r}")
            parts[name] = from_mapping(hints[name], value, where=str(path), table=name)
        settings = StudySettings(**parts, sources=_leaf_sources(data, f"settings file {path}"))
    return settings.with_values(overrides or {}, override_source)


def _leaf_sources(data: Mapping[str, Any], source: str, prefix: str = "") -> dict[str, str]:
    """Dotted keys of every value a file sets (tables expanded), all from ``source``."""
    out: dict[str, str] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping) and v and not _is_free_table(key):
            out.update(_leaf_sources(v, source, key + "."))
        else:
            out[key] = source
    return out


def _is_free_table(key: str) -> bool:
    """Tables whose keys are data (column maps, patterns), recorded as one value."""
    return key.rsplit(".", 1)[-1] in ("columns_days", "columns_participants", "patterns")


def _legacy(data: dict[str, Any], where: str) -> dict[str, Any]:
    """Read the older spellings (see the module docstring) with a deprecation warning."""
    if "model_path" in data and not isinstance(data["model_path"], Mapping):
        warnings.warn(f"{where}: top-level model_path is deprecated; write it as "
                      "[activity] model_path", DeprecationWarning, stacklevel=3)
        activity = dict(data.get("activity", {}))
        activity.setdefault("model_path", data.pop("model_path"))
        data["activity"] = activity
    cohort_keys = {f.name for f in dataclasses.fields(CohortSettings)}
    loose = [k for k in data if k in cohort_keys]
    if loose:
        if "cohort" in data:
            raise SettingsError(f"{where}: cohort settings {loose} at the top level and a [cohort] "
                                "table: move them under [cohort]")
        warnings.warn(f"{where}: cohort settings at the top level ({loose}) are deprecated; put "
                      "them under a [cohort] table (e.g. [cohort.codes])", DeprecationWarning,
                      stacklevel=3)
        data["cohort"] = {k: data.pop(k) for k in loose}
    return data


def _replace_dotted(obj: Any, parts: list[str], value: Any, source: str) -> Any:
    name = parts[0]
    fields = {f.name for f in dataclasses.fields(obj)}
    if name not in fields or name == "sources":
        raise SettingsError(f"{source}: unknown setting {name!r} of {type(obj).__name__}")
    if len(parts) > 1:
        new = _replace_dotted(getattr(obj, name), parts[1:], value, source)
    else:
        hint = typing.get_type_hints(type(obj))[name]
        try:
            new = _check(value, hint)
        except _Mismatch as exc:
            raise SettingsError(f"{source}: {name}: expected {exc.expected}, found "
                                f"{value!r}") from None
    try:
        return dataclasses.replace(obj, **{name: new})
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{source}: {exc}") from exc
