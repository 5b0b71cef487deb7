"""``walkback info`` prints a readable table and exits 2 with one line on bad input."""

from __future__ import annotations

import json

import pytest

from walkback.cli import main


def test_info_table_lists_rejected_blocks_and_gaps(test_data, capsys):
    rc = main(["info", str(test_data / "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "samples          16,680" in out and "nominal rate     100 Hz" in out
    assert "blocks: 0, 13, 14, 142, 143, 144" in out and "checksum mismatch  6" in out
    assert "Gaps (first 1 of 1)" in out


def test_info_json_and_harth(shared_data, capsys):
    assert main(["info", "--json", str(shared_data / "harth-samples" / "har70plus_501_sample.csv")]) == 0
    out = capsys.readouterr().out
    docs = [json.loads(part) for part in out.replace("}\n{", "}\x00{").split("\x00")]
    assert [d["extra"]["sensor"] for d in docs] == ["back", "thigh"]
    assert docs[0]["nominal_rate_hz"] == 50.0


def test_info_bad_file_exit_code(tmp_path, capsys):
    (tmp_path / "e.cwa").write_bytes(b"")
    assert main(["info", str(tmp_path / "e.cwa")]) == 2
    assert "empty" in capsys.readouterr().err


def test_info_on_an_unknown_csv_names_the_commands_own_options(tmp_path, capsys):
    """It used to point a command-line user to the Python function walkback.io.read_csv."""
    path = tmp_path / "phone.csv"
    path.write_text("t,ax,ay,az\n0,0,0,9.81\n0.02,0.1,0,9.79\n0.04,0.2,0,9.8\n0.06,0.1,0,9.81\n")
    assert main(["info", str(path)]) == 2
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in cap.err
    assert err.startswith(f"walkback info: error: {path}: CSV columns ['t', 'ax', 'ay', 'az'] "
                          "match no known layout (HARTH: timestamp, back_x")
    assert "--time-column COL --axis-columns X,Y,Z" in err and "--time-unit" in err
    assert "walkback.io" not in err
    # ... and those options read it: m/s^2 times 1/9.80665 -> g, times in s since 1970
    assert main(["info", str(path), "--time-column", "t", "--axis-columns", "ax,ay,az",
                 "--time-unit", "s", "--scale", str(1 / 9.80665), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_samples"] == 4 and doc["nominal_rate_hz"] == pytest.approx(50.0)
    assert doc["start_ns"] == 0 and doc["stop_ns"] == 60_000_000


def test_info_csv_options_are_checked(tmp_path, test_data, capsys):
    path = tmp_path / "phone.csv"
    path.write_text("t,ax,ay,az\n0,0,0,1\n0.02,0,0,1\n")
    assert main(["info", str(path), "--axis-columns", "ax,ay"]) == 2
    assert "--axis-columns 'ax,ay': give three column names" in capsys.readouterr().err
    assert main(["info", str(path), "--time-column", "time", "--axis-columns", "ax,ay,az"]) == 2
    assert "missing column(s) ['time']" in capsys.readouterr().err
    assert main(["info", str(test_data / "ax3_testfile.cwa"), "--time-column", "t"]) == 2
    assert "--time-column only apply to CSV files; this is axivity-cwa" in capsys.readouterr().err


def test_read_of_an_unknown_csv_says_what_to_do_from_anywhere(tmp_path):
    from walkback.errors import InputDataError
    from walkback.io import read

    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(InputDataError, match=r"match no known layout \(HARTH: .*SELFBACK: time, "
                       r"x, y, z\); rename the columns to time, x, y, z \(g\), or read"):
        read(path)
