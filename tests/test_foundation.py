"""Foundation: settings loading rejects unknown keys; atomic writes leave nothing half-written."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from walkback._atomic import atomic_dir, write_text_atomic
from walkback.errors import SettingsError
from walkback.settings import from_mapping, to_mapping


@dataclass(frozen=True)
class _Inner:
    cut_s: float = 1.0


@dataclass(frozen=True)
class _Outer:
    name: str = "x"
    knots: tuple[float, ...] = (0.1, 0.5, 0.9)
    inner: _Inner = field(default_factory=_Inner)


def test_from_mapping_nested_and_tuple():
    s = from_mapping(_Outer, {"name": "y", "knots": [0.2, 0.8], "inner": {"cut_s": 3}})
    assert s == _Outer("y", (0.2, 0.8), _Inner(3))
    assert to_mapping(s) == {"name": "y", "knots": [0.2, 0.8], "inner": {"cut_s": 3}}


def test_from_mapping_rejects_unknown_key_with_location():
    with pytest.raises(SettingsError, match=r"study.toml \[inner\]: unknown setting\(s\) \['cut'\]"):
        from_mapping(_Outer, {"inner": {"cut": 3}}, where="study.toml")


def test_atomic_dir_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "half.csv").write_text("a,b\n")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_replaces_whole(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with atomic_dir(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    write_text_atomic(target / "a.txt", "hello")
    assert (target / "a.txt").read_text() == "hello"
