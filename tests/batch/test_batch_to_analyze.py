"""Issue 7's end-to-end check at a size the analysis can estimate (16 joint cells need cases):
simulated recordings of 120 participants -> ``walkback manifest`` -> ``walkback process`` ->
``walkback analyze``, with no hand-editing in between (the participant table is the simulator's,
the day table is ``cohort_days.parquet`` as ``process`` wrote it). To keep the test quick, 40
distinct simulated recordings are each worn by three participants (hard links); every participant
is still processed on its own."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from walkback.cli import main
from walkback.simulate.cohort import simulate_cohort
from walkback.simulate.recording import simulate_recording, write_recording

COVARIATES = ["sex_code", "age_years", "education_code", "income_code", "work_status_code",
              "smoking_code", "hads_d_score", "chronic_pain_t1"]


@pytest.mark.slow
def test_simulated_participants_process_then_analyze(tmp_path):
    people = simulate_cohort(n=400, seed=3).participants
    ok = people[(people["age_years"] >= 20) & people["lumbar_pain_t0"].isna()
                & people[COVARIATES].notna().all(axis=1)]
    case = ok["lumbar_pain_t1"].notna() & (ok["chronic_pain_t1"] == 1)
    ids = (list(ok[case]["participant_id"].astype(str)[:60])
           + list(ok[~case]["participant_id"].astype(str)[:60]))
    assert len(ids) == 120
    for i in range(40):
        src = tmp_path / "sims" / str(i)
        sim = simulate_recording(days=0.25, seed=200 + i, start="2024-10-21 08:00",
                                 participant_id=f"sim{i}")
        write_recording(sim, src, rate_hz=50.0)
        for pid in ids[i::40]:
            (tmp_path / "data" / pid).mkdir(parents=True)
            for name in ("thigh.cwa", "back.cwa"):
                os.link(src / name, tmp_path / "data" / pid / name)
    people[people["participant_id"].isin(ids)].to_csv(tmp_path / "participants.csv", index=False)

    manifest, run, results = tmp_path / "manifest.csv", tmp_path / "run", tmp_path / "results"
    assert main(["manifest", str(tmp_path / "data"), "--pattern", "{id}/thigh.cwa",
                 "--back-pattern", "{id}/back.cwa", "--out", str(manifest)]) == 0
    assert main(["process", str(manifest), "--out", str(run), "--workers", "2",
                 "--no-progress"]) == 0
    # the 6-h recordings are partial days, which the study's full-day analysis leaves out by
    # default: this cohort's config keeps them
    config = tmp_path / "study.toml"
    config.write_text("[cohort.exposure]\ndrop_partial_days = false\n")
    assert main(["analyze", "--days", str(run / "cohort_days.parquet"), "--participants",
                 str(tmp_path / "participants.csv"), "--settings", str(config),
                 "--out", str(results)]) == 0

    flow = pd.read_csv(results / "flow.csv")
    analysed = pd.read_csv(results / "analysis_data.csv", dtype={"participant_id": str})
    assert flow["remaining"].iloc[-1] == len(analysed) >= 80
    assert set(analysed["participant_id"]) <= set(ids)
    q = pd.read_csv(results / "quartile_models.csv")
    main_rows = q[q["adjustment"].isin(["age", "multi"])]
    assert len(main_rows) == 16 and main_rows["rr"].notna().all()
    # the exposure analysed is the walking the pipeline measured, per valid day
    days = pd.read_parquet(run / "cohort_days.parquet")
    measured = days.groupby("participant_id")["walking_s"].mean() / 60
    vol = analysed.set_index("participant_id")["volume_min"]
    assert (vol - measured.reindex(vol.index)).abs().max() < 1e-6
