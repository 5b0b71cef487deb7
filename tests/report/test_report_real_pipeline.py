"""The participant report of a real `process-one` folder (simulated recording through the whole
pipeline): the contract between the producers and the report, checked in the browser."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from _support.browser import (
    assert_accessible,
    assert_figure_drawn,
    assert_loaded_cleanly,
    number,
    render,
)
from walkback.report import participant_report


@pytest.mark.slow
def test_report_of_a_real_process_one_folder(browser, real_participant_dir, tmp_path):
    page = render(participant_report(real_participant_dir, tmp_path / "p.html"), tmp_path)
    assert_loaded_cleanly(page)
    assert_accessible(page)
    for name in ("timeline", "activity", "pace", "cadence", "steps", "wear"):
        assert_figure_drawn(page, name)
    daily = pd.read_csv(real_participant_dir / "daily.csv")
    valid = daily[daily["valid_study"]]
    assert number(page.keys["valid-days"]) == len(valid)
    assert len(daily) == 2 and len(valid) >= 1
    if len(valid):
        assert_figure_drawn(page, "walking")
        assert number(page.keys["walking-min-mean"]) == round(valid["walking_s"].mean() / 60)
    else:
        assert "validity rule" in page.missing["walking"]
    for _, r in daily.iterrows():
        assert number(page.keys[f"steps-day-{r['date']}"]) == r["steps"]
        assert number(page.keys[f"walking-min-day-{r['date']}"]) == round(r["walking_s"] / 60)
        assert number(page.keys[f"sleep-h-day-{r['date']}"]) == round(r["sleep_s"] / 3600, 1)
    # the night in bed: asleep before and after midnight, within the lying time of each day
    assert (daily["sleep_s"] > 1800).all() and (daily["sleep_s"] <= daily["lying_s"]).all()
    assert 5 * 3600 < daily["sleep_s"].sum() < 10 * 3600
    qc = json.loads((real_participant_dir / "qc.json").read_text())
    assert page.keys["qc-model-sha256"] == qc["model"]["sha256"]
    assert page.keys["qc-walkback-version"] == qc["walkback_version"]
    sync = qc.get("signal", {}).get("sync", {})
    if isinstance(sync.get("ok"), bool):
        assert ("lined up" in page.keys["qc-sync-ok"]) is sync["ok"]
