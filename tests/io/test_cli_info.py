"""``walkback info`` prints a readable table and exits 2 with one line on bad input."""

from __future__ import annotations

import json

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
