"""``analyze`` end to end on simulated cohorts: truth recovered, outputs complete and reproducible."""

from __future__ import annotations

import json
import operator
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from walkback.cohort.analyze import analyze
from walkback.cohort.config import CohortSettings
from walkback.cohort.results import OUTPUT_FILES
from walkback.cohort.sample import build_sample
from walkback.cohort.tables import CohortInputs
from walkback.errors import ModelError
from walkback.simulate.cohort import simulate_cohort

N_BIG, SEED = 20000, 0


@pytest.fixture(scope="module")
def sim():
    return simulate_cohort(N_BIG, SEED)


@pytest.fixture(scope="module")
def sample(sim):
    return build_sample(CohortInputs(sim.days, sim.participants), CohortSettings())


@pytest.fixture(scope="module")
def results(sample):
    return analyze(sample, CohortSettings(), checksums={"days.csv": "abc"})


@pytest.fixture(scope="module")
def outdir(results, tmp_path_factory):
    return results.to_dir(tmp_path_factory.mktemp("cohort") / "analysis")


def test_true_risk_ratios_recovered_within_cis(results, sim):
    q = results.quartile_models
    for exp, truth in (("volume", sim.truth.volume_rr), ("intensity", sim.truth.intensity_rr)):
        rows = q[(q.exposure == exp) & (q.adjustment == "multi")].sort_values("category")
        assert rows.rr.iloc[0] == 1.0
        for (_, r), rr in zip(rows.iloc[1:].iterrows(), truth[1:], strict=True):
            assert r.ci_low < rr < r.ci_high, (exp, r.category, r.rr, rr)
    # the published-like cut points are reproduced by xtile on the simulated sample
    cuts = results.cutpoints.query("sample == 'main' and exposure == 'volume'").cutpoint
    np.testing.assert_allclose(cuts, sim.truth.volume_cuts_min, rtol=0.03)
    # E-values only for multi-adjusted RRs with upper CI < 1, and they exceed 1
    assert len(results.evalues) > 0 and (results.evalues.evalue_rr > 1).all()


def test_output_files_and_columns(outdir, results):
    assert sorted(p.name for p in outdir.iterdir()) == sorted(OUTPUT_FILES)
    cols = {
        "flow.csv": ["step", "excluded", "remaining"],
        "quartile_models.csv": ["exposure", "adjustment", "category", "lower", "upper", "n",
                                "cases", "rr", "ci_low", "ci_high"],
        "spline_volume.csv": ["x", "rr", "ci_low", "ci_high"],
        "spline_intensity.csv": ["x", "rr", "ci_low", "ci_high"],
        "joint_models.csv": ["volume_q", "intensity_q", "n", "cases", "rr", "ci_low", "ci_high"],
    }
    for name, expected in cols.items():
        assert pd.read_csv(outdir / name, nrows=1).columns.tolist() == expected, name
    q = pd.read_csv(outdir / "quartile_models.csv")
    assert len(q) == 2 * 3 * 4 and set(q.adjustment) == {"age", "multi", "mutual"}
    joint = pd.read_csv(outdir / "joint_models.csv")
    assert len(joint) == 16 and joint.n.sum() == results.provenance["n_included"]
    assert joint.query("volume_q == 1 and intensity_q == 1").rr.item() == 1.0
    sp = json.loads((outdir / "splines.json").read_text())
    vol = pd.read_csv(outdir / "spline_volume.csv")
    assert sp["volume"]["reference"] == sp["volume"]["knots"][0]
    assert np.allclose(np.diff(vol.x), 0.25) and vol.x.iloc[0] == pytest.approx(
        results.analysis_data.volume_min.min())
    at_ref = np.interp(sp["volume"]["reference"], vol.x, vol.rr)
    assert at_ref == pytest.approx(1.0, abs=2e-3)
    intens = pd.read_csv(outdir / "spline_intensity.csv")
    assert np.allclose(np.diff(intens.x), 0.01)
    sens = pd.read_csv(outdir / "sensitivity.csv")
    assert sens.analysis.nunique() == 8 and set(sens.adjustment) == {"age", "multi"}
    assert sens.rr.notna().all()
    prov = json.loads((outdir / "provenance.json").read_text())
    assert prov["input_checksums_sha256"] == {"days.csv": "abc"}
    assert prov["settings"]["cohort"]["models"]["stata_small_sample"] is True
    assert {"walkback_version", "time_of_run_utc"} <= set(prov)
    ad = pd.read_csv(outdir / "analysis_data.csv")
    assert len(ad) == prov["n_included"] and ad.participant_id.is_unique
    for png in ("dose_response_volume.png", "dose_response_intensity.png", "joint_heatmap.png"):
        assert (outdir / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "volume" in results.summary() and "1 (reference)" in results.main_table()


_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}


