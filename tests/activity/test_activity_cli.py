"""``walkback train`` / ``walkback evaluate`` end to end on a few real SELFBACK subjects."""

from __future__ import annotations

import json

import numpy as np
import pytest

from _support.activity import make_prepared
from walkback.activity import classify, datasets, load_model
from walkback.cli import main
from walkback.errors import InputDataError


def test_train_is_reproducible_and_evaluate_writes_metrics(tmp_path, selfback_root, shared_data):
    args = ["train", "--data", str(selfback_root), "--format", "selfback", "--subjects",
            "026,041"]
    assert main([*args, "--out", str(tmp_path / "a.json")]) == 0
    assert main([*args, "--out", str(tmp_path / "b.json")]) == 0
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    meta = json.loads((tmp_path / "a.json.meta.json").read_text())
    assert meta["training"]["subjects"] == ["selfback-026", "selfback-041"]

    out = tmp_path / "metrics.json"
    assert main(["evaluate", "--data", str(selfback_root), "--format", "selfback", "--subjects",
                 "062", "--model", str(tmp_path / "a.json"), "--out", str(out)]) == 0
    m = json.loads(out.read_text())
    for key in ("macro_f1", "merged_macro_f1", "walking_f1", "pace_accuracy", "per_class",
                "confusion_matrix"):
        assert key in m
    assert m["model_sha256"] == meta["model_file_sha256"]
    assert m["merged_macro_f1"] > 0.8
    assert set(m["per_class"]["walking"]) == {"precision", "recall", "f1", "support"}
    assert len(m["confusion_matrix"]["labels"]) == len(m["confusion_matrix"]["matrix"])


def test_loso_evaluation_of_the_recipe(tmp_path, selfback_root):
    out = tmp_path / "loso.json"
    assert main(["evaluate", "--data", str(selfback_root), "--format", "selfback", "--subjects",
                 "026,041", "--out", str(out)]) == 0
    m = json.loads(out.read_text())
    assert m["evaluation"].startswith("leave-one-subject-out")
    assert m["subjects"] == ["selfback-026", "selfback-041"]
    assert set(m["smoothing_comparison"]) == {"smooth_1", "smooth_3", "smooth_5"}
    assert m["n_windows"] > 500


def test_mismatched_data_and_format_is_one_clear_error(tmp_path, selfback_root, capsys):
    code = main(["train", "--data", str(selfback_root), "--data", str(selfback_root),
                 "--format", "selfback", "--out", str(tmp_path / "m.json")])
    assert code == 2
    assert "one --format per --data" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["harth"])
def test_harth_format_trains_a_dual_sensor_model(tmp_path, shared_data, fmt):
    out = tmp_path / "dual.json"
    assert main(["train", "--data", str(shared_data / "harth-samples"), "--format", fmt,
                 "--out", str(out)]) == 0
    meta = json.loads((tmp_path / "dual.json.meta.json").read_text())
    assert meta["sensors"] == ["thigh", "back"]
    assert "sitting" in meta["classes"] and "sedentary" not in meta["classes"]
    assert any(n.startswith("back_") for n in meta["feature_names"])
    # the dual model classifies a two-sensor Prepared directly (no trunk rule needed)
    har = next(s for s in datasets.load_harth(shared_data / "harth-samples")
               if "har70" in s.subject)
    ok = np.isfinite(har.thigh_g).all(axis=1) & np.isfinite(har.back_g).all(axis=1)
    sit = ok & (har.activity == "sitting")
    ep = classify(make_prepared(har.thigh_g[sit], har.back_g[sit]), load_model(out))
    assert (ep["activity"] == "sitting").mean() >= 0.9
    with pytest.raises(InputDataError, match="needs a back sensor"):
        classify(make_prepared(har.thigh_g[sit]), load_model(out))
