"""The cohort day table accepts walkback's optional trunk exposure columns (long and HUNT wide
layouts); a table without them loads exactly as before."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.config import hunt_settings
from walkback.cohort.schema import DAY_OPTIONAL_COLUMNS, DAY_TRUNK_COLUMNS
from walkback.cohort.tables import load_inputs
from walkback.errors import InputDataError
from walkback.simulate.cohort import simulate_cohort, write_cohort
from walkback.walking import DAILY_COLUMNS


def _tables(tmp_path, trunk: dict | None = None):
    days = pd.DataFrame([{"participant_id": p, "day": d, "lying_s": 30000.0, "sitting_s": 40000.0,
                          "standing_s": 10000.0, "walk_slow_s": 3000.0, "walk_moderate_s": 2000.0,
                          "walk_brisk_s": 1000.0, "walking_s": 6000.0, "running_s": 0.0,
                          "cycling_s": 0.0} for p in ("a", "b") for d in (1, 2)])
    for k, v in (trunk or {}).items():
        days[k] = v
    parts = pd.DataFrame([{"participant_id": p, "sex_code": 0, "age_years": 50.0,
                           "education_code": 3, "income_code": 2, "work_status_code": 1,
                           "smoking_code": 0, "hads_d_score": 3, "chronic_pain_t0": 0,
                           "lumbar_pain_t0": np.nan, "chronic_pain_t1": 1, "lumbar_pain_t1": 1}
                          for p in ("a", "b")])
    dp, pp = tmp_path / "days.csv", tmp_path / "parts.csv"
    days.to_csv(dp, index=False)
    parts.to_csv(pp, index=False)
    return dp, pp


def test_trunk_columns_are_the_daily_tables_and_optional() -> None:
    assert set(DAY_TRUNK_COLUMNS) <= set(DAILY_COLUMNS)
    assert all(not c.required for c in DAY_OPTIONAL_COLUMNS if c.name in DAY_TRUNK_COLUMNS)


def test_long_table_keeps_trunk_columns_and_loads_without_them(tmp_path) -> None:
    plain = load_inputs(*_tables(tmp_path))
    assert not set(DAY_TRUNK_COLUMNS) & set(plain.days.columns)
    with_trunk = load_inputs(*_tables(tmp_path, {"trunk_fwd_ge30_s": [120.0, np.nan, 0.0, 40.5],
                                                 "trunk_upright_s": 16000.0}))
    assert with_trunk.days["trunk_fwd_ge30_s"].tolist()[::2] == [120.0, 0.0]
    assert np.isnan(with_trunk.days["trunk_fwd_ge30_s"].iloc[1])
    pd.testing.assert_frame_equal(with_trunk.days[plain.days.columns], plain.days)
    with pytest.raises(InputDataError, match="trunk_fwd_ge30_s"):
        load_inputs(*_tables(tmp_path, {"trunk_fwd_ge30_s": [-1.0, 0, 0, 0]}))


def test_hunt_wide_layout_reads_mapped_trunk_patterns(tmp_path) -> None:
    sim = simulate_cohort(50, seed=3)
    p = write_cohort(sim, tmp_path, "hunt")
    base = hunt_settings()
    plain = load_inputs(p["days"], p["participants"], base)
    wide = pd.read_csv(p["days"])
    rng = np.random.default_rng(0)
    for d in range(1, 8):
        wide[f"TrunkFwd30TmD{d}"] = rng.uniform(0, 600, len(wide))
    wide.to_csv(tmp_path / "wide_trunk.csv", index=False)
    mapped = dataclasses.replace(base, wide=dataclasses.replace(
        base.wide, patterns={**base.wide.patterns, "trunk_fwd_ge30_s": "TrunkFwd30TmD{day}"}))
    got = load_inputs(tmp_path / "wide_trunk.csv", p["participants"], mapped)
    pd.testing.assert_frame_equal(got.days[plain.days.columns], plain.days)
    first = got.days.iloc[0]
    assert first["trunk_fwd_ge30_s"] == pytest.approx(wide.loc[0, "TrunkFwd30TmD1"])
    # a mapped pattern whose columns the file lacks is optional: the table loads as before
    again = load_inputs(p["days"], p["participants"], mapped)
    pd.testing.assert_frame_equal(again.days, plain.days)
