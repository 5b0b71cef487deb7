"""Reading and validating cohort inputs: formats, layouts, and one clear error per bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.config import CohortSettings, hunt_settings
from walkback.cohort.schema import DAY_ACTIVITY_COLUMNS
from walkback.cohort.tables import load_inputs, read_table
from walkback.errors import InputDataError, ReadError, UnsupportedFormatError
from walkback.simulate.cohort import simulate_cohort, write_cohort
from walkback.study_settings import load_study_settings


def _day(pid: str, day: int, walk: float = 6000.0) -> dict:
    return {"participant_id": pid, "day": day, "lying_s": 30000.0, "sitting_s": 40000.0,
            "standing_s": 10000.0, "walk_slow_s": walk * 0.5, "walk_moderate_s": walk * 0.3,
            "walk_brisk_s": walk * 0.2, "walking_s": walk, "running_s": 0.0,
            "cycling_s": 400.0 - walk * 0}


def _participant(pid: str) -> dict:
    return {"participant_id": pid, "sex_code": 0, "age_years": 50.0, "education_code": 3,
            "income_code": 2, "work_status_code": 1, "smoking_code": 0, "hads_d_score": 3,
            "chronic_pain_t0": 0, "lumbar_pain_t0": np.nan, "chronic_pain_t1": 1,
            "lumbar_pain_t1": 1, "baseline_date": "2018-03-01", "followup_date": "2022-05-01"}


@pytest.fixture
def frames():
    days = pd.DataFrame([_day("007", d) for d in (1, 2, 3)] + [_day("12", d) for d in (1, 2)])
    parts = pd.DataFrame([_participant("007"), _participant("12")])
    return days, parts


def _write(tmp_path, days, parts):
    dp, pp = tmp_path / "days.csv", tmp_path / "participants.csv"
    days.to_csv(dp, index=False)
    parts.to_csv(pp, index=False)
    return dp, pp


def test_long_csv_roundtrip_keeps_text_ids_and_values(tmp_path, frames):
    dp, pp = _write(tmp_path, *frames)
    inp = load_inputs(dp, pp)
    assert inp.days["participant_id"].tolist() == ["007"] * 3 + ["12"] * 2
    assert inp.days["day"].dtype == np.int64
    assert inp.days["walking_s"].tolist() == [6000.0] * 5
    assert inp.participants["baseline_date"].iloc[0] == pd.Timestamp("2018-03-01")
    assert set(inp.checksums) == {str(dp), str(pp)}
    assert all(len(v) == 64 for v in inp.checksums.values())


def test_parquet_and_stata_read_the_same(tmp_path, frames):
    days, parts = frames
    days.to_parquet(tmp_path / "d.parquet")
    p2 = parts.copy()
    p2["baseline_date"] = pd.to_datetime(p2["baseline_date"])
    p2["followup_date"] = pd.to_datetime(p2["followup_date"])
    p2.to_stata(tmp_path / "p.dta", write_index=False,
                convert_dates={"baseline_date": "td", "followup_date": "td"})
    inp = load_inputs(tmp_path / "d.parquet", tmp_path / "p.dta")
    ref = load_inputs(*_write(tmp_path, days, parts))
    pd.testing.assert_frame_equal(inp.days, ref.days)
    pd.testing.assert_frame_equal(inp.participants, ref.participants)


def test_format_detected_by_content_not_extension(tmp_path, frames):
    days, _ = frames
    days.to_parquet(tmp_path / "days.csv")  # misnamed Parquet file
    assert read_table(tmp_path / "days.csv").shape == days.shape
    (tmp_path / "x.bin").write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(UnsupportedFormatError):
        read_table(tmp_path / "x.bin")
    with pytest.raises(ReadError, match="not found"):
        read_table(tmp_path / "absent.csv")


def test_hunt_wide_layout_equals_long_layout(tmp_path):
    sim = simulate_cohort(400, seed=5)
    long_p = write_cohort(sim, tmp_path / "long", "long")
    hunt_p = write_cohort(sim, tmp_path / "hunt", "hunt")
    a = load_inputs(long_p["days"], long_p["participants"])
    b = load_inputs(hunt_p["days"], hunt_p["participants"], load_study_settings(hunt_p["config"]).cohort)
    pd.testing.assert_frame_equal(a.days, b.days)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    assert "LyTmD1_NT4ActMX" in pd.read_csv(hunt_p["days"], nrows=1).columns


def test_wide_stata_file_used_for_both_tables(tmp_path):
    sim = simulate_cohort(200, seed=6)
    p = write_cohort(sim, tmp_path, "hunt")
    wide = pd.read_csv(p["days"]).merge(pd.read_csv(p["participants"]), on="PID_114165")
    for c in ("PartDat_NT4BLM", "PartDat_NT4CovQ"):
        wide[c] = pd.to_datetime(wide[c])
    wide.to_stata(tmp_path / "hunt.dta", write_index=False,
                  convert_dates={"PartDat_NT4BLM": "td", "PartDat_NT4CovQ": "td"})
    inp = load_inputs(tmp_path / "hunt.dta", tmp_path / "hunt.dta", hunt_settings())
    assert len(inp.participants) == len(sim.participants)
    assert len(inp.checksums) == 1
    np.testing.assert_allclose(inp.days["walking_s"], sim.days["walking_s"])


def test_config_renames_columns(tmp_path, frames):
    days, parts = frames
    days = days.rename(columns={"walking_s": "WalkTot", "participant_id": "id"})
    parts = parts.rename(columns={"participant_id": "id", "sex_code": "Sex"})
    dp, pp = _write(tmp_path, days, parts)
    s = CohortSettings(layout="long", columns_days={"WalkTot": "walking_s", "id": "participant_id"},
                       columns_participants={"id": "participant_id", "Sex": "sex_code"})
    inp = load_inputs(dp, pp, s)
    assert inp.participants["sex_code"].tolist() == [0.0, 0.0]


# --- bad input: one clear InputDataError naming file, column and rows -------------------------


def test_missing_misspelt_column_suggests_nearest(tmp_path, frames):
    days, parts = frames
    dp, pp = _write(tmp_path, days.rename(columns={"walking_s": "walkng_s"}), parts)
    with pytest.raises(InputDataError, match=r"days\.csv: missing column 'walking_s'.*'walkng_s'"):
        load_inputs(dp, pp)
    dp, pp = _write(tmp_path, days, parts.drop(columns="hads_d_score"))
    with pytest.raises(InputDataError, match=r"participants\.csv: missing column 'hads_d_score'"):
        load_inputs(dp, pp)


def test_non_numeric_value_names_line(tmp_path, frames):
    days, parts = frames
    days = days.astype({"standing_s": object})
    days.loc[3, "standing_s"] = "12O00"
    dp, pp = _write(tmp_path, days, parts)
    with pytest.raises(InputDataError, match=r"'standing_s'.*non-numeric.*line 5 \(1 row\).*12O00"):
        load_inputs(dp, pp)


def test_negative_duration(tmp_path, frames):
    days, parts = frames
    days.loc[[0, 2], "running_s"] = -5.0
    dp, pp = _write(tmp_path, days, parts)
    with pytest.raises(InputDataError, match=r"'running_s'.*negative.*lines 2, 4 \(2 rows\)"):
        load_inputs(dp, pp)


def test_more_than_a_day(tmp_path, frames):
    days, parts = frames
    days.loc[1, "lying_s"] = 90000.0
    dp, pp = _write(tmp_path, days, parts)
    with pytest.raises(InputDataError, match=r"'lying_s' exceeds 86,400 s.*line 3"):
        load_inputs(dp, pp)
    days.loc[1, "lying_s"] = 50000.0  # each column fine, but the day sums to > 24 h
    dp, pp = _write(tmp_path, days, parts)
    with pytest.raises(InputDataError, match=r"sum to more than 86,400 s at line 3"):
        load_inputs(dp, pp)


def test_25_hour_dst_day_allowed_when_declared(tmp_path, frames):
    days, parts = frames
    days["day_length_s"] = 86400.0
    days.loc[1, ["lying_s", "day_length_s"]] = [33000.0, 90000.0]
    dp, pp = _write(tmp_path, days, parts)
    assert load_inputs(dp, pp).days["day_length_s"].max() == 90000.0


def test_duplicate_participant_day(tmp_path, frames):
    days, parts = frames
    days = pd.concat([days, days.iloc[[1]]], ignore_index=True)
    dp, pp = _write(tmp_path, days, parts)
    with pytest.raises(InputDataError, match=r"duplicate participant-days.*lines 3, 7.*'007' day 2"):
        load_inputs(dp, pp)


def test_participant_in_one_table_only(tmp_path, frames):
    days, parts = frames
    dp, pp = _write(tmp_path, days[days.participant_id == "007"], parts)
    with pytest.raises(InputDataError, match=r"participants\.csv: 1 participant.*no row in the day "
                                             r"table.*'12' \(line 3"):
        load_inputs(dp, pp)
    dp, pp = _write(tmp_path, days, parts.iloc[[0]])
    with pytest.raises(InputDataError, match=r"days\.csv: 1 participant.*'12'.*lines 5, 6"):
        load_inputs(dp, pp)


def test_bad_codes_and_dates(tmp_path, frames):
    days, parts = frames
    bad = parts.copy()
    bad.loc[1, "education_code"] = 9
    dp, pp = _write(tmp_path, days, bad)
    with pytest.raises(InputDataError, match=r"'education_code' holds 9 at line 3"):
        load_inputs(dp, pp)
    bad = parts.copy()
    bad.loc[0, "baseline_date"] = "03/01/2018"
    dp, pp = _write(tmp_path, days, bad)
    with pytest.raises(InputDataError, match=r"'baseline_date'.*date_format"):
        load_inputs(dp, pp)
    bad["baseline_date"] = "03/01/2018"
    bad["followup_date"] = "05/01/2022"
    dp, pp = _write(tmp_path, days, bad)
    got = load_inputs(dp, pp, CohortSettings(date_format="%m/%d/%Y")).participants
    assert got["baseline_date"].tolist() == [pd.Timestamp("2018-03-01")] * 2


def test_duplicate_participant_and_empty_id(tmp_path, frames):
    days, parts = frames
    dp, pp = _write(tmp_path, days, pd.concat([parts, parts.iloc[[0]]], ignore_index=True))
    with pytest.raises(InputDataError, match=r"'007' appears more than once.*lines 2, 4"):
        load_inputs(dp, pp)
    d2 = days.copy()
    d2.loc[4, "participant_id"] = None
    dp, pp = _write(tmp_path, d2, parts)
    with pytest.raises(InputDataError, match=r"'participant_id' is empty at line 6"):
        load_inputs(dp, pp)


def test_wide_missing_day_column_suggests(tmp_path):
    sim = simulate_cohort(100, seed=2)
    p = write_cohort(sim, tmp_path, "hunt")
    wide = pd.read_csv(p["days"]).rename(columns={"SitTmD4_NT4ActMX": "SitTmD4_NT4ActM"})
    wide.to_csv(p["days"], index=False)
    with pytest.raises(InputDataError, match=r"missing column 'SitTmD4_NT4ActMX'.*'SitTmD4_NT4ActM'"):
        load_inputs(p["days"], p["participants"], load_study_settings(p["config"]).cohort)


def test_all_activity_columns_present(frames):
    days, _ = frames
    assert set(DAY_ACTIVITY_COLUMNS) <= set(days.columns)


def test_thigh_only_daily_table_keeps_sedentary(tmp_path, frames):
    """walkback's thigh-only daily.csv: empty lying/sitting, sitting + lying in sedentary_s."""
    from walkback.cohort.exposures import person_exposures

    days, parts = frames
    days = days.assign(sedentary_s=days["lying_s"] + days["sitting_s"], lying_s=np.nan,
                       sitting_s=np.nan)
    dp, pp = _write(tmp_path, days, parts)
    inp = load_inputs(dp, pp)
    assert inp.days["sedentary_s"].tolist() == [70000.0] * 5
    exp = person_exposures(inp.days).set_index("participant_id")
    assert exp.loc["007", "valid_days_walk"] == 3
    assert exp.loc["007", "wear_min"] == pytest.approx((70000 + 10000 + 6000 + 400) / 60)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_partial_days_left_out_by_default(tmp_path, frames, fmt):
    """walkback's daily tables flag attachment/removal days; HUNT's days are full 24-h days."""
    from walkback.cohort.exposures import person_exposures

    days, parts = frames
    days = days.assign(partial_day=[True, False, False, False, True])
    days.loc[0, "walking_s"] = days.loc[4, "walking_s"] = 600.0  # short partial days walk less
    if fmt == "csv":
        dp, pp = _write(tmp_path, days, parts)
    else:
        dp, pp = tmp_path / "days.parquet", tmp_path / "participants.csv"
        days.to_parquet(dp)
        parts.to_csv(pp, index=False)
    inp = load_inputs(dp, pp)
    # blanked, not removed (participants whose days are all partial keep their rows)
    assert len(inp.days) == 5
    assert inp.days["walking_s"].isna().tolist() == [True, False, False, False, True]
    exp = person_exposures(inp.days).set_index("participant_id")
    assert exp.loc["007", "valid_days"] == 2 and exp.loc["12", "valid_days"] == 1
    assert exp.loc["007", "valid_days_walk"] == 2 and exp.loc["12", "valid_days_walk"] == 1
    assert exp.loc["007", "volume_min"] == pytest.approx(100.0)
    # kept when the setting says so
    from walkback.cohort.config import ExposureSettings

    no_drop = CohortSettings(exposure=ExposureSettings(drop_partial_days=False))
    keep = load_inputs(dp, pp, no_drop)
    assert len(keep.days) == 5
