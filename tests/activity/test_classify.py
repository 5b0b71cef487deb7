"""classify(): the epochs schema, real activities of an unseen person, non-wear, back and cycling."""

from __future__ import annotations

import numpy as np
import pytest

from _support.activity import make_prepared, segment_of
from _support.synth import pedalling_thigh, rotate_to_lying
from walkback.activity import classify, datasets
from walkback.activity.classify import EPOCH_COLUMNS
from walkback.activity.settings import ActivitySettings
from walkback.errors import InputDataError

UNSEEN = "062"  # not among the tiny model's training subjects


@pytest.fixture(scope="module")
def unseen(selfback_root):
    return datasets.load_selfback(selfback_root, subjects=[UNSEEN])


def _clip(seg, seconds=60):
    a = seg.thigh_g[np.isfinite(seg.thigh_g).all(axis=1)]
    return a[250 : 250 + int(seconds * 50)]


def _timeline(unseen):
    parts, truth = [], []
    for folder, study in (("standing", "standing"), ("walk_mod", "walking"),
                          ("sitting", "sedentary"), (None, "non_wear"), ("jogging", "running"),
                          ("lying", "sedentary")):
        a = np.full((1000, 3), np.nan, np.float32) if folder is None else \
            _clip(segment_of(unseen, UNSEEN, folder))
        parts.append(a)
        truth += [study] * (len(a) // 250)
    return np.concatenate(parts), np.array(truth, object)


def test_epochs_schema_and_classes_of_an_unseen_person(unseen, tiny_model):
    thigh, truth = _timeline(unseen)
    prep = make_prepared(thigh, start_ns=1_700_000_000_000_000_000)
    ep = classify(prep, tiny_model)
    assert list(ep.columns) == list(EPOCH_COLUMNS)
    assert ep["start_ns"].dtype == np.int64 and ep["confidence"].dtype == np.float32
    assert ep["thigh_wear"].dtype == bool and ep["back_wear"].dtype == bool
    assert len(ep) == len(thigh) // 250
    assert (np.diff(ep["start_ns"]) == 5_000_000_000).all()
    assert ep["start_ns"].iloc[0] == prep.start_ns
    got = ep["study_class"].to_numpy()
    assert (got == truth).mean() >= 0.9, list(zip(truth, got, strict=True))
    assert (got[truth == "non_wear"] == "non_wear").all()
    assert not ep["thigh_wear"][truth == "non_wear"].any()
    assert not ep["back_wear"].any()
    walk = ep["activity"].isin(["walking", "stairs_up", "stairs_down"])
    assert ep.loc[walk, "pace"].isin(["slow", "moderate", "brisk"]).all()
    assert (ep.loc[~walk, "pace"] == "").all()
    ok = ep["activity"] != "non_wear"
    assert ep.loc[ok, "confidence"].between(0, 1).all()
    assert ep.attrs["model_sha256"] == tiny_model.sha256
    assert ep.attrs["mode"] == "thigh model"


def test_back_sensor_splits_sedentary(unseen, tiny_model, harth_segments):
    har = next(s for s in harth_segments if "har70plus" in s.subject)
    sit_back = har.back_g[har.activity == "sitting"]
    sit_back = sit_back[np.isfinite(sit_back).all(axis=1)][:3000]
    stand_back = har.back_g[har.activity == "standing"]
    stand_back = stand_back[np.isfinite(stand_back).all(axis=1)][:3000]
    thigh_sit = _clip(segment_of(unseen, UNSEEN, "sitting"))
    thigh_lie = _clip(segment_of(unseen, UNSEEN, "lying"))
    thigh = np.concatenate([thigh_sit, thigh_lie])
    back = np.concatenate([sit_back, rotate_to_lying(stand_back, "supine")])
    ep = classify(make_prepared(thigh, back), tiny_model)
    assert (ep["activity"].iloc[:12] == "sitting").all()
    assert (ep["activity"].iloc[12:] == "lying").all()
    assert ep["back_wear"].all()
    # the back sensor off: sedentary again
    back_off = back.copy()
    back_off[:] = np.nan
    ep2 = classify(make_prepared(thigh, back_off), tiny_model)
    assert (ep2["activity"] == "sedentary").all()


def test_generated_pedalling_is_cycling(tiny_model):
    thigh = pedalling_thigh(60, rpm=70)
    ep = classify(make_prepared(thigh), tiny_model)
    assert (ep["activity"] == "cycling").mean() >= 0.9
    assert (ep["study_class"] == ep["activity"]).all()
    off = classify(make_prepared(thigh), tiny_model, ActivitySettings(cycling_rule=False))
    assert not (off["activity"] == "cycling").any()


def test_overlap_setting_and_errors(unseen, tiny_model):
    thigh = _clip(segment_of(unseen, UNSEEN, "standing"))
    ep = classify(make_prepared(thigh), tiny_model, ActivitySettings(overlap=0.5))
    assert len(ep) == (len(thigh) - 250) // 125 + 1
    prep = make_prepared(thigh)
    bad = type(prep)(**{**prep.__dict__, "fs_hz": 100.0})
    with pytest.raises(InputDataError, match="Hz"):
        classify(bad, tiny_model)


def test_default_model_is_used(unseen):
    thigh = _clip(segment_of(unseen, UNSEEN, "walk_mod"))
    ep = classify(make_prepared(thigh))
    assert (ep["study_class"] == "walking").mean() >= 0.9
