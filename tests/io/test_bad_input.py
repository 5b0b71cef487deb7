"""Bad input: content sniffing, clear errors, warnings; fuzzing of real files with hypothesis."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from walkback.errors import CorruptFileError, ReadError, UnsupportedFormatError, WalkbackError
from walkback.io import read, sniff, write_cwa

T0 = int(np.datetime64("2024-01-10T08:00:00", "ns").astype("int64"))
FILES = ["ax3_testfile.cwa", "ax6_testfile.cwa", "example_actigraph_idle_sleep_mode.gt3x",
         "gnactv_sample.bin"]


def _fix_checksums(img: bytearray) -> None:
    words = np.frombuffer(bytes(img), dtype="<u2").copy()
    blocks = words[512:].reshape(-1, 256)
    blocks[:, 255] = 0
    blocks[:, 255] = (-blocks.sum(axis=1, dtype=np.uint32)) & 0xFFFF
    img[1024:] = blocks.tobytes()


def test_content_not_extension_decides(tmp_path, test_data):
    for name, fmt in [("ax3_testfile.cwa", "axivity-cwa"), ("gnactv_sample.bin", "geneactiv-bin"),
                      ("example_actigraph.gt3x", "actigraph-gt3x")]:
        renamed = tmp_path / (name + ".bin")
        renamed.write_bytes((test_data / name).read_bytes())
        assert sniff(renamed) == fmt
    rec = read(tmp_path / "ax3_testfile.cwa.bin")
    assert rec.info.format == "axivity-cwa" and rec.n == 17400


def test_empty_missing_and_foreign_files(tmp_path):
    (tmp_path / "empty.cwa").write_bytes(b"")
    with pytest.raises(ReadError, match="empty"):
        read(tmp_path / "empty.cwa")
    with pytest.raises(ReadError, match="not found"):
        read(tmp_path / "nope.cwa")
    (tmp_path / "x.cwa").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000))
    with pytest.raises(UnsupportedFormatError, match="unrecognised content"):
        read(tmp_path / "x.cwa")
    (tmp_path / "short.cwa").write_bytes(b"MD" + bytes(100))
    with pytest.raises(CorruptFileError, match="truncated .cwa header"):
        read(tmp_path / "short.cwa")


def test_unknown_rate_code_is_named(tmp_path):
    acc = np.tile([0.0, 0.0, 1.0], (600, 1))
    img = bytearray(write_cwa(tmp_path / "a.cwa", acc, start_ns=T0).read_bytes())
    for b in range(1024, len(img), 512):
        img[b + 24] = 0x02  # rate nibble 2 (0.4 Hz): no device uses it
    _fix_checksums(img)
    (tmp_path / "bad.cwa").write_bytes(bytes(img))
    with pytest.raises(CorruptFileError, match="5 unknown sample-rate code"):
        read(tmp_path / "bad.cwa")


def test_blocks_going_back_in_time_are_rejected_with_warning(tmp_path):
    acc = np.random.default_rng(3).normal(0, 0.3, (1200, 3))
    img = bytearray(write_cwa(tmp_path / "a.cwa", acc, start_ns=T0).read_bytes())
    blocks = [img[1024 + 512 * k: 1024 + 512 * (k + 1)] for k in range(10)]
    order = [0, 1, 2, 3, 4, 5, 6, 2, 3, 9]  # blocks 2-3 repeated after 6: time goes back
    img[1024:] = b"".join(blocks[k] for k in order)
    (tmp_path / "back.cwa").write_bytes(bytes(img))
    rec = read(tmp_path / "back.cwa")
    assert [b["block"] for b in rec.info.rejected_blocks] == [7, 8]
    assert "backwards" in rec.info.rejected_blocks[0]["reason"]
    assert any("backwards" in w for w in rec.info.warnings)
    assert np.all(np.diff(rec.time_ns) > 0) and rec.n == 8 * 120
    assert len(rec.info.gaps) == 1  # blocks 7-8 of the original are missing


def test_damaged_header_session_falls_back_to_blocks(tmp_path):
    acc = np.zeros((480, 3))
    img = bytearray(write_cwa(tmp_path / "a.cwa", acc, start_ns=T0, session_id=42).read_bytes())
    img[7:11] = (99).to_bytes(4, "little")
    (tmp_path / "h.cwa").write_bytes(bytes(img))
    rec = read(tmp_path / "h.cwa")
    assert rec.n == 480 and rec.info.session_id == "42"
    assert any("session" in w for w in rec.info.warnings)


def _check(rec) -> None:
    assert rec.time_ns.dtype == np.int64 and rec.accel_g.dtype == np.float32
    assert np.all(np.diff(rec.time_ns) > 0)
    assert np.all(np.isfinite(rec.accel_g))
    limit = rec.info.range_g if np.isfinite(rec.info.range_g) else 16.0
    assert np.abs(rec.accel_g).max(initial=0) <= limit + 0.1
    assert rec.info.n_samples == rec.n


GT3X = "example_actigraph_idle_sleep_mode.gt3x"  # 21356 bytes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# found by this fuzzing: damage to the .gt3x zip's central directory raised NotImplementedError
# ("zip file version", byte 21063) and RuntimeError ("encrypted", byte 21154), not CorruptFileError
@example(name=GT3X, cut=1.0, flips=[(21063.5 / 21356, 0xFF)])
@example(name=GT3X, cut=1.0, flips=[(21154.5 / 21356, 0x01)])
@given(name=st.sampled_from(FILES), cut=st.floats(0, 1),
       flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=6))
def test_fuzz_truncation_and_byte_flips(tmp_path, test_data, name, cut, flips):
    data = bytearray((test_data / name).read_bytes())
    data = data[: int(len(data) * cut) if cut < 0.999 else len(data)]
    for pos, xor in flips:
        if data:
            data[min(len(data) - 1, int(pos * len(data)))] ^= xor
    path = tmp_path / f"fuzz_{name}"
    path.write_bytes(bytes(data))
    try:
        rec = read(path)
    except WalkbackError:
        return
    _check(rec)


@pytest.mark.parametrize("name", FILES)
def test_every_header_byte_flip_is_handled(tmp_path, test_data, name):
    data = (test_data / name).read_bytes()
    rng = np.random.default_rng(11)
    for pos in rng.integers(0, min(len(data), 1100), 25):
        bad = bytearray(data)
        bad[pos] ^= 0xFF
        path = tmp_path / name
        path.write_bytes(bytes(bad))
        with contextlib.suppress(WalkbackError):
            _check(read(path))
