"""Pure helpers: study groups at their published boundaries, number formats, escaping, ticks."""

from __future__ import annotations

import math

import pytest

from walkback.report._charts import rr_colour
from walkback.report._html import fmt_ci, fmt_num, fmt_p, fmt_rr, rr_cell, table
from walkback.report._svg import Log, Svg, nice_ticks
from walkback.report.study import INTENSITY, VOLUME, category_index


@pytest.mark.parametrize(("minutes", "group"), [
    (0.0, 0), (77.49, 0), (77.5, 1), (100.0, 1), (100.49, 1), (100.5, 2), (124.49, 2),
    (124.5, 3), (300.0, 3), (float("nan"), None),
])
def test_volume_group_boundaries_round_half_up_like_the_labels(minutes, group):
    assert category_index(VOLUME, minutes, 0) == group


@pytest.mark.parametrize(("met", "group"), [
    (2.8, 0), (2.994, 0), (2.995, 1), (3.11, 1), (3.114, 1), (3.115, 2), (3.26, 2),
    (3.265, 3), (4.8, 3),
])
def test_intensity_group_boundaries(met, group):
    assert category_index(INTENSITY, met, 2) == group


def test_published_risk_ratios_are_the_studys():
    assert [(c.rr, c.ci_low, c.ci_high) for c in VOLUME[1:]] == [
        (0.87, 0.77, 0.98), (0.77, 0.68, 0.87), (0.76, 0.67, 0.87)]
    assert [c.rr for c in INTENSITY] == [1.00, 0.85, 0.82, 0.82]


def test_number_formats():
    assert fmt_num(10652.4) == "10,652"
    assert fmt_num(float("nan")) == "\u2014"
    assert fmt_num(None, 2) == "\u2014"
    assert fmt_rr(0.8749) == "0.87"
    assert fmt_rr(float("nan")) == "not estimable"
    assert fmt_ci(0.7712, 0.9811) == "0.77\u20130.98"
    assert fmt_ci(float("nan"), 1.0) == ""
    assert fmt_p(0.0004) == "<0.001"
    assert fmt_p(0.04567) == "0.046"


def test_everything_is_escaped():
    cell = rr_cell('k"><b>', 0.5, 0.4, 0.6)
    assert "<b>" not in cell and "&quot;&gt;&lt;b&gt;" in cell
    html = table(["<th>"], [["<script>x</script>"]])
    assert "<script>" not in html and "&lt;script&gt;" in html
    svg = Svg("n", 100, 100, "<t>", "a & b")
    svg.text(1, 1, "</svg><script>")
    out = svg.render()
    assert "<script>" not in out and "&lt;/svg&gt;&lt;script&gt;" in out
    assert "&lt;t&gt;" in out and "a &amp; b" in out


def test_ticks_and_scales():
    assert nice_ticks(0, 100, 5) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(2.82, 3.8, 8)[0] >= 2.82
    log = Log(0.5, 2.0, 0, 100)
    assert log(1.0) == pytest.approx(50)
    assert log(10.0) == pytest.approx(100)  # clamped to the range
    assert 1.0 in log.ticks()


def test_rr_colour_diverges_around_one():
    assert rr_colour(1.0) == "#f7f7f7"
    assert rr_colour(0.5) == "#0072b2" and rr_colour(2.0) == "#d55e00"
    assert rr_colour(None) == rr_colour(math.nan) == "#e0e0e0"


def test_timeline_runs_on_a_dst_day(tmp_path):
    """Europe/Oslo 2024-03-31 has 23 h: runs stay inside 0-24 h, never inverted, cover 23 h."""
    from _support import report_fixtures
    from walkback.report._participant_sections import _runs
    from walkback.report.participant import load_participant

    folder = report_fixtures.write_participant(tmp_path / "P", start="2024-03-30 00:00",
                                               hours=71)
    data = load_participant(folder)
    day = data.epochs[data.epochs["date"] == "2024-03-31"]
    assert len(day) * 5 == 23 * 3600
    runs = _runs(day, data.epoch_s)
    assert all(0 <= s < e <= 24 for s, e, _ in runs)
    assert sum(e - s for s, e, _ in runs) == pytest.approx(23, abs=1e-6)
