"""The synthetic cohort: study marginals, the exclusion flow, and recovery of the true RRs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from walkback.cohort.exposures import day_validity
from walkback.cohort.quantiles import assign_groups, xtile
from walkback.cohort.sample import build_sample
from walkback.cohort.tables import CohortInputs
from walkback.simulate.cohort import TrueRisk, simulate_cohort


@pytest.fixture(scope="module")
def study():
    sim = simulate_cohort(11194, seed=0)
    return sim, build_sample(CohortInputs(sim.days, sim.participants))


def test_marginals_match_the_study(study):
    sim, s = study
    d = s.data
    assert abs(len(d) - 11194) < 0.03 * 11194
    assert d["age_years"].min() >= 20
    assert d["age_years"].mean() == pytest.approx(55.3, abs=0.7)
    assert d["age_years"].std() == pytest.approx(15.1, abs=0.7)
    assert (d["sex"] == "female").mean() == pytest.approx(0.586, abs=0.015)
    assert d["valid_days_walk"].mean() == pytest.approx(5.7, abs=0.1)
    assert d["valid_days_walk"].max() == 7
    assert d["lbp_t1"].mean() == pytest.approx(0.148, abs=0.01)
    vcuts, icuts = xtile(d["volume_min"])[1], xtile(d["intensity_met"])[1]
    np.testing.assert_allclose(vcuts, [78, 100, 124], atol=3.0)
    np.testing.assert_allclose(icuts, [3.00, 3.11, 3.26], atol=0.02)
    assert (s.flow["excluded"].iloc[1:] > 0).all(), s.flow  # every step removes someone


def test_blanking_rule_matters(study):
    sim, _ = study
    v = day_validity(sim.days)
    worn = v["valid_day"]
    blanked = worn & v["walking_s"].isna()
    assert 0.02 < blanked.sum() / worn.sum() < 0.08
    # blanked days still hold walking seconds in the input (the rule, not the data, removes them)
    assert (sim.days.loc[blanked, "walk_slow_s"].fillna(0) > 0).any()
    # each day sums to 24 h
    parts = ["lying_s", "sitting_s", "standing_s", "walk_slow_s", "walk_moderate_s",
             "walk_brisk_s", "running_s", "cycling_s"]
    np.testing.assert_allclose(sim.days.loc[worn, parts].sum(1), 86400.0)


def test_truth_uses_the_observed_exposures(study):
    sim, s = study
    r = sim.risk.set_index("participant_id").loc[s.data["participant_id"]]
    np.testing.assert_allclose(r["volume_min"], s.data["volume_min"].to_numpy())
    cats = assign_groups(s.data["volume_min"], sim.truth.volume_cuts_min)
    np.testing.assert_array_equal(r["volume_cat"], cats)
    assert r["included_expected"].all()
    assert sim.risk["included_expected"].sum() == len(s.data)


def test_deterministic_and_validated():
    a, b = simulate_cohort(300, seed=4), simulate_cohort(300, seed=4)
    pd.testing.assert_frame_equal(a.days, b.days)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    with pytest.raises(ValueError):
        TrueRisk(volume_rr=(1.0, 0.9))
    with pytest.raises(ValueError, match="risks >= 1"):
        simulate_cohort(500, seed=1, truth=TrueRisk(volume_rr=(1.0, 9.0, 9.0, 9.0),
                                                   case_share=0.45))


def _design(d: pd.DataFrame, exposure_q: np.ndarray) -> np.ndarray:
    """Quartile dummies (ref 1) + the study covariates as the multi-adjusted model enters them."""
    cols = [np.ones(len(d))]
    cols += [(exposure_q == k).astype(float) for k in (2, 3, 4)]
    cols.append(d["age_years"].to_numpy())
    cols.append((d["sex"] == "male").to_numpy(float))
    cols += [(d["education"] == k).to_numpy(float) for k in range(2, 7)]
    cols += [(d["income"] == k).to_numpy(float) for k in range(2, 6)]
    cols.append(d["employed"].to_numpy(float))
    cols += [(d["smoking"] == k).to_numpy(float) for k in ("former", "current")]
    cols.append(d["depression"].to_numpy(float))
    return np.column_stack(cols)


def test_large_cohort_recovers_true_risk_ratios():
    """n ~ 60,000: each study model (volume OR intensity quartiles by xtile + covariates,
    Poisson with robust HC0 variance) covers the true RRs with its 95 % CIs."""
    sim = simulate_cohort(60000, seed=11)
    d = build_sample(CohortInputs(sim.days, sim.participants)).data
    y = d["lbp_t1"].to_numpy(float)
    for col, true_rr in (("volume_min", sim.truth.volume_rr),
                         ("intensity_met", sim.truth.intensity_rr)):
        q, _ = xtile(d[col].to_numpy())
        fit = sm.GLM(y, _design(d, q), family=sm.families.Poisson()).fit(cov_type="HC0")
        est = np.exp(fit.params[1:4])
        lo, hi = np.exp(fit.conf_int()[1:4]).T
        assert np.all((lo <= np.array(true_rr[1:])) & (np.array(true_rr[1:]) <= hi)), (
            col, est, lo, hi)
        assert np.all(hi / lo < 1.15)  # precise enough for the check to mean something


def test_volume_intensity_correlation_option_and_independence_by_default():
    def corr(c):
        sim = simulate_cohort(4000, seed=3, volume_intensity_corr=c)
        r = sim.risk[sim.risk["included_expected"]]
        return np.corrcoef(r["volume_min"], r["intensity_met"])[0, 1]

    assert abs(corr(0.0)) < 0.05
    assert corr(0.5) > 0.3
    with pytest.raises(ValueError):
        simulate_cohort(100, volume_intensity_corr=1.0)


def test_writer_layouts_and_lazy_package_access(tmp_path):
    import walkback.simulate as ws

    sim = ws.simulate_cohort(200, seed=9)
    paths = ws.write_cohort(sim, tmp_path / "long")
    assert set(paths) == {"days", "participants"}
    days = pd.read_csv(paths["days"], dtype={"participant_id": str})
    assert len(days) == 7 * len(sim.participants)
    assert days["walking_s"].dropna().eq(days["walking_s"].dropna().round()).all()  # whole s
    hunt = ws.write_cohort(sim, tmp_path / "hunt", layout="hunt")
    assert hunt["config"].read_text().startswith("# walkback cohort config")
    wide = pd.read_csv(hunt["days"])
    assert wide.shape == (len(sim.participants), 1 + 7 * 10)  # nine activities + sleep
    assert "SleTmD7_NT4ActMX" in wide.columns
    with pytest.raises(ValueError, match="layout"):
        ws.write_cohort(sim, tmp_path / "x", layout="diagonal")
    with pytest.raises(AttributeError):
        _ = ws.no_such_name
