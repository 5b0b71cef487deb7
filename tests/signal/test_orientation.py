"""Orientation: flipped / rotated copies of real recordings are detected and restored."""

from __future__ import annotations

import numpy as np
import pytest

from walkback.errors import InputDataError
from walkback.signal.orientation import canonicalise

# Rotations applied to the readings: reading' = R @ reading (proper rotations, det = +1).
ROTATIONS = {
    "upside_down": np.diag([-1, -1, 1]),  # 180 deg about the skin normal: long axis reversed
    "inside_out": np.diag([1, -1, -1]),  # 180 deg about the long axis: skin normal reversed
    "both": np.diag([-1, 1, -1]),  # 180 deg about y
    "rot90_long": np.array([[1, 0, 0], [0, 0, -1], [0, 1, 0]]),  # 90 deg about the long axis
    "rot270_long": np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]]),
    "permuted_xyz_to_yzx": np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]]),  # other dataset's axes
}


def _rotate(x: np.ndarray, r: np.ndarray) -> np.ndarray:
    return (x @ r.T.astype(np.float32)).astype(np.float32)


def _selfback_day(selfback, subject: str) -> tuple[np.ndarray, list[slice]]:
    parts = [selfback(a, subject)[1] for a in ("walk_mod", "sitting", "standing", "lying")]
    bounds = np.cumsum([0] + [p.shape[0] for p in parts])
    return np.concatenate(parts), [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


@pytest.mark.parametrize("subject", ["026", "027", "031", "044"])
def test_selfback_physics_in_canonical_axes(selfback, subject):
    x, (walk, sit, stand, lie) = _selfback_day(selfback, subject)
    c, rep = canonicalise(x, 100.0, "thigh")
    assert rep.determined and rep.long_axis_evidence == "gait"
    assert rep.skin_axis_evidence == "horizontal_postures"
    assert np.median(c[walk, 0]) > 0.8  # walking: thigh long axis up
    assert np.median(c[stand, 0]) > 0.8
    assert np.median(c[sit, 2]) > 0.8  # sitting: front of the thigh faces up
    assert np.linalg.det(np.array(rep.matrix)) == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(ROTATIONS))
def test_rotated_selfback_copies_are_restored(selfback, name):
    x, _ = _selfback_day(selfback, "027")
    ref, ref_rep = canonicalise(x, 100.0, "thigh")
    r = ROTATIONS[name]
    got, rep = canonicalise(_rotate(x, r), 100.0, "thigh")
    np.testing.assert_allclose(got, ref, atol=1e-5)
    assert rep.determined
    # the report states what the rotation did to the device axes
    restored = np.array(rep.matrix) @ r
    np.testing.assert_array_equal(restored, np.array(ref_rep.matrix))
    if name == "upside_down":
        assert rep.long_axis_reversed != ref_rep.long_axis_reversed
        assert rep.skin_axis_reversed == ref_rep.skin_axis_reversed
    if name == "inside_out":
        assert rep.long_axis_reversed == ref_rep.long_axis_reversed
        assert rep.skin_axis_reversed != ref_rep.skin_axis_reversed
    if name.startswith(("rot", "perm")):
        assert rep.axes_permuted


