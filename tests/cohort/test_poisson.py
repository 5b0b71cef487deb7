"""Poisson regression with robust variance: hand-computed cases, statsmodels agreement, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from walkback.cohort.poisson import build_design, fit_poisson, lr_test
from walkback.errors import ConvergenceWarning, ModelError


def _two_group(a: int, n1: int, b: int, n0: int) -> pd.DataFrame:
    """a cases of n1 exposed, b cases of n0 unexposed."""
    g = np.r_[np.ones(n1), np.zeros(n0)].astype(int)
    y = np.r_[np.ones(a), np.zeros(n1 - a), np.ones(b), np.zeros(n0 - b)]
    return pd.DataFrame({"g": g, "y": y})


def test_two_group_rr_and_robust_variance_by_hand():
    df = _two_group(a=3, n1=10, b=6, n0=12)
    d = build_design(df, categorical=["g"])
    r = fit_poisson(df["y"].to_numpy(), d, small_sample=True)
    n = len(df)
    # saturated model: RR = (a/n1)/(b/n0); sandwich var(log RR) = 1/a - 1/n1 + 1/b - 1/n0
    assert r.params[1] == pytest.approx(np.log((3 / 10) / (6 / 12)), abs=1e-10)
    var = (1 / 3 - 1 / 10 + 1 / 6 - 1 / 12) * n / (n - 1)
    assert r.cov[1, 1] == pytest.approx(var, rel=1e-9)
    t = r.rr_table().set_index("term")
    assert t.loc["g=1", "rr"] == pytest.approx(0.6)
    se = np.sqrt(var)
    assert t.loc["g=1", "ci_low"] == pytest.approx(0.6 * np.exp(-1.959963985 * se), rel=1e-8)


def test_tiny_dataset_sandwich_formula_independent():
    x = np.array([0.5, 1.2, -0.3, 2.0, 0.0, 1.5, -1.0, 0.7, 0.9, -0.4, 1.8, 0.2])
    g = np.array([0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0])
    y = np.array([0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0], dtype=float)
    df = pd.DataFrame({"x": x, "g": g})
    r = fit_poisson(y, build_design(df, ["x"], ["g"]), small_sample=True)
    # independent fit (statsmodels) and the sandwich written out explicitly
    X = np.column_stack([np.ones(12), x, g])
    b = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-12).params
    mu = np.exp(X @ b)
    bread = np.linalg.inv(X.T @ np.diag(mu) @ X)
    meat = X.T @ np.diag((y - mu) ** 2) @ X
    V = bread @ meat @ bread * 12 / 11
    np.testing.assert_allclose(r.params, b, atol=1e-8)
    np.testing.assert_allclose(r.cov, V, rtol=1e-6, atol=1e-12)
    r0 = fit_poisson(y, build_design(df, ["x"], ["g"]), small_sample=False)
    np.testing.assert_allclose(r0.cov, V * 11 / 12, rtol=1e-6, atol=1e-12)


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({
        "age": rng.normal(55, 15, n),
        "sex": rng.choice(["male", "female"], n),
        "edu": rng.integers(1, 7, n),
        "q": rng.integers(1, 5, n),
    })
    eta = -1.8 + 0.01 * (df.age - 55) - 0.25 * (df.q > 2) + 0.15 * (df.sex == "female")
    df["y"] = (rng.random(n) < np.exp(eta)).astype(float)
    return df


def test_agrees_with_statsmodels_hc0_scaled(cohort):
    d = build_design(cohort, ["age"], ["q", "sex", "edu"], order=["q", "age", "sex", "edu"])
    r = fit_poisson(cohort["y"].to_numpy(), d, protected=["q"])
    m = sm.GLM(cohort["y"].to_numpy(), d.X, family=sm.families.Poisson()).fit(cov_type="HC0")
    n = len(cohort)
    np.testing.assert_allclose(r.params, m.params, atol=1e-9)
    np.testing.assert_allclose(r.cov, m.cov_params() * n / (n - 1), rtol=1e-7, atol=1e-14)
    assert r.loglik == pytest.approx(m.llf, rel=1e-10)
    nr = fit_poisson(cohort["y"].to_numpy(), d, robust=False)
    m2 = sm.GLM(cohort["y"].to_numpy(), d.X, family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(nr.cov, m2.cov_params(), rtol=1e-7, atol=1e-14)
    assert "q=2" in r.summary() and "robust (HC0 x n/(n-1))" in r.summary()


def test_design_treatment_coding_and_reference(cohort):
    d = build_design(cohort, ["age"], ["sex", "q"], level_order={"sex": ("female", "male")})
    assert d.names == ("_cons", "age", "sex=male", "q=2", "q=3", "q=4")
    sex = d.term("sex")
    assert sex.reference == "female" and sex.to_dict()["levels"] == ["female", "male"]
    assert d.term("q").reference == 1
    np.testing.assert_array_equal(d.X[:, 3], (cohort.q == 2).to_numpy(float))
    bad = cohort.assign(age=cohort.age.where(cohort.index != 5))
    with pytest.raises(ModelError, match=r"'age' has 1 missing value.*\[5\]"):
        build_design(bad, ["age"], ["q"])


def test_exposure_category_without_cases_is_a_clear_error(cohort):
    df = cohort.copy()
    df.loc[df.q == 3, "y"] = 0
    d = build_design(df, ["age"], ["q"], order=["q", "age"])
    with pytest.raises(ModelError, match=r"category q = 3 \(\d+ participants, 0 cases\).*not est"):
        fit_poisson(df["y"].to_numpy(), d, protected=["q"], label="model quartile/volume/multi")
    df2 = cohort.copy()
    df2.loc[df2.q == 1, "y"] = 0
    with pytest.raises(ModelError, match=r"q = 1 \(reference\)"):
        fit_poisson(df2["y"].to_numpy(), build_design(df2, [], ["q"]), protected=["q"])


def test_covariate_level_without_cases_reported_not_estimable(cohort):
    df = cohort.copy()
    df.loc[df.edu == 6, "y"] = 0
    d = build_design(df, ["age"], ["q", "edu"], order=["q", "age", "edu"])
    r = fit_poisson(df["y"].to_numpy(), d, protected=["q"])
    assert r.not_estimable == ("edu=6",)
    assert np.isnan(r.params[d.names.index("edu=6")])
    # the other estimates are the limit, i.e. the fit without those participants
    sub = df[df.edu != 6]
    r2 = fit_poisson(sub["y"].to_numpy(), build_design(sub, ["age"], ["q", "edu"],
                                                      order=["q", "age", "edu"]))
    np.testing.assert_allclose(r.params[:4], r2.params[:4], atol=1e-9)


def test_fit_stopped_at_max_iter_warns_naming_the_model_and_is_flagged(cohort):
    d = build_design(cohort, ["age"], ["q"])
    with pytest.warns(ConvergenceWarning, match=r"^model m1: .*did not converge in 1 iterations"):
        r = fit_poisson(cohort["y"].to_numpy(), d, max_iter=1, label="model m1")
    assert not r.converged and r.n_iter == 1 and "m1" in r.convergence_message
    full = fit_poisson(cohort["y"].to_numpy(), d)
    assert full.converged and full.convergence_message == "" and full.n_iter > 1
    assert np.max(np.abs(r.params - full.params)) > 1e-3  # the estimates really are unfinished


def test_flat_deviance_with_shrinking_steps_is_a_stopped_fit_not_separation():
    """Stopped one iteration early, this fit's deviance is already flat (1.5e-13) while a coefficient
    still moves by 1.3e-6 (after 1.4e-3): Newton steps towards a finite maximum shrink, so it is a
    ConvergenceWarning with nearly final estimates, not the "no finite maximum" error."""
    rng = np.random.default_rng(0)
    n = 3000
    df = pd.DataFrame({"age": rng.normal(55, 15, n), "edu": rng.integers(1, 7, n),
                       "q": rng.integers(1, 5, n)})
    df["y"] = (rng.random(n) < np.exp(-1.8 + 0.01 * (df.age - 55) - 0.25 * (df.q > 2))
               ).astype(float)
    d = build_design(df, ["age"], ["q", "edu"])
    full = fit_poisson(df.y.to_numpy(), d)
    assert full.converged and full.n_iter == 5
    with pytest.warns(ConvergenceWarning, match=r"deviance change 1\.\d+e-13"):
        almost = fit_poisson(df.y.to_numpy(), d, max_iter=4)
    assert not almost.converged
    np.testing.assert_allclose(almost.params, full.params, atol=1e-5)


def test_collinear_covariate_omitted_like_stata_but_exposure_is_an_error(cohort):
    df = cohort.assign(age2=cohort.age * 2, const=1.0)
    r = fit_poisson(df["y"].to_numpy(), build_design(df, ["age", "age2", "const"], ["q"]))
    assert r.not_estimable == ("age2", "const")
    ref = fit_poisson(df["y"].to_numpy(), build_design(df, ["age"], ["q"]))
    np.testing.assert_allclose(r.params[[0, 1, 4, 5, 6]], ref.params, atol=1e-9)
    with pytest.raises(ModelError, match="exposure column 'x' is collinear"):
        fit_poisson(df["y"].to_numpy(), build_design(df.assign(x=df.age), ["age", "x"]),
                    protected=["x"])


def test_lr_test_matches_manual(cohort):
    y = cohort["y"].to_numpy()
    small = fit_poisson(y, build_design(cohort, ["age"]), robust=False)
    big = fit_poisson(y, build_design(cohort, ["age"], ["q"]), robust=False)
    m0 = sm.GLM(y, sm.add_constant(cohort[["age"]].to_numpy()), family=sm.families.Poisson()).fit()
    chi2, df, p = lr_test(small, big)
    assert df == 3
    assert small.loglik == pytest.approx(m0.llf, rel=1e-10)
    assert chi2 == pytest.approx(2 * (big.loglik - small.loglik))
    from scipy import stats
    assert p == pytest.approx(stats.chi2.sf(chi2, 3))


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(0.01, 100.0))
def test_exposure_rr_invariant_to_row_order_and_covariate_scale(seed, scale):
    rng = np.random.default_rng(seed)
    n = 400
    df = pd.DataFrame({"q": rng.integers(1, 4, n), "age": rng.normal(50, 10, n)})
    df["y"] = (rng.random(n) < 0.3 * np.exp(-0.2 * (df.q - 1))).astype(float)
    ref = fit_poisson(df.y.to_numpy(), build_design(df, ["age"], ["q"]), protected=["q"])
    perm = df.sample(frac=1.0, random_state=seed).assign(age=lambda d: d.age * scale)
    alt = fit_poisson(perm.y.to_numpy(), build_design(perm, ["age"], ["q"]), protected=["q"])
    np.testing.assert_allclose(alt.params[2:], ref.params[2:], atol=1e-8)  # q=2, q=3
    np.testing.assert_allclose(alt.cov[2:, 2:], ref.cov[2:, 2:], rtol=1e-6, atol=1e-12)
    assert alt.params[1] * scale == pytest.approx(ref.params[1], rel=1e-6, abs=1e-10)


def test_quasi_separation_is_a_model_error_not_a_silent_fit():
    """A covariate with no cases on one side drives its coefficient towards -infinity: Newton
    steps stop moving once fitted risks underflow, so the fit looks converged. It must not be
    reported (nor crash with numpy's LinAlgError): found in a 96-person batch -> analyze run."""
    rng = np.random.default_rng(0)
    x = np.r_[np.zeros(30), np.ones(30)]
    y = np.r_[rng.integers(0, 2, 30), np.zeros(30)].astype(float)
    design = build_design(pd.DataFrame({"x": x}), continuous=["x"])
    with pytest.raises(ModelError, match="quasi-separation"):
        fit_poisson(y, design, max_iter=2000, label="toy")


def test_covariate_reference_level_without_cases_leaves_its_rows_out(cohort):
    """Like Stata: the participants of a case-free covariate reference level are left out and the
    next level serves as reference; the exposure's RR equals the fit on the remaining rows."""
    df = cohort.copy()
    df["grp"] = np.where(np.arange(len(df)) % 7 == 0, "a", np.where(df.index % 2, "b", "c"))
    df.loc[df["grp"] == "a", "y"] = 0.0
    d = build_design(df, continuous=["age"], categorical=["q", "grp"])
    res = fit_poisson(df["y"].to_numpy(), d, protected=("q",))
    rest = df[df["grp"] != "a"]
    d2 = build_design(rest, continuous=["age"], categorical=["q", "grp"])
    ref = fit_poisson(rest["y"].to_numpy(), d2, protected=("q",))
    for name in ("q=2", "q=3", "q=4"):
        i, k = d.names.index(name), d2.names.index(name)
        assert res.params[i] == pytest.approx(ref.params[k], rel=1e-8)
        assert res.cov[i, i] == pytest.approx(ref.cov[k, k], rel=1e-8)
    assert any("reference" in s for s in res.not_estimable)


def test_estimates_pinned_across_engine_changes(cohort):
    """Numbers of the hand-written IRLS before the statsmodels trial (commit 29e00c6), with the
    Stata layer at work: a case-free covariate level (edu=6), a case-free covariate reference
    level (grp=a, its rows left out, grp=c then collinear), a collinear covariate (age2). Any
    engine must reproduce them within 1e-10."""
    df = cohort.copy()
    n = len(df)
    df.loc[df.edu == 6, "y"] = 0.0
    df["grp"] = np.where(np.arange(n) % 9 == 0, "a", np.where(np.arange(n) % 2, "b", "c"))
    df.loc[df.grp == "a", "y"] = 0.0
    df["age2"] = 2 * df.age
    d = build_design(df, ["age", "age2"], ["q", "sex", "edu", "grp"],
                     order=["q", "age", "age2", "sex", "edu", "grp"])
    r = fit_poisson(df.y.to_numpy(), d, protected=["q"])
    assert r.not_estimable == ("edu=6", "grp=a (reference; 334 participants left out)", "age2",
                               "grp=c")
    assert (r.n, r.cases, r.converged) == (3000, 337, True)
    t = r.rr_table().set_index("term")
    pinned = {  # coef, se (HC0 x n/(n-1)), ci_low, ci_high, p
        "q=2": (0.17250610404485311, 0.13864018006495382, 0.9055401561626468,
                1.5592982242290179, 0.21339944624237528),
        "q=3": (0.06265874289240966, 0.13988237012033364, 0.8093646962998993,
                1.4004913654992333, 0.6541973556602354),
        "q=4": (-0.0747539795834489, 0.1466539964459295, 0.6961497172382032,
                1.2369919325956877, 0.6102404509948665),
        "age": (0.0104626487923243, 0.0032660968188198505, 1.004069474573063,
                1.0170070822711028, 0.0013581025310790975),
    }
    for term, values in pinned.items():
        got = t.loc[term, ["coef", "se", "ci_low", "ci_high", "p"]].to_numpy(float)
        np.testing.assert_allclose(got, values, rtol=1e-10, atol=1e-12, err_msg=term)
    assert r.loglik == pytest.approx(-961.7392200007646, abs=1e-9)
    y = df.y.to_numpy()
    small = fit_poisson(y, build_design(df, ["age"], ["sex"]), robust=False)
    big = fit_poisson(y, build_design(df, ["age"], ["sex", "q"]), robust=False)
    chi2, dof, p = lr_test(small, big)
    assert (chi2, dof) == (pytest.approx(2.6263795692084386, abs=1e-9), 3)
    assert p == pytest.approx(0.45288362500991697, abs=1e-10)
    assert big.bse[big.index("q=3")] == pytest.approx(0.15208657646604054, rel=1e-10)


def test_no_finite_maximum_is_a_model_error_not_a_convergence_warning():
    """With the default max_iter the separated toy's deviance stops changing while x keeps
    running off: that is a ModelError naming x, never a warned estimate."""
    rng = np.random.default_rng(0)
    x = np.r_[np.zeros(30), np.ones(30)]
    y = np.r_[rng.integers(0, 2, 30), np.zeros(30)].astype(float)
    design = build_design(pd.DataFrame({"x": x}), continuous=["x"])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of any kind on the way to the error
        with pytest.raises(ModelError, match=r"toy: no finite maximum.*\['x'\].*quasi-separation"):
            fit_poisson(y, design, label="toy")
