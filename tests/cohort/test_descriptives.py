"""Table 1 by volume quartile against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.descriptives import table1
from walkback.cohort.quantiles import xtile
from walkback.cohort.sample import build_sample
from walkback.cohort.tables import CohortInputs
from walkback.simulate.cohort import simulate_cohort


@pytest.fixture
def small():
    return pd.DataFrame({
        "volume_min": [50.0, 60.0, 90.0, 95.0, 110.0, 120.0, 150.0, 200.0],
        "intensity_met": [2.9, 3.0, 3.1, 3.2, 3.1, 3.3, 3.4, 3.0],
        "age_years": [30.0, 50.0, 40.0, 60.0, 20.0, 40.0, 70.0, 70.0],
        "sex": ["female", "male", "female", "female", "male", "male", "female", "female"],
        "valid_days_walk": [7, 5, 6, 6, 7, 7, 4, 6],
        "education3": ["primary", "secondary", "university", "secondary", "secondary",
                       "university", "primary", "university"],
        "income": [1, 2, 3, 4, 5, 5, 3, 2],
        "employed": [1, 0, 1, 1, 0, 1, 1, 0],
        "smoking": ["never", "former", "current", "never", "never", "former", "never", "never"],
        "depression": [0, 1, 0, 0, 0, 0, 1, 0],
        "exercise_freq": [1.0, 2.0, np.nan, 4.0, 5.0, 3.0, 3.0, 2.0],
        "work_type": [1.0, 0.0, 2.0, 3.0, 0.0, 4.0, 1.0, 0.0],
    })


def _cell(t, variable, level, col):
    row = t[(t["variable"] == variable) & (t["level"] == level)]
    assert len(row) == 1, (variable, level)
    return row[col].iloc[0]


def test_hand_values(small):
    q = np.array([1, 1, 2, 2, 3, 3, 4, 4])
    t = table1(small, q)
    assert list(t.columns) == ["variable", "level", "statistic", "Q1", "Q2", "Q3", "Q4",
                               "overall"]
    assert _cell(t, "Participants", "", "Q1") == "2"
    assert _cell(t, "Participants", "", "overall") == "8"
    assert _cell(t, "Walking volume range, min/day", "", "Q4") == "150.0-200.0"
    assert _cell(t, "Age, y", "", "Q1") == "40.0 (14.1)"  # mean 40, sd sqrt(200)
    assert _cell(t, "Age, y", "", "overall") == f"47.5 ({np.std(small.age_years, ddof=1):.1f})"
    assert _cell(t, "Sex", "women", "Q2") == "2 (100.0)"
    assert _cell(t, "Sex", "women", "overall") == "5 (62.5)"
    assert _cell(t, "Walking intensity, MET", "", "Q1") == "2.95 (0.07)"
    assert _cell(t, "Education", "university", "Q3") == "1 (50.0)"
    assert _cell(t, "Household income", ">100,000 USD", "Q3") == "2 (100.0)"
    assert _cell(t, "Employment", "not employed", "overall") == "3 (37.5)"
    assert _cell(t, "Smoking", "current", "Q2") == "1 (50.0)"
    assert _cell(t, "Depression (HADS-D >= 7)", "yes", "Q4") == "1 (50.0)"
    assert "Exercise frequency" not in set(t["variable"])


def test_supplement_and_missing_level(small):
    t = table1(small, np.array([1, 1, 2, 2, 3, 3, 4, 4]), supplement=True)
    assert _cell(t, "Exercise frequency", "missing", "Q2") == "1"
    assert _cell(t, "Exercise frequency", "2-3 times a week", "Q2") == "1 (100.0)"
    assert _cell(t, "Physical demand at work", "non worker", "overall") == "3 (37.5)"


def test_on_simulated_sample_and_csv(tmp_path):
    sim = simulate_cohort(3000, seed=8)
    d = build_sample(CohortInputs(sim.days, sim.participants)).data
    q, _ = xtile(d["volume_min"])
    t = table1(d, q)
    counts = [int(_cell(t, "Participants", "", f"Q{g}").replace(",", "")) for g in range(1, 5)]
    assert sum(counts) == len(d) and min(counts) > 0.24 * len(d)
    means = [float(_cell(t, "Walking volume, min/day", "", f"Q{g}").split()[0])
             for g in range(1, 5)]
    assert means == sorted(means)
    t.to_csv(tmp_path / "table1.csv", index=False)
    back = pd.read_csv(tmp_path / "table1.csv", dtype=str, keep_default_na=False)
    assert back.shape == t.shape
    with pytest.raises(ValueError):
        table1(d, q[:-1])
