"""Day validity and exposures against hand-computed values (study-spec §1.2-1.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.exposures import day_validity, person_exposures

NAN = np.nan
COLS = ["participant_id", "day", "lying_s", "sitting_s", "standing_s", "walk_slow_s",
        "walk_moderate_s", "walk_brisk_s", "walking_s", "running_s", "cycling_s"]


@pytest.fixture
def days():
    rows = [
        # A: 3 days; day 2 has zero standing -> walking blanked; day 3 normal
        ("A", 1, 30000, 40000, 9000, 3600, 1800, 600, 6000, 600, 0),
        ("A", 2, 30000, 49000, 0, 6000, 0, 0, 6000, 1200, 0),
        ("A", 3, 30000, 38000, 9000, 6000, 3000, 1200, 10200, 0, 1800),
        # B: day 1 not worn at all, day 2 zero walking, day 3 has a missing lying value only
        ("B", 1, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN),
        ("B", 2, 30000, 50000, 6400, 0, 0, 0, 0, 0, 0),
        ("B", 3, NAN, 60000, 6000, 1200, 1200, 1200, 3600, 0, 0),
        # C: worn, but every day blanked (zero lying)
        ("C", 1, 0, 70000, 10000, 3000, 0, 0, 3000, 0, 0),
    ]
    return pd.DataFrame(rows, columns=COLS).astype({c: float for c in COLS[2:]})


def test_day_validity_wear_and_blanking(days):
    d = day_validity(days)
    # wear = sum of 8 parts (walking total excluded), missing only when all 8 are missing
    assert d["wear_min"].iloc[0] == pytest.approx((30000 + 40000 + 9000 + 6000 + 600) / 60)
    assert np.isnan(d["wear_min"].iloc[3])
    assert d["wear_min"].iloc[5] == pytest.approx((60000 + 6000 + 3600) / 60)  # NaN lying = 0
    blanked = [False, True, False, True, True, False, True]
    assert d["walking_s"].isna().tolist() == blanked
    assert d["walk_slow_s"].isna().tolist() == blanked
    assert d["valid_day"].tolist() == [True, True, True, False, True, True, True]
    # running and cycling are never blanked; the input is not modified
    assert d["running_s"].iloc[1] == 1200
    assert days["walking_s"].iloc[1] == 6000


def test_person_exposures_hand_values(days):
    e = person_exposures(days).set_index("participant_id")
    a = e.loc["A"]
    assert a.valid_days == 3 and a.valid_days_walk == 2
    assert a.volume_min == pytest.approx((6000 + 10200) / 2 / 60)  # 135
    w1, w2, w3 = (3600 + 6000) / 120, (1800 + 3000) / 120, (600 + 1200) / 120
    assert a.walk_slow_min == pytest.approx(w1)
    assert a.walk_mvpa_min == pytest.approx(w2 + w3)
    assert a.intensity_met == pytest.approx((2.8 * w1 + 3.8 * w2 + 4.8 * w3) / 135)
    assert a.running_min == pytest.approx((600 + 1200 + 0) / 3 / 60)  # over all 3 days
    assert a.other_pa_min == pytest.approx(a.running_min + 1800 / 3 / 60)
    b = e.loc["B"]
    assert b.valid_days == 2 and b.valid_days_walk == 1  # missing lying does not blank day 3
    assert b.volume_min == pytest.approx(60.0)
    assert b.intensity_met == pytest.approx((2.8 + 3.8 + 4.8) / 3)
    c = e.loc["C"]
    assert c.valid_days == 1 and c.valid_days_walk == 0
    assert np.isnan(c.volume_min) and np.isnan(c.intensity_met)


def test_custom_met_weights_and_participant_order(days):
    e = person_exposures(days, met_weights=(2.0, 4.0, 6.0), participants=["Z", "B", "A"])
    assert e["participant_id"].tolist() == ["Z", "B", "A"]
    assert e["valid_days"].tolist() == [0, 2, 3]
    assert np.isnan(e["volume_min"].iloc[0])
    assert e["intensity_met"].iloc[1] == pytest.approx(4.0)


def test_intensity_within_weight_range_on_random_days():
    rng = np.random.default_rng(0)
    n = 2000
    w = rng.integers(0, 3000, (n, 3)).astype(float)
    df = pd.DataFrame({"participant_id": np.repeat(np.arange(400).astype(str), 5),
                       "day": np.tile(np.arange(1, 6), 400), "lying_s": 30000.0,
                       "sitting_s": 40000.0, "standing_s": rng.integers(0, 2, n) * 9000.0,
                       "walk_slow_s": w[:, 0], "walk_moderate_s": w[:, 1],
                       "walk_brisk_s": w[:, 2], "walking_s": w.sum(1), "running_s": 0.0,
                       "cycling_s": 0.0})
    e = person_exposures(df)
    ok = e["intensity_met"].dropna()
    assert ok.between(2.8, 4.8).all() and len(ok) > 300
    # volume equals a direct groupby mean over days kept by the rule
    keep = (df["standing_s"] > 0) & (df["walking_s"] > 0)
    ref = df[keep].groupby("participant_id")["walking_s"].mean() / 60
    got = e.set_index("participant_id")["volume_min"].dropna()
    pd.testing.assert_series_equal(got.sort_index(), ref.sort_index(), check_names=False)


def _stata_literal(wide: dict[str, np.ndarray], weights=(2.8, 3.8, 4.8)) -> dict[str, float]:
    """The authors' 1_Cleaning.do written out literally for ONE participant (7 days, seconds)."""
    ly, sit, st, w1, w2, w3, wt, run, cyc = (list(wide[k]) for k in (
        "lying_s", "sitting_s", "standing_s", "walk_slow_s", "walk_moderate_s", "walk_brisk_s",
        "walking_s", "running_s", "cycling_s"))
    wear = []
    for i in range(7):
        parts = [ly[i], sit[i], st[i], w1[i], w2[i], w3[i], run[i], cyc[i]]
        wear.append(np.nan if all(np.isnan(parts)) else float(np.nansum(parts)))
    for i in range(7):  # replace walk vars = . if Ly==0 | Sit==0 | Stand==0 | WalkTmD==0
        if ly[i] == 0 or sit[i] == 0 or st[i] == 0 or wt[i] == 0:
            w1[i] = w2[i] = w3[i] = wt[i] = np.nan

    def rowmean(v):
        v = [x for x in v if not np.isnan(x)]
        return sum(v) / len(v) / 60 if v else np.nan

    m1, m2, m3, tot = rowmean(w1), rowmean(w2), rowmean(w3), rowmean(wt)
    return {"valid_days": sum(not np.isnan(x) for x in wear),
            "valid_days_walk": sum(not np.isnan(x) for x in wt),
            "volume_min": tot, "walk_slow_min": m1,
            "intensity_met": (weights[0] * m1 + weights[1] * m2 + weights[2] * m3) / tot,
            "running_min": rowmean(run), "cycling_min": rowmean(cyc)}


