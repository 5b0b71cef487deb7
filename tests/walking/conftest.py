"""Generated thigh gait signals of known stride frequency (canonical thigh axes, g)."""

from __future__ import annotations

import numpy as np
import pytest


def thigh_gait(stride_hz: float, n_strides: int, fs: float = 50.0, seed: int = 0, noise_g: float = 0.02,
               amp_deg: float = 25.0) -> np.ndarray:
    """(n, 3) thigh signal for ``n_strides`` whole gait cycles at ``stride_hz``.

    The thigh angle from vertical follows a fundamental at the stride frequency plus a second
    harmonic (the other leg's step) and heel-strike impacts, with sensor noise.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(int(round(n_strides / stride_hz * fs))) / fs
    ph = 2 * np.pi * stride_hz * t
    theta = np.radians(5 + amp_deg * np.sin(ph) + 0.3 * amp_deg * np.sin(2 * ph + 0.8))
    impact = 0.6 * np.exp(-(((ph % (2 * np.pi)) - 4.4) ** 2) / 0.02)
    x = np.cos(theta) + impact
    z = np.sin(theta) + 0.3 * np.sin(2 * ph + 1.3) * 0.2
    y = 0.05 * np.sin(ph + 0.4)
    g = np.stack([x, y, z], axis=1) + rng.normal(0, noise_g, (t.size, 3))
    return g.astype(np.float32)


@pytest.fixture(scope="session")
def gait():
    """The generator :func:`thigh_gait`."""
    return thigh_gait
