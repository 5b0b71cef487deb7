"""Errors on the user's own paths: one line naming the path, exit status 2, never a traceback.

Every command that writes takes ``--out``; each is run with an output location that cannot be
created (a file where a folder is needed, and /proc where the kernel allows nothing new), and the
atomic writers are checked to turn operating-system errors on the output into OutputPathError.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from walkback._atomic import atomic_dir, atomic_path, check_output_location, write_text_atomic
from walkback.cli import main
from walkback.errors import OutputPathError, WalkbackError
from walkback.io import write_cwa

T0 = int(np.datetime64("2024-01-10T08:00:00", "ns").astype("int64"))


@pytest.fixture()
def inputs(tmp_path) -> dict[str, Path]:
    """Small real inputs, so that only the output path can be what fails."""
    cwa = write_cwa(tmp_path / "thigh.cwa", np.tile([1.0, 0.0, 0.0], (3000, 1)), start_ns=T0,
                    rate_hz=50.0)
    days = tmp_path / "days.csv"
    days.write_text("participant_id,date\n")
    folder = tmp_path / "participant"
    folder.mkdir()
    return {"cwa": cwa, "days": days, "folder": folder, "dir": tmp_path}


def _commands(i: dict[str, Path], out: str) -> dict[str, list[str]]:
    return {
        "process-one": ["process-one", "--thigh", str(i["cwa"]), "--id", "P1", "--out", out],
        "simulate recording": ["simulate", "recording", "--days", "0.01", "--out", out],
        "simulate cohort": ["simulate", "cohort", "--n", "50", "--out", out],
        "analyze": ["analyze", "--days", str(i["days"]), "--participants", str(i["days"]),
                    "--out", out],
        "report": ["report", "participant", str(i["folder"]), "--out", out],
        "manifest": ["manifest", str(i["dir"]), "--pattern", "*.cwa", "--out", out],
        "process": ["process", str(i["days"]), "--out", out],
        "train": ["train", "--data", str(i["dir"]), "--format", "selfback", "--out", out],
        "evaluate": ["evaluate", "--data", str(i["dir"]), "--format", "selfback", "--out", out],
        "demo": ["demo", "--out", out],
    }


COMMANDS = list(_commands({k: Path("x") for k in ("cwa", "days", "folder", "dir")}, "o"))


def _one_line(capsys) -> str:
    cap = capsys.readouterr()
    err = cap.err.strip()
    assert "Traceback" not in cap.err and "Traceback" not in cap.out
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("command", COMMANDS)
def test_output_under_a_file_is_one_line(command, inputs, capsys):
    blocker = inputs["dir"] / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "sub" / "out"
    argv = _commands(inputs, str(out))[command]
    assert main(argv) == 2
    err = _one_line(capsys)
    assert err == f"walkback {argv[0]}: error: {out}: {blocker} is a file, not a folder"
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", ["process-one", "simulate recording", "analyze", "report"])
def test_output_in_proc_is_one_line(command, inputs, capsys):
    """The issue's reproduction: `process-one --out /proc/x` ended in a FileNotFoundError
    traceback from the temporary folder beside the output."""
    argv = _commands(inputs, "/proc/walkback-x")[command]
    assert main(argv) == 2
    err = _one_line(capsys)
    assert err.startswith(f"walkback {argv[0]}: error: /proc/walkback-x: cannot create anything "
                          "in /proc (")


def test_check_leaves_nothing_behind(tmp_path):
    check_output_location(tmp_path / "new" / "deeper" / "out")
    assert list(tmp_path.iterdir()) == []
    check_output_location(tmp_path)  # an existing folder is fine (it is replaced whole later)


def test_atomic_writers_name_the_users_path(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    want = f"^{blocker}/out: cannot create the folder {blocker}"
    with pytest.raises(OutputPathError, match=want), atomic_dir(blocker / "out"):
        pass
    with pytest.raises(OutputPathError, match=f"^{blocker}/a.csv: cannot create the folder"):
        write_text_atomic(blocker / "a.csv", "text")
    assert blocker.read_text() == "x"


def test_os_error_while_writing_is_an_output_error_and_nothing_is_left(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(OutputPathError, match=f"^{target}: cannot write the output "
                       r"\(No space left on device\)"), atomic_dir(target) as tmp:
        (tmp / "daily.csv").write_text("partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp / "epochs.parquet"))
    assert list(tmp_path.iterdir()) == []
    want = f"^{tmp_path / 'a.txt'}: cannot write the output"
    with pytest.raises(OutputPathError, match=want), atomic_path(tmp_path / "a.txt") as tmp:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp))
    assert list(tmp_path.iterdir()) == []


def test_os_error_on_another_path_is_not_relabelled(tmp_path):
    """An input that vanishes while the output is being written is not an output error."""
    with pytest.raises(FileNotFoundError), atomic_dir(tmp_path / "out"):
        (tmp_path / "missing-input.cwa").read_bytes()
    assert list(tmp_path.iterdir()) == []


def test_cli_prints_an_os_error_on_a_named_file_as_one_line(monkeypatch, capsys, test_data):
    """Any command: an OSError that names a file is the user's path, not a bug."""
    import walkback._commands.io as io_cmd

    def denied(args):
        raise PermissionError(errno.EACCES, "Permission denied", "/data/cohort/p1.cwa")

    monkeypatch.setattr(io_cmd, "_read_for_info", denied)
    assert main(["info", str(test_data / "ax3_testfile.cwa")]) == 2
    assert _one_line(capsys) == "walkback info: error: /data/cohort/p1.cwa: Permission denied"


def test_cli_keeps_the_traceback_of_an_os_error_without_a_path(monkeypatch, test_data):
    import walkback._commands.io as io_cmd

    def bug(args):
        raise OSError("something internal")

    monkeypatch.setattr(io_cmd, "_read_for_info", bug)
    with pytest.raises(OSError, match="something internal"):
        main(["info", str(test_data / "ax3_testfile.cwa")])


def test_output_path_error_is_a_walkback_error():
    """The batch runner records WalkbackErrors per participant instead of stopping the batch."""
    assert issubclass(OutputPathError, WalkbackError)
