"""One study settings file for every command: typed values, precedence, and the joins between stages.

Each of issue 13's reproductions is a test here: a wrongly typed value is refused naming its file,
table and key; a settings file's time zone reaches qc.json and the calendar days; overlapping
activity windows leave the daily seconds unchanged; one study.toml with [signal] and [cohort] is
accepted by ``process-one --settings`` and ``analyze --settings``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from walkback.cli import main
from walkback.errors import SettingsError
from walkback.pipeline import process_one
from walkback.simulate.recording import simulate_recording, write_recording
from walkback.study_settings import StudySettings, load_study_settings


@pytest.fixture(scope="module")
def sim_dir(tmp_path_factory):
    """A simulated 8-hour day (thigh + back AX3 files) starting 09:00 Oslo time."""
    d = tmp_path_factory.mktemp("sim")
    write_recording(simulate_recording(days=1 / 3, seed=3, start="2024-05-06 09:00"), d)
    return d


@pytest.mark.parametrize(("table", "key", "value", "expected"), [
    ("signal", "calibrate", '"no"', "a boolean"),
    ("activity", "cycling_rule", '"false"', "a boolean"),
    ("activity", "smooth_windows", "3.0", "an integer"),
    ("activity", "overlap", '"0.5"', "a number"),
    ("signal", "orientation", '"flip"', "one of 'auto', 'none'"),
    ("walking", "pace_method", '"speed"', "one of 'model', 'cadence'"),
    ("walking", "met_method", "1", "one of 'pace', 'cadence'"),
    ("walking", "band_hz", "[0.5]", "an array of 2 element(s)"),
    ("walking", "band_hz", '[0.5, "3"]', "tuple[float, float] (element 1: a number)"),
    ("signal.nonwear", "still_sd_g", "true", "a number"),
    ("activity.sleep", "enabled", '"yes"', "a boolean"),
    ("activity.sleep", "median_s", "19.0", "an integer"),
    ("activity.sleep", "min_bed_min", '"3h"', "a number"),
    ("activity.sleep", "movement_sensors", '"back"', "one of 'thigh', 'thigh+back'"),
    ("activity.sleep", "band_hz", "[0.5, 10, 20]", "an array of 2 element(s)"),
    ("activity", "horizontal_rule", "1", "a boolean"),
    ("batch", "workers", "1.5", "an integer"),
    ("cohort", "layout", '"diagonal"', "one of 'auto', 'long', 'wide'"),
    ("cohort.models", "covariates", '"age_years"', "an array"),
    ("cohort.codes", "employed", "[1.5]", "tuple[int, ...] (element 0: an integer)"),
])
def test_wrongly_typed_values_are_refused_naming_file_table_and_key(tmp_path, table, key, value,
                                                                    expected):
    p = tmp_path / "study.toml"
    p.write_text(f"[{table}]\n{key} = {value}\n")
    with pytest.raises(SettingsError) as err:
        load_study_settings(p)
    msg = str(err.value)
    assert f"{p} [{table}] {key}: expected {expected}" in msg, msg
    assert "found" in msg


def test_range_errors_name_the_table_too(tmp_path):
    p = tmp_path / "study.toml"
    p.write_text("[activity]\nsmooth_windows = 4\n")
    with pytest.raises(SettingsError, match=r"study.toml \[activity\]: smooth_windows must be an odd"):
        load_study_settings(p)
    p.write_text('[signal]\ntimezone = "Europe/Trondheim"\n')
    with pytest.raises(SettingsError, match=r"\[signal\].*not an IANA time zone"):
        load_study_settings(p)


def test_sleep_settings_load_from_the_activity_sleep_table(tmp_path):
    p = tmp_path / "study.toml"
    p.write_text('[activity.sleep]\nmin_bed_min = 120\nmovement_sensors = "thigh+back"\n'
                 "band_hz = [0.5, 8]\n")
    s = load_study_settings(p)
    assert s.activity.sleep.min_bed_min == 120.0 and isinstance(s.activity.sleep.min_bed_min, float)
    assert s.activity.sleep.movement_sensors == "thigh+back"
    assert s.activity.sleep.band_hz == (0.5, 8.0)
    assert s.source_of("activity.sleep.min_bed_min") == f"settings file {p}"
    assert s.source_of("activity.sleep.median_s") == "default"
    assert s.to_dict()["activity"]["sleep"]["band_hz"] == [0.5, 8.0]
    for bad, msg in (("median_s = 20", "median_s must be an odd integer"),
                     ("band_hz = [10, 0.5]", "band_hz must be"),
                     ("night_start_h = 24", "night_start_h must be in"),
                     ("time_constant_min = 0", "time_constant_min must be > 0")):
        p.write_text(f"[activity.sleep]\n{bad}\n")
        with pytest.raises(SettingsError, match=rf"\[activity.sleep\]: sleep.{msg}"):
            load_study_settings(p)
    p.write_text("[activity.sleep]\nmin_bed = 120\n")
    with pytest.raises(SettingsError, match=r"\[activity.sleep\]: unknown setting\(s\) \['min_bed'\]"):
        load_study_settings(p)
    assert StudySettings().with_values({"activity.sleep.enabled": False}, "test").activity.sleep \
        .enabled is False


def test_unknown_tables_and_keys_are_refused(tmp_path):
    p = tmp_path / "study.toml"
    p.write_text("[walkng]\nbout_min_s = 5.0\n")
    with pytest.raises(SettingsError, match=r"unknown table\(s\) or key\(s\) \['walkng'\]"):
        load_study_settings(p)
    p.write_text("[walking]\nepoch_s = 5.0\n")  # removed: the epochs table carries its length
    with pytest.raises(SettingsError, match=r"\[walking\]: unknown setting\(s\) \['epoch_s'\]"):
        load_study_settings(p)


def test_values_are_converted_and_sources_recorded(tmp_path):
    p = tmp_path / "study.toml"
    p.write_text('[signal]\nmax_gap_s = 2\n[walking]\nband_hz = [0.5, 3]\n'
                 '[cohort.codes]\nemployed = [1, 2]\n')
    s = load_study_settings(p)
    assert s.signal.max_gap_s == 2.0 and isinstance(s.signal.max_gap_s, float)
    assert s.walking.band_hz == (0.5, 3.0) and s.cohort.codes.employed == (1, 2)
    assert s.source_of("signal.max_gap_s") == f"settings file {p}"
    assert s.source_of("signal.timezone") == "default"
    assert s == StudySettings(signal=s.signal, walking=s.walking, cohort=s.cohort)  # sources aside
    assert set(s.to_dict()) == {"signal", "activity", "walking", "batch", "cohort"}


def test_precedence_flag_over_file_over_default(tmp_path):
    p = tmp_path / "study.toml"
    p.write_text('[signal]\ntimezone = "America/New_York"\n[batch]\nworkers = 3\n')
    assert load_study_settings(None).signal.timezone == "Europe/Oslo"
    s = load_study_settings(p)
    assert s.signal.timezone == "America/New_York" and s.batch.workers == 3
    s = s.with_values({"signal.timezone": "Asia/Tokyo", "batch.workers": None}, "command line --tz")
    assert s.signal.timezone == "Asia/Tokyo" and s.source_of("signal.timezone") == "command line --tz"
    assert s.batch.workers == 3 and s.source_of("batch.workers") == f"settings file {p}"
    with pytest.raises(SettingsError, match="not an IANA time zone"):
        s.with_values({"signal.timezone": "Mars/Olympus"}, "command line --tz")


def test_deprecated_spellings_still_read(tmp_path):
    p = tmp_path / "old.toml"
    p.write_text('model_path = ""\n[walking]\nbout_min_s = 8.0\n')
    with pytest.warns(DeprecationWarning, match=r"\[activity\] model_path"):
        s = load_study_settings(p)
    assert s.activity.model_path == "" and s.walking.bout_min_s == 8.0


def _days_and_qc(out):
    return pd.read_csv(out / "daily.csv"), json.loads((out / "qc.json").read_text())


def test_settings_file_time_zone_reaches_qc_and_days(sim_dir, tmp_path):
    """A cohort outside Norway sets its zone in the file: the calendar days follow it."""
    study = tmp_path / "study.toml"
    study.write_text('[signal]\ntimezone = "America/New_York"\n')
    args = ["process-one", "--thigh", str(sim_dir / "thigh.cwa"), "--id", "p", "--settings",
            str(study)]
    assert main([*args, "--out", str(tmp_path / "ny")]) == 0
    daily, qc = _days_and_qc(tmp_path / "ny")
    assert qc["timezone"] == "America/New_York"
    assert qc["timezone_source"] == f"settings file {study}"
    assert qc["settings"]["signal"]["timezone"] == "America/New_York"
    assert set(qc["settings"]) == {"signal", "activity", "walking"}
    # the recording's device clock is Oslo wall time; read as New York time the same samples
    # fall 6 h later in UTC, and the New York calendar day still starts at local midnight
    ep = pd.read_parquet(tmp_path / "ny" / "epochs.parquet")
    first_local = ep["time"].iloc[0].tz_convert("America/New_York")
    assert (first_local.hour, first_local.minute) == (9, 0)
    assert daily.date.tolist() == ["2024-05-06"]
    # the command line wins over the file, and says so
    assert main([*args, "--out", str(tmp_path / "tokyo"), "--tz", "Asia/Tokyo"]) == 0
    _, qc = _days_and_qc(tmp_path / "tokyo")
    assert qc["timezone"] == "Asia/Tokyo" and qc["timezone_source"] == "command line --tz"
    assert qc["settings_sources"]["signal.timezone"] == "command line --tz"
    # no file, no flag: the default, recorded as such
    assert main(["process-one", "--thigh", str(sim_dir / "thigh.cwa"), "--id", "p", "--out",
                 str(tmp_path / "oslo")]) == 0
    _, qc = _days_and_qc(tmp_path / "oslo")
    assert qc["timezone"] == "Europe/Oslo" and qc["timezone_source"] == "default"


def test_overlapping_windows_leave_daily_seconds_unchanged(sim_dir, tmp_path):
    """overlap = 0.5 once doubled walking_s: each epoch now stands for its step, not its window."""
    base = tmp_path / "base.toml"
    base.write_text("[activity]\noverlap = 0.0\n")
    half = tmp_path / "half.toml"
    half.write_text("[activity]\noverlap = 0.5\n")
    res = {}
    for name, study in (("0", base), ("0.5", half)):
        out = tmp_path / f"o{name}"
        process_one(sim_dir / "thigh.cwa", sim_dir / "back.cwa", participant_id="p", out_dir=out,
                    settings=load_study_settings(study))
        res[name] = _days_and_qc(out)
    d0, d5 = res["0"][0].iloc[0], res["0.5"][0].iloc[0]
    assert res["0.5"][1]["epochs"] == {"window_s": 5.0, "step_s": 2.5, "timezone": "Europe/Oslo",
                                       "model_sha256": res["0"][1]["model"]["sha256"]}
    assert d5.walking_s == pytest.approx(d0.walking_s, rel=0.02)
    for col in ("lying_s", "sitting_s", "standing_s", "wear_s"):
        assert d5[col] == pytest.approx(d0[col], rel=0.02, abs=60), col
    # steps are counted once, not once per overlapping window
    assert d5.steps == pytest.approx(d0.steps, rel=0.03)
    assert d5.wear_s + d5.non_wear_s == pytest.approx(d0.wear_s + d0.non_wear_s, abs=5)


def test_one_study_file_serves_process_one_and_analyze(sim_dir, tmp_path):
    study = tmp_path / "study.toml"
    study.write_text('[signal]\ntimezone = "Europe/Oslo"\nmax_gap_s = 1.5\n'
                     "[walking]\nbout_min_s = 10.0\n"
                     "[batch]\nworkers = 1\n"
                     '[cohort]\nlayout = "long"\n[cohort.exposure]\nmin_age_years = 18.0\n')
    out = tmp_path / "p"
    assert main(["process-one", "--thigh", str(sim_dir / "thigh.cwa"), "--back",
                 str(sim_dir / "back.cwa"), "--id", "p", "--out", str(out), "--settings",
                 str(study)]) == 0
    _, qc = _days_and_qc(out)
    assert qc["settings"]["signal"]["max_gap_s"] == 1.5
    cohort = tmp_path / "cohort"
    assert main(["simulate", "cohort", "--n", "2500", "--seed", "2", "--out", str(cohort)]) == 0
    res = tmp_path / "res"
    assert main(["analyze", "--days", str(cohort / "days.csv"), "--participants",
                 str(cohort / "participants.csv"), "--settings", str(study), "--out",
                 str(res)]) == 0
    prov = json.loads((res / "provenance.json").read_text())
    assert prov["settings"]["cohort"]["exposure"]["min_age_years"] == 18.0
    assert prov["settings_sources"]["cohort.exposure.min_age_years"] == f"settings file {study}"


def test_deprecated_command_spellings_work_with_a_notice(tmp_path, capsys):
    cohort = tmp_path / "c"
    assert main(["simulate-cohort", "--n", "2500", "--seed", "1", "--out", str(cohort)]) == 0
    assert "deprecated" in capsys.readouterr().err
    cfg = tmp_path / "old-cohort.toml"
    cfg.write_text('layout = "long"\n')
    with pytest.warns(DeprecationWarning):
        code = main(["analyze", "--days", str(cohort / "days.csv"), "--participants",
                     str(cohort / "participants.csv"), "--config", str(cfg), "--out",
                     str(tmp_path / "r")])
    assert code == 0
    err = capsys.readouterr().err
    assert "analyze --config' is deprecated" in err and "use --settings" in err
    assert np.isfinite(pd.read_csv(tmp_path / "r" / "quartile_models.csv").rr).all()
