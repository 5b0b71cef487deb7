"""Model specifications, sample filters, stratified/interaction/sensitivity models, E-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from walkback.cohort.config import ModelSettings
from walkback.cohort.models import (
    Covariates,
    category_rows,
    filter_mask,
    fit_spec,
    quartile_spec,
    spline_spec,
)
from walkback.cohort.quantiles import xtile
from walkback.cohort.sensitivity import (
    evalue,
    evalues,
    recut_quartiles,
    run_interactions,
    run_stratified,
)
from walkback.errors import ModelError

MS = ModelSettings()
COV = Covariates.from_settings(MS)


def test_filter_language():
    df = pd.DataFrame({"a": [1.0, 5.0, np.nan, 3.0], "s": ["female", "male", "male", None]})
    assert filter_mask(df, "").tolist() == [True] * 4
    assert filter_mask(df, "a >= 3").tolist() == [False, True, False, True]
    assert filter_mask(df, "a > 2 or a missing").tolist() == [False, True, True, True]  # Stata
    assert filter_mask(df, "a not missing").tolist() == [True, True, False, True]
    assert filter_mask(df, 'a < 4 and s == "female"').tolist() == [True, False, False, False]
    with pytest.raises(ModelError, match="cannot parse"):
        filter_mask(df, "a ~ 3")
    with pytest.raises(ModelError, match=r"column\(s\) \['bmi'\] not in the analysis data"):
        filter_mask(df, "bmi not missing")


def test_specs_follow_the_study():
    age = quartile_spec("volume", "age", COV)
    assert age.exposure_terms == ("volume_q",) and age.covariates == ("age_years",)
    multi = quartile_spec("intensity", "multi", COV)
    assert multi.covariates == MS.covariates
    mutual = quartile_spec("volume", "mutual", COV)
    assert mutual.covariates == (*MS.covariates, "intensity_met")  # other exposure, linear
    assert "intensity_met" not in mutual.categorical_terms
    sp = spline_spec("intensity", "mutual", COV)
    assert sp.exposure_terms == ("intensity_s1", "intensity_s2")
    assert sp.covariates[-2:] == ("volume_s1", "volume_s2")  # other exposure as 3-knot RCS
    nosex = quartile_spec("volume", "multi", COV, drop=("sex",))
    assert "sex" not in nosex.covariates


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 2400
    df = pd.DataFrame({
        "participant_id": [f"p{i}" for i in range(n)],
        "volume_min": rng.gamma(9, 11, n),
        "intensity_met": 2.8 + rng.beta(2, 9, n) * 2,
        "age_years": rng.uniform(20, 90, n),
        "sex": rng.choice(["female", "male"], n),
        "education": rng.integers(1, 7, n),
        "income": rng.integers(1, 6, n),
        "employed": rng.integers(0, 2, n),
        "smoking": rng.choice(["never", "former", "current"], n),
        "depression": rng.integers(0, 2, n),
        "bmi": np.where(rng.random(n) < 0.9, rng.normal(27, 4, n), np.nan),
        "other_pa_min": rng.exponential(5, n),
        "valid_days_walk": rng.integers(1, 8, n),
        "msp_t0": rng.integers(0, 2, n),
        "pain_4weeks": rng.integers(1, 7, n).astype(float),
        "health_status": np.where(rng.random(n) < 0.9, rng.integers(1, 5, n), np.nan),
        "chronic_disease": rng.integers(0, 2, n).astype(float),
    })
    df["age65"] = (df.age_years >= 65).astype(int)
    df["volume_q"] = xtile(df.volume_min, 4)[0]
    df["intensity_q"] = xtile(df.intensity_met, 4)[0]
    risk = 0.2 * np.array([1, 0.9, 0.8, 0.7])[df.volume_q - 1] * np.exp(0.01 * (df.age_years - 55))
    df["lbp_t1"] = (rng.random(n) < risk).astype(int)
    df["severe_lbp_t1"] = np.where(rng.random(n) < 0.95, df.lbp_t1 * rng.integers(0, 2, n), np.nan)
    return df


def test_quartile_fit_and_rows_match_independent_fit(data):
    fm = fit_spec(data, quartile_spec("volume", "multi", COV), MS)
    rows = pd.DataFrame(category_rows(data, fm, "volume_q", "volume_min"))
    assert rows.category.tolist() == [1, 2, 3, 4]
    assert rows.n.sum() == len(data) and rows.cases.sum() == data.lbp_t1.sum()
    g = data.groupby("volume_q")
    np.testing.assert_allclose(rows.lower, g.volume_min.min())
    np.testing.assert_allclose(rows.upper, g.volume_min.max())
    assert rows.loc[0, ["rr", "ci_low", "ci_high"]].tolist() == [1.0, 1.0, 1.0]
    # an independent fit with statsmodels' formula interface (Stata-like i. coding)
    f = ("lbp_t1 ~ C(volume_q) + age_years + C(sex) + C(education) + C(income) + C(employed)"
         " + C(smoking, levels=['never','former','current']) + C(depression)")
    import statsmodels.formula.api as smf

    m = smf.glm(f, data, family=sm.families.Poisson()).fit(cov_type="HC0")
    n = len(data)
    for k in (2, 3, 4):
        b, se = m.params[f"C(volume_q)[T.{k}]"], m.bse[f"C(volume_q)[T.{k}]"] * np.sqrt(n / (n - 1))
        assert rows.loc[k - 1, "rr"] == pytest.approx(np.exp(b), rel=1e-8)
        assert rows.loc[k - 1, "ci_high"] == pytest.approx(np.exp(b + 1.959964 * se), rel=1e-6)
    desc = fm.describe(True)
    assert desc["exposure_terms"][0]["reference"] == 1
    types = {c["name"]: (c["type"], c.get("reference")) for c in desc["covariates"]}
    assert types["age_years"] == ("continuous", None)
    assert types["smoking"] == ("categorical", "never") and types["sex"] == ("categorical", "female")
    assert "n/(n-1)" in desc["variance"]


def test_stratified_models_drop_sex_and_keep_age(data):
    table, fits = run_stratified(data, COV, MS)
    by_id = {fm.spec.id: fm for fm in fits}
    sexfit = by_id["sex=female:stratified/volume/multi"]
    assert "sex" not in sexfit.spec.covariates and sexfit.spec.filter == 'sex == "female"'
    agefit = by_id["age65=1:stratified/intensity/multi"]
    assert "age_years" in agefit.spec.covariates and agefit.n == int(data.age65.sum())
    within = table[table.stratifier == "intensity_q"]
    assert set(within.exposure) == {"volume"} and set(within.stratum) == {1, 2, 3, 4}
    # quartile cuts stay those of the full sample: n per (stratum, category) is a crosstab
    ct = pd.crosstab(data.intensity_q, data.volume_q)
    w = within[within.adjustment == "age"].set_index(["stratum", "category"])
    for (i, v), n in ct.stack().items():
        assert w.loc[(i, v), "n"] == n


def test_interaction_lr_tests(data):
    table, fits = run_interactions(data, COV, MS)
    row = table[(table.exposure == "volume") & (table.modifier == "age65")].iloc[0]
    main = next(f for f in fits if f.spec.id == "interaction/volumexage65/main")
    assert "age_years" not in main.spec.covariates and "age65" in main.spec.covariates
    assert not main.spec.robust and main.result.variance == "model"
    assert row.df == 3
    assert row.lr_chi2 == pytest.approx(2 * (row.loglik_interaction - row.loglik_main))
    # independent: statsmodels loglik of the two nested models
    import statsmodels.formula.api as smf

    base = ("lbp_t1 ~ C(volume_q) + C(sex) + C(education) + C(income) + C(employed)"
            " + C(smoking) + C(depression)")
    l0 = smf.glm(base + " + C(age65)", data, family=sm.families.Poisson()).fit().llf
    l1 = smf.glm(base + " + C(volume_q) * C(age65)", data, family=sm.families.Poisson()).fit().llf
    assert row.loglik_main == pytest.approx(l0, rel=1e-9)
    assert row.loglik_interaction == pytest.approx(l1, rel=1e-9)
    sexrow = table[(table.exposure == "volume") & (table.modifier == "sex")].iloc[0]
    sexmain = next(f for f in fits if f.spec.id == "interaction/volumexsex/main")
    assert "age_years" in sexmain.spec.covariates and sexrow.df == 3


def test_sensitivity_quartiles_recut_within_subsample(data):
    df, cuts = recut_quartiles(data)
    sub = data.bmi.notna()
    codes, cp = xtile(data.loc[sub, "volume_min"], 4)
    np.testing.assert_array_equal(df.loc[sub, "volume_q_bmi"], codes)
    assert (df.loc[~sub, "volume_q_bmi"] == 0).all()
    got = [c["cutpoint"] for c in cuts if c["sample"] == "bmi" and c["exposure"] == "volume"]
    np.testing.assert_allclose(got, cp)
    # Stata: "health_status > 2" keeps missing values
    h = (data.health_status > 2) | data.health_status.isna()
    np.testing.assert_array_equal(df["intensity_q_health"] > 0, h)


def test_evalues_by_hand():
    assert evalue(0.5) == pytest.approx(2 + np.sqrt(2))
    assert evalue(2.0) == pytest.approx(2 + np.sqrt(2))
    assert evalue(1.0) == pytest.approx(1.0)
    q = pd.DataFrame({
        "exposure": ["volume"] * 3, "adjustment": ["multi", "multi", "age"], "category": [2, 3, 3],
        "rr": [0.77, 0.9, 0.7], "ci_low": [0.68, 0.8, 0.6], "ci_high": [0.87, 1.01, 0.8],
    })
    e = evalues(q)
    assert e.category.tolist() == [2]  # only multi-adjusted with upper CI < 1
    r = 1 / 0.77
    assert e.evalue_rr[0] == pytest.approx(r + np.sqrt(r * (r - 1)))
    r = 1 / 0.87
    assert e.evalue_ci[0] == pytest.approx(r + np.sqrt(r * (r - 1)))


def test_failed_secondary_model_reported_in_note_not_raised(data):
    from walkback.cohort.sensitivity import run_sensitivity

    df, _ = recut_quartiles(data.assign(severe_lbp_t1=data.severe_lbp_t1 * 0))
    table, fits = run_sensitivity(df, COV, MS)
    severe = table[table.analysis == "severe_lbp"]
    assert len(severe) == 2 * 2 * 4 and severe.rr.isna().all()  # n and cases still given
    assert (severe.cases == 0).all() and severe.n.gt(0).all()
    assert severe.note.str.contains("no cases").all()
    assert all(f.error for f in fits if f.spec.outcome == "severe_lbp_t1")
    assert "error" in next(f for f in fits if f.spec.outcome == "severe_lbp_t1").describe(True)
    others = table[table.analysis != "severe_lbp"]
    assert others.rr.notna().all()
    assert len({f.spec.id for f in fits}) == len(fits) == 8 * 2 * 2
