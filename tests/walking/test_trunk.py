"""Trunk angles on constructed back signals: forward direction from sit/stand transitions, a
sensor turned about its skin normal, no reference -> empty columns and a note, settings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _support.trunk import rotation
from walkback.activity import EpochInfo, with_epoch_info
from walkback.errors import SettingsError
from walkback.settings import from_mapping
from walkback.signal import calendar_days
from walkback.signal.types import Prepared
from walkback.study_settings import load_study_settings
from walkback.walking import TrunkSettings, WalkingSettings, measure_trunk, trunk_columns
from walkback.walking._trunk_reference import rayleigh_p
from walkback.walking.trunk import epoch_trunk, trunk_daily

FS = 50.0
TZ = "Europe/Oslo"
T0 = int(pd.Timestamp("2024-05-06 08:00", tz=TZ).tz_convert("UTC").value)
CLASS = {"walking": "walking", "standing": "standing", "sitting": "sitting", "lying": "lying"}


def _signal(segments, *, flex_deg: float = 25.0, seed: int = 0, device=None):
    """Canonical back signal (50 Hz) for ``(activity, seconds, forward_deg)`` segments (forward =
    towards +z); each sit/stand change gets a 2-s forward flexion of ``flex_deg``. ``device``
    rotates the sensor on the back (applied last). Returns the signal and 5-s epoch labels."""
    rng = np.random.default_rng(seed)
    ang = np.concatenate([np.full(int(s * FS), a, float) for _, s, a in segments])
    act = np.concatenate([[c] * int(s / 5) for c, s, _ in segments]).astype(object)
    bounds = np.cumsum([int(s * FS) for _, s, _ in segments])[:-1]
    kinds = [c for c, _, _ in segments]
    for i, b in enumerate(bounds):
        if {kinds[i], kinds[i + 1]} & {"sitting"} and {kinds[i], kinds[i + 1]} - {"sitting"}:
            w = np.arange(-50, 50)
            ang[b + w] += flex_deg * (0.5 + 0.5 * np.cos(np.pi * w / 50))
    r = np.radians(ang)
    g = np.stack([np.cos(r), np.zeros_like(r), np.sin(r)], axis=1)
    walk = np.repeat(act == "walking", int(5 * FS))
    t = np.arange(len(g)) / FS
    g[walk, 0] += 0.2 * np.sin(2 * np.pi * 2.0 * t[walk])
    g[walk, 2] += 0.1 * np.sin(2 * np.pi * 2.0 * t[walk] + 1.0)
    g += rng.normal(0, 0.01, g.shape)
    return (g @ (np.eye(3) if device is None else np.asarray(device)).T).astype(np.float32), act


def _prepared(back, skin_evidence="undetermined", back_wear=None):
    n = back.shape[0]
    return Prepared(fs_hz=FS, start_ns=T0, thigh_g=np.zeros((n, 3), np.float32),
                    thigh_wear=np.ones(n, bool), timezone=TZ,
                    days=calendar_days(T0, n, FS, TZ), back_g=back,
                    back_wear=np.ones(n, bool) if back_wear is None else back_wear,
                    qc={"back": {"orientation": {"skin_axis_evidence": skin_evidence}}})


def _epochs(act):
    ep = pd.DataFrame({"start_ns": T0 + np.arange(len(act), dtype=np.int64) * 5_000_000_000,
                       "activity": act, "study_class": [CLASS[a] for a in act]})
    return with_epoch_info(ep, EpochInfo(5.0, 5.0, TZ))


def _day_with_bends(n_sits: int = 8, bend: float = 50.0):
    """Walking, then standing / sitting alternations; every standing period holds a 20-s bend."""
    seg = [("walking", 120, 6.0)]
    for _ in range(n_sits):
        seg += [("standing", 30, 0.0), ("standing", 20, bend), ("standing", 30, 0.0),
                ("sitting", 60, -12.0)]
    seg += [("walking", 60, 6.0)]
    return seg


def test_forward_direction_from_sit_stand_transitions() -> None:
    back, act = _signal(_day_with_bends())
    tr = measure_trunk(_prepared(back), _epochs(act))
    ref = tr.reference
    assert ref.found and ref.forward_evidence == "transitions"
    assert ref.transitions_used >= 12 and ref.transition_consistency > 0.9
    assert ref.forward[2] > 0.99  # forward moves the reading towards +z
    ep = epoch_trunk(tr, len(act))
    bent = np.repeat([a for c, s, a in _day_with_bends() for _ in range(int(s / 5))], 1)
    sel = bent == 50.0
    assert np.nanmean(ep["trunk_fwd_deg"][sel]) == pytest.approx(50.0, abs=1.0)
    assert np.nanmean(ep["trunk_incl_deg"][sel]) == pytest.approx(50.0, abs=1.0)
    daily = trunk_daily(tr, np.zeros(len(act), np.int64), np.array([CLASS[a] for a in act], object),
                        1, TrunkSettings())
    assert daily["trunk_fwd_ge30_s"][0] == pytest.approx(8 * 20, abs=2)
    assert daily["trunk_fwd_ge60_s"][0] == pytest.approx(0, abs=1)
    assert daily["trunk_fwd_ge30_sitting_s"][0] == pytest.approx(0, abs=1)
    assert daily["trunk_fwd_ge60_longest_s"][0] == 0


def test_sensor_turned_on_the_skin_and_leaning_still_measured() -> None:
    # taped 30 degrees off the spine (not a 90-degree multiple: the signal stage cannot undo it)
    seg = _day_with_bends(bend=40.0)
    back, act = _signal(seg, device=rotation(np.array([0, 0, 1.0]), 30.0))
    tr = measure_trunk(_prepared(back, "horizontal_postures"), _epochs(act))
    assert tr.reference.found and tr.reference.long_axis_deg == pytest.approx(30.0, abs=1.5)
    ep = epoch_trunk(tr, len(act))
    sel = np.array([a for c, s, a in seg for _ in range(int(s / 5))]) == 40.0
    assert np.nanmean(ep["trunk_fwd_deg"][sel]) == pytest.approx(40.0, abs=1.0)


def test_backward_recline_while_sitting_is_negative() -> None:
    back, act = _signal(_day_with_bends())
    tr = measure_trunk(_prepared(back), _epochs(act))
    ep = epoch_trunk(tr, len(act))
    sitting = act == "sitting"
    # walking leans 6 degrees forward, so the reference (walking tilted back 6) is 0: sitting -12
    assert np.nanmedian(ep["trunk_fwd_deg"][sitting]) == pytest.approx(-12.0, abs=1.5)


def test_without_forward_evidence_no_guess() -> None:
    back, act = _signal(_day_with_bends(), flex_deg=0.0)
    tr = measure_trunk(_prepared(back, "gait_variance"), _epochs(act))
    assert not tr.reference.found and "forward direction undetermined" in tr.reference.reason
    assert np.isnan(tr.incl_deg).all() and np.isnan(tr.fwd_deg).all()
    assert tr.notes and tr.notes[0].startswith("trunk angles not computed")
    daily = trunk_daily(tr, np.zeros(len(act), np.int64), np.array([CLASS[a] for a in act], object),
                        1, TrunkSettings())
    assert all(np.isnan(v).all() for v in daily.values())
    # the same recording with a lying-based skin-normal sign is measured
    assert measure_trunk(_prepared(back, "horizontal_postures"), _epochs(act)).reference.found
    off = TrunkSettings(forward_from_lying=False)
    assert not measure_trunk(_prepared(back, "horizontal_postures"), _epochs(act),
                             off).reference.found


def test_too_little_walking_no_reference() -> None:
    seg = [("walking", 30, 6.0)] + _day_with_bends()[1:-1]
    back, act = _signal(seg)
    tr = measure_trunk(_prepared(back), _epochs(act))
    assert not tr.reference.found and "30 s of walking" in tr.reference.reason
    assert measure_trunk(_prepared(back), _epochs(act),
                         TrunkSettings(min_walking_s=20)).reference.found


def test_days_without_back_wear_are_empty_and_without_back_none() -> None:
    back, act = _signal(_day_with_bends())
    wear = np.ones(len(back), bool)
    wear[len(back) // 2:] = False
    tr = measure_trunk(_prepared(back, back_wear=wear), _epochs(act))
    ep = epoch_trunk(tr, len(act))
    half = len(act) // 2
    assert np.isnan(ep["trunk_incl_deg"][half + 1:]).all()
    assert np.isfinite(ep["trunk_incl_deg"][: half - 1]).all()
    day = np.where(np.arange(len(act)) < half, 0, 1)  # pretend the halves are two days
    daily = trunk_daily(tr, day, np.array([CLASS[a] for a in act], object), 2, TrunkSettings())
    assert np.isfinite(daily["trunk_upright_s"][0]) and np.isnan(daily["trunk_upright_s"][1])
    no_back = _prepared(back)
    no_back = Prepared(**{**no_back.__dict__, "back_g": None, "back_wear": None})
    assert measure_trunk(no_back, _epochs(act)) is None
    assert all(np.isnan(v).all() for v in epoch_trunk(None, 5).values())


def test_rayleigh_p() -> None:
    assert rayleigh_p(10, 0.0) == pytest.approx(1.0)
    assert rayleigh_p(10, 0.9) < 1e-3
    assert rayleigh_p(3, 0.6) > 0.2  # three directions roughly agreeing prove nothing


def test_settings_from_toml_and_validation(tmp_path) -> None:
    f = tmp_path / "study.toml"
    f.write_text("[walking.trunk]\nthresholds_deg = [15, 45]\nlongest_deg = 45\n"
                 "min_walking_s = 120\n", encoding="utf-8")
    s = load_study_settings(f)
    assert s.walking.trunk.thresholds_deg == (15, 45) and s.walking.trunk.min_walking_s == 120.0
    assert trunk_columns(s.walking.trunk) == (
        "trunk_upright_s", "trunk_ge15_s", "trunk_ge45_s", "trunk_fwd_ge15_s", "trunk_fwd_ge45_s",
        "trunk_fwd_ge45_longest_s", "trunk_sitting_s", "trunk_fwd_ge15_sitting_s",
        "trunk_fwd_ge45_sitting_s")
    for bad in ({"thresholds_deg": [30, 20]}, {"longest_deg": 45}, {"thresholds_deg": [20.5]},
                {"median_s": -1}, {"enabled": "yes"}, {"max_transition_p": 0}, {"unknown": 1}):
        with pytest.raises(SettingsError):
            from_mapping(WalkingSettings, {"trunk": bad})


def test_longest_forward_bend_and_thresholds() -> None:
    seg = _day_with_bends(bend=70.0)
    seg[2] = ("standing", 35, 70.0)  # the first bend lasts 35 s, the others 20 s
    back, act = _signal(seg)
    tr = measure_trunk(_prepared(back), _epochs(act))
    cls = np.array([CLASS[a] for a in act], object)
    daily = trunk_daily(tr, np.zeros(len(act), np.int64), cls, 1, TrunkSettings())
    assert daily["trunk_fwd_ge60_longest_s"][0] == pytest.approx(35.0, abs=0.6)
    assert daily["trunk_fwd_ge60_s"][0] == pytest.approx(35 + 7 * 20, abs=2)
    assert daily["trunk_ge60_s"][0] == pytest.approx(daily["trunk_fwd_ge60_s"][0], abs=1)
    assert daily["trunk_fwd_ge90_s"][0] == 0
    # flexion the other way (towards -z) flips the forward direction the data give
    back2, _ = _signal(seg, flex_deg=-25.0)
    assert measure_trunk(_prepared(back2), _epochs(act)).reference.forward[2] < -0.95
