"""Small parts of the batch runner: worker count limits, content checksums, progress display."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from walkback.batch.executors import available_cores, choose_workers
from walkback.batch.fingerprint import hash_file, stamp
from walkback.batch.progress import Progress, format_duration


def test_workers_never_exceed_cores_memory_or_jobs():
    cores = available_cores()
    assert choose_workers(None, 1000, 0.001) == cores
    assert choose_workers(cores + 7, 1000, 0.001) == cores
    assert choose_workers(None, 1, 0.001) == 1
    assert choose_workers(None, 1000, 1e6) == 1  # 1 PB per participant: one worker at most
    assert choose_workers(1, 1000, 0.001) == 1


def test_hash_file_is_sha256_of_content_and_stamp_tracks_rewrites(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(b"a" * 3_000_000)
    h = hash_file(str(p))
    assert h.sha256 == hashlib.sha256(b"a" * 3_000_000).hexdigest()
    assert h.size == 3_000_000 and h.same_file(stamp(str(p)))
    st = os.stat(p)
    p.write_bytes(b"b" * 3_000_000)  # same size, new content
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert not h.same_file(stamp(str(p)))  # the cached hash is not trusted any more


def test_progress_line_has_counts_rate_and_eta(caplog):
    buf = io.StringIO()
    bar = Progress(4, stream=buf, every_s=0.0)
    with caplog.at_level("INFO", logger="walkback.batch"):
        bar.update()
        bar.update(failed=True)
    line = bar.line()
    assert "2/4" in line and "failed 1" in line and "/h" in line and "ETA" in line
    assert any("progress [" in r.message for r in caplog.records)  # not a terminal: log lines


@pytest.mark.parametrize(("s", "text"), [(42, "42s"), (185, "3m05s"), (3720, "1h02m"),
                                         (float("nan"), "?")])
def test_format_duration(s, text):
    assert format_duration(s) == text


def test_peak_memory_estimate_grows_with_the_largest_input(tmp_path):
    from walkback.batch.executors import (
        BASE_GB,
        FLOAT32_GB_PER_INPUT_GB,
        GB_PER_INPUT_GB,
        WHOLE_GB_PER_INPUT_GB,
        estimate_peak_gb,
    )
    from walkback.batch.worker import Job

    def job(pid, thigh, back=""):
        return Job(pid, str(thigh), str(back), "UTC", str(tmp_path), print, None, "", "", "", "")

    small, big = tmp_path / "s.csv", tmp_path / "b.cwa"
    small.write_bytes(b"time,x,y,z\n" * 100)  # read whole before preparing
    with big.open("wb") as fh:  # sparse 800 MB file with an Axivity header: streamed
        fh.write(b"MD")
        fh.truncate(800 * 2**20)
    assert estimate_peak_gb([job("a", small)]) == 1.0  # the floor
    got = estimate_peak_gb([job("a", small), job("b", big, small), job("c", tmp_path / "gone")])
    want = BASE_GB + (GB_PER_INPUT_GB * 800 * 2**20 + WHOLE_GB_PER_INPUT_GB * 1100) / 2**30
    assert got == pytest.approx(want)
    # a week of two 100 Hz AX3 files (2 x 258 MB) budgets ~1.1 GiB (measured peak 0.90 GiB with
    # float16 storage), ~1.7 GiB with float32 storage (measured 1.33 GiB)
    assert 0.95 < BASE_GB + GB_PER_INPUT_GB * 2 * 258 / 1024 < 1.3
    assert 1.45 < BASE_GB + FLOAT32_GB_PER_INPUT_GB * 2 * 258 / 1024 < 1.9
    f32 = estimate_peak_gb([job("b", big)], storage="float32")
    assert f32 == pytest.approx(BASE_GB + FLOAT32_GB_PER_INPUT_GB * 800 / 1024)


def _failing_task(thigh_path, back_path=None, *, participant_id, out_dir, timezone, settings):
    from walkback.errors import CorruptFileError

    raise CorruptFileError(f"{thigh_path}: damaged")


def test_a_failure_removes_only_the_result_it_replaces(tmp_path):
    import json

    from walkback.batch.worker import Job, run_job

    data = tmp_path / "t.cwa"
    data.write_bytes(b"x")
    folder = tmp_path / "participants" / "p1"

    def job(previous):
        return Job("p1", str(data), "", "UTC", str(tmp_path / "participants"), _failing_task,
                   None, "s", "m", "v", "run-3", previous=previous)

    def commit(run_id):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "done.json").write_text(json.dumps({"run_id": run_id, "fingerprint": "f"}))

    commit("run-1")
    out = run_job(job({"run_id": "run-1", "fingerprint": "old"}))
    assert (out["status"], out["error"]["type"]) == ("failed", "CorruptFileError")
    assert not folder.exists()  # the stale result of run-1 is gone
    commit("run-2")  # another run committed after this job was planned: keep its result
    run_job(job({"run_id": "run-1", "fingerprint": "old"}))
    assert folder.is_dir()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]