def test_matches_literal_stata_translation_on_random_weeks():
    rng = np.random.default_rng(42)
    n = 150
    cols = ["lying_s", "sitting_s", "standing_s", "walk_slow_s", "walk_moderate_s",
            "walk_brisk_s", "walking_s", "running_s", "cycling_s"]
    # values drawn with many zeros and missing cells so every branch of the rule is hit
    arr = rng.choice([0.0, np.nan, 60.0, 600.0, 3000.0, 20000.0], size=(n, 7, len(cols)),
                     p=[0.12, 0.08, 0.2, 0.2, 0.2, 0.2])
    long = pd.DataFrame(arr.reshape(n * 7, len(cols)), columns=cols)
    long.insert(0, "day", np.tile(np.arange(1, 8), n))
    long.insert(0, "participant_id", np.repeat([f"p{i}" for i in range(n)], 7))
    got = person_exposures(long).set_index("participant_id")
    for i in range(n):
        ref = _stata_literal({c: arr[i, :, j] for j, c in enumerate(cols)})
        row = got.loc[f"p{i}"]
        for key, val in ref.items():
            np.testing.assert_allclose(row[key], val, rtol=1e-12, err_msg=f"p{i} {key}")


def test_thigh_only_days_use_sedentary_for_wear_and_blanking():
    """walkback's thigh-only daily tables carry sitting + lying as sedentary_s only."""
    import numpy as _np
    import pandas as _pd

    from walkback.cohort.exposures import day_validity as _dv

    nan = _np.nan
    days = _pd.DataFrame({
        "participant_id": ["a", "a", "b"], "day": [1, 2, 1],
        "lying_s": [nan, nan, 30000.0], "sitting_s": [nan, nan, 20000.0],
        "sedentary_s": [50000.0, 0.0, 50000.0],
        "standing_s": [20000.0, 20000.0, 20000.0],
        "walk_slow_s": [3000.0, 3000.0, 3000.0], "walk_moderate_s": [2000.0, 2000.0, 2000.0],
        "walk_brisk_s": [1000.0, 1000.0, 1000.0], "walking_s": [6000.0, 6000.0, 6000.0],
        "running_s": [0.0, 0.0, 0.0], "cycling_s": [0.0, 0.0, 0.0],
    })
    out = _dv(days)
    # sedentary counts as wear on thigh-only days, and is not double counted on two-sensor days
    assert out["wear_min"].tolist() == [76000 / 60, 26000 / 60, 76000 / 60]
    # zero sedentary blanks walking as zero lying/sitting does; non-zero keeps it
    assert out["valid_walk_day"].tolist() == [True, False, True]