def _har70_tiled(har70):
    """HAR70+ 501: its 6.8 s of real walking tiled 6x, then its real sitting and standing."""
    t, thigh, back, lab = har70
    walk = np.flatnonzero(lab == 1)
    sit = np.flatnonzero(lab == 7)
    stand = np.flatnonzero(lab == 6)
    w = walk[: (walk.size // 250) * 250]  # whole 5-s windows at 50 Hz
    idx = np.concatenate([np.tile(w, 8), sit, stand])
    n_walk = w.size * 8
    return thigh[idx], back[idx], slice(0, n_walk), slice(n_walk, n_walk + sit.size)


@pytest.mark.parametrize("name", sorted(ROTATIONS))
def test_rotated_har70_thigh_and_back_are_restored(har70, name):
    thigh, back, walk, sit = _har70_tiled(har70)
    ref, ref_rep = canonicalise(thigh, 50.0, "thigh")
    assert ref_rep.determined
    assert np.median(ref[walk, 0]) > 0.8 and np.median(ref[sit, 2]) > 0.8
    got, _ = canonicalise(_rotate(thigh, ROTATIONS[name]), 50.0, "thigh")
    np.testing.assert_allclose(got, ref, atol=1e-5)
    # back: upright in walking and sitting, never horizontal here -> long axis known, skin
    # normal from gait variance (axis only) at best
    bref, brep = canonicalise(back, 50.0, "back")
    assert brep.long_axis_evidence == "gait" and np.median(bref[:, 0]) > 0.8
    bgot, grep = canonicalise(_rotate(back, ROTATIONS[name]), 50.0, "back")
    assert np.median(bgot[:, 0]) > 0.8
    assert grep.skin_axis_evidence in ("gait_variance", "undetermined")
    assert not grep.determined


def test_standing_only_chunk_is_undetermined_and_left_alone(selfback):
    _, x = selfback("standing", "027")
    c, rep = canonicalise(x, 100.0, "thigh")
    assert rep.long_axis_evidence == "undetermined" and not rep.determined
    np.testing.assert_array_equal(rep.matrix, np.eye(3, dtype=int))
    np.testing.assert_allclose(c, x)
    assert any("undetermined" in n for n in rep.notes)


def test_posture_hint_fixes_the_known_part_only(selfback):
    _, x = selfback("standing", "027")
    for r in (np.eye(3, dtype=int), ROTATIONS["upside_down"], ROTATIONS["permuted_xyz_to_yzx"]):
        c, rep = canonicalise(_rotate(x, r), 100.0, "thigh", posture_hint="upright")
        assert rep.long_axis_evidence == "posture_hint"
        assert rep.skin_axis_evidence == "undetermined"
        assert np.median(c[:, 0]) > 0.9
    _, s = selfback("sitting", "027")
    c, rep = canonicalise(s, 100.0, "thigh", posture_hint="horizontal")
    assert rep.skin_axis_evidence == "posture_hint" and np.median(c[:, 2]) > 0.8


def test_side_lying_does_not_masquerade_as_the_skin_normal(selfback):
    x, (walk, sit, stand, lie) = _selfback_day(selfback, "027")
    ref, _ = canonicalise(x, 100.0, "thigh")
    # add 20 min of lying on the left side and 15 min on the right side (y carries gravity)
    side = np.tile(np.array([[0.0, 1.0, 0.0]], np.float32), (120_000, 1))
    side += np.random.default_rng(0).normal(0, 0.004, side.shape).astype(np.float32)
    side[:70_000, 1] *= -1
    x2 = np.concatenate([x, side @ np.diag([-1, 1, -1]).astype(np.float32)])
    got, rep = canonicalise(x2, 100.0, "thigh")
    np.testing.assert_allclose(got[: x.shape[0]], ref, atol=1e-5)


def test_bad_input_is_rejected():
    with pytest.raises(InputDataError, match="must be \\(n, 3\\)"):
        canonicalise(np.zeros((10, 2)), 50.0)
    with pytest.raises(InputDataError, match="sensor"):
        canonicalise(np.zeros((10, 3)), 50.0, "wrist")


@pytest.mark.parametrize("name", sorted(ROTATIONS))
def test_rotated_harth_standing_with_upright_hint(harth, name):
    # HARTH S006: 100 s of mostly standing/shuffling (no gait to speak of): only the long axis can be
    # known, and only when the caller says the chunk is upright
    _, thigh, back, _ = harth
    for x in (thigh, back):
        ref, ref_rep = canonicalise(x, 100.0, "thigh", posture_hint="upright")
        got, rep = canonicalise(_rotate(x, ROTATIONS[name]), 100.0, "thigh",
                                posture_hint="upright")
        assert rep.long_axis_evidence == "posture_hint" and not rep.determined
        assert np.median(got[:, 0]) > 0.9
        np.testing.assert_allclose(got[:, 0], ref[:, 0], atol=1e-5)
