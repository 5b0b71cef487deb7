"""Reports of incomplete inputs still render and say why a figure is absent."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from _support.browser import assert_figure_drawn, assert_loaded_cleanly, render
from walkback.report import cohort_report, participant_report


def test_participant_without_a_valid_day(browser, participant_dir, tmp_path):
    folder = tmp_path / "P"
    shutil.copytree(participant_dir, folder)
    daily = pd.read_csv(folder / "daily.csv")
    daily["valid_study"] = False
    daily.to_csv(folder / "daily.csv", index=False)
    page = render(participant_report(folder, tmp_path / "p.html"), tmp_path)
    assert_loaded_cleanly(page)
    assert "validity rule" in page.missing["walking"]
    assert page.keys["walking-min-mean"] == "\u2014"
    assert "volume-category" not in page.keys
    for name in ("timeline", "activity", "pace", "cadence", "steps", "wear"):
        assert_figure_drawn(page, name)


def test_participant_with_no_days_and_no_epochs(browser, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    cols = ["participant_id", "day", "date", "walking_s", "wear_s", "valid_study"]
    pd.DataFrame(columns=cols).to_csv(folder / "daily.csv", index=False)
    page = render(participant_report(folder, tmp_path / "p.html"), tmp_path, screenshot=False)
    assert_loaded_cleanly(page)
    assert page.figures == {}
    assert set(page.missing) == {"timeline", "activity", "walking", "pace", "cadence", "steps",
                                 "wear"}
    assert "epochs.parquet" in page.missing["timeline"]
    assert all(reason.strip() for reason in page.missing.values())
    assert "qc.json was not found" in page.dom


@pytest.fixture
def damaged_cohort(analyze_dir, tmp_path):
    """An analyze folder with empty categories, NaN risk ratios and missing files."""
    folder = tmp_path / "an"
    shutil.copytree(analyze_dir, folder)
    q = pd.read_csv(folder / "quartile_models.csv")
    drop = (q["exposure"] == "volume") & (q["adjustment"] == "multi") & (q["category"] == 3)
    q = q[~drop]
    nan = (q["exposure"] == "intensity") & (q["adjustment"] == "multi") & (q["category"] == 4)
    q.loc[nan, ["rr", "ci_low", "ci_high"]] = np.nan
    q["extra_column"] = "ignored"
    q.to_csv(folder / "quartile_models.csv", index=False)
    j = pd.read_csv(folder / "joint_models.csv")
    j = j[~((j["volume_q"] == 4) & (j["intensity_q"] == 4))]
    j.loc[(j["volume_q"] == 3) & (j["intensity_q"] == 2), ["rr", "ci_low", "ci_high"]] = np.nan
    j.to_csv(folder / "joint_models.csv", index=False)
    sp = pd.read_csv(folder / "spline_intensity.csv")
    sp[["rr", "ci_low", "ci_high"]] = np.nan
    sp.to_csv(folder / "spline_intensity.csv", index=False)
    s = pd.read_csv(folder / "stratified_models.csv")
    s.iloc[0:0].to_csv(folder / "stratified_models.csv", index=False)
    for name in ("table1.csv", "splines.json", "evalues.csv"):
        (folder / name).unlink()
    return folder


def test_cohort_with_empty_categories_and_missing_files(browser, damaged_cohort, tmp_path):
    page = render(cohort_report(damaged_cohort, tmp_path / "c.html"), tmp_path)
    assert_loaded_cleanly(page)
    assert page.keys["rr-volume-multi-3"] == "not estimable"
    assert page.keys["rr-intensity-multi-4"] == "not estimable"
    assert page.keys["joint-rr-4-4"] == "not estimable"
    assert page.keys["joint-rr-3-2"] == "not estimable"
    assert "no estimable points" in page.missing["spline-intensity"]
    assert "stratified_models.csv" in page.missing["forest"]
    for name in ("flow", "spline-volume", "joint"):
        assert_figure_drawn(page, name)
    assert "table1.csv is absent" in page.dom
    assert "evalues.csv is absent" in page.dom
    assert "No process folder was given" in page.dom
