"""Trunk and cycling rules on real back / thigh signals and on generated postures and pedalling."""

from __future__ import annotations

import numpy as np
import pytest

from _support.synth import pedalling_thigh, quiet_trunk, rotate_to_lying
from walkback.activity.features import (
    compute_features,
    feature_names,
    orientation_summary,
    window_starts,
)
from walkback.activity.rules import RULE_FEATURES, cycling_mask, trunk_split

COL = {n: i for i, n in enumerate(feature_names(("thigh",)))}


def _trunk_by_label(seg):
    st = window_starts(len(seg.back_g), 250, 250)
    incl, _ = orientation_summary(seg.back_g, st, 250)
    lab = seg.activity[st + 125]
    return incl, lab


def test_trunk_rule_on_real_harth_back_signals(harth_segments):
    """Real sitting (HAR70+) stays sitting; real upright postures never become lying."""
    seen = set()
    for seg in harth_segments:
        incl, lab = _trunk_by_label(seg)
        ok = np.isfinite(incl)
        sit = ok & (lab == "sitting")
        if sit.any():
            out = trunk_split(np.full(sit.sum(), "sedentary", object), incl[sit],
                              np.ones(sit.sum(), bool))
            assert (out == "sitting").all()
            seen.add("sitting")
        for upright in ("standing", "walking"):
            m = ok & (lab == upright)
            if m.any():
                assert incl[m].max() < 65.0  # HAR70+ standing reaches ~50 deg when bending
                seen.add(upright)
    assert {"sitting", "standing"} <= seen


@pytest.mark.parametrize("posture", ["supine", "prone", "left", "right"])
def test_trunk_rule_on_generated_lying(harth_segments, posture):
    """Real standing back signals (trunk upright) rotated to lying postures become lying."""
    seg = harth_segments[0]
    incl, lab = _trunk_by_label(seg)
    st = window_starts(len(seg.back_g), 250, 250)
    lying = rotate_to_lying(seg.back_g, posture)
    incl_l, _ = orientation_summary(lying, st, 250)
    ok = np.isfinite(incl_l) & (lab == "standing") & (incl < 25.0)
    out = trunk_split(np.full(ok.sum(), "sedentary", object), incl_l[ok], np.ones(ok.sum(), bool))
    assert (out == "lying").all()
    assert incl_l[ok].min() > 65.0


def test_trunk_rule_leaves_other_classes_and_unworn_back():
    act = np.array(["sedentary", "sedentary", "walking", "sedentary"], object)
    out = trunk_split(act, np.array([80.0, 10.0, 80.0, 80.0]), np.array([True, True, True, False]))
    assert out.tolist() == ["lying", "sitting", "walking", "sedentary"]


def _rule(a, back=None):
    st = window_starts(len(a), 250, 250)
    X = compute_features(a, st, 250, 50.0)
    f = {n: X[:, COL[n]] for n in RULE_FEATURES}
    if back is None:
        return cycling_mask(f)
    incl, sd = orientation_summary(back, st, 250)
    return cycling_mask(f, sd, incl)


@pytest.mark.parametrize("rpm", [45, 60, 75, 90, 105])
@pytest.mark.parametrize("mean_deg", [55.0, 70.0])
def test_cycling_rule_fires_on_generated_pedalling(rpm, mean_deg):
    a = pedalling_thigh(60, rpm=rpm, mean_deg=mean_deg, seed=rpm)
    assert _rule(a).mean() >= 0.9
    assert _rule(a, quiet_trunk(len(a))).mean() >= 0.9


def test_cycling_rule_needs_a_quiet_upright_trunk():
    a = pedalling_thigh(60, rpm=70)
    lying_trunk = quiet_trunk(len(a), lean_deg=85.0)
    assert _rule(a, lying_trunk).mean() == 0.0


def test_cycling_rule_silent_on_static_and_real_selfback(selfback_segments):
    still = np.tile([0.3, 0.0, 0.95], (3000, 1)).astype(np.float32)  # sitting
    assert not _rule(still).any()
    fired = {}
    for seg in selfback_segments:
        m = _rule(seg.thigh_g[np.isfinite(seg.thigh_g).all(axis=1)])
        fired[seg.name.split("/")[-2]] = fired.get(seg.name.split("/")[-2], 0) + int(m.sum())
    assert sum(fired.values()) == 0, fired


def test_cycling_needs_two_adjacent_windows():
    from walkback.activity.rules import persistent

    m = np.array([1, 0, 1, 1, 0, 1, 1, 0], bool)
    breaks = np.zeros(8, bool)
    breaks[6] = True  # windows 5 and 6 are not adjacent in time
    assert persistent(m, breaks).tolist() == [0, 0, 1, 1, 0, 0, 0, 0]
    assert persistent(m).tolist() == [0, 0, 1, 1, 0, 1, 1, 0]


def _horizontal(thigh: np.ndarray) -> np.ndarray:
    from walkback.activity.rules import horizontal_still_mask

    st = window_starts(len(thigh), 250, 250)
    X = compute_features(thigh, st, 250, 50.0, names=list(RULE_FEATURES))
    return horizontal_still_mask({n: X[:, i] for i, n in enumerate(RULE_FEATURES)})


@pytest.mark.parametrize("roll_deg", [0.0, 90.0, -90.0, 180.0])
def test_horizontal_rule_fires_on_still_lying_in_every_posture(roll_deg):
    r = np.radians(roll_deg)
    rng = np.random.default_rng(1)
    g = np.array([0.1, -np.sin(r), np.cos(r)]) + 0.004 * rng.standard_normal((3000, 3))
    assert _horizontal(g.astype(np.float32)).all()


def test_horizontal_rule_fires_only_on_real_sitting_and_lying(selfback_segments, harth_segments):
    """On real labelled thigh data a horizontal, still thigh is sitting or lying, never standing,
    walking, stairs or running (checked on all 26 SELFBACK people in docs/VALIDATION.md)."""
    fired: dict[str, int] = {}
    for seg in [*selfback_segments, *harth_segments]:
        ok = np.isfinite(seg.thigh_g).all(axis=1)
        st = window_starts(int(ok.sum()), 250, 250)
        m = _horizontal(seg.thigh_g[ok])
        for lab in np.unique(seg.activity[ok][st + 125][m]):
            fired[lab] = fired.get(lab, 0) + 1
    assert set(fired) <= {"sitting", "lying"}, fired
    assert fired.get("sitting", 0) and fired.get("lying", 0)


def test_horizontal_rule_overrides_the_model_but_not_cycling():
    from walkback.activity.rules import apply_horizontal

    act = np.array(["standing", "running", "cycling", "walking", "sedentary"], object)
    out = apply_horizontal(act, np.array([1, 1, 1, 0, 1], bool))
    assert out.tolist() == ["sedentary", "sedentary", "cycling", "walking", "sedentary"]
