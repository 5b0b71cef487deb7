"""Model artefact: deterministic training, text format, checksums, the shipped model."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from _support.activity import TINY
from walkback.activity import datasets
from walkback.activity.model import (
    DEFAULT_MODEL,
    load_default_model,
    load_model,
    sidecar_path,
)
from walkback.activity.train import fit
from walkback.errors import InputDataError, ModelArtifactError


def test_training_twice_gives_identical_bytes(selfback_root, tiny_model):
    segs = datasets.load_selfback(selfback_root, subjects=["026", "041", "055"])
    again = fit(segs, TINY)
    assert again.text == tiny_model.text
    assert again.sha256 == tiny_model.sha256
    assert tiny_model.classes == ("sedentary", "standing", "walking", "stairs_up", "stairs_down",
                                  "running")
    assert tiny_model.pace_classes == ("slow", "moderate", "brisk")


def test_save_load_roundtrip_and_checksum(tmp_path, tiny_model):
    path = tiny_model.save(tmp_path / "m.json")
    meta = json.loads(sidecar_path(path).read_text())
    assert meta["model_file_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta["feature_names"] == list(tiny_model.feature_names)
    assert "walkback_version" in meta and meta["training"]["subjects"]
    back = load_model(path, require_sidecar=True)
    assert back.sha256 == tiny_model.sha256
    assert back.classes == tiny_model.classes
    # tampering with one character is detected
    text = path.read_text()
    assert '"num_leaves": 15' in text
    path.write_text(text.replace('"num_leaves": 15', '"num_leaves": 16'))
    with pytest.raises(ModelArtifactError, match="checksum mismatch"):
        load_model(path)


def test_malformed_files_raise_model_artifact_error(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text("not json")
    with pytest.raises(ModelArtifactError, match="not valid JSON"):
        load_model(p)
    p.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ModelArtifactError, match="not a walkback activity model"):
        load_model(p)
    with pytest.raises(ModelArtifactError, match="sidecar"):
        load_model(p, require_sidecar=True)
    with pytest.raises(ModelArtifactError, match="cannot read"):
        load_model(tmp_path / "missing.json")


def test_shipped_model_matches_its_sidecar():
    base = resources.files("walkback").joinpath("data", "models")
    raw = base.joinpath(DEFAULT_MODEL).read_bytes()
    meta = json.loads(base.joinpath(DEFAULT_MODEL + ".meta.json").read_text())
    assert hashlib.sha256(raw).hexdigest() == meta["model_file_sha256"]
    m = load_default_model()
    assert m.sha256 == meta["model_file_sha256"]
    assert m.sensors == ("thigh",)
    assert "sedentary" in m.classes and "walking" in m.classes
    assert set(m.pace_classes) == {"slow", "moderate", "brisk"}
    assert not raw.startswith(b"\x80"), "never a pickle"


def test_thigh_back_model_refused_without_back(selfback_segments):
    from walkback.activity.settings import TrainSettings

    with pytest.raises(InputDataError, match="no back"):
        fit(selfback_segments, TrainSettings(sensors="thigh+back"))
