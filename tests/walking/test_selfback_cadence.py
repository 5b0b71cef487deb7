"""Cadence on real SELFBACK thigh walking: slow < moderate < fast for every person, adult range."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.simulate._recording_snippets import selfback_to_canonical
from walkback.walking import measure_gait

PACES = ("walk_slow", "walk_mod", "walk_fast")


def _cadence(path) -> tuple[float, float]:
    df = pd.read_csv(path, usecols=["time", "x", "y", "z"])
    t = pd.to_datetime(df["time"], format="%Y-%m-%d %H:%M:%S.%f").to_numpy("datetime64[ns]").astype(np.int64) / 1e9
    g = selfback_to_canonical(t, df[["x", "y", "z"]].to_numpy(float), keep_s=90.0)
    m = g.shape[0] // 250
    r = measure_gait(g, 50.0, np.arange(m) * 250, np.ones(m, bool), epoch_samples=250)
    ok = np.isfinite(r.cadence_spm)
    # median cadence; and steps counted by peaks relative to cadence x time (autocorrelation)
    return float(np.nanmedian(r.cadence_spm)), float(r.steps[ok].sum() / (r.cadence_spm[ok].sum() * 5 / 60))


@pytest.mark.shared
def test_cadence_orders_paces_for_every_person(shared_data) -> None:
    root = shared_data / "selfback-thigh"
    subjects = sorted(p.name.split(".")[0] for p in (root / "walk_slow").glob("*.csv.gz"))
    assert len(subjects) >= 20
    rows = []
    for s in subjects:
        cad = [_cadence(root / p / f"{s}.csv.gz") for p in PACES]
        rows.append([c for c, _ in cad] + [k for _, k in cad])
    a = np.array(rows)
    med, ratio = a[:, :3], a[:, 3:]
    assert (np.diff(med, axis=1) > 0).all(), "slow < moderate < fast must hold for every person"
    # adult walking range (~80-140 spm): all moderate/fast medians, nearly all slow ones
    assert ((med[:, 1:] >= 80) & (med[:, 1:] <= 145)).all()
    assert np.mean((med[:, 0] >= 80) & (med[:, 0] <= 140)) >= 0.8
    assert med[:, 0].min() >= 60
    # steps from peaks agree with cadence x time from the autocorrelation, per file
    assert np.all(np.abs(ratio - 1) < 0.12)
    assert abs(np.median(ratio) - 1) < 0.02
