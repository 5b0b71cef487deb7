"""ActivityClassifier: scikit-learn conventions."""

from __future__ import annotations

import numpy as np
import pytest

from _support.activity import TINY, make_prepared
from walkback.activity import ActivityClassifier, load_default_model
from walkback.errors import NotFittedError


def test_unfitted_raises_and_init_stores_only():
    est = ActivityClassifier(TINY)
    assert est.train_settings is TINY and est.settings is None
    assert not hasattr(est, "model_")
    with pytest.raises(NotFittedError):
        est.predict(make_prepared(np.zeros((500, 3), np.float32)))
    with pytest.raises(NotFittedError):
        _ = est.classes_


def test_fit_returns_self_and_predicts(selfback_segments, tiny_model):
    est = ActivityClassifier(TINY)
    assert est.fit(selfback_segments) is est
    assert est.model_.sha256 == tiny_model.sha256
    seg = next(s for s in selfback_segments if "/standing/" in s.name)
    thigh = seg.thigh_g[np.isfinite(seg.thigh_g).all(axis=1)][:2500]
    ep = est.predict(make_prepared(thigh))
    assert (ep["activity"] == "standing").mean() >= 0.9
    p = est.predict_proba(np.zeros((2, len(est.feature_names_)), np.float32))
    assert p.shape == (2, len(est.classes_))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_pretrained_uses_the_shipped_model():
    est = ActivityClassifier.pretrained()
    assert est.model_.sha256 == load_default_model().sha256
