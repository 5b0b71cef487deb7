"""The batched gait pass against a per-run reference, and the invariants that keep its cost to one
pass over the locomotion samples: a run's result depends neither on the batching nor on the other
runs."""

from __future__ import annotations

import numpy as np
import pytest

from _support.gait_reference import reference_gait
from walkback.errors import SettingsError
from walkback.walking import gait as gait_mod
from walkback.walking import measure_gait
from walkback.walking.gait import epoch_runs, settle_samples

FS = 50.0


def _measure(g, starts, loc, L=250):
    return measure_gait(g, FS, starts, loc, epoch_samples=L)


def _same(a, b) -> None:
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.cadence_spm, b.cadence_spm)
    np.testing.assert_array_equal(a.periodicity, b.periodicity)
    np.testing.assert_array_equal(a.stride_index, b.stride_index)


def test_busy_day_is_many_short_runs(busy_day) -> None:
    g, starts, loc = busy_day
    runs = epoch_runs(loc)
    assert len(runs) > 100 and loc.mean() > 0.15  # the situation the batching is for
    assert np.isnan(g).any()


def test_matches_per_run_reference(busy_day) -> None:
    g, starts, loc = busy_day
    got, ref = _measure(g, starts, loc), reference_gait(g, FS, starts, loc, 250)
    assert np.isfinite(got.cadence_spm).sum() > 500
    np.testing.assert_array_equal(np.isfinite(got.cadence_spm), np.isfinite(ref.cadence_spm))
    # different FFT lengths and summation orders: rounding, amplified where the peak is flat
    np.testing.assert_allclose(got.cadence_spm, ref.cadence_spm, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(got.periodicity, ref.periodicity, rtol=0, atol=1e-6, equal_nan=True)
    np.testing.assert_array_equal(got.steps, ref.steps)
    np.testing.assert_array_equal(got.stride_index, ref.stride_index)
    # the gap inside a run ends it (its epoch measured as not gait), the gap beside a run does not
    bad = ~np.isfinite(g).all(axis=1)
    holed = np.array([bad[s : s + 250].any() for s in starts])
    assert (got.steps[holed] == 0).all() and np.isnan(got.cadence_spm[holed]).all()
    assert holed.sum() == 3


@pytest.mark.parametrize("batch", [1, 3000, 40_000, 10**9])
def test_results_do_not_depend_on_batching(busy_day, monkeypatch, batch: int) -> None:
    g, starts, loc = busy_day
    whole = _measure(g, starts, loc)
    monkeypatch.setattr(gait_mod, "BATCH_SAMPLES", batch)
    _same(_measure(g, starts, loc), whole)


def _mask(loc, runs):
    out = np.zeros_like(loc)
    for e0, e1 in runs:
        out[e0:e1] = True
    return out


def test_a_run_does_not_depend_on_the_other_runs(busy_day) -> None:
    g, starts, loc = busy_day
    whole = _measure(g, starts, loc)
    runs = epoch_runs(loc)
    reach = 2 * settle_samples(FS, (0.5, 3.0)) / 250  # epochs within which filter margins can meet
    for k in (len(runs) // 4, len(runs) // 2, 3 * len(runs) // 4):
        e0, e1 = runs[k]
        far = [r for r in runs if r[1] + reach < e0 or e1 + reach < r[0]]
        assert len(far) > len(runs) // 2
        alone = _measure(g, starts, _mask(loc, [runs[k]]))
        crowd = _measure(g, starts, _mask(loc, [runs[k], *far]))
        sl = slice(e0, e1)
        # however many other runs are measured, this run's samples are filtered the same: bit for bit
        np.testing.assert_array_equal(alone.steps[sl], crowd.steps[sl])
        np.testing.assert_array_equal(alone.cadence_spm[sl], crowd.cadence_spm[sl])
        np.testing.assert_array_equal(alone.periodicity[sl], crowd.periodicity[sl])
        assert alone.steps.sum() == alone.steps[sl].sum()  # nothing leaks outside the run
        # a neighbour within the margins only moves the far end of the shared filtered segment
        np.testing.assert_allclose(whole.cadence_spm[sl], alone.cadence_spm[sl], rtol=1e-6, equal_nan=True)
        assert np.abs(whole.steps[sl] - alone.steps[sl]).sum() <= 2


def test_no_filter_transient_at_run_edges(gait) -> None:
    # 40 s of standing, 60 s of gait, 40 s of standing: the run is filtered with its neighbours, so
    # its first and last epochs count the same strides as the middle ones
    still = np.tile(np.array([[1.0, 0.0, 0.08]], np.float32), (2000, 1))
    still += np.random.default_rng(1).normal(0, 0.01, still.shape).astype(np.float32)
    g = np.concatenate([still, gait(1.0, 60, seed=4), still])
    m = g.shape[0] // 250
    loc = np.zeros(m, bool)
    loc[8:20] = True
    r = measure_gait(g, FS, np.arange(m) * 250, loc, epoch_samples=250)
    assert r.steps[~loc].sum() == 0
    assert r.steps[loc].sum() in (118, 120)
    np.testing.assert_allclose(r.cadence_spm[loc], 120.0, rtol=0.01)


def test_overlapping_epoch_grid_owns_its_step(gait) -> None:
    # 2.5-s steps (e.g. 5-s windows with 50 % overlap): each epoch owns 125 samples; same strides
    g = gait(0.9, 54, seed=2)
    m5, m25 = g.shape[0] // 250, g.shape[0] // 125
    r5 = measure_gait(g, FS, np.arange(m5) * 250, np.ones(m5, bool), epoch_samples=250)
    r25 = measure_gait(g, FS, np.arange(m25) * 125, np.ones(m25, bool), epoch_samples=125)
    assert abs(int(r25.steps.sum()) - int(r5.steps.sum())) <= 2
    assert np.nanmedian(r25.cadence_spm) == pytest.approx(np.nanmedian(r5.cadence_spm), rel=0.005)
    # epochs 125 samples apart are adjacent only on the 125 grid: said to own 250 samples, each is
    # a run of its own (overlapping runs, measured separately, as the per-run reference does)
    broken = measure_gait(g, FS, np.arange(m25) * 125, np.ones(m25, bool), epoch_samples=250)
    ref = reference_gait(g, FS, np.arange(m25) * 125, np.ones(m25, bool), 250)
    np.testing.assert_array_equal(broken.steps, ref.steps)
    np.testing.assert_allclose(broken.cadence_spm, ref.cadence_spm, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("bad", [0, 1, 2.5, -250])
def test_epoch_samples_must_be_whole_and_positive(gait, bad) -> None:
    g = gait(1.0, 20)
    with pytest.raises(SettingsError, match="epoch_samples"):
        measure_gait(g, FS, np.arange(4) * 250, np.ones(4, bool), epoch_samples=bad)
