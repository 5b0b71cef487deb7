"""The compositional analysis: its building blocks, settings, inputs, and recovery of a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.analyze import analyze
from walkback.cohort.coda import (
    PARTS,
    closure,
    compositional_mean,
    counted_days,
    multiplicative_replacement,
    person_compositions,
    pivot_coordinates,
    rotation,
)
from walkback.cohort.coda_results import CODA_OUTPUT_FILES, run_coda
from walkback.cohort.config import CodaSettings, CohortSettings
from walkback.cohort.results import OUTPUT_FILES
from walkback.cohort.sample import build_sample
from walkback.cohort.tables import CohortInputs, load_inputs
from walkback.errors import InputDataError, SettingsError, WalkbackWarning
from walkback.simulate.cohort import TrueRisk, simulate_cohort, write_cohort
from walkback.study_settings import load_study_settings

#: a pure compositional truth: more sedentary time and less sleep / walking raise the risk
BETA = (-0.25, 0.45, -0.05, -0.15, 0.0)


def _day(**kw) -> dict:
    base = {"participant_id": "A", "day": 1, "lying_s": 30000.0, "sitting_s": 36000.0,
            "standing_s": 12000.0, "walk_slow_s": 3000.0, "walk_moderate_s": 2400.0,
            "walk_brisk_s": 1200.0, "walking_s": 6600.0, "running_s": 1200.0,
            "cycling_s": 600.0, "sleep_s": 26000.0}
    return base | kw


def test_counted_day_rules():
    rows = [
        _day(),                                       # counts
        _day(day=2, sleep_s=float("nan")),            # no sleep
        _day(day=3, sleep_s=30000.0),                 # no lying awake
        _day(day=4, sitting_s=35900.0),               # 8 parts sum 100 s short of 24 h
        _day(day=5, sitting_s=35950.0),               # 50 s short: within 60 s
        _day(day=6, walking_s=0.0),                   # no walking
        _day(day=7, running_s=0.0, cycling_s=0.0, sitting_s=37800.0),  # zero running: counts
        _day(day=8, lying_s=float("nan")),            # a study part missing
    ]
    d = counted_days(pd.DataFrame(rows))
    assert d.counted.tolist() == [True, False, False, False, True, False, True, False]
    r = d.iloc[0]
    assert r.sleep == pytest.approx(26000 / 60)
    assert r.sedentary == pytest.approx((4000 + 36000) / 60)
    assert r.walking == pytest.approx(110) and r.running_cycling == pytest.approx(30)
    # a 25-h day counts against its own length
    long_day = pd.DataFrame([_day(sitting_s=39600.0, day_length_s=90000.0)])
    assert counted_days(long_day).counted.item()
    comp = person_compositions(pd.DataFrame(rows))
    assert comp.coda_days.item() == 3
    assert comp[list(PARTS)].sum(axis=1).item() == pytest.approx(1440.0)


def test_closure_replacement_coordinates():
    x = np.array([[450.0, 700.0, 180.0, 110.0, 0.0], [400.0, 800.0, 150.0, 60.0, 30.0]])
    r = multiplicative_replacement(x, 0.01)
    np.testing.assert_allclose(r.sum(axis=1), 1440.0)
    assert r[0, 4] == 0.01 and np.array_equal(r[1], x[1])
    np.testing.assert_allclose(r[0, :4] / r[0, 0], x[0, :4] / x[0, 0])  # ratios kept
    z = pivot_coordinates(r)
    # isometric: distances between compositions are Aitchison distances (clr Euclidean)
    clr = np.log(r) - np.log(r).mean(axis=1, keepdims=True)
    assert np.linalg.norm(z[0] - z[1]) == pytest.approx(np.linalg.norm(clr[0] - clr[1]))
    np.testing.assert_allclose(pivot_coordinates(closure(r * 7.0)), z)  # scale invariant
    # z1 of each rotation = sqrt(4/5) ln(part / geometric mean of the other four)
    for k in range(5):
        others = np.delete(np.log(r), k, axis=1).mean(axis=1)
        np.testing.assert_allclose(pivot_coordinates(r[:, rotation(k)])[:, 0],
                                   np.sqrt(4 / 5) * (np.log(r[:, k]) - others))
    g = compositional_mean(r)
    assert g.sum() == pytest.approx(1440.0)
    assert g[0] == pytest.approx(np.sqrt(r[0, 0] * r[1, 0]) * 1440 / np.exp(
        np.log(r).mean(axis=0)).sum())
    with pytest.raises(ValueError):
        multiplicative_replacement(np.zeros((1, 5)), 400.0)


@pytest.mark.parametrize("table", [
    {"zero_replacement": "lrem"}, {"delta_factor": 0.0}, {"minutes_step": 0.0},
    {"minutes_step": 20.0, "minutes_max": 10.0}, {"secondary_adjustments": []},
    {"secondary_adjustments": ["mutual"]}, {"reference": "median"}, {"min_counted_days": 0},
    {"enabled": "yes"}, {"minutes_extra": [2000.0]}, {"sleep_split_min": 0.0},
])
def test_bad_coda_settings_are_settings_errors(tmp_path, table):
    p = tmp_path / "c.toml"
    value = {k: (f'"{v}"' if isinstance(v, str) else str(v).lower() if isinstance(v, bool)
                 else str(v)) for k, v in table.items()}
    p.write_text("[cohort.coda]\n" + "".join(f"{k} = {v}\n" for k, v in value.items()))
    with pytest.raises(SettingsError, match=r"c.toml \[cohort.coda\]"):
        load_study_settings(p)


def test_settings_minutes_and_toml(tmp_path):
    assert CodaSettings().minutes() == tuple(float(m) for m in range(-60, 61, 10))
    p = tmp_path / "c.toml"
    p.write_text("[cohort.coda]\nminutes_max = 30.0\nminutes_step = 15.0\n"
                 "minutes_extra = [5.0, -45.0]\nsmall_sample = true\n")
    s = load_study_settings(p).cohort
    assert s.coda.minutes() == (-45.0, -30.0, -15.0, 0.0, 5.0, 15.0, 30.0)
    assert s.coda.small_sample is True and CohortSettings().coda.small_sample is False


@pytest.fixture(scope="module")
def small():
    return simulate_cohort(1500, seed=3)


def test_skipped_without_sleep_or_when_disabled(small):
    days = small.days.drop(columns="sleep_s")
    res = analyze(CohortInputs(days, small.participants))
    assert res.coda is None and res.provenance["coda"]["status"] == "skipped"
    assert "sleep" in res.provenance["coda"]["reason"]
    assert "compositional analysis not run" in res.summary()
    off = CohortSettings(coda=CodaSettings(enabled=False))
    res = analyze(CohortInputs(small.days, small.participants), off)
    assert res.coda is None and "disabled" in res.provenance["coda"]["reason"]
    # walkback's own day tables of daytime-only recordings: sleep_s present but 0 everywhere, so
    # no day counts; the composition is skipped with a warning, the main analysis still runs
    awake = small.days.assign(sleep_s=np.where(small.days.sleep_s.notna(), 0.0, np.nan))
    with pytest.warns(WalkbackWarning, match="only 0 participants have a counted day"):
        res = analyze(CohortInputs(awake, small.participants))
    assert res.coda is None and "only 0 participants" in res.provenance["coda"]["reason"]
    assert len(res.quartile_models) > 0


def test_written_with_the_main_files_and_small_sample_factor(small, tmp_path):
    inputs = CohortInputs(small.days, small.participants)
    res = analyze(inputs)
    out = res.to_dir(tmp_path / "an")
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES + CODA_OUTPUT_FILES)
    assert "compositional mean (min/day)" in res.summary()
    s = CohortSettings(coda=CodaSettings(small_sample=True))
    a = res.coda.models
    b = run_coda(small.days, build_sample(inputs, s).everyone, s).models
    n = a.n.iloc[0]
    ratio = np.log(b.ci_high / b.rr) / np.log(a.ci_high / a.rr)
    np.testing.assert_allclose(ratio, np.sqrt(n / (n - 1)), rtol=1e-9)
    np.testing.assert_allclose(a.rr, b.rr, rtol=1e-12)


def test_hunt_files_with_and_without_sleep_columns(small, tmp_path):
    paths = write_cohort(small, tmp_path / "hunt", layout="hunt")
    settings = load_study_settings(paths["config"]).cohort
    inputs = load_inputs(paths["days"], paths["participants"], settings)
    np.testing.assert_array_equal(inputs.days["sleep_s"].to_numpy(), small.days["sleep_s"])
    wide = pd.read_csv(paths["days"])
    no_sleep = tmp_path / "no_sleep.csv"
    wide.drop(columns=[c for c in wide.columns if c.startswith("SleTmD")]).to_csv(
        no_sleep, index=False)
    loaded = load_inputs(no_sleep, paths["participants"], settings)
    assert "sleep_s" not in loaded.days.columns
    part = tmp_path / "part.csv"
    wide.drop(columns=["SleTmD3_NT4ActMX"]).to_csv(part, index=False)
    with pytest.raises(InputDataError, match="SleTmD3_NT4ActMX"):
        load_inputs(part, paths["participants"], settings)
    bad = wide.copy()
    bad.loc[2, "SleTmD1_NT4ActMX"] = -5.0
    bad_path = tmp_path / "bad.csv"
    bad.to_csv(bad_path, index=False)
    with pytest.raises(InputDataError, match=r"SleTmD1_NT4ActMX.*line 4"):
        load_inputs(bad_path, paths["participants"], settings)


def test_sleep_is_realistic_and_leaves_the_other_draws_alone(small):
    d = small.days
    worn = d.lying_s.notna()
    sleep_h = d.loc[worn, "sleep_s"] / 3600
    assert 7.0 < sleep_h.mean() < 8.0
    has = d.sleep_s.notna()
    assert (d.sleep_s[has] <= d.lying_s[has]).all() and not (has & ~worn).any()
    assert 0.01 < sleep_h.isna().mean() < 0.04  # worn days without a sleep estimate
    plain = simulate_cohort(1500, seed=3, truth=TrueRisk())
    pd.testing.assert_frame_equal(plain.participants, small.participants)
    assert (small.risk.log_rr_composition == 0).all()


def test_built_in_reallocation_effect_is_recovered():
    """A pure compositional truth (walking RRs 1): every substitution between the four parts
    without zeros, at +-30 and +-60 min/day, covers its true RR with its 95 % CI."""
    truth = TrueRisk(volume_rr=(1.0,) * 4, intensity_rr=(1.0,) * 4, composition_log_rr=BETA)
    sim = simulate_cohort(30000, seed=5, truth=truth)
    settings = CohortSettings()
    res = run_coda(sim.days, build_sample(CohortInputs(sim.days, sim.participants),
                                          settings).everyone, settings)
    mean = res.mean.minutes.to_numpy()
    t = res.isotemporal
    t = t[(t.adjustment == "multi") & t.minutes.isin([-60, -30, 30, 60])
          & (t.from_part != "running_cycling") & (t.to_part != "running_cycling")]
    assert len(t) == 12 * 4
    true = np.array([truth.substitution_rr(mean, r.from_part, r.to_part, r.minutes)
                     for r in t.itertuples()])
    inside = (t.ci_low.to_numpy() < true) & (true < t.ci_high.to_numpy())
    assert inside.all(), t[~inside].assign(true=true[~inside])
    # the effect is large enough for the check to mean something: 60 min from sedentary to
    # walking lowers the risk by ~10 %, and the CI excludes 1
    r = t[(t.from_part == "sedentary") & (t.to_part == "walking") & (t.minutes == 60)].iloc[0]
    assert r.ci_high < 1 and true[(t.from_part == "sedentary").to_numpy()
                                  & (t.to_part == "walking").to_numpy()
                                  & (t.minutes == 60).to_numpy()][0] < 0.93
    # per-part coefficients: the fitted log-contrast (ilr1 of each rotation) matches the truth
    m = res.models[res.models.adjustment == "multi"].set_index("part")
    b = np.asarray(BETA)
    for k, part in enumerate(PARTS):
        true_rr = np.exp(b[k] * np.sqrt(5 / 4))  # b' clr-contrast on the first pivot coordinate
        if part != "running_cycling":
            assert m.loc[part, "ci_low"] < true_rr < m.loc[part, "ci_high"], part
