"""Trunk forward bending in the cohort analysis: ignored by default, a covariate or an exposure.

The day table gets a ``trunk_fwd_ge30_s`` column (seconds per day of upright time with the trunk
bent >= 30 degrees forward, as walkback's daily.csv has with a back sensor). In this simulated
cohort the cases bend more (a built-in association), and some participants wore no back sensor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from walkback.cohort.analyze import analyze
from walkback.cohort.config import CohortSettings, TrunkSettings
from walkback.cohort.tables import CohortInputs
from walkback.errors import SettingsError
from walkback.simulate.cohort import simulate_cohort
from walkback.study_settings import load_study_settings


@pytest.fixture(scope="module")
def cohort():
    sim = simulate_cohort(n=4000, seed=11)
    rng = np.random.default_rng(5)
    days = sim.days.copy()
    case = days["participant_id"].map(sim.risk.set_index("participant_id")["lbp_t1_true"])
    minutes = rng.gamma(4.0, 6.0, len(days)) + 12.0 * case.to_numpy(dtype=float)
    no_back = days["participant_id"].isin(sim.participants["participant_id"].iloc[::10])
    days["trunk_fwd_ge30_s"] = np.where(no_back | days["walking_s"].isna(), np.nan, minutes * 60)
    return CohortInputs(days=days, participants=sim.participants), no_back


def _settings(role: str) -> CohortSettings:
    return CohortSettings(trunk=TrunkSettings(role=role))


def test_default_ignores_the_trunk_column(cohort):
    inputs, _ = cohort
    plain = analyze(CohortInputs(days=inputs.days.drop(columns="trunk_fwd_ge30_s"),
                                 participants=inputs.participants))
    with_col = analyze(inputs)
    pd.testing.assert_frame_equal(plain.quartile_models, with_col.quartile_models)
    assert "trunk_min" not in with_col.analysis_data


def test_trunk_as_covariate(cohort):
    inputs, no_back = cohort
    base = analyze(inputs)
    res = analyze(inputs, _settings("covariate"))
    flow = res.flow.set_index("step")
    step = [s for s in flow.index if s.startswith("Missing covariate")][0]
    assert "trunk_min" in step
    n_no_back = inputs.days.loc[no_back, "participant_id"].nunique()
    assert flow.loc[step, "excluded"] >= n_no_back * 0.8  # the thigh-only participants leave
    multi = [m for m in res.models if m["id"] == "quartile/volume/multi"][0]
    assert "trunk_min" in {c["name"] for c in multi["covariates"]}
    age = [m for m in res.models if m["id"] == "quartile/volume/age"][0]
    assert "trunk_min" not in {c["name"] for c in age["covariates"]}
    assert res.analysis_data["trunk_min"].notna().all()
    assert res.provenance["n_included"] < base.provenance["n_included"]
    assert res.provenance["settings"]["cohort"]["trunk"]["role"] == "covariate"


def test_trunk_as_exposure(cohort, tmp_path):
    inputs, _ = cohort
    res = analyze(inputs, _settings("exposure"))
    q = res.quartile_models
    t = q[q.exposure == "trunk"]
    assert set(t.adjustment) == {"age", "multi"} and len(t) == 8
    multi = t[t.adjustment == "multi"].set_index("category")
    assert multi.loc[1, "rr"] == 1.0
    assert multi.loc[4, "rr"] > 1.2 and multi.loc[4, "ci_low"] > 1.0  # cases bend more
    assert "No trunk measure (trunk_fwd_ge30_s; back sensor)" in set(res.flow.step)
    assert set(res.splines) == {"volume", "intensity", "trunk"}
    out = res.to_dir(tmp_path / "r")
    curve = pd.read_csv(out / "spline_trunk.csv")
    assert len(curve) > 10 and (out / "dose_response_trunk.png").stat().st_size > 1000
    # the study's own exposures are unchanged in kind: mutual adjustment for walking only
    assert set(q[q.exposure == "volume"].adjustment) == {"age", "multi", "mutual"}


def test_trunk_settings_are_checked(tmp_path):
    p = tmp_path / "study.toml"
    p.write_text('[cohort.trunk]\nrole = "outcome"\n')
    with pytest.raises(SettingsError, match=r"\[cohort.trunk\] role: expected one of 'none'"):
        load_study_settings(p)
    p.write_text('[cohort.trunk]\nrole = "exposure"\ncolumn = "trunk_fwd_ge60_s"\n')
    s = load_study_settings(p).cohort
    assert s.trunk.column == "trunk_fwd_ge60_s"


def test_missing_trunk_column_is_a_clear_error(cohort):
    inputs, _ = cohort
    settings = CohortSettings(trunk=TrunkSettings(role="exposure", column="trunk_fwd_ge90_s"))
    with pytest.raises(SettingsError, match=r"\[cohort.trunk\] column 'trunk_fwd_ge90_s'"):
        analyze(inputs, settings)
