"""open_stream: whole-file info before decoding, and passes that equal read()."""

from __future__ import annotations

import numpy as np
import pytest

from walkback import io
from walkback.errors import ReadError


@pytest.mark.parametrize("name", ["ax3_testfile.cwa", "ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa",
                                  "ax6_testfile.cwa"])
def test_cwa_stream_equals_read(test_data, name):
    rec = io.read(test_data / name)
    s = io.open_stream(test_data / name)
    assert (s.info.start_ns, s.info.stop_ns, s.n) == (rec.time_ns[0], rec.time_ns[-1], rec.n)
    assert s.info.rejected_blocks == rec.info.rejected_blocks
    for chunk_s in (30.0, 1e6):
        parts = list(s.chunks(chunk_s))
        np.testing.assert_array_equal(np.concatenate([p.time_ns for p in parts]), rec.time_ns)
        np.testing.assert_array_equal(np.concatenate([p.accel_g for p in parts]), rec.accel_g)
        temps = np.concatenate([p.temperature.values for p in parts])
        np.testing.assert_array_equal(temps, rec.temperature.values)


def test_other_formats_are_served_from_one_read(shared_data):
    path = shared_data / "devices" / "actigraph" / "actigraph_testfile.gt3x"
    rec = io.read(path)
    s = io.open_stream(path)
    assert s.n == rec.n and s.info.start_ns == rec.time_ns[0] and s.info.stop_ns == rec.time_ns[-1]
    (only,) = list(s.chunks())
    np.testing.assert_array_equal(only.accel_g, rec.accel_g)


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="nope.cwa: file not found"):
        io.open_stream(tmp_path / "nope.cwa")


def test_a_released_stream_says_so(test_data) -> None:
    """prepare() releases each stream after its last pass; a later pass is a clear error."""
    from walkback.signal import prepare

    path = test_data / "ax3_testfile.cwa"
    s = io.open_stream(path)
    prepare(s)
    with pytest.raises(RuntimeError, match="released"):
        next(s.chunks(600.0))
    assert s.n > 0  # info stays
