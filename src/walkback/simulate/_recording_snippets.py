"""The library of real labelled thigh snippets used to stitch simulated recordings.

Snippets are 50 Hz, canonical thigh axes (x up the thigh, z out of the body; see
:mod:`walkback.signal.types`), in g. The shipped library
(``walkback/data/snippets/selfback_snippets.npz``, see its README) stores them as int16 milli-g:
for each snippet ``k`` an array ``s{k}`` of shape (n, 3), with the parallel string arrays
``activity`` (SELFBACK folder name) and ``subject``. It is loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from walkback.activity.labels import SELFBACK_LABELS
from walkback.errors import InputDataError

FS_HZ = 50.0

#: SELFBACK folder -> (truth fine class, truth pace): the activity stage's own mapping.
SELFBACK_CLASSES: dict[str, tuple[str, str]] = SELFBACK_LABELS


@dataclass(frozen=True)
class SnippetLibrary:
    """Real snippets grouped by SELFBACK activity: ``snippets[activity]`` is a list of
    ``(subject, float32 (n, 3) g canonical thigh axes at 50 Hz)``."""

    snippets: dict[str, list[tuple[str, np.ndarray]]]
    source: str

    def activities(self) -> list[str]:
        return sorted(self.snippets)


def shipped_path() -> Path:
    """Path of the shipped snippet file."""
    return Path(str(resources.files("walkback") / "data" / "snippets" / "selfback_snippets.npz"))


def load_library(source: str | Path | None = None) -> SnippetLibrary:
    """The shipped library (``source=None``), a snippet ``.npz``, or a SELFBACK-layout folder
    (``<activity>/<subject>.csv[.gz]``, columns ``time,x,y,z[,class]``, ~100 Hz, thigh)."""
    if source is None:
        return _load_npz(shipped_path())
    source = Path(source)
    if source.is_file():
        return _load_npz(source)
    if not source.is_dir():
        raise InputDataError(f"{source}: snippet source is neither a .npz file nor a folder")
    return _load_selfback_dir(source)


def _load_npz(path: Path) -> SnippetLibrary:
    with np.load(path, allow_pickle=False) as z:
        acts = [str(a) for a in z["activity"]]
        subs = [str(s) for s in z["subject"]]
        out: dict[str, list[tuple[str, np.ndarray]]] = {}
        for k, (a, s) in enumerate(zip(acts, subs, strict=True)):
            out.setdefault(a, []).append((s, z[f"s{k}"].astype(np.float32) / 1000.0))
    _check(out, str(path))
    return SnippetLibrary(out, str(path))


def selfback_to_canonical(t_s: np.ndarray, xyz_g: np.ndarray, keep_s: float | None = None) -> np.ndarray:
    """A SELFBACK thigh file (device times in s, g) -> 50 Hz canonical thigh axes.

    SELFBACK's thigh AX3 reads x ~ -1 g standing and z ~ -1 g sitting, so canonical is
    (-x, y, -z) (a 180 degree turn about y, which keeps the frame right-handed). The signal is
    interpolated to a uniform 100 Hz grid, then decimated to 50 Hz with an anti-aliasing filter.
    ``keep_s`` keeps only that many seconds from the middle (transitions at the ends dropped).
    """
    from scipy import signal as sps

    t = np.asarray(t_s, dtype=float) - float(t_s[0])
    grid = np.arange(0.0, t[-1], 0.01)
    u = np.stack([np.interp(grid, t, xyz_g[:, i]) for i in range(3)], axis=1)
    g = sps.resample_poly(u, 1, 2, axis=0)
    g = g * np.array([-1.0, 1.0, -1.0])
    if keep_s is not None and g.shape[0] > keep_s * FS_HZ:
        n = int(keep_s * FS_HZ)
        a = (g.shape[0] - n) // 2
        g = g[a : a + n]
    return g.astype(np.float32)


def _load_selfback_dir(folder: Path) -> SnippetLibrary:
    import pandas as pd

    out: dict[str, list[tuple[str, np.ndarray]]] = {}
    for act in SELFBACK_CLASSES:
        for f in sorted((folder / act).glob("*.csv*")) if (folder / act).is_dir() else []:
            df = pd.read_csv(f, usecols=["time", "x", "y", "z"])
            t = pd.to_datetime(df["time"]).to_numpy("datetime64[ns]").astype(np.int64) / 1e9
            g = selfback_to_canonical(t, df[["x", "y", "z"]].to_numpy(float), keep_s=None)
            g = g[int(5 * FS_HZ) : -int(5 * FS_HZ)] if g.shape[0] > 30 * FS_HZ else g
            out.setdefault(act, []).append((f.name.split(".")[0], g))
    _check(out, str(folder))
    return SnippetLibrary(out, str(folder))


def _check(lib: dict[str, list[tuple[str, np.ndarray]]], where: str) -> None:
    missing = sorted(set(SELFBACK_CLASSES) - set(lib))
    if missing:
        raise InputDataError(f"{where}: snippet source lacks activities {missing}; expected the SELFBACK "
                             f"folders {sorted(SELFBACK_CLASSES)}")


#: Subjects and seconds per activity of the shipped library (middle of each SELFBACK file).
SHIPPED_SUBJECTS: tuple[str, ...] = ("027", "030", "036", "043", "052", "061")
SHIPPED_KEEP_S = 45.0


def build_library_file(selfback_dir: str | Path, out_path: str | Path,
                       subjects: tuple[str, ...] = SHIPPED_SUBJECTS, keep_s: float = SHIPPED_KEEP_S) -> Path:
    """Rebuild the shipped ``.npz`` from a SELFBACK thigh folder (how the shipped file was made)."""
    import pandas as pd

    from walkback._atomic import atomic_path

    arrs: dict[str, np.ndarray] = {}
    acts: list[str] = []
    subs: list[str] = []
    for s in subjects:
        for a in SELFBACK_CLASSES:
            f = next(iter(sorted((Path(selfback_dir) / a).glob(f"{s}.csv*"))), None)
            if f is None:
                raise InputDataError(f"{selfback_dir}: no {a}/{s}.csv[.gz]")
            df = pd.read_csv(f, usecols=["time", "x", "y", "z"])
            t = pd.to_datetime(df["time"]).to_numpy("datetime64[ns]").astype(np.int64) / 1e9
            g = selfback_to_canonical(t, df[["x", "y", "z"]].to_numpy(float), keep_s=keep_s)
            arrs[f"s{len(acts)}"] = np.round(np.clip(g * 1000, -32767, 32767)).astype(np.int16)
            acts.append(a)
            subs.append(s)
    out_path = Path(out_path)
    with atomic_path(out_path) as tmp, tmp.open("wb") as fh:
        np.savez_compressed(fh, activity=np.array(acts), subject=np.array(subs), **arrs)
    return out_path
