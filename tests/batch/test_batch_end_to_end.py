"""End to end with the real pipeline: simulated recordings -> ``walkback manifest`` ->
``walkback process`` (default task: walkback.pipeline.process_one) -> ``walkback analyze``."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from walkback.cli import main
from walkback.simulate.cohort import simulate_cohort
from walkback.simulate.recording import simulate_recording, write_recording
from walkback.walking import DAILY_COLUMNS

COVARIATES = ["sex_code", "age_years", "education_code", "income_code", "work_status_code",
              "smoking_code", "hads_d_score", "chronic_pain_t1"]


@pytest.mark.slow
def test_simulated_recordings_to_process_to_analyze(tmp_path, capsys, dask_cluster):
    # participants of a simulated cohort who pass the study's exclusions (no baseline LBP,
    # follow-up answered, complete covariates): their ids name the recordings' folders
    people = simulate_cohort(n=10, seed=0).participants
    eligible = people[(people["age_years"] >= 20) & people["lumbar_pain_t0"].isna()
                      & people[COVARIATES].notna().all(axis=1)]
    ids = list(eligible["participant_id"].astype(str)[:2])
    assert len(ids) == 2
    for i, pid in enumerate(ids):
        # 6 waking hours: enough moving 10-min windows for the thigh-back clock sync
        sim = simulate_recording(days=0.25, seed=i, start="2024-10-21 08:00", participant_id=pid,
                                 back_clock_offset_s=1.5)
        write_recording(sim, tmp_path / "data" / pid, rate_hz=50.0)
    people[people["participant_id"].isin(ids)].to_csv(tmp_path / "participants.csv", index=False)

    manifest, out = tmp_path / "manifest.csv", tmp_path / "results"
    assert main(["manifest", str(tmp_path / "data"), "--pattern", "{id}/thigh.cwa",
                 "--back-pattern", "{id}/back.cwa", "--out", str(manifest)]) == 0
    assert main(["process", str(manifest), "--out", str(out), "--workers", "2",
                 "--no-progress"]) == 0
    days = pd.read_parquet(out / "cohort_days.parquet")
    assert sorted(days["participant_id"].unique()) == sorted(ids)
    assert set(DAILY_COLUMNS) <= set(days.columns)
    for pid in ids:
        own = pd.read_csv(out / "participants" / pid / "daily.csv")
        assert days.loc[days["participant_id"] == pid, "walking_s"].tolist() == \
            own["walking_s"].tolist()
        qc = json.loads((out / "participants" / pid / "qc.json").read_text())
        assert qc["mode"] == "thigh+back"
    summary = pd.read_csv(out / "qc_summary.csv")
    assert (summary["status"] == "ok").all() and summary["sync_offset_s"].notna().all()
    assert pd.read_csv(out / "errors.csv").empty

    capsys.readouterr()
    assert main(["process", str(manifest), "--out", str(out), "--no-progress"]) == 0
    assert "0 processed, 2 unchanged" in capsys.readouterr().out

    # the same cohort on the Dask cluster: identical results
    on_dask = tmp_path / "dask"
    assert main(["process", str(manifest), "--out", str(on_dask), "--scheduler", dask_cluster,
                 "--no-progress"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(on_dask / "cohort_days.parquet"), days)
    for pid in ids:
        a, b = out / "participants" / pid, on_dask / "participants" / pid
        assert (a / "daily.csv").read_bytes() == (b / "daily.csv").read_bytes()
        pd.testing.assert_frame_equal(pd.read_parquet(a / "epochs.parquet"),
                                      pd.read_parquet(b / "epochs.parquet"))
        qa, qb = (json.loads((f / "qc.json").read_text()) for f in (a, b))
        assert {k: v for k, v in qa.items() if k != "timing_s"} == \
            {k: v for k, v in qb.items() if k != "timing_s"}

    # analyze reads process's output as it is; with 2 participants it stops at the sample size
    # (the study needs >= 20), i.e. after loading, mapping and validating both tables
    status = main(["analyze", "--days", str(out / "cohort_days.parquet"), "--participants",
                   str(tmp_path / "participants.csv"), "--out", str(tmp_path / "analysis")])
    err = capsys.readouterr().err
    assert status == 0 or "analysis sample has only" in err, err
