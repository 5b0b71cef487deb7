"""Window statistics: the shared 5-s pass reproduces direct 10-s / 60-s stats after calibration and
rotation, so prepare() can compute them once."""

from __future__ import annotations

import numpy as np

from walkback.signal._windows import aggregate, transform, window_stats
from walkback.signal.orientation import apply_matrix


def test_aggregate_and_transform_match_direct_statistics(selfback):
    x = np.concatenate([selfback(a, "027")[1] for a in ("walk_mod", "sitting")])[:120_000].copy()
    x[5_000] = np.nan
    agg = aggregate(window_stats(x, 500), 12)
    direct = window_stats(x, 6_000)
    assert (agg.ok == direct.ok).all() and not agg.ok[0]
    ok = direct.ok
    np.testing.assert_allclose(agg.mean_g[ok], direct.mean_g[ok], atol=1e-5)
    np.testing.assert_allclose(agg.sd_g[ok], direct.sd_g[ok], atol=1e-5)
    np.testing.assert_allclose(agg.mag_sd_g[ok], direct.mag_sd_g[ok], atol=1e-5)
    off, sc = np.array([0.01, -0.02, 0.03]), np.array([1.01, 0.99, 1.02])
    m = np.array([[0, 0, -1], [0, -1, 0], [-1, 0, 0]])
    y = apply_matrix(((x + off) * sc).astype(np.float32), m)
    got = transform(transform(window_stats(x, 500), off, sc), matrix=m)
    want = window_stats(y, 500)
    np.testing.assert_allclose(got.mean_g[got.ok], want.mean_g[want.ok], atol=1e-5)
    np.testing.assert_allclose(got.sd_g[got.ok], want.sd_g[want.ok], atol=1e-5)


def test_apply_matrix_general_rotation_and_in_place():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1000, 3)).astype(np.float32)
    c, s = np.cos(0.3), np.sin(0.3)
    r = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    np.testing.assert_allclose(apply_matrix(x, r), x @ r.T.astype(np.float32), atol=1e-6)
    p = np.array([[0, 1, 0], [0, 0, -1], [-1, 0, 0]])
    want = x @ p.T.astype(np.float32)
    buf = x.copy()
    apply_matrix(buf, p, out=buf)
    np.testing.assert_array_equal(buf, want)
