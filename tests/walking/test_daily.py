"""Daily table: class seconds, DST days, thigh-only mode, valid-day flags, bouts, pace and MET."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.activity import EpochInfo, with_epoch_info
from walkback.signal import calendar_days
from walkback.walking import (
    DAILY_COLUMNS,
    WalkingSettings,
    daily_table,
    met_from_cadence,
    pace_from_cadence,
    walking_bouts,
)
from walkback.walking.pace import choose_pace, epoch_met

TZ = "Europe/Oslo"


def _epochs(start_local: str, classes: list[tuple[str, float]], pace: str = "moderate") -> pd.DataFrame:
    t0 = pd.Timestamp(start_local, tz=TZ).tz_convert("UTC").value
    labels = np.concatenate([[c] * int(d / 5) for c, d in classes])
    n = labels.size
    ep = pd.DataFrame({
        "start_ns": t0 + np.arange(n, dtype=np.int64) * 5_000_000_000,
        "study_class": labels.astype(object),
        "pace": np.where(labels == "walking", pace, "").astype(object),
        "cadence_spm": np.where(labels == "walking", 110.0, np.nan),
        "steps": np.where(labels == "walking", 9, 0),
    })
    return with_epoch_info(ep, EpochInfo(window_s=5.0, step_s=5.0, timezone=TZ))


def _span_days(start_ns: int, stop_ns: int) -> pd.DataFrame:
    """Calendar days of [start_ns, stop_ns) on a 5-s grid (the signal stage's calendar_days)."""
    return calendar_days(start_ns, (stop_ns - start_ns) // 5_000_000_000, 0.2, TZ)


def _days(ep: pd.DataFrame) -> pd.DataFrame:
    return _span_days(int(ep.start_ns.iloc[0]), int(ep.start_ns.iloc[-1]) + 5_000_000_000)


def test_dst_days_are_23_and_25_hours() -> None:
    spring = _span_days(pd.Timestamp("2024-03-30 12:00", tz=TZ).value,
                        pd.Timestamp("2024-04-01 12:00", tz=TZ).value)
    assert spring.day_length_h.tolist() == [24.0, 23.0, 24.0]
    autumn = _span_days(pd.Timestamp("2024-10-26 00:00", tz=TZ).value,
                        pd.Timestamp("2024-10-28 00:00", tz=TZ).value)
    assert autumn.day_length_h.tolist() == [24.0, 25.0]
    assert not autumn.partial.any()
    assert autumn.recorded_h.tolist() == [24.0, 25.0]


def test_full_25h_day_sums_and_flags() -> None:
    # the 25-h autumn day, fully recorded: 9 h lying, 10 h sitting, 3 h standing, 2 h walking, 1 h non-wear
    ep = _epochs("2024-10-27 00:00", [("lying", 9 * 3600), ("sitting", 10 * 3600), ("standing", 3 * 3600),
                                       ("walking", 2 * 3600), ("non_wear", 3600)])
    d = daily_table(ep, _days(ep), "p1", thigh_only=False)
    assert list(d.columns) == list(DAILY_COLUMNS)
    assert len(d) == 1
    r = d.iloc[0]
    assert r.date == "2024-10-27" and r.weekday == "Sun" and r.day_length_s == 90000
    assert (r.lying_s, r.sitting_s, r.standing_s, r.walking_s) == (32400, 36000, 10800, 7200)
    assert r.walk_moderate_s == 7200 and r.walk_slow_s == 0
    assert r.wear_s == 24 * 3600 and r.non_wear_s == 3600
    assert r.sedentary_s == r.lying_s + r.sitting_s
    assert r.steps == 9 * 7200 / 5 and r.cadence_walking_spm == 110
    assert r.walking_bouts == 1 and r.longest_bout_s == 7200
    assert r.valid_study and r.valid_wear20h and not r.partial_day


def test_thigh_only_and_study_rule() -> None:
    ep = _epochs("2024-05-06 00:00", [("sedentary", 20 * 3600), ("standing", 3 * 3600), ("walking", 3600)])
    d = daily_table(ep, _days(ep), "p", thigh_only=True).iloc[0]
    assert np.isnan(d.lying_s) and np.isnan(d.sitting_s) and d.sedentary_s == 20 * 3600
    assert d.valid_study
    ep2 = _epochs("2024-05-06 00:00", [("lying", 20 * 3600), ("standing", 3 * 3600), ("walking", 3600)])
    d2 = daily_table(ep2, _days(ep2), "p", thigh_only=False).iloc[0]
    assert not d2.valid_study  # no sitting: the study's rule fails
    assert d2.valid_wear20h


def test_sleep_is_split_at_local_midnight_by_epoch_start() -> None:
    # 22:00-06:00 in bed, asleep 22:30-05:30 except a 10-minute wake at 01:00
    ep = _epochs("2024-05-06 18:00", [("sitting", 4 * 3600), ("lying", 8 * 3600),
                                       ("standing", 6 * 3600)])
    t = pd.to_datetime(ep.start_ns, utc=True).dt.tz_convert(TZ).dt.tz_localize(None)
    asleep = (t >= "2024-05-06 22:30") & (t < "2024-05-07 05:30")
    asleep &= ~((t >= "2024-05-07 01:00") & (t < "2024-05-07 01:10"))
    ep["sleep"] = asleep.to_numpy()
    d = daily_table(ep, _days(ep), "p", thigh_only=False)
    assert d.sleep_s.tolist() == [1.5 * 3600, 5.5 * 3600 - 600]
    assert (d.sleep_s <= d.lying_s).all()
    # the column does not count as wear a second time (it is part of lying)
    assert d.wear_s.sum() == 18 * 3600
    # thigh-only: sleep is part of sedentary time
    ep2 = ep.assign(study_class=ep.study_class.replace({"lying": "sedentary", "sitting": "sedentary"}))
    d2 = daily_table(ep2, _days(ep2), "p", thigh_only=True)
    assert d2.sleep_s.tolist() == d.sleep_s.tolist() and d2.lying_s.isna().all()


def test_sleep_on_the_25_hour_day_and_without_the_detector() -> None:
    ep = _epochs("2024-10-26 20:00", [("lying", 10 * 3600)])  # clocks go back at 03:00
    ep["sleep"] = True
    d = daily_table(ep, _days(ep), "p", thigh_only=False)
    assert d.sleep_s.tolist() == [4 * 3600, 6 * 3600]  # 00:00-05:00 local is 6 h of real time
    no_detector = daily_table(ep.drop(columns="sleep"), _days(ep), "p", thigh_only=False)
    assert no_detector.sleep_s.isna().all() and list(no_detector.columns) == list(DAILY_COLUMNS)


def test_partial_days_and_wear20h() -> None:
    ep = _epochs("2024-05-06 10:00", [("sitting", 20 * 3600), ("walking", 600), ("standing", 600)])
    d = daily_table(ep, _days(ep), "p", thigh_only=False)
    assert d.day.tolist() == [1, 2] and d.partial_day.all()
    assert d.wear_s.sum() == 20 * 3600 + 1200
    assert not d.valid_wear20h.any()


def test_bouts_merge_short_gaps_and_drop_short_runs() -> None:
    ep_s = 5.0
    walk = np.array([1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1], bool)  # gap of 1 epoch merges
    start = np.arange(walk.size, dtype=np.int64) * 5_000_000_000
    b = walking_bouts(start, walk, ep_s, min_s=10, gap_s=10)
    assert b.duration_s.tolist() == [30.0, 10.0]
    assert b.walking_s.tolist() == [25.0, 10.0]
    b2 = walking_bouts(start, walk, ep_s, min_s=10, gap_s=5)
    assert b2.duration_s.tolist() == [15.0, 10.0, 10.0]


def test_pace_thresholds_and_met() -> None:
    cad = np.array([80, 99.9, 100, 111.9, 112, 150, np.nan])
    assert pace_from_cadence(cad, (100, 112)).tolist() == ["slow", "slow", "moderate", "moderate",
                                                           "brisk", "brisk", ""]
    np.testing.assert_allclose(met_from_cadence(np.array([50, 60, 100, 110, 120, 130, 160])),
                               [2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 6.0])
    s = WalkingSettings()
    cls = np.array(["walking", "walking", "running", "sitting"], object)
    pace = choose_pace(np.array([95, np.nan, 160, np.nan]), np.array(["", "brisk", "", ""], object),
                       cls == "walking", s)
    assert pace.tolist() == ["slow", "brisk", "", ""]
    met = epoch_met(pace, np.array([95, np.nan, 160, np.nan]), cls, s)
    assert met[:3].tolist() == [2.8, 4.8, 7.0] and np.isnan(met[3])
    met_c = epoch_met(pace, np.array([95, np.nan, 160, np.nan]), cls,
                      WalkingSettings(met_method="cadence"))
    assert met_c[0] == pytest.approx(2.875) and met_c[1] == 4.8


def test_settings_reject_bad_values() -> None:
    from walkback.errors import SettingsError
    from walkback.settings import from_mapping

    with pytest.raises(SettingsError):
        from_mapping(WalkingSettings, {"pace_thresholds_spm": [120, 100]})
    with pytest.raises(SettingsError):
        from_mapping(WalkingSettings, {"pace_method": "speed"})
    with pytest.raises(SettingsError):
        from_mapping(WalkingSettings, {"cadance": 1})
    assert from_mapping(WalkingSettings, {"pace_thresholds_spm": [100, 120]}).pace_thresholds_spm == (100, 120)


def test_property_walking_le_wear_le_day() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    classes = ["lying", "sitting", "standing", "walking", "running", "cycling", "other", "non_wear"]

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(classes), st.integers(1, 4000)), min_size=1, max_size=30),
           st.integers(0, 86399), st.sampled_from(["2024-03-30", "2024-10-26", "2024-06-01"]))
    def check(blocks, offset_s, day):
        start = (pd.Timestamp(day, tz=TZ) + pd.Timedelta(seconds=offset_s)).strftime("%Y-%m-%d %H:%M:%S")
        ep = _epochs(start, [(c, 5 * n) for c, n in blocks])
        d = daily_table(ep, _days(ep), "p", thigh_only=False)
        assert (d.walking_s <= d.wear_s).all() and (d.wear_s + d.non_wear_s <= d.day_length_s).all()
        assert d.wear_s.sum() + d.non_wear_s.sum() == 5 * sum(n for _, n in blocks)
        assert set(d.day_length_s) <= {82800.0, 86400.0, 90000.0}

    check()
