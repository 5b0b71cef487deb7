"""The activity model artefact: LightGBM boosters stored as text inside one JSON document.

Why LightGBM: its native model format is plain text (``Booster.model_to_string``), so a model file
can be read, diffed and checksummed and never needs pickle; it trains and predicts fast on a single
thread; and with ``deterministic=True``, ``num_threads=1`` and fixed seeds, training reproduces the
same bytes. (XGBoost's JSON format would also do, but it is not a dependency here; scikit-learn's
HistGradientBoosting has no non-pickle format.)

File layout (UTF-8 JSON, keys sorted, so identical training gives identical bytes): ``format``,
``format_version``, ``sensors``, ``classes``, ``pace_classes``, ``feature_names``, ``window_s``,
``fs_hz``, ``params``, ``training`` (what data it saw), ``activity_booster`` and ``pace_booster``
(LightGBM model text). A sidecar ``<model>.meta.json`` records the file's sha256, the training-data
description, the feature list and the walkback version that wrote it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from walkback import __version__
from walkback._atomic import write_text_atomic
from walkback.errors import ModelArtifactError

log = logging.getLogger(__name__)

FORMAT = "walkback-activity-model"
FORMAT_VERSION = 1
DEFAULT_MODEL = "activity_thigh_v1.json"
_REQUIRED = ("sensors", "classes", "pace_classes", "feature_names", "window_s", "fs_hz",
             "params", "training", "activity_booster", "pace_booster")


def sidecar_path(path: str | Path) -> Path:
    """The sidecar JSON path of a model file: ``<model>.meta.json``."""
    path = Path(path)
    return path.with_name(path.name + ".meta.json")


@dataclass(frozen=True)
class Model:
    """A trained activity model (activity classes + walking-pace classes).

    ``sensors`` is ``("thigh",)`` or ``("thigh", "back")``; ``classes`` the fine classes the
    activity booster predicts (thigh-only models have ``sedentary`` instead of sitting / lying);
    ``text`` the exact serialised bytes (as str) whose sha256 is :attr:`sha256`.
    """

    sensors: tuple[str, ...]
    classes: tuple[str, ...]
    pace_classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    window_s: float
    fs_hz: float
    params: dict[str, Any]
    training: dict[str, Any]
    activity_booster: str
    pace_booster: str
    text: str = field(repr=False, default="")
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """sha256 (hex) of the serialised model file."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def name(self) -> str:
        """Short identifier: sensors and the first 12 hex digits of the sha256."""
        return f"{'+'.join(self.sensors)}-{self.sha256[:12]}"

    def _booster(self, which: str):
        if which not in self._cache:
            import lightgbm as lgb

            text = self.activity_booster if which == "activity" else self.pace_booster
            self._cache[which] = lgb.Booster(model_str=text)
        return self._cache[which]

    def _forest(self, which: str):
        """The booster's trees laid out for the compiled evaluator (None: use LightGBM)."""
        key = f"forest_{which}"
        if key not in self._cache:
            from walkback.activity import _trees

            text = self.activity_booster if which == "activity" else self.pace_booster
            self._cache[key] = _trees.parse(text)
        return self._cache[key]

    def _proba(self, which: str, X: np.ndarray, num_threads: int) -> np.ndarray:
        forest = self._forest(which)
        if forest is not None:
            from walkback.activity import _trees

            return _trees.predict_proba(forest, X)
        return self._booster(which).predict(X, num_threads=num_threads)

    def predict_proba(self, X: np.ndarray, num_threads: int = 1) -> np.ndarray:
        """Class probabilities (m, len(classes)) float32 for feature rows ``X``.

        Computed by the compiled tree evaluator (:mod:`walkback.activity._trees`, equal to
        LightGBM's ``predict`` to rounding); LightGBM itself, with ``num_threads``, only for
        boosters that evaluator does not handle.
        """
        if len(X) == 0:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        p = self._proba("activity", X, num_threads)
        return np.asarray(p, dtype=np.float32).reshape(len(X), len(self.classes))

    def predict_pace_proba(self, X: np.ndarray, num_threads: int = 1) -> np.ndarray:
        """Pace probabilities (m, len(pace_classes)) float32 for feature rows ``X``."""
        if len(X) == 0 or not self.pace_booster:
            return np.zeros((len(X), len(self.pace_classes)), dtype=np.float32)
        p = self._proba("pace", X, num_threads)
        return np.asarray(p, dtype=np.float32).reshape(len(X), len(self.pace_classes))

    # -- serialisation -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON document (without the cached text)."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "sensors": list(self.sensors),
            "classes": list(self.classes),
            "pace_classes": list(self.pace_classes),
            "feature_names": list(self.feature_names),
            "window_s": self.window_s,
            "fs_hz": self.fs_hz,
            "params": self.params,
            "training": self.training,
            "activity_booster": self.activity_booster,
            "pace_booster": self.pace_booster,
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any], text: str = "") -> Model:
        """Build a model from its JSON document; ``text`` is the file content (for the sha256)."""
        missing = [k for k in _REQUIRED if k not in doc]
        if doc.get("format") != FORMAT or missing:
            raise ModelArtifactError(
                f"not a walkback activity model (format={doc.get('format')!r}, missing {missing})"
            )
        if doc.get("format_version") != FORMAT_VERSION:
            raise ModelArtifactError(
                f"model format_version {doc.get('format_version')} unsupported "
                f"(this walkback reads {FORMAT_VERSION})"
            )
        return cls(
            sensors=tuple(doc["sensors"]), classes=tuple(doc["classes"]),
            pace_classes=tuple(doc["pace_classes"]), feature_names=tuple(doc["feature_names"]),
            window_s=float(doc["window_s"]), fs_hz=float(doc["fs_hz"]), params=doc["params"],
            training=doc["training"], activity_booster=doc["activity_booster"],
            pace_booster=doc["pace_booster"], text=text,
        )

    @classmethod
    def build(cls, **kwargs: Any) -> Model:
        """Create a model and its canonical serialised text."""
        m = cls(**kwargs)
        text = json.dumps(m.to_dict(), sort_keys=True, indent=1) + "\n"
        return cls.from_dict(json.loads(text), text=text)

    def sidecar(self) -> dict[str, Any]:
        """Sidecar content: sha256, training data, features, walkback version."""
        return {
            "model_file_sha256": self.sha256,
            "sensors": list(self.sensors),
            "classes": list(self.classes),
            "pace_classes": list(self.pace_classes),
            "training": self.training,
            "feature_names": list(self.feature_names),
            "params": self.params,
            "walkback_version": __version__,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model file and its sidecar (atomically); returns the model path."""
        path = Path(path)
        write_text_atomic(path, self.text)
        write_text_atomic(sidecar_path(path), json.dumps(self.sidecar(), indent=1) + "\n")
        umask = os.umask(0)
        os.umask(umask)
        for p in (path, sidecar_path(path)):
            os.chmod(p, 0o666 & ~umask)  # readable like any other file (temp files are 0600)
        return path


def _parse(text: str, where: str) -> Model:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelArtifactError(f"{where}: model file is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise ModelArtifactError(f"{where}: model file is not a JSON object")
    try:
        return Model.from_dict(doc, text=text)
    except ModelArtifactError as exc:
        raise ModelArtifactError(f"{where}: {exc}") from exc


def _verify(text: str, meta_text: str | None, where: str) -> None:
    if meta_text is None:
        return
    try:
        want = json.loads(meta_text)["model_file_sha256"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelArtifactError(f"{where}: sidecar has no model_file_sha256 ({exc})") from exc
    got = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if got != want:
        raise ModelArtifactError(
            f"{where}: checksum mismatch (file sha256 {got}, sidecar says {want}); "
            "the model file was altered or truncated"
        )


def load_model(path: str | Path, require_sidecar: bool = False) -> Model:
    """Load a model file; its sidecar's sha256 is verified when the sidecar exists."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelArtifactError(f"{path}: cannot read model file ({exc})") from exc
    side = sidecar_path(path)
    if side.exists():
        meta = side.read_text(encoding="utf-8")
    elif require_sidecar:
        raise ModelArtifactError(f"{path}: sidecar {side.name} with the sha256 is missing")
    else:
        meta = None
    _verify(text, meta, str(path))
    return _parse(text, str(path))


def load_default_model() -> Model:
    """The shipped thigh model (package data), checksum-verified against its sidecar."""
    if "model" not in _DEFAULT:
        base = resources.files("walkback").joinpath("data", "models")
        try:
            text = base.joinpath(DEFAULT_MODEL).read_text(encoding="utf-8")
            meta = base.joinpath(DEFAULT_MODEL + ".meta.json").read_text(encoding="utf-8")
        except (OSError, FileNotFoundError) as exc:
            raise ModelArtifactError(f"shipped model {DEFAULT_MODEL} is missing ({exc})") from exc
        where = f"walkback/data/models/{DEFAULT_MODEL}"
        _verify(text, meta, where)
        _DEFAULT["model"] = _parse(text, where)
    return _DEFAULT["model"]


_DEFAULT: dict[str, Model] = {}
