"""The participant report's trunk posture section: numbers from the daily table, and a plain
note instead of a figure for thigh-only recordings."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from _support import report_fixtures
from _support.browser import assert_figure_drawn, number
from walkback.report.participant import load_participant, render_participant
from walkback.walking import trunk_columns


def test_trunk_section_numbers_equal_the_daily_table(participant_page, participant_dir):
    _, page = participant_page
    daily = pd.read_csv(participant_dir / "daily.csv")
    assert_figure_drawn(page, "trunk")
    assert number(page.keys["trunk-fwd30-min-mean"]) == round(daily["trunk_fwd_ge30_s"].mean() / 60)
    assert number(page.keys["trunk-fwd60-min-mean"]) == pytest.approx(
        round(daily["trunk_fwd_ge60_s"].mean() / 60, 1))


def test_thigh_only_report_says_no_back_sensor(tmp_path):
    folder = report_fixtures.write_participant(tmp_path / "T1", pid="T1")
    daily = pd.read_csv(folder / "daily.csv")
    daily[list(trunk_columns())] = np.nan
    daily.to_csv(folder / "daily.csv", index=False)
    qc = json.loads((folder / "qc.json").read_text())
    qc.update(mode="thigh-only", trunk={"computed": False, "reason": "no back sensor"})
    (folder / "qc.json").write_text(json.dumps(qc))
    html = render_participant(load_participant(folder))
    section = html[html.index('<section id="trunk">'):]
    section = section[: section.index("</section>")]
    assert "no back sensor" in section and "<svg" not in section


def test_reference_not_found_is_explained(tmp_path):
    folder = report_fixtures.write_participant(tmp_path / "T2", pid="T2")
    daily = pd.read_csv(folder / "daily.csv")
    daily[list(trunk_columns())] = np.nan
    daily.to_csv(folder / "daily.csv", index=False)
    qc = json.loads((folder / "qc.json").read_text())
    qc.update(mode="thigh+back", trunk={"computed": False, "reference": {
        "found": False, "reason": "only 12 s of walking with the back sensor worn"}})
    (folder / "qc.json").write_text(json.dumps(qc))
    html = render_participant(load_participant(folder))
    assert "only 12 s of walking" in html
