"""The walking command-line entry points."""

from __future__ import annotations

import pandas as pd

from walkback.cli import main


def test_simulate_recording_cli(tmp_path, capsys) -> None:
    assert main(["simulate", "recording", "--days", "0.05", "--out", str(tmp_path / "s"), "--seed", "3"]) == 0
    assert "true walking" in capsys.readouterr().out
    d = pd.read_csv(tmp_path / "s" / "truth_daily.csv")
    assert d.participant_id.iloc[0] == "sim" and (tmp_path / "s" / "thigh.cwa").stat().st_size > 0


def test_process_one_cli_errors_name_the_file(tmp_path, capsys) -> None:
    missing = tmp_path / "nope.cwa"
    assert main(["process-one", "--thigh", str(missing), "--id", "x", "--out", str(tmp_path / "o")]) == 2
    assert "nope.cwa" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    bad = tmp_path / "s.toml"
    bad.write_text("[walking]\nbout_min = 3\n")
    assert main(["process-one", "--thigh", str(missing), "--id", "x", "--out", str(tmp_path / "o"),
                 "--settings", str(bad)]) == 2
    assert "bout_min" in capsys.readouterr().err
