"""Manifests: reading and validation (clear errors naming file, row and column) and building one
from a folder with file-name patterns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from walkback.batch import build_manifest, read_manifest, write_manifest
from walkback.batch.pattern import compile_pattern
from walkback.cli import main
from walkback.errors import InputDataError


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_read_csv_resolves_relative_paths_and_optional_columns(tmp_path):
    m = _csv(tmp_path / "m.csv", "participant_id,thigh_path,back_path,timezone\n"
             "007,data/007_t.cwa,data/007_b.cwa,UTC\n"
             "8, /abs/8_t.cwa ,,\n")
    a, b = read_manifest(m)
    assert a.participant_id == "007"  # read as text: leading zeros kept
    assert a.thigh_path == str(tmp_path / "data" / "007_t.cwa")
    assert (a.back_path, a.timezone) == (str(tmp_path / "data" / "007_b.cwa"), "UTC")
    assert (b.thigh_path, b.back_path, b.timezone) == ("/abs/8_t.cwa", "", "")


def test_parquet_round_trip(tmp_path):
    entries = read_manifest(_csv(tmp_path / "m.csv", "participant_id,thigh_path\np1,a.cwa\n"))
    back = read_manifest(write_manifest(entries, tmp_path / "m.parquet"))
    assert back == entries


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("participant_id,back_path\np1,b.cwa\n", r"m\.csv: missing column\(s\) \['thigh_path'\]"),
        ("participant_id,thigh_path\np1,a.cwa\np2,b.cwa\np1,c.cwa\n",
         r"m\.csv: row 4: duplicate participant_id 'p1' \(first at row 2\)"),
        ("participant_id,thigh_path\np1,\n", r"row 2: column thigh_path is empty for 'p1'"),
        ("participant_id,thigh_path\n,a.cwa\n", r"row 2: column participant_id is empty"),
        ("participant_id,thigh_path\n../x,a.cwa\n", r"row 2: participant_id '\.\./x' cannot name"),
        ("participant_id,thigh_path,timezone\np1,a.cwa,Europe/Olso\n",
         r"row 2: column timezone 'Europe/Olso' is not an IANA zone"),
        ("participant_id,thigh_path\n", r"the manifest has no rows"),
    ],
)
def test_manifest_errors_name_file_row_and_column(tmp_path, text, message):
    with pytest.raises(InputDataError, match=message):
        read_manifest(_csv(tmp_path / "m.csv", text))


def test_missing_manifest_is_an_input_error(tmp_path):
    with pytest.raises(InputDataError, match="manifest not found"):
        read_manifest(tmp_path / "none.csv")


def _touch(root: Path, *names: str) -> None:
    for n in names:
        (root / n).parent.mkdir(parents=True, exist_ok=True)
        (root / n).write_bytes(b"x")


def test_build_from_flat_folder(tmp_path):
    _touch(tmp_path, "1001_thigh.cwa", "1001_back.cwa", "1002_thigh.cwa", "0999_back.cwa",
           "notes.txt", ".hidden_thigh.cwa")
    entries = build_manifest(tmp_path, "{id}_thigh.cwa", "{id}_back.cwa", timezone="UTC")
    assert [(e.participant_id, Path(e.thigh_path).name, Path(e.back_path).name if e.back_path
             else "", e.timezone) for e in entries] == [
        ("1001", "1001_thigh.cwa", "1001_back.cwa", "UTC"),
        ("1002", "1002_thigh.cwa", "", "UTC"),  # no back file: thigh-only
    ]  # 0999 has only a back file: left out


def test_build_from_nested_folders_with_wildcards(tmp_path):
    _touch(tmp_path, "site1/A01_T_555.cwa", "site1/A01_B_556.cwa", "site2/sub/B7_T_1.cwa")
    entries = build_manifest(tmp_path, "**/{id}_T_{serial}.cwa", "**/{id}_B_*.cwa")
    got = {e.participant_id: (e.thigh_path, e.back_path) for e in entries}
    assert got == {
        "A01": (str(tmp_path / "site1/A01_T_555.cwa"), str(tmp_path / "site1/A01_B_556.cwa")),
        "B7": (str(tmp_path / "site2/sub/B7_T_1.cwa"), ""),
    }
    assert compile_pattern("{id}/thigh.cwa").fullmatch("p1/thigh.cwa")["id"] == "p1"
    assert compile_pattern("{id}/thigh.cwa").fullmatch("a/p1/thigh.cwa") is None
    assert compile_pattern("[!x]{id}.cwa").fullmatch("y12.cwa")["id"] == "12"


def test_build_errors(tmp_path):
    _touch(tmp_path, "a/p1_thigh.cwa", "b/p1_thigh.cwa")
    with pytest.raises(InputDataError, match="two thigh files for participant 'p1'"):
        build_manifest(tmp_path, "*/{id}_thigh.cwa")
    with pytest.raises(InputDataError, match=r"needs the participant field \{id\}"):
        build_manifest(tmp_path, "*_thigh.cwa")
    with pytest.raises(InputDataError, match="no file matches"):
        build_manifest(tmp_path, "{id}.bin")


def test_manifest_command_writes_a_readable_manifest(tmp_path, capsys):
    _touch(tmp_path / "d", "p1_thigh.cwa", "p1_back.cwa", "p2_thigh.cwa")
    out = tmp_path / "m.csv"
    assert main(["manifest", str(tmp_path / "d"), "--pattern", "{id}_thigh.cwa",
                 "--back-pattern", "{id}_back.cwa", "--out", str(out)]) == 0
    assert "2 participant(s), 1 with a back file" in capsys.readouterr().out
    df = pd.read_csv(out)
    assert list(df.columns) == ["participant_id", "thigh_path", "back_path"]
    assert [e.participant_id for e in read_manifest(out)] == ["p1", "p2"]


def test_process_command_reports_manifest_errors_with_status_2(tmp_path, capsys):
    m = _csv(tmp_path / "m.csv", "participant_id,thigh_path\np1,a\np1,b\n")
    assert main(["process", str(m), "--out", str(tmp_path / "o")]) == 2
    assert "duplicate participant_id 'p1'" in capsys.readouterr().err
