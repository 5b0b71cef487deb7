"""Fixtures for the report tests: inputs (real pipeline commands where they exist, schema-following
fixtures for edge cases) and pages rendered once in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from _support import browser as report_browser
from _support import report_fixtures
from walkback.cli import main as walkback


@pytest.fixture(scope="session")
def browser() -> str:
    path = report_browser.find_browser()
    if path is None:
        pytest.skip("no Chromium on this machine (.ci/install-browser installs Debian's "
                    "chromium; apt was unavailable or it is not installed)")
    return path


@pytest.fixture(scope="session")
def participant_dir(tmp_path_factory) -> Path:
    """A 3-day participant folder following docs/SCHEMAS.md (daily = sum of epochs)."""
    return report_fixtures.write_participant(tmp_path_factory.mktemp("participant") / "P001")


@pytest.fixture(scope="session")
def analyze_dir(tmp_path_factory) -> Path:
    """A real `walkback analyze` output folder from a small simulated cohort."""
    root = tmp_path_factory.mktemp("cohort")
    assert walkback(["simulate", "cohort", "--n", "3000", "--seed", "3", "--out",
                     str(root / "sim")]) == 0
    assert walkback(["analyze", "--days", str(root / "sim" / "days.csv"), "--participants",
                     str(root / "sim" / "participants.csv"), "--out", str(root / "an")]) == 0
    return root / "an"


@pytest.fixture(scope="session")
def process_dir(tmp_path_factory) -> Path:
    """A process output folder (qc_summary.csv, errors.csv) in the batch runner's layout."""
    return report_fixtures.write_process(tmp_path_factory.mktemp("process"))


@pytest.fixture(scope="session")
def participant_page(browser, participant_dir, tmp_path_factory):
    from walkback.report import participant_report

    work = tmp_path_factory.mktemp("participant-page")
    html = participant_report(participant_dir, work / "participant.html")
    return html, report_browser.render(html, work)


@pytest.fixture(scope="session")
def cohort_page(browser, analyze_dir, process_dir, tmp_path_factory):
    from walkback.report import cohort_report

    work = tmp_path_factory.mktemp("cohort-page")
    html = cohort_report(analyze_dir, work / "cohort.html", process=process_dir)
    return html, report_browser.render(html, work)


@pytest.fixture(scope="session")
def real_participant_dir(tmp_path_factory) -> Path:
    """A real `walkback process-one` folder of a simulated thigh + back recording: 21.6 h from
    14:00, so an afternoon and evening, a whole night in bed (sleep on both days) and a
    morning."""
    root = tmp_path_factory.mktemp("real-participant")
    assert walkback(["simulate", "recording", "--days", "0.9", "--start", "2024-10-21 14:00",
                     "--seed", "2", "--out", str(root / "rec")]) == 0
    assert walkback(["process-one", "--thigh", str(root / "rec" / "thigh.cwa"), "--back",
                     str(root / "rec" / "back.cwa"), "--id", "S2", "--out",
                     str(root / "out")]) == 0
    return root / "out"
