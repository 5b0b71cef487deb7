"""measure_epochs with its gait measures computed beforehand (epoch_gait, as the one-participant
pipeline does beside the sleep and trunk stages), and the trunk's block-to-epoch map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.activity import EpochInfo, with_epoch_info
from walkback.walking import epoch_gait, measure_epochs
from walkback.walking.trunk import _block_epochs


@pytest.fixture(scope="module")
def sim():
    from walkback.simulate.recording import simulate_recording

    return simulate_recording(days=0.1, seed=8, start="2024-05-06 08:00", walking_share=0.6)


def _epochs(sim) -> pd.DataFrame:
    ep = sim.truth_epochs[["start_ns", "study_class", "pace"]].copy()
    return with_epoch_info(ep, EpochInfo(window_s=5.0, step_s=5.0, timezone=sim.timezone))


def test_precomputed_gait_gives_the_same_timeline(sim) -> None:
    ep = _epochs(sim)
    assert (ep.study_class == "walking").sum() > 100
    direct = measure_epochs(sim.thigh_g, sim.fs_hz, sim.start_ns, ep)
    gait = epoch_gait(sim.thigh_g, sim.fs_hz, sim.start_ns, ep)
    pre = measure_epochs(None, sim.fs_hz, sim.start_ns, ep, gait=gait)
    pd.testing.assert_frame_equal(direct, pre)
    assert direct.steps.sum() > 0


def test_gait_of_other_epochs_or_no_signal_is_refused(sim) -> None:
    ep = _epochs(sim)
    gait = epoch_gait(sim.thigh_g, sim.fs_hz, sim.start_ns, ep.iloc[:-3])
    with pytest.raises(ValueError, match="gait has"):
        measure_epochs(None, sim.fs_hz, sim.start_ns, ep, gait=gait)
    with pytest.raises(ValueError, match="thigh_g is needed"):
        measure_epochs(None, sim.fs_hz, sim.start_ns, ep)


def _block_epochs_general(epochs, fs, start_ns, m, L):
    """The map by search, for any epoch grid (the function's irregular-grid path)."""
    st = epochs["start_ns"].to_numpy(np.int64)
    own = np.round((st - int(start_ns)) * (fs / 1e9)).astype(np.int64)
    step = int(round(5.0 * fs))
    centre = np.arange(m, dtype=np.int64) * L + L // 2
    e = np.searchsorted(own, centre, side="right") - 1
    ok = (e >= 0) & (centre < own[np.clip(e, 0, None)] + step)
    return np.where(ok, e, -1).astype(np.int32)


@pytest.mark.parametrize("seed", range(6))
def test_block_map_on_a_regular_grid_equals_the_search(seed) -> None:
    """The in-place int32 arithmetic of the regular grid, against the search, with epochs that
    start before or after the signal's first sample and blocks past the last epoch."""
    rng = np.random.default_rng(seed)
    fs, L = 50.0, int(rng.choice([1, 5, 10, 25]))
    n_ep = int(rng.integers(2, 3000))
    start_ns = 10**18
    first = start_ns + int(rng.integers(-400, 400)) * 20_000_000
    ep = with_epoch_info(pd.DataFrame({"start_ns": first + np.arange(n_ep, dtype=np.int64) * 5 * 10**9}),
                         EpochInfo(window_s=5.0, step_s=5.0, timezone="UTC"))
    m = int(rng.integers(1, n_ep * 250 // L + 500))
    got, own_block, per_epoch = _block_epochs(ep, fs, start_ns, m, L)
    assert got.dtype == np.int32 and per_epoch == max(1, round(250 / L))
    assert np.array_equal(got, _block_epochs_general(ep, fs, start_ns, m, L))
