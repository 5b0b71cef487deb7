"""Half-precision (IEEE 754 binary16) storage of the prepared grid signals (internal).

Why: a participant-week at 50 Hz is 30 million samples per sensor; held as float32 the thigh and
back signals take 692 MB, which alone kept one participant above 1 GB of memory. Stored as
float16 they take half. The rounding this adds is at most half a unit in the last place: 0.24 mg
for |a| in [0.5, 1) g, 0.49 mg in [1, 2) g, 0.98 mg in [2, 4) g (relative 2^-11 = 0.049 %), below
an AX3's own resolution (1/256 g = 3.9 mg at +-8 g) and its noise (~2-4 mg rms at rest). Largest
value 65,504, NaN kept (the gaps' marker).

Computation never happens in float16 (NumPy's float16 arithmetic rounds every step and is slow):

* numba kernels get ``kernel_view(a)``, the raw ``uint16`` codes, and read a sample with
  :func:`load`, which decodes through :data:`LUT` (a 256 KB table of all 65,536 float32 values,
  built once by NumPy's own conversion, so decoding is exact by construction); float32/float64
  arrays pass through unchanged and :func:`load` reads them directly (numba compiles one version
  per dtype).
* NumPy code decodes a block with :func:`to_float32` and writes one back with :func:`store`
  (round to nearest, ties to even, exactly as ``astype(np.float16)``; compiled because NumPy's
  cast was 3-5 ns per value here, ~0.5 s per sensor-week and pass).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

__all__ = ["LUT", "kernel_view", "load", "to_float32", "asarray", "store", "is_half"]

#: float32 value of every float16 bit pattern (index = the uint16 code).
LUT = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)
_ROWS = 1 << 16  # rows per block in the NumPy-level helpers


def is_half(a: np.ndarray) -> bool:
    """True when ``a`` is stored as float16."""
    return a.dtype == np.float16


def kernel_view(a: np.ndarray) -> np.ndarray:
    """What a numba kernel takes: the uint16 codes of a float16 array (no copy), else ``a``."""
    return a.view(np.uint16) if a.dtype == np.float16 else a


def load(x, lut, i, c):  # pragma: no cover - replaced by the overload inside numba
    """Sample ``x[i, c]`` as a number (decoded through ``lut`` when ``x`` holds uint16 codes)."""
    return lut[x[i, c]] if x.dtype == np.uint16 else x[i, c]


@overload(load, inline="always")
def _load_overload(x, lut, i, c):
    if isinstance(x, types.Array) and x.dtype == types.uint16:
        return lambda x, lut, i, c: lut[x[i, c]]
    return lambda x, lut, i, c: x[i, c]


def to_float32(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a`` as float32: decoded for float16 (into ``out`` when given), else ``a`` itself when
    already float32 (no copy), else a float32 copy."""
    if a.dtype == np.float16:
        codes = np.ascontiguousarray(a).view(np.uint16)
        if out is None:
            out = np.empty(a.shape, np.float32)
        _decode(codes.reshape(-1), LUT, out.reshape(-1))
        return out
    if a.dtype == np.float32 and out is None:
        return a
    if out is None:
        return np.asarray(a, np.float32)
    out[...] = a
    return out


def asarray(a: np.ndarray, dtype=np.float32) -> np.ndarray:
    """``np.asarray(a, dtype)``, decoding float16 storage with the table (NumPy's own float16
    cast took 3-5 ns per value here)."""
    if a.dtype == np.float16:
        a = to_float32(a)
    return np.asarray(a, dtype)


def store(dst: np.ndarray, i0: int, values: np.ndarray) -> None:
    """``dst[i0 : i0 + len(values)] = values``, encoding to float16 when ``dst`` is float16.

    ``values`` float32 (rows, ...) matching ``dst``'s trailing shape."""
    i1 = i0 + values.shape[0]
    if dst.dtype != np.float16:
        dst[i0:i1] = values
        return
    part = dst[i0:i1]
    src = np.ascontiguousarray(values, np.float32)
    if part.flags.c_contiguous:
        _encode(src.reshape(-1).view(np.uint32), part.reshape(-1).view(np.uint16))
    else:  # pragma: no cover - grids are contiguous
        part[...] = src.astype(np.float16)


def encode_array(values: np.ndarray) -> np.ndarray:
    """A new float16 array of float32 ``values`` (same rounding as ``astype(np.float16)``)."""
    out = np.empty(values.shape, np.float16)
    for i0 in range(0, values.shape[0], _ROWS):
        store(out, i0, np.asarray(values[i0 : i0 + _ROWS], np.float32))
    return out


@njit(cache=True, nogil=True)
def _decode(codes, lut, out):  # pragma: no cover - compiled
    for i in range(codes.shape[0]):
        out[i] = lut[codes[i]]


@njit(cache=True, nogil=True)
def _encode(bits, out):  # pragma: no cover - compiled
    """float32 bit patterns -> float16 codes, round to nearest even; overflow -> inf; NaN kept
    (quiet); values below the smallest subnormal round to (signed) zero."""
    for i in range(bits.shape[0]):
        u = np.uint32(bits[i])
        sign = np.uint32((u >> np.uint32(16)) & np.uint32(0x8000))
        a = u & np.uint32(0x7FFFFFFF)
        if a >= np.uint32(0x7F800000):  # inf or NaN
            h = np.uint32(0x7C00) if a == np.uint32(0x7F800000) else np.uint32(0x7E00)
        elif a >= np.uint32(0x477FF000):  # >= 65520: rounds to inf
            h = np.uint32(0x7C00)
        elif a < np.uint32(0x38800000):  # below 2^-14: subnormal half (or zero)
            if a < np.uint32(0x33000000):  # below 2^-25: rounds to zero
                h = np.uint32(0)
            else:
                e = a >> np.uint32(23)  # 102 .. 112
                m = (a & np.uint32(0x7FFFFF)) | np.uint32(0x800000)
                shift = np.uint32(126) - e  # 14 .. 24: m >> shift is the subnormal code
                q = m >> shift
                rem = m & ((np.uint32(1) << shift) - np.uint32(1))
                halfway = np.uint32(1) << (shift - np.uint32(1))
                if rem > halfway or (rem == halfway and (q & np.uint32(1))):
                    q += np.uint32(1)
                h = q
        else:  # normal: rebias the exponent, round the 13 dropped bits to nearest even
            odd = (a >> np.uint32(13)) & np.uint32(1)
            h = (a + np.uint32(0xC8000FFF) + odd) >> np.uint32(13)
            h &= np.uint32(0x7FFF)
        out[i] = np.uint16(h | sign)
