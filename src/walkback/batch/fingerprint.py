"""What a participant's result depends on, as one checksum.

A result is reused only when its *fingerprint* is unchanged. The fingerprint is the SHA-256 of:

* the SHA-256 of each input file's **content** (thigh, back);
* the pipeline settings (their JSON form, keys sorted);
* the activity model's checksum;
* the participant's time zone, the walkback version and the task function's name.

Hashing a week-long file (~250 MB) costs about a second, so the content hash is cached in the
participant's done-record together with the file's path, size, modification time (ns) and inode.
When all four still match on a rerun the cached hash is trusted and nothing is read; when any of
them differs, a worker re-hashes the content and the result is reused if the content (and so the
fingerprint) did not change. Editing a file in place always changes its mtime, so a stale cached
hash is never used for a modified file; ``--force`` ignores all of this.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["FileStamp", "fingerprint", "hash_file", "settings_sha256", "stamp"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileStamp:
    """A file's identity on disk (``path``, ``size``, ``mtime_ns``, ``inode``) and content hash."""

    path: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str = ""

    def same_file(self, other: FileStamp) -> bool:
        """True when path, size, mtime and inode agree (the cached hash may be trusted)."""
        return (self.path, self.size, self.mtime_ns, self.inode) == (
            other.path,
            other.size,
            other.mtime_ns,
            other.inode,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "inode": self.inode,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FileStamp:
        return cls(str(d["path"]), int(d["size"]), int(d["mtime_ns"]), int(d["inode"]),
                   str(d.get("sha256", "")))


def stamp(path: str) -> FileStamp:
    """The stat part of a :class:`FileStamp` (no hash); raises ``OSError`` if missing."""
    st = os.stat(path)
    return FileStamp(path, st.st_size, st.st_mtime_ns, st.st_ino)


def hash_file(path: str) -> FileStamp:
    """Stat and SHA-256 a file. The stat is taken before and after reading; if the file changed
    meanwhile it is read again (up to three times) so the hash matches the stamp."""
    for _ in range(3):
        before = stamp(path)
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        after = stamp(path)
        if before.same_file(after):
            return FileStamp(path, after.size, after.mtime_ns, after.inode, digest)
    raise OSError(f"{path}: the file kept changing while it was being hashed")


def settings_sha256(settings_mapping: Any) -> str:
    """SHA-256 of a JSON-able settings mapping (keys sorted, so order does not matter)."""
    text = json.dumps(settings_mapping, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(
    *,
    thigh_sha256: str,
    back_sha256: str,
    settings_sha: str,
    model_sha: str,
    timezone: str,
    version: str,
    task_name: str,
) -> str:
    """The fingerprint of one participant's result (see module docstring)."""
    parts = {
        "thigh": thigh_sha256,
        "back": back_sha256,
        "settings": settings_sha,
        "model": model_sha,
        "timezone": timezone,
        "version": version,
        "task": task_name,
    }
    return settings_sha256(parts)