def _select(ad: pd.DataFrame, expr: str) -> pd.Series:
    """The documented filter language, re-implemented independently of walkback."""
    keep = pd.Series(True, index=ad.index)
    if expr == "all":
        return keep
    for part in expr.split(" and "):
        if m := re.fullmatch(r"(\w+) not missing", part):
            keep &= ad[m[1]].notna()
        elif m := re.fullmatch(r"(\w+) (\S+) (-?[\d.]+) or (\w+) missing", part):
            keep &= _OPS[m[2]](ad[m[1]], float(m[3])) | ad[m[4]].isna()
        elif m := re.fullmatch(r'(\w+) (\S+) "(.*)"', part):
            keep &= _OPS[m[2]](ad[m[1]], m[3])
        else:
            m = re.fullmatch(r"(\w+) (\S+) (-?[\d.]+)", part)
            keep &= _OPS[m[2]](ad[m[1]], float(m[3]))
    return keep


def _term(t: dict) -> str:
    if t["type"] == "categorical":
        return f"C({t['name']}, Treatment(reference={t['reference']!r}))"
    return t["name"]


@pytest.mark.parametrize("model_id", [
    "quartile/volume/multi", "severe_lbp:sensitivity/volume/age",
    'sex=male:stratified/volume/multi', "health:sensitivity/volume/multi", "spline/volume/mutual",
])
def test_every_estimate_reproducible_from_analysis_data_and_models_json(outdir, model_id):
    ad = pd.read_csv(outdir / "analysis_data.csv")
    models = {m["id"]: m for m in json.loads((outdir / "models.json").read_text())["models"]}
    m = models[model_id]
    sub = ad[_select(ad, m["sample_filter"])]
    assert len(sub) == m["n"]
    rhs = " + ".join(_term(t) for t in m["exposure_terms"] + m["covariates"])
    fit = smf.glm(f"{m['outcome']} ~ {rhs}", sub, family=sm.families.Poisson()).fit(
        cov_type="HC0")
    coefs = m["coefficients"]
    exp_cols = [c for t in m["exposure_terms"] for c in t["columns"]]
    for col, b in zip(exp_cols, [coefs[c] for c in exp_cols], strict=True):
        name, _, level = col.partition("=")
        sm_name = (f"C({name}, Treatment(reference=1))[T.{level}]" if level else name)
        assert fit.params[sm_name] == pytest.approx(b, rel=1e-6, abs=1e-9), col
    if m["analysis"] == "quartile":
        q = pd.read_csv(outdir / "quartile_models.csv")
        row = q[(q.exposure == m["exposure"]) & (q.adjustment == m["adjustment"])
                & (q.category == 4)].iloc[0]
        n = len(sub)
        se = fit.bse[f"C({m['exposure']}_q, Treatment(reference=1))[T.4]"] * np.sqrt(n / (n - 1))
        b = fit.params[f"C({m['exposure']}_q, Treatment(reference=1))[T.4]"]
        assert row.rr == pytest.approx(np.exp(b), rel=1e-6)
        assert row.ci_low == pytest.approx(np.exp(b - 1.959964 * se), rel=1e-5)


def test_category_without_cases_is_one_clear_error(sample):
    data = sample.data.copy()
    low = data.volume_min <= data.volume_min.quantile(0.3)
    data.loc[low, "lbp_t1"] = 0
    bad = type(sample)(data=data, flow=sample.flow, everyone=sample.everyone)
    with pytest.raises(ModelError, match=r"quartile/volume/age.*volume_q = 1 \(reference\)"):
        analyze(bad)


def test_spline_curve_recomputed_from_json_files(outdir):
    sp = json.loads((outdir / "splines.json").read_text())["intensity"]
    models = {m["id"]: m for m in json.loads((outdir / "models.json").read_text())["models"]}
    m = models["spline/intensity/multi"]
    b = np.array([m["coefficients"][c] for c in sp["basis_columns"]])
    V = np.array(m["exposure_covariance"]["matrix"])
    assert m["exposure_covariance"]["columns"] == sp["basis_columns"]
    k1, k2, k3 = sp["knots"]

    def basis(x):
        p = lambda u: np.maximum(u, 0) ** 3  # noqa: E731
        return np.array([x, (p(x - k1) - p(x - k2) * (k3 - k1) / (k3 - k2)
                             + p(x - k3) * (k2 - k1) / (k3 - k2)) / (k3 - k1) ** 2])

    curve = pd.read_csv(outdir / "spline_intensity.csv")
    for i in (0, len(curve) // 2, len(curve) - 1):
        x = curve.x.iloc[i]
        d = basis(x) - basis(sp["reference"])
        se = np.sqrt(d @ V @ d)
        assert curve.rr.iloc[i] == pytest.approx(np.exp(d @ b), rel=1e-9)
        assert curve.ci_high.iloc[i] == pytest.approx(np.exp(d @ b + 1.959964 * se), rel=1e-6)
