"""`walkback demo` (what `make demo` runs): cohort analysis, one participant, both reports."""

from __future__ import annotations

import pandas as pd

from walkback.cli import main


def test_demo_runs_every_stage_and_says_where(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--n", "1000", "--seed", "1", "--days", "0.3"]) == 0
    text = capsys.readouterr().out
    # 1. cohort analysis, with the truth beside it
    assert "Risk ratios (95% CI)" in text and "true risk ratios used to simulate" in text
    assert (out / "cohort-analysis" / "quartile_models.csv").exists()
    assert (out / "cohort-data" / "days.csv").exists()
    # ... and the 24-h compositional analysis of the same cohort
    assert "isotemporal substitution, multi-adjusted RR" in text and "sedentary -> walking" in text
    assert (out / "cohort-analysis" / "coda_isotemporal.csv").exists()
    # 2. one participant processed from .cwa files and printed beside the truth
    assert "measured (m) beside the truth (t)" in text
    daily = pd.read_csv(out / "participant" / "daily.csv")
    truth = pd.read_csv(out / "participant-recording" / "truth_daily.csv")
    assert daily["date"].tolist() == truth["date"].tolist()
    assert abs(daily["walking_s"].sum() - truth["walking_s"].sum()) <= 0.1 * truth["walking_s"].sum()
    # 3. both reports written and their paths printed
    for name in ("cohort_report.html", "participant_report.html"):
        assert (out / name).stat().st_size > 10_000
        assert str(out / name) in text
