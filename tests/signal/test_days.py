"""Calendar days: DST weeks in Europe/Oslo have 23 h and 25 h days; partial days are flagged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.errors import SettingsError
from walkback.signal import DAYS_COLUMNS
from walkback.signal.days import calendar_days

FS = 50.0


def _utc_ns(s: str, tz: str = "Europe/Oslo") -> int:
    return int(pd.Timestamp(s, tz=tz).tz_convert("UTC").value)


def _week(start_local: str, days: float):
    start = _utc_ns(start_local)
    n = int(days * 86400 * FS)
    return start, n, calendar_days(start, n, FS, "Europe/Oslo")


def test_spring_week_has_a_23h_day_and_partial_ends():
    # Wed 2025-03-26 14:30 local, 7 days: DST starts Sun 2025-03-30 02:00 -> 03:00
    start, n, d = _week("2025-03-26 14:30", 7.0)
    assert list(d.columns) == list(DAYS_COLUMNS)
    assert [x.strftime("%Y-%m-%d") for x in d["date"]] == [
        "2025-03-26", "2025-03-27", "2025-03-28", "2025-03-29", "2025-03-30", "2025-03-31",
        "2025-04-01", "2025-04-02"]
    lengths = dict(zip(d["date"].dt.strftime("%m-%d"), d["day_length_h"], strict=True))
    assert lengths["03-30"] == 23.0 and lengths["03-29"] == 24.0 and lengths["03-31"] == 24.0
    assert d["partial"].tolist() == [True] + [False] * 6 + [True]
    full = d[~d["partial"]]
    np.testing.assert_allclose(full["recorded_h"], full["day_length_h"])
    # contiguous indices covering the whole grid, days of 23 h have 23 h of samples
    assert d["start_index"].iloc[0] == 0 and d["stop_index"].iloc[-1] == n
    assert (d["start_index"].to_numpy()[1:] == d["stop_index"].to_numpy()[:-1]).all()
    row = d[d["date"] == "2025-03-30"].iloc[0]
    assert row["stop_index"] - row["start_index"] == 23 * 3600 * FS
    # local midnight of the day after the change is 22:00 UTC (CEST = UTC+2)
    assert pd.Timestamp(int(row["stop_ns"]), tz="UTC") == pd.Timestamp("2025-03-30 22:00", tz="UTC")
    assert d["recorded_h"].sum() == pytest.approx(7 * 24)


def test_autumn_week_has_a_25h_day():
    start, n, d = _week("2025-10-22 09:00", 7.0)
    lengths = dict(zip(d["date"].dt.strftime("%m-%d"), d["day_length_h"], strict=True))
    assert lengths["10-26"] == 25.0
    assert sorted(set(lengths.values())) == [24.0, 25.0]
    row = d[d["date"] == "2025-10-26"].iloc[0]
    assert row["stop_index"] - row["start_index"] == 25 * 3600 * FS
    assert not row["partial"]


def test_gaps_make_a_day_partial_and_other_zones_work():
    start = _utc_ns("2025-06-01 00:00", "America/New_York")
    n = int(3 * 86400 * FS)
    valid = np.ones(n, bool)
    valid[int(1.5 * 86400 * FS) : int(1.5 * 86400 * FS) + int(2 * 3600 * FS)] = False
    d = calendar_days(start, n, FS, "America/New_York", valid=valid)
    assert len(d) == 3 and d["partial"].tolist() == [False, True, False]
    assert d["recorded_h"].iloc[1] == pytest.approx(22.0)


def test_unknown_zone_is_a_settings_error():
    with pytest.raises(SettingsError, match="IANA"):
        calendar_days(0, 10, FS, "Europe/Trondheim")
