"""Trunk exposures end to end (process_one on simulated AX3 files): a known forward bend during
standing shows up in the daily table; thigh-only recordings and the feature switched off change
nothing else."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from walkback.pipeline import process_one
from walkback.simulate.recording import simulate_recording, write_recording
from walkback.study_settings import StudySettings
from walkback.walking import WalkingSettings, trunk_columns
from walkback.walking.settings import TrunkSettings
from walkback.walking.trunk import EPOCH_TRUNK_COLUMNS

TRUNK = list(trunk_columns())
SIM = dict(days=1.0, seed=11, start="2024-05-06 00:00")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Daily tables, epochs and qc of the same simulated day: untilted, tilted 45 degrees forward
    in every second standing period, thigh-only, and with the trunk measure switched off."""
    root = tmp_path_factory.mktemp("trunk")
    out = {}
    sims = {"plain": simulate_recording(**SIM),
            "tilted": simulate_recording(**SIM, tilt_standing_deg=45.0)}
    off = StudySettings(walking=WalkingSettings(trunk=TrunkSettings(enabled=False)))
    jobs = [("plain", "plain", True, None), ("tilted", "tilted", True, None),
            ("thigh_only", "plain", False, None), ("off", "plain", True, off)]
    for sim in sims.values():
        write_recording(sim, root / ("tilted" if sim.meta.get("tilt_standing_deg") else "plain"))
    for name, src, with_back, settings in jobs:
        d = root / src
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = process_one(d / "thigh.cwa", d / "back.cwa" if with_back else None,
                            participant_id="p", out_dir=root / f"out_{name}", settings=settings)
        out[name] = {"daily": r.daily, "qc": json.loads((r.out_dir / "qc.json").read_text()),
                     "epochs": pd.read_parquet(r.out_dir / "epochs.parquet")}
    out["blocks"] = sims["tilted"].blocks
    return out


def _day(runs, name):
    d = runs[name]["daily"]
    return d.loc[d.wear_s.idxmax()]  # the recorded day (the recording spans one local day)


def test_forward_tilt_during_standing_adds_the_tilted_seconds(runs) -> None:
    b = runs["blocks"]
    tilted_s = float(b.loc[b.back_tilt_deg > 0, "duration_s"].sum())
    assert tilted_s > 600
    plain, tilted = _day(runs, "plain"), _day(runs, "tilted")
    rise30 = tilted.trunk_ge30_s - plain.trunk_ge30_s
    rise_fwd30 = tilted.trunk_fwd_ge30_s - plain.trunk_fwd_ge30_s
    print(f"tilted {tilted_s:.0f} s; trunk_ge30_s {plain.trunk_ge30_s:.1f} -> "
          f"{tilted.trunk_ge30_s:.1f} (rise {rise30:.1f} s); trunk_fwd_ge30_s rise "
          f"{rise_fwd30:.1f} s; trunk_ge60_s {plain.trunk_ge60_s:.1f} -> {tilted.trunk_ge60_s:.1f}")
    assert rise30 == pytest.approx(tilted_s, rel=0.10)
    assert rise_fwd30 == pytest.approx(tilted_s, rel=0.10)
    assert abs(tilted.trunk_ge60_s - plain.trunk_ge60_s) <= 60
    assert abs(tilted.trunk_fwd_ge60_s - plain.trunk_fwd_ge60_s) <= 60
    assert plain.trunk_ge60_s < 30 and plain.trunk_fwd_ge60_s < 30  # the untilted day: near zero
    # the bend is upright time; sitting is untouched (up to the blended block edges)
    assert abs(tilted.trunk_fwd_ge30_sitting_s - plain.trunk_fwd_ge30_sitting_s) <= 60
    for name in ("plain", "tilted"):
        qc = runs[name]["qc"]["trunk"]
        assert qc["computed"] and qc["reference"]["found"]
        assert qc["reference"]["walking_s"] >= 60


def test_daily_trunk_time_is_the_day_tables_upright_time(runs) -> None:
    for name in ("plain", "tilted"):
        d = runs[name]["daily"]
        upright = d.standing_s + d.walking_s
        worn = d.trunk_upright_s.notna()
        assert worn.any()
        # the back is worn whenever the thigh is here, so upright time matches to the second
        assert np.allclose(d.trunk_upright_s[worn], upright[worn], atol=1.0)
        assert np.allclose(d.trunk_sitting_s[worn], d.sitting_s[worn], atol=1.0)
        for t in (20, 30, 60, 90):
            assert (d[f"trunk_fwd_ge{t}_s"] <= d.trunk_upright_s + 1e-9)[worn].all()
            assert (d[f"trunk_fwd_ge{t}_s"] <= d[f"trunk_ge{t}_s"] + 1e-9)[worn].all()
        assert (d.trunk_fwd_ge60_longest_s <= d.trunk_fwd_ge60_s + 1e-9)[worn].all()
        # seconds at the angle series' resolution (0.2 s), not epoch multiples
        assert np.allclose(np.round(d.trunk_ge20_s[worn] / 0.2), d.trunk_ge20_s[worn] / 0.2)


def test_epochs_carry_mean_trunk_angles(runs) -> None:
    ep = runs["tilted"]["epochs"]
    for c in EPOCH_TRUNK_COLUMNS:
        assert c in ep.columns
    standing = ep[ep.study_class == "standing"]
    # the tilted standing epochs read about 45 degrees more forward than the others
    assert (standing.trunk_fwd_deg > 35).sum() * 5 == pytest.approx(
        float(runs["blocks"].query("back_tilt_deg > 0").duration_s.sum()), rel=0.1)
    lying = ep[ep.study_class == "lying"]
    assert (lying.trunk_incl_deg.dropna() > 60).all()


def test_thigh_only_has_empty_trunk_columns_and_nothing_else_changes(runs) -> None:
    thigh_only = runs["thigh_only"]
    assert thigh_only["daily"][TRUNK].isna().all().all()
    assert thigh_only["epochs"][list(EPOCH_TRUNK_COLUMNS)].isna().all().all()
    assert thigh_only["qc"]["trunk"] == {"computed": False, "reason": "no back sensor"}
    assert not any("trunk" in n for n in thigh_only["qc"]["quality_warnings"])


def test_switching_the_trunk_off_changes_only_the_trunk_columns(runs) -> None:
    on, off = runs["plain"], runs["off"]
    assert off["daily"][TRUNK].isna().all().all()
    assert on["daily"][TRUNK].notna().any().any()
    others = [c for c in on["daily"].columns if c not in TRUNK]
    pd.testing.assert_frame_equal(on["daily"][others], off["daily"][others])
    ep_others = [c for c in on["epochs"].columns if c not in EPOCH_TRUNK_COLUMNS]
    pd.testing.assert_frame_equal(on["epochs"][ep_others], off["epochs"][ep_others])
    assert off["qc"]["trunk"]["computed"] is False
