"""Large output arrays whose pages are mapped in bulk.

NumPy advises the kernel to back large arrays with transparent huge pages; where the kernel then
compacts memory on the first touch of each page (THP ``defrag = madvise``, a common default),
filling a fresh 360 MB array took 0.8-1.0 s on our 2-core VM instead of 0.15 s. A week's output
grids are the largest arrays walkback writes, once each, so they come from an anonymous map
populated by the kernel in one call (0.13 s for 360 MB, zero-filled). Elsewhere, the command line
sets ``NUMPY_MADVISE_HUGEPAGE=0`` unless the user chose otherwise (see ``walkback/cli.py``).
"""

from __future__ import annotations

import functools
import mmap
import os

import numpy as np

__all__ = ["empty"]

_MIN_BYTES = 1 << 24  # below 16 MB the ordinary allocator is as good


def empty(shape: tuple[int, ...] | int, dtype) -> np.ndarray:
    """An uninitialised (in practice zero-filled) writable array; large ones are anonymous maps
    pre-faulted by the kernel. Falls back to ``np.empty`` where such maps are unavailable."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
    populate = getattr(mmap, "MAP_POPULATE", None)
    if nbytes < _MIN_BYTES or populate is None or os.name != "posix":
        return np.empty(shape, dtype=dtype)
    m = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate)
    return np.frombuffer(m, dtype=dtype).reshape(shape)


def trim_heap() -> bool:
    """Give the system back the free memory the C heap holds (glibc ``malloc_trim(0)``: every
    free whole page of every arena). Returns True when anything was released.

    Why: a participant-week frees many 5-40 MB temporaries between stages (decoded hours, a
    night's filtered signal, trunk blocks); glibc serves them from its heap and per-thread
    arenas once its mmap threshold has risen, and keeps the freed pages, 70-90 MB more after
    each stage and a different amount every run (threads pick arenas). Trimming at stage
    boundaries costs milliseconds; fixing the mmap threshold instead (every block >= 8 MB its
    own mapping) cost 2 s of page faults in the classification stage. No-op off glibc."""
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, looked up once (``find_library`` runs ``ldconfig``: 2-6 ms a
    call), or None where there is none."""
    if os.name != "posix":
        return None
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (e.g. musl, macOS): nothing to trim
        return None
