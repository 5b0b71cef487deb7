"""Bad input: content sniffing, clear errors, warnings; fuzzing of real files with hypothesis."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# --- every header byte: what flipping it (xor 0xFF) must produce --------------------------------


@dataclass(frozen=True)
class Same:
    """Samples, times and the other channels identical; only the named info items may differ
    (``info``: RecordingInfo attributes, ``extra``: keys of info.extra, ``channels``: aux
    channels) and ``warning`` (a fragment) must be added."""

    info: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    warning: str | None = None


@dataclass(frozen=True)
class Raises:
    exc: type
    fragment: str


@dataclass(frozen=True)
class OneOf:
    """Library-internal checks (e.g. which zip field Python's zipfile validates, which differs
    between versions): either the decode is identical or one of these errors is raised."""

    options: tuple[Raises, ...]


@dataclass(frozen=True)
class LosesFirst:
    """The first block / page (``n`` samples) is rejected with ``reason`` (or skipped with
    ``warning``); every other sample is identical (the next block's times within 1 % of a
    period: its samples before the anchor lose the period measured across the lost block)."""

    n: int
    reason: str | None
    warning: str | None = None


@dataclass(frozen=True)
class Shifted:
    """All times move by ``seconds`` (the file's clock zone was lost); samples identical."""

    seconds: float
    warning: str


_INFO = ("device", "device_id", "session_id", "nominal_rate_hz", "measured_rate_hz", "range_g",
         "timezone", "n_samples", "n_blocks", "start_ns", "stop_ns")
_CHANNELS = ("temperature", "battery", "light")


def _cwa_table(block_samples: int, ax6: bool) -> list[tuple[int, int, object]]:
    """Header fields (Open Movement cwa.h) and the first data block's first 76 bytes."""
    return [
        (0, 2, Raises(UnsupportedFormatError, "unrecognised content")),  # "MD"
        (2, 4, Same()),  # header length: fixed, not needed
        (4, 5, Same(info=("device",) if ax6 else (), extra=("hardware_type",))),
        (5, 7, Same(info=("device_id",))),
        (7, 11, Same(warning="header session id")),  # the blocks' own session is used
        (11, 13, Same(info=("device_id",))),  # upper device id
        (13, 36, Same()),  # logging start / end, reserved, sensor config
        (36, 37, Same(extra=("rate_code",), warning="header rate")),  # blocks' rate is used
        (37, 41, Same(extra=("clock",))),  # last configuration (clock reference) time
        (41, 42, Same(extra=("firmware",))),
        (42, 64, Same()),
        (64, 512, Same(extra=("metadata",))),
        (512, 1024, Same()),  # annotation area (0xFF padding here)
        (1024, 1026, LosesFirst(block_samples, "not a data block")),
        (1026, 1028, LosesFirst(block_samples, "bad packet length")),
        (1028, 1100, LosesFirst(block_samples, "checksum mismatch")),
    ]


def _gt3x_table(data: bytes) -> list[tuple[int, int, object]]:
    """The zip's first local header and log.bin (stored), then the central directory."""
    zipped = Raises(CorruptFileError, "damaged .gt3x zip")
    cd = data.rindex(b"PK\x01\x02")  # last central-directory record; the first is log.bin's
    first_cd = data.index(b"PK\x01\x02")
    eocd = data.rindex(b"PK\x05\x06")
    internal = OneOf((zipped, Raises(UnsupportedFormatError, "zip without log.bin/info.txt")))
    table = [
        (0, 4, Raises(UnsupportedFormatError, "unrecognised content")),  # local header "PK\3\4"
        (4, 26, Same()),  # version, flags, method, time, CRC, sizes: the central directory's rule
        (26, 37, zipped),  # name length, extra length, the name "log.bin"
        (37, 93, Same()),  # the extra field
        (93, 1100, Raises(CorruptFileError, "Bad CRC-32 for file 'log.bin'")),  # stored data
        (1100, first_cd, None),  # the rest of log.bin and the other members: not a header
    ]
    starts = [i for i in range(first_cd, eocd) if data.startswith(b"PK\x01\x02", i)]
    for a, b in zip(starts, [*starts[1:], eocd], strict=True):
        table += [(a, a + 4, zipped),  # central-directory signature
                  (a + 4, a + 16, internal),
                  (a + 16, a + 20, zipped if a < cd else internal),  # CRC-32 of a read member
                  (a + 20, b, internal)]
    return [*table, (eocd, len(data), internal)]


_CAL_ORDER = ("x gain", "y gain", "z gain", "x offset", "y offset", "z offset", "Volts", "Lux")


def _merge(a, b):
    """Outcome of a damaged line break: this line's value and the next line's key both lost."""
    if isinstance(a, Raises) or not isinstance(b, Same):
        return a if isinstance(a, Raises) else b
    if not isinstance(a, Same):
        return a
    return Same(info=a.info + b.info, extra=a.extra + b.extra, channels=a.channels + b.channels,
                warning=a.warning or b.warning)


def _geneactiv_table(data: bytes) -> list[tuple[int, int, object]]:
    """Per line of the text header and of the first page: a byte of the line's text damages its
    value (or its key); a damaged line break joins the next line on, whose key is then lost."""
    lines = data.splitlines(keepends=True)
    off = np.cumsum([0] + [len(x) for x in lines])
    keys = [x.split(b":")[0].strip().decode("latin-1") for x in lines]
    page = keys.index("Recorded Data")
    shift = -6 * 3600.0  # header GMT -04:00 lost -> Europe/Oslo (May: UTC+2)
    cal = {k: Raises(CorruptFileError, f"GENEActiv header has no valid '{k}'") for k in _CAL_ORDER}
    own = {  # a byte of this line's value damaged
        "Device Unique Serial Code": Same(info=("device_id",)),
        "Device Type": Same(info=("device",)),
        "Extract Notes": Same(extra=("extract_notes",)),
        "Number of Pages": Same(extra=("pages_in_header",)),
        "Time Zone": Same(extra=("header_time_zone",)),  # still parses with a byte appended
        **cal,
    }
    lost = {  # this line's key lost (the line break before it damaged)
        **own, "Time Zone": Shifted(shift, "no header Time Zone"),
        "Recorded Data": LosesFirst(300, None, "damaged marker"),
    }
    table = []
    for k in range(page):
        a, b = int(off[k]), int(off[k + 1])
        rule = own.get(keys[k], Same())
        if k == 0:  # "Device Identity": the file is no longer recognised
            table.append((a, b - 1, Raises(UnsupportedFormatError, "unrecognised content")))
        elif keys[k] == "Time Zone":  # "Time Zone:GMT -04:00"
            g, digits = lines[k].index(b"GMT"), lines[k].index(b"-")
            table += [(a, a + g, Shifted(shift, "no header Time Zone")),
                      (a + g, a + digits, Same(extra=("header_time_zone",))),
                      (a + digits, b - 1, Shifted(shift, "is not 'GMT +hh:mm'"))]
        else:  # calibration: key or value damaged, the value is refused, never misread
            table.append((a, b - 1, rule))
        nxt = keys[k + 1]
        if keys[k] in cal and nxt in cal:  # the first refused in the reader's order is named
            broken = cal[min(keys[k], nxt, key=_CAL_ORDER.index)]
        else:
            broken = _merge(rule, lost.get(nxt, Same()))
        table.append((b - 1, b, broken))
    lose = LosesFirst(300, "invalid page time or frequency")
    body = {3: lose, 5: Same(channels=("temperature",)), 6: Same(channels=("battery",)), 8: lose}
    for j in range(10):
        a, b = int(off[page + j]), int(off[page + j + 1])
        if j == 0:  # the page's 'Recorded Data' marker: the page cannot be found
            table.append((a, b, LosesFirst(300, None, "damaged marker")))
        elif j == 9:  # its line break joins the next page's marker on: both pages go
            table += [(a, b - 1, LosesFirst(300, "invalid hex digits")),
                      (b - 1, b, LosesFirst(600, "page has 19 of 10 lines"))]
        else:  # "key:value": the reader takes what follows the first ':'
            colon = a + lines[page + j].index(b":")
            table += [(a, colon, Same()), (colon, b - 1, body.get(j, Same())),
                      (b - 1, b, LosesFirst(300, "page has 9 of 10 lines"))]  # this page alone
    return table


def _expected(name: str, data: bytes) -> list[tuple[int, int, object]]:
    if name.endswith(".cwa"):
        return _cwa_table(40 if "ax6" in name else 120, "ax6" in name)
    if name.endswith(".gt3x"):
        return _gt3x_table(data)
    return _geneactiv_table(data)


def _positions(a: int, b: int) -> list[int]:
    """Every byte of a short field; the ends and evenly spaced bytes of a long one."""
    return list(range(a, b)) if b - a <= 8 else sorted({*np.linspace(a, b - 1, 8).astype(int)})


def _assert_outcome(rule, path, orig, pos: int) -> None:
    where = f"byte {pos}: expected {rule}"
    if isinstance(rule, Raises):
        with pytest.raises(rule.exc, match=re.escape(rule.fragment)):
            read(path)
        return
    if isinstance(rule, OneOf):
        try:
            rec = read(path)
        except ReadError as exc:
            assert any(isinstance(exc, r.exc) and r.fragment in str(exc) for r in rule.options), (
                f"{where}, got {type(exc).__name__}: {exc}")
            return
        rule = Same()
    else:
        rec = read(path)
    _check(rec)
    new_warnings = [w for w in rec.info.warnings if w not in orig.info.warnings]
    if isinstance(rule, LosesFirst):
        assert rec.n == orig.n - rule.n, where
        # the next block's samples before its anchor take the period after it instead: < 1 %
        # of a period apart; every later sample is exact
        d = rec.time_ns - orig.time_ns[rule.n:]
        assert np.abs(d[:rule.n]).max() <= 0.01e9 / orig.info.nominal_rate_hz, where
        np.testing.assert_array_equal(d[rule.n:], 0, err_msg=where)
        np.testing.assert_array_equal(rec.accel_g, orig.accel_g[rule.n:], err_msg=where)
        if rule.reason is None:
            assert rec.info.rejected_blocks == orig.info.rejected_blocks, where
        else:
            assert rec.info.rejected_blocks[0]["block"] == 0, where
            assert rule.reason in rec.info.rejected_blocks[0]["reason"], where
        if rule.warning:
            assert any(rule.warning in w for w in new_warnings), (where, new_warnings)
        return
    np.testing.assert_array_equal(rec.accel_g, orig.accel_g, err_msg=where)
    assert rec.info.rejected_blocks == orig.info.rejected_blocks, where
    if isinstance(rule, Shifted):
        np.testing.assert_array_equal(rec.time_ns - orig.time_ns, int(rule.seconds * 1e9),
                                      err_msg=where)
        assert any(rule.warning in w for w in new_warnings), (where, new_warnings)
        return
    np.testing.assert_array_equal(rec.time_ns, orig.time_ns, err_msg=where)
    for attr in _INFO:
        if attr not in rule.info:
            assert getattr(rec.info, attr) == getattr(orig.info, attr), (where, attr)
    for key in set(rec.info.extra) | set(orig.info.extra):
        if key not in rule.extra:
            assert rec.info.extra.get(key) == orig.info.extra.get(key), (where, key)
    for ch in _CHANNELS:
        a, b = getattr(rec, ch), getattr(orig, ch)
        if ch not in rule.channels and b is not None:
            np.testing.assert_array_equal(a.values, b.values, err_msg=f"{where} ({ch})")
            np.testing.assert_array_equal(a.time_ns, b.time_ns, err_msg=f"{where} ({ch})")
    if rule.warning:
        assert any(rule.warning in w for w in new_warnings), (where, new_warnings)
    else:
        assert new_warnings == [], (where, new_warnings)


@pytest.mark.parametrize("name", FILES)
def test_every_header_byte_flip_is_handled(tmp_path, test_data, name):
    """Each header byte, flipped, gives what its field must give: the named error, the same
    decode with at most that field's info changed (and a warning where the file contradicts
    itself), the first block or page rejected and nothing else lost, or one uniform time shift.
    The table covers every byte of the header (and the first block / page) with no hole (a
    .gt3x's header is its first local header and its central directory)."""
    data = (test_data / name).read_bytes()
    orig = read(test_data / name)
    table = _expected(name, data)
    covered = [(a, b) for a, b, _ in table]
    assert covered[0][0] == 0 and all(b == a2 for (_, b), (a2, _) in zip(covered, covered[1:],
                                                                       strict=False))
    path = tmp_path / name
    for a, b, rule in table:
        if rule is None:
            continue
        for pos in _positions(a, b):
            bad = bytearray(data)
            bad[pos] ^= 0xFF
            path.write_bytes(bytes(bad))
            _assert_outcome(rule, path, orig, pos)
