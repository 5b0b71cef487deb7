"""The compiled tree evaluator gives LightGBM's probabilities; batched classify equals one pass."""

from __future__ import annotations

import sys

import lightgbm as lgb
import numpy as np
import pytest

from _support.activity import make_prepared, segment_of
from walkback.activity import _trees, classify, datasets
from walkback.activity.classify import decide
from walkback.activity.features import compute_features, inclination, orientation_summary
from walkback.activity.settings import ActivitySettings

CM = sys.modules["walkback.activity.classify"]  # the module (the package exports the function)


@pytest.fixture(scope="module")
def real_rows(selfback_segments):
    ws = datasets.windows_from_segments(selfback_segments, ("thigh",), 5.0, 5.0)
    return ws.X


def _lgb(text, X):
    return lgb.Booster(model_str=text).predict(X, num_threads=1)


def test_compiled_trees_equal_lightgbm_on_real_windows(tiny_model, real_rows):
    X = real_rows.copy()
    X[::7, 3] = np.nan  # missing values take LightGBM's direction
    X[::11, 10] = 0.0
    X[5] = np.nan
    for text in (tiny_model.activity_booster, tiny_model.pace_booster):
        forest = _trees.parse(text)
        assert forest is not None
        got = _trees.predict_proba(forest, X)
        want = _lgb(text, X)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert (got.argmax(axis=1) == want.argmax(axis=1)).all()
    p = tiny_model.predict_proba(real_rows)
    assert p.dtype == np.float32 and p.shape == (len(real_rows), len(tiny_model.classes))


def test_deep_trees_nan_as_missing_and_zero_as_missing():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 6)).astype(np.float32)
    X[rng.random(X.shape) < 0.1] = np.nan
    X[rng.random(X.shape) < 0.05] = 0.0
    y = (np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * 2 > 0).astype(int) + \
        (np.nan_to_num(X[:, 2]) > 1).astype(int)
    for zero_as_missing in (False, True):
        params = {"objective": "multiclass", "num_class": 3, "num_leaves": 31, "max_depth": 12,
                  "min_data_in_leaf": 2, "verbosity": -1, "num_threads": 1,
                  "zero_as_missing": zero_as_missing, "deterministic": True}
        text = lgb.train(params, lgb.Dataset(X, y), 20).model_to_string()
        forest = _trees.parse(text)
        assert forest is not None and forest.depth.max() >= 8
        np.testing.assert_allclose(_trees.predict_proba(forest, X), _lgb(text, X), atol=1e-12)


def test_unsupported_models_fall_back_to_lightgbm():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    binary = lgb.train({"objective": "binary", "verbosity": -1}, lgb.Dataset(X, X[:, 0] > 0), 5)
    assert _trees.parse(binary.model_to_string()) is None
    X[:, 2] = rng.integers(0, 5, 500)
    cat = lgb.train({"objective": "multiclass", "num_class": 2, "verbosity": -1,
                     "min_data_per_group": 5, "cat_smooth": 1},
                    lgb.Dataset(X, X[:, 2] > 2, categorical_feature=[2]), 5)
    assert _trees.parse(cat.model_to_string()) is None


def test_batched_classify_equals_one_pass(selfback_segments, tiny_model, monkeypatch):
    walk = segment_of(selfback_segments, "026", "walk_fast").thigh_g[:6000]
    sit = segment_of(selfback_segments, "026", "sitting").thigh_g[:4000]
    thigh = np.concatenate([walk, sit, walk[:3000]])
    back = np.roll(thigh, 7, axis=0)
    prep = make_prepared(thigh, back)
    full = classify(prep, tiny_model)
    monkeypatch.setattr(CM, "_BATCH", 5)
    small = classify(prep, tiny_model)
    for col in ("activity", "study_class", "pace"):
        assert (full[col] == small[col]).all()
    np.testing.assert_allclose(full["confidence"], small["confidence"], rtol=1e-6)
    # and both equal the documented per-window decision on the full feature matrix
    st = np.arange(len(full)) * 250
    X = compute_features(prep.thigh_g, st, 250, 50.0, names=list(tiny_model.feature_names))
    incl, sd = orientation_summary(prep.back_g, st, 250)
    act, _ = decide(tiny_model, X, ActivitySettings(), None, incl, sd, np.ones(len(st), bool))
    assert (act == full["activity"].to_numpy()).all()


def test_inclination_equals_orientation_summary(selfback_segments):
    a = segment_of(selfback_segments, "041", "walk_slow").thigh_g[:5000].copy()
    a[1000:1010] = np.nan
    for starts in (np.arange(0, 4750, 250), np.arange(0, 4750, 125)):
        np.testing.assert_allclose(inclination(a, starts, 250),
                                   orientation_summary(a, starts, 250)[0], atol=1e-3)


@pytest.mark.parametrize("smooth", [1, 3, 5])
def test_pace_only_for_candidates_gives_the_same_pace(selfback_segments, tiny_model, monkeypatch,
                                                      smooth):
    parts = [segment_of(selfback_segments, "041", f).thigh_g[:3000]
             for f in ("walk_slow", "standing", "jogging", "walk_fast", "upstairs", "sitting")]
    prep = make_prepared(np.concatenate(parts))
    settings = ActivitySettings(smooth_windows=smooth)
    got = classify(prep, tiny_model, settings)
    monkeypatch.setattr(CM, "_pace_candidates", lambda p, model, half: np.ones(len(p), bool))
    monkeypatch.setattr(CM, "_BATCH", 7)
    want = classify(prep, tiny_model, settings)
    assert (got["pace"] == want["pace"]).all() and (got["activity"] == want["activity"]).all()
    assert (got["pace"] != "").sum() >= 20
