"""Generated thigh gait signals of known stride frequency (canonical thigh axes, g), and a simulated
high-walking day stitched from real SELFBACK thigh snippets."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# test modules here import _gait_reference; keep that working under any pytest import mode
sys.path.insert(0, str(Path(__file__).resolve().parent))


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


@pytest.fixture(scope="session")
def busy_day():
    """6 h of a very active day (~20 % of the time walking, in many short runs between short
    stands; real SELFBACK thigh snippets, 50 Hz canonical axes) with three NaN gaps: inside a run,
    just outside a run (within the filter margin) and in sitting. Returns (thigh_g float32 (n, 3),
    epoch start indices, locomotion mask) for 5-s epochs."""
    from walkback.simulate.recording import simulate_recording

    sim = simulate_recording(days=0.25, seed=5, start="2024-05-06 08:00", walking_share=0.65,
                             intermittent=0.7)
    g = sim.thigh_g.copy()
    ep = sim.truth_epochs
    m = len(ep)
    starts = np.arange(m) * 250
    loc = ep["study_class"].isin(["walking", "running"]).to_numpy()
    edges = np.flatnonzero(np.diff(loc.astype(np.int8)) == 1) + 1  # first epochs of runs
    g[starts[edges[3]] + 400 : starts[edges[3]] + 450] = np.nan  # inside a run
    g[starts[edges[6]] - 300 : starts[edges[6]] - 290] = np.nan  # 6 s before a run starts
    sit = np.flatnonzero(ep["study_class"].to_numpy() == "sitting")
    g[starts[sit[len(sit) // 2]] : starts[sit[len(sit) // 2]] + 100] = np.nan
    return g, starts, loc
