"""The 24-h composition from walkback's own output: ``process-one`` (sleep detector included) ->
daily.csv -> ``walkback analyze`` with its compositional analysis.

Two people of a simulated cohort get, instead of their simulated day rows, the day table that
``process-one`` made from a simulated two-day recording (whole calendar days, thigh + back). The
test asserts that walkback's own day rows pass the composition's counted-day rules unchanged (the
eight study parts add up to the day, sleep inside lying, lying awake > 0) and that the analysis
counts those people, not merely that it runs."""

from __future__ import annotations

import pandas as pd
import pytest

from walkback.cli import main
from walkback.cohort.coda import PARTS, counted_days
from walkback.simulate.cohort import simulate_cohort
from walkback.simulate.recording import simulate_recording, write_recording

COVARIATES = ["sex_code", "age_years", "education_code", "income_code", "work_status_code",
              "smoking_code", "hads_d_score", "chronic_pain_t1"]


@pytest.fixture(scope="module")
def processed_daily(tmp_path_factory) -> pd.DataFrame:
    d = tmp_path_factory.mktemp("coda_e2e")
    # noon to noon: two whole calendar days (05-06, 05-07) and their nights entire
    sim = simulate_recording(days=3, seed=8, start="2024-05-05 12:00", back_clock_offset_s=1.0)
    write_recording(sim, d / "sim")
    assert main(["process-one", "--thigh", str(d / "sim" / "thigh.cwa"), "--back",
                 str(d / "sim" / "back.cwa"), "--id", "x", "--out", str(d / "out")]) == 0
    daily = pd.read_csv(d / "out" / "daily.csv")
    truth = sim.truth_daily
    assert daily["partial_day"].tolist() == [True, False, False, True]
    # the sleep the detector found is the simulated sleeper's within 15 % per day (the published
    # integrator needs 18.5 min of stillness before sleep: docs/VALIDATION.md "Sleep")
    assert daily["sleep_s"].to_numpy() == pytest.approx(truth["sleep_s"].to_numpy(), rel=0.15)
    assert (daily["sleep_s"] <= daily["lying_s"]).all()
    return daily


def test_own_day_rows_are_counted_days(processed_daily) -> None:
    days = counted_days(processed_daily)
    full = ~processed_daily["partial_day"]
    assert days["counted"].tolist() == full.tolist(), processed_daily.T
    awake_lying = processed_daily["lying_s"] - processed_daily["sleep_s"]
    assert (awake_lying[full] > 0).all()
    total = days.loc[full, list(PARTS)].sum(axis=1)
    assert total.to_numpy() == pytest.approx(1440.0, abs=1.0)  # minutes


def test_process_to_analyze_runs_the_composition(processed_daily, tmp_path, capsys) -> None:
    cohort = simulate_cohort(1500, seed=3)
    people = cohort.participants
    eligible = people[(people["age_years"] >= 20) & people["lumbar_pain_t0"].isna()
                      & people["lumbar_pain_t1"].notna() & people[COVARIATES].notna().all(axis=1)]
    ids = list(eligible["participant_id"].astype(str)[:2])
    own = pd.concat([processed_daily.assign(participant_id=pid) for pid in ids], ignore_index=True)
    keep = cohort.days[~cohort.days["participant_id"].isin(ids)]
    days = pd.concat([keep, own[[c for c in own.columns if c in keep.columns or c == "date"]]],
                     ignore_index=True)
    days.to_parquet(tmp_path / "days.parquet", index=False)
    people.to_csv(tmp_path / "participants.csv", index=False)
    out = tmp_path / "analysis"
    assert main(["analyze", "--days", str(tmp_path / "days.parquet"), "--participants",
                 str(tmp_path / "participants.csv"), "--out", str(out)]) == 0, capsys.readouterr().err
    flow = pd.read_csv(out / "coda_flow.csv")
    counted = counted_days(days)
    with_day = counted.loc[counted["counted"], "participant_id"].nunique()
    assert flow.iloc[0].tolist() == ["With a counted day", with_day]
    models = pd.read_csv(out / "coda_models.csv")
    assert sorted(models["part"].unique()) == sorted(PARTS) and models["rr"].gt(0).all()
    # the two processed people are in the analysed sample: the final N counts them
    sample_n = int(flow["remaining"].iloc[-1])
    assert (models["n"] == sample_n).all()
    assert set(ids) <= set(counted.loc[counted["counted"], "participant_id"])
