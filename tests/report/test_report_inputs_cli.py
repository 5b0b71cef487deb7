"""Bad inputs give one clear message; the CLI writes the reports."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from walkback.cli import main as walkback
from walkback.errors import InputDataError, ReadError
from walkback.report import load_cohort, load_participant


def test_missing_daily_column_is_named(participant_dir, tmp_path):
    folder = tmp_path / "P"
    shutil.copytree(participant_dir, folder)
    pd.read_csv(folder / "daily.csv").drop(columns=["walking_s"]).to_csv(
        folder / "daily.csv", index=False)
    with pytest.raises(InputDataError, match=r"daily\.csv: missing required column\(s\) walking_s"):
        load_participant(folder)


def test_bad_flag_value_is_named_with_its_line(participant_dir, tmp_path):
    folder = tmp_path / "P"
    shutil.copytree(participant_dir, folder)
    daily = pd.read_csv(folder / "daily.csv")
    daily["valid_study"] = daily["valid_study"].astype(object)
    daily.loc[1, "valid_study"] = "maybe"
    daily.to_csv(folder / "daily.csv", index=False)
    with pytest.raises(InputDataError, match=r"'valid_study' row 3 holds 'maybe'"):
        load_participant(folder)


def test_missing_epoch_column_is_named(participant_dir, tmp_path):
    folder = tmp_path / "P"
    shutil.copytree(participant_dir, folder)
    ep = pd.read_parquet(folder / "epochs.parquet").drop(columns=["study_class"])
    ep.to_parquet(folder / "epochs.parquet")
    with pytest.raises(InputDataError, match=r"epochs\.parquet: missing required .*study_class"):
        load_participant(folder)


def test_cohort_missing_and_non_numeric_columns(analyze_dir, tmp_path):
    folder = tmp_path / "an"
    shutil.copytree(analyze_dir, folder)
    q = pd.read_csv(folder / "quartile_models.csv")
    q.drop(columns=["ci_high"]).to_csv(folder / "quartile_models.csv", index=False)
    with pytest.raises(InputDataError, match=r"quartile_models\.csv: missing .*ci_high"):
        load_cohort(folder)
    q["rr"] = q["rr"].astype(object)
    q.loc[2, "rr"] = "abc"
    q.to_csv(folder / "quartile_models.csv", index=False)
    with pytest.raises(InputDataError, match=r"column 'rr' row 4 .*'abc'; expected a number"):
        load_cohort(folder)


def test_not_an_output_folder(tmp_path):
    with pytest.raises(ReadError, match="not a directory"):
        load_cohort(tmp_path / "nope")
    with pytest.raises(InputDataError, match="quartile_models.csv: not found"):
        load_cohort(tmp_path)
    with pytest.raises(InputDataError, match="daily.csv: not found"):
        load_participant(tmp_path)


def test_cli_writes_both_reports(participant_dir, analyze_dir, process_dir, tmp_path, capsys):
    assert walkback(["report", "participant", str(participant_dir), "--out",
                     str(tmp_path / "p.html")]) == 0
    assert walkback(["report", "cohort", str(analyze_dir), "--process", str(process_dir),
                     "--out", str(tmp_path / "c.html")]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "p.html") in out and str(tmp_path / "c.html") in out
    assert (tmp_path / "p.html").read_text().startswith("<!DOCTYPE html>")
    assert "Cohort report" in (tmp_path / "c.html").read_text()
    assert walkback(["report", "cohort", str(tmp_path / "nope"), "--out",
                     str(tmp_path / "x.html")]) == 2
    assert not (tmp_path / "x.html").exists()


def test_thigh_only_folder_and_time_column_only(participant_dir, tmp_path):
    """Thigh-only mode (sedentary_s, no lying/sitting) and epochs timed by `time` alone."""
    from walkback.report import render_participant

    folder = tmp_path / "P"
    shutil.copytree(participant_dir, folder)
    daily = pd.read_csv(folder / "daily.csv")
    daily["sedentary_s"] = daily["lying_s"] + daily["sitting_s"]
    daily["lying_s"] = float("nan")
    daily["sitting_s"] = float("nan")
    daily.to_csv(folder / "daily.csv", index=False)
    ep = pd.read_parquet(folder / "epochs.parquet")
    ep["time"] = pd.to_datetime(ep["start_ns"], unit="ns", utc=True)
    ep["study_class"] = ep["study_class"].replace({"lying": "sedentary", "sitting": "sedentary"})
    ep["back_wear"] = False
    ep.drop(columns=["start_ns"]).to_parquet(folder / "epochs.parquet")
    data = load_participant(folder)
    assert data.epochs is not None and len(data.epochs) == len(ep)
    html = render_participant(data)
    assert "Sitting or lying (h)" in html and "Lying (h)" not in html
    assert 'data-figure="timeline"' in html and "data-figure-missing" not in html
    # the timeline draws sedentary windows in the sedentary colour
    assert 'fill="#7FB8DA"' in html
