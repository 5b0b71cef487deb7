"""Participant report in headless Chromium: loads cleanly, every figure drawn, numbers match."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from _support.browser import (
    assert_accessible,
    assert_figure_drawn,
    assert_loaded_cleanly,
    number,
)

FIGURES = ("timeline", "activity", "walking", "pace", "cadence", "steps", "wear")


def test_page_loads_without_errors_and_draws_every_figure(participant_page):
    _, page = participant_page
    assert_loaded_cleanly(page)
    assert page.missing == {}
    for name in FIGURES:
        assert_figure_drawn(page, name)
    assert_accessible(page)


def test_timeline_shows_the_activity_colours(participant_page):
    _, page = participant_page
    px = page.graphic("timeline")
    colours = {"lying": (0, 114, 178), "walking": (0, 158, 115), "standing": (240, 228, 66)}
    q = (px * 255).round().astype(int).reshape(-1, 3)
    for name, rgb in colours.items():
        assert (abs(q - rgb).sum(axis=1) <= 6).mean() > 0.002, name


def test_key_numbers_equal_the_daily_table(participant_page, participant_dir):
    _, page = participant_page
    daily = pd.read_csv(participant_dir / "daily.csv")
    valid = daily[daily["valid_study"]]
    assert number(page.keys["days-recorded"]) == len(daily)
    assert number(page.keys["valid-days"]) == len(valid)
    assert number(page.keys["walking-min-mean"]) == round(valid["walking_s"].mean() / 60)
    assert number(page.keys["steps-mean"]) == round(valid["steps"].mean())
    for _, r in daily.iterrows():
        assert number(page.keys[f"steps-day-{r['date']}"]) == r["steps"]
        assert number(page.keys[f"walking-min-day-{r['date']}"]) == round(r["walking_s"] / 60)
        assert number(page.keys[f"wear-h-day-{r['date']}"]) == round(r["wear_s"] / 3600, 1)
    met = (2.8 * valid["walk_slow_s"].mean() + 3.8 * valid["walk_moderate_s"].mean()
           + 4.8 * valid["walk_brisk_s"].mean()) / (valid[["walk_slow_s", "walk_moderate_s",
                                                           "walk_brisk_s"]].sum(axis=1).mean())
    assert number(page.keys["intensity-met-mean"]) == pytest.approx(round(met, 2))


def test_volume_group_and_study_risk_ratios(participant_page, participant_dir):
    _, page = participant_page
    daily = pd.read_csv(participant_dir / "daily.csv")
    mean = round(daily.loc[daily["valid_study"], "walking_s"].mean() / 60)
    expected = ("<78" if mean < 78 else "78\u2013100" if mean <= 100 else
                "101\u2013124" if mean <= 124 else "\u2265125")
    assert page.keys["volume-category"].startswith(expected)
    assert [page.keys[f"study-rr-volume-{k}"] for k in range(1, 5)] == [
        "1.00", "0.87", "0.77", "0.76"]
    assert "JAMA Netw Open" in page.dom and "e2515592" in page.dom


def test_cadence_median_matches_epochs(participant_page, participant_dir):
    _, page = participant_page
    ep = pd.read_parquet(participant_dir / "epochs.parquet")
    cad = ep.loc[(ep["study_class"] == "walking") & (ep["cadence_spm"] > 0), "cadence_spm"]
    assert number(page.keys["cadence-median"]) == round(cad.median())


def test_qc_section_and_escaping(participant_page):
    html, page = participant_page
    assert page.keys["qc-model-sha256"] == "ab" * 32
    assert page.keys["qc-walkback-version"] == "0.1.0"
    text = html.read_text()
    # the settings value "<script>alert(1)</script>" is shown as text, never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert" not in text


def test_self_contained(participant_page):
    html, _ = participant_page
    text = html.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text and "url(http" not in text


def test_plain_language_qc_lines(participant_page):
    _, page = participant_page
    assert page.keys["qc-sync-ok"] == ("The two sensors were lined up in time "
                                       "(clock offset 0.420 s).")
    assert page.keys["qc-calibration-thigh"] == "The thigh sensor was recalibrated."
    assert "inside out" in page.keys["qc-orientation-thigh"]
