"""Fixtures of the walking tests: generated thigh gait of known stride frequency, and a simulated
high-walking day stitched from real SELFBACK thigh snippets."""

from __future__ import annotations

import numpy as np
import pytest

from _support.synth import thigh_gait


@pytest.fixture(scope="session")
def gait():
    """The generator :func:`_support.synth.thigh_gait`."""
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
